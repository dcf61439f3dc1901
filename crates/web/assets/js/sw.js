// SPRInt's service worker. It keeps two things on the device: assets (styles, scripts, fonts,
// icons), and the pages the server marks `x-sprint-offline: keep` (public pages, the empty
// field forms). No other page is ever stored: a page with a person's data is fetched from the
// network or not at all. Everything is deleted at logout (Clear-Site-Data and the page's
// script). Form submissions are not touched here: the page's script queues them.
"use strict";
var ASSETS = "sprint-assets-v2";
var PAGES = "sprint-pages";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("sprint-assets-") === 0 && k !== ASSETS;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

// A kept page is found again whatever "done=…" or submission key its address carried.
function pageKey(url) {
  var u = new URL(url);
  u.searchParams.delete("done");
  u.searchParams.delete("idem");
  u.hash = "";
  return u.toString();
}
// An operator's field form is kept under its bare address (see `shell=` below).
function bareKey(url) {
  var u = new URL(url);
  return u.origin + u.pathname;
}

// `keep`: this page. `shell=<url>`: this page may show a person's data, so the empty form at
// <url> is kept in its place. Anything else: nothing is kept.
function keepPage(req, res) {
  var mode = res.ok ? res.headers.get("x-sprint-offline") || "" : "";
  var url = new URL(req.url);
  if (mode.indexOf("shell=") === 0) {
    var shell = new URL(mode.slice(6), self.location.origin);
    if (shell.origin !== self.location.origin) return Promise.resolve();
    return fetch(shell.toString(), { credentials: "same-origin" }).then(function (r) {
      if (!r.ok || r.headers.get("x-sprint-offline") !== "keep") return null;
      return caches.open(PAGES).then(function (c) { return c.put(bareKey(req.url), r); });
    }).catch(function () {});
  }
  if (mode !== "keep") return Promise.resolve();
  // A "saved" notice belongs to that moment, not to the copy opened later; a booking's
  // confirmation is the reader's own and is kept as it is.
  if (url.searchParams.has("done") && url.pathname.indexOf("/booking/") < 0) return Promise.resolve();
  return caches.open(PAGES).then(function (c) { return c.put(pageKey(req.url), res); });
}

// An asset's name carries a hash of its content (`app.1a2b3c4d5e.css`): a kept copy under
// that name is the right one for ever, so it is used without asking the network; a new
// release brings new names, and the older copies of the same file are dropped.
var HASH = /\.[0-9a-f]{10}(?=\.[a-z0-9]+$)/;

function prune(c, url) {
  var path = new URL(url).pathname;
  if (!HASH.test(path)) return;
  var plain = path.replace(HASH, "");
  c.keys().then(function (keys) {
    keys.forEach(function (k) {
      var p = new URL(k.url).pathname;
      if (p !== path && p.replace(HASH, "") === plain) c.delete(k);
    });
  }).catch(function () {});
}

function asset(req) {
  return caches.open(ASSETS).then(function (c) {
    return c.match(req).then(function (hit) {
      if (hit && HASH.test(new URL(req.url).pathname)) return hit;
      // A plain name: stale while revalidate, the kept copy at once, a fresh one for next time.
      var fresh = fetch(req).then(function (res) {
        if (res.ok) { c.put(req, res.clone()); prune(c, req.url); }
        return res;
      });
      if (hit) { fresh.catch(function () {}); return hit; }
      return fresh;
    });
  });
}

function page(req) {
  return fetch(req).then(function (res) {
    keepPage(req, res.clone());
    return res;
  }).catch(function () {
    return caches.open(PAGES).then(function (c) {
      return c.match(pageKey(req.url)).then(function (hit) { return hit || c.match(bareKey(req.url)); });
    }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/assets/") === 0) { e.respondWith(asset(req)); return; }
  if (req.mode === "navigate") e.respondWith(page(req));
});

// A page opened before this worker took over asks for itself and its assets to be kept.
self.addEventListener("message", function (e) {
  var urls = (e.data && e.data.keep) || [];
  e.waitUntil(Promise.all(urls.map(function (u) {
    var url = new URL(u, self.location.origin);
    if (url.origin !== self.location.origin) return null;
    var req = new Request(url.toString(), { credentials: "same-origin" });
    if (url.pathname.indexOf("/assets/") === 0) return asset(req).catch(function () {});
    return fetch(req).then(function (res) { return keepPage(req, res); }).catch(function () {});
  })));
});
