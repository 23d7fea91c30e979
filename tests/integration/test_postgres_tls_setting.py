"""TLS to PostgreSQL is set by libpq's PGSSLMODE, for the tracker store and the app database alike.

Production documents PGSSLMODE (deploy/production.env.example) instead of a setting of its own, so
these tests show that both kinds of connection follow it. This machine's PostgreSQL has no TLS:
`require` must then fail with libpq's own refusal (proof that the setting reached the connection,
where a TLS server would have encrypted it), and `disable` must work.
"""
from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from intake.storage.db import Database
from rasa_addons.stores.private_tracker_store import PrivateSQLTrackerStore
from tests.support.postgres import temporary_postgres_database

REFUSED = "server does not support SSL, but SSL was required"


@pytest.fixture
def pg_url():
    with temporary_postgres_database() as url:
        yield url


def _tracker_store(url: str) -> PrivateSQLTrackerStore:
    parts = make_url(url)
    return PrivateSQLTrackerStore(dialect="postgresql", host=parts.host, port=parts.port, db=parts.database,
                                  username=parts.username, password=parts.password or "", login_db="postgres")


def test_the_tracker_store_follows_pgsslmode(pg_url, monkeypatch):
    # Built without TLS: Rasa's store retries its first connection until it succeeds, so a refused
    # one would wait forever here (in production it waits for the database to come up).
    monkeypatch.setenv("PGSSLMODE", "disable")
    store = _tracker_store(pg_url)
    try:
        asyncio.run(store.save(DialogueStateTracker.from_events("tls-check", [UserUttered("hello")])))
        stored = asyncio.run(store.retrieve("tls-check"))
        assert [event.text for event in stored.events if isinstance(event, UserUttered)] == ["hello"]

        monkeypatch.setenv("PGSSLMODE", "require")
        store.engine.dispose()  # the next statement opens a new connection
        with pytest.raises(OperationalError, match=REFUSED):
            with store.engine.connect():
                pass
    finally:
        store.engine.dispose()


def test_the_app_database_follows_pgsslmode(pg_url, monkeypatch):
    monkeypatch.setenv("PGSSLMODE", "require")
    with pytest.raises(OperationalError, match=REFUSED):
        Database(pg_url)

    monkeypatch.setenv("PGSSLMODE", "disable")
    app_database = Database(pg_url)
    try:
        with app_database.engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        app_database.engine.dispose()
