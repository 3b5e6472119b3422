/* The header's menu on a phone: the sections, languages and account fold under one button.
 * Without this script (or on a wide screen) they are simply shown. */
(function () {
  "use strict";
  var header = document.querySelector(".site-header");
  var toggle = document.getElementById("menu-toggle");
  if (!header || !toggle) { return; }
  header.classList.add("has-menu");
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  });
})();
