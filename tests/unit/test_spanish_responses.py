"""The Spanish responses (responses/es.yml): every crisis reply has its Spanish variants on every
channel the English one has, with 988 in Spanish and 911 first, SMS within two plain segments, and
the web chat's tap-to-call links; and every Spanish response answers a response of the domain."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from rasa_addons.language_responses import responses_in

ROOT = Path(__file__).parents[2]
DOMAIN = {**yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"],
          **yaml.safe_load((ROOT / "data" / "faq" / "responses.yml").read_text(encoding="utf-8"))["responses"]}
SPANISH = responses_in("es")
CRISIS = sorted(name for name in DOMAIN if name.startswith("utter_crisis_") or name in (
    "utter_ask_safe_now", "utter_ask_anyone_in_danger", "utter_ask_anyone_in_danger_again",
    "utter_ask_third_party_safe", "utter_check_in", "utter_check_in_no"))
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
TWO_SMS_SEGMENTS = 306
FOLLOW_UPS = ("utter_crisis_safe_followup", "utter_crisis_check_again")  # after "I'm safe": 988 only


def _shape(variants):
    """(channel, conditions) of each variant: the situations a response covers."""
    return sorted((v.get("channel") or "", str(v.get("condition") or "")) for v in variants)


def test_every_spanish_response_is_a_response_of_the_domain():
    assert set(SPANISH) <= set(DOMAIN), set(SPANISH) - set(DOMAIN)


@pytest.mark.parametrize("name", CRISIS)
def test_every_crisis_reply_has_its_spanish_variant_for_every_channel_and_kind(name):
    assert name in SPANISH
    assert _shape(SPANISH[name]) == _shape(DOMAIN[name])


@pytest.mark.parametrize("name", [n for n in CRISIS if n.startswith("utter_crisis_") and n not in FOLLOW_UPS])
def test_spanish_crisis_replies_give_988_in_spanish_and_911(name):
    for variant in SPANISH[name]:
        text = variant["text"]
        numbers = re.findall(r"\d[\d-]{2,}", text)
        assert "988" in numbers and "911" in numbers, (name, variant.get("channel"))
        assert "marque 2" in text or "marcar 2" in text, (name, variant.get("channel"))
        assert "marque 3" not in text and "press" not in text


@pytest.mark.parametrize("name", CRISIS)
def test_spanish_sms_variants_fit_two_plain_segments(name):
    for variant in (v for v in SPANISH[name] if v.get("channel") == "sms"):
        assert len(variant["text"]) <= TWO_SMS_SEGMENTS
        assert set(variant["text"]) <= GSM7, set(variant["text"]) - GSM7


@pytest.mark.parametrize("name", [n for n in CRISIS if n.startswith("utter_crisis_")])
def test_spanish_web_variants_keep_the_tap_to_call_links(name):
    for variant in (v for v in SPANISH[name] if v.get("channel") == "socketio"):
        assert {"tel:988", "sms:988", "tel:911"} <= {b["payload"] for b in variant["buttons"]}


@pytest.mark.parametrize("name", sorted(SPANISH))
def test_spanish_buttons_send_what_the_english_ones_send(name):
    english = {b["payload"] for v in DOMAIN[name] for b in v.get("buttons") or []}
    spanish = {b["payload"] for v in SPANISH[name] for b in v.get("buttons") or []}
    language_switch = {'/choose_language{"language": "en"}', '/choose_language{"language": "es"}'}
    # A button that sends a question sends it in Spanish: as many of them as in English.
    questions = {p for p in english | spanish if not p.startswith(("/", "tel:", "sms:"))}
    assert spanish - language_switch - questions == english - language_switch - questions
    assert len(spanish & questions) == len(english & questions)


def test_spanish_is_addressed_formally():
    text = " ".join(v["text"] for variants in SPANISH.values() for v in variants).lower()
    for familiar in (" tú ", " tienes ", " llama al", " estás ", " puedes "):
        assert familiar not in f" {text} ", familiar


FAQ_ANSWERS = sorted(name for name in DOMAIN if name.startswith("utter_faq/"))
# What the assistant says around the FAQ and to what a person tells it, and the front desk's words.
CONVERSATION = ("utter_trauma_history_heard", "utter_distress_heard", "utter_personal_statement_heard",
                "utter_symptoms_heard", "utter_privacy", "utter_iamabot", "utter_ask_question",
                "utter_faq_unsure", "utter_goodbye", "utter_you_are_welcome", "utter_other_health",
                "utter_out_of_scope", "utter_default", "utter_handoff_requested",
                "utter_handoff_requested_closed", "utter_handoff_fallback_noted", "utter_handoff_claimed",
                "utter_handoff_returned", "utter_handoff_failed",
                # the symptom check
                "utter_age_first", "utter_age_not_understood", "utter_pcptsd_intro", "utter_prescreen_intro",
                "utter_screening_not_understood", "utter_screening_clarify_symptom",
                "utter_screening_clarify_health", "utter_screening_unsure_noted", "utter_screening_summary",
                "utter_screening_summary_priority", "utter_under_18")


def test_every_response_but_the_staffs_own_words_is_written_in_spanish():
    assert set(DOMAIN) - set(SPANISH) == {"utter_staff_reply"}


def test_every_faq_answer_is_written_in_spanish():
    assert FAQ_ANSWERS and set(FAQ_ANSWERS) <= set(SPANISH), set(FAQ_ANSWERS) - set(SPANISH)


@pytest.mark.parametrize("name", CONVERSATION)
def test_the_conversation_around_the_faq_and_the_front_desk_is_in_spanish(name):
    assert name in SPANISH
    assert _shape(SPANISH[name]) == _shape(DOMAIN[name])


@pytest.mark.parametrize("name", FAQ_ANSWERS)
def test_spanish_faq_answers_promise_nothing_and_name_a_source_or_a_person(name):
    """Like the English: "puede" (may), never a promise, a source named or a person to ask."""
    english = DOMAIN[name][0]["text"]
    text = SPANISH[name][0]["text"]
    assert ("(Fuente" in text) == ("(Source" in english), name
    for promise in ("le curará", "va a curar", "garantiza", "seguro que funciona", "siempre funciona"):
        assert promise not in text.lower()
    assert not re.search(r"\b(the|you|your|and|with)\b", text), "English left in " + name


@pytest.mark.parametrize("name", ["utter_faq/suicidal_thoughts", "utter_faq/ptsd_suicide_risk"])
def test_spanish_faq_answers_about_suicide_give_988_in_spanish_and_911(name):
    text = SPANISH[name][0]["text"]
    assert "988" in text and "marque 2" in text and "911" in text


@pytest.mark.parametrize("name", [n for n in CONVERSATION if any(v.get("channel") == "sms" for v in DOMAIN[n])])
def test_spanish_sms_variants_of_the_conversation_fit_two_plain_segments(name):
    for variant in (v for v in SPANISH[name] if v.get("channel") == "sms"):
        text = re.sub(r"\{\w+\}", "", variant["text"])
        room = 60 if text != variant["text"] else 0  # for a filled-in phone number and hours
        assert len(text) <= TWO_SMS_SEGMENTS - room, name
        assert set(text) <= GSM7 | set("ñ"), set(text) - GSM7


def test_every_placeholder_of_an_english_response_is_in_its_spanish_one():
    for name, variants in SPANISH.items():
        english = {p for v in DOMAIN[name] for p in re.findall(r"\{(\w+)\}", v.get("text") or "")}
        for variant in variants:
            assert set(re.findall(r"\{(\w+)\}", variant.get("text") or "")) == english, name
