"""The web app retries alert deliveries left pending (e.g. by an action server that crashed): its
background task runs intake.notifications.deliver_due (every 15 s; 1 s here) and the pending
webhook reaches a local receiver."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from intake.storage import NotificationDelivery, session_scope
from tests.frontdesk.conftest import add_item, start_webapp


def test_the_web_app_sends_a_pending_alert_it_finds(workdir, db_url, rasa):
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    item_id = add_item(db_url, priority="urgent", reasons=["crisis"], channel="sms")
    with session_scope(db_url) as session:
        row = NotificationDelivery(handoff_id=item_id, target="webhook", destination="127.0.0.1", priority="urgent",
                                   status="pending", attempts=0,
                                   next_attempt_at=datetime.now(timezone.utc) - timedelta(minutes=1))
        session.add(row)
        session.flush()
        delivery_id = row.id
    app = start_webapp(workdir, db_url, rasa.url, rasa.token, {
        "INTAKE_ALERT_WEBHOOK_URL": f"http://127.0.0.1:{server.server_address[1]}/hook",
        "INTAKE_ALERT_SWEEP_SECONDS": "1"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with session_scope(db_url) as session:
                status = session.get(NotificationDelivery, delivery_id).status
            if status == "sent":
                break
            time.sleep(0.5)
        assert status == "sent", app.log.read_text()[-3000:]
        assert len(received) == 1 and f"#{item_id}" in received[0]["text"]
    finally:
        app.stop()
        server.shutdown()
        server.server_close()
