"""The app database never holds the action server for long (issue 26): on PostgreSQL every
connection has the connect and statement timeouts of config/clinic.yml's `storage:` section."""
from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa

from intake.settings import settings
from intake.storage.db import Database
from tests.support.postgres import temporary_postgres_database


def test_every_connection_carries_the_statement_timeout():
    expected_ms = int(float(settings().section("storage")["statement_timeout_seconds"]) * 1000)
    with temporary_postgres_database() as url:
        with Database(url).engine.connect() as connection:
            shown = connection.execute(sa.text("SHOW statement_timeout")).scalar()
    assert shown in (f"{expected_ms}ms", f"{expected_ms // 1000}s")


def test_a_database_that_accepts_and_never_answers_fails_instead_of_hanging():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # the kernel accepts the connection; nothing ever answers it
    try:
        with pytest.raises(sa.exc.OperationalError, match="timeout"):
            Database(f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/intake")
    finally:
        listener.close()

