"""Contact details sealed in stored events: found in the ways people type them, unreadable
without the key, restored exactly with it; everything else left as it was."""
from __future__ import annotations

import json

import pytest

from intake.privacy.masking import ContactSeal, contact_spans

SEAL = ContactSeal(b"a test key")


@pytest.mark.parametrize("text, detail", [
    ("my number is 310-555-0199", "310-555-0199"),
    ("call me at (310) 555-0199 please", "(310) 555-0199"),
    ("3105550199", "3105550199"),
    ("+1 310 555 0199 is my cell", "+1 310 555 0199"),
    ("text 310.555.0199", "310.555.0199"),
    ("work: +44 20 7946 0958", "+44 20 7946 0958"),
    ("just 555-0199", "555-0199"),
    ("email me at maria.lopez+intake@example.com", "maria.lopez+intake@example.com"),
    ("MARIA@EXAMPLE.ORG", "MARIA@EXAMPLE.ORG"),
])
def test_contact_details_are_found_and_sealed(text, detail):
    assert [text[start:end] for start, end in contact_spans(text)] == [detail]
    sealed = SEAL.seal_text(text)
    assert detail not in sealed and "[[sealed:" in sealed
    assert SEAL.open_text(sealed) == text


@pytest.mark.parametrize("text", [
    "I'm 34 and have had PTSD for 5 years", "tuesday 2026-12-01 at 10:30", "I was born 12/04/1987",
    "my reference is KX7P2Q", "9:00-12:00", "call or text 988", "3 yes answers out of 5", "",
])
def test_other_text_is_left_as_it_is(text):
    assert SEAL.seal_text(text) == text


def test_a_whole_event_is_sealed_in_every_string_and_opened_back_exactly():
    event = {"event": "user", "text": "reach me at 213-555-0144 or dana@example.net", "timestamp": 1.5,
             "parse_data": {"text": "reach me at 213-555-0144 or dana@example.net",
                            "entities": [{"entity": "phone", "value": "213-555-0144"}],
                            "intent": {"name": "inform", "confidence": 0.9}}}
    sealed = SEAL.seal(event)
    stored = json.dumps(sealed)
    assert "555-0144" not in stored and "dana@" not in stored and stored.count("[[sealed:") == 5
    assert sealed["parse_data"]["intent"] == event["parse_data"]["intent"]
    assert SEAL.open(json.loads(stored)) == event


def test_a_seal_is_not_sealed_twice_and_another_key_cannot_open_it():
    sealed = SEAL.seal_text("my number is 310-555-0199")
    assert SEAL.seal_text(sealed) == sealed
    assert ContactSeal(b"another key").open_text(sealed) == sealed
