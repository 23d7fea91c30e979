"""Rasa's Redis lock store, with every change to a conversation's lock made atomic.

Several Rasa servers (and several Sanic workers of one server) share one Redis lock store so
that the messages of one conversation are handled one at a time, whichever server gets them.
Rasa's open-source `RedisLockStore` reads a conversation's ticket lock, changes it in Python and
writes it back (RasaHQ/rasa#9213). Two messages of one conversation arriving at two servers at
the same moment can therefore both draw the same ticket and be handled at once: each server
saves the tracker it read, and one message with its answer is lost from the stored
conversation. A server finishing a message can also delete the lock just after another server
drew a ticket from it, and that other message then fails with a LockError. The scale test
(tests/integration/test_scale_postgres_redis.py) showed the first of these on this machine.

Here each of those read-change-write steps runs under a short Redis mutex per conversation
(redis-py's Lock: SET NX with an expiry, released by token), so tickets are drawn, served and
removed one at a time. Waiting for one's turn is unchanged.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator, Text

from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from intake.settings import flag

# A lock change takes a few Redis round trips; a holder that died frees the mutex after this.
MUTEX_EXPIRY_S = 5.0
MUTEX_WAIT_S = 10.0
# How often a waiting server retries the mutex (redis-py's default, 0.1 s, would add that much to a
# message that arrives while another message of the same conversation changes the lock).
MUTEX_RETRY_S = 0.005


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket changes cannot interleave (endpoints `lock_store: type:`)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings: dict = dict(endpoint_config.kwargs)
        if "port" in settings:
            settings["port"] = int(settings["port"])
        if "db" in settings:
            settings["db"] = int(settings["db"])
        # An endpoints file's ${REDIS_USE_SSL} arrives as text, and "0" would be true to redis-py.
        settings["use_ssl"] = flag(settings.get("use_ssl"), False, "lock_store use_ssl (REDIS_USE_SSL)")
        super().__init__(host=endpoint_config.url or "localhost", **settings)

    @contextmanager
    def _changing(self, conversation_id: Text) -> Iterator[None]:
        mutex = self.red.lock(f"{self.key_prefix}{conversation_id}:mutex", timeout=MUTEX_EXPIRY_S,
                              blocking_timeout=MUTEX_WAIT_S, sleep=MUTEX_RETRY_S)
        with mutex:
            yield

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        with self._changing(conversation_id):
            return super().issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        with self._changing(conversation_id):
            super().update_lock(conversation_id)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        with self._changing(conversation_id):
            super().cleanup(conversation_id, ticket_number)
