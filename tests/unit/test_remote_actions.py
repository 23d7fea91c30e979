"""How the Rasa server talks to the action server: the answer checked against the same schema as
Rasa's own check, with the validator built once (Rasa's re-checked the schema itself on every
answer), and the request written by orjson as the same JSON."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import web
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.runtime import remote_actions

remote_actions.install()
ACTION = RemoteAction("action_start_booking", None)
BODY = {"next_action": "action_ask_pc_numb", "sender_id": "person-1",
        "tracker": {"events": [{"event": "user", "text": "Sí, a veces 😔 <b>no</b> \"quoted\"",
                                "parse_data": {"intent": {"name": "affirm", "confidence": 0.9731}}}],
                    "slots": {"pc_nightmares": True, "booking_slot": None, "count": 3}}}


def test_a_well_formed_answer_passes():
    answer = {"events": [{"event": "slot", "name": "booking_slot", "value": None}],
              "responses": [{"text": "Which time suits you?", "buttons": []}]}
    assert ACTION._validate_action_result(answer)


@pytest.mark.parametrize("answer", [
    {"events": "not a list"},
    {"events": [{"name": "no event type"}]},
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": "yesterday"}]},
])
def test_a_malformed_answer_is_refused_as_before(answer):
    with pytest.raises(ValidationError):
        ACTION._validate_action_result(answer)


def test_installing_twice_wraps_once():
    wrapped = RemoteAction.run
    remote_actions.install()
    assert RemoteAction.run is wrapped


def test_the_request_body_is_the_same_json_with_its_content_type():
    """Rasa's endpoint sends its `json=` body written by orjson: a real server on loopback reads
    the same data, as application/json."""
    received = {}

    async def run() -> Any:
        async def webhook(request: web.Request) -> web.Response:
            received["content_type"] = request.headers.get("Content-Type")
            received["body"] = json.loads(await request.read())
            return web.json_response({"events": [], "responses": []})

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        try:
            return await EndpointConfig(f"http://127.0.0.1:{port}/webhook").request(json=BODY, method="post")
        finally:
            await runner.cleanup()

    assert asyncio.run(run()) == {"events": [], "responses": []}
    assert received["content_type"] == "application/json"
    assert received["body"] == BODY


def test_what_orjson_cannot_write_is_written_by_the_standard_library():
    assert json.loads(remote_actions.json_body({1: "an integer key"})) == {"1": "an integer key"}
    assert json.loads(remote_actions.json_body(BODY)) == BODY


class ActionServerOnLoopback:
    """An action server on loopback that answers at once, or accepts the request and never
    answers (`hang`), as a stopped or deadlocked server does."""

    def __init__(self, hang: bool) -> None:
        self.hang, self.received, self.answered = hang, 0, 0

    async def webhook(self, request: web.Request) -> web.Response:
        self.received += 1
        if self.hang:
            await asyncio.sleep(3600)
        self.answered += 1
        return web.json_response({"events": [{"event": "slot", "name": "crisis_kind", "value": "suicide"}],
                                  "responses": []})

    async def call(self, action_name: str) -> tuple:
        """Runs the wrapped remote action against this server: (events or the error, what was said)."""
        from rasa.core.channels.channel import CollectingOutputChannel
        from rasa.shared.core.domain import Domain
        from rasa.shared.core.trackers import DialogueStateTracker

        app = web.Application()
        app.router.add_post("/webhook", self.webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=0.1)  # a hung request is not waited for
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        output = CollectingOutputChannel()
        action = RemoteAction(action_name, EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        try:
            try:
                result = await action.run(output, None, DialogueStateTracker("person-1", []), Domain.empty())
            except Exception as error:  # noqa: BLE001 - the test looks at what failed
                result = error
            pending_when_the_turn_went_on = self.received - self.answered
            await asyncio.sleep(0)
            return result, [m.get("text") for m in output.messages], pending_when_the_turn_went_on
        finally:
            await runner.cleanup()


@pytest.fixture
def short_waits(monkeypatch):
    """The waits of config/clinic.yml's `actions:` section, shortened for the test."""
    monkeypatch.setattr(remote_actions, "action_waits", lambda: (1.0, 0.2))


def test_a_record_only_action_does_not_hold_the_turn_for_a_hung_action_server(short_waits):
    server = ActionServerOnLoopback(hang=True)
    events, said, pending = asyncio.run(server.call("action_record_crisis"))
    assert events == [] and said == []  # the turn goes on: the safety question comes next
    assert pending == 1  # while the action server still has not answered


def test_a_record_only_action_that_answers_in_time_keeps_its_events(short_waits):
    events, said, pending = asyncio.run(ActionServerOnLoopback(hang=False).call("action_record_crisis"))
    assert [event.as_dict()["name"] for event in events] == ["crisis_kind"] and pending == 0


def test_any_other_action_that_never_answers_fails_in_time_and_says_so(short_waits):
    error, said, _ = asyncio.run(ActionServerOnLoopback(hang=True).call("action_start_booking"))
    assert "failed (TimeoutError)" in str(error)
    assert len(said) == 1 and "isn't working right now" in said[0]


def test_the_shipped_waits_are_short():
    timeout, hold = remote_actions.action_waits()
    assert timeout <= 10 and hold <= 1
