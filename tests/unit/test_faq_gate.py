"""The FAQ gate: an FAQ answer only when the response selector is confident, never for markup."""
from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.faq_gate import FALLBACK_INTENT, FaqGate


def classified(text: str, selector_confidence: float, intent: str = "faq") -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 0.99})
    message.set("response_selector", {"faq": {"response": {"confidence": selector_confidence}}})
    return message


def gated(message: Message) -> str:
    return FaqGate({"threshold": 0.5}).process([message])[0].get("intent")["name"]


def test_a_confident_answer_passes():
    assert gated(classified("how fast does ketamine work", 0.9)) == "faq"


def test_an_unsure_answer_becomes_a_fallback():
    assert gated(classified("what about the thing", 0.3)) == FALLBACK_INTENT


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "{{7*7}}",
                                  "'; DROP TABLE bookings", "javascript:alert(1)", "A" * 500,
                                  "is ketamine " + "x" * 60])
def test_markup_code_and_junk_are_never_answered_from_the_faq(text):
    assert gated(classified(text, 0.99)) == FALLBACK_INTENT


def test_other_intents_are_left_alone():
    assert gated(classified("<b>hello</b>", 0.1, intent="greet")) == "greet"


def test_a_link_in_a_real_question_is_not_junk():
    assert gated(classified("is this article right https://example.org/ketamine/ptsd-treatment-facts", 0.9)) == "faq"
