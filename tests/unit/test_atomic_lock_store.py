"""The lock store shared by several Rasa servers, on the machine's Redis: tickets drawn at the
same moment by several servers for one conversation are all different, and a lock is never
deleted from under a server that has just drawn a ticket."""
from __future__ import annotations

import asyncio
import threading
import uuid

import pytest
import redis
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.stores.atomic_redis_lock_store import AtomicRedisLockStore
from tests.support.production import REDIS_DB, REDIS_HOST, REDIS_PORT

SERVERS = 8
ROUNDS = 25


@pytest.fixture
def prefix():
    key_prefix = f"locktest{uuid.uuid4().hex[:10]}"
    yield key_prefix
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
    for key in client.scan_iter(f"{key_prefix}*"):
        client.delete(key)
    client.close()


def _store(prefix: str, use_ssl: str = "0", **settings: object) -> AtomicRedisLockStore:
    """One server's lock store, configured as config/endpoints.production.yml does (strings)."""
    return AtomicRedisLockStore(EndpointConfig(url=REDIS_HOST, port=str(REDIS_PORT), db=str(REDIS_DB),
                                               password="", key_prefix=prefix, use_ssl=use_ssl, **settings))


def test_use_ssl_from_the_endpoints_file_is_read_as_on_or_off(prefix):
    """REDIS_USE_SSL arrives as text: "0" must mean plain (redis-py would take any text as TLS), "1"
    TLS, which this machine's plain Redis refuses, and anything else is a clear error."""
    plain = _store(prefix, "0")
    assert plain.issue_ticket("c") == 0
    with pytest.raises(redis.exceptions.RedisError):  # the TLS handshake gets no answer
        _store(prefix, "1", socket_timeout=1).issue_ticket("c")
    with pytest.raises(ValueError, match="REDIS_USE_SSL"):
        _store(prefix, "maybe")


def test_tickets_drawn_at_once_by_several_servers_are_all_different(prefix):
    stores = [_store(prefix) for _ in range(SERVERS)]
    for round_number in range(ROUNDS):
        conversation = f"c{round_number}"
        start = threading.Barrier(SERVERS)
        tickets = []

        def draw(store: AtomicRedisLockStore) -> None:
            start.wait()
            tickets.append(store.issue_ticket(conversation))

        threads = [threading.Thread(target=draw, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(tickets) == list(range(SERVERS))
        assert len(stores[0].get_lock(conversation).tickets) == SERVERS


def test_messages_of_one_conversation_on_several_servers_are_served_one_at_a_time(prefix):
    stores = [_store(prefix) for _ in range(4)]
    inside, most_inside, served = [0], [0], []

    async def handle(store: AtomicRedisLockStore, number: int) -> None:
        async with store.lock("one-conversation", wait_time_in_seconds=0.01):
            inside[0] += 1
            most_inside[0] = max(most_inside[0], inside[0])
            await asyncio.sleep(0.02)
            served.append(number)
            inside[0] -= 1

    async def crowd() -> None:
        await asyncio.gather(*(handle(stores[n % len(stores)], n) for n in range(12)))

    asyncio.run(crowd())
    assert most_inside[0] == 1 and sorted(served) == list(range(12))
    assert stores[0].get_lock("one-conversation") is None  # the last one out removed the lock
