"""The Redis that carries the web chat's socket.io messages between Rasa servers, made safe.

python-socketio's AsyncRedisManager, with two changes:

- Messages are JSON, written and read. The stock manager pickles what it publishes and unpickles
  whatever arrives on the channel, so anyone able to write to that Redis could run code on every
  Rasa server. A message that is not a JSON object is dropped.
- A message that cannot be published (Redis down) is sent from this server instead, and the
  failure is logged as an error for the clinic. The stock manager logs "giving up" and drops it:
  a Redis outage silenced every web chat, crisis replies included. Sent locally, it reaches every
  chat connected to this server (the person whose message it answers is one of them); a chat
  connected to another server misses it, which is what the error says.
"""
from __future__ import annotations

import json
import logging
from typing import Any, AsyncIterator, Dict

from redis.exceptions import RedisError
from socketio import AsyncRedisManager
from socketio.asyncio_manager import AsyncManager

logger = logging.getLogger(__name__)


class SharedRoomsUnavailable(Exception):
    """Redis refused a message twice (once more after reconnecting)."""


class JsonRedisManager(AsyncRedisManager):
    """AsyncRedisManager that speaks JSON and falls back to this server when Redis is down."""

    async def _publish(self, data: Dict[str, Any]) -> Any:
        payload = json.dumps(data)
        try:
            return await self.redis.publish(self.channel, payload)
        except RedisError:
            pass
        try:  # once more on a new connection (Redis restarted, a dropped socket)
            self._redis_connect()
            return await self.redis.publish(self.channel, payload)
        except RedisError as error:
            raise SharedRoomsUnavailable(type(error).__name__) from None

    async def emit(self, event: str, data: Any, namespace: Any = None, room: Any = None, skip_sid: Any = None,
                   callback: Any = None, **kwargs: Any) -> Any:
        try:
            return await super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                                      callback=callback, **kwargs)
        except SharedRoomsUnavailable as failure:
            logger.error("Redis is unreachable (%s): a web chat message was sent from this server only; "
                         "chats open on other servers miss it until Redis is back", failure)
            return await super().emit(event, data, namespace=namespace, room=room, skip_sid=skip_sid,
                                      callback=callback, ignore_queue=True)

    async def can_disconnect(self, sid: str, namespace: Any) -> Any:
        try:
            return await super().can_disconnect(sid, namespace)
        except SharedRoomsUnavailable:
            logger.error("Redis is unreachable: a disconnect for a chat on another server was not passed on")
            return False

    async def close_room(self, room: Any, namespace: Any = None) -> Any:
        try:
            return await super().close_room(room, namespace=namespace)
        except SharedRoomsUnavailable:
            logger.error("Redis is unreachable: a room was closed on this server only")
            return await AsyncManager.close_room(self, room, namespace or "/")

    async def _listen(self) -> AsyncIterator[Dict[str, Any]]:
        async for message in super()._listen():
            try:
                data = json.loads(message)
            except (TypeError, ValueError):
                data = None
            if isinstance(data, dict):
                yield data
            else:
                logger.warning("a message on the shared socket.io channel that is not JSON was dropped")
