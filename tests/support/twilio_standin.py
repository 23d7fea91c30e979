"""A stand-in for Twilio's Messages API on loopback, recording what would have been texted.

The SMS channel's twilio client is pointed at it (TWILIO_API_BASE_URL), so tests see exactly
the requests the real API would get: the same path, Basic auth with the account SID and auth
token, and the form fields To, From and Body. It answers like Twilio (201 and a message JSON).
"""
from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict, List
from urllib.parse import parse_qs


@dataclass(frozen=True)
class SentText:
    to: str
    from_: str
    body: str


class TwilioStandIn:
    """POST /2010-04-01/Accounts/{sid}/Messages.json, recorded; anything else is a 404."""

    def __init__(self, account_sid: str, auth_token: str) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: List[SentText] = []
        self.refused: List[str] = []
        self.delay_s = 0.0  # how long each send takes, to show that a slow Twilio blocks nothing
        self.fail_next: List[int] = []  # answer the next sends with these HTTP errors, in order
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "TwilioStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def sent_to(self, phone: str, since: int = 0) -> List[str]:
        """Bodies texted to `phone`, in order, from index `since` of all sends."""
        with self._lock:
            return [text.body for text in self.sent[since:] if text.to == phone]

    def mark(self) -> int:
        with self._lock:
            return len(self.sent)

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Wait until at least `count` texts were recorded (sends are awaited before the webhook
        answers, so this is only a guard against a slow loopback)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.mark() < count:
            time.sleep(0.05)

    def _handler(self) -> type:
        standin = self
        expected_path = f"/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        expected_auth = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _answer(self, status: int, payload: dict) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode(), keep_blank_values=True).items()}
                if self.path != expected_path:
                    standin.refused.append(f"path {self.path}")
                    return self._answer(404, {"code": 20404, "message": "not found", "status": 404})
                if self.headers.get("Authorization") != expected_auth:
                    standin.refused.append("auth")
                    return self._answer(401, {"code": 20003, "message": "Authenticate", "status": 401})
                time.sleep(standin.delay_s)
                with standin._lock:
                    failure = standin.fail_next.pop(0) if standin.fail_next else None
                if failure is not None:
                    standin.refused.append(f"status {failure}")
                    return self._answer(failure, {"code": 20500, "message": "Internal error", "status": failure})
                text = SentText(form.get("To", ""), form.get("From", ""), form.get("Body", ""))
                with standin._lock:
                    standin.sent.append(text)
                sid = "SM" + uuid.uuid4().hex
                self._answer(201, {
                    "sid": sid, "account_sid": standin.account_sid, "to": text.to, "from": text.from_,
                    "body": text.body, "status": "queued", "num_segments": "1", "direction": "outbound-api",
                    "api_version": "2010-04-01", "date_created": "Sun, 29 Nov 2026 16:00:00 +0000",
                    "uri": f"/2010-04-01/Accounts/{standin.account_sid}/Messages/{sid}.json",
                })

        return Handler


def start_standin(account_sid: str, auth_token: str) -> TwilioStandIn:
    return TwilioStandIn(account_sid, auth_token).start()


# -- a Rasa stack whose SMS channel talks to a stand-in -------------------------------------------
ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = secrets.token_hex(16)
CLINIC_NUMBER = "+13105550199"
ID_KEY = secrets.token_urlsafe(24)


def sms_environment(standin: TwilioStandIn) -> Dict[str, str]:
    """What Rasa and the action server need to run the SMS channel against `standin`."""
    return {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "TWILIO_NUMBER": CLINIC_NUMBER,
            "TWILIO_API_BASE_URL": standin.base_url, "INTAKE_SMS_ID_KEY": ID_KEY}
