"""How the Rasa server checks an action server's answer: the same schema as Rasa's own check,
with the validator built once (Rasa's re-checked the schema itself on every answer)."""
from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from rasa_addons.runtime import remote_actions

remote_actions.install()
ACTION = RemoteAction("action_start_booking", None)


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
