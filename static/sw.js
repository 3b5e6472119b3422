/* Open Budget Map's service worker, served as /sw.js (scope: the whole site) by
   explore/web/installable.py, which puts `const SHELL = {queue: ...}` before this text.

   What stays available without a connection:
   - the app shell: the styles, scripts, fonts and icons the pages load (whatever their
     content-hashed names: they are kept as pages request them, and each page also tells this
     worker what it references, see static/js/offline.js), stale-while-revalidate;
   - the map data (/map/*.json), stale-while-revalidate;
   - the pages a resident has seen (the map, facility and district pages, the tracking-code
     form), at most LIMIT.pages, the oldest seen dropped first. A page is asked from the network
     first, so a resident online always sees the current figures and feedback; without an answer
     (offline, or nothing after NETWORK_TIMEOUT_MS on a bad line) the kept copy is shown. Kept
     copies carry data-cached-at="<UTC time>" on <html>, from which the page shows
     "Offline — data of <date>" (static/js/offline.js).
   - feedback posted while the connection fails on the way goes into the phone's queue
     (static/js/feedback_queue.js) and the resident is taken back to the facility page, where it
     is listed as waiting; the queue is sent on Background Sync's `sync` event where the
     browser has it, otherwise by the next page that opens (and on its `online` event).

   Cache names carry VERSION: a worker with a new VERSION deletes the older caches on activate. */
/* global SHELL, FeedbackQueue */
"use strict";

importScripts(SHELL.queue);

var VERSION = "v1";
var CACHE = {shell: "obm-shell-" + VERSION, data: "obm-data-" + VERSION, pages: "obm-pages-" + VERSION};
var LIMIT = {shell: 80, data: 40, pages: 50};
var NETWORK_TIMEOUT_MS = 4000;

function isPage(url) {
  var path = url.pathname;
  return path === "/" || path === "/feedback" || path.indexOf("/facility/") === 0 || path.indexOf("/district/") === 0;
}

function isShell(url) {
  return url.pathname.indexOf("/static/") === 0 || url.pathname === "/manifest.webmanifest";
}

function isData(url) {
  return url.pathname.indexOf("/map/") === 0 && /\.json$/.test(url.pathname);
}

function storable(response) {
  return response && response.ok && response.type === "basic" && !response.redirected &&
    !/no-store/.test(response.headers.get("Cache-Control") || "");
}

/* Keep at most `limit` entries: Cache keys come in the order they were put, oldest first. */
function trim(cache, limit) {
  return cache.keys().then(function (keys) {
    var extra = keys.slice(0, Math.max(0, keys.length - limit));
    return Promise.all(extra.map(function (key) { return cache.delete(key); }));
  });
}

function put(cacheName, request, response) {
  return caches.open(cacheName).then(function (cache) {
    return cache.delete(request, {ignoreVary: true})  // re-put at the end: trim drops the least recent
      .then(function () { return cache.put(request, response); })
      .then(function () { return trim(cache, LIMIT[cacheName.split("-")[1]]); });
  }).catch(function () {});  // a full disk must never break the page
}

/* A page's copy with the moment it was kept, as data-cached-at on <html>. */
function keepPage(url, response) {
  return response.text().then(function (html) {
    var stamped = html.replace(/<html\b/i, '<html data-cached-at="' + new Date().toISOString() + '"');
    var headers = new Headers(response.headers);
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    headers.delete("ETag");
    return put(CACHE.pages, url, new Response(stamped, {status: 200, headers: headers}));
  });
}

function fromNetworkFirst(event, url) {
  var key = url.origin + url.pathname + url.search;
  var network = fetch(event.request).then(function (response) {
    if (storable(response) && /text\/html/.test(response.headers.get("Content-Type") || "")) {
      event.waitUntil(keepPage(key, response.clone()));
    }
    return response;
  });
  return new Promise(function (resolve, reject) {
    var settled = false;
    function fallback(error) {
      caches.open(CACHE.pages).then(function (cache) { return cache.match(key, {ignoreVary: true}); })
        .then(function (kept) {
          if (kept) { settled = true; resolve(kept); } else if (error) { reject(error); }
        });
    }
    var timer = setTimeout(function () { if (!settled) { fallback(null); } }, NETWORK_TIMEOUT_MS);
    network.then(function (response) {
      clearTimeout(timer);
      if (!settled) { settled = true; resolve(response); }
    }, function (error) {
      clearTimeout(timer);
      if (!settled) { fallback(error); }
    });
  });
}

function staleWhileRevalidate(event, cacheName) {
  var request = event.request;
  var network = fetch(request).then(function (response) {
    if (storable(response)) { event.waitUntil(put(cacheName, request, response.clone())); }
    return response;
  });
  return caches.open(cacheName).then(function (cache) { return cache.match(request); }).then(function (kept) {
    if (kept) {
      event.waitUntil(network.catch(function () {}));
      return kept;
    }
    return network;
  });
}

/* A feedback form posted by the browser: to the server; if the connection fails on the way,
   into the queue, and back to the facility page, which lists it as waiting. */
function postFeedback(event) {
  var copy = event.request.clone();
  return fetch(event.request).catch(function () {
    return copy.formData().then(function (form) {
      var record = FeedbackQueue.fromFormData(form, {pageUrl: event.request.referrer});
      return FeedbackQueue.add(record).then(function () {
        return FeedbackQueue.askForSync(self.registration);
      }).then(function () {
        var back = event.request.referrer;
        if (!back || new URL(back).origin !== self.location.origin) {
          back = "/facility/" + encodeURI(record.facilityId);
        }
        return Response.redirect(back.split("#")[0] + "#feedback-queue", 303);
      });
    });
  });
}

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  var current = Object.keys(CACHE).map(function (name) { return CACHE[name]; });
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("obm-") === 0 && current.indexOf(name) === -1;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === "/feedback" && request.mode === "navigate") {
    event.respondWith(postFeedback(event));
    return;
  }
  if (request.method !== "GET") { return; }
  if (request.mode === "navigate") {
    if (isPage(url)) { event.respondWith(fromNetworkFirst(event, url)); }
  } else if (isShell(url)) {
    event.respondWith(staleWhileRevalidate(event, CACHE.shell));
  } else if (isData(url)) {
    event.respondWith(staleWhileRevalidate(event, CACHE.data));
  }
});

/* A page tells what it is and what it loaded (its first visit came before this worker ran). */
function warm(message) {
  var work = [];
  (message.assets || []).forEach(function (address) {
    var url = new URL(address, self.location.origin);
    var name = isShell(url) ? CACHE.shell : isData(url) ? CACHE.data : null;
    if (url.origin !== self.location.origin || !name) { return; }
    work.push(caches.open(name).then(function (cache) { return cache.match(url.href); }).then(function (kept) {
      if (kept) { return null; }
      return fetch(url.href, {credentials: "same-origin"}).then(function (response) {
        return storable(response) ? put(name, url.href, response) : null;
      });
    }).catch(function () {}));
  });
  if (message.page) {
    var page = new URL(message.page, self.location.origin);
    var key = page.origin + page.pathname + page.search;
    if (page.origin === self.location.origin && isPage(page)) {
      work.push(caches.open(CACHE.pages).then(function (cache) { return cache.match(key, {ignoreVary: true}); })
        .then(function (kept) {
          if (kept) { return null; }
          return fetch(key, {credentials: "same-origin"}).then(function (response) {
            return storable(response) ? keepPage(key, response) : null;
          });
        }).catch(function () {}));
    }
  }
  return Promise.all(work);
}

self.addEventListener("message", function (event) {
  var message = event.data || {};
  if (message.type === "warm") {
    event.waitUntil(warm(message).then(function () {
      if (event.ports && event.ports[0]) { event.ports[0].postMessage("warmed"); }
    }));
  } else if (message.type === "send-queue") {
    event.waitUntil(FeedbackQueue.flush());
  }
});

self.addEventListener("sync", function (event) {
  if (event.tag === FeedbackQueue.SYNC_TAG) {
    event.waitUntil(FeedbackQueue.flush().then(function (done) {
      if (!done) { throw new Error("still waiting"); }  // the browser tries the sync again later
    }));
  }
});
