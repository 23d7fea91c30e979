"""Staff accounts and sessions in a real SQLite app database: argon2 hashes, the lockout and its
clock, equal work for unknown usernames, rehashing, disabling, the session token's hash and
expiry; and the staff command, run as a subprocess the way the README documents it."""
from __future__ import annotations

import os
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from intake.frontdesk import accounts, sessions
from intake.frontdesk.accounts import AccountError
from intake.frontdesk.config import ConsoleSettings, console_settings
from intake.storage import StaffAccount, StaffSession, database, session_scope
from tests.support.stack import PROJECT_ROOT, VENV_BIN

PASSWORD = "a long enough passphrase"
T0 = datetime(2026, 12, 1, 17, 0, tzinfo=timezone.utc)


@pytest.fixture
def url(tmp_path):
    value = f"sqlite:///{tmp_path / 'app.db'}"
    yield value
    database.cache_clear()


def test_an_account_stores_only_an_argon2id_hash(url):
    member = accounts.create_account("  Dana.R ", "  Dana   Reyes ", PASSWORD, database_url=url)
    assert (member.username, member.display_name) == ("dana.r", "Dana Reyes")
    with session_scope(url) as session:
        stored = session.execute(select(StaffAccount.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate("DANA.R", PASSWORD, database_url=url).username == "dana.r"
    with pytest.raises(AccountError, match="already"):
        accounts.create_account("dana.r", "Other", PASSWORD, database_url=url)
    with pytest.raises(AccountError, match="at least 12"):
        accounts.create_account("sam", "Sam", "short pass", database_url=url)
    for bad in ("", "has space", "Ünïcode", "-dash-first", "x" * 65):
        with pytest.raises(AccountError):
            accounts.create_account(bad, "Name", PASSWORD, database_url=url)


def test_lockout_after_the_configured_failures_and_its_end(url):
    config = console_settings()
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    for attempt in range(config.max_failed_sign_ins - 1):
        assert accounts.authenticate("dana", "wrong password!", now=T0, database_url=url) is None
    assert accounts.get_account("dana", url).failed_attempts == config.max_failed_sign_ins - 1
    assert accounts.authenticate("dana", "wrong password!", now=T0, database_url=url) is None
    member = accounts.get_account("dana", url)
    assert member.locked_until == T0 + config.lockout and member.locked(T0)
    # Locked: the right password is refused, and attempts while locked neither count nor extend it.
    later = T0 + config.lockout - timedelta(seconds=1)
    assert accounts.authenticate("dana", PASSWORD, now=later, database_url=url) is None
    assert accounts.authenticate("dana", "wrong password!", now=later, database_url=url) is None
    assert accounts.get_account("dana", url).locked_until == T0 + config.lockout
    # After the lockout the right password works and the count starts from zero.
    assert accounts.authenticate("dana", PASSWORD, now=T0 + config.lockout, database_url=url) is not None
    member = accounts.get_account("dana", url)
    assert member.failed_attempts == 0 and member.locked_until is None


def test_a_success_clears_earlier_failures_and_unlock_lifts_a_lock(url):
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    for _ in range(3):
        accounts.authenticate("dana", "wrong password!", now=T0, database_url=url)
    assert accounts.authenticate("dana", PASSWORD, now=T0, database_url=url) is not None
    assert accounts.get_account("dana", url).failed_attempts == 0
    for _ in range(console_settings().max_failed_sign_ins):
        accounts.authenticate("dana", "wrong password!", now=T0, database_url=url)
    assert accounts.authenticate("dana", PASSWORD, now=T0, database_url=url) is None
    assert accounts.unlock_account("dana", database_url=url)
    assert accounts.authenticate("dana", PASSWORD, now=T0, database_url=url) is not None
    assert not accounts.unlock_account("nobody", database_url=url)


def test_an_unknown_username_costs_the_same_argon2_work(url):
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    accounts.authenticate("warm-up", PASSWORD, database_url=url)  # the decoy hash is made once

    def fastest(username: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert accounts.authenticate(username, "wrong password!", now=T0, database_url=url) is None
            times.append(time.perf_counter() - start)
            accounts.unlock_account("dana", database_url=url)
        return min(times)

    known, unknown = fastest("dana"), fastest("nobody")
    # Without the decoy verification an unknown name would answer in about 1 ms (one SELECT), a
    # few per cent of a known one; an argon2 verification with the default parameters takes tens
    # of milliseconds. (The known name also writes its failure count, so it is a bit slower.)
    assert unknown > 0.25 * known and known > 0.02


def test_a_hash_with_older_parameters_is_replaced_at_sign_in(url):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    with session_scope(url) as session:
        session.add(StaffAccount(username="old", display_name="Old", password_hash=weak))
    assert accounts.authenticate("old", PASSWORD, database_url=url) is not None
    with session_scope(url) as session:
        stored = session.execute(select(StaffAccount.password_hash)).scalar_one()
    assert stored != weak and not accounts.password_hasher().check_needs_rehash(stored)
    assert accounts.authenticate("old", PASSWORD, database_url=url) is not None


def test_sessions_keep_only_a_hash_expire_and_end(url):
    member = accounts.create_account("dana", "Dana Reyes", PASSWORD, database_url=url)
    config = ConsoleSettings(session_hours=2)
    token, signed = sessions.start_session(member.id, now=T0, config=config, database_url=url)
    assert len(token) >= 40 and len(signed.csrf_token) >= 40 and token != signed.csrf_token
    with session_scope(url) as session:
        row = session.execute(select(StaffSession)).scalar_one()
        assert row.token_hash == sessions.token_hash(token) and token not in (row.token_hash, row.csrf_token)
    found = sessions.find_session(token, now=T0 + timedelta(hours=1), database_url=url)
    assert found.display_name == "Dana Reyes" and found.csrf_token == signed.csrf_token
    assert sessions.find_session(token, now=T0 + timedelta(hours=2), database_url=url) is None
    assert sessions.find_session(token + "x", now=T0, database_url=url) is None
    assert sessions.find_session("", now=T0, database_url=url) is None
    # A new sign-in clears expired rows; sign-out deletes the row.
    token2, _ = sessions.start_session(member.id, now=T0 + timedelta(hours=3), config=config, database_url=url)
    with session_scope(url) as session:
        assert session.execute(select(StaffSession)).scalars().all()[0].token_hash == sessions.token_hash(token2)
    sessions.end_session(token2, database_url=url)
    assert sessions.find_session(token2, now=T0 + timedelta(hours=3), database_url=url) is None


def test_disabling_ends_sessions_and_refuses_sign_in(url):
    member = accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    token, _ = sessions.start_session(member.id, database_url=url)
    assert accounts.disable_account("dana", database_url=url)
    assert sessions.find_session(token, database_url=url) is None
    assert accounts.authenticate("dana", PASSWORD, database_url=url) is None
    assert accounts.enable_account("dana", database_url=url)
    assert accounts.authenticate("dana", PASSWORD, database_url=url) is not None


def test_csrf_comparison_never_matches_empty_values():
    assert sessions.same_token("abc", "abc")
    assert not sessions.same_token("abc", "abd")
    assert not sessions.same_token("abc", None) and not sessions.same_token("", "") and not sessions.same_token(None, None)


def test_the_cookie_is_secure_unless_the_environment_says_plain_http(monkeypatch):
    monkeypatch.delenv("INTAKE_COOKIE_SECURE", raising=False)
    assert console_settings().secure_cookie is True
    monkeypatch.setenv("INTAKE_COOKIE_SECURE", "0")
    assert console_settings().secure_cookie is False


# -- the staff command -------------------------------------------------------------------------
def staff_command(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "INTAKE_DATABASE_URL": url,
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    return subprocess.run([str(VENV_BIN / "python"), "-m", "intake.frontdesk.staff", *args], cwd=PROJECT_ROOT,
                          env=env, input=stdin, capture_output=True, text=True, timeout=120)


def test_the_staff_command_creates_an_account_as_documented(url):
    database(url)
    created = staff_command(url, "add", "dana", "--name", "Dana Reyes", "--password-stdin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    assert "Created the staff account 'dana' (Dana Reyes)" in created.stdout and "/frontdesk/" in created.stdout
    assert PASSWORD not in created.stdout + created.stderr
    assert accounts.authenticate("dana", PASSWORD, database_url=url).display_name == "Dana Reyes"
    short = staff_command(url, "add", "sam", "--name", "Sam", "--password-stdin", stdin="too short\n")
    assert short.returncode == 1 and "at least 12" in short.stderr
    assert accounts.get_account("sam", url) is None


def test_the_staff_command_lists_disables_unlocks_and_resets(url, monkeypatch, capsys):
    """The same command in this process (its start-up costs seconds: intake.settings loads spaCy)."""
    from intake.frontdesk import staff
    from intake.settings import settings

    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    monkeypatch.setenv("INTAKE_PUBLIC_WEB_URL", "https://intake.clinic.example")
    settings.cache_clear()
    try:
        def run(*args: str, stdin: str = ""):
            monkeypatch.setattr("sys.stdin", __import__("io").StringIO(stdin))
            code = staff.main(list(args))
            out, err = capsys.readouterr()
            return code, out, err

        assert run("list")[1].startswith("No staff accounts yet")
        code, out, _ = run("add", "dana", "--name", "Dana Reyes", "--password-stdin", stdin=PASSWORD + "\n")
        # The console on the deployment's public address, as in alerts (the clinic file sets none).
        assert code == 0 and "Sign in at https://intake.clinic.example/frontdesk/" in out
        code, _, err = run("add", "Dana", "--name", "Dana", "--password-stdin", stdin=PASSWORD + "\n")
        assert code == 1 and "already an account" in err
        answers = iter([PASSWORD, PASSWORD + "!"])
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
        code, _, err = run("add", "sam", "--name", "Sam")
        assert code == 1 and "differ" in err and accounts.get_account("sam", url) is None
        answers = iter([PASSWORD, PASSWORD])
        monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
        assert run("add", "sam", "--name", "Sam")[0] == 0
        assert accounts.authenticate("sam", PASSWORD, database_url=url) is not None

        for _ in range(console_settings().max_failed_sign_ins):
            accounts.authenticate("dana", "wrong password!", database_url=url)
        code, out, _ = run("list")
        assert code == 0 and "locked until" in out and "Dana Reyes" in out
        assert run("unlock", "dana")[0] == 0
        assert "locked" not in run("list")[1]
        assert accounts.authenticate("dana", PASSWORD, database_url=url) is not None

        assert run("disable", "dana")[0] == 0
        assert "disabled" in run("list")[1]
        assert accounts.authenticate("dana", PASSWORD, database_url=url) is None
        assert run("enable", "dana")[0] == 0
        assert run("password", "dana", "--password-stdin", stdin="another passphrase\n")[0] == 0
        assert accounts.authenticate("dana", "another passphrase", database_url=url) is not None
        code, _, err = run("disable", "nobody")
        assert code == 1 and "no account" in err
    finally:
        settings.cache_clear()
