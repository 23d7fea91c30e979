"""Rasa's socket.io channel (the website's chat widget), ready for several Rasa servers.

Four changes to Rasa's `socketio` channel:

- A failed turn gets a clear message, not silence (failure_replies).
- A connection's address and a conversation are held to their message rates, a message that
  reads as a risk excepted (message_rate).
- Session ids are issued and signed by the server (intake.web_sessions): knowing or guessing a
  conversation's id is not enough to write into it, and "Start over" leaves the old conversation.
- In production (REDIS_HOST set, as config/endpoints.production.yml needs for the lock store),
  the socket.io servers of all Rasa processes share their rooms through that Redis
  (python-socketio's AsyncRedisManager; INTAKE_SOCKETIO_REDIS_URL names another Redis). A
  person's chat is connected to one Rasa process, but the front desk's messages during a
  takeover reach Rasa through its HTTP API, on whichever server the load balancer picks; without
  the shared manager that server would store the message and push it to nobody (the scale test
  failed that way before this). The manager speaks JSON, never pickles, and when Redis is down
  sends from this server instead of dropping the message (rasa_addons/channels/shared_rooms.py).
  In the embedded default (one process, no Redis) rooms stay in the process.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import quote

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from intake.client_address import counted_address
from intake.rate_limits import slow_down_reply
from intake.settings import flag
from intake.web_sessions import is_issued, issue_session_id
from rasa_addons.channels.message_rate import held_back
from rasa_addons.channels.reply_language import language_to_tell
from rasa_addons.language_responses import answered_in
from rasa_addons.channels.shared_rooms import JsonRedisManager
from rasa_addons.channels.turn_guards import guarded

logger = logging.getLogger(__name__)
SHARED_ROOMS_URL_ENV = "INTAKE_SOCKETIO_REDIS_URL"


def shared_rooms_url() -> Optional[str]:
    """The Redis whose pub/sub carries socket.io messages between Rasa processes, if any."""
    explicit = os.environ.get(SHARED_ROOMS_URL_ENV)
    if explicit:
        return explicit
    host = os.environ.get("REDIS_HOST")
    if not host:
        return None
    password = quote(os.environ.get("REDIS_PASSWORD") or "", safe="")
    credentials = f":{password}@" if password else ""
    scheme = "rediss" if flag(os.environ.get("REDIS_USE_SSL"), False, "REDIS_USE_SSL") else "redis"
    return f"{scheme}://{credentials}{host}:{os.environ.get('REDIS_PORT') or 6379}/{os.environ.get('REDIS_DB') or 0}"


def shared_rooms_channel() -> str:
    """The Redis pub/sub channel; deployments sharing one Redis keep apart by their key prefix."""
    return f"{os.environ.get('REDIS_KEY_PREFIX') or 'intake'}:socketio"


def _address_of(environ: Optional[Dict[str, Any]]) -> Optional[str]:
    """The address a socket.io connection is counted under (its handshake request, behind the
    proxies; None for a client on this machine)."""
    environ = environ or {}
    request = environ.get("sanic.request")
    return counted_address(environ.get("HTTP_X_FORWARDED_FOR"), request.ip if request is not None else None)


class AnsweringSocketIOInput(SocketIOInput):
    """`socketio` as Rasa ships it, answering failed turns and sharing rooms across servers."""

    @classmethod
    def name(cls) -> Text:
        return "socketio"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(guarded(on_new_message))
        self._only_issued_sessions()
        self._replies_say_their_language()
        redis_url = shared_rooms_url()
        if redis_url and self.sio is not None:
            # Swapped before the first connection, which is when the server initialises its manager.
            manager = JsonRedisManager(redis_url, channel=shared_rooms_channel())
            manager.set_server(self.sio)
            self.sio.manager = manager
        return blueprint

    def _replies_say_their_language(self) -> None:
        """Each reply to the widget carries `language` ("en"/"es"): the language the conversation
        is being answered in (rasa_addons.language_responses), so the widget's own words (buttons,
        crisis bar, placeholder) follow the conversation, even under a reply still written only in
        English. Rasa's output channel drops any key a response has beyond text and buttons, so
        the tag is added where replies are sent (the room is the conversation's id)."""
        sio, event = self.sio, self.bot_message_evt
        emit = sio.emit

        async def emit_with_language(name: Text, data: Any = None, *args: Any, **kwargs: Any) -> Any:
            room = kwargs.get("room") or kwargs.get("to")
            language = answered_in(room) if name == event and isinstance(data, dict) and room else None
            if language and "language" not in data:
                data = {**data, "language": language}
            return await emit(name, data, *args, **kwargs)

        sio.emit = emit_with_language

    def _only_issued_sessions(self) -> None:
        """Rasa's session and message handlers behind two checks (intake.web_sessions): a session
        request with an id this server did not issue gets a new, signed one, and leaves the room
        of the conversation it was in ("Start over" on a shared computer); a message is taken only
        under the issued id of the conversation its connection asked for."""
        sio, namespace = self.sio, self.namespace or "/"
        handlers = sio.handlers[namespace]
        rasa_session_request, rasa_message = handlers["session_request"], handlers[self.user_message_evt]

        async def session_request(sid: Text, data: Optional[Dict[str, Any]]) -> None:
            data = dict(data) if isinstance(data, dict) else {}
            if not is_issued(data.get("session_id")):
                data["session_id"] = issue_session_id()
            for room in sio.rooms(sid, namespace=namespace):
                if room not in (sid, data["session_id"]):
                    sio.leave_room(sid, room, namespace=namespace)
            await rasa_session_request(sid, data)

        async def user_message(sid: Text, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not is_issued(session_id) or session_id not in sio.rooms(sid, namespace=namespace):
                logger.warning("a web chat message under a session id this connection was not given was refused")
                return
            if await held_back("address", _address_of(sio.get_environ(sid, namespace=namespace)), data.get("message")):
                language = language_to_tell(session_id, data.get("message"))
                await sio.emit(self.bot_message_evt, {"text": slow_down_reply(language), "language": language},
                               room=sid, namespace=namespace)
                return
            await rasa_message(sid, data)

        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, user_message, namespace=namespace)
