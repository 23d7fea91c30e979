"""Settings of the front-desk alerts: the `notifications:` section of the clinic file plus secrets.

Secrets never live in the file: the webhook URL (its path is the token) and the SMTP login come from
the environment. Tests and tools build a `NotificationSettings` themselves and pass it in.

    INTAKE_ALERT_WEBHOOK_URL   Slack-compatible incoming webhook (JSON POST)
    INTAKE_SMTP_HOST           SMTP server; email is sent only when this and `email_to` are set
    INTAKE_SMTP_PORT           default 587 with STARTTLS, else 25
    INTAKE_SMTP_USERNAME       log in when set
    INTAKE_SMTP_PASSWORD
    INTAKE_SMTP_STARTTLS       1 (default) or 0
    TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER, TWILIO_API_BASE_URL
                               the SMS channel's Twilio account, used to text the on-call contact

The `escalation:` section names the on-call contact and how long an urgent item may wait for an
acknowledgement before it is escalated (intake.notifications.escalation).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from intake.settings import flag

DEFAULT_CONSOLE_URL = "http://localhost:8080/frontdesk/"
NOTIFY_PRIORITIES = ("urgent", "high")


@dataclass(frozen=True)
class SmtpSettings:
    """Where alert emails go and how to reach the mail server. The password is never shown in repr."""

    host: str
    port: int
    email_from: str
    email_to: Tuple[str, ...]
    username: Optional[str] = None
    password: Optional[str] = field(default=None, repr=False)
    starttls: bool = True

    @property
    def destination(self) -> str:
        """What a delivery row records: the recipients (the clinic's own mailboxes, never a secret)."""
        return ", ".join(self.email_to)


@dataclass(frozen=True)
class TwilioSettings:
    """The clinic's Twilio account (the SMS channel's), for texts to the on-call contact."""

    account_sid: str
    auth_token: str = field(repr=False)
    from_number: str
    api_base_url: Optional[str] = None  # tests point it at a stand-in


@dataclass(frozen=True)
class EscalationSettings:
    """Who is on call, and how long an urgent item may go unacknowledged before they are told."""

    after_minutes: float = 5.0
    contact_name: str = "On-call clinician"
    phone: Optional[str] = None  # E.164, texted through Twilio
    email: Optional[str] = None  # sent through the alerts' SMTP server

    def __post_init__(self) -> None:
        if self.after_minutes <= 0:
            raise ValueError("escalation.after_minutes must be more than 0")


@dataclass(frozen=True)
class NotificationSettings:
    """Everything the alerts need. `webhook_url` is a secret: not in repr, never logged or stored."""

    console_url: str = DEFAULT_CONSOLE_URL
    time_zone: str = "America/Los_Angeles"
    attempts: int = 5  # attempts per delivery, the first included
    backoff_seconds: float = 2.0  # wait before the second attempt; doubled after each failure
    timeout_seconds: float = 10.0  # per HTTP request / per SMTP operation
    # A row being sent is leased this long; a row left 'sending' by a crashed process is retried after it.
    lease_seconds: float = 300.0
    # Deliveries being sent at once by one process (each a thread, retrying in place); more wait
    # as pending rows for the sweep, so a flood of alerts cannot exhaust the process's threads.
    max_sending_threads: int = 16
    webhook_url: Optional[str] = field(default=None, repr=False)
    smtp: Optional[SmtpSettings] = None
    escalation: EscalationSettings = field(default_factory=EscalationSettings)
    twilio: Optional[TwilioSettings] = None

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("notifications.attempts must be at least 1")
        if self.max_sending_threads < 1:
            raise ValueError("notifications.max_sending_threads must be at least 1")
        if self.backoff_seconds < 0 or self.timeout_seconds <= 0:
            raise ValueError("notifications.backoff_seconds must be >= 0 and timeout_seconds > 0")

    @property
    def targets(self) -> Tuple[str, ...]:
        """The configured targets, in delivery order: 'webhook', 'email'."""
        found = []
        if self.webhook_url:
            found.append("webhook")
        if self.smtp is not None:
            found.append("email")
        return tuple(found)

    @property
    def on_call_targets(self) -> Tuple[str, ...]:
        """How the on-call contact can be reached from this process: 'on_call_sms', 'on_call_email'."""
        found = []
        if self.escalation.phone and self.twilio is not None:
            found.append("on_call_sms")
        if self.escalation.email and self.smtp is not None:
            found.append("on_call_email")
        return tuple(found)

    @property
    def all_targets(self) -> Tuple[str, ...]:
        """Every target this process can send: the desk's and the on-call contact's."""
        return self.targets + self.on_call_targets

    @property
    def webhook_host(self) -> str:
        """The webhook's host only (its path carries the token)."""
        return webhook_host(self.webhook_url or "")

    def destination(self, target: str) -> str:
        if target == "webhook":
            return self.webhook_host
        if target == "email" and self.smtp is not None:
            return self.smtp.destination
        if target == "on_call_sms" and self.escalation.phone:
            return self.escalation.phone
        if target == "on_call_email" and self.escalation.email:
            return self.escalation.email
        raise ValueError(f"target {target!r} is not configured")

    def item_link(self, handoff_id: int) -> str:
        """The console page of one item: console_url + 'items/<id>'."""
        return f"{self.console_url.rstrip('/')}/items/{handoff_id}"

    def backoff_after(self, attempts_made: int) -> float:
        """Seconds to wait after the `attempts_made`-th failed attempt: backoff, 2x backoff, 4x ..."""
        return self.backoff_seconds * (2 ** max(attempts_made - 1, 0))


def webhook_host(url: str) -> str:
    """'hooks.slack.com' for a webhook URL; '(invalid URL)' when it has no host."""
    try:
        host = urlsplit(url).hostname
    except ValueError:
        host = None
    return host or "(invalid URL)"


def _recipients(value: Any) -> Tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    return tuple(address.strip() for address in value if str(address).strip())


def console_url(section: Optional[Mapping[str, Any]] = None) -> str:
    """Where alerts and staff messages send staff: `console_url` of a `notifications:` section
    (default: the clinic file's), else the console on the web app's public address, which
    patients' links use too, so a deployment that sets INTAKE_PUBLIC_WEB_URL never links to localhost."""
    from intake.settings import settings

    if section is None:
        section = settings().section("notifications")
    return str(section.get("console_url") or f"{settings().public_web_url}/frontdesk/")


def escalation_settings(section: Optional[Mapping[str, Any]]) -> EscalationSettings:
    """The `escalation:` section: after_minutes, and on_call with name, phone and email."""
    section = section or {}
    on_call = section.get("on_call") or {}
    defaults = EscalationSettings()
    phone = str(on_call.get("phone") or "").strip() or None
    if phone is not None:
        phone = _e164(phone)
    return EscalationSettings(
        after_minutes=float(section.get("after_minutes", defaults.after_minutes)),
        contact_name=str(on_call.get("name") or defaults.contact_name),
        phone=phone, email=str(on_call.get("email") or "").strip() or None)


def _e164(phone: str) -> str:
    """'+1 310-555-0199' -> '+13105550199'; a number that does not parse fails at start-up."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"escalation.on_call.phone is not a phone number: {phone!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def twilio_settings(env: Mapping[str, str]) -> Optional[TwilioSettings]:
    """The Twilio account from the environment, or None when any of the three is missing."""
    values = [(env.get(name) or "").strip() for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_NUMBER")]
    if not all(values):
        return None
    return TwilioSettings(*values, api_base_url=(env.get("TWILIO_API_BASE_URL") or "").strip() or None)


def notification_settings(section: Optional[Mapping[str, Any]] = None, environ: Optional[Mapping[str, str]] = None,
                          time_zone: Optional[str] = None,
                          escalation: Optional[Mapping[str, Any]] = None) -> NotificationSettings:
    """Settings from a `notifications:` and an `escalation:` section (default: the clinic file's)
    and an environment (default: os.environ)."""
    if section is None or time_zone is None or escalation is None:
        from intake.settings import settings

        if section is None:
            section = settings().section("notifications")
        if time_zone is None:
            time_zone = settings().clinic.time_zone
        if escalation is None:
            escalation = settings().section("escalation")
    env = os.environ if environ is None else environ

    smtp = None
    host = (env.get("INTAKE_SMTP_HOST") or "").strip()
    recipients = _recipients(section.get("email_to"))
    if host and recipients:
        starttls = flag(env.get("INTAKE_SMTP_STARTTLS"), True, "INTAKE_SMTP_STARTTLS")
        port_text = (env.get("INTAKE_SMTP_PORT") or "").strip()
        smtp = SmtpSettings(
            host=host, port=int(port_text) if port_text else (587 if starttls else 25),
            email_from=str(section.get("email_from") or "intake-assistant@localhost"), email_to=recipients,
            username=(env.get("INTAKE_SMTP_USERNAME") or "").strip() or None,
            password=env.get("INTAKE_SMTP_PASSWORD") or None, starttls=starttls)

    defaults = NotificationSettings()
    return NotificationSettings(
        console_url=console_url(section),
        time_zone=time_zone,
        attempts=int(section.get("attempts", defaults.attempts)),
        backoff_seconds=float(section.get("backoff_seconds", defaults.backoff_seconds)),
        timeout_seconds=float(section.get("timeout_seconds", defaults.timeout_seconds)),
        lease_seconds=float(section.get("lease_seconds", defaults.lease_seconds)),
        max_sending_threads=int(section.get("max_sending_threads", defaults.max_sending_threads)),
        webhook_url=(env.get("INTAKE_ALERT_WEBHOOK_URL") or "").strip() or None,
        smtp=smtp,
        escalation=escalation_settings(escalation),
        twilio=twilio_settings(env),
    )
