"""The production-like stores for the Sanic workers comparison: a throw-away PostgreSQL database
for the tracker store and a private key prefix in Redis for Rasa's lock store.

Rasa runs more than one Sanic worker only with the Redis lock store (with the in-memory one,
two workers could answer the same conversation at once), and the workers must share a tracker
store a network away, so SQLite in a temporary folder would not be a fair stand-in.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg2
import redis

POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 1


def _postgres_admin():
    """A connection to the `postgres` database (trust auth), autocommit for CREATE/DROP DATABASE."""
    connection = psycopg2.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER,
                                  dbname="postgres", connect_timeout=5)
    connection.autocommit = True
    return connection


@contextmanager
def production_endpoints(workdir: Path, actions_url: str) -> Iterator[Path]:
    """Create a fresh database and a unique lock-store prefix, yield an endpoints file using them,
    then drop the database (even with the server's connections still open) and the lock keys."""
    name = f"intake_bench_{uuid.uuid4().hex[:10]}"
    key_prefix = f"intakebench{uuid.uuid4().hex[:10]}"  # Rasa ignores a prefix that is not alphanumeric
    path = workdir / f"endpoints-{name}.yml"
    admin = _postgres_admin()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        path.write_text(
            f'action_endpoint:\n  url: "{actions_url}/webhook"\n'
            f"tracker_store:\n  type: SQL\n  dialect: postgresql\n  url: {POSTGRES_HOST}\n"
            f"  port: {POSTGRES_PORT}\n  db: {name}\n  username: {POSTGRES_USER}\n  login_db: postgres\n"
            f"lock_store:\n  type: redis\n  url: {REDIS_HOST}\n  port: {REDIS_PORT}\n  db: {REDIS_DB}\n"
            f"  key_prefix: {key_prefix}\n"
        )
        yield path
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        _delete_lock_keys(key_prefix)
        path.unlink(missing_ok=True)


def _delete_lock_keys(key_prefix: str) -> None:
    """Locks are deleted after each message; this removes any a stopped server left behind."""
    client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"{key_prefix}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()
