"""Settings of the front-desk alerts: the `notifications:` section of the clinic file plus secrets.

Secrets never live in the file: the webhook URL (its path is the token) and the SMTP login come from
the environment. Tests and tools build a `NotificationSettings` themselves and pass it in.

    INTAKE_ALERT_WEBHOOK_URL   Slack-compatible incoming webhook (JSON POST)
    INTAKE_SMTP_HOST           SMTP server; email is sent only when this and `email_to` are set
    INTAKE_SMTP_PORT           default 587 with STARTTLS, else 25
    INTAKE_SMTP_USERNAME       log in when set
    INTAKE_SMTP_PASSWORD
    INTAKE_SMTP_STARTTLS       1 (default) or 0
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
class NotificationSettings:
    """Everything the alerts need. `webhook_url` is a secret: not in repr, never logged or stored."""

    console_url: str = DEFAULT_CONSOLE_URL
    time_zone: str = "America/Los_Angeles"
    attempts: int = 5  # attempts per delivery, the first included
    backoff_seconds: float = 2.0  # wait before the second attempt; doubled after each failure
    timeout_seconds: float = 10.0  # per HTTP request / per SMTP operation
    # A row being sent is leased this long; a row left 'sending' by a crashed process is retried after it.
    lease_seconds: float = 300.0
    webhook_url: Optional[str] = field(default=None, repr=False)
    smtp: Optional[SmtpSettings] = None

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("notifications.attempts must be at least 1")
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
    def webhook_host(self) -> str:
        """The webhook's host only (its path carries the token)."""
        return webhook_host(self.webhook_url or "")

    def destination(self, target: str) -> str:
        if target == "webhook":
            return self.webhook_host
        if target == "email" and self.smtp is not None:
            return self.smtp.destination
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


def notification_settings(section: Optional[Mapping[str, Any]] = None, environ: Optional[Mapping[str, str]] = None,
                          time_zone: Optional[str] = None) -> NotificationSettings:
    """Settings from a `notifications:` section (default: the clinic file's) and an environment (default: os.environ)."""
    if section is None or time_zone is None:
        from intake.settings import settings

        if section is None:
            section = settings().section("notifications")
        if time_zone is None:
            time_zone = settings().clinic.time_zone
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
        webhook_url=(env.get("INTAKE_ALERT_WEBHOOK_URL") or "").strip() or None,
        smtp=smtp,
    )
