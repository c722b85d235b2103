// Case page: the case's pin and its grid's outline (data from json_script).
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  var source = document.getElementById("case-map-data");
  if (!el || !source || typeof L === "undefined") return;
  var data = JSON.parse(source.textContent);
  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25 });
  el.gongzhiMap = map;
  map.attributionControl.setPrefix("Leaflet");
  if (data.tileUrl) {
    L.tileLayer(data.tileUrl, { attribution: data.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  var point = L.latLng(data.point[1], data.point[0]);
  map.setView(point, 16); // a view must exist before vector layers are added
  var bounds = L.latLngBounds(point, point);
  if (data.outline) {
    var outline = L.geoJSON(data.outline, { interactive: false, style: { color: "#283593", weight: 1.5, fillOpacity: 0.08 } }).addTo(map);
    if (outline.getBounds().isValid()) bounds.extend(outline.getBounds());
  }
  L.circleMarker(point, { radius: 9, color: "#ffffff", weight: 2, fillColor: "#b3121b", fillOpacity: 1 })
    .addTo(map)
    .bindTooltip(data.label || "", { permanent: false });
  map.fitBounds(bounds.pad(0.1), { maxZoom: 17, animate: false });
  el.dataset.ready = "true";
})();
