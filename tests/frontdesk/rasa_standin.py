"""A stand-in for Rasa's HTTP API on loopback, for the console tests that do not need a model.

It answers the paths the console uses (through intake.handoff.rasa_api) the way Rasa 3.6 does:
GET /domain (the handoff responses), GET /conversations/{id}/tracker, POST
/conversations/{id}/tracker/events, POST /conversations/{id}/execute and /trigger_intent, each
only with a JWT signed with the secret (as Rasa started with --jwt-secret). It keeps a
tracker per conversation (events in Rasa's JSON shape), records every request, and can be
switched to failing (`failing = True`: every request answers 503) to test a Rasa outage. The
end-to-end tests (tests/integration/test_handoff_console.py, tests/browser/test_console.py)
use the real Rasa server instead.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, Optional
from urllib.parse import parse_qs, unquote, urlsplit

import jwt

RESPONSES = {
    "utter_handoff_claimed": "{handoff_staff_name} from the front desk has joined this chat.",
    "utter_staff_reply": "{handoff_staff_reply}",
    "utter_handoff_returned": "You are back with the automated assistant.",
}


def user_event(text: str, at: float, intent: str = "nlu_fallback", channel: str = "rest") -> dict:
    return {"event": "user", "timestamp": at, "text": text, "input_channel": channel,
            "message_id": f"m{int(at * 1000)}", "metadata": {},
            "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": [],
                           "intent_ranking": []}}


def bot_event(text: str, at: float, action: str = "utter_default", buttons: Optional[list] = None) -> dict:
    return {"event": "bot", "timestamp": at, "text": text, "metadata": {"utter_action": action},
            "data": {"elements": None, "quick_replies": None, "buttons": buttons, "attachment": None,
                     "image": None, "custom": None}}


class RasaStandIn:
    def __init__(self, token: str) -> None:
        self.token = token
        self.failing = False
        # A message Rasa's HTTP API answers POST .../tracker/events?execute_side_effects=true with
        # (HTTP 500), as real Rasa does when the conversation's output channel raises (e.g. a text
        # Twilio refused); None: accepted. Events appended without side effects are always accepted.
        self.refuse_events_with: Optional[str] = None
        # Called with the conversation id while a POST .../tracker/events is being answered, to put
        # another staff member's change in the middle of a console action.
        self.while_posting_events: Optional[Callable[[str], None]] = None
        self.trackers: Dict[str, List[dict]] = {}
        self.requests: List[Dict[str, Any]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "RasaStandIn":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- test helpers -----------------------------------------------------------------------
    def signed_by_secret(self, authorization: str) -> bool:
        """As Rasa started with --jwt-secret: a Bearer JWT signed with the secret, not expired, with
        the admin role."""
        if not authorization.startswith("Bearer "):
            return False
        try:
            payload = jwt.decode(authorization[len("Bearer "):], self.token, algorithms=["HS256"],
                                 options={"require": ["exp"]})
        except jwt.PyJWTError:
            return False
        return (payload.get("user") or {}).get("role") == "admin"

    def conversation(self, conversation_id: str, *events: dict) -> None:
        with self._lock:
            start = time.time() - 600
            self.trackers[conversation_id] = [
                {"event": "action", "timestamp": start, "name": "action_session_start"},
                {"event": "session_started", "timestamp": start},
                {"event": "action", "timestamp": start, "name": "action_listen"}, *events]

    def requests_for(self, conversation_id: str) -> List[Dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r["conversation_id"] == conversation_id]

    def slots(self, conversation_id: str) -> Dict[str, Any]:
        with self._lock:
            return self._slots(self.trackers.get(conversation_id, []))

    def bot_texts(self, conversation_id: str) -> List[str]:
        with self._lock:
            return [e["text"] for e in self.trackers.get(conversation_id, []) if e["event"] == "bot"]

    # -- the fake server ----------------------------------------------------------------------
    @staticmethod
    def _slots(events: List[dict]) -> Dict[str, Any]:
        slots: Dict[str, Any] = {"handoff_active": None, "handoff_staff_name": None, "handoff_staff_reply": None}
        for event in events:
            if event.get("event") == "slot":
                slots[event["name"]] = event.get("value")
        return slots

    def _tracker(self, conversation_id: str) -> dict:
        events = self.trackers.setdefault(conversation_id, [])
        latest = next((e for e in reversed(events) if e["event"] == "user"), None)
        return {"sender_id": conversation_id, "slots": self._slots(events), "events": events,
                "latest_message": (latest or {}).get("parse_data", {}), "active_loop": {},
                "latest_event_time": events[-1]["timestamp"] if events else None,
                "latest_input_channel": (latest or {}).get("input_channel"), "paused": False,
                "followup_action": None, "latest_action_name": "action_listen"}

    def _handler(self) -> type:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self, status: int, payload: Any) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _route(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                payload = json.loads(raw) if raw else None
                segments = [unquote(s) for s in parts.path.strip("/").split("/")]
                conversation_id = segments[1] if len(segments) > 1 and segments[0] == "conversations" else ""
                authorized = standin.signed_by_secret(self.headers.get("Authorization", ""))
                with standin._lock:
                    standin.requests.append({"method": method, "path": parts.path, "query": query,
                                             "json": payload, "conversation_id": conversation_id,
                                             "authorized": authorized, "secret_in_url": standin.token in self.path})
                if standin.failing:
                    return self._answer(503, {"status": "failure", "message": "stand-in is down"})
                if not authorized:
                    return self._answer(401, {"status": "failure", "reason": "NotAuthenticated"})
                if method == "GET" and parts.path == "/domain":
                    return self._answer(200, {"responses": {name: [{"text": text}] for name, text in RESPONSES.items()}})
                if not conversation_id:
                    return self._answer(404, {"status": "failure", "reason": "NotFound"})
                action = segments[2] if len(segments) > 2 else ""
                now = time.time()
                with standin._lock:
                    events = standin.trackers.setdefault(conversation_id, [])
                    if method == "GET" and action == "tracker":
                        return self._answer(200, standin._tracker(conversation_id))
                    if method == "POST" and action == "tracker" and segments[3:] == ["events"]:
                        if standin.while_posting_events is not None:
                            standin.while_posting_events(conversation_id)
                        if standin.refuse_events_with is not None and query.get("execute_side_effects") == "true":
                            return self._answer(500, {"status": "failure", "reason": "ConversationError",
                                                      "message": "An unexpected error occurred. Error: "
                                                                 + standin.refuse_events_with})
                        new = payload if isinstance(payload, list) else [payload]
                        for event in new:
                            events.append({**event, "timestamp": event.get("timestamp") or now})
                        return self._answer(200, standin._tracker(conversation_id))
                    if method == "POST" and action in ("execute", "trigger_intent"):
                        name = (payload or {}).get("name", "")
                        messages = []
                        events.append({"event": "action", "timestamp": now, "name": name})
                        if name in RESPONSES:
                            text = RESPONSES[name].format(**{k: v or "" for k, v in standin._slots(events).items()})
                            events.append(bot_event(text, now, name))
                            messages.append({"recipient_id": conversation_id, "text": text})
                        return self._answer(200, {"tracker": standin._tracker(conversation_id), "messages": messages})
                return self._answer(404, {"status": "failure", "reason": "NotFound"})

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def do_PUT(self) -> None:
                self._route("PUT")

        return Handler


def start_rasa_standin(token: str) -> RasaStandIn:
    return RasaStandIn(token).start()
