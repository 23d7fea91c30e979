"""The web app on its own port: the demo clinic page with the widget tag, /about, the
socket.io client served from web/node_modules, and headers that allow nothing third-party."""
from __future__ import annotations

import os
import subprocess
import time

import pytest
import requests

from tests.support.stack import PROJECT_ROOT, VENV_BIN, free_port

RASA_PUBLIC_URL = "https://chat.clinic.example"


@pytest.fixture(scope="module")
def web_url():
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "INTAKE_RASA_URL": "http://127.0.0.1:5005",
           "INTAKE_RASA_PUBLIC_URL": RASA_PUBLIC_URL}
    proc = subprocess.Popen([str(VENV_BIN / "python"), "-m", "intake.webapp.app", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=PROJECT_ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                assert time.monotonic() < deadline, "web app did not start"
                time.sleep(0.3)
        yield f"http://localhost:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_home_page_is_the_clinic_page_with_the_widget_and_the_crisis_line(web_url):
    page = requests.get(f"{web_url}/", timeout=5)
    assert page.status_code == 200
    assert "988" in page.text and "911" in page.text
    assert f'<script src="/static/widget.js" data-rasa-url="{RASA_PUBLIC_URL}"' in page.text
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_about_page_lists_the_parts(web_url):
    page = requests.get(f"{web_url}/about", timeout=5)
    assert "/webhooks/rest/webhook" in page.text and "5055" in page.text
    assert RASA_PUBLIC_URL + "/socket.io" in page.text


def test_csp_allows_only_this_app_and_the_rasa_socket(web_url):
    policy = requests.get(f"{web_url}/", timeout=5).headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self' https://chat.clinic.example wss://chat.clinic.example"


def test_widget_files_and_the_socket_io_client_are_served_here(web_url):
    for path in ("/static/widget.js", "/static/widget.css", "/static/vendor/socket.io.min.js"):
        response = requests.get(web_url + path, timeout=5)
        assert response.status_code == 200, path
        assert "Content-Security-Policy" in response.headers
    assert "Socket.IO v4." in requests.get(f"{web_url}/static/vendor/socket.io.min.js", timeout=5).text[:200]


def test_widget_script_never_parses_message_text_as_html():
    source = (PROJECT_ROOT / "intake" / "webapp" / "static" / "widget.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in source, sink
