/* tsbkart map page: progressive enhancement of the server-rendered filter form and result list.
 *
 * Closes the filter panel (<details>) on narrow screens when no filter is active, and keeps its count current.
 * Reads its configuration from #map[data-config] (JSON: geojson, boundaries, tileUrl, tileAttribution,
 * legend, strings, lang). On a filter change it fetches the units GeoJSON with the form's query string,
 * redraws markers (clustered) and the list, announces the new count and updates the URL. If the GeoJSON
 * cannot be fetched it falls back to submitting the form (the server renders the same list).
 * No inline scripts: the page's CSP allows only scripts from 'self'.
 */
(function () {
  "use strict";

  // --- Filter panel ---------------------------------------------------------------------------------------
  // The filter form is in <details id="filter-panel" open>: open in the HTML, so nothing is hidden without
  // JavaScript. On narrow screens (the one-column layout, below the CSS breakpoint of 50em) it is closed here,
  // before the map is built, so the map and the list come first; it stays open when a filter is active or the
  // filter failed. Runs before the Leaflet check: the panel does not need the map.
  var panel = document.getElementById("filter-panel");
  var filterCountEl = document.getElementById("filter-count");
  var wide = window.matchMedia ? window.matchMedia("(min-width: 50em)") : null;
  if (panel && wide) {
    var activeAtLoad = parseInt(panel.getAttribute("data-active-filters"), 10) || 0;
    if (!wide.matches && activeAtLoad === 0 && !panel.hasAttribute("data-keep-open")) { panel.open = false; }
    // A window widened past the breakpoint (a tablet turned to landscape) shows the filters beside the map.
    var onWidth = function (event) { if (event.matches) { panel.open = true; } };
    if (wide.addEventListener) { wide.addEventListener("change", onWidth); }
    else if (wide.addListener) { wide.addListener(onWidth); }  // Safari before 14
  }

  // The summary's count: one per non-empty form value (each checked box, chosen option, text), the same count
  // the server renders (views.map_page.active_filter_count).
  function updateFilterCount(form) {
    if (!filterCountEl) { return; }
    var n = 0;
    new FormData(form).forEach(function (value) { if (String(value).trim() !== "") { n += 1; } });
    filterCountEl.textContent = n ? " (" + n + ")" : "";
    if (panel) { panel.setAttribute("data-active-filters", String(n)); }
  }

  var mapEl = document.getElementById("map");
  if (!mapEl || typeof L === "undefined") { return; }
  var config = JSON.parse(mapEl.getAttribute("data-config"));
  var form = document.getElementById("filters");
  var listEl = document.getElementById("result-list");
  var countEl = document.getElementById("result-count");
  var strings = config.strings;
  var levels = {};
  var labels = {};
  config.legend.forEach(function (entry) { levels[entry.code] = entry.level; labels[entry.code] = entry.label; });
  var legendOrder = config.legend.map(function (entry) { return entry.code; });

  // Norway's bounding box: the map opens on the whole country and is usable without any tiles.
  var map = L.map(mapEl, { zoomSnap: 0.5, minZoom: 3, maxZoom: 14, attributionControl: true });
  map.fitBounds([[57.9, 4.5], [71.2, 31.2]]);
  mapEl.classList.add(config.tileUrl ? "with-tiles" : "no-tiles");
  if (config.tileUrl) {
    L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 18 }).addTo(map);
  }

  var clusters = L.markerClusterGroup({
    showCoverageOnHover: false,
    maxClusterRadius: 40,
    iconCreateFunction: function (cluster) {
      var n = cluster.getChildCount();
      return L.divIcon({
        html: "<span>" + n + '<span class="sr-only"> ' + escapeHtml(strings.units) + "</span></span>",
        className: "cluster-icon",
        iconSize: L.point(36, 36)
      });
    }
  });
  map.addLayer(clusters);

  // --- Boundaries -----------------------------------------------------------------------------------------
  var boundaries = null;
  var toggle = document.getElementById("show-boundaries");
  // Loaded after the first markers are drawn: the units matter most, the outlines are context.
  function loadBoundaries() {
    fetch(config.boundaries).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) {
      if (!data) { return; }
      boundaries = L.geoJSON(data, {
        interactive: true,
        style: function (feature) {
          return { className: feature.properties.split_by_bydel ? "boundary boundary-oslo" : "boundary",
                   weight: 1, fill: true, fillOpacity: 0.06 };
        },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          var text = p.code
            ? '<a href="/omrade/hf/' + encodeURIComponent(p.code) + '">' + escapeHtml(p.name) + "</a>"
            : escapeHtml(p.name);
          if (p.split_by_bydel) { text += "<br>" + escapeHtml(strings["Oslo is split by city district; the map shows Oslo as one area"]); }
          layer.bindPopup(escapeHtml(strings["Catchment area"]) + ": " + text);
        }
      });
      boundaries.bringToBack = boundaries.bringToBack || function () {};
      if (!toggle || toggle.checked) { boundaries.addTo(map); boundaries.bringToBack(); }
    }).catch(function () { /* boundaries are optional context */ });
  }
  if (toggle) {
    toggle.addEventListener("change", function () {
      if (!boundaries) { return; }
      if (toggle.checked) { boundaries.addTo(map); boundaries.bringToBack(); } else { map.removeLayer(boundaries); }
    });
  }

  // --- Markers --------------------------------------------------------------------------------------------
  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function mainType(codes) {
    var best = null;
    (codes || []).forEach(function (code) {
      if (!(code in levels)) { return; }
      if (best === null || levels[code] > levels[best] ||
          (levels[code] === levels[best] && legendOrder.indexOf(code) < legendOrder.indexOf(best))) { best = code; }
    });
    return best;
  }

  // Approximate points (municipality centres) often coincide: spread them on a small circle, in a fixed
  // order (by id), so each stays visible and the layout is the same on every load. They stay marked approximate.
  function jitter(features) {
    var groups = {};
    features.forEach(function (f) {
      if (!f.approximate) { return; }
      var key = f.lat.toFixed(4) + "," + f.lon.toFixed(4);
      (groups[key] = groups[key] || []).push(f);
    });
    Object.keys(groups).forEach(function (key) {
      var group = groups[key];
      if (group.length < 2) { return; }
      group.sort(function (a, b) { return a.id < b.id ? -1 : 1; });
      var radius = 0.012 * Math.min(3, 1 + group.length / 8);  // degrees of latitude, about 1.3-4 km
      group.forEach(function (f, i) {
        var angle = 2 * Math.PI * i / group.length;
        f.lat += radius * Math.sin(angle);
        f.lon += radius * Math.cos(angle) / Math.cos(f.lat * Math.PI / 180);
      });
    });
  }

  function markerFor(f) {
    var type = f.type || "none";
    var icon = L.divIcon({
      className: "unit-marker st-" + type + " lvl-" + (type in levels ? levels[type] : "x") + (f.approximate ? " approx" : ""),
      iconSize: L.point(18, 18),
      html: '<span class="shape"></span>'
    });
    var title = f.name + (f.approximate ? " (" + strings["Approximate location"] + ")" : "");
    var marker = L.marker([f.lat, f.lon], { icon: icon, title: title, alt: title, keyboard: true });
    var html = "<strong>" + escapeHtml(f.name) + "</strong>";
    if (f.typeLabel) { html += "<br>" + escapeHtml(f.typeLabel); }
    if (f.approximate) { html += '<br><em class="approx">' + escapeHtml(strings["Approximate location"]) + "</em>"; }
    html += '<br><a href="/enhet/' + encodeURIComponent(f.id) + '">' + escapeHtml(strings["Open the unit page"]) + "</a>";
    marker.bindPopup(html);
    return marker;
  }

  function draw(features) {
    var located = features.filter(function (f) { return f.lat != null && f.lon != null; });
    jitter(located);
    clusters.clearLayers();
    clusters.addLayers(located.map(markerFor));
    mapEl.setAttribute("data-markers", String(located.length));
    // Ready once the browser has laid out the new markers and clusters (the next frame); the mark lets
    // benchmarks/map_render.py time navigation -> markers drawn.
    window.requestAnimationFrame(function () {
      if (window.performance && performance.mark) { performance.mark("tsbkart-markers-drawn"); }
      mapEl.setAttribute("data-ready", "true");
    });
  }

  function fromGeoJSON(collection) {
    return collection.features.map(function (feature) {
      var p = feature.properties || {};
      var coords = feature.geometry && feature.geometry.type === "Point" ? feature.geometry.coordinates : null;
      var type = mainType(p.service_types);
      return {
        id: String(feature.id != null ? feature.id : p.id), name: p.name, lat: coords ? coords[1] : null,
        lon: coords ? coords[0] : null, approximate: !!p.approximate, type: type,
        typeLabel: type ? labels[type] : null, properties: p
      };
    });
  }

  function fromList() {
    return Array.prototype.map.call(listEl.querySelectorAll("li.result"), function (li) {
      var lat = li.getAttribute("data-lat");
      var type = li.getAttribute("data-type") || null;
      return {
        id: li.getAttribute("data-id"), name: li.querySelector("a").textContent,
        lat: lat ? parseFloat(lat) : null, lon: lat ? parseFloat(li.getAttribute("data-lon")) : null,
        approximate: li.getAttribute("data-approximate") === "true", type: type,
        typeLabel: type ? labels[type] : null
      };
    });
  }

  // --- List -----------------------------------------------------------------------------------------------
  function listItem(f) {
    var p = f.properties;
    var li = document.createElement("li");
    li.className = "result";
    li.setAttribute("data-id", f.id);
    var h = document.createElement("h3");
    h.className = "result-name";
    var a = document.createElement("a");
    a.href = "/enhet/" + encodeURIComponent(f.id);
    a.textContent = f.name;
    h.appendChild(a);
    li.appendChild(h);
    var meta = document.createElement("p");
    meta.className = "result-meta";
    if (f.type) {
      var swatch = document.createElement("span");
      swatch.className = "swatch st-" + f.type;
      swatch.setAttribute("aria-hidden", "true");
      meta.appendChild(swatch);
    }
    var place = p.municipality_name ? " · " + p.municipality_name : "";
    meta.appendChild(document.createTextNode((p.organisation_name || "") + place));
    li.appendChild(meta);
    var services = document.createElement("p");
    services.className = "result-services";
    services.textContent = (p.service_types || []).map(function (c) { return labels[c] || c; }).join(", ");
    li.appendChild(services);
    if (p.target_group_fit) {
      // How the unit fits the target-group filter (stated, stated for the unit, or may serve).
      li.setAttribute("data-fit", p.target_group_fit);
      var fit = document.createElement("p");
      fit.className = "fit fit-" + p.target_group_fit;
      fit.textContent = (config.fits || {})[p.target_group_fit] || p.target_group_fit;
      li.appendChild(fit);
    }
    if (f.lat == null || f.approximate) {
      var approx = document.createElement("p");
      approx.className = "approx";
      approx.textContent = f.lat == null ? strings["Location unknown"] : strings["Approximate location"];
      li.appendChild(approx);
    }
    return li;
  }

  function renderList(features) {
    var sorted = features.slice().sort(function (a, b) {
      return a.name.localeCompare(b.name, config.lang === "nb" ? "nb" : "en") || (a.id < b.id ? -1 : 1);
    });
    var fresh = document.createElement("ol");
    fresh.className = "result-list";
    fresh.id = "result-list";
    sorted.forEach(function (f) { fresh.appendChild(listItem(f)); });
    fresh.setAttribute("data-complete", "true");
    listEl.parentNode.replaceChild(fresh, listEl);
    listEl = fresh;
    var pager = document.getElementById("pager");
    if (pager) { pager.parentNode.removeChild(pager); }
    if (countEl) {
      var of = countEl.textContent.replace(/^\s*\d+\s*/, "").trim();
      countEl.textContent = features.length + " " + of;
    }
  }

  // --- Filters --------------------------------------------------------------------------------------------
  function queryString() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) { if (value !== "") { params.append(key, value); } });
    return params.toString();
  }

  // The explanation under the count (target-group counts; for an empty list the reason and the ways out) is
  // rendered by the server, one template for both views: fetched as a fragment and swapped in.
  function refreshExplanation(qs) {
    var current = document.getElementById("explanation");
    if (!current || !config.explanation) { return; }
    fetch(config.explanation + (qs ? "?" + qs : ""), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#explanation");
        var now = document.getElementById("explanation");
        if (fresh && now) { now.parentNode.replaceChild(fresh, now); }
      })
      .catch(function () { /* the list and count are current; the explanation is extra */ });
  }

  var pending = 0;
  // initialUrl: the first load uses the URL the server preloaded (same query as the page), so the request
  // that started while the page was parsed is reused.
  function refresh(updateList, initialUrl) {
    var qs = queryString();
    var ticket = ++pending;
    mapEl.setAttribute("data-ready", "false");
    return fetch(initialUrl || config.geojson + (qs ? "?" + qs : ""), { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (collection) {
        if (ticket !== pending) { return; }
        var features = fromGeoJSON(collection);
        draw(features);
        if (updateList) {
          renderList(features);
          refreshExplanation(qs);
          history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
        } else if (listEl.getAttribute("data-complete") === "false") {
          // The server sent one page of a long list (the no-JavaScript view): show all, after the markers.
          window.setTimeout(function () { renderList(features); }, 0);
        }
      });
  }

  if (form) {
    form.addEventListener("change", function () {
      updateFilterCount(form);
      refresh(true).catch(function () { form.submit(); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      updateFilterCount(form);
      refresh(true).catch(function () { form.submit(); });
    });
  }

  // First draw: the API's GeoJSON for the current query; the server-rendered list if that is unavailable.
  refresh(false, config.initialGeojson).catch(function () { draw(fromList()); }).then(loadBoundaries, loadBoundaries);
  window.tsbkartMap = { map: map, clusters: clusters };
})();
