// Clearway portal behaviour, loaded from the package (no inline scripts: the CSP forbids them).
// 1. The idle warning: two minutes before the session's idle limit, a dialog offers to stay
//    signed in; at the limit the page goes to the sign-in page (the server has signed out).
// 2. Drafts: a form with data-draft-key keeps what was typed in this browser's storage, so a
//    time-out, a closed tab or a crash loses nothing; it is restored on the next visit and
//    cleared once the form is sent and accepted.
(function () {
  "use strict";
  var body = document.body;

  // --- idle warning ------------------------------------------------------------------------
  if (body.dataset.signedIn) {
    var idleSeconds = parseInt(body.dataset.idleSeconds || "1200", 10);
    var warnBefore = Math.min(120, Math.floor(idleSeconds / 2));
    var dialog = document.getElementById("idle-warning");
    var countdown = document.getElementById("idle-countdown");
    var lastActive = Date.now();
    var csrf = JSON.parse(body.getAttribute("hx-headers") || "{}");

    var touch = function () { lastActive = Date.now(); };
    document.addEventListener("htmx:afterRequest", function (event) {
      var headers = (event.detail.requestConfig || {}).headers || {};
      if (!headers["X-Clearway-Background"]) { touch(); }
    });
    document.getElementById("idle-stay").addEventListener("click", function () {
      fetch("/session/keepalive", { method: "POST", headers: csrf, credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 204) { touch(); } else { window.location.assign("/login?reason=idle"); }
        });
    });
    window.setInterval(function () {
      var left = idleSeconds - (Date.now() - lastActive) / 1000;
      if (left <= 0) {
        var here = window.location.pathname + window.location.search;
        window.location.assign("/login?reason=idle&next=" + encodeURIComponent(here));
      } else if (left <= warnBefore) {
        var minutes = Math.floor(left / 60), seconds = Math.floor(left % 60);
        countdown.textContent = minutes + " min " + (seconds < 10 ? "0" : "") + seconds + " s";
        if (!dialog.open) { dialog.showModal(); }
      } else if (dialog.open) {
        dialog.close();
      }
    }, 1000);
  }

  // --- drafts ------------------------------------------------------------------------------
  var storageKey = function (form) { return "clearway-draft:" + form.dataset.draftKey; };
  var fields = function (form) {
    return Array.prototype.filter.call(form.elements, function (element) {
      return element.name && element.name !== "csrf_token" && element.type !== "file" &&
        element.type !== "hidden" && element.type !== "submit";
    });
  };
  var save = function (form) {
    var values = {};
    fields(form).forEach(function (element) {
      values[element.name] = element.type === "checkbox" ? element.checked : element.value;
    });
    try {
      window.localStorage.setItem(storageKey(form), JSON.stringify({ saved: Date.now(), values: values }));
    } catch (error) { /* storage full or off: the server keeps what was sent */ }
  };
  var restore = function (form) {
    var stored = null;
    try { stored = JSON.parse(window.localStorage.getItem(storageKey(form)) || "null"); } catch (error) { stored = null; }
    if (!stored || form.dataset.draftFresh === "0") { return; }
    fields(form).forEach(function (element) {
      if (!(element.name in stored.values)) { return; }
      if (element.type === "checkbox") { element.checked = stored.values[element.name]; }
      else { element.value = stored.values[element.name]; }
    });
    var note = form.querySelector(".draft-note");
    if (note) {
      note.hidden = false;
      note.textContent = "Draft restored from " + new Date(stored.saved).toLocaleString() + ".";
    }
  };
  var setUp = function (root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-draft-key]"), function (form) {
      if (form.dataset.draftReady) { return; }
      form.dataset.draftReady = "1";
      if (form.dataset.draftClear === "1") {
        window.localStorage.removeItem(storageKey(form));
      } else {
        restore(form);
      }
      form.addEventListener("input", function () { save(form); });
      form.addEventListener("change", function () { save(form); });
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-clear-draft]"), function (marker) {
      window.localStorage.removeItem("clearway-draft:" + marker.dataset.clearDraft);
    });
  };
  window.clearwayDrafts = { setUp: setUp, save: save };
  setUp(document);
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
