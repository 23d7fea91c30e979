"""The benchmark's load generator against a real HTTP server on loopback.

The server stands in for Rasa's REST webhook (it answers each message after a short pause and
notes when it answered), so these tests check the generator's own counting: how many
conversations and messages a run holds, and that a windowed run keeps every person busy until
the window closes and counts no reply that came after it.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, List, Tuple

import pytest

from bench.conversations import Conversation
from bench.load import run_load

SCRIPT = Conversation("three turns", (("hi", "ok"), ("yes", "ok"), ("bye", "ok")))
REPLY_PAUSE_S = 0.02


class _Webhook(BaseHTTPRequestHandler):
    """Answers POST /webhooks/rest/webhook like Rasa's REST channel, after REPLY_PAUSE_S."""

    answered: List[Tuple[float, str]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 (the standard library's name)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(REPLY_PAUSE_S)
        payload = json.dumps([{"recipient_id": body["sender"], "text": "ok"}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
        with self.lock:
            self.answered.append((time.perf_counter(), body["sender"]))

    def log_message(self, *args: object) -> None:
        """Quiet: the test reads the answers, not the log."""


@pytest.fixture()
def webhook() -> Iterator[str]:
    _Webhook.answered = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Webhook)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_fixed_run_holds_each_persons_conversations_in_full(webhook: str) -> None:
    result = run_load(webhook, SCRIPT, 2, "fixed", conversations_per_client=3)

    assert (result.conversations, result.messages, result.errors) == (6, 18, 0)
    assert len({sender for _, sender in _Webhook.answered}) == 6
    assert result.wall_s > 0


def test_a_windowed_run_keeps_every_person_busy_and_counts_only_replies_inside_the_window(webhook: str) -> None:
    window_s = 0.6
    started = time.perf_counter()
    result = run_load(webhook, SCRIPT, 3, "window", window_s=window_s)

    # About 0.6 s / 20 ms = 30 messages per person, 10 conversations each: people went on
    # to new conversations rather than stopping after one.
    assert result.conversations > 3 * 2
    assert result.wall_s == window_s
    assert result.errors == 0
    answered_in_window = sum(1 for at, _ in _Webhook.answered if at <= started + window_s)
    # Only a person's last reply can fall either side of the window's end, as the server and
    # the client each see it.
    assert abs(result.messages - answered_in_window) <= 3
    assert result.throughput == pytest.approx(result.messages / window_s)
    # Nobody sends again once the window has closed: the last answer is at most one reply late.
    assert max(at for at, _ in _Webhook.answered) < started + window_s + 0.5


def test_a_run_needs_exactly_one_way_to_end() -> None:
    with pytest.raises(ValueError):
        run_load("http://127.0.0.1:9", SCRIPT, 1, "none")
    with pytest.raises(ValueError):
        run_load("http://127.0.0.1:9", SCRIPT, 1, "both", conversations_per_client=1, window_s=1.0)
