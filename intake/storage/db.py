"""Engine and sessions for the app database, from the configured URL (SQLite by default)."""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from intake.settings import settings
from intake.storage.migrate import upgrade_to_head


class Database:
    """One engine and session factory per database URL; the schema is migrated on first use."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": 30} if url.startswith("sqlite") else postgres_timeouts(url)
        # hide_parameters: a database error logged with its statement must not quote what people wrote.
        self.engine: Engine = create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args,
                                            hide_parameters=True)
        use_write_ahead_log(self.engine)
        upgrade_to_head(self.engine)
        self.sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)


def postgres_timeouts(url: str) -> Dict[str, Any]:
    """Connect and statement timeouts for PostgreSQL (the `storage:` section; `url` or its driver
    name), for the app database and the tracker store: a database that accepts connections and
    never answers must fail a step, not hold a server's only loop and, with it, every conversation."""
    if not url.startswith("postgresql"):
        return {}
    storage = settings().section("storage")
    statement_ms = int(float(storage.get("statement_timeout_seconds", 10)) * 1000)
    return {"connect_timeout": int(storage.get("connect_timeout_seconds", 5)),
            "options": f"-c statement_timeout={statement_ms}"}


def use_write_ahead_log(engine: Engine) -> None:
    """On SQLite (the embedded default), write through a write-ahead log, synced at checkpoints.

    SQLite's default journal syncs the disk several times per commit, and every answer of a
    screening and every turn of a conversation is a commit: profiling showed those syncs as a
    large share of a turn. With WAL, readers in other processes (the action server, the web app)
    never wait for a writer, and a commit survives a crash of the process; only a power cut may
    lose the last commits. Production runs on PostgreSQL and is not affected.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(connection, _record) -> None:  # noqa: ANN001 - DBAPI connection
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    engine.dispose()  # connections opened before the listener reconnect with it


@lru_cache(maxsize=4)
def database(url: Optional[str] = None) -> Database:
    """The app database for `url`, or for the configured URL."""
    return Database(url or settings().database_url)


@contextmanager
def session_scope(url: Optional[str] = None) -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any error."""
    session = database(url).sessions()
    try:
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()
