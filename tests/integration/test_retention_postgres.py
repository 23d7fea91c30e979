"""The retention purge on the machine's PostgreSQL: the app database and Rasa's tracker store in
two temporary databases, the tracker store found through an endpoints file written like the
production one (${VARS}). Same scenario and same checks as the SQLite unit tests."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import make_url

from intake.privacy.purge import run_purge
from intake.privacy.tracker_db import find_tracker_database
from tests.support.postgres import temporary_postgres_database
from tests.unit.test_retention import (DAYS, NOW, assert_purged_as_the_rules_say, everything, rasa_store, seed_app,
                                       seed_tracker, write_endpoints)

# Like config/endpoints.production.yml: unquoted ${VARS} (Rasa does not expand quoted ones).
PRODUCTION_STYLE = """tracker_store:
  type: SQL
  dialect: postgresql
  url: ${PURGE_TEST_DB_HOST}
  port: ${PURGE_TEST_DB_PORT}
  db: ${PURGE_TEST_DB_NAME}
  username: ${PURGE_TEST_DB_USER}
"""


@pytest.fixture
def databases(tmp_path, monkeypatch):
    with temporary_postgres_database() as app_url, temporary_postgres_database() as tracker_url:
        parts = make_url(tracker_url)
        for name, value in {"HOST": parts.host, "PORT": str(parts.port), "NAME": parts.database,
                            "USER": parts.username}.items():
            monkeypatch.setenv(f"PURGE_TEST_DB_{name}", value)
        seed_app(app_url, NOW)
        store = rasa_store(tracker_url)
        seed_tracker(store, NOW)
        store.engine.dispose()
        yield app_url, tracker_url, write_endpoints(tmp_path / "endpoints.yml", PRODUCTION_STYLE)


def test_the_purge_on_postgresql_deletes_and_keeps_as_on_sqlite(databases):
    app_url, tracker_url, endpoints = databases
    tracker = find_tracker_database(endpoints)
    assert tracker.url.database == make_url(tracker_url).database

    before = everything(app_url, tracker_url)
    dry = run_purge(app_url, tracker, DAYS, dry_run=True, now=NOW)
    assert everything(app_url, tracker_url) == before

    outcome = run_purge(app_url, tracker, DAYS, now=NOW)
    assert (dry.app, dry.tracker) == (outcome.app, outcome.tracker)
    assert outcome.cutoff == NOW - timedelta(days=DAYS)
    assert_purged_as_the_rules_say(outcome, app_url, tracker_url)
