"""Sending alerts (webhook POST, SMTP) and the life of a delivery row, with retries and backoff.

A row (notification_deliveries) moves pending -> sending -> sent, or back to pending with a later
`next_attempt_at` after a failed attempt, or failed after the last attempt (or at once when the
error cannot be fixed by waiting: a 404 webhook, a refused SMTP login, ...).

Every attempt first claims its row with one conditional UPDATE (pending, or a 'sending' row whose
lease ran out, and due), and checks that exactly one row changed. Whoever claims sends; everyone
else leaves the row alone, so the background thread of the process that raised the item and the
web app's sweep (`deliver_due`) never send one row twice, even on several machines.

Errors kept in `last_error` and logged are short and free of secrets: a webhook is named by its
host only (its path is the token), and no password or message text appears.
"""
from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence, Tuple

import requests
from sqlalchemy import case, or_, select, update

from intake.notifications.config import NotificationSettings, SmtpSettings, TwilioSettings, webhook_host
from intake.notifications.message import AlertFacts, email_message, on_call_email, on_call_text, webhook_payload
from intake.storage import Escalation, Handoff, NotificationDelivery, session_scope

logger = logging.getLogger(__name__)

RETRYABLE_HTTP = {408, 425, 429}
MAX_ERROR_CHARS = 300


class DeliveryError(Exception):
    """One failed attempt. `permanent`: waiting will not help, so no more attempts are made."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def redact(text: str, url: Optional[str]) -> str:
    """Remove a webhook URL, and its path and query (the token), from a text."""
    if not url:
        return text
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        secrets = [url, parts.path if len(parts.path) > 1 else "", parts.query]
    except ValueError:
        secrets = [url]
    for secret in sorted(filter(None, secrets), key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return text


# --- transports ---------------------------------------------------------------------------------

def send_webhook(url: str, payload: dict, timeout: float) -> None:
    """POST the JSON payload. Raises DeliveryError with a message that names the host only."""
    host = webhook_host(url)
    try:
        response = requests.post(url, json=payload, timeout=timeout, allow_redirects=False,
                                 headers={"User-Agent": "intake-assistant-alerts"})
    except (requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
            requests.exceptions.InvalidURL, ValueError):
        raise DeliveryError("INTAKE_ALERT_WEBHOOK_URL is not a valid http(s) URL", permanent=True) from None
    except requests.exceptions.Timeout:
        raise DeliveryError(f"no answer from {host} within {timeout:g} s") from None
    except requests.exceptions.ConnectionError:
        raise DeliveryError(f"could not connect to {host}") from None
    except requests.exceptions.RequestException as error:
        raise DeliveryError(f"{type(error).__name__} while posting to {host}") from None
    status = response.status_code
    if 200 <= status < 300:
        return
    body = " ".join((response.text or "").split())[:80]
    detail = f"HTTP {status} from {host}" + (f": {redact(body, url)}" if body else "")
    if 300 <= status < 400:
        raise DeliveryError(detail + " (redirects are not followed)", permanent=True)
    raise DeliveryError(detail, permanent=400 <= status < 500 and status not in RETRYABLE_HTTP)


def _smtp_text(raw) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:120]


def send_email(smtp: SmtpSettings, message, timeout: float) -> Optional[str]:
    """Send one email. Returns a note when some (not all) recipients were refused, else None."""
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as client:
            client.ehlo()
            if smtp.starttls:
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        answers = "; ".join(f"{address}: {code} {_smtp_text(text)}"
                            for address, (code, text) in error.recipients.items())
        raise DeliveryError(f"recipients refused by {smtp.host}: {answers}"[:MAX_ERROR_CHARS],
                            permanent=all(code >= 500 for code in codes)) from None
    except smtplib.SMTPAuthenticationError as error:
        raise DeliveryError(f"SMTP login refused by {smtp.host} ({error.smtp_code})", permanent=True) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"{smtp.host} does not offer STARTTLS or AUTH", permanent=True) from None
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(f"SMTP {error.smtp_code} from {smtp.host}: {_smtp_text(error.smtp_error)}",
                            permanent=error.smtp_code >= 500) from None
    except ssl.SSLCertVerificationError:
        raise DeliveryError(f"the TLS certificate of {smtp.host} could not be verified", permanent=True) from None
    except (smtplib.SMTPException, OSError) as error:
        if isinstance(error, (socket.timeout, TimeoutError)):
            raise DeliveryError(f"no answer from {smtp.host} within {timeout:g} s") from None
        if isinstance(error, ConnectionRefusedError):
            raise DeliveryError(f"could not connect to {smtp.host}:{smtp.port}") from None
        raise DeliveryError(f"{type(error).__name__} with {smtp.host}: {_smtp_text(error)}") from None
    if refused:
        return "some recipients refused: " + ", ".join(sorted(refused))
    return None


def send_text(twilio: TwilioSettings, to: str, body: str, timeout: float) -> None:
    """One text through Twilio's Messages API (the clinic's SMS account). Raises DeliveryError."""
    from twilio.base.exceptions import TwilioException, TwilioRestException
    from twilio.http.http_client import TwilioHttpClient
    from twilio.rest import Client

    client = Client(twilio.account_sid, twilio.auth_token,
                    http_client=TwilioHttpClient(timeout=timeout, logger=logging.getLogger(f"{__name__}.twilio")))
    if twilio.api_base_url:
        client.api.base_url = twilio.api_base_url.rstrip("/")
    try:
        client.messages.create(to=to, from_=twilio.from_number, body=body)
    except TwilioRestException as error:
        status = int(error.status or 0)
        raise DeliveryError(f"Twilio refused the text: HTTP {status}, code {error.code}",
                            permanent=400 <= status < 500 and status not in RETRYABLE_HTTP) from None
    except requests.exceptions.Timeout:
        raise DeliveryError(f"no answer from Twilio within {timeout:g} s") from None
    except requests.exceptions.ConnectionError:
        raise DeliveryError("could not connect to Twilio") from None
    except (requests.exceptions.RequestException, TwilioException) as error:
        raise DeliveryError(f"{type(error).__name__} while texting through Twilio") from None


# --- delivery rows ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """What one attempt left behind."""

    status: str  # sent, pending (another attempt later), failed
    attempts: int
    retry_in: Optional[float] = None  # seconds, when pending


def claim(row_id: int, database_url: Optional[str], config: NotificationSettings,
          now: Optional[datetime] = None) -> Optional[int]:
    """Take a due row for one attempt; returns the attempt number, or None if someone else has it."""
    now = now or utc_now()
    with session_scope(database_url) as session:
        result = session.execute(
            update(NotificationDelivery)
            .where(NotificationDelivery.id == row_id,
                   NotificationDelivery.status.in_(("pending", "sending")),
                   or_(NotificationDelivery.next_attempt_at.is_(None), NotificationDelivery.next_attempt_at <= now))
            .values(status="sending", attempts=NotificationDelivery.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=config.lease_seconds), updated_at=now)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            return None
        return session.execute(select(NotificationDelivery.attempts)
                               .where(NotificationDelivery.id == row_id)).scalar_one()


def _load(row_id: int, database_url: Optional[str]) -> Tuple[str, str, Optional[AlertFacts]]:
    with session_scope(database_url) as session:
        row = session.get(NotificationDelivery, row_id)
        item = session.get(Handoff, row.handoff_id)
        escalation = session.execute(select(Escalation.after_minutes)
                                     .where(Escalation.handoff_id == row.handoff_id)).scalar_one_or_none()
        facts = None if item is None else AlertFacts(
            handoff_id=item.id, priority=row.priority, reasons=tuple(item.reasons or ()),
            channel=item.channel, created_at=item.created_at, unacknowledged_minutes=escalation,
            language=item.language)
        return row.target, row.destination, facts


def send_alert(target: str, facts: AlertFacts, config: NotificationSettings,
               destination: Optional[str] = None) -> Optional[str]:
    """Send one alert to one target now (no row, no retry). Raises DeliveryError.

    The on-call targets go to the row's `destination` (the contact when it was escalated)."""
    if target == "on_call_sms":
        if config.twilio is None:
            raise DeliveryError("no Twilio account is configured now (TWILIO_*)", permanent=True)
        send_text(config.twilio, destination or config.destination(target), on_call_text(facts, config),
                  config.timeout_seconds)
        return None
    if target == "on_call_email":
        if config.smtp is None:
            raise DeliveryError("no SMTP server is configured now (INTAKE_SMTP_HOST)", permanent=True)
        to = destination or config.destination(target)
        return send_email(config.smtp, on_call_email(facts, config, config.smtp, to), config.timeout_seconds)
    if target == "webhook":
        if not config.webhook_url:
            raise DeliveryError("no webhook is configured now (INTAKE_ALERT_WEBHOOK_URL)", permanent=True)
        send_webhook(config.webhook_url, webhook_payload(facts, config), config.timeout_seconds)
        return None
    if target == "email":
        if config.smtp is None:
            raise DeliveryError("no SMTP server is configured now (INTAKE_SMTP_HOST)", permanent=True)
        return send_email(config.smtp, email_message(facts, config, config.smtp), config.timeout_seconds)
    raise DeliveryError(f"unknown target {target!r}", permanent=True)


def _finish(row_id: int, attempt: int, database_url: Optional[str], values: dict) -> bool:
    """Record the attempt's result, if the row is still ours (same attempt, still sending)."""
    with session_scope(database_url) as session:
        result = session.execute(
            update(NotificationDelivery)
            .where(NotificationDelivery.id == row_id, NotificationDelivery.status == "sending",
                   NotificationDelivery.attempts == attempt)
            .values(updated_at=utc_now(), **values)
            .execution_options(synchronize_session=False))
        return result.rowcount == 1


def attempt_delivery(row_id: int, database_url: Optional[str], config: NotificationSettings) -> Optional[Outcome]:
    """One attempt at one row: claim, send, record. None when the row was not ours to send (not due,
    done, or claimed by another thread or process). Never raises for a delivery failure."""
    attempt = claim(row_id, database_url, config)
    if attempt is None:
        return None
    target, destination, facts = _load(row_id, database_url)
    item = facts.handoff_id if facts else "?"
    note = None
    try:
        if facts is None:
            raise DeliveryError("the handoff item no longer exists", permanent=True)
        note = send_alert(target, facts, config, destination)
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the row, never raised
        if isinstance(error, DeliveryError):
            message, permanent = str(error), error.permanent
        else:
            logger.error("alert %d (%s) for item #%s: unexpected %s", row_id, target, item, type(error).__name__)
            message, permanent = f"unexpected {type(error).__name__}", False
        message = redact(message, config.webhook_url)[:MAX_ERROR_CHARS]
        if permanent or attempt >= config.attempts:
            _finish(row_id, attempt, database_url,
                    {"status": "failed", "last_error": message, "next_attempt_at": None})
            logger.warning("alert %d (%s) for item #%s: failed after %d attempt(s): %s",
                           row_id, target, item, attempt, message)
            return Outcome("failed", attempt)
        delay = config.backoff_after(attempt)
        _finish(row_id, attempt, database_url, {"status": "pending", "last_error": message,
                                                "next_attempt_at": utc_now() + timedelta(seconds=delay)})
        logger.warning("alert %d (%s) for item #%s: attempt %d of %d failed, next in %.3g s: %s",
                       row_id, target, item, attempt, config.attempts, delay, message)
        return Outcome("pending", attempt, retry_in=delay)
    values = {"status": "sent", "next_attempt_at": None}
    if note:
        values["last_error"] = redact(note, config.webhook_url)[:MAX_ERROR_CHARS]
    if not _finish(row_id, attempt, database_url, values):
        logger.warning("alert %d (%s) for item #%s: sent, but the row had been taken over", row_id, target, item)
    logger.info("alert %d (%s) for item #%s: sent (attempt %d)", row_id, target, item, attempt)
    return Outcome("sent", attempt)


def deliver_until_done(row_id: int, database_url: Optional[str], config: NotificationSettings) -> None:
    """Attempt, wait the backoff, attempt again ... until sent, failed, or taken by another process."""
    try:
        while True:
            outcome = attempt_delivery(row_id, database_url, config)
            if outcome is None or outcome.status != "pending":
                return
            time.sleep(outcome.retry_in or 0)
    except Exception:  # noqa: BLE001 - a background thread must not die loudly; the sweep picks the row up
        logger.exception("alert %d: delivery stopped; the sweep will retry it", row_id)


_sending_lock = threading.Lock()
_sending_now = 0


def deliver_in_background(row_id: int, database_url: Optional[str],
                          config: NotificationSettings) -> Optional[threading.Thread]:
    """Send the row in its own daemon thread, unless `config.max_sending_threads` of this process
    are already sending: then it stays pending and the sweep (`deliver_due`, every few seconds in
    the web app) sends it. None when it was left to the sweep."""
    global _sending_now
    with _sending_lock:
        if _sending_now >= config.max_sending_threads:
            logger.warning("alert %d: %d alerts are being sent already; the sweep will send this one", row_id,
                           _sending_now)
            return None
        _sending_now += 1

    def send() -> None:
        global _sending_now
        try:
            deliver_until_done(row_id, database_url, config)
        finally:
            with _sending_lock:
                _sending_now -= 1

    thread = threading.Thread(target=send, name=f"alert-delivery-{row_id}", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # the interpreter cannot start another thread: the sweep sends it
        with _sending_lock:
            _sending_now -= 1
        logger.exception("alert %d: no thread could be started; the sweep will send it", row_id)
        return None
    return thread


def due_rows(database_url: Optional[str], targets: Sequence[str], now: Optional[datetime] = None,
             limit: int = 100) -> list:
    """Ids of rows waiting for an attempt: pending and due, or 'sending' with an expired lease;
    urgent ones first (a crisis alert never waits behind others), then the longest waiting.

    Only rows of `targets` (those this process can send): a process without the webhook secret
    leaves webhook rows to one that has it instead of failing them."""
    now = now or utc_now()
    urgent_first = case((NotificationDelivery.priority == "urgent", 0), else_=1)
    with session_scope(database_url) as session:
        return list(session.execute(
            select(NotificationDelivery.id)
            .where(NotificationDelivery.status.in_(("pending", "sending")),
                   NotificationDelivery.target.in_(list(targets)),
                   or_(NotificationDelivery.next_attempt_at.is_(None), NotificationDelivery.next_attempt_at <= now))
            .order_by(urgent_first, NotificationDelivery.next_attempt_at, NotificationDelivery.id)
            .limit(limit)).scalars())
