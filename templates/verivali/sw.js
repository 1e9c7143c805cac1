{% autoescape off %}// Pandu's service worker (verivali/offline_views.py): keeps the offline surveys' pages and their
// static files so that they open without a connection. It keeps no survey data: that is in
// IndexedDB (static/verivali/offline-store.js). Version {{ version }}.
"use strict";
var CACHE = "pandu-offline-{{ version }}";
var PAGES = {{ pages }};
var ASSETS = {{ assets }};
var FALLBACK = {{ fallback }};

// A page is kept only when it is the page itself (not the login page a lapsed session was sent to).
function keep(cache, url) {
  return fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store" })
    .then(function (response) {
      if (response.ok && response.type === "basic") {
        return cache.put(url, response);
      }
      return undefined;
    })
    .catch(function () { return undefined; });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(PAGES.concat(ASSETS).map(function (url) { return keep(cache, url); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("pandu-offline-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function fromCache(url) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(url, { ignoreSearch: true, ignoreVary: true });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    // The network first (a fresh page, a working session); without it the kept page, and for a
    // page of the app that is not kept, the list of offline surveys.
    var kept = PAGES.indexOf(url.pathname) !== -1;
    event.respondWith(
      fetch(request).then(function (response) {
        if (kept && response.ok && response.type === "basic") {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
          return response;
        }
        if (kept && (response.type === "opaqueredirect" || !response.ok)) {
          // a lapsed session: the phone still shows what it keeps; sending asks to log in
          return fromCache(url.pathname).then(function (cached) { return cached || response; });
        }
        return response;
      }).catch(function () {
        return fromCache(kept ? url.pathname : FALLBACK).then(function (cached) {
          return cached || Response.error();
        });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    // Static files: what is kept at once, refreshed in the background when the network answers.
    event.respondWith(
      fromCache(url.pathname).then(function (cached) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) {
            var copy = response.clone();
            caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
          }
          return response;
        });
        if (cached) {
          fresh.catch(function () { return undefined; });
          return cached;
        }
        return fresh;
      })
    );
  }
});
{% endautoescape %}
