"""The front-desk handoff for a person texting the clinic: signed Twilio webhooks to the real Rasa
server, texts caught by the Twilio Messages API stand-in. The staff member's messages reach the
person's own phone number, from the clinic's number, through Rasa's HTTP API (output_channel=latest).

It runs on the run's SMS stack and Twilio stand-in (tests/integration/conftest.py).
"""
from __future__ import annotations

import asyncio

import pytest

from intake.handoff.rasa_api import NotDelivered
from intake.settings import settings
from intake.sms.identity import conversation_id_for
from intake.sms.segments import sms_length
from tests.integration.test_sms_channel import MAX_SEGMENTS, joined, new_phone, text
from tests.support.handoff import STAFF_JOINED, Desk
from tests.support.twilio_standin import CLINIC_NUMBER, ID_KEY, TwilioStandIn





@pytest.fixture
def desk(sms_stack) -> Desk:
    return Desk(sms_stack)


def conversation_of(phone: str) -> str:
    return conversation_id_for(phone, ID_KEY.encode())


def texted(twilio: TwilioStandIn, phone: str, since: int) -> list:
    """What the stand-in received for `phone` since `since`; staff messages go out while the HTTP
    API call is answered, so they are already there when it returns."""
    return twilio.sent_to(phone, since=since)


def test_a_texter_asks_for_a_person_and_a_staff_member_texts_back(sms_stack, twilio, desk):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    reply = text(sms_stack, twilio, phone, "can I talk to a person")
    assert 0 < len(reply) <= MAX_SEGMENTS and all(sms_length(t) <= 160 for t in reply), reply
    said = joined(reply)
    assert "front desk" in said and settings().clinic.front_desk_phone in said and "988" in said
    conversation = conversation_of(phone)
    item = desk.item(conversation)
    assert (item.reasons, item.priority, item.channel) == (["asked_for_human"], "normal", "sms")

    mark = twilio.mark()
    desk.take_over(conversation)
    assert STAFF_JOINED in joined(texted(twilio, phone, mark))

    assert text(sms_stack, twilio, phone, "what are the side effects") == []  # relayed, no automatic reply

    mark = twilio.mark()
    desk.write(conversation, "Hi, this is Dana at the front desk. I can call you at 2pm, does that work?")
    assert texted(twilio, phone, mark) == ["Hi, this is Dana at the front desk. I can call you at 2pm, does that work?"]
    sent = [t for t in twilio.sent[mark:] if t.to == phone]
    assert [t.from_ for t in sent] == [CLINIC_NUMBER]
    assert ("person", "what are the side effects") in desk.transcript(conversation)

    assert text(sms_stack, twilio, phone, "yes 2pm is fine") == []

    mark = twilio.mark()
    desk.hand_back(conversation)
    assert "handed this conversation back" in joined(texted(twilio, phone, mark))
    answer = joined(text(sms_stack, twilio, phone, "what are the side effects"))
    assert "side effects" in answer.lower() and "dreamlike" in answer
    desk.close(conversation)


def test_a_staff_text_that_twilio_refuses_is_reported_as_not_delivered(sms_stack, twilio, desk):
    phone = new_phone()
    text(sms_stack, twilio, phone, "can I talk to a person")
    conversation = conversation_of(phone)
    desk.take_over(conversation)

    twilio.fail_next = [400]
    with pytest.raises(NotDelivered):
        desk.write(conversation, "Hi, this is Dana. Can I call you at 2pm?")
    assert ("staff", "Hi, this is Dana. Can I call you at 2pm?") not in desk.transcript(conversation)

    mark = twilio.mark()
    desk.write(conversation, "Hi, this is Dana. Can I call you at 2pm?")
    assert texted(twilio, phone, mark) == ["Hi, this is Dana. Can I call you at 2pm?"]

    # A refused text does not stop the desk from handing the conversation back: the change is
    # made and the console is told the person was not.
    twilio.fail_next = [400]
    with pytest.raises(NotDelivered, match="change was made"):
        asyncio.run(desk.rasa.end_takeover(conversation))
    assert desk.rasa_slots(conversation)["handoff_active"] is False
    desk.close(conversation)


def test_a_crisis_text_during_a_takeover_gets_the_crisis_reply_and_the_item_becomes_urgent(sms_stack, twilio, desk):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    text(sms_stack, twilio, phone, "can I talk to a person")
    conversation = conversation_of(phone)
    desk.take_over(conversation)

    crisis = joined(text(sms_stack, twilio, phone, "i want to kill myself"))
    assert "988" in crisis and "911" in crisis and "Are you safe right now? Reply 1 for yes, 2 for no." in crisis
    item = desk.item(conversation)
    assert (item.priority, item.status) == ("urgent", "claimed") and "crisis" in item.reasons

    not_safe = joined(text(sms_stack, twilio, phone, "2"))  # 2 = no
    assert "Please call 911 now" in not_safe
    assert text(sms_stack, twilio, phone, "ok") == []  # relayed again afterwards
    desk.close(conversation)


def test_no_staff_message_reaches_a_number_that_opted_out(sms_stack, twilio, desk):
    phone = new_phone()
    text(sms_stack, twilio, phone, "hello")
    text(sms_stack, twilio, phone, "can I talk to a person")
    conversation = conversation_of(phone)
    desk.take_over(conversation)
    assert "unsubscribed" in joined(text(sms_stack, twilio, phone, "STOP"))
    mark = twilio.mark()
    desk.write(conversation, "Hi, this is Dana.")
    assert texted(twilio, phone, mark) == []
    desk.close(conversation)
