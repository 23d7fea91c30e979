"""Start the real Rasa server and action server on free loopback ports, for tests and benchmarks.

Each stack gets its own temporary SQLite tracker store and app database, its own endpoints
file and its own API token, so stacks never share state with `make run` or with each other.
A stack given `production_env` instead runs its Rasa server on config/endpoints.production.yml
with those variables (PostgreSQL tracker store, Redis lock store), as production does.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

import requests
import yaml

from intake.handoff.rasa_auth import auth_headers, rasa_secret_options
from intake.settings import server_process_settings

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = PROJECT_ROOT / ".venv" / "bin"
MODEL_PATH = PROJECT_ROOT / "models" / "intake.tar.gz"
PRODUCTION_ENDPOINTS = PROJECT_ROOT / "config" / "endpoints.production.yml"
EMBEDDED_ENDPOINTS = PROJECT_ROOT / "endpoints.yml"
START_TIMEOUT_S = 240


def free_port() -> int:
    """A TCP port that is free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(workdir: Path) -> Dict[str, str]:
    env = {**os.environ, **server_process_settings()}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        # No usage reports or crash reports leave the machine (see the Makefile).
        RASA_TELEMETRY_ENABLED="false",
        INTAKE_DATABASE_URL=f"sqlite:///{workdir / 'app.db'}",
    )
    return env


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop a process started with start_new_session, and everything it started, and wait."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@dataclass
class RasaStack:
    """A running Rasa server plus action server, with helpers to talk to them over REST."""

    workdir: Path
    rasa_port: int
    actions_port: int
    # The HTTP API secret (RASA_TOKEN; it signs the callers' JWTs). URL-safe secrets may begin with
    # "-", which `rasa run --jwt-secret X` reads as an option (a one-in-64 failure to start). Test
    # stacks always use such a secret, so the "=" form stays tested.
    token: str = field(default_factory=lambda: "-" + secrets.token_urlsafe(32))
    web_port: int = field(default_factory=free_port)
    link_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    # More environment for every process of the stack (e.g. TWILIO_* for the SMS tests).
    extra_env: Dict[str, str] = field(default_factory=dict)
    # The variables of config/endpoints.production.yml; None: the stack's own SQLite endpoints.
    production_env: Optional[Dict[str, str]] = None
    # What the Rasa server runs; `endpoints` None: as `production_env` says (the benchmark gives
    # the `rasa init` project's own files here).
    model: Path = MODEL_PATH
    credentials: Path = PROJECT_ROOT / "credentials.yml"
    endpoints: Optional[Path] = None

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> Dict[str, str]:
        """The environment of every process of this stack (shared app database and link secret)."""
        return {**_server_env(self.workdir), "INTAKE_PUBLIC_WEB_URL": self.web_url,
                "INTAKE_LINK_SECRET": self.link_secret,
                # The web app's console signs its calls to Rasa's HTTP API with the stack's secret.
                "RASA_TOKEN": self.token, "INTAKE_COOKIE_SECURE": "0",
                # The web app's page points the chat widget at this stack's Rasa server.
                "INTAKE_RASA_URL": self.rasa_url, **(self.production_env or {}),
                "ACTION_SERVER_URL": f"{self.actions_url}/webhook", **self.extra_env}

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def app_database_url(self) -> str:
        return f"sqlite:///{self.workdir / 'app.db'}"

    # -- processes ------------------------------------------------------------------------
    @property
    def tracker_database_path(self) -> Path:
        """The SQLite file of the tracker store (stacks without `production_env`)."""
        return self.workdir / "tracker.db"

    def _endpoints(self) -> Path:
        if self.production_env is not None:
            return PRODUCTION_ENDPOINTS
        # The embedded default (`make run`), with this stack's action server and tracker file.
        endpoints = yaml.safe_load(EMBEDDED_ENDPOINTS.read_text(encoding="utf-8"))
        endpoints["action_endpoint"]["url"] = f"{self.actions_url}/webhook"
        endpoints["tracker_store"]["db"] = str(self.tracker_database_path)
        path = self.workdir / "endpoints.yml"
        path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
        return path

    def _spawn(self, name: str, args: List[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            args, cwd=PROJECT_ROOT, env=self.env(), stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True,
        )

    def start_actions(self) -> None:
        self._spawn("actions", [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions",
                                "--port", str(self.actions_port)])
        self._wait_until_up("actions", f"{self.actions_url}/health")

    def start_rasa(self) -> None:
        self._spawn("rasa", [
            str(VENV_BIN / "rasa"), "run", "--model", str(self.model), "--port", str(self.rasa_port),
            *rasa_secret_options(self.token), "--credentials", str(self.credentials),
            "--endpoints", str(self.endpoints or self._endpoints()),
        ])
        self._wait_until_up("rasa", f"{self.rasa_url}/")  # answers once loading the model has ended
        self._check_model_loaded()

    def start_webapp(self) -> None:
        self._spawn("webapp", [str(VENV_BIN / "python"), "-m", "intake.webapp.app", "--host", "127.0.0.1",
                               "--port", str(self.web_port)])
        self._wait_until_up("webapp", f"{self.web_url}/health")

    def stop(self, name: str) -> None:
        """Stop one process (its whole process group) and wait for it."""
        proc = self.processes.pop(name, None)
        if proc is not None:
            stop_process_group(proc)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def _wait_until_up(self, name: str, url: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited while starting:\n{self.log_tail(name)}")
            try:
                if requests.get(url, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{name} did not answer at {url}:\n{self.log_tail(name)}")

    def _check_model_loaded(self) -> None:
        """Rasa serves even when its model failed to load; the project's REST channel says so
        (503) on its health check. Another project's channels (the benchmark's) answer 200."""
        health = requests.get(f"{self.rasa_url}/webhooks/rest/", timeout=10)
        if health.status_code == 503:
            raise RuntimeError(f"rasa started without a model ({health.text}):\n{self.log_tail('rasa')}")

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    # -- talking to the assistant --------------------------------------------------------
    def post_rest(self, payload: object, raw: Optional[bytes] = None) -> requests.Response:
        """POST to the REST channel; `raw` sends bytes as they are (for malformed input)."""
        url = f"{self.rasa_url}/webhooks/rest/webhook"
        if raw is not None:
            return requests.post(url, data=raw, headers={"Content-Type": "application/json"}, timeout=60)
        return requests.post(url, json=payload, timeout=60)

    def send(self, sender: str, text: str) -> List[dict]:
        """Send one user message over REST and return the bot's messages."""
        response = self.post_rest({"sender": sender, "message": text})
        response.raise_for_status()
        return response.json()

    def tracker(self, sender: str, include_events: str = "AFTER_RESTART") -> dict:
        """The conversation's tracker through the protected HTTP API."""
        response = requests.get(
            f"{self.rasa_url}/conversations/{sender}/tracker",
            params={"include_events": include_events}, headers=auth_headers(self.token), timeout=30,
        )
        response.raise_for_status()
        return response.json()


def start_stack(workdir: Path, with_actions: bool = True, extra_env: Optional[Dict[str, str]] = None,
                production_env: Optional[Dict[str, str]] = None, actions_port: Optional[int] = None) -> RasaStack:
    """Start an action server (optional) and a Rasa server on free ports.

    `production_env` runs Rasa on the production endpoints with those variables; `actions_port`
    points the Rasa server at an action server that is already running (with_actions=False)."""
    workdir.mkdir(parents=True, exist_ok=True)
    stack = RasaStack(workdir=workdir, rasa_port=free_port(), actions_port=actions_port or free_port(),
                      extra_env=dict(extra_env or {}), production_env=production_env)
    try:
        if with_actions:
            stack.start_actions()
            stack.start_webapp()
        stack.start_rasa()
    except Exception:
        stack.stop_all()
        raise
    return stack


def texts(messages: List[dict]) -> str:
    """All bot texts of one reply, joined, for assertions."""
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


def buttons(messages: List[dict]) -> List[dict]:
    """All buttons of one reply."""
    return [b for m in messages for b in m.get("buttons", []) or []]
