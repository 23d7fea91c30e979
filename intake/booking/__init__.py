"""Consultation booking: the clinic schedule, free-text times, contact details, and the bookings
themselves (one slot is never given twice)."""
