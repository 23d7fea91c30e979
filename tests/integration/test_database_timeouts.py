"""A database never holds a server for long (issue 26): on PostgreSQL every connection of the app
database and of the tracker store has the connect and statement timeouts of config/clinic.yml's
`storage:` section."""
from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from intake.settings import settings
from sqlalchemy.engine import make_url

from intake.storage.db import Database
from rasa_addons.stores.private_tracker_store import PrivateSQLTrackerStore
from tests.support.postgres import temporary_postgres_database


def statement_timeout(engine: sa.engine.Engine) -> str:
    with engine.connect() as connection:
        return connection.execute(sa.text("SHOW statement_timeout")).scalar()


def test_every_connection_carries_the_statement_timeout():
    seconds = float(settings().section("storage")["statement_timeout_seconds"])
    expected = {f"{int(seconds * 1000)}ms", f"{int(seconds)}s"}
    with temporary_postgres_database() as url:
        app_database = Database(url)
        parts = make_url(url)
        tracker_store = PrivateSQLTrackerStore(dialect="postgresql", host=parts.host, port=parts.port,
                                               db=parts.database, username=parts.username, password="",
                                               login_db="postgres")
        try:
            assert statement_timeout(app_database.engine) in expected
            assert statement_timeout(tracker_store.engine) in expected
        finally:
            tracker_store.engine.dispose()
            app_database.engine.dispose()


def test_a_database_that_accepts_and_never_answers_fails_instead_of_hanging():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # the kernel accepts the connection; nothing ever answers it
    try:
        with pytest.raises(sa.exc.OperationalError, match="timeout"):
            Database(f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/intake")
    finally:
        listener.close()

