"""Storing screenings in the app database and summarising them for the front desk.

Each run of an instrument, finished or not, is one `screenings` row: conversation id,
instrument and version, each answer, score, triage, flags and timestamps. The summary is what
the front desk sees next to a conversation; it repeats results, it never interprets them.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Sequence

from sqlalchemy import select

from intake.storage import Screening, session_scope

PRIORITY_TRIAGES = {("PC-PTSD-5", "positive"), ("ASQ", "non_acute_positive"), ("ASQ", "acute_positive")}


def record_screening(
    conversation_id: str,
    instrument: str,
    version: str,
    answers: Mapping[str, Optional[str]],
    *,
    score: Optional[int] = None,
    triage: Optional[str] = None,
    flags: Sequence[str] = (),
    completed: bool = True,
    channel: Optional[str] = None,
    database_url: Optional[str] = None,
) -> int:
    """Store one finished or partial screening; returns its id. Unanswered items are left out."""
    now = datetime.now(timezone.utc)
    with session_scope(database_url) as session:
        row = Screening(
            conversation_id=conversation_id, instrument=instrument, version=version,
            answers={k: v for k, v in answers.items() if v}, score=score, triage=triage,
            flags=list(flags), completed=int(completed), finished_at=now if completed else None,
        )
        session.add(row)
        session.flush()
        return row.id


def screenings_of(conversation_id: str, database_url: Optional[str] = None) -> List[Screening]:
    """Every stored screening of a conversation, oldest first."""
    with session_scope(database_url) as session:
        query = select(Screening).where(Screening.conversation_id == conversation_id).order_by(Screening.id)
        return list(session.execute(query).scalars())


def is_priority(results: Mapping[str, Optional[str]]) -> bool:
    """Flagged for the earliest slots: PC-PTSD-5 positive or a positive safety screen."""
    return any((instrument, triage) in PRIORITY_TRIAGES for instrument, triage in results.items())


def screening_summary(conversation_id: str, database_url: Optional[str] = None) -> Dict[str, Any]:
    """The latest result of each instrument, all flags and the priority, for the front desk."""
    latest: Dict[str, Screening] = {}
    for row in screenings_of(conversation_id, database_url):
        latest[row.instrument] = row
    instruments = {
        name: {
            "version": row.version, "score": row.score, "triage": row.triage,
            "completed": bool(row.completed), "answers": dict(row.answers or {}),
            "started_at": row.started_at.isoformat() if row.started_at else None,
            "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        }
        for name, row in latest.items()
    }
    flags = [flag for row in latest.values() for flag in (row.flags or [])]
    priority = is_priority({name: row.triage for name, row in latest.items()})
    return {"conversation_id": conversation_id, "instruments": instruments, "flags": flags, "priority": priority}


def summary_lines(summary: Mapping[str, Any]) -> List[str]:
    """The summary as short lines for a card: one per instrument, then the flags."""
    lines = []
    for name, result in summary["instruments"].items():
        score = f", score {result['score']}" if result["score"] is not None else ""
        state = "" if result["completed"] else " (not finished)"
        lines.append(f"{name}: {result['triage'] or 'no result'}{score}{state}")
    if summary["flags"]:
        lines.append("Flags for the clinician: " + "; ".join(summary["flags"]))
    if summary["priority"]:
        lines.append("Priority: offer the earliest consultation")
    return lines
