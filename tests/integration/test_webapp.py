"""The web app on its own port: the page that says what runs where, and its health check."""
from __future__ import annotations

import subprocess
import time

import requests

from tests.support.stack import PROJECT_ROOT, VENV_BIN, free_port


def test_web_app_page_lists_the_parts_and_the_crisis_line():
    port = free_port()
    proc = subprocess.Popen([str(VENV_BIN / "python"), "-m", "intake.webapp.app", "--host", "127.0.0.1",
                             "--port", str(port)], cwd=PROJECT_ROOT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                    break
            except requests.RequestException:
                assert time.monotonic() < deadline, "web app did not start"
                time.sleep(0.3)
        page = requests.get(f"http://localhost:{port}/", timeout=5)
        assert page.status_code == 200
        assert "988" in page.text and "911" in page.text
        assert "/webhooks/rest/webhook" in page.text and "5055" in page.text
        assert page.headers["X-Content-Type-Options"] == "nosniff"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
