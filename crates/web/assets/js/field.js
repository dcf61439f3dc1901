// SPRInt in the field (operators' pages, after connection.js): drafts kept as they are typed,
// and a queue for forms sent without a connection. Without this script every form still
// works as a plain form. Drafts and queued forms are encrypted (AES-GCM) with a key that only
// the signed-in user's session can fetch, and everything is wiped at logout, so the next
// user of a shared browser reads nothing of the previous one's.
(function () {
  "use strict";
  var doc = document;
  function meta(n) {
    var m = doc.querySelector('meta[name="' + n + '"]');
    return m ? m.getAttribute("content") || "" : "";
  }
  var tag = meta("sprint-user");
  var csrf = meta("sprint-csrf");
  var ui = doc.getElementById("sprint-field");
  function msg(n) { return ui ? ui.getAttribute("data-msg-" + n) || "" : ""; }

  var freshKey = window.SPRInt && window.SPRInt.freshKey;
  if (!freshKey) return;

  var logout = doc.querySelector("form[action='/logout']");
  function wipeLocal() {
    try {
      Object.keys(localStorage).forEach(function (k) { if (k.indexOf("sprint-") === 0) localStorage.removeItem(k); });
      sessionStorage.clear();
    } catch (e) { /* storage disabled */ }
    var jobs = [];
    if (window.caches) jobs.push(caches.keys().then(function (ks) { return Promise.all(ks.map(function (k) { return caches.delete(k); })); }));
    return Promise.all(jobs);
  }

  if (!tag || !window.crypto || !crypto.subtle || !window.indexedDB) {
    if (logout) logout.addEventListener("submit", function () { wipeLocal(); });
    return;
  }

  // Another user's pages must not open for this one (a session that expired without a
  // logout on a shared browser): their kept pages and key go; their drafts and queue stay
  // sealed under a key this user cannot fetch.
  try {
    var owner = localStorage.getItem("sprint-owner");
    if (owner && owner !== tag) {
      sessionStorage.removeItem("sprint-key");
      if (window.caches) caches.delete("sprint-pages");
    }
    localStorage.setItem("sprint-owner", tag);
  } catch (e) { /* storage disabled */ }

  // --- the user's key and the local database --------------------------------------------
  var keyPromise = null;
  function importKey(b64) {
    var raw = Uint8Array.from(atob(b64), function (c) { return c.charCodeAt(0); });
    return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  }
  function getKey() {
    if (keyPromise) return keyPromise;
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem("sprint-key") || "null"); } catch (e) { kept = null; }
    if (kept && kept.tag === tag) {
      keyPromise = importKey(kept.key);
    } else {
      keyPromise = fetch("/session/draft-key", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error("no key"); return r.json(); })
        .then(function (o) {
          if (o.tag !== tag) throw new Error("not this user's key");
          try { sessionStorage.setItem("sprint-key", JSON.stringify(o)); } catch (e) { /* tab-only */ }
          return importKey(o.key);
        });
      keyPromise.catch(function () { keyPromise = null; });
    }
    return keyPromise;
  }
  var enc = new TextEncoder(), dec = new TextDecoder();
  function seal(key, data) {
    var iv = crypto.getRandomValues(new Uint8Array(12));
    var bytes = typeof data === "string" ? enc.encode(data) : data;
    return crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, key, bytes).then(function (ct) { return { iv: iv, ct: ct }; });
  }
  function unseal(key, box) { return crypto.subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.ct); }
  function unsealText(key, box) { return unseal(key, box).then(function (b) { return dec.decode(b); }); }

  var dbPromise = null;
  function db() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (ok, fail) {
      var r = indexedDB.open("sprint", 1);
      r.onupgradeneeded = function () {
        r.result.createObjectStore("drafts");
        r.result.createObjectStore("queue", { keyPath: "id" });
      };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { fail(r.error); };
    });
    return dbPromise;
  }
  function store(name, mode, fn) {
    return db().then(function (d) {
      return new Promise(function (ok, fail) {
        var tx = d.transaction(name, mode), s = tx.objectStore(name), out;
        var req = fn(s);
        if (req) req.onsuccess = function () { out = req.result; };
        tx.oncomplete = function () { ok(out); };
        tx.onerror = function () { fail(tx.error); };
      });
    });
  }

  // --- forms: what they hold ---------------------------------------------------------------
  function fieldsOf(form, submitter) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "file" || el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.selectedOptions, function (o) { out.push([el.name, o.value]); });
        return;
      }
      out.push([el.name, el.value]);
    });
    if (submitter && submitter.name) out.push([submitter.name, submitter.value]);
    return out;
  }
  function fill(form, pairs) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.type === "button" || el.name === "csrf") return;
      var values = pairs.filter(function (p) { return p[0] === el.name; }).map(function (p) { return p[1]; });
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) >= 0;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
      } else {
        var n = seen[el.name] || 0;
        if (n < values.length) el.value = values[n];
        seen[el.name] = n + 1;
      }
    });
  }
  function filesOf(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.type === "file" && el.name && !el.disabled) {
        Array.prototype.forEach.call(el.files || [], function (f) { out.push({ name: el.name, file: f }); });
      }
    });
    return out;
  }
  function say(form, text, cls) {
    var p = form.querySelector(".offline-note");
    if (!p) {
      p = doc.createElement("p");
      p.className = "offline-note";
      p.setAttribute("role", "status");
      form.insertBefore(p, form.firstChild);
    }
    p.textContent = text;
    p.className = "offline-note " + (cls || "");
  }

  // --- drafts ---------------------------------------------------------------------------------
  function draftId(form) {
    return tag + "|" + location.pathname + "|" + (form.id || form.getAttribute("action"));
  }
  function saveDraft(form) {
    var pairs = fieldsOf(form).filter(function (p) { return p[0] !== "csrf"; });
    return getKey().then(function (key) {
      return seal(key, JSON.stringify({ fields: pairs, at: Date.now() }));
    }).then(function (box) {
      return store("drafts", "readwrite", function (s) { return s.put({ tag: tag, box: box, at: Date.now() }, draftId(form)); });
    }).catch(function () { /* offline without a key yet: kept on screen only */ });
  }
  function dropDraft(form) {
    return store("drafts", "readwrite", function (s) { return s.delete(draftId(form)); }).catch(function () {});
  }
  function restoreDraft(form) {
    return store("drafts", "readonly", function (s) { return s.get(draftId(form)); }).then(function (d) {
      if (!d || d.tag !== tag) return;
      return getKey().then(function (key) { return unsealText(key, d.box); }).then(function (text) {
        var o = JSON.parse(text);
        fill(form, o.fields);
        say(form, msg("draft-restored"), "is-restored");
        var b = doc.createElement("button");
        b.type = "button";
        b.className = "btn btn-link btn-sm draft-discard";
        b.textContent = msg("draft-discard");
        b.addEventListener("click", function () {
          dropDraft(form).then(function () { location.reload(); });
        });
        form.querySelector(".offline-note").appendChild(b);
      });
    }).catch(function () { /* unreadable (another user's, or no key offline): left alone */ });
  }

  // --- the queue ------------------------------------------------------------------------------
  function idemOf(form) {
    var i = form.querySelector("input[name=idem]");
    if (i && i.value) return i.value;
    var m = /[?&]idem=([^&]+)/.exec(form.getAttribute("action") || "");
    return m ? m[1] : freshKey();
  }
  function label(form) {
    return form.getAttribute("data-label") || doc.title.split(" · ")[0];
  }
  function enqueue(form, pairs, files) {
    var multipart = (form.getAttribute("enctype") || "").indexOf("multipart") === 0;
    return getKey().then(function (key) {
      return Promise.all([seal(key, JSON.stringify(pairs))].concat(files.map(function (f) {
        return f.file.arrayBuffer().then(function (b) { return seal(key, b); }).then(function (box) {
          return { name: f.name, filename: f.file.name, type: f.file.type, box: box };
        });
      })));
    }).then(function (all) {
      var item = {
        id: freshKey(), tag: tag, url: form.action, idem: idemOf(form), multipart: multipart,
        fields: all[0], files: all.slice(1), label: label(form), page: location.pathname + location.search,
        status: "queued", message: "", at: Date.now()
      };
      return store("queue", "readwrite", function (s) { return s.put(item); });
    });
  }
  function items() {
    return store("queue", "readonly", function (s) { return s.getAll(); }).then(function (all) {
      return (all || []).filter(function (i) { return i.tag === tag; }).sort(function (a, b) { return a.at - b.at; });
    }).catch(function () { return []; });
  }
  function put(item) { return store("queue", "readwrite", function (s) { return s.put(item); }); }
  function messageOf(html) {
    try {
      var d = new DOMParser().parseFromString(html, "text/html");
      var el = d.querySelector("main [role=alert], main .alert-danger, main .field-error, main h1");
      return el ? el.textContent.trim() : "";
    } catch (e) { return ""; }
  }

  var flushing = false;
  function flush() {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    flushing = true;
    return items().then(function (list) {
      var todo = list.filter(function (i) { return i.status === "queued"; });
      return todo.reduce(function (p, item) { return p.then(function () { return send(item); }); }, Promise.resolve());
    }).then(render, render).then(function () { flushing = false; }, function () { flushing = false; });
  }
  function send(item) {
    return getKey().then(function (key) {
      return unsealText(key, item.fields).then(function (text) {
        var pairs = JSON.parse(text).map(function (p) { return p[0] === "csrf" ? ["csrf", csrf] : p; });
        if (!item.multipart) {
          var u = new URLSearchParams();
          pairs.forEach(function (p) { u.append(p[0], p[1]); });
          return u;
        }
        var fd = new FormData();
        pairs.forEach(function (p) { fd.append(p[0], p[1]); });
        return Promise.all(item.files.map(function (f) {
          return unseal(key, f.box).then(function (b) { fd.append(f.name, new File([b], f.filename, { type: f.type })); });
        })).then(function () { return fd; });
      });
    }).then(function (body) {
      return fetch(item.url, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Idempotency-Key": item.idem, "X-CSRF-Token": csrf, "X-Sprint-Script": "1" }
      });
    }).then(function (res) {
      if (res.ok) {
        return res.json().catch(function () { return {}; }).then(function (j) {
          item.status = "sent"; item.link = j.location || ""; item.fields = null; item.files = []; item.message = "";
          return put(item);
        });
      }
      // Not applied and not refused: the session ended, the server is down, or the same
      // submission is still being handled. It stays queued.
      if (res.status === 401 || res.status === 403 || res.status >= 500 ||
          res.headers.get("x-error-code") === "in_flight") {
        item.message = res.status === 401 || res.status === 403 ? msg("queue-session") : "";
        return put(item);
      }
      return res.text().then(function (html) {
        return getKey().then(function (key) { return seal(key, html); }).then(function (box) {
          item.status = "refused"; item.answer = box; item.message = messageOf(html);
          return put(item);
        });
      });
    }).catch(function () { /* still no connection: stays queued */ });
  }

  function reopen(item) {
    getKey().then(function (key) { return unsealText(key, item.answer); }).then(function (html) {
      return store("queue", "readwrite", function (s) { return s.delete(item.id); }).then(function () {
        history.replaceState(null, "", item.page);
        doc.open();
        doc.write(html);
        doc.close();
      });
    }).catch(function () {});
  }

  function render() {
    if (!ui) return Promise.resolve();
    return items().then(function (list) {
      var dayAgo = Date.now() - 86400000;
      list.filter(function (i) { return i.status === "sent" && i.at < dayAgo; }).forEach(function (i) {
        store("queue", "readwrite", function (s) { return s.delete(i.id); });
      });
      list = list.filter(function (i) { return !(i.status === "sent" && i.at < dayAgo); });
      var ul = ui.querySelector("ul");
      ul.textContent = "";
      list.forEach(function (i) {
        var li = doc.createElement("li");
        li.className = "queue-item is-" + i.status;
        li.setAttribute("data-status", i.status);
        var t = doc.createElement("span");
        t.textContent = i.label + " · " + new Date(i.at).toLocaleTimeString(doc.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) + " · ";
        var st = doc.createElement("strong");
        st.textContent = msg("queue-" + i.status);
        li.appendChild(t); li.appendChild(st);
        if (i.message) {
          var m = doc.createElement("span");
          m.className = "queue-message";
          m.textContent = " " + i.message;
          li.appendChild(m);
        }
        if (i.status === "sent" && i.link) {
          var a = doc.createElement("a");
          a.href = i.link; a.textContent = " " + msg("queue-open"); a.className = "ms-2";
          li.appendChild(a);
        }
        if (i.status === "refused" && i.answer) {
          var b = doc.createElement("button");
          b.type = "button"; b.className = "btn btn-sm btn-outline-primary ms-2"; b.textContent = msg("queue-reopen");
          b.addEventListener("click", function () { reopen(i); });
          li.appendChild(b);
        }
        ul.appendChild(li);
      });
      ui.hidden = list.length === 0;
    });
  }

  // --- wiring ---------------------------------------------------------------------------------
  // The key is fetched while there is a signal, so that a form queued after it is lost, or a
  // reload without it, can still be sealed and opened.
  if (doc.querySelector("form[data-offline], form[data-draft]")) getKey().catch(function () {});
  doc.querySelectorAll("form[data-draft]").forEach(function (form) {
    restoreDraft(form);
    var timer = null;
    var later = function () { clearTimeout(timer); timer = setTimeout(function () { saveDraft(form); }, 250); };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  });

  doc.querySelectorAll("form[data-offline]").forEach(function (form) {
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-native") === "1") return;
      e.preventDefault();
      // A second press while the first is on its way would only meet "still being handled".
      if (form.getAttribute("data-busy") === "1") return;
      form.setAttribute("data-busy", "1");
      var submitter = e.submitter || null;
      var pairs = fieldsOf(form, submitter), files = filesOf(form);
      var multipart = (form.getAttribute("enctype") || "").indexOf("multipart") === 0;
      var body;
      if (multipart) {
        try { body = new FormData(form, submitter); } catch (x) { body = new FormData(form); }
      } else {
        body = new URLSearchParams();
        pairs.forEach(function (p) { body.append(p[0], p[1]); });
      }
      // The answer's page holds what was sent (re-rendered with its messages, or the record
      // it made), so the draft has done its work.
      var native = function () {
        (form.hasAttribute("data-draft") ? dropDraft(form) : Promise.resolve()).then(function () {
          // A plain submit() leaves out the pressed button: carry its name and value.
          if (submitter && submitter.name) {
            var h = doc.createElement("input");
            h.type = "hidden"; h.name = submitter.name; h.value = submitter.value;
            form.appendChild(h);
          }
          form.setAttribute("data-native", "1");
          HTMLFormElement.prototype.submit.call(form);
        });
      };
      var queue = function () {
        return enqueue(form, pairs, files).then(function () {
          return form.hasAttribute("data-draft") ? dropDraft(form) : null;
        }).then(function () {
          Array.prototype.forEach.call(form.elements, function (el) { if (el.type === "file") el.value = ""; });
          if (form.hasAttribute("data-draft")) form.reset();
          doc.querySelectorAll("input[data-once]").forEach(function (i) { if (form.contains(i)) i.value = freshKey(); });
          if (/[?&]idem=/.test(form.getAttribute("action") || "")) {
            form.setAttribute("action", form.getAttribute("action").replace(/idem=[^&]*/, "idem=" + freshKey()));
          }
          say(form, msg("queue-saved-offline"), "is-queued");
          form.removeAttribute("data-busy");
          return render();
        }).catch(function () { native(); });
      };
      if (navigator.onLine === false) { queue(); return; }
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "Idempotency-Key": idemOf(form), "X-Sprint-Script": "1" }
      }).then(function (res) {
        var json = res.ok && (res.headers.get("content-type") || "").indexOf("application/json") === 0;
        if (json) {
          // Sent: the server names the page that shows what was made; it is opened once.
          return res.json().then(function (j) {
            return (form.hasAttribute("data-draft") ? dropDraft(form) : Promise.resolve()).then(function () {
              location.assign(j.location || location.href);
            });
          }, native);
        }
        // Any other answer is shown as the browser would show it: the same key comes with
        // the form again, so an answer already recorded is replayed, a refusal handled anew.
        native();
      }, queue);
    });
  });

  window.addEventListener("online", flush);
  setInterval(function () { if (navigator.onLine !== false) flush(); }, 20000);
  render().then(flush);

  if (logout) {
    logout.addEventListener("submit", function (e) {
      if (logout.getAttribute("data-go") === "1") return;
      e.preventDefault();
      items().then(function (list) {
        var unsent = list.filter(function (i) { return i.status !== "sent"; }).length;
        if (unsent && !window.confirm(msg("logout-unsent"))) return;
        return db().then(function (d) { d.close(); dbPromise = null; }).catch(function () {}).then(function () {
          return new Promise(function (ok) {
            var r = indexedDB.deleteDatabase("sprint");
            r.onsuccess = r.onerror = r.onblocked = function () { ok(); };
          });
        }).then(wipeLocal).then(function () {
          logout.setAttribute("data-go", "1");
          HTMLFormElement.prototype.submit.call(logout);
        });
      });
    });
  }
})();
