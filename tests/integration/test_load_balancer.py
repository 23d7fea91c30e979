"""The shipped load-balancer configuration (deploy/nginx/intake.conf), run by Debian's nginx in
front of the test run's real Rasa server: the internet reaches the webhooks and socket.io and
nothing else of Rasa, and the console's calls to the HTTP API (on the internal port) leave no
secret in nginx's access log, which records every request line in its default format.

Only the addresses change: the compose host names become the test's loopback ports.
"""
from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from intake.handoff.rasa_api import RasaConversations
from tests.support.stack import PROJECT_ROOT, RasaStack, free_port, stop_process_group, texts

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SHIPPED_CONFIG = PROJECT_ROOT / "deploy" / "nginx" / "intake.conf"


def _local_config(rasa_port: int, web_port: int, ports: dict) -> str:
    """The shipped file with the compose host names and ports replaced by loopback ones."""
    text = SHIPPED_CONFIG.read_text(encoding="utf-8")
    text = re.sub(r"server rasa-1:5005[^;]*;", f"server 127.0.0.1:{rasa_port};", text)
    text = re.sub(r"\s*server rasa-2:5005[^;]*;", "", text)
    text = re.sub(r"server webapp:8080[^;]*;", f"server 127.0.0.1:{web_port};", text)
    for shipped, local in (("listen 5005;", ports["public"]), ("listen 5006;", ports["internal"]),
                           ("listen 8080;", ports["web"]), ("listen 127.0.0.1:8081;", ports["health"])):
        assert shipped in text, f"{shipped} is no longer in {SHIPPED_CONFIG}"
        text = text.replace(shipped, f"listen 127.0.0.1:{local};")
    return text


@pytest.fixture(scope="module")
def balancer(stack: RasaStack, tmp_path_factory):
    if not os.access(NGINX, os.X_OK):
        pytest.fail("nginx is missing: `make setup` installs Debian's nginx-light")
    workdir: Path = tmp_path_factory.mktemp("nginx")
    ports = {name: free_port() for name in ("public", "internal", "web", "health")}
    (workdir / "intake.conf").write_text(_local_config(stack.rasa_port, stack.web_port, ports), encoding="utf-8")
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = " ".join(f"{kind}_temp_path {workdir / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                         "scgi"))
    (workdir / "nginx.conf").write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {workdir / 'nginx.pid'};\nerror_log {workdir / 'error.log'};\n"
        f"events {{}}\nhttp {{\n  access_log {workdir / 'access.log'};\n  {temp}\n"
        f"  include {workdir / 'intake.conf'};\n}}\n", encoding="utf-8")
    process = subprocess.Popen([NGINX, "-p", str(workdir), "-c", str(workdir / "nginx.conf")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"http://127.0.0.1:{ports['health']}/healthz", timeout=1).raise_for_status()
            break
        except requests.RequestException:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {process.stderr.read().decode(errors='replace')}")
            time.sleep(0.2)
    yield {"public": f"http://127.0.0.1:{ports['public']}", "internal": f"http://127.0.0.1:{ports['internal']}",
           "log": workdir / "access.log"}
    stop_process_group(process)


def test_the_public_port_serves_the_webhooks_and_socketio_and_nothing_else_of_rasa(balancer, stack):
    public = balancer["public"]
    sender = f"lb-{uuid.uuid4().hex[:12]}"
    reply = requests.post(f"{public}/webhooks/rest/webhook", json={"sender": sender, "message": "hello"}, timeout=60)
    assert reply.status_code == 200 and "automated" in texts(reply.json())
    assert requests.get(f"{public}/webhooks/rest/", timeout=10).json() == {"status": "ok"}  # a health check
    handshake = requests.get(f"{public}/socket.io/", params={"EIO": "4", "transport": "polling"}, timeout=10)
    assert handshake.status_code == 200 and '"sid"' in handshake.text

    signed = RasaConversations(public, stack.token)
    for path in (f"/conversations/{sender}/tracker", "/model", "/status", "/domain", "/version", "/"):
        assert requests.get(public + path, timeout=10).status_code == 404, path
    with pytest.raises(Exception, match="HTTP 404"):  # even with a valid signed token
        asyncio.run(signed.tracker(sender))


def test_the_console_reaches_the_api_on_the_internal_port_and_no_secret_reaches_the_log(balancer, stack):
    sender = f"lb-{uuid.uuid4().hex[:12]}"
    stack.send(sender, "what are the side effects")
    console = RasaConversations(balancer["internal"], stack.token)
    tracker = asyncio.run(console.tracker(sender))
    assert any(event.get("event") == "user" for event in tracker["events"])

    time.sleep(0.2)  # nginx writes the line when the response is done
    log = balancer["log"].read_text(encoding="utf-8")
    assert f"/conversations/{sender}/tracker" in log
    assert stack.token not in log and "token=" not in log
