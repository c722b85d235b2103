// Territory map: draws a node's outline, its children's polygons and (for a
// grid) its buildings from /territory/<code>/map.geojson with Leaflet. Works
// with no tile server; a tile layer is added only when one is configured.
(function () {
  "use strict";
  var el = document.getElementById("territory-map");
  if (!el || typeof L === "undefined") return;

  var PALETTE = ["#c62828", "#ad1457", "#6a1b9a", "#283593", "#00695c", "#2e7d32", "#ef6c00", "#4e342e"];

  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, attributionControl: true });
  el.gongzhiMap = map; // for other scripts on the page and the browser tests
  map.attributionControl.setPrefix("Leaflet");
  var tileUrl = el.dataset.tileUrl;
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  map.setView([31.82, 117.23], 10); // until the data arrives: Hefei

  function note(text) {
    var box = L.control({ position: "topright" });
    box.onAdd = function () {
      var div = L.DomUtil.create("div", "leaflet-bar map-message");
      div.style.background = "#fff";
      div.style.padding = "4px 8px";
      div.textContent = text;
      return div;
    };
    box.addTo(map);
    return box;
  }

  function row(parent, label, value) {
    var line = document.createElement("div");
    var strong = document.createElement("strong");
    strong.textContent = label;
    line.appendChild(strong);
    line.appendChild(document.createTextNode(" " + value));
    parent.appendChild(line);
  }

  function buildingPopup(p) {
    // Built from DOM nodes with textContent: names come from data, not markup.
    var div = document.createElement("div");
    var title = document.createElement("div");
    title.style.fontWeight = "600";
    title.textContent = p.estate + " " + p.name;
    div.appendChild(title);
    row(div, "地址", p.address);
    row(div, "层数", String(p.floors));
    row(div, "户数", String(p.households));
    return div;
  }

  var loading = note(el.dataset.loadingText || "…");
  fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(function (data) {
      loading.remove();
      var childIndex = 0;
      var layer = L.geoJSON(data, {
        style: function (feature) {
          var role = feature.properties.role;
          if (role === "building") {
            return { radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#b3121b", fillOpacity: 0.95 };
          }
          if (role === "self") {
            return { color: "#8c0d14", weight: 2.5, dashArray: "6 4", fill: true, fillColor: "#ffffff", fillOpacity: 0.35 };
          }
          var color = PALETTE[childIndex++ % PALETTE.length];
          return { color: color, weight: 1.5, fillColor: color, fillOpacity: 0.22 };
        },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 6 });
        },
        onEachFeature: function (feature, lyr) {
          var p = feature.properties;
          if (p.role === "child") {
            lyr.bindTooltip(p.name, { sticky: true, className: "division-label" });
            lyr.on("click", function () { window.location.href = p.url; });
            lyr.on("mouseover", function () { lyr.setStyle({ fillOpacity: 0.45, weight: 2.5 }); });
            lyr.on("mouseout", function () { lyr.setStyle({ fillOpacity: 0.22, weight: 1.5 }); });
          } else if (p.role === "building") {
            lyr.bindTooltip(p.name, { className: "division-label" });
            lyr.bindPopup(buildingPopup(p));
          }
        },
      }).addTo(map);
      // Keep the node's own outline under its children so clicks reach them.
      layer.eachLayer(function (lyr) {
        if (lyr.feature.properties.role === "self" && lyr.bringToBack) lyr.bringToBack();
      });
      var bounds = layer.getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
      } else {
        note(el.dataset.emptyText || "");
      }
      el.dataset.ready = "true";
      el.dataset.features = String(data.features.length);
    })
    .catch(function () {
      loading.remove();
      note(el.dataset.errorText || "");
      el.dataset.ready = "error";
    });
})();
