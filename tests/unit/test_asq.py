"""ASQ triage, table-driven: every combination of answers to items 1-4 and the acuity item."""
from __future__ import annotations

import itertools

import pytest

from intake.safety.asq import (ACUITY_ITEM, ITEMS, SCREEN_ITEMS, AsqTriage, alert_priority, asq_triage,
                               is_positive_answer, needs_acuity_question, triage_when_unfinished)

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


@pytest.mark.parametrize("answers,triage", [
    ({"asq_wished_dead": "yes"}, AsqTriage.ACUTE_POSITIVE),  # stopped after a yes: acuity unknown
    ({"asq_wished_dead": "no", "asq_family_better_off": "refused"}, AsqTriage.ACUTE_POSITIVE),
    ({"asq_wished_dead": "no"}, AsqTriage.NEGATIVE),
    ({**{item: "no" for item in ITEMS}, "asq_ever_tried": "yes", ACUITY_ITEM: "no"}, AsqTriage.NON_ACUTE_POSITIVE),
])
def test_a_screen_that_ended_early_is_positive_and_acute_while_acuity_is_unknown(answers, triage):
    assert triage_when_unfinished(answers) is triage


def test_a_yes_or_a_refusal_is_a_positive_answer():
    assert is_positive_answer("yes") and is_positive_answer("refused")
    assert not is_positive_answer("no") and not is_positive_answer(None)
