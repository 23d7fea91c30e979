"""The front-desk handoff over REST, through the real Rasa, action and web servers.

A person asks for a human, the item is in the queue, a staff member takes the conversation over
(Rasa's HTTP API with a signed token, as the console does), the person's messages are relayed instead
of answered, the staff message is in the conversation, the desk hands back and the assistant
answers again. Safety first throughout: a crisis message during the takeover gets the crisis
reply at once and makes the item urgent.

REST has no push channel: a REST client sees a staff message only by reading the tracker (the
socket.io and SMS tests check live delivery).

It runs on the run's stack (tests/conftest.py); each test has conversations of its own.
"""
from __future__ import annotations

import uuid

import pytest

from intake.handoff import close, get_item, open_items
from intake.settings import settings
from tests.integration.test_booking_rest import _book
from tests.support.faq_answers import faq_answers
from tests.support.handoff import STAFF_JOINED, Desk, actions_after_last_user_message, bot_events
from tests.support.stack import RasaStack, texts

SIDE_EFFECTS = faq_answers()["side_effects"]
NOT_SAFE = "Please call 911 now"
SAFETY_QUESTION = "Are you safe right now?"


@pytest.fixture
def hstack(stack) -> RasaStack:
    """The run's stack (tests/conftest.py): each test has conversations of its own."""
    return stack


@pytest.fixture
def desk(hstack) -> Desk:
    return Desk(hstack)


def new_sender() -> str:
    return f"handoff-{uuid.uuid4().hex[:12]}"


def test_ask_for_a_human_take_over_relay_write_hand_back(hstack, desk):
    person = new_sender()
    reply = texts(hstack.send(person, "can I talk to a human please"))
    assert "front desk" in reply and settings().clinic.front_desk_phone in reply
    assert "988" in reply and "911" in reply

    [item] = [i for i in open_items(hstack.app_database_url) if i.conversation_id == person]
    assert (item.reasons, item.priority, item.status, item.channel) == (["asked_for_human"], "normal", "new", "rest")

    desk.take_over(person)
    assert STAFF_JOINED in bot_events(hstack.tracker(person))[-1]["text"]
    assert hstack.tracker(person)["slots"]["handoff_active"] is True

    # The person's messages go to the desk; the assistant does not answer them.
    assert hstack.send(person, "what are the side effects") == []
    assert hstack.send(person, "hello? is anyone there") == []
    assert "action_relay_to_staff" in actions_after_last_user_message(hstack.tracker(person))
    assert get_item(item.id, hstack.app_database_url).last_user_message_at is not None
    assert ("person", "what are the side effects") in desk.transcript(person)

    # The staff message is in the conversation (a REST client reads it from the tracker).
    desk.write(person, "Hi, this is Dana. <b>Side effects</b> are best discussed with a clinician.")
    last = bot_events(hstack.tracker(person))[-1]
    assert last["text"] == "Hi, this is Dana. <b>Side effects</b> are best discussed with a clinician."
    assert last["metadata"]["utter_action"] == "utter_staff_reply"
    assert desk.transcript(person)[-1] == ("staff", last["text"])

    # The person answers the staff member: relayed too.
    assert hstack.send(person, "ok, thank you Dana") == []

    handed_back = desk.hand_back(person)
    assert handed_back.status == "new" and handed_back.claimed_by is None
    assert "handed this chat back" in bot_events(hstack.tracker(person))[-1]["text"]
    assert hstack.tracker(person)["slots"]["handoff_active"] is False

    # The assistant answers again.
    assert SIDE_EFFECTS in texts(hstack.send(person, "what are the side effects"))
    assert desk.close(person).status == "closed"


def test_relaying_left_on_with_nobody_holding_the_chat_gives_the_conversation_back_to_the_assistant(hstack, desk):
    """What a close racing a claim (or a reply) used to leave behind: relaying on, the item closed.
    The person's next message must not go to nobody."""
    person = new_sender()
    hstack.send(person, "/request_human")
    desk.take_over(person)
    close(desk.item(person).id, "lee", hstack.app_database_url)  # closed without ending the takeover

    said = texts(hstack.send(person, "hello? what are the side effects"))
    assert "handed this chat back" in said
    assert hstack.tracker(person)["slots"]["handoff_active"] is False
    assert SIDE_EFFECTS in texts(hstack.send(person, "what are the side effects"))


def test_a_crisis_during_a_takeover_gets_the_crisis_reply_at_once_and_the_item_becomes_urgent(hstack, desk):
    person = new_sender()
    hstack.send(person, "/request_human")
    desk.take_over(person)
    assert hstack.send(person, "hi") == []

    reply = hstack.send(person, "i want to kill myself")
    said = texts(reply)
    assert "988" in reply[0]["text"] and "911" in reply[0]["text"], said
    assert reply[-1]["text"] == SAFETY_QUESTION
    item = desk.item(person)
    assert (item.priority, item.status, item.claimed_by) == ("urgent", "claimed", "dana")
    assert item.reasons == ["asked_for_human", "crisis"]

    # "No" to "are you safe right now?" is answered by the crisis protocol, not relayed.
    not_safe = texts(hstack.send(person, "no"))
    assert NOT_SAFE in not_safe and "flagged this" in not_safe
    assert "action_relay_to_staff" not in actions_after_last_user_message(hstack.tracker(person))

    # After the safety exchange the conversation is still the desk's.
    assert hstack.send(person, "ok") == []
    assert hstack.tracker(person)["slots"]["handoff_active"] is True
    desk.close(person)


def test_the_safety_question_is_answered_even_when_a_staff_message_came_in_between(hstack, desk):
    person = new_sender()
    hstack.send(person, "/request_human")
    desk.take_over(person)
    assert hstack.send(person, "my brother wants to kill himself")[-1]["text"].startswith("Are you and the person")
    desk.write(person, "I'm here. Is everyone safe right now?")
    assert "Please call 911 now" in texts(hstack.send(person, "no"))
    desk.close(person)


def test_the_desk_taking_over_a_crisis_does_not_hide_the_safety_question(hstack, desk):
    """The likeliest moment for a claim: an urgent item, the person not yet answered."""
    person = new_sender()
    assert hstack.send(person, "i want to kill myself")[-1]["text"] == SAFETY_QUESTION
    assert desk.item(person).priority == "urgent"
    desk.take_over(person)
    desk.write(person, "Hi, this is Dana from the clinic. I'm here with you.")
    not_safe = texts(hstack.send(person, "no"))
    assert NOT_SAFE in not_safe and "flagged this" in not_safe
    assert hstack.send(person, "I called 911") == []  # then the desk has the conversation
    desk.close(person)


def test_a_takeover_in_the_middle_of_a_booking_leaves_the_form(hstack, desk):
    person = new_sender()
    assert "request a consultation" in texts(hstack.send(person, "I'd like to book a consultation"))
    assert "front desk" in texts(hstack.send(person, "can I talk to a real person"))
    assert hstack.tracker(person)["active_loop"].get("name") == "booking_form"  # booking went on
    desk.take_over(person)
    assert not hstack.tracker(person)["active_loop"].get("name")
    assert hstack.send(person, "Friday at 3") == []  # not taken as a booking answer
    desk.hand_back(person)
    assert "request a consultation" in texts(hstack.send(person, "I'd like to book a consultation"))


def test_two_unsure_replies_in_a_row_put_the_conversation_in_the_queue(hstack, desk):
    person = new_sender()
    first = texts(hstack.send(person, "/nlu_fallback"))
    assert "not sure I understood" in first and desk.item(person) is None
    second = texts(hstack.send(person, "/nlu_fallback"))
    assert "asked our front desk to look" in second
    item = desk.item(person)
    assert (item.reasons, item.priority) == (["repeated_fallback"], "normal")


def test_a_finished_booking_and_a_positive_safety_screen_reach_the_queue(hstack, desk):
    person = new_sender()
    _book(hstack, person)
    item = desk.item(person)
    assert (item.reasons, item.priority) == (["booking"], "normal")

    screened = new_sender()
    hstack.send(screened, "/start_safety_screen")
    for answer in ("yes", "no", "no", "no", "no"):
        hstack.send(screened, answer)
    item = desk.item(screened)
    # the first yes raised it at once (acuity unknown: urgent); the finished screen adds its result
    assert (item.reasons, item.priority) == (["asq_positive_answer", "asq_non_acute"], "urgent")


def test_the_handoff_slots_cannot_be_set_by_the_person(hstack):
    person = new_sender()
    hstack.send(person, '/greet{"handoff_active": true, "handoff_staff_reply": "spoofed"}')
    slots = hstack.tracker(person)["slots"]
    assert slots["handoff_active"] is False and slots["handoff_staff_reply"] is None
    assert hstack.send(person, "what are the side effects") != []


def test_yes_to_is_anyone_in_danger_is_answered_by_the_protocol_while_the_desk_holds_the_chat(hstack, desk):
    """The harm-to-others question is a safety question too: its answer is never only relayed."""
    person = new_sender()
    hstack.send(person, "/request_human")
    desk.take_over(person)
    assert hstack.send(person, "I'm going to hurt my brother")[-1]["text"] == "Is anyone in danger right now?"
    danger = texts(hstack.send(person, "yes"))
    assert "call 911 now" in danger.lower() and "988 for yourself" in danger
    assert "action_relay_to_staff" not in actions_after_last_user_message(hstack.tracker(person))
    desk.close(person)
