"""Staff accounts and sessions in a real SQLite app database: argon2 hashes, the growing waits
after failed sign-ins and their clock, the one-time code, equal work for unknown usernames,
rehashing, disabling, the session token's hash and expiry; and the staff command, run as a
subprocess the way the README documents it."""
from __future__ import annotations

import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from intake.frontdesk import accounts, sessions
from intake.frontdesk.accounts import AccountError
from intake.frontdesk.config import ConsoleSettings, console_settings
from intake.storage import SignInThrottle, StaffAccount, StaffSession, database, session_scope
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
    assert accounts.authenticate("DANA.R", PASSWORD, database_url=url).member.username == "dana.r"
    with pytest.raises(AccountError, match="already"):
        accounts.create_account("dana.r", "Other", PASSWORD, database_url=url)
    with pytest.raises(AccountError, match="at least 12"):
        accounts.create_account("sam", "Sam", "short pass", database_url=url)
    for bad in ("", "has space", "Ünïcode", "-dash-first", "x" * 65):
        with pytest.raises(AccountError):
            accounts.create_account(bad, "Name", PASSWORD, database_url=url)


def signs_in(username: str, password: str, **kwargs) -> bool:
    return accounts.authenticate(username, password, **kwargs).member is not None


def test_failures_beyond_the_free_ones_make_the_next_attempt_wait_longer_each_time(url):
    config = console_settings()
    backoff = config.username_backoff
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    now = T0
    for attempt in range(backoff.free_failures):  # each from another address: only the username counts
        assert not signs_in("dana", "wrong password!", address=f"10.0.0.{attempt}", now=now, database_url=url)
    waits = []
    for attempt in range(4):
        assert not signs_in("dana", "wrong password!", address=f"10.0.1.{attempt}", now=now, database_url=url)
        refused = accounts.authenticate("dana", PASSWORD, address="10.9.9.9", now=now, database_url=url)
        assert refused.member is None and refused.wait_seconds > 0  # even the right password waits, unchecked
        waits.append(refused.wait_seconds)
        now += timedelta(seconds=refused.wait_seconds)
    assert waits == [backoff.delay_after(backoff.free_failures + n) for n in range(1, 5)]
    assert waits == sorted(waits) and waits[-1] > waits[0]
    # Never a lockout: after the wait the right password works, and the count starts again.
    assert signs_in("dana", PASSWORD, address="10.9.9.9", now=now, database_url=url)
    assert not signs_in("dana", "wrong password!", address="10.9.9.9", now=now, database_url=url)
    assert accounts.authenticate("dana", PASSWORD, address="10.9.9.9", now=now, database_url=url).wait_seconds == 0


def test_nobody_can_keep_a_staff_member_out_for_longer_than_the_username_cap(url):
    """Guessing from ever new addresses: the username's wait never passes its cap, so the staff
    member it targets signs in within it."""
    backoff = console_settings().username_backoff
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    now = T0
    for attempt in range(40):
        result = accounts.authenticate("dana", "guess", address=f"203.0.113.{attempt}", now=now, database_url=url)
        if result.wait_seconds:
            assert result.wait_seconds <= backoff.max_delay_seconds
            now += timedelta(seconds=result.wait_seconds)
    assert accounts.authenticate("dana", PASSWORD, address="198.51.100.7", now=now, database_url=url).wait_seconds \
        <= backoff.max_delay_seconds


def test_one_address_guessing_many_usernames_waits_up_to_its_long_cap(url):
    backoff = console_settings().address_backoff
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    now, waits = T0, []
    for attempt in range(backoff.free_failures + 12):
        result = accounts.authenticate(f"user{attempt}", "guess", address="203.0.113.5", now=now, database_url=url)
        if result.wait_seconds:
            waits.append(result.wait_seconds)
            now += timedelta(seconds=result.wait_seconds)
            accounts.authenticate(f"user{attempt}", "guess", address="203.0.113.5", now=now, database_url=url)
    assert max(waits) == backoff.max_delay_seconds
    # Another address is not held up by it.
    assert signs_in("dana", PASSWORD, address="198.51.100.7", now=now, database_url=url)


def test_failures_are_forgotten_after_a_quiet_hour_and_unlock_clears_them(url):
    config = console_settings()
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    for attempt in range(config.username_backoff.free_failures + 1):
        accounts.authenticate("dana", "wrong password!", address=f"10.0.0.{attempt}", now=T0, database_url=url)
    assert accounts.authenticate("dana", PASSWORD, address="10.0.9.9", now=T0, database_url=url).wait_seconds > 0
    later = T0 + config.forget_failures_after
    assert signs_in("dana", PASSWORD, address="10.0.9.9", now=later, database_url=url)
    for attempt in range(config.username_backoff.free_failures + 1):
        accounts.authenticate("dana", "wrong password!", address=f"10.0.0.{attempt}", now=T0, database_url=url)
    assert accounts.clear_waits("dana", database_url=url)
    assert signs_in("dana", PASSWORD, address="10.0.9.9", now=T0, database_url=url)
    assert not accounts.clear_waits("nobody", database_url=url)
    # Counts of a quiet hour are deleted by the next failure, whoever it is from.
    accounts.authenticate("sam", "wrong password!", address="10.7.7.7", now=later + timedelta(hours=2),
                          database_url=url)
    with session_scope(url) as session:
        keys = set(session.execute(select(SignInThrottle.key)).scalars())
    assert keys == {"address:10.7.7.7", "username:sam"}


def test_an_account_with_a_one_time_code_needs_a_fresh_right_code(url):
    import pyotp

    member = accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    token, _ = sessions.start_session(member.id, now=T0, database_url=url)
    secret = accounts.start_second_factor("dana", database_url=url)
    assert sessions.find_session(token, now=T0, database_url=url) is None  # the next sign-in needs the code
    assert accounts.get_account("dana", url).second_factor
    code = pyotp.TOTP(secret).at(T0)
    assert not signs_in("dana", PASSWORD, now=T0, database_url=url)  # no code
    assert not signs_in("dana", PASSWORD, code="000000" if code != "000000" else "111111", now=T0, database_url=url)
    assert not signs_in("dana", "wrong password!", code=code, now=T0, database_url=url)
    assert signs_in("dana", PASSWORD, code=code, now=T0 + timedelta(seconds=20), database_url=url)
    # The same code a second time (seen over a shoulder) is refused; the next step's code works.
    assert not signs_in("dana", PASSWORD, code=code, now=T0 + timedelta(seconds=25), database_url=url)
    following = pyotp.TOTP(secret).at(T0 + timedelta(seconds=30))
    assert signs_in("dana", PASSWORD, code=following[:3] + " " + following[3:], now=T0 + timedelta(seconds=31),
                    database_url=url)
    assert not signs_in("dana", PASSWORD, code=pyotp.TOTP(secret).at(T0 + timedelta(minutes=5)), now=T0,
                        database_url=url)  # too far from the clock
    # Two sign-ins at once with the same fresh code: one gets in.
    later = T0 + timedelta(minutes=2)
    fresh = pyotp.TOTP(secret).at(later)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: signs_in("dana", PASSWORD, code=fresh, now=later, database_url=url),
                                range(2)))
    assert sorted(results) == [False, True]
    assert accounts.stop_second_factor("dana", database_url=url)
    assert signs_in("dana", PASSWORD, now=T0, database_url=url)


def test_an_unknown_username_costs_the_same_argon2_work(url):
    accounts.create_account("dana", "Dana", PASSWORD, database_url=url)
    accounts.authenticate("warm-up", PASSWORD, database_url=url)  # the decoy hash is made once

    def fastest(username: str) -> float:
        times = []
        for attempt in range(3):
            start = time.perf_counter()
            assert not signs_in(username, "wrong password!", address=f"10.1.{len(username)}.{attempt}", now=T0,
                                database_url=url)
            times.append(time.perf_counter() - start)
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
    assert signs_in("old", PASSWORD, database_url=url)
    with session_scope(url) as session:
        stored = session.execute(select(StaffAccount.password_hash)).scalar_one()
    assert stored != weak and not accounts.password_hasher().check_needs_rehash(stored)
    assert signs_in("old", PASSWORD, database_url=url)


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
    assert not signs_in("dana", PASSWORD, database_url=url)
    assert accounts.enable_account("dana", database_url=url)
    assert signs_in("dana", PASSWORD, database_url=url)


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
    assert accounts.authenticate("dana", PASSWORD, database_url=url).member.display_name == "Dana Reyes"
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
        assert signs_in("sam", PASSWORD, database_url=url)

        for attempt in range(console_settings().username_backoff.free_failures + 1):
            accounts.authenticate("dana", "wrong password!", address=f"10.0.0.{attempt}", database_url=url)
        assert accounts.authenticate("dana", PASSWORD, address="10.0.9.9", database_url=url).wait_seconds > 0
        assert run("unlock", "dana")[0] == 0
        assert signs_in("dana", PASSWORD, address="10.0.9.9", database_url=url)

        code, out, _ = run("code-on", "dana")
        assert code == 0 and "otpauth://totp/" in out and accounts.get_account("dana", url).second_factor
        assert "one-time code" in run("list")[1]
        assert not signs_in("dana", PASSWORD, address="10.0.9.9", database_url=url)
        assert run("code-off", "dana")[0] == 0
        assert signs_in("dana", PASSWORD, address="10.0.9.9", database_url=url)

        assert run("disable", "dana")[0] == 0
        assert "disabled" in run("list")[1]
        assert not signs_in("dana", PASSWORD, address="10.0.9.9", database_url=url)
        assert run("enable", "dana")[0] == 0
        assert run("password", "dana", "--password-stdin", stdin="another passphrase\n")[0] == 0
        assert signs_in("dana", "another passphrase", address="10.0.9.9", database_url=url)
        code, _, err = run("disable", "nobody")
        assert code == 1 and "no account" in err
    finally:
        settings.cache_clear()
