/* Open Budget Map: a facility page's small map, loaded only when it scrolls into view.
 *
 * The page holds <div data-point-map="script URL" data-leaflet-js data-leaflet-css> with the
 * map's empty div and a placeholder (the coordinates and the address). When half the box is on
 * the screen (IntersectionObserver; at once where there is none), this loads Leaflet's style
 * sheet and script, then the map's own script (folium's, served by the app per facility), and
 * hides the placeholder. Until then the page costs nothing of Leaflet; without JavaScript the
 * placeholder and the link to the big map stay.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-point-map]");
  if (!box) { return; }
  var placeholder = box.querySelector(".point-map-placeholder");
  var status = box.querySelector(".point-map-status");

  function say(text) {
    if (status) { status.textContent = text || ""; }
  }

  function addScript(src, done) {
    var script = document.createElement("script");
    script.src = src;
    script.async = false;
    script.onload = done;
    script.onerror = function () {
      box.setAttribute("data-map-state", "failed");
      say(box.getAttribute("data-failed-text"));
    };
    document.body.appendChild(script);
  }

  function start() {
    if (box.hasAttribute("data-map-state")) { return; }
    box.setAttribute("data-map-state", "loading");
    say(box.getAttribute("data-loading-text"));
    var css = box.getAttribute("data-leaflet-css");
    if (css && !document.querySelector('link[href="' + css + '"]')) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = css;
      document.head.appendChild(link);
    }
    function drawMap() {
      addScript(box.getAttribute("data-point-map"), function () {
        box.setAttribute("data-map-state", "shown");
        if (placeholder) { placeholder.hidden = true; }
        say("");
      });
    }
    if (window.L) { drawMap(); } else { addScript(box.getAttribute("data-leaflet-js"), drawMap); }
  }

  if (!("IntersectionObserver" in window)) { start(); return; }
  // Half of the map in view: on a phone, a map just peeking in under the facts waits for a scroll.
  var observer = new IntersectionObserver(function (entries) {
    for (var i = 0; i < entries.length; i++) {
      if (entries[i].isIntersecting && entries[i].intersectionRatio >= 0.5) {
        observer.disconnect();
        start();
        return;
      }
    }
  }, {threshold: 0.5});
  observer.observe(box);
})();
