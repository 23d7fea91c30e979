"""The shared stores of a production deployment, on this machine, for one test module.

config/endpoints.production.yml reads every setting from the environment; this yields those
variables for a fresh PostgreSQL database (the tracker store) and a fresh Redis key prefix (the
lock store), and removes both afterwards, so tests never see each other's conversations or locks.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import Dict, Iterator

import psycopg2
import redis
from sqlalchemy.engine import make_url

from tests.support.postgres import admin_connection, temporary_postgres_database

REDIS_HOST = os.environ.get("INTAKE_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("INTAKE_TEST_REDIS_PORT", "6379"))
REDIS_DB = 1


@contextmanager
def production_stores() -> Iterator[Dict[str, str]]:
    """The environment of config/endpoints.production.yml for a throw-away database and prefix."""
    prefix = f"intaketest{uuid.uuid4().hex[:10]}"
    with temporary_postgres_database() as url, temporary_postgres_database() as app_url:
        tracker = make_url(url)
        env = {
            "TRACKER_DB_HOST": tracker.host, "TRACKER_DB_PORT": str(tracker.port or 5432),
            "TRACKER_DB_NAME": tracker.database, "TRACKER_DB_USER": tracker.username,
            "TRACKER_DB_PASSWORD": tracker.password or "", "TRACKER_DB_LOGIN_DB": "postgres",
            "REDIS_HOST": REDIS_HOST, "REDIS_PORT": str(REDIS_PORT), "REDIS_DB": str(REDIS_DB),
            "REDIS_PASSWORD": "", "REDIS_KEY_PREFIX": prefix, "REDIS_USE_SSL": "0",
            # The app database (screenings, bookings, handoffs) is a database of its own, as in production.
            "INTAKE_DATABASE_URL": app_url,
        }
        try:
            yield env
        finally:
            client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB)
            for key in client.scan_iter(f"{prefix}*"):
                client.delete(key)
            client.close()


def tracker_connection(env: Dict[str, str]):
    """A connection to the tracker database of `env` (the caller closes it)."""
    return psycopg2.connect(host=env["TRACKER_DB_HOST"], port=env["TRACKER_DB_PORT"], user=env["TRACKER_DB_USER"],
                            password=env["TRACKER_DB_PASSWORD"], dbname=env["TRACKER_DB_NAME"])


def tracker_rows(env: Dict[str, str]) -> "list[tuple[str, str]]":
    """(sender_id, data) of every stored event in the tracker database of `env`."""
    connection = tracker_connection(env)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT sender_id, data FROM events ORDER BY id")
            return list(cursor.fetchall())
    finally:
        connection.close()


@contextmanager
def database_unreachable(name: str) -> Iterator[None]:
    """PostgreSQL refuses every connection to database `name` (and drops the open ones) inside the
    block, as when the database host goes away for a moment; connections work again after it."""
    admin = admin_connection()
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        yield
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
        admin.close()


@contextmanager
def tracker_database_not_answering(env: Dict[str, str]) -> Iterator[None]:
    """Inside the block every query on the stored events waits, as on a database that does not
    answer (held by a long lock: a migration, a VACUUM FULL, a stuck transaction); after it they
    go on. The wait is shorter than the stores' statement timeout, so nothing fails meanwhile."""
    with _table_locked(tracker_connection(env), "events"):
        yield


@contextmanager
def app_database_not_answering(env: Dict[str, str], table: str) -> Iterator[None]:
    """As `tracker_database_not_answering`, for one table of the app database of `env`."""
    with _table_locked(psycopg2.connect(env["INTAKE_DATABASE_URL"]), table):
        yield


@contextmanager
def _table_locked(connection, table: str) -> Iterator[None]:
    try:
        with connection.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN ACCESS EXCLUSIVE MODE')
        yield
    finally:
        connection.rollback()
        connection.close()
