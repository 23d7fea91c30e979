"""With the action server stopped, the crisis reply still goes out (it lives in domain.yml)."""
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
    assert reply[-1]["text"] in ("Are you safe right now?",
                                 "Are you and the person you're worried about safe right now?")
    assert "911" in texts(reply)


def test_not_safe_answer_without_action_server_still_gives_911(stack_without_actions, sender):
    stack_without_actions.send(sender, "kms")
    assert "call 911 now" in texts(stack_without_actions.send(sender, "no")).lower()
