"""Schema migrations with Alembic, run at start-up by every process that opens the app database.

Several processes (Rasa's action server, the web app, more machines in production) may start at
once, so an upgrade holds a lock first: a PostgreSQL advisory lock, or a file lock beside a SQLite
file. A database created before migrations existed (tables, no alembic_version) is stamped at the
first revision and then upgraded.

    python -m intake.storage.migrate              # upgrade the configured database to head
    python -m intake.storage.migrate current      # print its revision
    python -m intake.storage.migrate revision -m "what changes"   # write a new migration
"""
from __future__ import annotations

import argparse
import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST_REVISION = "0001"
ADVISORY_LOCK_KEY = 74280011  # any constant shared by every process of this app


def alembic_config(connection: Optional[Connection] = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _migration_lock(engine: Engine, connection: Connection) -> Iterator[None]:
    if engine.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        connection.commit()
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
    elif engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with open(f"{engine.url.database}.migrate.lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    else:
        yield


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database to the newest schema; safe to call from many processes at once."""
    with engine.connect() as connection:
        with _migration_lock(engine, connection):
            tables = set(inspect(connection).get_table_names())
            if "alerts" in tables and "alembic_version" not in tables:
                command.stamp(alembic_config(connection), FIRST_REVISION)
            command.upgrade(alembic_config(connection), "head")
            connection.commit()


def head_revision() -> str:
    """The newest revision in migrations/versions (what every database is upgraded to)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> Optional[str]:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def main() -> None:
    from intake.storage.db import database

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="upgrade", choices=["upgrade", "current", "revision"])
    parser.add_argument("-m", "--message", default="schema change")
    args = parser.parse_args()
    engine = database().engine  # opening the database already upgrades it
    if args.command == "current":
        print(current_revision(engine))
    elif args.command == "revision":
        with engine.connect() as connection:
            command.revision(alembic_config(connection), message=args.message, autogenerate=True)
    else:
        print(f"database at revision {current_revision(engine)}")


if __name__ == "__main__":
    main()
