"""FAQ answers follow the content rules: every topic answered, short, hedged, sourced, one next step."""
import re
from pathlib import Path

import pytest
import yaml

from intake.faq import load_topics

ROOT = Path(__file__).parents[2]
RESPONSES = yaml.safe_load((ROOT / "data/faq/responses.yml").read_text(encoding="utf-8"))["responses"]
NLU = yaml.safe_load((ROOT / "data/faq/nlu.yml").read_text(encoding="utf-8"))["nlu"]
EXAMPLES = {
    item["intent"]: [line.strip()[2:].strip() for line in item["examples"].splitlines() if line.strip()]
    for item in NLU
}
TOPICS = load_topics()
PROMISES = re.compile(r"\b(cures?|guarantee[sd]?|definitely|100%|completely safe|will (?:help|work|heal|fix))\b", re.I)


def test_every_topic_has_one_answer_and_training_examples():
    assert set(RESPONSES) == {f"utter_faq/{key}" for key in TOPICS}
    assert set(EXAMPLES) == {f"faq/{key}" for key in TOPICS}


@pytest.mark.parametrize("key", sorted(TOPICS))
def test_patient_style_examples_include_the_canonical_question(key):
    examples = EXAMPLES[f"faq/{key}"]
    assert len(examples) >= 12
    assert TOPICS[key].question in examples  # the "did you mean" button is answered reliably
    assert len(set(e.lower() for e in examples)) == len(examples)


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_answer_is_short_hedged_and_ends_with_one_next_step(name):
    (variant,) = RESPONSES[name]
    text = variant["text"]
    assert len(text) <= 400, "keep answers to one phone screen"
    assert not PROMISES.search(text), "never promise an outcome"
    assert len(variant.get("buttons", [])) in (1, 2)
    assert text.rstrip().endswith(("?", ")")), "end with the next step (or the source)"


def test_answers_about_benefits_say_may_and_cite_a_source():
    for key in ("how_fast", "other_treatments_failed", "mood_and_thinking", "neuroplasticity", "effectiveness",
                "suicidal_thoughts", "ketamine_treatment"):
        text = RESPONSES[f"utter_faq/{key}"][0]["text"]
        assert re.search(r"\bmay\b|\bsome people\b|\bsuggest", text), key
        assert "Source" in text, key


def test_own_case_questions_go_to_a_clinician_or_the_front_desk():
    for key in ("my_medications", "eligibility", "side_effects", "addiction"):
        assert "clinician" in RESPONSES[f"utter_faq/{key}"][0]["text"], key
    for key in ("cost_insurance", "referral", "location"):
        assert "front desk" in RESPONSES[f"utter_faq/{key}"][0]["text"], key


def test_off_label_and_crisis_facts_are_stated():
    assert "off-label" in RESPONSES["utter_faq/fda_approval"][0]["text"]
    suicidal = RESPONSES["utter_faq/suicidal_thoughts"][0]
    assert "988" in suicidal["text"] and "911" in suicidal["text"]
    assert {b["payload"] for b in suicidal["buttons"]} == {"tel:988", "sms:988"}


def test_clinical_facts_match_the_reference():
    """Issue 24 item 12: what the FDA approved and warned about, and what the studies found."""
    answer = {key.split("/")[1]: variants[0]["text"] for key, variants in RESPONSES.items()}
    suicidal = answer["suicidal_thoughts"]
    assert "not been shown to prevent suicide or reduce suicidal thoughts" in suicidal
    assert "not PTSD" in suicidal and not re.search(r"approved for (reducing|lowering) suicid", suicidal)
    assert "usually combined" not in answer["psychotherapy"] and "can be combined" in answer["psychotherapy"]
    assert "Schedule III" in answer["addiction"] and "2023" in answer["addiction"]
    assert all(risk in answer["side_effects"] for risk in ("breathing", "bladder", "misuse"))
    assert "who responded" in answer["lasting_effects"] and "27.5 days" in answer["lasting_effects"]
    assert "FDA" in answer["session_length"]  # the article gives the length only, not the ride home
    assert "off-label" in answer["other_conditions"] and "mania" in answer["other_conditions"]
