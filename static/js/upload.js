/* The upload form, enhanced: drag-and-drop onto the drop zone and a progress bar
   (XMLHttpRequest upload.onprogress). Without JavaScript the form posts as usual. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var input = form.querySelector("input[type=file]");
  var zone = document.getElementById("drop-zone");
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-progress-bar");
  var status = document.getElementById("upload-status");
  var button = form.querySelector("button[type=submit]");
  var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10) || 0;

  function say(text) { box.hidden = false; status.textContent = text; }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("is-dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("is-dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      status.textContent = input.files[0].name;
      box.hidden = false;
    }
  });

  form.addEventListener("submit", function (event) {
    if (!input.files || !input.files.length) { return; }  // the browser's own "required" message
    event.preventDefault();
    if (maxBytes && input.files[0].size > maxBytes) {
      say(form.getAttribute("data-too-large"));
      return;
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    button.disabled = true;
    bar.value = 0;
    say("0 %");
    request.upload.onprogress = function (progress) {
      if (progress.lengthComputable) {
        var percent = Math.round(progress.loaded / progress.total * 100);
        bar.value = percent;
        status.textContent = percent + " %";
      }
    };
    request.upload.onload = function () {
      bar.value = 100;
      bar.removeAttribute("value");  // indeterminate while the server checks the file
      status.textContent = form.getAttribute("data-checking");
    };
    request.onload = function () {
      if (request.status === 200 && request.responseURL && request.responseURL.indexOf("/admin/uploads/") !== -1) {
        window.location.assign(request.responseURL);
      } else if (request.status === 413) {
        button.disabled = false;
        bar.value = 0;
        say(form.getAttribute("data-too-large"));
      } else {  // the server's page (e.g. the form with its error) replaces this one
        document.open();
        document.write(request.responseText);
        document.close();
      }
    };
    request.onerror = function () {
      button.disabled = false;
      bar.value = 0;
      say(form.getAttribute("data-failed"));
    };
    request.send(new FormData(form));
  });
}());
