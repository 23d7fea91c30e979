"""Web chat session ids are issued and signed by the server (intake.web_sessions)."""
from __future__ import annotations

from intake.web_sessions import is_issued, issue_session_id


def test_an_issued_id_is_recognised_and_every_id_is_new():
    first, second = issue_session_id(), issue_session_id()
    assert is_issued(first) and is_issued(second) and first != second


def test_made_up_tampered_and_odd_ids_are_not():
    token, signature = issue_session_id().split(".")
    flipped = ("1" if signature[0] == "0" else "0") + signature[1:]
    for other in (token, f"{token}.{flipped}", f"{token.upper()}.{signature}", "sms-3f9a0c1d2e", "", None, 42,
                  f"{token}.{signature}.x", "ab.cd"):
        assert not is_issued(other), other


def test_a_conversation_lives_on_the_channel_its_id_names():
    from intake.conversation_ids import channel_by_id

    assert channel_by_id("sms-3f9a0c1d2e") == "sms" and channel_by_id("SMS-3f9a0c1d2e") == "sms"
    assert channel_by_id(issue_session_id()) == "socketio"
    assert channel_by_id("0123456789abcdef0123456789abcdef") is None  # a REST conversation: its latest channel
