"""Real loopback servers for the alert tests: a webhook receiver (http.server) and an SMTP server (aiosmtpd)."""
from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import List, Optional, Sequence

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

SECRET_PATH = "/services/T0CLINIC/B0ALERTS/s3cr3tW3bh00kT0k3n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class ReceivedRequest:
    path: str
    content_type: str
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


class WebhookReceiver:
    """Answers each POST with the next status of `statuses`, then `default`. With `hold`, a request
    waits (up to 10 s) until the test sets the event before it is answered."""

    def __init__(self, statuses: Sequence[int] = (), default: int = 200,
                 hold: Optional[threading.Event] = None) -> None:
        self.statuses = list(statuses)
        self.default = default
        self.hold = hold
        self.requests: List[ReceivedRequest] = []
        self.received = threading.Event()
        self.answered = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests.append(ReceivedRequest(self.path, self.headers.get("Content-Type", ""), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                receiver.received.set()
                if receiver.hold is not None:
                    receiver.hold.wait(10)
                answer = b"ok" if status < 300 else b"service_unavailable"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
                receiver.answered.set()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{SECRET_PATH}"

    def __enter__(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.hold is not None:
            self.hold.set()
        self.server.shutdown()
        self.server.server_close()


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: List[str]
    content: bytes


@dataclass
class MailHandler:
    """aiosmtpd handler: refuses the first `refuse_first` RCPT or DATA commands with 451, then accepts."""

    refuse_first: int = 0
    refuse_at: str = "DATA"
    messages: List[ReceivedMail] = field(default_factory=list)
    refusals: int = 0
    logins: List[str] = field(default_factory=list)

    def _refuse(self, command: str) -> bool:
        if self.refuse_at == command and self.refusals < self.refuse_first:
            self.refusals += 1
            return True
        return False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self._refuse("RCPT"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if self._refuse("DATA"):
            return "451 4.3.0 Try again later"
        self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"

    def authenticator(self, server, session, envelope, mechanism, auth_data):
        login = auth_data.login.decode()
        ok = login == "alerts" and auth_data.password == b"app-password"
        if ok:
            self.logins.append(login)
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """aiosmtpd on a free loopback port; with `login`, AUTH is offered (without TLS, loopback only)."""

    def __init__(self, handler: MailHandler, login: bool = False) -> None:
        self.handler = handler
        self.port = free_port()
        extra = {"authenticator": handler.authenticator, "auth_require_tls": False} if login else {}
        self.controller = Controller(handler, hostname="127.0.0.1", port=self.port, **extra)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
