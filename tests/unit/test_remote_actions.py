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
