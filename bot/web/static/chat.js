// MigAssist web chat: one WebSocket per tab, history re-synced on every (re)connect.
(function () {
  "use strict";
  var LANGS = ["az", "ru", "en"];
  var log = document.getElementById("log");
  var input = document.getElementById("input");
  var form = document.getElementById("composer");
  var statusLine = document.getElementById("status");
  var strings = {};
  var shown = {};          // ids of messages already on screen (history and live replies overlap)
  var pending = {};        // client id -> bubble, until the server acknowledges it
  var ws = null;
  var retryDelay = 500;

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }
  var session = localStorage.getItem("migassist.session");
  if (!session) { session = randomId(); localStorage.setItem("migassist.session", session); }
  var lang = localStorage.getItem("migassist.lang");
  if (LANGS.indexOf(lang) < 0) {
    var nav = (navigator.language || "az").slice(0, 2).toLowerCase();
    lang = LANGS.indexOf(nav) >= 0 ? nav : "az";
  }

  function t(key) { return (strings[lang] && strings[lang][key]) || (strings.en && strings.en[key]) || key; }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.querySelectorAll("[data-i18n]").forEach(function (el) { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) { el.placeholder = t(el.dataset.i18nPlaceholder); });
    document.querySelectorAll("[data-i18n-aria]").forEach(function (el) { el.setAttribute("aria-label", t(el.dataset.i18nAria)); });
    document.querySelectorAll(".lang").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.lang === lang)); });
  }

  function scrollDown() { log.scrollTop = log.scrollHeight; }

  function bubble(cls, text) {
    var div = document.createElement("div");
    div.className = "msg " + cls;
    div.textContent = text;          // never innerHTML: message text is untrusted
    log.appendChild(div);
    return div;
  }

  function disableOldChips() {
    log.querySelectorAll(".chip").forEach(function (c) { c.disabled = true; });
  }

  function showReply(ev, live) {
    if (shown[ev.id]) return;
    shown[ev.id] = true;
    if (ev.text) bubble("bot", ev.text);
    if (ev.buttons && ev.buttons.length) {
      var row = document.createElement("div");
      row.className = "chips";
      ev.buttons.forEach(function (b) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "chip";
        chip.textContent = b.title;
        chip.addEventListener("click", function () { send(b.title, b.payload); });
        row.appendChild(chip);
      });
      log.appendChild(row);
    }
    if (live) scrollDown();
  }

  function setStatus(key) { statusLine.textContent = key ? t(key) : ""; }

  function send(text, payload) {
    text = (text || "").trim();
    if (!text && !payload) return;
    var id = randomId();
    // A payload-only message (language switch, opening menu) shows no bubble: payloads are never shown.
    var b = text ? bubble("user pending", text) : document.createElement("div");
    pending[id] = b;
    disableOldChips();
    scrollDown();
    var frame = { type: "message", id: id, text: text, payload: payload || null, language: lang };
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    else { b.classList.add("failed"); b.title = t("offline"); }
  }

  function connect() {
    var proto = location.protocol === "https:" ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + location.host + "/ws/chat?session=" + encodeURIComponent(session));
    setStatus("connecting");
    ws.onopen = function () { retryDelay = 500; setStatus(""); };
    ws.onmessage = function (e) {
      var ev = JSON.parse(e.data);
      if (ev.type === "history") {
        log.textContent = ""; shown = {};
        ev.messages.forEach(function (m) {
          if (m.type === "user") { if (m.text) bubble("user", m.text); }
          else showReply(m, false);
        });
        var last = log.lastElementChild;
        log.querySelectorAll(".chips").forEach(function (row) { if (row !== last) row.querySelectorAll(".chip").forEach(function (c) { c.disabled = true; }); });
        if (!ev.messages.length) send("", "menu");
        scrollDown();
      } else if (ev.type === "ack") {
        if (pending[ev.id]) { pending[ev.id].classList.remove("pending"); delete pending[ev.id]; }
      } else if (ev.type === "reply") {
        showReply(ev, true);
      } else if (ev.type === "error") {
        var b = ev.id && pending[ev.id];
        if (b) { b.classList.remove("pending"); b.classList.add("failed"); b.title = ev.error; delete pending[ev.id]; }
        setStatus("error");
      }
    };
    ws.onclose = function () {
      setStatus("offline");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    };
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); send(input.value); input.value = ""; input.focus(); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  document.querySelectorAll(".lang").forEach(function (b) {
    b.addEventListener("click", function () {
      if (b.dataset.lang === lang) return;
      lang = b.dataset.lang;
      localStorage.setItem("migassist.lang", lang);
      applyLanguage();
      send("", "lang:" + lang);
    });
  });

  fetch("/webchat/strings.json").then(function (r) { return r.json(); }).then(function (s) {
    strings = s; applyLanguage(); connect();
  }, function () { applyLanguage(); connect(); });
})();
