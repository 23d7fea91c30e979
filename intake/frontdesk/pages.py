"""The console's HTML pages: sign-in, the queue and one item.

Every value is escaped with html.escape, whoever wrote it (the person, the assistant, staff,
configuration). The pages carry no inline script or style: console.js and console.css are
files, so the Content-Security-Policy can keep forbidding inline code. console.js refreshes
the same elements from the JSON API, building them with textContent only.
"""
from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any, Dict, List, Mapping, Optional, Sequence
from zoneinfo import ZoneInfo

from intake.frontdesk.config import as_utc
from intake.frontdesk.sessions import SignedIn
from intake.frontdesk.views import SPEAKER_LABELS

MAX_REPLY_CHARS = 1000
QUEUE_COLUMNS = ("Priority", "Item", "Why", "Channel", "Language", "Waiting", "Last message", "Claimed by", "Alerts")

VISIT_LABELS = {"in_person": "In person", "telehealth": "Telehealth"}
TARGET_LABELS = {"webhook": "webhook", "email": "email", "on_call_sms": "on-call text",
                 "on_call_email": "on-call email"}
FOLLOW_UP_COLUMNS = ("Item", "Why", "Channel", "Since", "Item status", "")
CONTACT_LABELS = {"call": "Phone call", "text": "Text message", "email": "Email"}


def e(value: Any) -> str:
    """Escaped text of any value (None as empty)."""
    return html.escape("" if value is None else str(value), quote=True)


def local_time(moment: Optional[datetime], time_zone: str, with_day: bool = False) -> str:
    moment = as_utc(moment)
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(time_zone))
    text = local.strftime("%-I:%M %p")
    return f"{local.strftime('%a %b %-d')}, {text}" if with_day else text


def _parse_iso(value: Optional[str]) -> Optional[datetime]:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def safe_href(value: Any, scheme: str) -> Optional[str]:
    """tel: links only for phone-number characters, mailto: only for a plain address."""
    text = "" if value is None else str(value)
    if scheme == "tel":
        digits = "".join(c for c in text if c.isdigit() or c == "+")
        return f"tel:{digits}" if re.fullmatch(r"\+?\d{3,16}", digits) else None
    if scheme == "mailto":
        return f"mailto:{text}" if re.fullmatch(r"[^@\s<>\"'()]+@[^@\s<>\"'()]+\.[A-Za-z]{2,}", text) else None
    return None


# -- the summary card as labelled rows (the same rows go to console.js) -----------------------
def _row(label: str, value: Any, href: Optional[str] = None) -> Dict[str, Any]:
    row = {"label": label, "value": "" if value is None else str(value)}
    if href:
        row["href"] = href
    return row


def card_sections(card: Optional[Mapping[str, Any]], time_zone: str) -> List[Dict[str, Any]]:
    """The summary card (intake.handoff.summary_card) as titled sections of label/value rows."""
    card = dict(card or {})
    sections: List[Dict[str, Any]] = []
    contact = card.get("contact") or {}
    rows = []
    for key, label, scheme in (("name", "Name", None), ("phone", "Phone", "tel"), ("sms_phone", "Texts from", "tel"),
                               ("email", "Email", "mailto")):
        if contact.get(key):
            rows.append(_row(label, contact[key], safe_href(contact[key], scheme) if scheme else None))
    if contact.get("opted_out"):
        rows.append(_row("Texts", "Opted out (STOP): do not text"))
    sections.append({"title": "Contact", "rows": rows or [_row("", "No contact details given yet.")]})

    booking = card.get("booking")
    if booking:
        sections.append({"title": "Booking", "rows": [
            _row("Reference", booking.get("reference")), _row("Time", booking.get("slot_label") or booking.get("slot_local")),
            _row("Visit", VISIT_LABELS.get(booking.get("visit_type"), booking.get("visit_type"))),
            _row("Contact by", CONTACT_LABELS.get(booking.get("contact_method"), booking.get("contact_method"))),
            _row("Status", booking.get("status"))]})

    screenings = card.get("screenings") or []
    rows = []
    for screening in screenings:
        parts = []
        if screening.get("score") is not None:
            parts.append(f"score {screening['score']}")
        if screening.get("triage"):
            parts.append(str(screening["triage"]).replace("_", " "))
        parts.append("complete" if screening.get("completed") else "not finished")
        flags = screening.get("flags") or []
        if flags and list(flags) != list(card.get("prescreen_flags") or []):  # else listed below
            parts.append("flags: " + ", ".join(str(flag).replace("_", " ") for flag in flags))
        rows.append(_row(str(screening.get("instrument") or "Screening"), "; ".join(parts)))
    sections.append({"title": "Screenings (for a clinician to review)",
                     "rows": rows or [_row("", "No screening in this conversation.")]})

    flags = card.get("prescreen_flags") or []
    if flags:
        sections.append({"title": "Pre-screen flags",
                         "rows": [_row("", str(flag).replace("_", " ")) for flag in flags]})

    alerts = card.get("alerts") or []
    if alerts:
        rows = []
        for alert in alerts:
            when = local_time(_parse_iso(alert.get("created_at")) if isinstance(alert.get("created_at"), str)
                              else alert.get("created_at"), time_zone)
            text = f"{str(alert.get('category') or '').replace('_', ' ')} ({alert.get('priority')})"
            rows.append(_row(str(alert.get("source") or "").replace("_", " "), f"{text} {when}".strip()))
        sections.append({"title": "Safety alerts", "rows": rows})

    known = {"contact", "booking", "screenings", "prescreen_flags", "alerts", "channel"}
    extra = [_row(str(key).replace("_", " ").capitalize(), value) for key, value in card.items()
             if key not in known and value not in (None, "", [], {})]
    if extra:
        sections.append({"title": "More", "rows": extra})
    return sections


def delivery_rows(deliveries: Sequence[Mapping[str, Any]], time_zone: str) -> List[Dict[str, Any]]:
    """Alert deliveries of one item (intake.notifications.deliveries_for) as rows."""
    rows = []
    for delivery in deliveries:
        status = str(delivery.get("status") or "")
        text = [status]
        if delivery.get("attempts"):
            text.append(f"{delivery['attempts']} attempt(s)")
        if status == "failed" and delivery.get("last_error"):
            text.append(f"last error: {delivery['last_error']}")
        when = delivery.get("updated_at") or delivery.get("created_at")
        if when:
            text.append(local_time(_parse_iso(when) if isinstance(when, str) else when, time_zone))
        label = TARGET_LABELS.get(delivery.get("target") or "", delivery.get("target") or "alert")
        if delivery.get("destination"):
            label += f" to {delivery['destination']}"
        rows.append({"label": label, "value": ", ".join(t for t in text if t), "failed": status == "failed"})
    return rows


def escalation_rows(escalation: Optional[Mapping[str, Any]], time_zone: str) -> List[Dict[str, Any]]:
    """The item's escalation to the on-call contact as one row (none when it was not escalated)."""
    if not escalation:
        return []
    when = local_time(_parse_iso(escalation.get("created_at")), time_zone)
    minutes = escalation.get("after_minutes")
    text = (f"{escalation.get('contact_name')} at {when}: nobody acknowledged this urgent item within "
            f"{minutes:g} min" if isinstance(minutes, (int, float)) else f"{escalation.get('contact_name')} at {when}")
    if escalation.get("note"):
        text += f". Not sent: {escalation['note']}"
    return [{"label": "Escalated to on-call", "value": text, "failed": bool(escalation.get("note"))}]


def acknowledgement_text(view: Mapping[str, Any], time_zone: str) -> str:
    """Where an urgent item stands with the escalation clock, in words ('' for other items)."""
    escalated = local_time(_parse_iso(view.get("escalated_at")), time_zone)
    if view.get("needs_acknowledgement"):
        if escalated:
            return (f"Not acknowledged: the on-call contact was alerted at {escalated}. "
                    "Acknowledge it when you act on it.")
        due = local_time(_parse_iso(view.get("escalates_at")), time_zone)
        when = f"at {due}" if due else "soon"
        return (f"Urgent and not acknowledged: the on-call contact is alerted {when} unless someone claims "
                "or acknowledges it.")
    if view.get("priority") == "urgent" and view.get("acknowledged_at"):
        text = (f"Acknowledged by {view.get('acknowledged_by_name') or 'staff'} at "
                f"{local_time(_parse_iso(view['acknowledged_at']), time_zone)}.")
        return text + (f" The on-call contact had been alerted at {escalated}." if escalated else "")
    return ""


def alerts_cell_text(view: Mapping[str, Any], time_zone: str) -> str:
    """The queue's Alerts column: failed deliveries, and where an urgent item stands."""
    parts = []
    if view.get("failed_deliveries"):
        parts.append(f'{view["failed_deliveries"]} failed')
    escalated = local_time(_parse_iso(view.get("escalated_at")), time_zone)
    if escalated:
        parts.append(f"on-call alerted {escalated}")
    elif view.get("needs_acknowledgement"):
        parts.append("not acknowledged")
    return "; ".join(parts) or "\u2014"


def failed_banner_lines(failed: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
    """One line per failed alert delivery, for the banner on every console page."""
    lines = []
    for delivery in failed:
        target = TARGET_LABELS.get(delivery.get("target") or "", delivery.get("target") or "alert")
        text = f"{target} alert for item #{delivery.get('handoff_id')} failed"
        if delivery.get("attempts"):
            text += f" after {delivery['attempts']} attempt(s)"
        if delivery.get("last_error"):
            text += f": {delivery['last_error']}"
        lines.append({"handoff_id": delivery.get("handoff_id"), "text": text})
    return lines


# -- page pieces -------------------------------------------------------------------------
def _head(title: str, csrf: Optional[str] = None) -> str:
    meta = f'\n<meta name="csrf-token" content="{e(csrf)}">' if csrf else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">{meta}
<title>{e(title)}</title>
<link rel="stylesheet" href="/static/console.css">
<script src="/static/console.js" defer></script></head>"""


def _header(clinic_name: str, staff: SignedIn) -> str:
    return f"""<a class="fd-skip" href="#main">Skip to the content</a>
<header class="fd-header">
<p class="fd-brand"><a href="/frontdesk/">Front desk</a> <span class="fd-brand-clinic">{e(clinic_name)}</span></p>
<nav class="fd-nav" aria-label="Console pages"><a href="/frontdesk/">Queue</a>
<a href="/frontdesk/unanswered">Unanswered questions</a></nav>
<div class="fd-who"><p>Signed in as <strong>{e(staff.display_name)}</strong> ({e(staff.username)})</p>
<form method="post" action="/frontdesk/logout" class="fd-signout">
<input type="hidden" name="csrf_token" value="{e(staff.csrf_token)}">
<button type="submit" class="fd-button fd-button--quiet">Sign out</button></form></div>
</header>"""


def _banner(failed_lines: Sequence[Mapping[str, Any]]) -> str:
    items = "".join(
        f'<li><a href="/frontdesk/items/{e(line["handoff_id"])}">{e(line["text"])}</a></li>' for line in failed_lines)
    hidden = "" if failed_lines else " hidden"
    return f"""<section id="fd-alerts" class="fd-banner" role="alert" aria-labelledby="fd-alerts-title"{hidden}>
<h2 id="fd-alerts-title" class="fd-banner-title">Alerts could not be delivered</h2>
<p>The desk was not notified outside this console about these items. Check the webhook, email and Twilio settings.</p>
<ul id="fd-alerts-list">{items}</ul>
</section>
<p id="fd-session-ended" class="fd-banner fd-banner--info" role="alert" hidden>Your session has ended.
<a href="/frontdesk/login">Sign in again</a>.</p>"""


def _priority_badge(view: Mapping[str, Any], element_id: str = "") -> str:
    ident = f' id="{element_id}"' if element_id else ""
    return (f'<span{ident} class="fd-prio fd-prio--{e(view["priority"])}">'
            f'{e(view["priority_label"])}</span>')


def _claimed_text(view: Mapping[str, Any]) -> str:
    if view["status"] == "closed":
        return "Closed"
    if view["status"] == "claimed":
        return f"{view['claimed_by_name']} (you)" if view["claimed_by_me"] else str(view["claimed_by_name"])
    return "Nobody yet"


def queue_row(view: Mapping[str, Any], time_zone: str) -> str:
    last = local_time(_parse_iso(view["last_user_message_at"]), time_zone) or "\u2014"
    alerts = alerts_cell_text(view, time_zone)
    alert_class = " fd-failed" if view["failed_deliveries"] or view.get("needs_acknowledgement") else ""
    return (f'<tr class="fd-row fd-row--{e(view["priority"])}" data-item-id="{e(view["id"])}">'
            f'<td>{_priority_badge(view)}</td>'
            f'<td><a href="{e(view["url"])}">#{e(view["id"])}</a></td>'
            f'<td>{e("; ".join(view["reason_labels"]))}</td>'
            f'<td>{e(view["channel_label"])}</td>'
            f'<td class="fd-language">{e(view["language_label"])}</td>'
            f'<td><time datetime="{e(view["created_at"])}">{e(view["age_text"])}</time></td>'
            f'<td>{e(last)}</td>'
            f'<td>{e(_claimed_text(view))}</td>'
            f'<td class="fd-alert-cell{alert_class}">{e(alerts)}</td></tr>')


def login_page(clinic_name: str, login_token: str, error: Optional[str] = None, username: str = "") -> str:
    message = (f'<p id="fd-login-error" class="fd-error" role="alert">{e(error)}</p>' if error else "")
    invalid = ' aria-invalid="true" aria-describedby="fd-login-error"' if error else ""
    return f"""{_head("Sign in: front desk")}
<body class="fd fd--login" data-page="login">
<main id="main" class="fd-login">
<h1>Front desk console</h1>
<p class="fd-brand-clinic">{e(clinic_name)}</p>
{message}
<form method="post" action="/frontdesk/login" class="fd-login-form">
<input type="hidden" name="login_token" value="{e(login_token)}">
<label for="fd-username">Username</label>
<input id="fd-username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false"
 maxlength="64" required value="{e(username)}"{invalid}>
<label for="fd-password">Password</label>
<input id="fd-password" name="password" type="password" autocomplete="current-password" maxlength="1024" required{invalid}>
<label for="fd-code">Code from your authenticator app <span class="fd-hint">(only if your account uses one)</span></label>
<input id="fd-code" name="code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]*" maxlength="8">
<button type="submit" class="fd-button fd-button--primary">Sign in</button>
</form>
<p class="fd-hint">Accounts are made by an administrator with
<code>python -m intake.frontdesk.staff add USERNAME --name "Display Name"</code>.</p>
</main>
</body></html>"""


def follow_up_row(task: Mapping[str, Any]) -> str:
    return (f'<tr data-follow-up-id="{e(task["id"])}">'
            f'<td><a href="{e(task["url"])}">#{e(task["handoff_id"])}</a></td>'
            f'<td>{e("; ".join(task["reason_labels"]))}</td>'
            f'<td>{e(task["channel_label"])}</td>'
            f'<td><time datetime="{e(task["created_at"])}">{e(task["age_text"])} ago</time></td>'
            f'<td>{e(task["item_status_label"])}</td>'
            f'<td><button type="button" class="fd-button fd-follow-up-done" data-follow-up-id="{e(task["id"])}">'
            f'Mark done</button></td></tr>')


def follow_ups_section(tasks: Sequence[Mapping[str, Any]]) -> str:
    rows = "\n".join(follow_up_row(task) for task in tasks)
    head_cells = "".join(f'<th scope="col">{e(name) if name else "<span class=fd-visually-hidden>Done</span>"}</th>'
                         for name in FOLLOW_UP_COLUMNS)
    empty = "" if tasks else " hidden"
    return f"""<section class="fd-follow-ups" aria-labelledby="fd-follow-ups-title">
<h2 id="fd-follow-ups-title">Follow-ups after a crisis</h2>
<p class="fd-hint">Check on each person after their crisis conversation (a call, or what the clinical team
decides), also when the item itself is closed. Mark the task done when someone has followed up.</p>
<p id="fd-follow-up-message" class="fd-done" role="status"></p>
<table class="fd-queue">
<caption>Follow-ups not done yet, oldest first.</caption>
<thead><tr>{head_cells}</tr></thead>
<tbody id="fd-follow-ups-body">
{rows}
</tbody>
</table>
<p id="fd-follow-ups-empty" class="fd-empty"{empty}>No follow-ups are waiting.</p>
</section>"""


def queue_page(clinic_name: str, time_zone: str, staff: SignedIn, views: Sequence[Mapping[str, Any]],
               failed_lines: Sequence[Mapping[str, Any]], now: datetime,
               follow_ups: Sequence[Mapping[str, Any]] = ()) -> str:
    rows = "\n".join(queue_row(view, time_zone) for view in views)
    empty = "" if views else " hidden"
    head_cells = "".join(f'<th scope="col">{e(name)}</th>' for name in QUEUE_COLUMNS)
    return f"""{_head("Front desk queue", staff.csrf_token)}
<body class="fd" data-page="queue" data-time-zone="{e(time_zone)}">
{_header(clinic_name, staff)}
{_banner(failed_lines)}
<main id="main">
<div class="fd-title-row">
<h1>Conversations for the front desk</h1>
<p id="fd-updated" class="fd-hint">Updated {e(local_time(now, time_zone))}; refreshes every 3 seconds.</p>
</div>
<p id="fd-summary" class="fd-summary" role="status">{e(_queue_summary(views))}</p>
<table class="fd-queue">
<caption>Open items: most urgent first, then the longest waiting.</caption>
<thead><tr>{head_cells}</tr></thead>
<tbody id="fd-queue-body">
{rows}
</tbody>
</table>
<p id="fd-empty" class="fd-empty"{empty}>No conversations are waiting for the front desk.</p>
{follow_ups_section(follow_ups)}
<noscript><p class="fd-hint">This page updates itself only with JavaScript; reload it to see new items.</p></noscript>
</main>
</body></html>"""


def _queue_summary(views: Sequence[Mapping[str, Any]]) -> str:
    if not views:
        return "Nothing waiting."
    urgent = sum(1 for view in views if view["priority"] == "urgent")
    waiting = sum(1 for view in views if view["status"] == "new")
    text = f"{len(views)} open, {waiting} not claimed"
    return text + (f", {urgent} urgent." if urgent else ".")


def _rows_html(rows: Sequence[Mapping[str, Any]]) -> str:
    out = []
    for row in rows:
        value = e(row["value"])
        if row.get("href"):
            value = f'<a href="{e(row["href"])}">{value}</a>'
        label = f'<dt>{e(row["label"])}</dt>' if row.get("label") else '<dt class="fd-visually-hidden">Note</dt>'
        failed = ' class="fd-failed"' if row.get("failed") else ""
        out.append(f'<div class="fd-pair">{label}<dd{failed}>{value}</dd></div>')
    return "".join(out)


def card_html(sections: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(f'<section class="fd-card-section"><h3>{e(section["title"])}</h3>'
                     f'<dl>{_rows_html(section["rows"])}</dl></section>' for section in sections)


def transcript_html(lines: Optional[Sequence[Mapping[str, Any]]], time_zone: str) -> str:
    out = []
    for line in lines or []:
        speaker = line["speaker"] if line["speaker"] in SPEAKER_LABELS else "assistant"
        when = _parse_iso(line.get("at")) if isinstance(line.get("at"), str) else None
        out.append(f'<li class="fd-line fd-line--{e(speaker)}"><p class="fd-line-meta">'
                   f'<span class="fd-speaker">{e(line.get("speaker_label") or SPEAKER_LABELS[speaker])}</span> '
                   f'<time datetime="{e(line.get("at"))}">{e(local_time(when, time_zone))}</time></p>'
                   f'<p class="fd-line-text">{e(line["text"])}</p></li>')
    return "\n".join(out)


def item_state_text(view: Mapping[str, Any], time_zone: str) -> str:
    since = local_time(_parse_iso(view["created_at"]), time_zone, with_day=True)
    if view["status"] == "closed":
        state = "Closed"
    elif view["status"] == "claimed":
        state = "Claimed by you: the assistant relays the person's messages here" if view["claimed_by_me"] else \
            f"Claimed by {view['claimed_by_name']}"
    else:
        state = "Waiting for the front desk; the assistant is answering"
    return f"{state}. Opened {since} ({view['age_text']} ago) \u00b7 {view['channel_label']} \u00b7 " + \
        f"{_language_text(view)} \u00b7 " + "; ".join(view["reason_labels"])


def _language_text(view: Mapping[str, Any]) -> str:
    """'Writes in Spanish' for the item's header: the language to reply and call back in."""
    return f"Writes in {view['language_label']}" if view.get("language") else "Language not known"


def follow_up_line(task: Optional[Mapping[str, Any]]) -> str:
    """The item's follow-up task: waiting (with its button) or done by whom."""
    if not task:
        return '<p id="fd-item-follow-up" class="fd-state" hidden></p>'
    if task.get("done_at"):
        return (f'<p id="fd-item-follow-up" class="fd-state">Follow-up done by '
                f'{e(task.get("done_by_name") or "staff")}.</p>')
    return (f'<p id="fd-item-follow-up" class="fd-state">Follow-up after this crisis: not done yet. '
            f'<button type="button" class="fd-button fd-button--quiet fd-follow-up-done" '
            f'data-follow-up-id="{e(task["id"])}">Mark follow-up done</button></p>')


def item_page(clinic_name: str, time_zone: str, staff: SignedIn, view: Mapping[str, Any],
              sections: Sequence[Mapping[str, Any]], transcript: Optional[Sequence[Mapping[str, Any]]],
              transcript_error: Optional[str], deliveries: Sequence[Mapping[str, Any]],
              failed_lines: Sequence[Mapping[str, Any]], follow_up: Optional[Mapping[str, Any]] = None) -> str:
    closed = view["status"] == "closed"
    ack_disabled = "" if view.get("needs_acknowledgement") else " disabled"
    ack_text = acknowledgement_text(view, time_zone)
    ack_hidden = "" if ack_text else " hidden"
    ack_class = " fd-error" if view.get("needs_acknowledgement") else ""
    mine = view["claimed_by_me"]
    claim_disabled = " disabled" if closed or view["status"] == "claimed" else ""
    mine_disabled = "" if mine else " disabled"
    close_disabled = " disabled" if closed else ""
    error_hidden = "" if transcript_error else " hidden"
    deliveries_html = (f'<dl>{_rows_html(deliveries)}</dl>' if deliveries
                       else '<p class="fd-hint">No alerts were sent for this item.</p>')
    return f"""{_head(f"Item #{view['id']}: front desk", staff.csrf_token)}
<body class="fd" data-page="item" data-item-id="{e(view["id"])}" data-time-zone="{e(time_zone)}">
{_header(clinic_name, staff)}
{_banner(failed_lines)}
<main id="main">
<p class="fd-back"><a href="/frontdesk/">Back to the queue</a></p>
<div class="fd-item-bar">
<div class="fd-item-head">
<h1>Item #{e(view["id"])} {_priority_badge(view, "fd-item-priority")}</h1>
<p id="fd-item-state" class="fd-state">{e(item_state_text(view, time_zone))}</p>
<p id="fd-item-ack" class="fd-state{ack_class}"{ack_hidden}>{e(ack_text)}</p>
{follow_up_line(follow_up)}
</div>
<div class="fd-actions" role="group" aria-label="What to do with this conversation">
<button type="button" id="fd-claim" class="fd-button fd-button--primary"{claim_disabled}>Claim: take over the chat</button>
<button type="button" id="fd-acknowledge" class="fd-button"{ack_disabled}>Acknowledge: I am on it</button>
<button type="button" id="fd-handback" class="fd-button"{mine_disabled}>Hand back to the assistant</button>
<button type="button" id="fd-close" class="fd-button fd-button--danger"{close_disabled}>Close the item</button>
</div>
</div>
<div class="fd-messages">
<p id="fd-action-error" class="fd-error" role="alert" hidden></p>
<p id="fd-action-done" class="fd-done" role="status"></p>
<noscript><p class="fd-error">Claiming, replying and closing need JavaScript.</p></noscript>
</div>
<div class="fd-columns">
<section class="fd-panel fd-conversation" aria-labelledby="fd-transcript-title">
<h2 id="fd-transcript-title">Conversation</h2>
<p id="fd-transcript-error" class="fd-error"{error_hidden}>{e(transcript_error)}</p>
<ol id="fd-transcript" class="fd-transcript" aria-label="Messages, oldest first">
{transcript_html(transcript, time_zone)}
</ol>
<form id="fd-reply-form" class="fd-reply">
<label for="fd-reply">Message to the person</label>
<textarea id="fd-reply" name="text" rows="2" maxlength="{MAX_REPLY_CHARS}" aria-describedby="fd-reply-help"{mine_disabled}></textarea>
<div class="fd-reply-row">
<p id="fd-reply-help" class="fd-hint">Sent on their channel ({e(view["channel_label"])}) as the front desk.
Only the staff member holding the conversation writes. At most {MAX_REPLY_CHARS} characters: <span id="fd-reply-count">0</span> used.</p>
<button type="submit" id="fd-reply-send" class="fd-button fd-button--primary"{mine_disabled}>Send</button>
</div>
</form>
</section>
<aside class="fd-panel fd-side" aria-labelledby="fd-card-title">
<h2 id="fd-card-title">Summary</h2>
<div id="fd-card">
{card_html(sections)}
</div>
<h2 id="fd-deliveries-title">Alerts to the desk</h2>
<div id="fd-deliveries">{deliveries_html}</div>
</aside>
</div>
</main>
</body></html>"""


KIND_LABELS = {"unsure": "not sure which topic", "other_health": "health question outside our topics",
               "clinic": "about the clinic"}


def unanswered_page(clinic_name: str, time_zone: str, staff: SignedIn, groups: Sequence[Any], days: int,
                    total: int) -> str:
    """Questions the assistant could not answer (intake.faq.unanswered), grouped by similarity."""
    rows = []
    for group in groups:
        examples = "".join(f"<li>{e(text)}</li>" for text in group.examples)
        kinds = ", ".join(KIND_LABELS.get(kind, kind) for kind in group.kinds)
        rows.append(f'<tr class="fd-unanswered-group"><td class="fd-count">{e(group.count)}</td>'
                    f'<td><ul class="fd-examples">{examples}</ul></td><td>{e(kinds)}</td>'
                    f'<td>{e(", ".join(group.offered))}</td>'
                    f'<td>{e(local_time(group.last_asked, time_zone, with_day=True))}</td></tr>')
    empty = "" if groups else " hidden"
    return f"""{_head("Unanswered questions: front desk", staff.csrf_token)}
<body class="fd" data-page="unanswered" data-time-zone="{e(time_zone)}">
{_header(clinic_name, staff)}
<main id="main">
<h1>Questions the assistant could not answer</h1>
<p class="fd-hint">The last {e(days)} days: {e(total)} question(s) in {e(len(groups))} group(s) of similar
wording, the most asked first. Phone numbers and email addresses were removed before they were stored.
Use this to see what people want to know that the assistant does not answer.</p>
<table class="fd-queue fd-unanswered">
<caption>Similar questions grouped together.</caption>
<thead><tr><th scope="col">Times</th><th scope="col">Examples</th><th scope="col">Why not answered</th>
<th scope="col">Offered instead</th><th scope="col">Last asked</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody>
</table>
<p class="fd-empty"{empty}>No unanswered questions in this period.</p>
</main>
</body></html>"""


def forbidden_page(message: str) -> str:
    return f"""{_head("Refused: front desk")}
<body class="fd"><main id="main"><h1>Refused</h1><p>{e(message)}</p>
<p><a href="/frontdesk/">Back to the console</a></p></main></body></html>"""
