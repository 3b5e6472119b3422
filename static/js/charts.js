/* Open Budget Map: bar charts of allocated vs paid per year (Chart.js, served by the app).
 *
 * Every <canvas data-chart="ID"> is drawn from the JSON in <script type="application/json"
 * id="ID">: {labels: [...], axis: "unit", scale: tenge per axis unit,
 *              series: [{label, colour, values: [tenge], texts: [exact amounts]}],
 *              horizontal: true for bars along the x axis (long category names)}.
 * Labels and formatted amounts come translated from the server; the page shows the same figures
 * in a table, so nothing is lost without JavaScript.
 */
(function () {
  "use strict";

  function numberFormat() {
    try {
      return new Intl.NumberFormat(document.documentElement.lang || undefined, {maximumFractionDigits: 1});
    } catch (error) {
      return new Intl.NumberFormat();
    }
  }

  function draw(canvas, format) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var box = canvas.parentNode;  // a height set here, as the page's CSP allows no style attributes
    if (box.getAttribute("data-height")) { box.style.height = box.getAttribute("data-height") + "px"; }
    var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var valueAxis = {beginAtZero: true, title: {display: true, text: spec.axis},
                     ticks: {callback: function (value) { return format.format(value / (spec.scale || 1)); }}};
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (series) {
          return {label: series.label, data: series.values, backgroundColor: series.colour,
                  borderColor: series.colour, borderWidth: 1};
        })
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        animation: reduceMotion ? false : {duration: 300},
        responsive: true,
        maintainAspectRatio: false,
        plugins: {
          legend: {position: "bottom"},
          tooltip: {callbacks: {label: function (item) {
            var series = spec.series[item.datasetIndex];
            return series.label + ": " + series.texts[item.dataIndex];
          }}}
        },
        scales: spec.horizontal ? {x: valueAxis} : {y: valueAxis}
      }
    });
    canvas.setAttribute("data-chart-drawn", "true");
  }

  if (!window.Chart) { return; }
  var format = numberFormat();
  Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart]"), function (canvas) {
    draw(canvas, format);
  });
})();
