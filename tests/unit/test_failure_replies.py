"""A turn that fails inside the Rasa server is answered, never silent: the outage message once,
with the desk's number and the crisis lines, after the crisis reply when the message is a crisis.
(The integration tests show the same through real servers with the database cut off.)"""
from __future__ import annotations

import asyncio

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from intake.safety.decision import CHECK_IN_CATEGORY
from rasa_addons.channels.failure_replies import crisis_reply, reply_on_failure
from rasa_addons.safety_guard import crisis_category
from rasa_addons.stores.private_tracker_store import TrackerStorageUnavailable


async def _store_down(message: UserMessage) -> None:
    raise TrackerStorageUnavailable("OperationalError")


def _answer(text: str, channel: str = "rest"):
    output = CollectingOutputChannel()
    asyncio.run(reply_on_failure(_store_down)(UserMessage(text, output, "person", input_channel=channel)))
    return output.messages


def test_an_ordinary_message_gets_the_outage_message_once_with_the_desk_and_the_crisis_lines():
    messages = _answer("how long does a session take")
    assert len(messages) == 1
    assert "can't reach our records" in messages[0]["text"]
    assert "+1 310-555-0142" in messages[0]["text"] and "988" in messages[0]["text"]


def test_a_crisis_message_gets_its_crisis_reply_first():
    messages = _answer("I want to kill myself", channel="socketio")
    assert messages[0]["text"] == crisis_reply("suicide", "socketio")["text"]
    assert {b["payload"] for b in messages[0]["buttons"]} == {"tel:988", "sms:988", "tel:911"}
    assert "can't reach our records" in messages[1]["text"]


def test_a_crisis_message_in_spanish_gets_the_spanish_crisis_reply():
    messages = _answer("ya no quiero vivir, me quiero morir", channel="sms")
    assert messages[0]["text"] == crisis_reply("suicide", "sms", "es")["text"]
    assert "marque 2" in messages[0]["text"] and "911" in messages[0]["text"]
    assert crisis_reply("suicide", "sms", "es")["text"] != crisis_reply("suicide", "sms")["text"]


def test_a_spanish_message_gets_the_outage_message_in_spanish_with_988_in_spanish():
    messages = _answer("¿cuánto cuesta una sesión de ketamina?")
    assert len(messages) == 1 and "no puedo llegar a nuestros registros" in messages[0]["text"]
    assert "988 y marque 2" in messages[0]["text"] and "+1 310-555-0142" in messages[0]["text"]


def test_a_short_word_in_a_spanish_conversation_is_told_in_spanish():
    from rasa_addons.language_responses import _remember

    _remember("person", "es")
    try:
        assert "no puedo llegar a nuestros registros" in _answer("ok")[0]["text"]
    finally:
        _remember("person", "en")


def test_the_crisis_reply_fits_the_channel():
    assert len(crisis_reply("suicide", "sms")["text"]) < len(crisis_reply("suicide", "rest")["text"])
    assert "channel" not in crisis_reply("suicide", "sms")


def test_a_crisis_only_the_model_reads_gets_its_crisis_reply_too():
    messages = _answer("i want to f***ing die")  # no pattern names it; the shared decision does
    assert messages[0]["text"] == crisis_reply("suicide", "rest")["text"]
    assert "can't reach our records" in messages[1]["text"]


def test_a_check_in_that_cannot_wait_for_its_answer_gets_the_crisis_lines():
    assert crisis_category("getting ready to go") == CHECK_IN_CATEGORY
    messages = _answer("getting ready to go")
    assert messages[0]["text"] == crisis_reply(CHECK_IN_CATEGORY, "rest")["text"]


def _slow_turn(seconds: float, then_say: str):
    """A turn that waits (as on a database that does not answer) and then says `then_say`."""
    async def turn(message: UserMessage) -> None:
        await asyncio.sleep(seconds)
        await message.output_channel.send_response(message.sender_id, {"text": then_say})
    return turn


def test_a_crisis_message_whose_turn_hangs_gets_its_crisis_reply_by_the_deadline_and_the_rest_later():
    delivered = []

    async def deliver_late(conversation_id, messages) -> None:
        delivered.append((conversation_id, [m["text"] for m in messages]))

    async def scenario():
        output = CollectingOutputChannel()
        loop = asyncio.get_running_loop()
        started = loop.time()
        handle = reply_on_failure(_slow_turn(2.5, "Are you safe right now?"), deliver_late=deliver_late)
        await handle(UserMessage("I want to kill myself", output, "person", input_channel="sms"))
        answered_after = loop.time() - started
        answered = [m["text"] for m in output.messages]
        await asyncio.sleep(2.0)  # the turn finishes meanwhile
        return answered_after, answered

    answered_after, answered = asyncio.run(scenario())
    assert answered_after < 2.0 and answered == [crisis_reply("suicide", "sms")["text"]]
    assert delivered == [("person", ["Are you safe right now?"])]


def test_an_ordinary_message_waits_for_its_slow_turn():
    async def scenario():
        output = CollectingOutputChannel()
        await reply_on_failure(_slow_turn(1.8, "A session takes about two hours."))(
            UserMessage("how long does a session take", output, "person", input_channel="rest"))
        return [m["text"] for m in output.messages]

    assert asyncio.run(scenario()) == ["A session takes about two hours."]
