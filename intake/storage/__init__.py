"""The app database (screenings, alerts; later bookings and handoffs) through SQLAlchemy 1.4."""
from intake.storage.db import database, session_scope
from intake.storage.models import Alert, Screening

__all__ = ["Alert", "Screening", "database", "session_scope"]
