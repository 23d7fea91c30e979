/*
 * The front-desk console (/frontdesk/): keeps the queue and the open item up to date and sends
 * the staff member's actions to the console API.
 *
 * The server renders each page first; this script refreshes the same elements every 3 seconds
 * from the JSON API. Every text is set with textContent: nothing from the API is ever parsed as
 * HTML. Every POST carries the session's CSRF token (from <meta name="csrf-token">) in the
 * X-CSRF-Token header; the session cookie itself is HttpOnly and invisible here.
 */
(function () {
  "use strict";

  var POLL_MS = 3000;
  var body = document.body;
  var PAGE = body.dataset.page;
  if (PAGE !== "queue" && PAGE !== "item") return;
  var TIME_ZONE = body.dataset.timeZone || undefined;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var CSRF = csrfMeta ? csrfMeta.content : "";
  var stopped = false;

  // ---- helpers --------------------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function byId(id) { return document.getElementById(id); }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  /** Only tel: and mailto: links come from data, and only in these plain shapes. */
  function safeHref(value) {
    if (typeof value !== "string") return null;
    if (/^tel:\+?[0-9]{3,16}$/.test(value)) return value;
    if (/^mailto:[^@\s<>"'()]+@[^@\s<>"'()]+\.[A-Za-z]{2,}$/.test(value)) return value;
    return null;
  }
  function timeText(iso, withDay) {
    if (!iso) return "";
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    var options = { hour: "numeric", minute: "2-digit", timeZone: TIME_ZONE };
    if (withDay) { options.weekday = "short"; options.month = "short"; options.day = "numeric"; }
    try { return date.toLocaleString("en-US", options); } catch (e) { return date.toLocaleString(); }
  }
  function itemLink(id, text) {
    var a = el("a", "", text);
    a.href = "/frontdesk/items/" + encodeURIComponent(String(id));
    return a;
  }

  /** fetch with the session cookie and CSRF header; resolves {ok, status, data}. */
  function api(method, url, payload) {
    var options = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (method !== "GET") {
      options.headers["X-CSRF-Token"] = CSRF;
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(payload || {});
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 401) sessionEnded();
        return { ok: response.ok, status: response.status, data: data };
      });
    }, function () {
      return { ok: false, status: 0, data: { message: "The console's server did not answer. Check the connection." } };
    });
  }

  function sessionEnded() {
    stopped = true;
    var banner = byId("fd-session-ended");
    if (banner) banner.hidden = false;
    Array.prototype.forEach.call(document.querySelectorAll(".fd-actions button, #fd-reply, #fd-reply-send, " +
      ".fd-follow-up-done"),
      function (node) { node.disabled = true; });
  }

  function renderBanner(lines) {
    var banner = byId("fd-alerts"), list = byId("fd-alerts-list");
    if (!banner || !list) return;
    clear(list);
    (lines || []).forEach(function (line) {
      var li = el("li");
      li.append(line.handoff_id !== null && line.handoff_id !== undefined ? itemLink(line.handoff_id, line.text) : line.text);
      list.append(li);
    });
    banner.hidden = !lines || lines.length === 0;
  }

  function badge(item, id) {
    var span = el("span", "fd-prio fd-prio--" + item.priority, item.priority_label);
    if (id) span.id = id;
    return span;
  }

  function claimedText(item) {
    if (item.status === "closed") return "Closed";
    if (item.status === "claimed") return item.claimed_by_me ? item.claimed_by_name + " (you)" : item.claimed_by_name;
    return "Nobody yet";
  }

  // ---- the queue --------------------------------------------------------------------------------
  function queueRow(item) {
    var tr = el("tr", "fd-row fd-row--" + item.priority);
    tr.dataset.itemId = String(item.id);
    function cell(content, className) {
      var td = el("td", className || "");
      if (content instanceof Node) td.append(content); else td.textContent = content;
      tr.append(td);
    }
    cell(badge(item));
    cell(itemLink(item.id, "#" + item.id));
    cell((item.reason_labels || []).join("; "));
    cell(item.channel_label);
    cell(item.language_label, "fd-language");
    var age = el("time", "", item.age_text);
    age.setAttribute("datetime", item.created_at || "");
    cell(age);
    cell(timeText(item.last_user_message_at) || "\u2014");
    cell(claimedText(item));
    cell(item.alerts_text || "\u2014",
      "fd-alert-cell" + (item.failed_deliveries || item.needs_acknowledgement ? " fd-failed" : ""));
    return tr;
  }

  // ---- follow-up tasks (on the queue and on an item) --------------------------------------------
  function followUpRow(task) {
    var tr = el("tr");
    tr.dataset.followUpId = String(task.id);
    function cell(content) {
      var td = el("td");
      if (content instanceof Node) td.append(content); else td.textContent = content;
      tr.append(td);
    }
    cell(itemLink(task.handoff_id, "#" + task.handoff_id));
    cell((task.reason_labels || []).join("; "));
    cell(task.channel_label);
    var since = el("time", "", task.age_text + " ago");
    since.setAttribute("datetime", task.created_at || "");
    cell(since);
    cell(task.item_status_label);
    cell(followUpButton(task.id, "Mark done", "fd-button fd-follow-up-done"));
    return tr;
  }

  function followUpButton(id, text, className) {
    var button = el("button", className, text);
    button.type = "button";
    button.dataset.followUpId = String(id);
    return button;
  }

  function renderFollowUps(tasks) {
    var tbody = byId("fd-follow-ups-body");
    if (!tbody) return;
    clear(tbody);
    (tasks || []).forEach(function (task) { tbody.append(followUpRow(task)); });
    byId("fd-follow-ups-empty").hidden = !!(tasks && tasks.length);
  }

  /** A click on any "Mark done" button: POST, then show the answer and read the page's data again. */
  function setUpFollowUps(refresh, messageBox) {
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".fd-follow-up-done") : null;
      if (!button || stopped) return;
      button.disabled = true;
      api("POST", "/frontdesk/api/follow-ups/" + encodeURIComponent(button.dataset.followUpId) + "/done", {})
        .then(function (answer) {
          var box = messageBox();
          if (box) box.textContent = answer.ok ? answer.data.message : (answer.data.message || "That did not work.");
          if (!answer.ok) button.disabled = false;
          return refresh();
        });
    });
  }

  function queueSummary(items) {
    if (!items.length) return "Nothing waiting.";
    var urgent = items.filter(function (i) { return i.priority === "urgent"; }).length;
    var waiting = items.filter(function (i) { return i.status === "new"; }).length;
    return items.length + " open, " + waiting + " not claimed" + (urgent ? ", " + urgent + " urgent." : ".");
  }

  var lastSummary = byId("fd-summary") ? byId("fd-summary").textContent : "";
  function refreshQueue() {
    return api("GET", "/frontdesk/api/items").then(function (answer) {
      if (!answer.ok) return;
      var items = answer.data.items || [];
      var tbody = byId("fd-queue-body");
      clear(tbody);
      items.forEach(function (item) { tbody.append(queueRow(item)); });
      byId("fd-empty").hidden = items.length > 0;
      // The summary is a polite live region: only changed words are announced.
      var summary = queueSummary(items);
      if (summary !== lastSummary) { byId("fd-summary").textContent = summary; lastSummary = summary; }
      byId("fd-updated").textContent = "Updated " + timeText(answer.data.now) + "; refreshes every 3 seconds.";
      renderBanner(answer.data.failed_banner);
      renderFollowUps(answer.data.follow_ups);
    });
  }

  // ---- one item ---------------------------------------------------------------------------------
  var ITEM_ID = body.dataset.itemId;
  var ITEM_API = "/frontdesk/api/items/" + encodeURIComponent(ITEM_ID || "");
  var lastTranscript = null, lastCard = null, lastDeliveries = null, busy = false;

  function renderRows(container, rows) {
    var dl = el("dl");
    rows.forEach(function (row) {
      var pair = el("div", "fd-pair");
      pair.append(row.label ? el("dt", "", row.label) : el("dt", "fd-visually-hidden", "Note"));
      var dd = el("dd", row.failed ? "fd-failed" : "");
      var href = safeHref(row.href);
      if (href) { var a = el("a", "", row.value); a.href = href; dd.append(a); } else { dd.textContent = row.value; }
      pair.append(dd);
      dl.append(pair);
    });
    container.append(dl);
  }

  function renderCard(sections) {
    var card = byId("fd-card");
    clear(card);
    (sections || []).forEach(function (section) {
      var part = el("section", "fd-card-section");
      part.append(el("h3", "", section.title));
      renderRows(part, section.rows || []);
      card.append(part);
    });
  }

  function renderDeliveries(rows) {
    var box = byId("fd-deliveries");
    clear(box);
    if (!rows || !rows.length) { box.append(el("p", "fd-hint", "No alerts were sent for this item.")); return; }
    renderRows(box, rows);
  }

  function renderTranscript(lines) {
    var list = byId("fd-transcript");
    var atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    clear(list);
    (lines || []).forEach(function (line) {
      var speaker = ["person", "assistant", "staff"].indexOf(line.speaker) >= 0 ? line.speaker : "assistant";
      var li = el("li", "fd-line fd-line--" + speaker);
      var meta = el("p", "fd-line-meta");
      var when = el("time", "", timeText(line.at));
      when.setAttribute("datetime", line.at || "");
      meta.append(el("span", "fd-speaker", line.speaker_label || speaker), " ", when);
      li.append(meta, el("p", "fd-line-text", line.text));
      list.append(li);
    });
    if (atBottom) list.scrollTop = list.scrollHeight;
  }

  function stateText(item) {
    var state;
    if (item.status === "closed") state = "Closed";
    else if (item.status === "claimed") {
      state = item.claimed_by_me ? "Claimed by you: the assistant relays the person's messages here"
        : "Claimed by " + item.claimed_by_name;
    } else state = "Waiting for the front desk; the assistant is answering";
    var language = item.language ? "Writes in " + item.language_label : "Language not known";
    return state + ". Opened " + timeText(item.created_at, true) + " (" + item.age_text + " ago) \u00b7 " +
      item.channel_label + " \u00b7 " + language + " \u00b7 " + (item.reason_labels || []).join("; ");
  }

  function renderItem(item) {
    var old = byId("fd-item-priority");
    if (old && (old.textContent !== item.priority_label)) old.replaceWith(badge(item, "fd-item-priority"));
    byId("fd-item-state").textContent = stateText(item);
    var ack = byId("fd-item-ack");
    ack.textContent = item.acknowledgement_text || "";
    ack.hidden = !item.acknowledgement_text;
    ack.className = "fd-state" + (item.needs_acknowledgement ? " fd-error" : "");
    if (busy || stopped) return;
    var closed = item.status === "closed", mine = !!item.claimed_by_me;
    byId("fd-claim").disabled = closed || item.status === "claimed";
    byId("fd-acknowledge").disabled = !item.needs_acknowledgement;
    byId("fd-handback").disabled = !mine;
    byId("fd-close").disabled = closed;
    byId("fd-reply").disabled = !mine;
    byId("fd-reply-send").disabled = !mine;
  }

  function refreshItem() {
    return api("GET", ITEM_API).then(function (answer) {
      if (!answer.ok) {
        if (answer.status !== 401) showError(answer.data.message || "The item could not be read.");
        return;
      }
      var data = answer.data;
      renderItem(data.item);
      var errorBox = byId("fd-transcript-error");
      errorBox.textContent = data.transcript_error || "";
      errorBox.hidden = !data.transcript_error;
      if (data.transcript) {
        var key = JSON.stringify(data.transcript);
        if (key !== lastTranscript) { renderTranscript(data.transcript); lastTranscript = key; }
      }
      var cardKey = JSON.stringify(data.card_sections);
      if (cardKey !== lastCard) { renderCard(data.card_sections); lastCard = cardKey; }
      var deliveriesKey = JSON.stringify(data.delivery_rows);
      if (deliveriesKey !== lastDeliveries) { renderDeliveries(data.delivery_rows); lastDeliveries = deliveriesKey; }
      renderBanner(data.failed_banner);
      renderFollowUpLine(data.follow_up);
    });
  }

  function renderFollowUpLine(task) {
    var line = byId("fd-item-follow-up");
    if (!line) return;
    clear(line);
    line.hidden = !task;
    if (!task) return;
    if (task.done_at) { line.textContent = "Follow-up done by " + (task.done_by_name || "staff") + "."; return; }
    line.append("Follow-up after this crisis: not done yet. ",
      followUpButton(task.id, "Mark follow-up done", "fd-button fd-button--quiet fd-follow-up-done"));
  }

  function showError(message) {
    var box = byId("fd-action-error");
    box.textContent = message;
    box.hidden = false;
    byId("fd-action-done").textContent = "";
  }
  function showDone(message) {
    var box = byId("fd-action-error");
    box.hidden = true;
    box.textContent = "";
    byId("fd-action-done").textContent = message || "";
  }

  /** POST one action; afterwards the item is read again. */
  function act(action, payload, button) {
    if (busy || stopped) return Promise.resolve(false);
    busy = true;
    if (button) button.disabled = true;
    return api("POST", ITEM_API + "/" + action, payload).then(function (answer) {
      busy = false;
      if (answer.ok) showDone(answer.data.message);
      else if (answer.status !== 401) showError(answer.data.message || "That did not work (" + answer.status + ").");
      return refreshItem().then(function () { return answer.ok; });
    });
  }

  function setUpItemPage() {
    byId("fd-claim").addEventListener("click", function (event) { act("claim", {}, event.currentTarget); });
    byId("fd-acknowledge").addEventListener("click", function (event) { act("acknowledge", {}, event.currentTarget); });
    setUpFollowUps(refreshItem, function () { return byId("fd-action-done"); });
    byId("fd-handback").addEventListener("click", function (event) { act("handback", {}, event.currentTarget); });
    byId("fd-close").addEventListener("click", function (event) { act("close", {}, event.currentTarget); });
    var reply = byId("fd-reply"), count = byId("fd-reply-count");
    reply.addEventListener("input", function () { count.textContent = String(reply.value.length); });
    byId("fd-reply-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var text = reply.value.trim();
      if (!text) { showError("Write a message first."); reply.focus(); return; }
      act("reply", { text: text }, byId("fd-reply-send")).then(function (sent) {
        if (sent) { reply.value = ""; count.textContent = "0"; }
        reply.focus();
      });
    });
    var list = byId("fd-transcript");
    list.scrollTop = list.scrollHeight;
  }

  // ---- polling ------------------------------------------------------------------------------------
  function poll(refresh) {
    function tick() {
      if (stopped) return;
      var next = function () { if (!stopped) window.setTimeout(tick, POLL_MS); };
      if (document.hidden) { next(); return; }
      refresh().then(next, next);
    }
    window.setTimeout(tick, POLL_MS);
  }

  if (PAGE === "queue") {
    setUpFollowUps(refreshQueue, function () { return byId("fd-follow-up-message"); });
    poll(refreshQueue);
  } else {
    setUpItemPage();
    poll(refreshItem);
  }
})();
