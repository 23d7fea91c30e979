"""Production refuses to start without its keys; development makes its own, once."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from intake import keys
from intake.paths import PROJECT_ROOT

GOOD = "k" * 43
ALL_KEYS = {name: GOOD for names in keys.SECRETS_OF.values() for name in names}


def check(process: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ALL_KEYS and k not in keys.PASSWORDS_OF["rasa"]}
    return subprocess.run([sys.executable, "-m", "intake.keys", "check", process], cwd=PROJECT_ROOT,
                          env={**clean, "PYTHONPATH": str(PROJECT_ROOT), **env}, capture_output=True, text=True)


def test_each_process_starts_only_with_all_of_its_keys():
    assert check("rasa", **ALL_KEYS).returncode == 0
    missing = check("rasa", **{**ALL_KEYS, "INTAKE_TRACKER_KEY": ""})
    assert missing.returncode == 1 and "INTAKE_TRACKER_KEY is not set" in missing.stderr
    assert check("actions", INTAKE_LINK_SECRET=GOOD).returncode == 0
    assert check("web", INTAKE_LINK_SECRET=GOOD).returncode == 1  # and RASA_TOKEN


def test_placeholders_and_short_keys_are_refused():
    placeholder = check("rasa", **{**ALL_KEYS, "INTAKE_SMS_ID_KEY": "CHANGE_ME_sms_id_key"})
    assert placeholder.returncode == 1 and "placeholder" in placeholder.stderr
    short = check("web", **{**ALL_KEYS, "RASA_TOKEN": "secret"})
    assert short.returncode == 1 and "shorter than" in short.stderr
    password = check("actions", INTAKE_LINK_SECRET=GOOD,
                     INTAKE_DATABASE_URL="postgresql://intake:CHANGE_ME_app_db_password@postgres/intake")
    assert password.returncode == 1 and "INTAKE_DATABASE_URL" in password.stderr
    assert check("nonsense").returncode == 2


def test_in_production_no_key_is_made_up(tmp_path, monkeypatch):
    monkeypatch.setenv(keys.REQUIRE_FLAG, "1")
    monkeypatch.delenv("SOME_TEST_KEY", raising=False)
    with pytest.raises(keys.MissingKey, match="SOME_TEST_KEY is not set"):
        keys.secret_from_env_or_file("SOME_TEST_KEY", tmp_path / "key")
    assert not (tmp_path / "key").exists()
    monkeypatch.setenv("SOME_TEST_KEY", "CHANGE_ME_some_key")
    with pytest.raises(keys.MissingKey, match="placeholder"):
        keys.secret_from_env_or_file("SOME_TEST_KEY", tmp_path / "key")
    monkeypatch.setenv("SOME_TEST_KEY", GOOD)
    assert keys.secret_from_env_or_file("SOME_TEST_KEY", tmp_path / "key") == GOOD.encode()


def test_in_development_a_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(keys.REQUIRE_FLAG, raising=False)
    monkeypatch.delenv("SOME_TEST_KEY", raising=False)
    first = keys.secret_from_env_or_file("SOME_TEST_KEY", tmp_path / "key")
    assert len(first) >= 32 and keys.secret_from_env_or_file("SOME_TEST_KEY", tmp_path / "key") == first
