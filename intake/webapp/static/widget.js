/*
 * The clinic's chat widget: one script tag on any page, talking to Rasa's socket.io channel.
 *
 *   <script src="https://WEB-APP/static/widget.js" data-rasa-url="https://RASA-HOST" defer></script>
 *
 * Options (data- attributes of that tag): data-rasa-url (required), data-title (header text).
 * The socket.io client and the stylesheet come from the same place as this file, never from a
 * third party. Message text is only ever set with textContent: no text from either side is
 * parsed as HTML. Links are made only for tel:, sms: and https: (and http: on this page's own
 * host, for the web app's calendar links during development).
 */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || !script.dataset.rasaUrl) {
    if (window.console) console.error("chat widget: the script tag needs data-rasa-url");
    return;
  }
  var RASA_URL = script.dataset.rasaUrl.replace(/\/+$/, "");
  var TITLE = script.dataset.title || "Intake assistant";
  var BASE = script.src.replace(/[^/]*$/, "");
  // Same as session_expiration_time in domain.yml: after an hour without a message Rasa starts
  // a new session, so the widget forgets its copy of the conversation too (shared computers).
  var IDLE_LIMIT_MS = 60 * 60 * 1000;
  var STORE_KEY = "clinic-chat:" + RASA_URL;
  var REPLY_WAIT_MS = 30000;

  // ---- stored state: session id and the transcript, in localStorage ---------------------------
  // The session id is issued (and signed) by the server in its session_confirm; null until then.
  function newState() {
    return { sessionId: null, lastActive: Date.now(), open: false, entries: [] };
  }
  function loadState() {
    try {
      var saved = JSON.parse(window.localStorage.getItem(STORE_KEY));
      if (saved && (saved.sessionId === null || typeof saved.sessionId === "string") && Array.isArray(saved.entries) &&
          Date.now() - saved.lastActive < IDLE_LIMIT_MS) {
        return saved;
      }
    } catch (e) { /* unreadable or blocked storage: start fresh */ }
    forgetStored();  // an expired conversation leaves nothing behind on a shared computer
    return newState();
  }
  function forgetStored() {
    try { window.localStorage.removeItem(STORE_KEY); } catch (e) { /* blocked storage */ }
  }
  function saveState() {
    try { window.localStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  var state = loadState();

  // ---- small DOM helpers ----------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function link(href, text, label) {
    var a = el("a", "", text);
    a.href = href;
    if (label) a.setAttribute("aria-label", label);
    if (/^https?:/.test(href)) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }
  /** The URL itself when it may become a link, else null (javascript:, data:, other hosts' http:). */
  function safeHref(value) {
    if (typeof value !== "string") return null;
    if (/^(tel|sms):\+?[0-9][0-9 ()*#.-]{0,30}$/.test(value)) return value;
    try {
      var url = new URL(value);
      if (url.protocol === "https:" || (url.protocol === "http:" && url.hostname === location.hostname)) {
        return url.href;
      }
    } catch (e) { /* not a URL */ }
    return null;
  }

  // ---- the widget's elements ------------------------------------------------------------------
  var root = el("div", "ciw");
  var launcher = el("button", "ciw-launcher", "Chat with us");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "ciw-panel");
  var miniCrisis = crisisBar("ciw-crisis ciw-crisis--mini");

  var panel = el("section", "ciw-panel");
  panel.id = "ciw-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-modal", "false");
  panel.setAttribute("aria-labelledby", "ciw-title");
  panel.hidden = true;

  var header = el("div", "ciw-header");
  var title = el("h2", "ciw-title", TITLE);
  title.id = "ciw-title";
  var status = el("p", "ciw-status", "Not connected");
  status.setAttribute("role", "status");
  var restart = el("button", "ciw-restart", "Start over");
  restart.type = "button";
  restart.title = "Clear this conversation from this browser and start a new one";
  var close = el("button", "ciw-close", "\u00d7");
  close.type = "button";
  close.setAttribute("aria-label", "Close chat");
  var headerText = el("div", "ciw-header-text");
  headerText.append(title, status);
  header.append(headerText, restart, close);

  var note = el("p", "ciw-note", "Automated assistant, not a clinician. Not for emergencies.");
  var log = el("ol", "ciw-log");
  log.setAttribute("aria-label", "Conversation");
  var typing = el("p", "ciw-typing", "The assistant is typing\u2026");
  typing.hidden = true;

  var form = el("form", "ciw-form");
  var inputLabel = el("label", "ciw-visually-hidden", "Your message");
  inputLabel.htmlFor = "ciw-input";
  var input = el("input", "ciw-input");
  input.id = "ciw-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 2000;
  input.placeholder = "Type your message";
  var send = el("button", "ciw-send", "Send");
  send.type = "submit";
  form.append(inputLabel, input, send);

  panel.append(header, crisisBar("ciw-crisis"), note, log, typing, form);
  root.append(panel, miniCrisis, launcher);

  /** "In crisis? Call or text 988 · Emergency: 911", always on screen, with tap-to-call links. */
  function crisisBar(className) {
    var bar = el("p", className);
    bar.append("In crisis? ", link("tel:988", "Call", "Call 988"), " or ",
      link("sms:988", "text", "Text 988"), " 988 \u00b7 Emergency: ", link("tel:911", "911", "Call 911"));
    return bar;
  }

  // ---- rendering messages ---------------------------------------------------------------------
  /** Text with line breaks kept (CSS pre-line) and allowed URLs turned into links. */
  function appendText(parent, text) {
    var pattern = /https?:\/\/[^\s<>"]+/g;
    var last = 0, match;
    while ((match = pattern.exec(text)) !== null) {
      var url = match[0].replace(/[.,;:!?)]+$/, "");
      var href = safeHref(url);
      parent.append(text.slice(last, match.index));
      parent.append(href ? link(href, url) : url);
      last = match.index + url.length;
    }
    parent.append(text.slice(last));
  }

  function renderEntry(entry) {
    var item = el("li", "ciw-msg ciw-msg--" + entry.from);
    var who = el("span", "ciw-visually-hidden", entry.from === "user" ? "You: " : "Assistant: ");
    var bubble = el("p", "ciw-bubble");
    bubble.append(who);
    appendText(bubble, entry.text || "");
    if (entry.text) item.append(bubble);
    if (entry.file && safeHref(entry.file.url)) {
      item.append(link(safeHref(entry.file.url), "Download " + (entry.file.name || "file"), undefined));
      item.lastChild.className = "ciw-file";
    }
    if (entry.buttons && entry.buttons.length) item.append(renderButtons(entry));
    return item;
  }

  function renderButtons(entry) {
    var group = el("div", "ciw-buttons");
    entry.buttons.forEach(function (button) {
      var href = safeHref(button.payload);   // tel:, sms: and https: payloads are links, not messages
      if (href) {
        var a = link(href, button.title);
        a.className = "ciw-button ciw-button--link";
        group.append(a);
        return;
      }
      var choice = el("button", "ciw-button", button.title);
      choice.type = "button";
      choice.disabled = Boolean(entry.answered);
      choice.addEventListener("click", function () {
        submitUserMessage(button.payload, button.title);
        input.focus();   // the pressed button is now disabled; keep keyboard focus in the chat
      });
      group.append(choice);
    });
    return group;
  }

  function addEntry(entry) {
    state.entries.push(entry);
    state.lastActive = Date.now();
    saveState();
    log.append(renderEntry(entry));
    log.scrollTop = log.scrollHeight;
  }

  /** Once the person has answered, older choice buttons no longer apply (links stay usable). */
  function markButtonsAnswered() {
    state.entries.forEach(function (entry) { if (entry.buttons) entry.answered = true; });
    var old = log.querySelectorAll("button.ciw-button");
    for (var i = 0; i < old.length; i++) old[i].disabled = true;
  }

  /** What Rasa's socketio channel sends: text, quick_replies (buttons), attachments. */
  function fromBot(message) {
    if (!message || typeof message !== "object") return;
    var replies = message.quick_replies || message.buttons;
    if (!Array.isArray(replies)) replies = [];
    var entry = { from: "bot", text: typeof message.text === "string" ? message.text : "" };
    entry.buttons = replies.filter(function (b) { return b && typeof b.title === "string"; })
      .map(function (b) { return { title: b.title, payload: String(b.payload || b.title) }; });
    var attachment = message.attachment;
    if (attachment && attachment.type === "file" && typeof attachment.url === "string") {
      entry.file = { url: attachment.url, name: String(attachment.name || "") };
    }
    if (!entry.text && !entry.buttons.length && !entry.file) return;
    setTyping(false);
    addEntry(entry);
  }

  // ---- typing indicator -----------------------------------------------------------------------
  var typingTimer = null;
  function setTyping(on) {
    typing.hidden = !on;
    window.clearTimeout(typingTimer);
    if (on) typingTimer = window.setTimeout(function () { typing.hidden = true; }, REPLY_WAIT_MS);
  }

  // ---- the connection -------------------------------------------------------------------------
  var socket = null;
  var ready = false;      // connected and the session confirmed (the socket is in its room)
  var outbox = [];        // messages typed while not ready, sent once the session is confirmed

  function setStatus(text, kind) {
    status.textContent = text;
    root.setAttribute("data-connection", kind);
  }

  function loadClient(done) {
    if (window.io) return done();
    var tag = document.createElement("script");
    tag.src = BASE + "vendor/socket.io.min.js";
    tag.onload = done;
    tag.onerror = function () { setStatus("The chat could not load. Please call the clinic.", "failed"); };
    document.head.append(tag);
  }

  function connect() {
    if (socket) return;
    setStatus("Connecting\u2026", "connecting");
    loadClient(function () {
      // WebSocket only: no cross-origin polling requests (so no CORS) and no sticky sessions needed.
      socket = window.io(RASA_URL, { transports: ["websocket"], reconnectionDelayMax: 10000 });
      socket.on("connect", function () {
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", function (sessionId) {
        if (typeof sessionId === "string") { state.sessionId = sessionId; saveState(); }
        ready = true;
        setStatus("Connected", "connected");
        if (!state.entries.length && !outbox.length) outbox.push("/greet");
        while (outbox.length) emitMessage(outbox.shift());
      });
      socket.on("bot_uttered", fromBot);
      socket.on("disconnect", function (reason) {
        ready = false;
        setTyping(false);
        setStatus("Connection lost. Reconnecting\u2026", "reconnecting");
        if (reason === "io server disconnect") socket.connect();
      });
      socket.on("connect_error", function () {
        setStatus("Can't reach the assistant. Trying again\u2026", "reconnecting");
      });
    });
  }

  function emitMessage(text) {
    socket.emit("user_uttered", { message: text, session_id: state.sessionId });
    setTyping(true);
  }

  /** Sends `payload` to Rasa and shows `shown` (a button's title, or the typed text). */
  function submitUserMessage(payload, shown) {
    markButtonsAnswered();
    addEntry({ from: "user", text: shown });
    if (ready) {
      emitMessage(payload);
    } else {
      outbox.push(payload);
      connect();
    }
  }

  // ---- opening, closing, keyboard -------------------------------------------------------------
  function setOpen(open) {
    panel.hidden = !open;
    miniCrisis.hidden = open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", String(open));
    state.open = open;
    saveState();
    if (open) {
      connect();
      log.scrollTop = log.scrollHeight;
      input.focus();
    } else {
      launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { setOpen(true); });
  close.addEventListener("click", function () { setOpen(false); });
  /** A new, empty conversation: nothing of the previous one stays on screen or in storage. */
  function startOver(open) {
    forgetStored();
    state = newState();
    state.open = open;
    saveState();
    log.textContent = "";
    outbox = [];
    setTyping(false);
    if (socket && socket.connected) {
      ready = false;
      socket.emit("session_request", { session_id: state.sessionId });
    } else if (open) {
      connect();
    }
  }
  restart.addEventListener("click", function () {
    startOver(true);
    input.focus();
  });
  // A page left open past the idle limit (a shared computer) forgets the conversation too.
  window.setInterval(function () {
    if (state.entries.length && Date.now() - state.lastActive >= IDLE_LIMIT_MS) startOver(state.open);
  }, 60 * 1000);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    submitUserMessage(text, text);
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      setOpen(false);
    } else if (event.key === "Tab") {
      keepFocusInside(event);
    }
  });

  /** Tab and Shift+Tab cycle inside the open chat (it covers the page on phones); Escape leaves. */
  function keepFocusInside(event) {
    var focusable = Array.prototype.filter.call(
      panel.querySelectorAll("a[href], button:not([disabled]), input"),
      function (node) { return node.offsetParent !== null; });
    if (!focusable.length) return;
    var first = focusable[0], last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  // ---- start ----------------------------------------------------------------------------------
  // The transcript is rendered before the log becomes a live region, so a reload does not
  // read the whole conversation aloud again; only new messages are announced.
  state.entries.forEach(function (entry) { log.append(renderEntry(entry)); });
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");

  function start() {
    document.body.append(root);
    if (state.open) {
      panel.hidden = false;
      miniCrisis.hidden = true;
      launcher.hidden = true;
      launcher.setAttribute("aria-expanded", "true");
      connect();
      log.scrollTop = log.scrollHeight;
    }
  }
  var stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = BASE + "widget.css";
  document.head.append(stylesheet);
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
