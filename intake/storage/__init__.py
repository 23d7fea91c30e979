"""The app database (screenings, alerts, bookings, SMS contacts; later handoffs) through SQLAlchemy 1.4."""
from intake.storage.db import database, session_scope
from intake.storage.models import Alert, Booking, Screening, SmsContact

__all__ = ["Alert", "Booking", "Screening", "SmsContact", "database", "session_scope"]
