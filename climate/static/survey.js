/* The survey page: one section at a time, answers kept in sessionStorage, a retried JSON submit.
   Without this script the same form works as one long page. Never localStorage: the
   Chromebook is shared. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  var RECEIPT = "climate:receipt";

  // The thanks page: show a receipt the survey page left in this tab, once.
  ready(function () {
    var slot = document.getElementById("receipt-number");
    if (!slot || slot.textContent) return;
    var kept = null;
    try {
      kept = window.sessionStorage.getItem(RECEIPT);
      window.sessionStorage.removeItem(RECEIPT);
    } catch (e) { /* blocked */ }
    if (kept) {
      slot.textContent = kept;
      document.getElementById("receipt").hidden = false;
    }
  });

  ready(function () {
    var form = document.getElementById("survey");
    if (!form) return;
    var storeKey = "climate:" + form.getAttribute("data-code");
    var messages = document.getElementById("messages");
    var status = document.getElementById("status");
    var sections = Array.prototype.slice.call(form.querySelectorAll("[data-section]"));
    var keyInput = form.querySelector("[data-key]");
    var state = load();
    var current = 0;
    var sending = false;

    function load() {
      try {
        var saved = JSON.parse(window.sessionStorage.getItem(storeKey) || "null");
        if (saved && typeof saved === "object") return saved;
      } catch (e) { /* storage blocked or damaged: start fresh */ }
      return { answers: {}, key: null, section: 0 };
    }
    function save() {
      try { window.sessionStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* full or blocked */ }
    }
    function forget() {
      try { window.sessionStorage.removeItem(storeKey); } catch (e) { /* blocked */ }
    }
    function say(name) { status.textContent = messages.getAttribute("data-" + name) || ""; }

    // Restore: answers the server carried win only when nothing was saved on this device.
    if (state.key) keyInput.value = state.key; else state.key = keyInput.value;
    var names = Object.keys(state.answers);
    if (names.length) {
      names.forEach(function (name) {
        var radios = form.querySelectorAll('input[type="radio"][name="' + CSS.escape(name) + '"]');
        Array.prototype.forEach.call(radios, function (r) { r.checked = r.value === String(state.answers[name]); });
      });
    } else {
      Array.prototype.forEach.call(form.querySelectorAll('input[type="radio"]:checked'), function (r) {
        state.answers[r.name] = r.value;
      });
    }
    save();

    function checked(name) {
      var r = form.querySelector('input[type="radio"][name="' + CSS.escape(name) + '"]:checked');
      return r ? r.value : null;
    }
    function applySkips() {
      // Rules can chain, so repeat until nothing changes.
      for (var pass = 0; pass < 5; pass++) {
        var changed = false;
        Array.prototype.forEach.call(form.querySelectorAll("[data-show-if]"), function (fs) {
          var parent = document.getElementById("q-" + fs.getAttribute("data-show-if"));
          var values = fs.getAttribute("data-show-values").split(",");
          var show = parent && !parent.hidden && values.indexOf(checked("answers." + fs.getAttribute("data-show-if"))) >= 0;
          if (fs.hidden === !!show) { fs.hidden = !show; changed = true; }
        });
        if (!changed) break;
      }
    }
    // Help after a hard question: shown only while its answer is not the first one, and only
    // here on the page; nothing about it is kept or sent.
    function applyHelp() {
      Array.prototype.forEach.call(form.querySelectorAll("[data-help-for]"), function (panel) {
        var question = document.getElementById("q-" + panel.id.slice("help-".length));
        var value = checked(panel.getAttribute("data-help-for"));
        panel.hidden = !(value !== null && value !== panel.getAttribute("data-help-unless") &&
          question && !question.hidden);
      });
    }
    function show(index, focus) {
      current = Math.max(0, Math.min(index, sections.length - 1));
      sections.forEach(function (s, i) {
        if (i === current) s.removeAttribute("data-hidden"); else s.setAttribute("data-hidden", "");
      });
      state.section = current;
      save();
      if (focus) {
        var heading = sections[current].querySelector("h2");
        heading.setAttribute("tabindex", "-1");
        heading.focus();
        window.scrollTo(0, 0);
      }
    }

    Array.prototype.forEach.call(form.querySelectorAll("[data-nav], .clear"), function (el) { el.hidden = false; });
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.type === "radio") { state.answers[t.name] = t.value; save(); applySkips(); applyHelp(); }
    });
    form.addEventListener("click", function (event) {
      var t = event.target.closest("button");
      if (!t) return;
      if (t.hasAttribute("data-next")) { event.preventDefault(); show(current + 1, true); }
      else if (t.hasAttribute("data-back")) { event.preventDefault(); show(current - 1, true); }
      else if (t.hasAttribute("data-clear")) {
        var name = t.getAttribute("data-clear");
        Array.prototype.forEach.call(form.querySelectorAll('input[name="' + CSS.escape(name) + '"]'), function (r) { r.checked = false; });
        delete state.answers[name];
        save();
        applySkips();
        applyHelp();
      }
    });
    form.addEventListener("keydown", function (event) {
      // Enter on an answer moves on instead of sending the survey early.
      if (event.key === "Enter" && event.target.type === "radio" && current < sections.length - 1) {
        event.preventDefault();
        show(current + 1, true);
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (el) {
      el.addEventListener("click", function (event) {
        event.preventDefault();
        save();
        window.location.href = "?lang=" + encodeURIComponent(el.getAttribute("data-lang"));
      });
    });
    var startOver = document.querySelector("[data-start-over]");
    if (startOver) startOver.addEventListener("click", function () { forget(); });

    function collect() {
      var body = {
        code: form.getAttribute("data-code"),
        locale: form.getAttribute("data-locale"),
        idempotency_key: state.key,
        answers: {},
        demographics: {}
      };
      Array.prototype.forEach.call(form.querySelectorAll('input[type="radio"]:checked'), function (r) {
        var fs = r.closest("fieldset");
        if (fs && fs.hidden) return;
        var parts = r.name.split(".");
        body[parts[0]][parts.slice(1).join(".")] = parseInt(r.value, 10);
      });
      return body;
    }
    function markErrors(fields) {
      Array.prototype.forEach.call(form.querySelectorAll(".js-error"), function (e) { e.remove(); });
      Object.keys(fields || {}).forEach(function (path) {
        var fs = document.getElementById("q-" + path.split(".").slice(1).join("."));
        if (!fs) return;
        var p = document.createElement("p");
        p.className = "error js-error";
        p.textContent = "⚠ " + fields[path];
        fs.insertBefore(p, fs.firstElementChild.nextSibling);
      });
    }
    function send(attempt) {
      say(attempt ? "offline" : "sending");
      fetch(form.getAttribute("data-api"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify(collect()),
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.status === 200 || response.status === 201) {
            forget();
            // The receipt goes to the thanks page in this tab's storage, never in an address,
            // and the survey page is replaced in the tab's history.
            try { window.sessionStorage.setItem(RECEIPT, String(data.receipt || "")); } catch (e) { /* blocked */ }
            window.location.replace(form.getAttribute("data-thanks") + "?lang=" +
              encodeURIComponent(form.getAttribute("data-locale")));
          } else if (response.status === 422) {
            sending = false;
            say("invalid");
            markErrors(data.fields);
          } else if (response.status >= 500 || response.status === 429 || response.status === 408) {
            retry(attempt);
          } else {
            sending = false;
            status.textContent = data.message || messages.getAttribute("data-failed");
          }
        });
      }, function () { retry(attempt); });
    }
    function retry(attempt) {
      say("offline");
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt)) * (0.75 + Math.random() / 2);
      window.setTimeout(function () { send(attempt + 1); }, delay);
    }
    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.name === "switch_lang") return;
      event.preventDefault();
      if (sending) return;
      sending = true;
      send(0);
    });
    window.addEventListener("online", function () { if (sending) say("sending"); });

    applySkips();
    applyHelp();
    show(Math.min(state.section || 0, sections.length - 1), false);
  });
})();
