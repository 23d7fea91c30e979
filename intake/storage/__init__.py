"""The app database (screenings, alerts, bookings, SMS contacts, handoffs, staff) through SQLAlchemy 1.4."""
from intake.storage.db import database, session_scope
from intake.storage.models import (Alert, Booking, Escalation, FollowUp, Handoff, NotificationDelivery, Screening,
                                   SignInThrottle, SmsContact, StaffAccount, StaffRead, StaffSession,
                                   UnansweredQuestion)

__all__ = ["Alert", "Booking", "Escalation", "FollowUp", "Handoff", "NotificationDelivery", "Screening",
           "SignInThrottle", "SmsContact", "StaffAccount", "StaffRead", "StaffSession", "UnansweredQuestion",
           "database", "session_scope"]
