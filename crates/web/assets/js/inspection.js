// SPRInt: saves an inspection's answers as they are given. Each change is written first to
// this device (localStorage), then sent to the server; if the connection is down or the page
// is reloaded before it arrives, the draft is put back on the form and sent again when the
// network returns. The form still works without this script (the "Save answers" button).
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form || !window.fetch) return;
  var url = form.getAttribute("data-autosave");
  var key = "sprint-inspection-" + form.getAttribute("data-inspection");
  var csrfInput = form.querySelector("input[name=csrf]");
  var csrf = csrfInput ? csrfInput.value : "";
  var status = document.getElementById("save-status");
  var msg = function (name) { return form.getAttribute("data-msg-" + name) || ""; };
  var pending = {};
  try { pending = JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { pending = {}; }

  function persist() {
    try {
      if (Object.keys(pending).length) localStorage.setItem(key, JSON.stringify(pending));
      else localStorage.removeItem(key);
    } catch (e) { /* private mode: the server copy is all there is */ }
  }
  function say(text) { if (status) status.textContent = text; }
  function itemEl(id) { return form.querySelector('[data-item="' + id + '"]'); }
  function field(el, name) { return el.querySelector('[name="' + name + "-" + el.getAttribute("data-item") + '"]'); }

  function read(el) {
    var id = el.getAttribute("data-item"), kind = el.getAttribute("data-kind"), value = "";
    if (kind === "yes_no") {
      var c = el.querySelector('input[name="v-' + id + '"]:checked');
      value = c ? c.value : "";
    } else if (kind === "number") {
      var na = field(el, "na");
      value = na && na.checked ? "na" : (field(el, "v") || {}).value || "";
    } else if (kind === "text") {
      value = (field(el, "v") || {}).value || "";
    }
    var note = field(el, "n");
    return { value: value, note: note ? note.value : "", rev: parseInt(el.getAttribute("data-rev") || "0", 10) };
  }

  function apply(el, d) {
    var id = el.getAttribute("data-item"), kind = el.getAttribute("data-kind");
    if (kind === "yes_no") {
      var radios = el.querySelectorAll('input[name="v-' + id + '"]');
      for (var i = 0; i < radios.length; i++) radios[i].checked = radios[i].value === d.value;
    } else if (kind === "number") {
      var na = field(el, "na");
      if (na) na.checked = d.value === "na";
      var v = field(el, "v");
      if (v) v.value = d.value === "na" ? "" : d.value;
    } else if (kind === "text") {
      var t = field(el, "v");
      if (t) t.value = d.value;
    }
    var note = field(el, "n");
    if (note) note.value = d.note;
  }

  function setRev(el, rev) {
    el.setAttribute("data-rev", String(rev));
    var r = field(el, "r");
    if (r) r.value = String(rev);
  }

  function itemMsg(el, text) {
    var p = el.querySelector(".autosave-msg");
    if (p) p.textContent = text;
  }

  var sending = {};
  function send(id) {
    var d = pending[id], el = itemEl(id);
    if (!d || !el || sending[id]) return;
    sending[id] = true;
    say(msg("saving"));
    var body = new URLSearchParams();
    body.set("csrf", csrf); body.set("item", id); body.set("value", d.value);
    body.set("note", d.note); body.set("rev", String(d.rev));
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) { return { r: r, j: j }; });
    }).then(function (x) {
      sending[id] = false;
      var r = x.r, j = x.j;
      if (r.ok) {
        setRev(el, j.rev);
        if (pending[id] === d) delete pending[id];
        else if (pending[id]) pending[id].rev = j.rev;
        persist();
        itemMsg(el, "");
        el.classList.remove("has-error");
        say(Object.keys(pending).length ? msg("saving") : msg("saved"));
        if (pending[id]) send(id);
      } else if (r.status === 409 && typeof j.rev === "number") {
        // Someone else answered meanwhile: keep this answer on screen, show theirs, and let
        // the inspector choose; the next change is sent against their revision.
        setRev(el, j.rev);
        delete pending[id]; persist();
        itemMsg(el, j.message || "");
        el.classList.add("has-error");
        say(j.message || "");
      } else if (r.status === 401 || r.status === 403) {
        say(msg("session"));
      } else if (r.status >= 500 || r.status === 0) {
        say(msg("offline"));
      } else {
        delete pending[id]; persist();
        itemMsg(el, j.message || "");
        el.classList.add("has-error");
        say(j.message || "");
      }
    }).catch(function () {
      sending[id] = false;
      say(msg("offline"));
    });
  }

  function flush() { Object.keys(pending).forEach(send); }

  function changed(e) {
    var el = e.target.closest ? e.target.closest("[data-item]") : null;
    if (!el || e.target.type === "file") return;
    pending[el.getAttribute("data-item")] = read(el);
    persist();
    return el;
  }

  form.addEventListener("change", function (e) {
    var el = changed(e);
    if (el) send(el.getAttribute("data-item"));
  });
  // Typing is kept on the device at once, and sent when the field is left.
  form.addEventListener("input", function (e) { changed(e); });
  form.addEventListener("submit", function (e) {
    // Offline, the answers are already kept on this device and leave with the signal: a
    // plain submit would only end on the browser's offline page.
    if (navigator.onLine === false) {
      e.preventDefault();
      say(msg("offline"));
      return;
    }
    say(msg("saving"));
  });
  window.addEventListener("online", flush);
  setInterval(function () { if (Object.keys(pending).length && navigator.onLine !== false) flush(); }, 15000);

  // A draft from before a reload or a lost connection goes back on the form, then out.
  var restored = 0;
  Object.keys(pending).forEach(function (id) {
    var el = itemEl(id);
    if (!el) { delete pending[id]; return; }
    apply(el, pending[id]);
    restored++;
  });
  persist();
  if (restored) { say(msg("restored")); flush(); }
})();
