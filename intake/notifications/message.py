"""The alert itself: what a webhook (Slack-compatible JSON) and an email say about one handoff item.

Alerts go to third parties (a chat service, an email provider), so they carry no names, phone
numbers, email addresses, conversation ids or message text: only the priority, the reasons in plain
words, the channel, the language to call in, the item number, when it was raised (clinic time) and
the console link. Staff sign in to the console to see who it is.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Dict, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from intake.language import NAMES_FOR_STAFF
from intake.notifications.config import NotificationSettings, SmtpSettings

REASON_WORDS = {
    "crisis": "crisis message",
    "crisis_opted_out": "crisis text from an opted-out SMS number (call, do not text)",
    "asq_positive_answer": "a yes to a safety-screen question (ASQ), acuity not yet known",
    "asq_acute": "acute positive safety screen (ASQ)",
    "asq_non_acute": "non-acute positive safety screen (ASQ)",
    "asked_for_human": "asked for a person",
    "repeated_fallback": "the assistant could not answer twice in a row",
    "booking": "finished a booking request",
    "test": "a test of the alert setup (no conversation)",
}
CHANNEL_WORDS = {"socketio": "web chat", "sms": "SMS", "rest": "REST API"}


@dataclass(frozen=True)
class AlertFacts:
    """The only facts an alert may carry. Built from the handoff row, nothing else."""

    handoff_id: int
    priority: str
    reasons: Tuple[str, ...]
    channel: Optional[str]
    created_at: datetime  # aware, or naive UTC as SQLite returns it
    # Set for an escalation to the on-call contact: the wait that nobody at the desk answered.
    unacknowledged_minutes: Optional[float] = None
    language: Optional[str] = None  # the conversation's: whoever calls back calls in it


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; SQLite returns the stored UTC time without its zone."""
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def reason_words(reasons: Sequence[str]) -> str:
    words = [REASON_WORDS.get(reason, str(reason).replace("_", " ")) for reason in reasons]
    return "; ".join(words) if words else "not given"


def spoken(facts: AlertFacts) -> Optional[str]:
    """The conversation's language by name ("Spanish"); None for items from before it was kept."""
    return NAMES_FOR_STAFF.get(facts.language or "")


def language_words(facts: AlertFacts) -> str:
    """'Spanish: call and write in Spanish'."""
    name = spoken(facts)
    return f"{name}: call and write in {name}" if name else "not known (look at the conversation)"


def channel_words(channel: Optional[str]) -> str:
    return CHANNEL_WORDS.get(channel or "", channel or "unknown")


def raised_words(created_at: datetime, time_zone: str, now: Optional[datetime] = None) -> str:
    """'Mon, Nov 30 at 10:42 AM PST (Los Angeles time), 3 min ago' in the clinic's time zone."""
    local = as_utc(created_at).astimezone(ZoneInfo(time_zone))
    hour = local.strftime("%I:%M %p").lstrip("0")
    place = time_zone.split("/")[-1].replace("_", " ")
    text = f"{local.strftime('%a, %b')} {local.day} at {hour} {local.strftime('%Z')} ({place} time)"
    minutes = int((as_utc(now or datetime.now(timezone.utc)) - as_utc(created_at)).total_seconds() // 60)
    if minutes >= 1:
        age = f"{minutes} min" if minutes < 120 else f"{minutes // 60} h {minutes % 60} min"
        text += f", {age} ago"
    return text


def subject(facts: AlertFacts) -> str:
    """'[URGENT] Front-desk handoff #12'."""
    return f"[{facts.priority.upper()}] Front-desk handoff #{facts.handoff_id}"


def alert_lines(facts: AlertFacts, config: NotificationSettings, now: Optional[datetime] = None) -> Dict[str, str]:
    return {
        "Priority": facts.priority.upper(),
        "Why": reason_words(facts.reasons),
        "Channel": channel_words(facts.channel),
        "Language": language_words(facts),
        "Raised": raised_words(facts.created_at, config.time_zone, now),
        "Open": config.item_link(facts.handoff_id) if facts.handoff_id else config.console_url,
    }


def plain_text(facts: AlertFacts, config: NotificationSettings, now: Optional[datetime] = None) -> str:
    """The alert as plain text (the email body, the webhook's fallback text)."""
    lines = alert_lines(facts, config, now)
    body = [f"{subject(facts)}: a conversation needs the front desk.", ""]
    body += [f"{label}: {value}" for label, value in lines.items()]
    body += ["", "Sign in to the console to see the conversation. This alert carries no personal details."]
    return "\n".join(body)


def _mrkdwn(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_payload(facts: AlertFacts, config: NotificationSettings, now: Optional[datetime] = None) -> Dict[str, Any]:
    """Slack-compatible incoming-webhook JSON: a fallback `text` and header/section `blocks`."""
    lines = alert_lines(facts, config, now)
    link = lines.pop("Open")
    name = spoken(facts)
    where = f"{lines['Channel']}, {name}" if name else lines["Channel"]
    summary = _mrkdwn(f"{subject(facts)}: {lines['Why']} ({where}).") + f" Open: {link}"
    details = "\n".join(f"*{label}:* {_mrkdwn(value)}" for label, value in lines.items())
    return {
        "text": summary,
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": subject(facts)[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": details}},
            {"type": "section", "text": {"type": "mrkdwn",
                                         "text": f"<{link}|Open item #{facts.handoff_id} in the console>"}},
        ],
    }


def email_message(facts: AlertFacts, config: NotificationSettings, smtp: SmtpSettings,
                  now: Optional[datetime] = None) -> EmailMessage:
    """A plain-text email to the configured recipients."""
    message = EmailMessage()
    message["Subject"] = subject(facts)
    message["From"] = smtp.email_from
    message["To"] = ", ".join(smtp.email_to)
    message["Date"] = format_datetime(as_utc(now or datetime.now(timezone.utc)))
    domain = smtp.email_from.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("handoff", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(plain_text(facts, config, now) + "\n")
    return message


# -- escalation to the on-call contact -----------------------------------------------------------
def _minutes(value: Optional[float]) -> str:
    return f"{value:g} min" if value is not None else "the set time"


def on_call_text(facts: AlertFacts, config: NotificationSettings) -> str:
    """The text to the on-call contact: short (it is an SMS), no personal details, the console link."""
    name = spoken(facts)
    language = f", call in {name}" if name else ""
    return (f"URGENT: front-desk item #{facts.handoff_id} ({reason_words(facts.reasons)}, "
            f"{channel_words(facts.channel)}{language}) has not been acknowledged for "
            f"{_minutes(facts.unacknowledged_minutes)}. Open: {config.item_link(facts.handoff_id)}")


def on_call_email(facts: AlertFacts, config: NotificationSettings, smtp: SmtpSettings, to: str,
                  now: Optional[datetime] = None) -> EmailMessage:
    """The email to the on-call contact: the alert's facts and why it reached them."""
    message = EmailMessage()
    message["Subject"] = f"[ESCALATED] Urgent front-desk item #{facts.handoff_id} not acknowledged"
    message["From"] = smtp.email_from
    message["To"] = to
    message["Date"] = format_datetime(as_utc(now or datetime.now(timezone.utc)))
    domain = smtp.email_from.rpartition("@")[2] or None
    message["Message-ID"] = make_msgid("escalation", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    lines = alert_lines(facts, config, now)
    body = [f"Nobody at the front desk acknowledged this urgent item within "
            f"{_minutes(facts.unacknowledged_minutes)}, so it comes to you as the on-call contact.", ""]
    body += [f"{label}: {value}" for label, value in lines.items()]
    body += ["", "Open the console, acknowledge the item, and act on it. This message carries no personal details."]
    message.set_content("\n".join(body) + "\n")
    return message
