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

  // The thanks page's last step: the start page takes the thanks page's place in the tab's
  // history (Back cannot return to it), and this tab's storage is left empty for the next student.
  ready(function () {
    var finished = document.querySelector("[data-finished]");
    if (!finished) return;
    finished.addEventListener("click", function (event) {
      event.preventDefault();
      try { window.sessionStorage.clear(); } catch (e) { /* blocked */ }
      window.location.replace(finished.href);
    });
  });

  ready(function () {
    var form = document.getElementById("survey");
    if (!form) return;
    var storeKey = "climate:" + form.getAttribute("data-code");
    var messages = document.getElementById("messages");
    var status = document.getElementById("status");
    var summary = document.getElementById("error-summary");
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
    // "Clear my answer" is there (and takes a tab stop) only once its question has an answer.
    // Made here, once per question, since only the script can clear (and its words would
    // otherwise be sent as many times as there are questions).
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-item]"), function (fs) {
      var radio = fs.querySelector('input[type="radio"]');
      if (!radio) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "clear";
      button.setAttribute("data-clear", radio.name);
      button.hidden = true;
      button.textContent = messages.getAttribute("data-clear");
      fs.appendChild(button);
    });
    function applyClears() {
      Array.prototype.forEach.call(form.querySelectorAll("[data-clear]"), function (button) {
        button.hidden = checked(button.getAttribute("data-clear")) === null;
      });
    }
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

    // Where a keyboard lands in a question: its chosen answer, or else its first.
    function entry(question) {
      return question.querySelector('input[type="radio"]:checked') || question.querySelector('input[type="radio"]');
    }
    function shown(section) {
      return Array.prototype.filter.call(section.querySelectorAll("fieldset[data-item]"), function (q) { return !q.hidden; });
    }

    Array.prototype.forEach.call(form.querySelectorAll("[data-nav]"), function (el) { el.hidden = false; });
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.type === "radio") { state.answers[t.name] = t.value; save(); applySkips(); applyHelp(); applyClears(); }
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
        applyClears();
        // The button has just gone: focus goes back to the question it cleared.
        entry(t.closest("fieldset")).focus();
      }
    });
    form.addEventListener("keydown", function (event) {
      // Enter on an answer never leaves the section and never sends the survey: it takes the
      // focused answer when none is chosen yet, then moves to the next question shown here.
      var t = event.target;
      if (event.key !== "Enter" || t.type !== "radio") return;
      event.preventDefault();
      if (checked(t.name) === null) {
        t.checked = true;
        t.dispatchEvent(new Event("change", { bubbles: true }));
      }
      var section = t.closest("[data-section]");
      var list = shown(section);
      var next = list[list.indexOf(t.closest("fieldset")) + 1];
      if (next) entry(next).focus();
      else (section.querySelector("[data-next]") || document.getElementById("submit")).focus();
    });
    // A link in the error summary shows the section that holds its question, then focuses it.
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#q-"]');
      var question = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!question) return;
      event.preventDefault();
      var index = sections.indexOf(question.closest("[data-section]"));
      if (index >= 0) show(index, false);
      question.setAttribute("tabindex", "-1");
      question.focus();
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-lang]"), function (el) {
      el.addEventListener("click", function (event) {
        event.preventDefault();
        save();
        window.location.href = "?lang=" + encodeURIComponent(el.getAttribute("data-lang"));
      });
    });
    // Start over asks first, in the page; only "Clear all my answers" forgets and starts afresh.
    var startOver = document.querySelector("[data-start-over]");
    if (startOver) {
      var link = startOver.querySelector("[data-start-over-link]");
      var ask = startOver.querySelector("[data-start-over-ask]");
      var confirmPanel = startOver.querySelector("[data-start-over-confirm]");
      var closeConfirm = function () {
        confirmPanel.hidden = true;
        ask.setAttribute("aria-expanded", "false");
        ask.focus();
      };
      link.hidden = true;
      ask.hidden = false;
      ask.addEventListener("click", function () {
        if (!confirmPanel.hidden) { closeConfirm(); return; }
        confirmPanel.hidden = false;
        ask.setAttribute("aria-expanded", "true");
        document.getElementById("start-over-question").focus();
      });
      confirmPanel.addEventListener("keydown", function (event) {
        if (event.key === "Escape") closeConfirm();
      });
      startOver.querySelector("[data-start-over-keep]").addEventListener("click", closeConfirm);
      startOver.querySelector("[data-start-over-clear]").addEventListener("click", function () {
        forget();
        window.location.replace(link.href);
      });
    }

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
    // A refused submit: a message in each question, and a summary at the top that links to
    // them (in page order) and takes focus.
    function markErrors(fields, message) {
      fields = fields || {};
      var list = summary.querySelector("[data-error-list]");
      list.textContent = "";
      Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-item]"), function (fs) {
        Array.prototype.forEach.call(fs.querySelectorAll(".error"), function (e) { e.remove(); });
        fs.removeAttribute("aria-describedby");
        fs.removeAttribute("tabindex");
        var radio = fs.querySelector('input[type="radio"]');
        var problem = radio && Object.prototype.hasOwnProperty.call(fields, radio.name) ? fields[radio.name] : null;
        if (problem === null) return;
        var p = document.createElement("p");
        p.className = "error";
        p.id = "e-" + fs.getAttribute("data-item");
        var mark = document.createElement("span");
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = "⚠";
        p.appendChild(mark);
        p.appendChild(document.createTextNode(" " + problem));
        fs.insertBefore(p, fs.querySelector("legend").nextSibling);
        fs.setAttribute("aria-describedby", p.id);
        fs.setAttribute("tabindex", "-1");
        var item = document.createElement("li");
        var a = document.createElement("a");
        a.href = "#" + fs.id;
        a.textContent = fs.querySelector("legend").textContent;
        item.appendChild(a);
        list.appendChild(item);
      });
      list.hidden = !list.children.length;
      summary.querySelector("[data-error-intro]").textContent = list.children.length ?
        messages.getAttribute("data-invalid") : (message || messages.getAttribute("data-invalid"));
      summary.hidden = false;
      summary.focus();
    }
    function send(attempt) {
      say(attempt ? "offline" : "sending");
      // The page's language goes along, so the server's messages come back in it.
      fetch(form.getAttribute("data-api") + "?lang=" + encodeURIComponent(form.getAttribute("data-locale")), {
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
            // The summary says it and takes focus; the status would only say it twice.
            status.textContent = "";
            markErrors(data.fields, data.message);
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
    applyClears();
    show(Math.min(state.section || 0, sections.length - 1), false);
    // A form the server sent back with problems: its summary has focus (autofocus does it
    // without script).
    if (!summary.hidden) summary.focus();
  });
})();
