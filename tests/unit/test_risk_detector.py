"""The risk detector on its labelled evaluation sets and on the context rules one by one."""
from __future__ import annotations

from pathlib import Path

import pytest

from intake.safety import detect_risk
from intake.safety.evaluation import MAX_FALSE_POSITIVE_RATE, evaluate, format_report, load_set

EVALUATION_SETS = sorted((Path(__file__).parents[1] / "safety").glob("*_set.tsv"))


def test_evaluation_sets_are_big_enough():
    rows = [row for path in EVALUATION_SETS for row in load_set(path)]
    assert sum(r.is_risk for r in rows) >= 150 and sum(not r.is_risk for r in rows) >= 150
    assert {r.label for r in rows if r.is_risk} == {
        "suicide", "self_harm", "harm_to_others", "in_danger", "medical_emergency", "risk_question"}


@pytest.mark.parametrize("path", EVALUATION_SETS, ids=[p.name for p in EVALUATION_SETS])
def test_every_risk_message_is_caught_and_few_benign_ones_are(path):
    report = evaluate(load_set(path))
    assert report.risk_recall == 1.0, format_report(report)
    assert report.false_positive_rate <= MAX_FALSE_POSITIVE_RATE, format_report(report)


@pytest.mark.parametrize(
    "text, category, handling",
    [
        ("I want to kill myself", "suicide", "self"),
        ("KMS", "suicide", "self"),
        ("i wanna diiie", "suicide", "self"),
        ("gonna unalive myself tonight", "suicide", "self"),
        ("Everyone would be better off without me.", "suicide", "self"),
        ("me quiero morir", "suicide", "self"),
        ("I've been cutting again", "self_harm", "self"),
        ("I'm going to hurt my coworker", "harm_to_others", "self"),
        ("my boyfriend chokes me when he's drunk", "in_danger", "self"),
        ("I took a whole bottle of sleeping pills", "medical_emergency", "self"),
        ("how many tylenol would kill me", "risk_question", "self"),
        ("what's the tallest bridge around here", "risk_question", "self"),
        ("my brother wants to kill himself", "suicide", "third_party"),
        ("I tried to kill myself in 2015", "suicide", "past_attempt"),
    ],
)
def test_risk_categories_and_handling(text, category, handling):
    finding = detect_risk(text)
    assert finding is not None, text
    assert (finding.category, finding.handling) == (category, handling)


@pytest.mark.parametrize(
    "text",
    [
        "this traffic is killing me",
        "I'm dying to know the price",
        "I'd kill for a coffee right now",
        "I'm not suicidal",
        "I would never hurt myself",
        "I don't want to die, I want the nightmares to stop",
        "does ketamine help with suicidal thoughts?",
        "what does the article say about suicidality",
        "my uncle died by suicide years ago and I still think about it",
        "I can't breathe when I have a flashback",
        "I was abused as a child and still have nightmares",
        "do you take insurance?",
        "",
    ],
)
def test_idioms_negations_and_faq_questions_are_not_risks(text):
    assert detect_risk(text) is None


def test_a_negation_does_not_hide_a_later_risk():
    assert detect_risk("I'm not suicidal but I want to die") is not None
    assert detect_risk("no i want to die") is not None
    assert detect_risk("I can't stop thinking about killing myself") is not None
    assert detect_risk("I don't want to live anymore") is not None


def test_a_risk_buried_in_a_long_message_is_found():
    text = ("I have questions about pricing and insurance. " * 200) + "honestly I want to end my life. " + ("ok? " * 50)
    assert detect_risk(text).category == "suicide"
