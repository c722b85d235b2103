// Report page: pick the problem's location on a Leaflet map (no tiles needed:
// the resident's community and grid outlines are drawn from GeoJSON). A click
// puts the pin and fills the hidden lng/lat inputs (WGS-84).
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || typeof L === "undefined") return;
  var lngInput = document.getElementById("id_lng");
  var latInput = document.getElementById("id_lat");
  var status = document.getElementById("pin-status");

  var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25 });
  el.gongzhiMap = map; // for the browser tests
  map.attributionControl.setPrefix("Leaflet");
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  map.setView([31.82, 117.23], 11);
  var marker = null;

  function place(latlng) {
    if (marker) {
      marker.setLatLng(latlng);
    } else {
      marker = L.circleMarker(latlng, { radius: 9, color: "#ffffff", weight: 2, fillColor: "#b3121b", fillOpacity: 1 }).addTo(map);
    }
    lngInput.value = latlng.lng.toFixed(6);
    latInput.value = latlng.lat.toFixed(6);
    if (status) {
      status.textContent = (el.dataset.pinnedText || "") + " " + latlng.lng.toFixed(5) + ", " + latlng.lat.toFixed(5);
      status.classList.add("set");
    }
    el.dataset.pinned = "true";
  }

  map.on("click", function (event) { place(event.latlng); });
  if (lngInput.value && latInput.value) {
    var start = L.latLng(parseFloat(latInput.value), parseFloat(lngInput.value));
    place(start);
    map.setView(start, 16);
  }

  var locate = document.getElementById("pin-locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
        place(here);
        map.setView(here, 17, { animate: false });
      });
    });
  }

  if (!el.dataset.geojsonUrl) {
    el.dataset.ready = "true";
    return;
  }
  fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
    .then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    })
    .then(function (data) {
      var outlines = { type: "FeatureCollection", features: data.features.filter(function (f) { return f.properties.role !== "building"; }) };
      var layer = L.geoJSON(outlines, {
        interactive: false,
        style: function (feature) {
          return feature.properties.role === "self"
            ? { color: "#8c0d14", weight: 2.5, dashArray: "6 4", fillOpacity: 0.05 }
            : { color: "#283593", weight: 1.2, fillColor: "#283593", fillOpacity: 0.08 };
        },
      }).addTo(map);
      if (marker) marker.bringToFront();
      var bounds = layer.getBounds();
      if (bounds.isValid() && !marker) map.fitBounds(bounds, { padding: [8, 8], maxZoom: 18, animate: false });
      el.dataset.ready = "true";
    })
    .catch(function () { el.dataset.ready = "error"; });
})();
