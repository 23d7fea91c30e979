"""With the action server stopped, the crisis reply still goes out (it lives in domain.yml), and
every other step that needs the action server says clearly that it failed and where help is."""
from __future__ import annotations

import pytest

from tests.support.stack import start_stack, texts


@pytest.fixture(scope="module")
def stack_without_actions(tmp_path_factory):
    running = start_stack(tmp_path_factory.mktemp("no-actions"), with_actions=False)
    yield running
    running.stop_all()


@pytest.mark.parametrize(
    "message, expected",
    [
        ("I want to kill myself", "988"),
        ("my husband is going to kill me", "1-800-799-7233"),
        ("I took a whole bottle of pills", "911"),
        ("my brother wants to kill himself", "looking out for them"),
    ],
)
def test_crisis_reply_without_action_server(stack_without_actions, sender, message, expected):
    reply = stack_without_actions.send(sender, message)
    assert expected in texts(reply)
    assert reply[-1]["text"] in ("Are you safe right now?", "Is anyone in danger right now?",
                                 "Are you and the person you're worried about safe right now?")
    assert "911" in texts(reply)


def test_not_safe_answer_without_action_server_still_gives_911(stack_without_actions, sender):
    stack_without_actions.send(sender, "kms")
    assert "call 911 now" in texts(stack_without_actions.send(sender, "no")).lower()


@pytest.mark.parametrize("message", ["I'd like to book a consultation", "check my symptoms",
                                     "can I talk to a person"])
def test_other_steps_say_clearly_that_they_failed_and_where_help_is(stack_without_actions, sender, message):
    reply = texts(stack_without_actions.send(sender, message))
    assert "isn't working right now" in reply
    assert "+1 310-555-0142" in reply and "988" in reply and "911" in reply
    assert reply.count("isn't working right now") == 1


def test_the_crisis_reply_is_not_followed_by_an_apology(stack_without_actions, sender):
    reply = texts(stack_without_actions.send(sender, "I want to end my life"))
    assert "988" in reply and "isn't working right now" not in reply
