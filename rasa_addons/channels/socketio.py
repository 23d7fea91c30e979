"""Rasa's socket.io channel (the website's chat widget) with failed turns answered clearly."""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from rasa_addons.channels.failure_replies import reply_on_failure


class AnsweringSocketIOInput(SocketIOInput):
    """`socketio` as Rasa ships it, except that a failed turn gets a clear message, not silence."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(reply_on_failure(on_new_message))
