// MigAssist operator console. Everything a user or the summary supplies is untrusted: the DOM is
// built with createElement/textContent only (never innerHTML), and the page runs under a strict CSP.
(function () {
  "use strict";
  var me = null;
  var openEntry = null;        // the chat shown on the right (its detail object)
  var shownLines = {};         // message ids already in the open transcript
  var boardTimer = null;
  var cards = [];              // [{el, queuedAt(ms), entry}] for the live waiting clocks
  var slaLimits = { warning: 60, breach: 180 };
  var retryDelay = 500;
  var LANGS = ["az", "ru", "en"];
  var strings = {};
  var uiLang = localStorage.getItem("migassist.console.lang");
  if (LANGS.indexOf(uiLang) < 0) {
    uiLang = (navigator.language || "az").slice(0, 2).toLowerCase();
    if (LANGS.indexOf(uiLang) < 0) uiLang = "az";
  }
  var connectionKey = "connecting";

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function toast(text) { $("toast").textContent = text || ""; }

  // Translated UI text; {placeholders} are filled after translation (values are plain text).
  function t(key, values) {
    var text = (strings[uiLang] && strings[uiLang][key]) || (strings.en && strings.en[key]) || key;
    return text.replace(/\{(\w+)\}/g, function (all, name) { return values && name in values ? String(values[name]) : all; });
  }
  function applyLanguage() {
    document.documentElement.lang = uiLang;
    $("ui-lang").value = uiLang;
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.dataset.i18n); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) { n.placeholder = t(n.dataset.i18nPlaceholder); });
    $("connection").textContent = t(connectionKey);
    var wrap = $("wrap-up");
    Array.prototype.forEach.call(wrap.options, function (o) { o.textContent = t("wrap_" + o.value); });
  }
  function setConnection(key) {
    connectionKey = key;
    $("connection").textContent = t(key);
    $("connection").classList.toggle("live", key === "live");
  }

  function api(method, path, body) {
    return window.MigAssistStaff.api(me ? me.csrf : "", method, path, body);
  }

  var KNOWN_ERRORS = ["claimed_by_other", "not_your_chat", "not_your_language"];
  function explain(result) {
    if (result.status < 300) return true;
    var code = result.data.error;
    toast(KNOWN_ERRORS.indexOf(code) >= 0 ? t(code) : t("refused", { error: code }));
    return false;
  }

  function minutesSeconds(total) {
    var m = Math.floor(total / 60), s = total % 60;
    return m + ":" + (s < 10 ? "0" : "") + s;
  }
  function sla(seconds) { return seconds >= slaLimits.breach ? "breach" : seconds >= slaLimits.warning ? "warning" : "ok"; }

  function card(entry, claimable) {
    var li = el("li", "card sla-" + entry.sla);
    li.dataset.entry = String(entry.id);
    li.appendChild(el("strong", null, "#" + entry.id + " · " + entry.language + " · " + entry.channel));
    li.appendChild(el("span", "meta", t("reason_" + entry.reason) + (entry.left_message ? " · " + t("left_message") : "") +
      " · " + t("priority", { priority: entry.priority })));
    var clock = el("span", "meta waiting", t("waiting", { time: minutesSeconds(entry.waiting_seconds) }));
    li.appendChild(clock);
    if (claimable) {
      var button = el("button", "claim", t("claim"));
      button.type = "button";
      button.addEventListener("click", function (event) { event.stopPropagation(); claim(entry.id); });
      li.appendChild(button);
      cards.push({ el: li, clock: clock, since: Date.now() - entry.waiting_seconds * 1000 });
    }
    li.addEventListener("click", function () { openChat(entry.id); });
    return li;
  }

  function tickClocks() {
    cards.forEach(function (c) {
      var seconds = Math.floor((Date.now() - c.since) / 1000);
      c.clock.textContent = t("waiting", { time: minutesSeconds(seconds) });
      c.el.className = "card sla-" + sla(seconds);
    });
  }

  function loadBoard() {
    return api("GET", "/console/api/board").then(function (result) {
      var board = result.data;
      slaLimits = board.sla;
      cards = [];
      var queue = $("queue"), mine = $("mine");
      clear(queue); clear(mine);
      board.queue.forEach(function (entry) { queue.appendChild(card(entry, true)); });
      board.mine.forEach(function (entry) { mine.appendChild(card(entry, false)); });
      $("queue-count").textContent = "(" + board.queue.length + ")";
      if (openEntry) refreshOpenStatus(board);
    });
  }
  function scheduleBoard() {
    if (boardTimer) return;
    boardTimer = setTimeout(function () { boardTimer = null; loadBoard(); }, 150);
  }

  function refreshOpenStatus(board) {
    var id = openEntry.id;
    var mine = board.mine.some(function (e) { return e.id === id; });
    var queued = board.queue.some(function (e) { return e.id === id; });
    var status = mine ? "assigned-to-me" : queued ? "queued" : "elsewhere";
    if (status !== openEntry.view) openChat(id);
  }

  function claim(id) {
    api("POST", "/console/api/chats/" + id + "/claim").then(function (result) {
      if (explain(result)) { toast(t("yours", { id: id })); openChat(id); }
      loadBoard();
    });
  }

  function line(message) {
    if (shownLines[message.id]) return;
    shownLines[message.id] = true;
    var li = el("li", "line " + message.author);
    li.appendChild(el("span", "who", t("author_" + message.author) + " · " + new Date(message.at).toLocaleTimeString()));
    li.appendChild(document.createTextNode(message.text));
    var transcript = $("transcript");
    transcript.appendChild(li);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function showSummary(summary) {
    var dl = $("summary");
    clear(dl);
    Object.keys(summary).forEach(function (key) {
      var value = summary[key];
      if (value === null || value === undefined || (Array.isArray(value) && !value.length)) return;
      dl.appendChild(el("dt", null, key.replace(/_/g, " ")));
      var text;
      if (key === "intents" && Array.isArray(value)) {
        text = value.map(function (i) { return i.intent + " (" + Math.round((i.confidence || 0) * 100) + "%)"; }).join(", ");
      } else if (key === "recent_messages" || key === "last_messages") {
        text = value.map(function (m) { return typeof m === "string" ? m : m.author + ": " + m.text; }).join("\n");
      } else if (typeof value === "object") {
        text = Object.keys(value).map(function (k) {
          return Array.isArray(value) ? String(value[k]) : k + ": " + (typeof value[k] === "object" ? JSON.stringify(value[k]) : value[k]);
        }).join("\n");
      } else {
        text = String(value);
      }
      dl.appendChild(el("dd", null, text));
    });
  }

  function showNotes(notes) {
    var ul = $("notes");
    clear(ul);
    notes.forEach(function (n) { ul.appendChild(el("li", null, n.author + ": " + n.text)); });
  }

  function openChat(id) {
    return api("GET", "/console/api/chats/" + id).then(function (result) {
      if (result.status !== 200) { closePanel(); return; }
      var chat = result.data;
      var sameChat = openEntry && openEntry.id === chat.id;
      var owned = chat.status === "assigned" && chat.operator_id === me.id;
      chat.view = owned ? "assigned-to-me" : chat.status === "queued" ? "queued" : "elsewhere";
      openEntry = chat;
      $("chat").hidden = false;
      document.querySelector(".layout").classList.add("chat-open");
      $("chat-title").textContent = "#" + chat.id + " · " + chat.channel + " · " + chat.language + " · " + t("reason_" + chat.reason);
      $("window-warning").hidden = !chat.window_closed;
      document.querySelectorAll(".owned-only").forEach(function (n) { n.hidden = !owned; });
      document.querySelectorAll(".queued-only").forEach(function (n) { n.hidden = chat.view !== "queued"; });
      showSummary(chat.summary);
      showNotes(chat.notes);
      if (!sameChat) { clear($("transcript")); shownLines = {}; clear($("canned")); }
      chat.transcript.forEach(line);
    });
  }

  function closePanel() {
    openEntry = null;
    $("chat").hidden = true;
    document.querySelector(".layout").classList.remove("chat-open");
  }

  function act(action, body, done) {
    if (!openEntry) return;
    var id = openEntry.id;
    api("POST", "/console/api/chats/" + id + "/" + action, body).then(function (result) {
      if (explain(result)) { if (done) done(); toast(""); }
      loadBoard();
      openChat(id);
    });
  }

  function loadOperators() {
    api("GET", "/console/api/operators").then(function (result) {
      var select = $("transfer-operator");
      clear(select);
      result.data.filter(function (o) { return o.id !== me.id; }).forEach(function (o) {
        var option = el("option", null, o.name + " (" + o.languages.join(",") + ", " + t(o.presence) + ")");
        option.value = String(o.id);
        select.appendChild(option);
      });
    });
  }

  function bindForms() {
    $("reply-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("reply-text").value.trim();
      if (text) act("reply", { text: text }, function () { $("reply-text").value = ""; });
    });
    $("note-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = $("note-text").value.trim();
      if (text) act("notes", { text: text }, function () { $("note-text").value = ""; });
    });
    $("canned-form").addEventListener("submit", function (event) {
      event.preventDefault();
      if (!openEntry) return;
      var language = openEntry.user_language || openEntry.language;
      var query = encodeURIComponent($("canned-query").value);
      api("GET", "/console/api/canned?language=" + language + "&q=" + query).then(function (result) {
        var ul = $("canned");
        clear(ul);
        result.data.forEach(function (hit) {
          var li = el("li");
          li.appendChild(el("strong", null, hit.title + " "));
          var insert = el("button", null, t("insert"));
          insert.type = "button";
          insert.addEventListener("click", function () { $("reply-text").value = hit.text; $("reply-text").focus(); });
          li.appendChild(insert);
          ul.appendChild(li);
        });
        if (!result.data.length) ul.appendChild(el("li", null, t("no_matches")));
      });
    });
    $("claim-open").addEventListener("click", function () { if (openEntry) claim(openEntry.id); });
    $("return-bot").addEventListener("click", function () { act("return", {}, closePanel); });
    $("close-chat").addEventListener("click", function () { act("close", { wrap_up: $("wrap-up").value }, closePanel); });
    $("transfer-operator-go").addEventListener("click", function () {
      act("transfer", { operator_id: Number($("transfer-operator").value) }, closePanel);
    });
    $("transfer-language-go").addEventListener("click", function () {
      act("transfer", { language: $("transfer-language").value }, closePanel);
    });
    $("chat-back").addEventListener("click", closePanel);
    $("ui-lang").addEventListener("change", function () {
      uiLang = $("ui-lang").value;
      localStorage.setItem("migassist.console.lang", uiLang);
      applyLanguage();
      loadBoard();
    });
    $("presence").addEventListener("change", function () {
      api("POST", "/console/api/presence", { status: $("presence").value }).then(explain);
    });
  }

  function connect() {
    var ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/console/ws");
    ws.onopen = function () {
      retryDelay = 500;
      setConnection("live");
      loadBoard();
      if (openEntry) openChat(openEntry.id);
    };
    ws.onmessage = function (frame) {
      if (frame.data === "pong") return;
      var event = JSON.parse(frame.data);
      if (event.type === "queue") scheduleBoard();
      else if (event.type === "message" && openEntry && event.conversation_id === openEntry.conversation_id) line(event.message);
      else if (event.type === "note" && openEntry && event.conversation_id === openEntry.conversation_id) openChat(openEntry.id);
    };
    ws.onclose = function () {
      setConnection("reconnecting");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    };
  }

  Promise.all([
    api("GET", "/console/api/me"),
    fetch("/console/strings.json", { credentials: "same-origin" }).then(function (r) { return r.json(); })
  ]).then(function (loaded) {
    var result = loaded[0];
    strings = loaded[1];
    me = result.data;
    $("me").textContent = me.name + " (" + me.languages.join(", ") + ")";
    $("logout-csrf").value = me.csrf;
    $("presence").value = me.presence === "offline" ? "online" : me.presence;
    var wrap = $("wrap-up");
    me.wrap_ups.forEach(function (w) { var o = el("option"); o.value = w; wrap.appendChild(o); });
    applyLanguage();
    bindForms();
    loadOperators();
    connect();
    setInterval(tickClocks, 1000);
  });
})();
