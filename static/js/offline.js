/* Every page: the service worker (static/sw.js), the offline note, and the feedback form's queue.

   - Registers /sw.js and tells it what this page is and what it loaded, so the very first page
     of a visit (loaded before the worker ran) is kept too.
   - A copy kept by the worker carries data-cached-at on <html>: it is shown only when the
     network did not answer, so the page says "Offline — data of <date>" (Kazakhstan's time).
   - The feedback form: every message gets a key made on the phone (submission_key). Without a
     connection (or on a kept copy, whose CSRF token may have expired) the message goes into the
     phone's queue (static/js/feedback_queue.js) instead of being posted; it is listed as
     waiting, and sent now if possible, else on Background Sync, the `online` event or the next
     page, until its tracking code is shown. */
(function () {
  "use strict";

  var root = document.documentElement;
  var cachedAt = root.getAttribute("data-cached-at");
  var queue = window.FeedbackQueue;
  var registration = null;

  function timeZone() {
    var note = document.getElementById("offline-note");
    return (note && note.getAttribute("data-time-zone")) || "Asia/Almaty";
  }

  /* A UTC time as the region's clock shows it: "03.12.2026, 22:34" in kk and ru, as the
     server-side dates are (core.web.i18n.local_date), the browser's style in other languages. */
  function moment(iso) {
    var lang = root.lang || "kk";
    try {
      var options = {timeZone: timeZone(), day: "2-digit", month: "2-digit", year: "numeric",
                     hour: "2-digit", minute: "2-digit", hourCycle: "h23"};
      if (lang !== "kk" && lang !== "ru") {
        return new Intl.DateTimeFormat(lang, options).format(new Date(iso));
      }
      var parts = {};
      new Intl.DateTimeFormat("en-GB", options).formatToParts(new Date(iso)).forEach(function (part) {
        parts[part.type] = part.value;
      });
      return parts.day + "." + parts.month + "." + parts.year + ", " + parts.hour + ":" + parts.minute;
    } catch (error) {
      return iso.slice(0, 16).replace("T", " ");
    }
  }

  function showOfflineNote() {
    var note = document.getElementById("offline-note");
    if (!note || !cachedAt) { return; }
    note.textContent = note.getAttribute("data-text").replace("{date}", moment(cachedAt));
    note.hidden = false;
  }

  /* What this page loaded from this site: styles, scripts, icons, the manifest, the map data. */
  function referenced() {
    var urls = [];
    document.querySelectorAll("link[href], script[src], img[src]").forEach(function (element) {
      urls.push(element.href || element.src);
    });
    if (window.performance && performance.getEntriesByType) {
      performance.getEntriesByType("resource").forEach(function (entry) { urls.push(entry.name); });
    }
    return urls.filter(function (url) {
      try { return new URL(url).origin === location.origin; } catch (error) { return false; }
    });
  }

  function warm(withPage) {
    if (!registration || !registration.active) { return Promise.resolve(); }
    var worker = registration.active;
    return new Promise(function (resolve) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { resolve(); };
      worker.postMessage({type: "warm", page: withPage ? location.href : null, assets: referenced()},
                         [channel.port2]);
    });
  }

  var ready = Promise.resolve();
  if ("serviceWorker" in navigator) {
    var firstVisit = !navigator.serviceWorker.controller;
    ready = navigator.serviceWorker.register("/sw.js", {scope: "/"})
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function (found) {
        registration = found;
        return warm(firstVisit && !cachedAt);
      })
      .catch(function () {});  // no worker (private mode, old browser): the site works as before
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { warm(false); }  // data the page fetched later
    });
  }

  /* ---------------------------------------------------------------- the queue's list */

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function excerpt(text) {
    return text.length > 200 ? text.slice(0, 200) + "…" : text;
  }

  function item(record, container, allFacilities) {
    var words = container.dataset;
    var li = element("li", "queued-item state-" + record.state);
    li.setAttribute("data-key", record.key);
    var meta = element("p", "queued-meta");
    var label = record.state === "sent" ? words.sent : record.state === "problem" ? words.problem : words.waiting;
    meta.appendChild(element("strong", "queued-state", label));
    if (record.state === "sent") {
      meta.appendChild(document.createTextNode(" "));
      var link = element("a", "tracking-code", record.trackingCode);
      link.href = record.statusUrl;
      meta.appendChild(link);
    }
    meta.appendChild(document.createTextNode(" · " + words.written.replace("{date}", moment(record.createdAt))));
    li.appendChild(meta);
    if (allFacilities && record.pageUrl) {
      var place = element("a", "queued-facility", record.facilityName || record.facilityId);
      place.href = record.pageUrl;
      li.appendChild(element("p")).appendChild(place);
    }
    li.appendChild(element("p", "queued-text", excerpt(record.text)));
    if (record.state === "problem") {
      var problems = element("ul", "field-errors");
      (record.problems || []).forEach(function (text) { problems.appendChild(element("li", null, text)); });
      li.appendChild(problems);
    }
    if (record.state !== "waiting") {
      var remove = element("button", "queued-remove", words.remove);
      remove.type = "button";
      remove.addEventListener("click", function () { queue.remove(record.key).then(render); });
      li.appendChild(remove);
    }
    return li;
  }

  function render() {
    var containers = document.querySelectorAll("[data-feedback-queue]");
    if (!queue || !containers.length) { return Promise.resolve(); }
    return queue.all().then(function (records) {
      containers.forEach(function (container) {
        var facility = container.getAttribute("data-facility");
        var mine = records.filter(function (record) { return !facility || record.facilityId === facility; });
        var list = container.querySelector(".feedback-queue-list");
        list.textContent = "";
        mine.forEach(function (record) { list.appendChild(item(record, container, !facility)); });
        container.hidden = mine.length === 0;
        if (!mine.some(function (record) { return record.state === "waiting"; })) {
          container.querySelector(".queue-saved").hidden = true;  // nothing waits any more
        }
      });
    }).catch(function () {});
  }

  function sendNow() {
    if (!queue || !navigator.onLine) { return Promise.resolve(); }
    return queue.flush().then(render, render);
  }

  /* ---------------------------------------------------------------- the form */

  function facilityName() {
    var heading = document.querySelector("h1");
    var back = document.querySelector(".feedback-form-page > p > a");
    return ((back || heading) && (back || heading).textContent.replace(/^←\s*/, "").trim()) || null;
  }

  function facilityPage(form) {
    var id = form.querySelector('input[name="facility_id"]').value;
    return location.origin + "/facility/" + encodeURI(id);
  }

  function setUpForm(form) {
    var key = form.querySelector('input[name="submission_key"]');
    if (!key || !queue) { return; }
    if (!key.value) { key.value = queue.newKey(); }
    form.addEventListener("submit", function (event) {
      // Online on a live page: posted as usual (the worker queues it if the connection fails).
      if (navigator.onLine && !cachedAt) { return; }
      event.preventDefault();
      var record = queue.fromFormData(new FormData(form), {pageUrl: facilityPage(form), facilityName: facilityName()});
      queue.add(record).then(function () {
        form.reset();
        key.value = queue.newKey();
        return render();
      }).then(function () {
        var container = document.getElementById("feedback-queue");
        if (container) {
          container.querySelector(".queue-saved").hidden = false;
          container.querySelector("h2, h3, h4").focus();
        }
        return queue.askForSync(registration);
      }).then(sendNow, function () {
        form.submit();  // no storage on this phone (private mode): try the network after all
      });
    });
  }

  function start() {
    showOfflineNote();
    document.querySelectorAll("form.feedback-form").forEach(setUpForm);
    render().then(function () {
      if (location.hash === "#feedback-queue") {
        var container = document.getElementById("feedback-queue");
        if (container && !container.hidden) { container.querySelector(".queue-saved").hidden = false; }
      }
    });
    sendNow();
    window.addEventListener("online", sendNow);
    if (typeof BroadcastChannel === "function" && queue) {
      new BroadcastChannel(queue.CHANNEL).onmessage = render;
    }
  }

  window.OBMOffline = {ready: ready, render: render, sendNow: sendNow};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
