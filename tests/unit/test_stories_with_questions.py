"""A story and a question in one message (tests/safety/stories_with_questions/, written by a helper
who saw no project file): a trauma told as history is read as history, a present danger beside a
story is still engaged, and plain distress or context is never engaged. Floors are just under the
figures of its MEASUREMENTS.md (2), so the decision cannot quietly get worse on it."""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from intake.safety.decision import HISTORY, default_judge

SET_PATH = Path(__file__).resolve().parents[1] / "safety" / "stories_with_questions" / "stories_with_questions.tsv"
RISK_ENGAGED_FLOOR = 56 / 60
HISTORY_AS_HISTORY_FLOOR = 0.82
HISTORY_ENGAGED_LIMIT = 0.06


@pytest.fixture(scope="module")
def outcomes() -> Counter:
    judge = default_judge()
    counts: Counter = Counter()
    with SET_PATH.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            decision = judge.decide(row["text"])
            counts[(row["label"], "all")] += 1
            counts[(row["label"], "engaged")] += decision.engaged
            counts[(row["label"], "history")] += decision.outcome == HISTORY
    return counts


def test_the_set_is_whole(outcomes):
    assert [outcomes[(label, "all")] for label in ("history", "risk", "distress", "none")] == [120, 60, 30, 30]


def test_a_present_danger_beside_a_story_is_engaged(outcomes):
    assert outcomes[("risk", "engaged")] / outcomes[("risk", "all")] >= RISK_ENGAGED_FLOOR


def test_a_trauma_told_as_history_with_a_question_is_read_as_history(outcomes):
    assert outcomes[("history", "history")] / outcomes[("history", "all")] >= HISTORY_AS_HISTORY_FLOOR
    assert outcomes[("history", "engaged")] / outcomes[("history", "all")] <= HISTORY_ENGAGED_LIMIT


def test_distress_or_context_with_a_question_is_never_engaged(outcomes):
    assert outcomes[("distress", "engaged")] == 0 and outcomes[("none", "engaged")] == 0
