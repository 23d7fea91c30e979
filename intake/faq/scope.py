"""Which health subject outside the FAQ's topics a message names, if any, and whether it is a
practical question about the clinic (outside_subjects.yml).

The learned classifier knows the outside questions it was trained on; it cannot know every
medicine, diagnosis or therapy by name. A message that names one ("what does seroquel do", "is
TMS covered") and nothing of the clinic's own (ketamine, PTSD, trauma, the clinic's treatment)
is a question about something else, whatever its shape, so it is never answered from the FAQ.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Pattern

import yaml

SUBJECTS_FILE = Path(__file__).with_name("outside_subjects.yml")
KINDS = ("medications", "diagnoses", "therapies", "programmes")


def _alternation(terms: Iterable[str]) -> Pattern[str]:
    words = sorted({term.strip().lower() for term in terms if term and term.strip()}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(word) for word in words) + r")(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class OutsideSubjects:
    anchors: Pattern[str]
    subjects: Pattern[str]
    clinic_questions: Optional[Pattern[str]] = None

    def is_clinic_question(self, text: str) -> bool:
        """A practical question about the clinic itself (its hours, parking, access)."""
        return bool(self.clinic_questions and self.clinic_questions.search(text or ""))

    def names_own_subject(self, text: str) -> bool:
        """Names something of the clinic's own: ketamine, PTSD, trauma, its treatment, the clinic."""
        return bool(self.anchors.search(text or ""))

    def find(self, text: str) -> Optional[str]:
        """The outside subject named, when no anchor is named too; else None."""
        text = text or ""
        if self.anchors.search(text):
            return None
        found = self.subjects.search(text)
        return found.group(0).lower() if found else None


@lru_cache(maxsize=4)
def outside_subjects(path: Path = SUBJECTS_FILE) -> OutsideSubjects:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    subjects = [term for kind in KINDS for term in raw.get(kind) or []]
    clinic = raw.get("clinic_questions") or []
    return OutsideSubjects(anchors=_alternation(raw.get("anchors") or []), subjects=_alternation(subjects),
                           clinic_questions=re.compile("|".join(f"(?:{p})" for p in clinic), re.IGNORECASE)
                           if clinic else None)
