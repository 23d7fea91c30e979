"""The front door: `scripts/run.sh` (what `make run` starts) brings up all three parts,
answers "hello" over REST with the disclaimer and the menu, and stops cleanly on Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import requests

from tests.support.stack import PROJECT_ROOT, free_port, texts

READY_LINE = "Press Ctrl-C to stop"


def _as_from_a_terminal() -> None:
    """Give the script the SIGINT disposition a terminal gives it.

    A runner that starts the tests in the background (no job control) passes SIGINT on as
    ignored, and bash cannot trap a signal ignored at entry, so Ctrl-C could not be simulated.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_run_script_starts_everything_and_stops_on_ctrl_c(tmp_path):
    ports = {"RASA_PORT": free_port(), "ACTIONS_PORT": free_port(), "WEB_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "RASA_TOKEN": "test-token"}
    log = tmp_path / "run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(["bash", "scripts/run.sh"], cwd=PROJECT_ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_as_from_a_terminal)
    try:
        deadline = time.monotonic() + 240
        while READY_LINE not in log.read_text():
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.5)
        printed = log.read_text()
        for port in ports.values():
            assert f"localhost:{port}" in printed
        reply = requests.post(f"http://localhost:{ports['RASA_PORT']}/webhooks/rest/webhook",
                              json={"sender": "front-door", "message": "hello"}, timeout=60).json()
        assert "not a clinician" in texts(reply) and "988" in texts(reply)
        assert len(reply[-1]["buttons"]) == 5  # the menu's four choices and "Español"
        assert requests.get(f"http://localhost:{ports['WEB_PORT']}/", timeout=10).ok
        status = requests.get(f"http://localhost:{ports['RASA_PORT']}/status", timeout=10)
        assert status.status_code in (401, 403), "the HTTP API needs the token"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
    assert proc.returncode == 0, log.read_text()
    assert "Stopped." in log.read_text()
    for port in ports.values():
        try:
            requests.get(f"http://localhost:{port}/", timeout=2)
            raise AssertionError(f"port {port} still answers after Ctrl-C")
        except requests.ConnectionError:
            pass
