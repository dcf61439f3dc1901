// SPRInt on every page, public ones included: the offline banner in the page's language,
// the service worker, and fresh submission keys on each load. Small on purpose: a reader's
// phone downloads it with every public page. The operators' pages add field.js.
(function () {
  "use strict";
  var doc = document;
  // The connection, as the page knows it.
  var banner = doc.getElementById("offline-banner");
  function net() { if (banner) banner.hidden = navigator.onLine !== false; }
  window.addEventListener("online", net);
  window.addEventListener("offline", net);
  net();

  // The service worker keeps assets and the pages the server allows (public pages, empty
  // field forms). A page opened before the worker took over is handed to it once.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register("/sw.js").then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      if (navigator.serviceWorker.controller || !reg.active) return;
      var urls = [location.href];
      doc.querySelectorAll("link[rel=stylesheet][href^='/'], script[src^='/']").forEach(function (el) {
        urls.push(el.href || el.src);
      });
      reg.active.postMessage({ keep: urls });
    }).catch(function () { /* no worker: pages work online as before */ });
  }

  // Every load gets fresh submission keys: a page from the offline cache must not reuse the
  // key of the last time it was filled in.
  function freshKey() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
  }
  if (window.crypto && crypto.getRandomValues) {
    doc.querySelectorAll("input[data-once]").forEach(function (i) { i.value = freshKey(); });
    doc.querySelectorAll("form[data-offline][action*='idem=']").forEach(function (f) {
      f.setAttribute("action", f.getAttribute("action").replace(/idem=[^&]*/, "idem=" + freshKey()));
    });
  }

  window.SPRInt = { freshKey: freshKey };
})();
