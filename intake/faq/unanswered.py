"""Questions the assistant could not answer, kept for the clinic and grouped by similarity.

Three kinds are kept: `unsure` (a question no topic fitted well enough; the closest topics or the
menu were offered), `other_health` (a health question outside PTSD and the clinic's ketamine
treatment; a clinician, the desk and public sources were offered) and `clinic` (a practical
question about the clinic; its facts and the desk were offered). Personal statements and
messages that are not health questions are not kept: they say nothing about what to answer.

The clinic reads these to see what people ask, not to contact anyone, so phone numbers and email
addresses are removed from the text (not sealed) before it is stored. Rows go with the retention
purge like everything else about a conversation.

Grouping: character n-gram TF-IDF (robust to typos), and each question joins the first group whose
first question is similar enough (cosine), newest first. Simple, deterministic, fast for the few
thousand rows a retention period holds.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import List, Optional, Sequence

from sqlalchemy import select

from intake.privacy.masking import contact_spans
from intake.storage import UnansweredQuestion, session_scope

logger = logging.getLogger(__name__)

KINDS = ("unsure", "other_health", "clinic")
REMOVED = "[contact detail removed]"
MAX_CHARS = 1000
SIMILAR = 0.45  # cosine of character n-gram TF-IDF vectors: same question in other words or typos


def without_contact_details(text: str) -> str:
    """The text with every phone number and email address replaced."""
    out, last = [], 0
    for start, end in contact_spans(text):
        out.append(text[last:start])
        out.append(REMOVED)
        last = end
    out.append(text[last:])
    return "".join(out)


def record_unanswered(conversation_id: str, channel: Optional[str], text: str, kind: str,
                      offered: Sequence[str], database_url: Optional[str] = None) -> Optional[int]:
    """Store one question; returns its id, or None when there was nothing to keep. Never raises:
    keeping a question must never cost the person their answer."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    cleaned = " ".join(without_contact_details(text or "").split())[:MAX_CHARS]
    if not cleaned:
        return None
    try:
        with session_scope(database_url) as session:
            row = UnansweredQuestion(conversation_id=conversation_id, channel=channel, text=cleaned, kind=kind,
                                     offered=list(offered)[:10])
            session.add(row)
            session.flush()
            return row.id
    except Exception:  # noqa: BLE001
        logger.exception("an unanswered question could not be stored")
        return None


@dataclass
class QuestionGroup:
    """Similar questions: how often, when last, which kinds, what was offered, some examples."""

    count: int = 0
    last_asked: Optional[datetime] = None
    kinds: List[str] = field(default_factory=list)
    offered: List[str] = field(default_factory=list)
    examples: List[str] = field(default_factory=list)


def recent_questions(days: int, database_url: Optional[str] = None, limit: int = 5000) -> List[UnansweredQuestion]:
    since = datetime.now(timezone.utc) - timedelta(days=days)
    with session_scope(database_url) as session:
        rows = list(session.execute(select(UnansweredQuestion).where(UnansweredQuestion.created_at >= since)
                                    .order_by(UnansweredQuestion.created_at.desc(), UnansweredQuestion.id.desc())
                                    .limit(limit)).scalars())
        session.expunge_all()
        return rows


def group_questions(rows: Sequence[UnansweredQuestion], similar: float = SIMILAR,
                    examples: int = 5) -> List[QuestionGroup]:
    """Rows (newest first) grouped by similarity, the largest groups first."""
    if not rows:
        return []
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [row.text.lower() for row in rows]
    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit_transform(texts)
    leaders: List[int] = []
    members: List[List[int]] = []
    for index in range(len(rows)):
        if leaders:
            scores = (vectors[leaders] @ vectors[index].T).toarray().ravel()
            best = int(scores.argmax())
            if scores[best] >= similar:
                members[best].append(index)
                continue
        leaders.append(index)
        members.append([index])
    groups = [_group([rows[i] for i in indexes], examples) for indexes in members]
    return sorted(groups, key=lambda group: (-group.count, -group.last_asked.timestamp()))


def _aware(moment: Optional[datetime]) -> Optional[datetime]:
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


def _group(rows: Sequence[UnansweredQuestion], examples: int) -> QuestionGroup:
    group = QuestionGroup(count=len(rows), last_asked=max(_aware(row.created_at) for row in rows))
    for row in rows:
        if row.kind not in group.kinds:
            group.kinds.append(row.kind)
        for option in row.offered or []:
            if option not in group.offered:
                group.offered.append(option)
        if len(group.examples) < examples and row.text not in group.examples:
            group.examples.append(row.text)
    return group
