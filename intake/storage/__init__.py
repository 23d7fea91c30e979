"""The app database (screenings, alerts, bookings; later handoffs) through SQLAlchemy 1.4."""
from intake.storage.db import database, session_scope
from intake.storage.models import Alert, Booking, Screening

__all__ = ["Alert", "Booking", "Screening", "database", "session_scope"]
