/* Feedback written without a connection, kept on the phone until it is sent: exactly once.

   Used by the pages (static/js/offline.js) and by the service worker (static/sw.js, through
   importScripts), so both send the same way. Each message is an IndexedDB record with every
   field, the photo as a Blob and a key made here (submission_key): the server stores the key
   with the item and answers the same tracking code for the same key, so a retry after an
   answer lost on the way never makes a second item. A record leaves the "waiting" state only on
   the server's answer: "sent" (with the tracking code) or "problem" (what to correct); the
   resident's text is never deleted by this script, only by the resident.

   Sending: a fresh CSRF token from /feedback/token (the page the message was written on may be
   days old), then POST /feedback with Accept: application/json. One sender at a time (Web
   Locks where the browser has them; the key makes a second sender harmless anyway). */
(function (scope) {
  "use strict";

  var DB_NAME = "obm-offline", DB_VERSION = 1, STORE = "feedback";
  var SYNC_TAG = "feedback-queue";
  var CHANNEL = "obm-feedback-queue";
  var KEEP_SENT_MS = 30 * 24 * 3600 * 1000;  // sent messages stay listed (with their code) 30 days

  function request(idbRequest) {
    return new Promise(function (resolve, reject) {
      idbRequest.onsuccess = function () { resolve(idbRequest.result); };
      idbRequest.onerror = function () { reject(idbRequest.error); };
    });
  }

  var opened = null;
  function database() {
    if (!opened) {
      var open = scope.indexedDB.open(DB_NAME, DB_VERSION);
      open.onupgradeneeded = function () { open.result.createObjectStore(STORE, {keyPath: "key"}); };
      opened = request(open);
    }
    return opened;
  }

  function withStore(mode, action) {
    return database().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = action(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(result && "result" in result ? result.result : result); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function announce() {
    if (typeof scope.BroadcastChannel === "function") {
      var channel = new scope.BroadcastChannel(CHANNEL);
      channel.postMessage("changed");
      channel.close();
    }
  }

  function newKey() {
    if (scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  /* A record from the form's fields (FormData), as the resident wrote them. */
  function fromFormData(form, details) {
    var fields = [], photo = null;
    form.forEach(function (value, name) {
      if (name === "photo") {
        if (value && value.size) { photo = value; }
      } else if (name !== "csrf_token" && typeof value === "string") {
        fields.push([name, value]);
      }
    });
    var key = form.get("submission_key") || newKey();
    return {
      key: String(key), state: "waiting", createdAt: new Date().toISOString(),
      facilityId: String(form.get("facility_id") || ""), text: String(form.get("text") || ""),
      fields: fields, photo: photo, photoName: photo ? (photo.name || "photo.jpg") : null,
      pageUrl: details && details.pageUrl || null, facilityName: details && details.facilityName || null
    };
  }

  function add(record) {
    return withStore("readwrite", function (store) { store.put(record); }).then(function () {
      announce();
      return record;
    });
  }

  function all() {
    return withStore("readonly", function (store) { return store.getAll(); }).then(function (records) {
      return (records || []).sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : 1; });
    });
  }

  function save(record) {
    return withStore("readwrite", function (store) { store.put(record); }).then(announce);
  }

  function remove(key) {
    return withStore("readwrite", function (store) { store.delete(key); }).then(announce);
  }

  /* Ask to be woken when the connection is back (Background Sync), where the browser can. */
  function askForSync(registration) {
    if (registration && registration.sync && registration.sync.register) {
      return registration.sync.register(SYNC_TAG).catch(function () {});
    }
    return Promise.resolve();
  }

  function RetryLater(reason) { this.reason = reason; }

  function freshToken() {
    return scope.fetch("/feedback/token", {credentials: "same-origin", cache: "no-store",
                                           headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new RetryLater("token " + response.status); }
        return response.json();
      })
      .then(function (body) { return body.csrf_token; });
  }

  /* Send one waiting record; resolves with the record in its new state, or throws RetryLater. */
  function send(record) {
    return freshToken().then(function (token) {
      var form = new FormData();
      record.fields.forEach(function (pair) { form.append(pair[0], pair[1]); });
      form.set("csrf_token", token);
      form.set("submission_key", record.key);
      if (record.photo) { form.append("photo", record.photo, record.photoName || "photo.jpg"); }
      return scope.fetch("/feedback", {method: "POST", body: form, credentials: "same-origin",
                                       headers: {"Accept": "application/json"}});
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) { throw new RetryLater("answer " + response.status); }
      return response.json().then(function (body) {
        if (response.ok && body.tracking_code) {
          record.state = "sent";
          record.trackingCode = body.tracking_code;
          record.statusUrl = body.status_url;
          record.sentAt = new Date().toISOString();
          record.photo = null;  // stored on the server now: free the phone's space
          record.fields = [];
        } else if (body.problems) {
          record.state = "problem";
          record.problems = Object.keys(body.problems).map(function (name) { return body.problems[name]; });
        } else {
          throw new RetryLater("answer " + response.status);  // too many messages (429): later
        }
        return save(record).then(function () { return record; });
      });
    });
  }

  function sendWaiting() {
    return all().then(function (records) {
      var now = Date.now(), chain = Promise.resolve(), sent = 0;
      records.forEach(function (record) {
        if (record.state === "sent" && now - Date.parse(record.sentAt) > KEEP_SENT_MS) {
          chain = chain.then(function () { return remove(record.key); });
        }
        if (record.state !== "waiting") { return; }
        chain = chain.then(function () {
          return send(record).then(function () { sent += 1; });
        });
      });
      return chain.then(function () { return sent; });
    });
  }

  /* Send every waiting record, one after the other; stops at the first network failure and
     resolves false (still waiting), true when nothing is left waiting. */
  function flush() {
    var run = function () {
      return sendWaiting().then(function () { return true; }, function (error) {
        if (error instanceof RetryLater || error instanceof TypeError) { return false; }  // offline, server busy
        throw error;
      });
    };
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request(SYNC_TAG, run) : run();
  }

  scope.FeedbackQueue = {
    SYNC_TAG: SYNC_TAG, CHANNEL: CHANNEL, newKey: newKey, fromFormData: fromFormData,
    add: add, all: all, remove: remove, flush: flush, askForSync: askForSync
  };
})(self);
