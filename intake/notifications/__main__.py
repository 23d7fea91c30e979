"""Front-desk alerts from the command line.

    python -m intake.notifications check     # send a test alert to every configured target now
    python -m intake.notifications check --on-call   # ... and to the on-call contact (text, email)
    python -m intake.notifications failed    # alerts that gave up (items still open; --all for every item)
    python -m intake.notifications sweep     # escalate urgent items nobody acknowledged in time, then one
                                             # attempt for every due alert (the web app does this every 15 s)

The test alert names no conversation; the check prints each target's host or recipients, never the
webhook URL or a password.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone
from typing import List, Optional

from intake.notifications.config import NotificationSettings, notification_settings
from intake.notifications.delivery import DeliveryError, send_alert
from intake.notifications.message import AlertFacts
from intake.notifications.escalation import escalate_due, unreachable_reason
from intake.notifications.service import deliver_due, failed_deliveries


def check(config: NotificationSettings, on_call: bool = False) -> int:
    """Send a test alert to each target (with `on_call`, the on-call contact's too); 0 when all took it."""
    if not config.targets:
        print("No alert target configured: set INTAKE_ALERT_WEBHOOK_URL, or INTAKE_SMTP_HOST "
              "(with notifications.email_to in the clinic file).")
        return 1
    if on_call and not config.on_call_targets:
        print(f"The on-call contact cannot be reached: {unreachable_reason(config)}.")
        return 1
    facts = AlertFacts(handoff_id=0, priority="test", reasons=("test",), channel=None,
                       created_at=datetime.now(timezone.utc), unacknowledged_minutes=config.escalation.after_minutes)
    failures = 0
    for target in config.targets + (config.on_call_targets if on_call else ()):
        try:
            send_alert(target, facts, config)
            print(f"{target} ({config.destination(target)}): sent")
        except DeliveryError as error:
            failures += 1
            print(f"{target} ({config.destination(target)}): FAILED: {error}")
    return 1 if failures else 0


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m intake.notifications", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["check", "failed", "sweep"])
    parser.add_argument("--all", action="store_true", help="failed: include closed items")
    parser.add_argument("--on-call", action="store_true", help="check: also text and email the on-call contact")
    parser.add_argument("--database-url", default=None, help="app database (default: the configured one)")
    args = parser.parse_args(argv)
    config = notification_settings()
    if args.command == "check":
        return check(config, args.on_call)
    if args.command == "sweep":
        escalated = escalate_due(args.database_url, config)
        if escalated:
            print(f"escalated to the on-call contact: {', '.join(f'#{item}' for item in escalated)}")
        print(f"{deliver_due(args.database_url, config)} alert(s) sent")
        return 0
    rows = failed_deliveries(args.database_url, include_closed=args.all)
    for row in rows:
        print(f"item #{row['handoff_id']:<5} {row['priority']:<6} {row['target']:<13} {row['destination']:<30} "
              f"{row['attempts']} attempt(s), {row['updated_at']:%Y-%m-%d %H:%M} UTC: {row['last_error']}")
    if not rows:
        print("No failed alerts.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
