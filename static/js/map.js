// Maps drawn with Leaflet (static/vendor/leaflet) from each [data-map] element that
// templates/_map.html writes: data-map holds {route: [[lat, lon], ...], markers: [{lat,
// lon, kind, label}]}; data-map-units (km or mi) picks the scale; data-map-tiles is the
// tile URL, empty for none (the map then draws on the container's plain background).
(function () {
  "use strict";

  // Start and finish are drawn by CSS (map.css), the start larger: on a loop the finish
  // sits on it and both still show. Meeting points and homes use Leaflet's pin.
  var PIN_SIZES = { start: 28, finish: 14 };

  function text(value) {
    // Labels are runners' words: always text nodes, never HTML.
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function addMarker(map, marker) {
    var options = { title: marker.label, alt: marker.label, keyboard: true };
    var size = PIN_SIZES[marker.kind];
    if (size) {
      options.icon = L.divIcon({
        className: "map-pin map-pin-" + marker.kind,
        iconSize: [size, size],
        iconAnchor: [size / 2, size / 2],
      });
    }
    var added = L.marker([marker.lat, marker.lon], options).addTo(map);
    added.getElement().classList.add("map-marker", "map-marker-" + marker.kind);
    added.bindTooltip(text(marker.label));
  }

  function draw(element) {
    var data;
    try {
      data = JSON.parse(element.dataset.map);
    } catch (error) {
      return;
    }
    var units = element.dataset.mapUnits;
    var tiles = element.dataset.mapTiles;
    // The picture shown without JavaScript makes way for the map.
    element.replaceChildren();
    var map = L.map(element, {
      minZoom: 2,
      maxZoom: 19,
      zoomSnap: 0.25,
      // The page scrolls past the map: wheel zoom and one-finger drag would trap it.
      scrollWheelZoom: false,
      dragging: !L.Browser.mobile,
    });
    if (tiles) {
      L.tileLayer(tiles, {
        maxZoom: 19,
        attribution: element.dataset.mapAttribution || "",
      }).addTo(map);
    } else {
      element.classList.add("map-untiled");
    }
    L.control.scale({
      metric: units !== "mi",
      imperial: units === "mi",
      maxWidth: element.clientWidth < 480 ? 110 : 150,
    }).addTo(map);

    // The view first: Leaflet makes a marker's element only once the map has one.
    var route = data.route || [];
    var markers = data.markers || [];
    var bounds = L.latLngBounds(route.concat(markers.map(function (m) { return [m.lat, m.lon]; })));
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    } else {
      map.setView([0, 0], 2);
    }
    if (route.length > 1) {
      L.polyline(route, { className: "map-route", color: "#b45309", weight: 4 }).addTo(map);
    }
    markers.forEach(function (marker) {
      addMarker(map, marker);
    });
    element.setAttribute("data-map-drawn", "");
  }

  function start() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
