"""Alerts to the front desk for urgent and high handoff items: a Slack-compatible webhook and email;
and the escalation of an urgent item nobody acknowledged to the on-call contact (text and email).

    notify_handoff(item_id)      rows per configured target, delivered in a background thread
    escalate_due()               urgent items not acknowledged in time -> on-call rows (the web app's sweep)
    deliver_due()                the sweep (the web app runs it every 15 s) for rows a crash left behind
    deliveries_for(item_id)      an item's alerts, for the console card
    failed_deliveries()          alerts that gave up, for the console's banner

Alerts carry no personal details: priority, reasons, channel, item number, time and the console link.
"""
from intake.notifications.config import (EscalationSettings, NotificationSettings, SmtpSettings, TwilioSettings,
                                         notification_settings)
from intake.notifications.escalation import escalate_due, escalated_items, escalation_of
from intake.notifications.service import (create_deliveries, deliver_due, deliveries_for, failed_deliveries,
                                          notify_handoff)

__all__ = ["EscalationSettings", "NotificationSettings", "SmtpSettings", "TwilioSettings", "create_deliveries",
           "deliver_due", "deliveries_for", "escalate_due", "escalated_items", "escalation_of", "failed_deliveries",
           "notification_settings", "notify_handoff"]
