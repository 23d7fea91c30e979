"""The parts of the Rasa API client that need no server: choosing a response's variant by
channel as Rasa does, filling its placeholders, and the configuration from the environment.
(Talking to a real Rasa server is tested in tests/integration/test_handoff_*.py.)"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from intake.handoff import rasa_api
from intake.handoff.rasa_api import RasaConversations, choose_variant, fill

RESPONSES = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())["responses"]


def test_the_sms_variant_for_sms_and_the_default_for_the_web():
    claimed = RESPONSES["utter_handoff_claimed"]
    assert choose_variant(claimed, "sms")["channel"] == "sms"
    for channel in ("socketio", "rest", None):
        assert "channel" not in choose_variant(claimed, channel)
    returned = choose_variant(RESPONSES["utter_handoff_returned"], "socketio")
    assert "/request_human" in {b["payload"] for b in returned["buttons"]}
    with pytest.raises(ValueError):
        choose_variant([{"channel": "sms", "text": "x"}], "socketio")


def test_placeholders_are_filled_and_unknown_ones_kept():
    text = choose_variant(RESPONSES["utter_handoff_claimed"], "socketio")["text"]
    assert fill(text, {"handoff_staff_name": "Dana"}).startswith("Dana from the front desk has joined this chat.")
    assert fill("{a} and {b}", {"a": "{b}"}) == "{b} and {b}"  # a value is never filled in again


def test_every_handoff_text_keeps_the_crisis_numbers():
    for name in ("utter_handoff_requested", "utter_handoff_requested_closed", "utter_handoff_claimed"):
        for variant in RESPONSES[name]:
            assert "911" in variant["text"] and "988" in variant["text"], (name, variant)


def test_settings_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("INTAKE_RASA_URL", "http://rasa.internal:5005/")
    monkeypatch.setenv("RASA_TOKEN", "from-env")
    client = RasaConversations.from_environment()
    assert (client.base_url, client.token) == ("http://rasa.internal:5005", "from-env")

    monkeypatch.delenv("RASA_TOKEN")
    monkeypatch.delenv("INTAKE_RASA_URL")
    token_file = tmp_path / "rasa_token"
    token_file.write_text("from-file\n")
    monkeypatch.setattr(rasa_api, "TOKEN_FILE", token_file)
    client = RasaConversations.from_environment()
    assert (client.base_url, client.token) == ("http://localhost:5005", "from-file")

    monkeypatch.setattr(rasa_api, "TOKEN_FILE", tmp_path / "missing")
    with pytest.raises(ValueError):
        RasaConversations.from_environment()


def test_nothing_listens_means_rasa_unavailable():
    import asyncio
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = RasaConversations(f"http://127.0.0.1:{port}", "token")
    with pytest.raises(rasa_api.RasaUnavailable, match="could not be reached"):
        asyncio.run(client.tracker("someone"))
    with pytest.raises(ValueError):
        asyncio.run(client.send_staff_message("someone", "   "))
