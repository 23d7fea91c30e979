"""Which Redis carries the web chat's socket.io messages between Rasa processes."""
from __future__ import annotations

import pytest
import redis

from rasa_addons.channels.socketio import shared_rooms_url
from tests.support.production import REDIS_DB, REDIS_HOST, REDIS_PORT

VARIABLES = ("INTAKE_SOCKETIO_REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "REDIS_USE_SSL")


@pytest.fixture
def environment(monkeypatch):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_without_a_redis_the_rooms_stay_in_the_process(environment):
    assert shared_rooms_url() is None


def test_the_lock_stores_redis_is_used_and_reached(environment):
    environment.setenv("REDIS_HOST", REDIS_HOST)
    environment.setenv("REDIS_PORT", str(REDIS_PORT))
    environment.setenv("REDIS_DB", str(REDIS_DB))
    environment.setenv("REDIS_USE_SSL", "0")
    url = shared_rooms_url()
    assert url == f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    client = redis.Redis.from_url(url)
    try:
        assert client.ping()
    finally:
        client.close()


def test_tls_and_a_password_with_url_characters(environment):
    environment.setenv("REDIS_HOST", "redis.internal")
    environment.setenv("REDIS_PASSWORD", "p@ss/word")
    environment.setenv("REDIS_USE_SSL", "1")
    assert shared_rooms_url() == "rediss://:p%40ss%2Fword@redis.internal:6379/0"


def test_a_url_of_its_own_wins(environment):
    environment.setenv("REDIS_HOST", "redis.internal")
    environment.setenv("INTAKE_SOCKETIO_REDIS_URL", "rediss://other:6380/2")
    assert shared_rooms_url() == "rediss://other:6380/2"
