"""The retention purge (intake.privacy) on real SQLite files: an app database filled through the
models and a tracker store written by Rasa's own SQLTrackerStore, with old and recent rows.

One scenario (`seed`) holds a row of every kind the rules tell apart; each conversation id says
what it is. The PostgreSQL integration test runs the same scenario and the same checks."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Optional, Set

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from intake.paths import PROJECT_ROOT
from intake.privacy import purge as purge_command
from intake.privacy.purge import EXIT_BAD_CONFIGURATION, EXIT_DATABASE_FAILED, PurgeFailed, run_purge
from intake.privacy.retention import RetentionConfigError, configured_retention_days, cutoff_for, retention_days
from intake.privacy.tracker_db import TrackerStoreConfigError, find_tracker_database
from intake.settings import load_settings, settings
from intake.storage import (Alert, Booking, Escalation, FollowUp, Handoff, NotificationDelivery, Screening,
                            SmsContact, StaffAccount, UnansweredQuestion, database, session_scope)

DAYS = 365
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=timezone.utc)
# Personal details written into the scenario; none may appear in the purge's output.
NAME, PHONE, EMAIL = "Maria Lopez", "+13105550142", "maria.lopez@example.com"
SECRET_WORDS = "I keep having nightmares about the accident"


def conversation(label: str) -> str:
    """Conversation ids look like nothing the output would print by chance."""
    return f"cid-{label}-7f3a"


# What the purge must leave, per table, as conversation labels (see `seed`).
KEPT = {
    "screenings": {"open-handoff", "upcoming", "recent", "late-finish", "follow-up-waiting"},
    "alerts": {"unresolved", "alert-after-close", "recent"},
    "handoffs": {"open-handoff", "alert-after-close", "recent", "follow-up-waiting"},
    "bookings": {"upcoming", "moved", "recent"},
    "sms_contacts": {"sms-stop", "sms-texting", "sms-recent"},
    "unanswered_questions": {"recent", "open-handoff"},
}
DELETED = {"screenings": 1, "alerts": 1, "notification_deliveries": 1, "escalations": 1, "follow_ups": 1,
           "handoffs": 1, "bookings": 2, "unanswered_questions": 1, "sms_contacts": 1}
HELD = "conversation still held (open handoff, live booking, unresolved alert or follow-up)"
KEPT_REASONS = {
    f"screenings: {HELD}": 3,
    "alerts: not resolved yet (no handoff of its conversation closed since)": 2,
    "handoffs: still open": 1,
    f"handoffs: {HELD}": 2,
    "sms_contacts: opted out (kept so that STOP keeps being honoured)": 1,
    "sms_contacts: conversation still going in the tracker store": 1,
}
# Tracker conversations: label -> (old events, recent events).
TRACKER = {"done": (2, 0), "open-handoff": (2, 0), "unresolved": (2, 0), "upcoming": (2, 0),
           "mixed": (2, 2), "sms-old": (2, 0), "sms-texting": (2, 2), "recent": (0, 2), "stranger": (4, 0)}
TRACKER_DELETED = {"done", "sms-old", "stranger"}
TRACKER_HELD = 3  # open-handoff, unresolved, upcoming


# -- the scenario ------------------------------------------------------------------------------------
def seed_app(url: str, now: datetime) -> None:
    """Old and recent rows of every kind the rules tell apart (OLD is 400 days before `now`)."""
    old, recent = now - timedelta(days=400), now - timedelta(days=10)
    naive = lambda moment: moment.astimezone(timezone.utc).replace(tzinfo=None)  # noqa: E731
    refs = iter(f"R{n:05d}" for n in range(1, 100))

    def screening(label: str, started: datetime, finished: Optional[datetime]) -> Screening:
        return Screening(conversation_id=conversation(label), instrument="pc_ptsd_5", version="1",
                         answers={"free_text": SECRET_WORDS}, score=4, completed=1, started_at=started,
                         finished_at=finished)

    def booking(label: str, slot: datetime, updated: datetime, status: str = "confirmed") -> Booking:
        return Booking(reference=next(refs), conversation_id=conversation(label), channel="rest", full_name=NAME,
                       phone=PHONE, email=EMAIL, contact_method="call", visit_type="in_person",
                       slot_start=naive(slot), slot_minutes=60, status=status, created_at=min(updated, old),
                       updated_at=updated)

    def handoff(label: str, status: str, at: datetime) -> Handoff:
        return Handoff(conversation_id=conversation(label), channel="rest", priority="urgent", reasons=["crisis"],
                       status=status, created_at=at, updated_at=at, closed_at=at if status == "closed" else None)

    def alert(label: str, at: datetime) -> Alert:
        return Alert(conversation_id=conversation(label), source="crisis_message", category="suicide",
                     priority="urgent", created_at=at)

    def question(label: str, at: datetime) -> UnansweredQuestion:
        return UnansweredQuestion(conversation_id=conversation(label), channel="rest", text=SECRET_WORDS,
                                  kind="unsure", offered=["the menu"], created_at=at)

    def contact(label: str, at: datetime, opted_out: bool = False) -> SmsContact:
        number = f"+1310555{len(label):02d}{sum(map(ord, label)) % 100:02d}"
        return SmsContact(conversation_id=conversation(label), phone=number, first_contact_at=at,
                          opted_out_at=at if opted_out else None, last_options=[], updated_at=at)

    with session_scope(url) as session:
        done_handoff = handoff("done", "closed", old + timedelta(days=1))
        waiting_handoff = handoff("follow-up-waiting", "closed", old)
        session.add_all([
            # "done": everything old and finished -> all deleted
            screening("done", old, old), alert("done", old), done_handoff, booking("done", old, old),
            booking("cancelled", old + timedelta(days=2), old, status="cancelled"),
            # an open handoff, however old, keeps its conversation
            handoff("open-handoff", "claimed", old), screening("open-handoff", old, old),
            # an alert nobody closed a handoff for, and one raised after its conversation's handoff closed
            alert("unresolved", old),
            handoff("alert-after-close", "closed", old), alert("alert-after-close", old + timedelta(days=5)),
            # an upcoming booking (changed long ago) keeps the screening the clinician will read
            booking("upcoming", now + timedelta(days=5), old), screening("upcoming", old, old),
            # a past slot moved recently is not old
            booking("moved", old + timedelta(days=3), recent),
            # a crisis follow-up nobody marked done keeps its (closed, old) conversation
            waiting_handoff, screening("follow-up-waiting", old, old),
            # recent everything
            screening("recent", recent, recent), alert("recent", recent), handoff("recent", "closed", recent),
            booking("recent", recent, recent),
            screening("late-finish", old, recent),
            # SMS: old, opted out, still texting (tracker), recent
            contact("sms-old", old), contact("sms-stop", old, opted_out=True), contact("sms-texting", old),
            contact("sms-recent", recent),
            StaffAccount(username="desk1", display_name="Desk One", password_hash="x", created_at=old),
            # questions the assistant could not answer: by age only, whatever the conversation
            question("done", old), question("open-handoff", recent), question("recent", recent),
        ])
        session.flush()
        session.add(NotificationDelivery(handoff_id=done_handoff.id, target="webhook", destination="hooks.example",
                                         priority="urgent", status="sent", created_at=old, updated_at=old))
        session.add(Escalation(handoff_id=done_handoff.id, created_at=old, after_minutes=5, contact_name="On call"))
        session.add(FollowUp(handoff_id=done_handoff.id, created_at=old, done_at=old, done_by="desk1"))
        session.add(FollowUp(handoff_id=waiting_handoff.id, created_at=old))


def seed_tracker(store: SQLTrackerStore, now: datetime) -> None:
    """Conversations saved by Rasa's own store, with the event timestamps of `TRACKER`."""
    old, recent = (now - timedelta(days=400)).timestamp(), (now - timedelta(days=10)).timestamp()
    for label, (old_count, recent_count) in TRACKER.items():
        stamps = [old + n for n in range(old_count)] + [recent + n for n in range(recent_count)]
        events = [UserUttered(f"{SECRET_WORDS}, call me at {PHONE}", timestamp=stamp) if n % 2 == 0
                  else BotUttered("Thank you for telling me.", timestamp=stamp) for n, stamp in enumerate(stamps)]
        asyncio.run(store.save(DialogueStateTracker.from_events(conversation(label), events)))


def rasa_store(url: str) -> SQLTrackerStore:
    """Rasa's SQLTrackerStore on a SQLAlchemy URL (it creates its `events` table)."""
    parts = make_url(url)
    return SQLTrackerStore(Domain.empty(), dialect=parts.get_backend_name(), host=parts.host, port=parts.port,
                           db=parts.database, username=parts.username, password=parts.password)


# -- reading back ------------------------------------------------------------------------------------
LABEL = re.compile(r"^cid-(.+)-7f3a$")


def app_labels(url: str) -> Dict[str, Set[str]]:
    """Conversation labels left in each table of the app database."""
    models = {"screenings": Screening, "alerts": Alert, "handoffs": Handoff, "bookings": Booking,
              "sms_contacts": SmsContact, "unanswered_questions": UnansweredQuestion}
    with session_scope(url) as session:
        return {table: {LABEL.match(cid).group(1) for cid in session.execute(select(model.conversation_id)).scalars()}
                for table, model in models.items()}


def tracker_counts(url: str) -> Counter:
    """Events left per conversation label in the tracker store."""
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            return Counter(LABEL.match(sender).group(1) for sender in
                           connection.execute(text("SELECT sender_id FROM events")).scalars())
    finally:
        engine.dispose()


def everything(app_url: str, tracker_url: str) -> tuple:
    with session_scope(app_url) as session:
        deliveries = session.execute(select(NotificationDelivery.id)).scalars().all()
        staff = session.execute(select(StaffAccount.username)).scalars().all()
    return app_labels(app_url), tracker_counts(tracker_url), deliveries, staff


def assert_purged_as_the_rules_say(outcome, app_url: str, tracker_url: str) -> None:
    """The checks shared with the PostgreSQL test: what was deleted, kept, and reported."""
    assert outcome.app.deleted == DELETED
    assert outcome.app.kept == KEPT_REASONS
    assert app_labels(app_url) == KEPT
    with session_scope(app_url) as session:
        assert session.execute(select(NotificationDelivery)).scalars().all() == []
        assert session.execute(select(StaffAccount.username)).scalars().all() == ["desk1"]
    expected_events = {label: old + new for label, (old, new) in TRACKER.items() if label not in TRACKER_DELETED}
    assert dict(tracker_counts(tracker_url)) == expected_events
    assert outcome.tracker.conversations == len(TRACKER_DELETED)
    assert outcome.tracker.events == sum(sum(TRACKER[label]) for label in TRACKER_DELETED)
    assert outcome.tracker.held == TRACKER_HELD


# -- fixtures ----------------------------------------------------------------------------------------------
@pytest.fixture
def app_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    yield url
    database.cache_clear()


@pytest.fixture
def tracker_url(tmp_path):
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def write_endpoints(path: Path, tracker_store: str) -> Path:
    path.write_text(f"action_endpoint:\n  url: http://localhost:5055/webhook\n{tracker_store}", encoding="utf-8")
    return path


@pytest.fixture
def endpoints(tmp_path, tracker_url) -> Path:
    """An endpoints file naming the SQLite tracker store, its type a dotted class path like production's."""
    store = (f"tracker_store:\n  type: rasa.core.tracker_store.SQLTrackerStore\n  dialect: sqlite\n"
             f"  db: {make_url(tracker_url).database}\n")
    return write_endpoints(tmp_path / "endpoints.yml", store)


@pytest.fixture
def scenario(app_url, tracker_url):
    seed_app(app_url, NOW)
    store = rasa_store(tracker_url)
    seed_tracker(store, NOW)
    store.engine.dispose()


# -- the rules -----------------------------------------------------------------------------------------------
def test_old_rows_are_deleted_and_what_is_still_needed_is_kept(scenario, app_url, tracker_url, endpoints):
    outcome = run_purge(app_url, find_tracker_database(endpoints), DAYS, now=NOW)
    assert outcome.cutoff == NOW - timedelta(days=DAYS)
    assert_purged_as_the_rules_say(outcome, app_url, tracker_url)


def test_a_second_run_finds_nothing_more(scenario, app_url, tracker_url, endpoints):
    run_purge(app_url, find_tracker_database(endpoints), DAYS, now=NOW)
    again = run_purge(app_url, find_tracker_database(endpoints), DAYS, now=NOW)
    assert set(again.app.deleted.values()) == {0} and again.tracker.events == 0


def test_the_dry_run_deletes_nothing_and_counts_what_a_real_run_deletes(scenario, app_url, tracker_url, endpoints):
    before = everything(app_url, tracker_url)
    dry = run_purge(app_url, find_tracker_database(endpoints), DAYS, dry_run=True, now=NOW)
    assert everything(app_url, tracker_url) == before
    real = run_purge(app_url, find_tracker_database(endpoints), DAYS, now=NOW)
    assert (dry.app, dry.tracker) == (real.app, real.tracker)


def test_a_longer_period_keeps_more(scenario, app_url, tracker_url, endpoints):
    outcome = run_purge(app_url, find_tracker_database(endpoints), 500, now=NOW)
    assert set(outcome.app.deleted.values()) == {0} and outcome.tracker.events == 0


def test_a_failure_in_the_tracker_store_rolls_back_the_app_database_too(app_url, tmp_path):
    """A real failure half-way: the tracker's `events` table lacks the timestamp column, so the
    question "is this SMS contact still texting?" fails after the app database's deletes ran."""
    seed_app(app_url, NOW)
    broken = tmp_path / "broken.db"
    engine = create_engine(f"sqlite:///{broken}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255))"))
    engine.dispose()
    endpoints = write_endpoints(tmp_path / "e.yml", f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {broken}\n")
    before = app_labels(app_url)
    with pytest.raises(PurgeFailed, match=r"the tracker store \(sqlite file .*broken.db\)"):
        run_purge(app_url, find_tracker_database(endpoints), DAYS, now=NOW)
    assert app_labels(app_url) == before


def test_no_events_table_yet_purges_only_the_app_database(app_url, tmp_path):
    seed_app(app_url, NOW)
    missing = tmp_path / "not-yet.db"
    endpoints = write_endpoints(tmp_path / "e.yml",
                                f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {missing}\n")
    outcome = run_purge(app_url, find_tracker_database(endpoints), DAYS, now=NOW)
    assert outcome.tracker.events_table is False and outcome.app.deleted["screenings"] == 1
    assert not missing.exists()  # not created by the purge


# -- the retention period ---------------------------------------------------------------------------------------
def test_the_period_comes_from_the_clinic_file():
    assert configured_retention_days(load_settings().section("privacy")) == 365


@pytest.mark.parametrize("value", [0, -3, "abc", "1.5", True, None, 2.5])
def test_a_period_that_is_no_whole_number_of_days_is_refused(value):
    with pytest.raises(RetentionConfigError):
        retention_days(value)


def test_a_missing_period_is_an_error_not_a_guess():
    with pytest.raises(RetentionConfigError, match="privacy.retention_days is not set"):
        configured_retention_days({})


def test_the_cutoff_is_utc_and_needs_an_aware_now():
    assert cutoff_for(30, datetime(2027, 1, 31, 1, tzinfo=timezone(timedelta(hours=-8)))) == \
        datetime(2027, 1, 1, 9, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        cutoff_for(30, datetime(2027, 1, 31))


# -- finding the tracker store ------------------------------------------------------------------------------------
def test_the_development_endpoints_name_the_sqlite_file_under_the_project_root():
    tracker = find_tracker_database(PROJECT_ROOT / "endpoints.yml")
    assert tracker.dialect == "sqlite" and tracker.sqlite_path == PROJECT_ROOT / "var" / "tracker.db"


def test_the_production_endpoints_are_read_with_their_environment_variables(monkeypatch):
    values = {"TRACKER_DB_HOST": "db.internal", "TRACKER_DB_PORT": "6543", "TRACKER_DB_NAME": "rasa_tracker",
              "TRACKER_DB_USER": "rasa", "TRACKER_DB_PASSWORD": "s3cr:et@", "TRACKER_DB_LOGIN_DB": "postgres",
              "ACTION_SERVER_URL": "http://actions:5055/webhook", "REDIS_HOST": "redis", "REDIS_PORT": "6379",
              "REDIS_DB": "0", "REDIS_PASSWORD": "x", "REDIS_KEY_PREFIX": "prod", "REDIS_USE_SSL": "1"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    tracker = find_tracker_database(PROJECT_ROOT / "config" / "endpoints.production.yml")
    url = tracker.url
    assert (url.get_backend_name(), url.host, url.port, url.database, url.username, url.password) == \
        ("postgresql", "db.internal", 6543, "rasa_tracker", "rasa", "s3cr:et@")
    assert tracker.store_type.endswith("PrivateSQLTrackerStore")
    assert "s3cr" not in tracker.describe() and "rasa_tracker" in tracker.describe()


def test_an_unset_variable_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("PURGE_TEST_UNSET_HOST", raising=False)
    endpoints = write_endpoints(tmp_path / "e.yml", "tracker_store:\n  type: SQL\n  dialect: postgresql\n"
                                                    "  url: ${PURGE_TEST_UNSET_HOST}\n  db: rasa\n")
    with pytest.raises(TrackerStoreConfigError, match="PURGE_TEST_UNSET_HOST"):
        find_tracker_database(endpoints)


def test_a_quoted_variable_that_rasa_leaves_unexpanded_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PURGE_TEST_HOST", "db.internal")
    endpoints = write_endpoints(tmp_path / "e.yml", 'tracker_store:\n  type: SQL\n  dialect: postgresql\n'
                                                    '  url: "${PURGE_TEST_HOST}"\n  db: rasa\n')
    with pytest.raises(TrackerStoreConfigError, match=r"not expanded \(url\): Rasa expands them only when unquoted"):
        find_tracker_database(endpoints)


@pytest.mark.parametrize("store, message", [
    ("tracker_store:\n  type: redis\n  url: localhost\n", "'redis'"),
    ("tracker_store:\n  type: SQL\n  dialect: mysql\n  db: rasa\n", "dialect 'mysql'"),
    ("tracker_store:\n  type: no_such_module.Store\n", "cannot be imported"),
    ("tracker_store:\n  type: rasa.core.tracker_store.InMemoryTrackerStore\n", "InMemoryTrackerStore"),
])
def test_a_tracker_store_the_purge_cannot_handle_is_refused(tmp_path, store, message):
    with pytest.raises(TrackerStoreConfigError, match=message):
        find_tracker_database(write_endpoints(tmp_path / "e.yml", store))


def test_no_tracker_store_means_nothing_stored_and_a_missing_file_is_an_error(tmp_path):
    assert find_tracker_database(write_endpoints(tmp_path / "e.yml", "")) is None
    with pytest.raises(TrackerStoreConfigError, match="does not exist"):
        find_tracker_database(tmp_path / "nope.yml")


# -- the command ------------------------------------------------------------------------------------------------------
def command_env(app_url: str, **extra: str) -> Dict[str, str]:
    env = {**os.environ, "INTAKE_DATABASE_URL": app_url, "PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1", "RASA_TELEMETRY_ENABLED": "false"}
    return {**env, **extra}


def test_the_command_prints_counts_per_table_and_no_personal_data(app_url, tracker_url, endpoints):
    now = datetime.now(timezone.utc)  # the command purges relative to the real present
    seed_app(app_url, now)
    store = rasa_store(tracker_url)
    seed_tracker(store, now)
    store.engine.dispose()
    database.cache_clear()

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "intake.privacy.purge", "--endpoints", str(endpoints), *args],
                              cwd=PROJECT_ROOT, env=command_env(app_url), capture_output=True, text=True, timeout=120)

    dry = command("--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("DRY RUN: nothing was deleted")
    assert re.search(r"^  screenings +1 would be deleted$", dry.stdout, re.M)
    assert app_labels(app_url)["screenings"] == KEPT["screenings"] | {"done"}

    real = command()
    assert real.returncode == 0, real.stderr
    output = real.stdout + real.stderr
    for table, count in DELETED.items():
        assert re.search(rf"^  {table} +{count} deleted$", real.stdout, re.M), real.stdout
    assert re.search(r"^  events +8 deleted \(3 conversations\)$", real.stdout, re.M), real.stdout
    assert "opted out (kept so that STOP keeps being honoured): 1" in real.stdout
    assert "Retention purge: 365 days" in real.stdout
    for personal in (NAME, PHONE, EMAIL, SECRET_WORDS, "cid-", "+1310555"):
        assert personal not in output
    assert app_labels(app_url) == KEPT


@pytest.fixture
def in_process(app_url, monkeypatch):
    """main() in this process, on the temporary app database."""
    monkeypatch.setenv("INTAKE_DATABASE_URL", app_url)
    settings.cache_clear()
    yield purge_command.main
    settings.cache_clear()


@pytest.mark.parametrize("args", [["--older-than-days", "0"], ["--older-than-days", "a year"], ["--bogus"]])
def test_a_bad_argument_exits_2_with_a_message(in_process, endpoints, capsys, args):
    with pytest.raises(SystemExit) as exit_:
        in_process([*args, "--endpoints", str(endpoints)])
    assert exit_.value.code == EXIT_BAD_CONFIGURATION
    assert "error:" in capsys.readouterr().err


def test_a_bad_endpoints_file_exits_2_before_deleting_anything(in_process, app_url, tmp_path, capsys):
    seed_app(app_url, NOW - timedelta(days=10_000))
    before = app_labels(app_url)
    assert in_process(["--endpoints", str(tmp_path / "missing.yml")]) == EXIT_BAD_CONFIGURATION
    assert "does not exist" in capsys.readouterr().err and app_labels(app_url) == before


def test_a_missing_period_in_the_clinic_file_exits_2(in_process, endpoints, tmp_path, monkeypatch, capsys):
    clinic = (PROJECT_ROOT / "config" / "clinic.yml").read_text(encoding="utf-8")
    without = tmp_path / "clinic.yml"
    without.write_text(clinic.replace("retention_days:", "kept_days:"), encoding="utf-8")
    monkeypatch.setenv("INTAKE_CLINIC_CONFIG", str(without))
    settings.cache_clear()
    assert in_process(["--endpoints", str(endpoints)]) == EXIT_BAD_CONFIGURATION
    assert "privacy.retention_days is not set" in capsys.readouterr().err


def test_an_unreachable_tracker_database_exits_3_and_leaves_the_app_database_alone(in_process, app_url, tmp_path,
                                                                                   capsys):
    seed_app(app_url, datetime.now(timezone.utc))
    before = app_labels(app_url)
    endpoints = write_endpoints(tmp_path / "e.yml", "tracker_store:\n  type: SQL\n  dialect: postgresql\n"
                                                    "  url: 127.0.0.1\n  port: 1\n  db: rasa\n  username: rasa\n"
                                                    "  password: hunter2\n")
    assert in_process(["--endpoints", str(endpoints)]) == EXIT_DATABASE_FAILED
    err = capsys.readouterr().err
    assert "the tracker store (postgresql database 'rasa' on 127.0.0.1:1)" in err and "hunter2" not in err
    assert app_labels(app_url) == before


def test_an_unreachable_app_database_exits_3(in_process, endpoints, monkeypatch, capsys):
    monkeypatch.setenv("INTAKE_DATABASE_URL", "postgresql://nobody:pw@127.0.0.1:1/intake")
    settings.cache_clear()
    assert in_process(["--endpoints", str(endpoints)]) == EXIT_DATABASE_FAILED
    err = capsys.readouterr().err
    assert "the app database (postgresql database 'intake' on 127.0.0.1:1)" in err and ":pw@" not in err


def test_a_missing_app_database_file_exits_3_and_is_not_created(in_process, scenario, tracker_url, endpoints,
                                                                tmp_path, monkeypatch, capsys):
    """With a mistyped path the purge would see no open handoffs and delete their conversations."""
    missing = tmp_path / "typo" / "app.db"
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{missing}")
    settings.cache_clear()
    before = tracker_counts(tracker_url)
    assert in_process(["--endpoints", str(endpoints)]) == EXIT_DATABASE_FAILED
    assert "does not exist" in capsys.readouterr().err
    assert not missing.exists() and tracker_counts(tracker_url) == before
