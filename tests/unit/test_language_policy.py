"""The conversation's language in a Rasa tracker (rasa_addons.language_policy) and the responses
given in it (rasa_addons.language_responses), on real trackers and the real domain."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.language_policy import conversation_language, language_to_set
from rasa_addons.language_responses import LanguageResponses

DOMAIN = Domain.load(str(Path(__file__).parents[2] / "domain.yml"))


def _tracker(*events) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("person", list(events), slots=DOMAIN.slots)


def test_a_first_message_in_spanish_is_answered_in_spanish():
    tracker = _tracker(ActionExecuted("action_listen"), UserUttered("ya no quiero vivir"))
    assert language_to_set(tracker) == "es" and conversation_language(tracker) == "es"


def test_a_short_spanish_word_keeps_an_english_conversation_in_english():
    tracker = _tracker(SlotSet("language", "en"), ActionExecuted("action_listen"), UserUttered("sí"))
    assert language_to_set(tracker) is None and conversation_language(tracker) == "en"


def test_no_language_yet_means_english():
    assert conversation_language(_tracker(ActionExecuted("action_listen"), UserUttered("ok"))) == "en"


def test_the_language_of_an_earlier_session_comes_back():
    tracker = _tracker(SlotSet("language", "es"), SessionStarted(), ActionExecuted("action_listen"),
                       UserUttered("ok"))
    assert tracker.get_slot("language") is None
    assert language_to_set(tracker) == "es"


@pytest.mark.parametrize("channel, expected", [("sms", "envie AYUDA al 988"), ("socketio", "marque 2"),
                                               ("rest", "marque 2")])
def test_the_crisis_reply_is_generated_in_the_conversations_language(channel, expected):
    generator = LanguageResponses(domain=DOMAIN)
    spanish = _tracker(ActionExecuted("action_listen"), UserUttered("me quiero morir, ya no aguanto"))
    english = _tracker(ActionExecuted("action_listen"), UserUttered("I want to kill myself"))
    said = asyncio.run(generator.generate("utter_crisis_suicide", spanish, channel))["text"]
    assert expected in said and "911" in said
    assert "glad you told me" in asyncio.run(generator.generate("utter_crisis_suicide", english, channel))["text"]


def test_a_response_without_a_spanish_version_is_given_in_english():
    # Every response has its Spanish now; a new one written only in English must still be said.
    only_english = {"text": "Only written in English so far."}
    domain = DOMAIN.merge(Domain.from_dict({"responses": {"utter_only_in_english": [only_english]}}))
    generator = LanguageResponses(domain=domain)
    spanish = _tracker(SlotSet("language", "es"))
    assert asyncio.run(generator.generate("utter_only_in_english", spanish, "rest"))["text"] == only_english["text"]


def test_the_language_a_conversation_was_answered_in_is_remembered_for_the_web_chat():
    from rasa_addons.language_responses import answered_in

    generator = LanguageResponses(domain=DOMAIN)
    tracker = _tracker(SlotSet("language", "es"))
    asyncio.run(generator.generate("utter_iamabot", tracker, "socketio"))
    assert answered_in(tracker.sender_id) == "es"
    assert answered_in("a conversation never answered") is None
