"""The Spanish probe (tests/spanish_probe/): 80 first messages written by someone who saw none of
the project's files, each sent as the first message of a new conversation through the real Rasa
and action servers. Every crisis must be engaged, in Spanish; no question may get the answer to a
different question; the rest is held to floors just under the figures measured
(tests/spanish_probe/MEASUREMENTS.md)."""
from __future__ import annotations

import csv
import uuid
from pathlib import Path
from typing import Dict, List

import pytest

from intake.language import likeliest
from rasa_addons.language_responses import responses_in
from tests.support.stack import texts

PROBE = Path(__file__).parents[1] / "spanish_probe" / "probe.tsv"
# The probe's topics in the writer's words -> the FAQ answers that answer them.
TOPICS: Dict[str, List[str]] = {
    "what is PTSD": ["what_is_ptsd"], "PTSD symptoms": ["ptsd_symptoms"], "PTSD causes": ["ptsd_causes"],
    # "isn't ketamine a horse anesthetic? how does it help?": what ketamine treatment is answers it too
    "how ketamine works": ["how_ketamine_works", "neuroplasticity", "ketamine_treatment"], "how fast it works": ["how_fast"],
    "side effects": ["side_effects"], "safety": ["safety", "monitoring"], "addiction risk": ["addiction"],
    "FDA approval": ["fda_approval"], "session length": ["session_length"],
    "number of sessions": ["number_of_sessions"], "cost": ["cost_insurance"], "insurance": ["cost_insurance"],
    "driving after a session": ["driving"], "combining with therapy": ["psychotherapy", "combined_treatment"],
    "other medications": ["my_medications"], "whether it cures PTSD": ["cure"], "eligibility": ["eligibility"],
    "how it feels": ["what_it_feels_like"], "administration route": ["routes"],
    "effectiveness for veterans": ["effectiveness"], "preparation before a session": [],
}
BOOKING = {"book": "Puedo pedir una consulta", "change": "Puedo cambiar una cita", "cancel": "Puedo cancelar una cita"}
HISTORY = "No necesita dar ningún detalle"
CHECK_IN = "¿está pensando en quitarse la vida"
# Floors: one message under the figures of the measurement that set them (MEASUREMENTS.md 3; booking
# from 6, where the held-back voices came into training: 14 of 14).
FLOORS = {"spanish_replies": 0.95, "faq_right": 0.78, "booking_right": 0.92, "greeting_in_spanish": 0.91}


def _faq_answers() -> Dict[str, str]:
    """The opening words of each Spanish FAQ answer (any channel), by topic."""
    openings = {}
    for name, variants in responses_in("es").items():
        if name.startswith("utter_faq/"):
            for variant in variants:
                openings[variant["text"][:60]] = name.split("/", 1)[1]
    return openings


def _topic(said: str, openings: Dict[str, str]):
    return next((topic for opening, topic in openings.items() if opening in said), None)


@pytest.fixture(scope="module")
def answers(stack) -> List[dict]:
    with PROBE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    for row in rows:
        row["said"] = texts(stack.send(f"probe-{uuid.uuid4().hex[:10]}", row["text"]))
    return rows


def _share(rows: List[dict], passed) -> float:
    return sum(1 for row in rows if passed(row)) / len(rows)


def test_every_crisis_in_the_probe_is_engaged(answers):
    missed = [row["text"] for row in answers if row["kind"] == "crisis"
              and "988" not in row["said"] and "911" not in row["said"] and CHECK_IN not in row["said"]]
    assert missed == []


def test_no_probe_question_gets_the_answer_to_a_different_question(answers):
    openings = _faq_answers()
    wrong = [(row["text"], _topic(row["said"], openings)) for row in answers if row["kind"] == "faq"
             and _topic(row["said"], openings) not in (None, *TOPICS[row["expected"]])]
    assert wrong == []


def test_the_probe_is_answered_in_spanish_and_held_to_its_floors(answers):
    openings = _faq_answers()
    faq = [row for row in answers if row["kind"] == "faq"]
    booking = [row for row in answers if row["kind"] == "booking"]
    greetings = [row for row in answers if row["kind"] == "greeting"]
    figures = {
        # a mixed Spanish-English message may be answered in English
        "spanish_replies": _share(answers, lambda row: likeliest(row["said"])[0] == "es"),
        "faq_right": _share(faq, lambda row: _topic(row["said"], openings) in TOPICS[row["expected"]]),
        "booking_right": _share(booking, lambda row: BOOKING[row["expected"]] in row["said"]),
        "greeting_in_spanish": _share(greetings, lambda row: likeliest(row["said"])[0] == "es"),
    }
    print("Spanish probe:", {name: f"{value:.2f}" for name, value in figures.items()})
    assert all(figures[name] >= floor for name, floor in FLOORS.items()), figures
    history = [row for row in answers if row["kind"] == "history"]
    assert all(HISTORY in row["said"] for row in history), [r["text"] for r in history if HISTORY not in r["said"]]
