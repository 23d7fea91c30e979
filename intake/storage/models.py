"""Tables of the app database. Health answers are stored for the clinician, nothing more."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, DateTime, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Alert(Base):
    """Something the front desk must see: a crisis message or a positive safety screen."""

    __tablename__ = "alerts"

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    conversation_id = Column(String(128), nullable=False, index=True)
    source = Column(String(32), nullable=False)  # "crisis_message", "crisis_not_safe", "asq"
    category = Column(String(32), nullable=False)  # risk category or ASQ triage
    handling = Column(String(32), nullable=True)  # self, third_party, past_attempt
    triage = Column(String(32), nullable=True)
    priority = Column(String(16), nullable=False)  # "urgent" or "high"
    status = Column(String(16), nullable=False, default="new")
    channel = Column(String(32), nullable=True)


class Screening(Base):
    """One completed or partial run of a screening instrument."""

    __tablename__ = "screenings"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    instrument = Column(String(32), nullable=False)
    version = Column(String(32), nullable=False)
    answers = Column(JSON, nullable=False, default=dict)
    score = Column(Integer, nullable=True)
    triage = Column(String(32), nullable=True)
    flags = Column(JSON, nullable=False, default=list)
    completed = Column(Integer, nullable=False, default=0)
    started_at = Column(DateTime(timezone=True), nullable=False, default=utc_now)
    finished_at = Column(DateTime(timezone=True), nullable=True)
