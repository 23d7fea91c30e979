"""The crisis replies in domain.yml: 988 and 911 first, channel variants that fit their channel."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

DOMAIN = yaml.safe_load((Path(__file__).parents[2] / "domain.yml").read_text())
CRISIS = {name: variants for name, variants in DOMAIN["responses"].items() if name.startswith("utter_crisis_")
          and name not in ("utter_crisis_safe_followup", "utter_crisis_check_again")}
NOT_SAFE = ("utter_crisis_not_safe", "utter_crisis_third_party_not_safe")
GSM7 = set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
TWO_SMS_SEGMENTS = 306


def _variants(variants, channel):
    """Every variant for a channel (per kind of crisis, some replies have several)."""
    chosen = [v for v in variants if v.get("channel") == channel]
    assert chosen, channel
    return chosen


def test_every_risk_category_has_a_crisis_reply():
    categories = ["suicide", "self_harm", "harm_to_others", "in_danger", "medical_emergency",
                  "risk_question", "third_party", "past_attempt"]
    assert {f"utter_crisis_{c}" for c in categories} <= set(CRISIS)
    assert set(f"crisis_{c}" for c in categories) <= set(DOMAIN["intents"])


@pytest.mark.parametrize("name", sorted(CRISIS))
def test_988_and_911_come_before_any_other_number(name):
    for variant in CRISIS[name]:
        text = variant["text"]
        numbers = re.findall(r"\d[\d-]{2,}", text)
        assert "988" in numbers and "911" in numbers, (name, variant.get("channel"))
        first_two = set(numbers[:2]) if name not in NOT_SAFE else {"911", "988"}
        assert first_two == {"988", "911"}, (name, numbers)
        assert "press 3" not in text.lower()


@pytest.mark.parametrize("name", sorted(CRISIS))
def test_sms_variant_fits_two_plain_segments(name):
    for variant in _variants(CRISIS[name], "sms"):
        text = variant["text"]
        assert len(text) <= TWO_SMS_SEGMENTS, len(text)
        assert set(text) <= GSM7, set(text) - GSM7


@pytest.mark.parametrize("name", sorted(CRISIS))
def test_web_variant_has_tap_to_call_and_text_links(name):
    for variant in _variants(CRISIS[name], "socketio"):
        payloads = {b["payload"] for b in variant["buttons"]}
        assert {"tel:988", "sms:988", "tel:911"} <= payloads


def test_resources_match_the_clinical_reference():
    text = " ".join(v["text"] for variants in CRISIS.values() for v in variants)
    for number in ["741741", "838255", "800-854-7771", "1-800-799-7233", "1-800-656-4673", "1-800-222-1222"]:
        assert number in text


@pytest.mark.parametrize("name", sorted(n for n in CRISIS if n not in NOT_SAFE))
def test_every_variant_tells_spanish_speakers_how_to_reach_988(name):
    for variant in CRISIS[name]:
        assert "llame al 988 y marque 2" in variant["text"], (name, variant.get("channel"))


KINDS_WITH_THEIR_OWN_STEPS = {"in_danger": "safer place", "medical_emergency": "Don't stay alone",
                              "third_party": "stay with them"}


@pytest.mark.parametrize("kind", sorted(KINDS_WITH_THEIR_OWN_STEPS))
def test_not_safe_has_the_steps_of_each_kind_on_every_channel(kind):
    variants = [v for v in DOMAIN["responses"]["utter_crisis_not_safe"]
                if {"type": "slot", "name": "crisis_kind", "value": kind} in (v.get("condition") or [])]
    assert {v.get("channel") for v in variants} == {"sms", "socketio", None}
    for variant in variants:
        assert "hurt yourself" not in variant["text"]
    assert all(KINDS_WITH_THEIR_OWN_STEPS[kind] in v["text"] for v in variants if v.get("channel") != "sms")


def test_the_kind_of_crisis_is_set_by_rasa_itself_from_every_crisis_intent():
    mappings = DOMAIN["slots"]["crisis_kind"]["mappings"]
    assert {m["intent"]: m["value"] for m in mappings} == {
        f"crisis_{kind}": kind for kind in DOMAIN["slots"]["crisis_kind"]["values"]}
