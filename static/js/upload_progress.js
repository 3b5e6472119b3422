/* An upload's progress while a background job validates or publishes it: polls the upload's
   progress.json and updates the step, the bar and the status line; when the work is done it
   goes on to the report (or, after a publication, to the versions). Without JavaScript the
   page refreshes itself instead (<noscript><meta http-equiv="refresh">). */
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || box.getAttribute("data-running") !== "true" || !window.fetch) { return; }
  var url = box.getAttribute("data-url");
  var stage = document.getElementById("job-stage");
  var bar = document.getElementById("job-bar");
  var status = document.getElementById("job-status");
  var steps = document.querySelectorAll("#job-stages li");
  var delay = 500;

  function show(progress) {
    if (stage) { stage.textContent = progress.stage_label; }
    if (bar) {
      if (progress.total > 0) {
        bar.max = progress.total;
        bar.value = progress.done;
      } else {
        bar.removeAttribute("value");  // indeterminate: how much is unknown yet
      }
    }
    if (status.textContent !== progress.text) { status.textContent = progress.text; }
    Array.prototype.forEach.call(steps, function (step) {
      if (step.getAttribute("data-stage") === progress.stage) {
        step.setAttribute("aria-current", "step");
      } else if (steps.length > 1) {
        step.removeAttribute("aria-current");
      }
    });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (progress.running) {
          delay = Math.min(delay * 1.3, 3000);
          window.setTimeout(poll, delay);
        } else {
          window.location.assign(progress.next);
        }
      })
      .catch(function () {
        status.textContent = box.getAttribute("data-failed");
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, delay);
}());
