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
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
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
    assert spanish - language_switch == english - language_switch


def test_spanish_is_addressed_formally():
    text = " ".join(v["text"] for variants in SPANISH.values() for v in variants).lower()
    for familiar in (" tú ", " tienes ", " llama al", " estás ", " puedes "):
        assert familiar not in f" {text} ", familiar
