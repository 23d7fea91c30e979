"""A throw-away database on the machine's PostgreSQL (127.0.0.1:5432, trust auth) for one test."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import Iterator

import psycopg2
import pytest

ADMIN_DSN = os.environ.get("INTAKE_TEST_POSTGRES_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
URL_PREFIX = os.environ.get("INTAKE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432")


def admin_connection():
    """A superuser connection (autocommit) for creating, dropping and blocking databases."""
    connection = psycopg2.connect(ADMIN_DSN, connect_timeout=5)
    connection.autocommit = True
    return connection


@contextmanager
def temporary_postgres_database() -> Iterator[str]:
    """Creates a uniquely named database, yields its SQLAlchemy URL, drops it afterwards."""
    try:
        admin = admin_connection()
    except psycopg2.OperationalError as error:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 is needed for this test: {error}")
    name = f"intake_test_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{URL_PREFIX}/{name}"
    finally:
        from intake.storage.db import database

        database.cache_clear()  # close pooled connections before dropping
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
