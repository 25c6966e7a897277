/* Choropleth of one atlas indicator by catchment area. Reads its configuration from #atlas-map data-*
   attributes (no inline script: CSP script-src 'self'). Values come from /atlas/{id}.json, polygons from
   the catchment GeoJSON. Areas with an unknown value are grey and labelled unknown. */
(function () {
  "use strict";
  var el = document.getElementById("atlas-map");
  if (!el || typeof L === "undefined") { return; }
  var COLOURS = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  function fmt(v) { return v === null || v === undefined ? el.dataset.unknown : (Math.round(v * 100) / 100).toString(); }
  Promise.all([
    fetch(el.dataset.boundaries).then(function (r) { return r.json(); }),
    fetch(el.dataset.values).then(function (r) { return r.json(); })
  ]).then(function (parts) {
    var geo = parts[0], data = parts[1];
    var byCode = {};
    var values = [];
    data.areas.forEach(function (a) { byCode[a.code] = a; if (a.value !== null) { values.push(a.value); } });
    values.sort(function (a, b) { return a - b; });
    var breaks = [1, 2, 3, 4].map(function (k) { return values[Math.floor(k * values.length / 5)]; });
    function colour(v) {
      if (v === null || v === undefined) { return "#cccccc"; }
      var i = 0;
      while (i < breaks.length && v >= breaks[i]) { i += 1; }
      return COLOURS[i];
    }
    var map = L.map(el, { attributionControl: false }).setView([65, 14], 4);
    var layer = L.geoJSON(geo, {
      style: function (f) {
        var area = byCode[f.properties.code];
        return { color: "#333", weight: 1, fillOpacity: 0.85, fillColor: colour(area ? area.value : null) };
      },
      onEachFeature: function (f, lyr) {
        var area = byCode[f.properties.code];
        var text = f.properties.code ? f.properties.name + ": " + fmt(area ? area.value : null) : el.dataset.oslo;
        lyr.bindTooltip(text);
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds());
    var legend = L.control({ position: "bottomright" });
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "atlas-legend");
      var edges = [values[0]].concat(breaks).concat([values[values.length - 1]]);
      for (var i = 0; i < COLOURS.length; i += 1) {
        var row = L.DomUtil.create("div", "", div);
        var swatch = L.DomUtil.create("i", "", row);
        swatch.style.background = COLOURS[i];
        row.appendChild(document.createTextNode(fmt(edges[i]) + " – " + fmt(edges[i + 1])));
      }
      var unknown = L.DomUtil.create("div", "", div);
      var sw = L.DomUtil.create("i", "", unknown);
      sw.style.background = "#cccccc";
      unknown.appendChild(document.createTextNode(el.dataset.unknown));
      return div;
    };
    legend.addTo(map);
  }).catch(function () { el.textContent = ""; });
}());
