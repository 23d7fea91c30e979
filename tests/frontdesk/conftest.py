"""The console's tests run the real web app as a process on a free port, with its own SQLite app
database, talking to a Rasa HTTP API stand-in (tests/frontdesk/rasa_standin.py)."""
from __future__ import annotations

import os
import re
import secrets
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional

import pytest
import requests

from intake.storage import Handoff, database, session_scope
from tests.frontdesk.rasa_standin import RasaStandIn, start_rasa_standin
from tests.support.stack import PROJECT_ROOT, VENV_BIN, free_port

PASSWORD = "correct horse battery staple"


@dataclass
class WebApp:
    url: str
    database_url: str
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_webapp(workdir: Path, database_url: str, rasa_url: str, rasa_token: str,
                 extra_env: Optional[Dict[str, str]] = None) -> WebApp:
    """`python -m intake.webapp.app` on a free loopback port, waited for until /health answers."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("RASA_TOKEN", "INTAKE_COOKIE_SECURE")}
    env.update(PYTHONPATH=str(PROJECT_ROOT), SQLALCHEMY_SILENCE_UBER_WARNING="1", INTAKE_DATABASE_URL=database_url,
               INTAKE_RASA_URL=rasa_url, RASA_TOKEN=rasa_token, INTAKE_COOKIE_SECURE="0",
               # Each test browser says it is a different address, as a proxy in front would
               # (Staff below), so one test's failed sign-ins do not make another's wait.
               INTAKE_TRUSTED_PROXIES="1",
               INTAKE_PUBLIC_WEB_URL=f"http://127.0.0.1:{port}")
    env.update(extra_env or {})
    env = {k: v for k, v in env.items() if v is not None}
    log = workdir / f"webapp-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([str(VENV_BIN / "python"), "-m", "intake.webapp.app", "--host", "127.0.0.1",
                                    "--port", str(port)], cwd=PROJECT_ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    app = WebApp(f"http://127.0.0.1:{port}", database_url, process, log)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the web app exited:\n{log.read_text()}")
        try:
            if requests.get(app.url + "/health", timeout=2).ok:
                return app
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            app.stop()
            raise RuntimeError(f"the web app did not start:\n{log.read_text()}")
        time.sleep(0.2)


@pytest.fixture(scope="package")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("frontdesk")


@pytest.fixture(scope="package")
def db_url(workdir) -> str:
    url = f"sqlite:///{workdir / 'app.db'}"
    database(url)  # migrate before the web app starts
    yield url
    database.cache_clear()


@pytest.fixture(scope="package")
def rasa() -> RasaStandIn:
    standin = start_rasa_standin(secrets.token_urlsafe(32))
    yield standin
    standin.stop()


@pytest.fixture(scope="package")
def webapp(workdir, db_url, rasa) -> WebApp:
    app = start_webapp(workdir, db_url, rasa.url, rasa.token)
    yield app
    app.stop()


@pytest.fixture
def make_staff(db_url):
    """make_staff("Dana Reyes") -> a new account's username (unique per test)."""
    from intake.frontdesk.accounts import create_account

    def make(display_name: str = "Dana Reyes") -> str:
        username = "staff-" + uuid.uuid4().hex[:8]
        create_account(username, display_name, PASSWORD, database_url=db_url)
        return username

    return make


def add_item(db_url: str, conversation_id: Optional[str] = None, priority: str = "normal",
             reasons=("asked_for_human",), channel: str = "socketio", status: str = "new",
             claimed_by: Optional[str] = None, **fields) -> int:
    """A handoff row straight into the app database (what intake.handoff.queue.open_handoff makes)."""
    with session_scope(db_url) as session:
        row = Handoff(conversation_id=conversation_id or "conv-" + uuid.uuid4().hex[:10], channel=channel,
                      priority=priority, reasons=list(reasons), status=status, claimed_by=claimed_by, **fields)
        session.add(row)
        session.flush()
        return row.id


def item_row(db_url: str, item_id: int) -> Handoff:
    with session_scope(db_url) as session:
        row = session.get(Handoff, item_id)
        session.expunge(row)
        return row


class Staff:
    """A staff member's browser, as a requests.Session against the real web app."""

    def __init__(self, app: WebApp, address: Optional[str] = None) -> None:
        self.app = app
        self.http = requests.Session()
        self.address = address or "10.{}.{}.{}".format(*secrets.token_bytes(3))
        self.http.headers["X-Forwarded-For"] = self.address  # what the trusted proxy would add
        self.csrf: Optional[str] = None

    def login_token(self) -> str:
        page = self.http.get(self.app.url + "/frontdesk/login", timeout=10)
        assert page.status_code == 200, page.text
        return re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> requests.Response:
        token = self.login_token()
        answer = self.http.post(self.app.url + "/frontdesk/login", allow_redirects=False, timeout=30,
                                data={"username": username, "password": password, "login_token": token})
        if answer.status_code == 303:
            queue = self.http.get(self.app.url + "/frontdesk/", timeout=10)
            self.csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', queue.text).group(1)
        return answer

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(self.app.url + path, allow_redirects=False, timeout=30, **kwargs)

    def post(self, path: str, json=None, csrf: Optional[str] = "session", **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if csrf == "session":
            csrf = self.csrf
        if csrf is not None:
            headers["X-CSRF-Token"] = csrf
        return self.http.post(self.app.url + path, json=json if json is not None else {}, headers=headers,
                              allow_redirects=False, timeout=30, **kwargs)


@pytest.fixture
def staff_browser(webapp):
    def make() -> Staff:
        return Staff(webapp)

    return make
