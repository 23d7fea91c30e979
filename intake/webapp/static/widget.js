/*
 * The clinic's chat widget: one script tag on any page, talking to Rasa's socket.io channel.
 *
 *   <script src="https://WEB-APP/static/widget.js" data-rasa-url="https://RASA-HOST" defer></script>
 *
 * Options (data- attributes of that tag): data-rasa-url (required), data-title (header text).
 * The widget's own words (buttons, status, crisis bar) follow the conversation's language: English
 * or Spanish, first from the browser's language, then from the assistant's replies (the server
 * tags each reply with the language it is written in) and the header's language button.
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
  var TITLE = script.dataset.title;
  var BASE = script.src.replace(/[^/]*$/, "");
  // Same as session_expiration_time in domain.yml: after an hour without a message Rasa starts
  // a new session, so the widget forgets its copy of the conversation too (shared computers).
  var IDLE_LIMIT_MS = 60 * 60 * 1000;
  var STORE_KEY = "clinic-chat:" + RASA_URL;
  var REPLY_WAIT_MS = 30000;

  // ---- the widget's own words, in each language the assistant speaks -------------------------
  var WORDS = {
    en: {
      title: "Intake assistant", launcher: "Chat with us", notConnected: "Not connected",
      startOver: "Start over", startOverTitle: "Clear this conversation from this browser and start a new one",
      close: "Close chat", note: "Automated assistant, not a clinician. Not for emergencies.",
      log: "Conversation", typing: "The assistant is typing\u2026", inputLabel: "Your message",
      placeholder: "Type your message", send: "Send", you: "You: ", assistant: "Assistant: ",
      download: "Download ", file: "file", couldNotLoad: "The chat could not load. Please call the clinic.",
      connecting: "Connecting\u2026", connected: "Connected", lost: "Connection lost. Reconnecting\u2026",
      unreachable: "Can't reach the assistant. Trying again\u2026",
      crisis: ["In crisis? ", "Call", "Call 988", " or ", "text", "Text 988", " 988 \u00b7 Emergency: ", "Call 911"],
      other: "es", otherName: "Español", otherLabel: "Continuar en español"
    },
    es: {
      title: "Asistente de admisión", launcher: "Escríbanos", notConnected: "Sin conexión",
      startOver: "Empezar de nuevo",
      startOverTitle: "Borrar esta conversación de este navegador y empezar una nueva",
      close: "Cerrar el chat", note: "Asistente automático, no un profesional clínico. No es para emergencias.",
      log: "Conversación", typing: "El asistente está escribiendo\u2026", inputLabel: "Su mensaje",
      placeholder: "Escriba su mensaje", send: "Enviar", you: "Usted: ", assistant: "Asistente: ",
      download: "Descargar ", file: "archivo", couldNotLoad: "No se pudo cargar el chat. Por favor llame a la clínica.",
      connecting: "Conectando\u2026", connected: "Conectado", lost: "Se perdió la conexión. Reconectando\u2026",
      unreachable: "No se puede contactar al asistente. Intentando de nuevo\u2026",
      crisis: ["¿En crisis? ", "Llame", "Llamar al 988 (marque 2 para español)", " al 988 (marque 2) o envíe ",
        "AYUDA", "Enviar AYUDA por texto al 988", " al 988 \u00b7 Emergencia: ", "Llamar al 911"],
      crisisText: "sms:988?&body=AYUDA",
      other: "en", otherName: "English", otherLabel: "Continue in English"
    }
  };
  function browserLanguage() {
    var spoken = (navigator.languages && navigator.languages[0]) || navigator.language || "";
    return /^es\b/i.test(spoken) ? "es" : "en";
  }

  // ---- stored state: session id and the transcript, in localStorage ---------------------------
  // The session id is issued (and signed) by the server in its session_confirm; null until then.
  function newState() {
    return { sessionId: null, lastActive: Date.now(), open: false, entries: [], language: browserLanguage() };
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
  if (!WORDS[state.language]) state.language = browserLanguage();
  function words() { return WORDS[state.language]; }

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
  var launcher = el("button", "ciw-launcher");
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
  var title = el("h2", "ciw-title");
  title.id = "ciw-title";
  var status = el("p", "ciw-status");
  status.setAttribute("role", "status");
  var statusKind = "notConnected";
  var languageButton = el("button", "ciw-language");
  languageButton.type = "button";
  var restart = el("button", "ciw-restart");
  restart.type = "button";
  var close = el("button", "ciw-close", "\u00d7");
  close.type = "button";
  var headerText = el("div", "ciw-header-text");
  headerText.append(title, status);
  header.append(headerText, languageButton, restart, close);

  var mainCrisis = crisisBar("ciw-crisis");
  var note = el("p", "ciw-note");
  var log = el("ol", "ciw-log");
  var typing = el("p", "ciw-typing");
  typing.hidden = true;

  var form = el("form", "ciw-form");
  var inputLabel = el("label", "ciw-visually-hidden");
  inputLabel.htmlFor = "ciw-input";
  var input = el("input", "ciw-input");
  input.id = "ciw-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 2000;
  var send = el("button", "ciw-send");
  send.type = "submit";
  form.append(inputLabel, input, send);

  panel.append(header, mainCrisis, note, log, typing, form);
  root.append(panel, miniCrisis, launcher);

  /** "In crisis? Call or text 988 · Emergency: 911", always on screen, with tap-to-call links;
   * in Spanish, 988 with "press 2" and the AYUDA text. */
  function crisisBar(className) {
    var bar = el("p", className);
    fillCrisisBar(bar);
    return bar;
  }
  function fillCrisisBar(bar) {
    var w = words().crisis;
    bar.textContent = "";
    // In Spanish the text link opens the phone's messages with AYUDA already typed.
    bar.append(w[0], link("tel:988", w[1], w[2]), w[3], link(words().crisisText || "sms:988", w[4], w[5]), w[6],
      link("tel:911", "911", w[7]));
  }

  /** Every word of the widget's own in the conversation's language. */
  function showLanguage() {
    var w = words();
    root.setAttribute("lang", state.language);
    launcher.textContent = w.launcher;
    title.textContent = TITLE || w.title;
    status.textContent = w[statusKind];
    languageButton.textContent = w.otherName;
    languageButton.setAttribute("aria-label", w.otherLabel);
    languageButton.setAttribute("lang", w.other);
    restart.textContent = w.startOver;
    restart.title = w.startOverTitle;
    close.setAttribute("aria-label", w.close);
    note.textContent = w.note;
    log.setAttribute("aria-label", w.log);
    typing.textContent = w.typing;
    inputLabel.textContent = w.inputLabel;
    input.placeholder = w.placeholder;
    send.textContent = w.send;
    fillCrisisBar(miniCrisis);
    fillCrisisBar(mainCrisis);
  }
  function setLanguage(language) {
    if (!WORDS[language] || language === state.language) return;
    state.language = language;
    saveState();
    showLanguage();
  }
  showLanguage();

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
    var who = el("span", "ciw-visually-hidden", entry.from === "user" ? words().you : words().assistant);
    var bubble = el("p", "ciw-bubble");
    bubble.append(who);
    appendText(bubble, entry.text || "");
    if (entry.text) item.append(bubble);
    if (entry.file && safeHref(entry.file.url)) {
      item.append(link(safeHref(entry.file.url), words().download + (entry.file.name || words().file), undefined));
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
    if (message.language) setLanguage(message.language);
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

  /** `text` is a key of WORDS, so the status follows a change of language too. */
  function setStatus(text, kind) {
    statusKind = text;
    status.textContent = words()[text];
    root.setAttribute("data-connection", kind);
  }

  function loadClient(done) {
    if (window.io) return done();
    var tag = document.createElement("script");
    tag.src = BASE + "vendor/socket.io.min.js";
    tag.onload = done;
    tag.onerror = function () { setStatus("couldNotLoad", "failed"); };
    document.head.append(tag);
  }

  function connect() {
    if (socket) return;
    setStatus("connecting", "connecting");
    loadClient(function () {
      // WebSocket only: no cross-origin polling requests (so no CORS) and no sticky sessions needed.
      socket = window.io(RASA_URL, { transports: ["websocket"], reconnectionDelayMax: 10000 });
      socket.on("connect", function () {
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", function (sessionId) {
        if (typeof sessionId === "string") { state.sessionId = sessionId; saveState(); }
        ready = true;
        setStatus("connected", "connected");
        // A browser set to Spanish is greeted in Spanish (the slot takes the entity).
        if (!state.entries.length && !outbox.length) {
          outbox.push(state.language === "es" ? '/greet{"language": "es"}' : "/greet");
        }
        while (outbox.length) emitMessage(outbox.shift());
      });
      socket.on("bot_uttered", fromBot);
      socket.on("disconnect", function (reason) {
        ready = false;
        setTyping(false);
        setStatus("lost", "reconnecting");
        if (reason === "io server disconnect") socket.connect();
      });
      socket.on("connect_error", function () {
        setStatus("unreachable", "reconnecting");
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
    var language = state.language;
    state = newState();
    state.language = language;
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
  /** The other language, for the widget and the assistant alike. */
  languageButton.addEventListener("click", function () {
    var other = words().other;
    var name = words().otherName;
    setLanguage(other);
    submitUserMessage('/choose_language{"language": "' + other + '"}', name);
    input.focus();
  });
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
