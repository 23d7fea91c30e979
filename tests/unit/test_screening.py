"""PC-PTSD-5 scoring and triage, the ketamine pre-screen parsers and flags, and stored screenings."""
from __future__ import annotations

import uuid

import pytest

from intake.screening import pcptsd5, prescreen
from intake.screening.records import is_priority, record_screening, screening_summary, summary_lines

ITEMS = list(pcptsd5.ITEMS)


def _pc(trauma: str, yes: int, skipped: int = 0) -> dict:
    """Answers with `yes` items answered yes, then `skipped` skipped, the rest no."""
    values = ["yes"] * yes + ["skipped"] * skipped + ["no"] * (5 - yes - skipped)
    return {pcptsd5.TRAUMA_ITEM: trauma, **dict(zip(ITEMS, values))}


@pytest.mark.parametrize(
    "answers, score, triage",
    [
        ({pcptsd5.TRAUMA_ITEM: "no"}, 0, pcptsd5.PcPtsd5Triage.NO_TRAUMA),
        (_pc("yes", 0), 0, pcptsd5.PcPtsd5Triage.NEGATIVE),
        (_pc("yes", 1), 1, pcptsd5.PcPtsd5Triage.NEGATIVE),
        (_pc("yes", 2), 2, pcptsd5.PcPtsd5Triage.NEGATIVE),
        (_pc("yes", 3), 3, pcptsd5.PcPtsd5Triage.POSITIVE),
        (_pc("yes", 4), 4, pcptsd5.PcPtsd5Triage.POSITIVE),
        (_pc("yes", 5), 5, pcptsd5.PcPtsd5Triage.POSITIVE),
        (_pc("yes", 2, skipped=3), 2, pcptsd5.PcPtsd5Triage.NEGATIVE),
        (_pc("yes", 3, skipped=2), 3, pcptsd5.PcPtsd5Triage.POSITIVE),
        (_pc("skipped", 3), 3, pcptsd5.PcPtsd5Triage.POSITIVE),
        (_pc("skipped", 0, skipped=5), 0, pcptsd5.PcPtsd5Triage.NEGATIVE),
    ],
)
def test_pcptsd5_score_and_triage(answers, score, triage):
    assert pcptsd5.pcptsd5_score(answers) == score
    assert pcptsd5.pcptsd5_triage(answers) is triage


def test_no_to_the_lead_in_asks_nothing_more():
    assert pcptsd5.slots_to_ask({pcptsd5.TRAUMA_ITEM: "no"}) == [pcptsd5.TRAUMA_ITEM]
    assert pcptsd5.slots_to_ask({pcptsd5.TRAUMA_ITEM: "yes"}) == pcptsd5.SLOTS
    assert pcptsd5.is_complete({pcptsd5.TRAUMA_ITEM: "no"})
    assert not pcptsd5.is_complete({pcptsd5.TRAUMA_ITEM: "yes", ITEMS[0]: "yes"})


def test_questions_use_the_exact_wording_and_results_never_diagnose():
    assert pcptsd5.question(pcptsd5.TRAUMA_ITEM).endswith("Have you ever experienced this kind of event?")
    assert pcptsd5.question("pc_on_guard") == "In the past month, have you been constantly on guard, watchful, or easily startled?"
    for triage in pcptsd5.PcPtsd5Triage:
        message = pcptsd5.result_message(triage).lower()
        assert "you have ptsd" not in message and "you don't have" not in message
    assert "not a diagnosis" in pcptsd5.result_message(pcptsd5.PcPtsd5Triage.POSITIVE)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes", "yes"), ("y", "yes"), ("1", "yes"), ("34", "yes"), ("I'm 34", "yes"), ("18", "yes"),
        ("i am 62 years old", "yes"), ("twenty five", "yes"), ("over 18", "yes"), ("I'm an adult", "yes"),
        ("no", "no"), ("2", "no"), ("17", "no"), ("im 16", "no"), ("fifteen", "no"), ("under 18", "no"),
        ("i'm a teenager", "no"), ("not yet 18", "no"), ("skip", "skipped"), ("rather not say", "skipped"),
        ("banana", None), ("", None),
    ],
)
def test_age_answer(text, expected):
    assert prescreen.parse_age_answer(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("sertraline 100mg and xanax as needed", "sertraline 100mg and xanax as needed"),
        ("none", "none"), ("nothing", "none"), ("no meds", "none"), ("No.", "none"),
        ("skip", "skipped"), ("I'd rather not say", "skipped"), ("   ", None), ("x" * 900, "x" * 500),
    ],
)
def test_free_text_answer(text, expected):
    assert prescreen.parse_free_text_answer(text) == expected


def test_flags_are_raised_for_the_clinician_never_a_refusal():
    answers = {
        "ps_adult": "yes", "ps_pregnant": "no", "ps_psychosis": "yes", "ps_substance": "skipped",
        "ps_heart": "yes", "ps_brain": "no", "ps_ketamine_reaction": "no",
        "ps_medications": "Adderall in the morning, klonopin at night", "ps_treatments": "therapy, zoloft",
    }
    flags = prescreen.prescreen_flags(answers)
    assert "psychosis_or_mania_history" in flags and "heart_blood_pressure_or_stroke" in flags
    assert "medications_to_review: stimulant, benzodiazepine" in flags
    assert "not_answered: ps_substance" in flags
    assert "pregnant_or_breastfeeding" not in flags
    assert prescreen.is_complete(answers)


def test_under_18_ends_the_prescreen_with_a_flag():
    answers = {"ps_adult": "no"}
    assert prescreen.is_minor(answers)
    assert prescreen.slots_to_ask(answers) == ["ps_adult"]
    assert prescreen.is_complete(answers)
    assert prescreen.prescreen_flags(answers) == ["under_18"]


def test_a_medication_word_inside_another_word_is_not_flagged():
    assert prescreen.medication_groups("my cat's name is Maoist") == []
    assert prescreen.medication_groups("I take an MAOI") == ["maoi"]


@pytest.mark.parametrize(
    "results, priority",
    [
        ({"PC-PTSD-5": "positive", "ASQ": "negative"}, True),
        ({"PC-PTSD-5": "negative", "ASQ": "non_acute_positive"}, True),
        ({"PC-PTSD-5": "negative", "ASQ": "negative"}, False),
        ({"PC-PTSD-5": "no_trauma", "ASQ": None}, False),
        ({}, False),
    ],
)
def test_priority(results, priority):
    assert is_priority(results) is priority


def test_screenings_are_stored_and_summarised(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    conversation = f"unit-{uuid.uuid4().hex[:8]}"
    answers = _pc("yes", 4)
    record_screening(conversation, pcptsd5.INSTRUMENT, pcptsd5.VERSION, answers, score=4, triage="positive",
                     database_url=url)
    record_screening(conversation, "Ketamine pre-screen", "clinic 2026-11", {"ps_adult": "yes", "ps_heart": None},
                     flags=["heart_blood_pressure_or_stroke"], completed=False, database_url=url)
    summary = screening_summary(conversation, database_url=url)
    pc = summary["instruments"]["PC-PTSD-5"]
    assert pc["score"] == 4 and pc["triage"] == "positive" and pc["completed"] and pc["finished_at"]
    assert pc["answers"] == answers
    partial = summary["instruments"]["Ketamine pre-screen"]
    assert partial["answers"] == {"ps_adult": "yes"} and not partial["completed"] and partial["finished_at"] is None
    assert summary["priority"] is True
    lines = summary_lines(summary)
    assert lines[0] == "PC-PTSD-5: positive, score 4"
    assert "(not finished)" in lines[1] and "heart_blood_pressure_or_stroke" in lines[2]
    assert screening_summary("someone-else", database_url=url)["instruments"] == {}
