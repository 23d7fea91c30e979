"""ASQ triage, table-driven: every combination of answers to items 1-4 and the acuity item."""
from __future__ import annotations

import itertools

import pytest

from intake.safety.asq import (ACUITY_ITEM, SCREEN_ITEMS, AsqTriage, alert_priority, asq_triage,
                               needs_acuity_question)

ANSWERS = ("yes", "no", "refused")


def _answers(items, acuity=None):
    answers = dict(zip(SCREEN_ITEMS, items))
    if acuity is not None:
        answers[ACUITY_ITEM] = acuity
    return answers


@pytest.mark.parametrize("items", list(itertools.product(ANSWERS, repeat=4)))
@pytest.mark.parametrize("acuity", ["yes", "no", "refused"])
def test_triage_table(items, acuity):
    positive = any(a in ("yes", "refused") for a in items)
    answers = _answers(items)
    assert needs_acuity_question(answers) is positive
    if not positive:
        assert asq_triage(answers) is AsqTriage.NEGATIVE
        assert alert_priority(AsqTriage.NEGATIVE) is None
        return
    expected = AsqTriage.NON_ACUTE_POSITIVE if acuity == "no" else AsqTriage.ACUTE_POSITIVE
    assert asq_triage(_answers(items, acuity)) is expected


@pytest.mark.parametrize(
    "items, acuity, triage, priority",
    [
        (("no", "no", "no", "no"), None, AsqTriage.NEGATIVE, None),
        (("yes", "no", "no", "no"), "no", AsqTriage.NON_ACUTE_POSITIVE, "high"),
        (("no", "no", "no", "refused"), "no", AsqTriage.NON_ACUTE_POSITIVE, "high"),
        (("no", "no", "no", "yes"), "yes", AsqTriage.ACUTE_POSITIVE, "urgent"),
        (("no", "no", "yes", "no"), "refused", AsqTriage.ACUTE_POSITIVE, "urgent"),
    ],
)
def test_triage_examples_and_alert_priority(items, acuity, triage, priority):
    result = asq_triage(_answers(items, acuity))
    assert result is triage
    assert alert_priority(result) == priority


def test_acuity_question_waits_until_items_one_to_four_are_answered():
    assert not needs_acuity_question({"asq_wished_dead": "yes"})
