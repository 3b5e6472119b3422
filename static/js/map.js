/* Open Budget Map: the facility layer, filters, choropleth colours and URL state of the map page.
 *
 * The page is the same whatever the data. This script fetches the selected facilities as
 * compact column arrays (ids, coordinates, type and cue as small integers), clusters them with
 * supercluster and draws only what is in view: one canvas circle per visible facility, one
 * number per group. A popup fetches its facility's details when it opens. Every text from the
 * server is written with textContent, never as HTML.
 *
 * The URL carries the filters (query string) and the view (#map=zoom/lat/lon), so a copied
 * link shows the same thing. Without JavaScript the filter form still works as a GET form.
 */
(function () {
  "use strict";

  // Marker styles per cue (see explore.map_views.CUES); colour comes from the type.
  var CUE_STYLES = {
    none: {radius: 6, weight: 2.5, fillOpacity: 0.25, hollow: true},
    planned: {radius: 7, weight: 1.5, fillOpacity: 0.5, color: "#ffffff"},
    in_progress: {radius: 7, weight: 2.5, fillOpacity: 0.9, color: "#1d1d1f"},
    completed: {radius: 7, weight: 1.5, fillOpacity: 0.9, color: "#ffffff"},
    stopped: {radius: 7, weight: 2.5, fillOpacity: 0.9, color: "#c00000", dashArray: "3 2"}
  };
  var SEARCH_DELAY_MS = 350;

  /* Popups pan clear of the zoom buttons (top left) and the legend (bottom right). */
  var POPUP_OPTIONS = {maxWidth: 300, autoPanPaddingTopLeft: [64, 112], autoPanPaddingBottomRight: [16, 56]};
  var PHONE = window.matchMedia ? window.matchMedia("(max-width: 599px)") : {matches: false};

  function text(element, value) {
    element.textContent = value;
    return element;
  }

  function make(tag, className, value) {
    var element = document.createElement(tag);
    if (className) { element.className = className; }
    if (value !== undefined) { element.textContent = value; }
    return element;
  }

  /* The query string of the form: only filled-in fields, in a stable order. */
  function formQuery(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (typeof value === "string" && value.trim() !== "") { params.append(key, value.trim()); }
    });
    return params;
  }

  function withoutKeys(params, keys) {
    var copy = new URLSearchParams(params);
    keys.forEach(function (key) { copy.delete(key); });
    return copy;
  }

  function parseView(hash) {
    var match = /map=([\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)/.exec(hash || "");
    if (!match) { return null; }
    var zoom = parseFloat(match[1]), lat = parseFloat(match[2]), lon = parseFloat(match[3]);
    if (!isFinite(zoom) || !isFinite(lat) || !isFinite(lon)) { return null; }
    return {zoom: zoom, center: [lat, lon]};
  }

  /* Requests started by prefetch(), by URL, until start() asks for them. */
  var prefetched = {};

  function fetchJson(url, previous) {
    if (previous) { previous.abort(); }
    if (prefetched[url]) {
      var early = prefetched[url];
      delete prefetched[url];
      return early;
    }
    var controller = new AbortController();
    var promise = fetch(url, {signal: controller.signal, credentials: "same-origin"}).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    });
    return {controller: controller, promise: promise};
  }

  /* Start fetching the first selection's facilities and summary before the page builds the
   * district layer (the map's script calls this first): the data then arrives while the
   * browser is busy with the districts instead of after them. start() asks for the same URLs. */
  function prefetch(config) {
    var form = document.getElementById("filters");
    if (!form) { return; }
    var query = formQuery(form);
    [config.facilitiesUrl + "?" + withoutKeys(query, ["metric"]).toString(),
     config.summaryUrl + "?" + query.toString()].forEach(function (url) {
      var request = fetchJson(url);
      request.promise.catch(function () {});  // reported when start() uses it, not before
      prefetched[url] = request;
    });
  }

  /* Leaflet's zoom buttons say "Zoom in" in English: give them the page's words. */
  function translateZoomControl(map, labels) {
    var container = map.zoomControl && map.zoomControl.getContainer();
    if (!container) { return; }
    [[".leaflet-control-zoom-in", labels.zoomIn], [".leaflet-control-zoom-out", labels.zoomOut]].forEach(function (pair) {
      var button = container.querySelector(pair[0]);
      if (button && pair[1]) {
        button.title = pair[1];
        button.setAttribute("aria-label", pair[1]);
      }
    });
  }

  function start(map, districts, config) {
    var labels = config.labels;
    // The key's colour swatches: set here, as the page's CSP allows no style attributes.
    document.querySelectorAll(".dot[data-colour]").forEach(function (dot) {
      dot.style.background = dot.getAttribute("data-colour");
    });
    var form = document.getElementById("filters");
    var status = document.getElementById("map-status");
    translateZoomControl(map, labels);
    // Districts and facilities share the map's one canvas (preferCanvas): facilities, drawn
    // later, win a click where they lie, and the districts still get hover and tooltips.
    // (A separate pane would hide one layer's events from the other.)
    var layer = L.layerGroup().addTo(map);
    var legend = null;
    var legendOpen = null;  // the reader's choice, kept when the legend is redrawn
    var data = null, index = null;
    var facilityRequest = null, summaryRequest = null;
    var lastFacilityQuery = null;
    var state = window.OpenBudgetMap.state = {ready: false, facilityCount: 0, fundedCount: 0,
                                              visibleMarkers: 0, map: map, districts: districts, loads: 0};

    var view = parseView(window.location.hash);
    if (view) { map.setView(view.center, view.zoom, {animate: false}); }

    function say(message) { if (status) { text(status, message); } }

    /* ---------------------------------------------------------------- facilities */

    /* lat and lon arrive as whole 1/scale degrees, each the difference from the one before
       (data/map_views.py): add them up into degrees, in place. */
    function decodeCoordinates(columns) {
      var lat = 0, lon = 0, scale = columns.scale;
      for (var i = 0; i < columns.id.length; i++) {
        lat += columns.lat[i];
        lon += columns.lon[i];
        columns.lat[i] = lat / scale;
        columns.lon[i] = lon / scale;
      }
      return columns;
    }

    function loadFacilities(query) {
      var key = withoutKeys(query, ["metric"]).toString();
      if (key === lastFacilityQuery && data) { return Promise.resolve(); }
      var request = fetchJson(config.facilitiesUrl + "?" + key, facilityRequest && facilityRequest.controller);
      facilityRequest = request;
      return request.promise.then(function (columns) {
        lastFacilityQuery = key;
        data = decodeCoordinates(columns);
        var points = new Array(columns.id.length);
        var funded = 0;
        for (var i = 0; i < columns.id.length; i++) {
          points[i] = {type: "Feature", properties: {i: i},
                       geometry: {type: "Point", coordinates: [columns.lon[i], columns.lat[i]]}};
          if (columns.cues[columns.cue[i]] !== "none") { funded++; }
        }
        index = new Supercluster({radius: 60, maxZoom: 16, minPoints: 3});
        index.load(points);
        state.facilityCount = columns.id.length;
        state.fundedCount = funded;
        state.version = columns.version;
        render();
      });
    }

    function markerStyle(i) {
      var colour = config.typeColours[data.types[data.type[i]]] || "#333333";
      var cue = CUE_STYLES[data.cues[data.cue[i]]] || CUE_STYLES.planned;
      return {radius: cue.radius, weight: cue.weight, fillOpacity: cue.fillOpacity,
              color: cue.hollow ? colour : cue.color, fillColor: cue.hollow ? "#ffffff" : colour,
              dashArray: cue.dashArray || null};
    }

    function clusterMarker(feature) {
      var count = feature.properties.point_count;
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      var latlng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
      var title = labels.cluster.replace("{count}", count);
      var marker = L.marker(latlng, {
        title: title, alt: title, keyboard: true,
        icon: L.divIcon({html: "<span>" + Number(count) + "</span>", className: "facility-cluster cluster-" + size,
                         iconSize: size === "large" ? [44, 44] : [38, 38]})
      });
      marker.on("click", function () {
        var zoom = Math.min(index.getClusterExpansionZoom(feature.properties.cluster_id), config.maxZoom);
        map.setView(latlng, zoom);
      });
      return marker;
    }

    function pointMarker(feature) {
      var i = feature.properties.i;
      var marker = L.circleMarker([data.lat[i], data.lon[i]], markerStyle(i));
      marker.on("click", function () { openPopup(i); });
      return marker;
    }

    function render() {
      if (!index) { return; }
      var bounds = map.getBounds();
      var zoom = Math.round(map.getZoom());
      var features = index.getClusters([bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()], zoom);
      layer.clearLayers();
      var points = 0;
      features.forEach(function (feature) {
        if (feature.properties.cluster) {
          layer.addLayer(clusterMarker(feature));
        } else {
          layer.addLayer(pointMarker(feature));
          points++;
        }
      });
      state.visibleMarkers = points;
      state.visibleGroups = features.length - points;
    }

    /* ---------------------------------------------------------------- popups */

    function popupBox(details) {
      var box = make("div", "facility-popup");
      box.appendChild(make("strong", "", details.name));
      var list = make("dl");
      details.fields.forEach(function (field) {
        list.appendChild(make("dt", "", field.label));
        list.appendChild(make("dd", "", field.value));
      });
      box.appendChild(list);
      if (details.risk && details.risk.count) { box.appendChild(make("p", "popup-risk", details.risk.text)); }
      if (details.note) { box.appendChild(make("p", "popup-note", details.note)); }
      var link = make("a", "popup-facility", labels.popupLink);
      link.href = details.url;
      box.appendChild(link);
      if (details.feedback) {
        var leave = make("a", "popup-feedback", details.feedback.label);
        leave.href = details.feedback.url;
        box.appendChild(document.createTextNode(" · "));
        box.appendChild(leave);
      }
      return box;
    }

    function openPopup(i) {
      var id = data.id[i];
      var query = withoutKeys(formQuery(form), ["metric", "type", "district", "q", "risk"]);
      var popup = L.popup(POPUP_OPTIONS)
        .setLatLng([data.lat[i], data.lon[i]])
        .setContent(make("div", "facility-popup", labels.loading))
        .openOn(map);
      fetchJson(config.popupUrl + encodeURIComponent(id) + ".json?" + query.toString()).promise
        .then(function (details) { popup.setContent(popupBox(details)); })
        .catch(function () { popup.setContent(make("div", "facility-popup", labels.loadError)); });
      return popup;
    }

    /* ---------------------------------------------------------------- summary */

    function loadSummary(query) {
      var request = fetchJson(config.summaryUrl + "?" + query.toString(), summaryRequest && summaryRequest.controller);
      summaryRequest = request;
      return request.promise.then(applySummary);
    }

    function applySummary(summary) {
      districts.eachLayer(function (district) {
        var figures = summary.districts[district.feature.properties.kato];
        if (!figures) { return; }
        district.setStyle({fillColor: figures.colour});
        district.unbindTooltip();
        district.unbindPopup();
        // A string would be inserted as HTML: give Leaflet an element holding plain text.
        if (!PHONE.matches) { district.bindTooltip(make("span", "", figures.label), {sticky: true}); }
        district.bindPopup(districtBox(figures), POPUP_OPTIONS);
      });
      Object.keys(summary.totals).forEach(function (key) {
        var cell = document.querySelector('[data-total="' + key + '"]');
        if (cell) { text(cell, summary.totals[key]); }
      });
      showLegend(summary.legend);
      say(labels.shown.replace("{count}", summary.totals.facilities));
    }

    /* A tapped district: its figures and a link to its page (a tooltip alone never shows on a phone). */
    function districtBox(figures) {
      var box = make("div", "facility-popup district-popup");
      box.appendChild(make("strong", "", figures.name));
      box.appendChild(make("p", "", figures.label));
      var link = make("a", "popup-district", labels.districtLink);
      link.href = figures.url;
      box.appendChild(link);
      return box;
    }

    function showLegend(content) {
      if (legend) { legend.remove(); }
      legend = L.control({position: "bottomright"});
      legend.onAdd = function () {
        // A disclosure: closed on a phone, where it would cover the south of the region.
        var box = L.DomUtil.create("details", "map-legend");
        box.open = legendOpen === null ? !PHONE.matches : legendOpen;
        box.addEventListener("toggle", function () { legendOpen = box.open; });
        box.appendChild(make("summary", "", content.title));
        L.DomEvent.disableClickPropagation(box);
        var list = make("ul");
        content.rows.forEach(function (row) {
          var item = make("li");
          var swatch = make("span", "swatch");
          swatch.style.background = row.colour;
          item.appendChild(swatch);
          item.appendChild(document.createTextNode(row.label));
          list.appendChild(item);
        });
        box.appendChild(list);
        return box;
      };
      legend.addTo(map);
    }

    /* ---------------------------------------------------------------- URL state */

    function rememberInUrl(query) {
      var centre = map.getCenter();
      var hash = "#map=" + map.getZoom() + "/" + centre.lat.toFixed(4) + "/" + centre.lng.toFixed(4);
      var search = query.toString();
      window.history.replaceState(null, "", window.location.pathname + (search ? "?" + search : "") + hash);
      var tableLink = document.getElementById("table-link");
      if (tableLink) {
        tableLink.search = withoutKeys(query, ["metric"]).toString();
      }
      var fullMap = document.getElementById("full-map-link");  // the embed page's link to the site
      if (fullMap) {
        fullMap.search = search;
        fullMap.hash = hash;
      }
      // The language switch returns to this very selection and view.
      document.querySelectorAll(".language-switch a").forEach(function (link) {
        var url = new URL(link.href, window.location.href);
        url.searchParams.set("next", window.location.pathname + window.location.search + hash);
        link.href = url.pathname + url.search;
      });
    }

    function update() {
      var query = formQuery(form);
      rememberInUrl(query);
      say(labels.loading);
      state.ready = false;
      return Promise.all([loadFacilities(query), loadSummary(query)]).then(function () {
        state.ready = true;
        state.loads++;
      }).catch(function (error) {
        if (error && error.name === "AbortError") { return; }
        say(labels.loadError);
      });
    }

    /* ---------------------------------------------------------------- controls */

    if (form) {
      var searchTimer = null;
      form.addEventListener("change", function (event) {
        if (event.target.name !== "q") { update(); }
      });
      form.addEventListener("input", function (event) {
        if (event.target.name !== "q") { return; }
        window.clearTimeout(searchTimer);
        searchTimer = window.setTimeout(update, SEARCH_DELAY_MS);
      });
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        window.clearTimeout(searchTimer);
        update();
      });
    }

    var toggle = document.getElementById("panel-toggle");
    var panel = document.getElementById("side-panel");
    if (toggle && panel) {
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
        panel.classList.toggle("open", open);
        map.invalidateSize();
      });
    }

    map.on("moveend", function () {
      render();
      if (form) { rememberInUrl(formQuery(form)); }
    });

    state.update = update;
    if (form) {
      update();
    } else {
      say("");
    }
  }

  window.OpenBudgetMap = {start: start, prefetch: prefetch};
})();
