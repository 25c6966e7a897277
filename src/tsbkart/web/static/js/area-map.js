/* tsbkart area page: a small map of the area's units (progressive enhancement; the list below is the
 * same information). Reads #area-map[data-config] (JSON: units [{name, url, lat, lon, approximate}],
 * tileUrl, tileAttribution, strings). Approximate locations are drawn hollow and dashed. No inline script. */
(function () {
  "use strict";
  var el = document.getElementById("area-map");
  if (!el || typeof L === "undefined") { return; }
  var config = JSON.parse(el.getAttribute("data-config"));
  var points = config.units.filter(function (u) { return u.lat !== null && u.lon !== null; });
  if (!points.length) { el.hidden = true; return; }
  el.hidden = false;
  var map = L.map(el, { zoomSnap: 0.5, minZoom: 3, maxZoom: 14, scrollWheelZoom: false });
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 18 }).addTo(map);
  }
  var bounds = [];
  points.forEach(function (unit) {
    var marker = L.circleMarker([unit.lat, unit.lon], {
      radius: 7, weight: 2, color: "#12355b", fillColor: "#12355b",
      fillOpacity: unit.approximate ? 0 : 0.8, dashArray: unit.approximate ? "3 3" : null
    }).addTo(map);
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = unit.url;
    link.textContent = unit.name;
    popup.appendChild(link);
    if (unit.approximate) {
      var note = document.createElement("div");
      note.textContent = config.strings.approximate;
      popup.appendChild(note);
    }
    marker.bindPopup(popup);
    marker.bindTooltip(unit.name);
    bounds.push([unit.lat, unit.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 11 });
}());
