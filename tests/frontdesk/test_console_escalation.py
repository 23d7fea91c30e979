"""Acknowledgement, escalation and follow-ups in the console, over real HTTP against the real web
app: its background sweep escalates an urgent item nobody acknowledged to the on-call contact of
config/clinic.yml through the Twilio stand-in, and the console shows it; staff acknowledge items
and mark follow-ups done. The "clock" is the item's own urgent_at, set in the past."""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from intake.handoff import open_handoff
from intake.storage import database
from tests.frontdesk.conftest import Staff, add_item, item_row, start_webapp
from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn, sms_environment

ON_CALL_PHONE = "+13105550177"  # escalation.on_call.phone in config/clinic.yml


@pytest.fixture
def own_db(workdir):
    """A database of this test's own: the package's shared web app sweeps the shared one."""
    url = f"sqlite:///{workdir / ('escalation-' + uuid.uuid4().hex[:8] + '.db')}"
    database(url)
    return url


def signed_in_staff(app, make_staff_in, display_name="Dana Reyes") -> Staff:
    staff = Staff(app)
    staff.username = make_staff_in(display_name)
    assert staff.sign_in(staff.username).status_code == 303
    return staff


@pytest.fixture
def make_staff_in(own_db):
    from intake.frontdesk.accounts import create_account
    from tests.frontdesk.conftest import PASSWORD

    def make(display_name: str) -> str:
        username = "staff-" + uuid.uuid4().hex[:8]
        create_account(username, display_name, PASSWORD, database_url=own_db)
        return username

    return make


def test_the_web_app_escalates_an_unacknowledged_crisis_to_the_on_call_phone(workdir, own_db, rasa, make_staff_in):
    twilio = TwilioStandIn(ACCOUNT_SID, AUTH_TOKEN).start()
    overdue = datetime.now(timezone.utc) - timedelta(minutes=6)
    late = add_item(own_db, priority="urgent", reasons=["crisis"], channel="sms", urgent_at=overdue)
    recent = add_item(own_db, priority="urgent", reasons=["crisis"], channel="socketio",
                      urgent_at=datetime.now(timezone.utc) - timedelta(minutes=1))
    acknowledged = add_item(own_db, priority="urgent", reasons=["crisis"], channel="rest", urgent_at=overdue,
                            acknowledged_at=overdue + timedelta(minutes=1), acknowledged_by="desk1")
    app = start_webapp(workdir, own_db, rasa.url, rasa.token,
                       {**sms_environment(twilio), "INTAKE_ALERT_SWEEP_SECONDS": "1"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not twilio.sent_to(ON_CALL_PHONE):
            time.sleep(0.3)
        [text] = twilio.sent_to(ON_CALL_PHONE)
        assert f"item #{late} " in text and "not been acknowledged for 5 min" in text
        time.sleep(2)  # two more sweeps: nothing more is sent
        assert len(twilio.sent) == 1

        staff = signed_in_staff(app, make_staff_in)
        items = {item["id"]: item for item in staff.get("/frontdesk/api/items").json()["items"]}
        assert items[late]["escalated_at"] and "on-call alerted" in items[late]["alerts_text"]
        assert items[recent]["needs_acknowledgement"] and items[recent]["alerts_text"] == "not acknowledged"
        assert "alerted at" in items[recent]["acknowledgement_text"]
        assert not items[acknowledged]["needs_acknowledgement"] and not items[acknowledged]["escalated_at"]
        page = staff.get(f"/frontdesk/items/{late}").text
        assert "Escalated to on-call" in page and "On-call clinician (demo)" in page
        assert f"on-call text to {ON_CALL_PHONE}" in page and "the on-call contact was alerted" in page
        rows = staff.get(f"/frontdesk/api/items/{late}").json()["delivery_rows"]
        assert rows[0]["label"] == "Escalated to on-call" and not rows[0]["failed"]
        assert {row["label"]: row["value"].split(",")[0] for row in rows[1:]} == {
            f"on-call text to {ON_CALL_PHONE}": "sent"}

        answer = staff.post(f"/frontdesk/api/items/{late}/acknowledge")
        assert answer.status_code == 200, answer.text
        assert answer.json()["item"]["needs_acknowledgement"] is False
        assert "Acknowledged by Dana Reyes" in answer.json()["item"]["acknowledgement_text"]
        assert "had been alerted" in answer.json()["item"]["acknowledgement_text"]
        assert item_row(own_db, late).acknowledged_by == staff.username
    finally:
        app.stop()
        twilio.stop()


def test_acknowledge_and_follow_up_done_in_the_console(webapp, db_url, make_staff):
    staff = Staff(webapp)
    staff.username = make_staff("Sam Ortiz")
    assert staff.sign_in(staff.username).status_code == 303
    item = open_handoff("conv-" + uuid.uuid4().hex[:10], "sms", "crisis", database_url=db_url)
    before = staff.get(f"/frontdesk/api/items/{item.id}").json()
    assert before["item"]["needs_acknowledgement"] and before["follow_up"]["done_at"] is None
    assert "Urgent and not acknowledged" in before["item"]["acknowledgement_text"]
    assert staff.post(f"/frontdesk/api/items/{item.id}/acknowledge", csrf=None).status_code == 403

    answer = staff.post(f"/frontdesk/api/items/{item.id}/acknowledge")
    assert answer.status_code == 200 and answer.json()["message"].startswith("Acknowledged")
    assert staff.post(f"/frontdesk/api/items/{item.id}/acknowledge").json()["message"] == \
        "This item was already acknowledged."
    assert item_row(db_url, item.id).status == "new"  # acknowledging does not take the chat over

    queue = staff.get("/frontdesk/api/items").json()
    [task] = [task for task in queue["follow_ups"] if task["handoff_id"] == item.id]
    assert task["reason_labels"] == ["Crisis message"] and task["channel_label"] == "SMS"
    assert f'data-follow-up-id="{task["id"]}"' in staff.get("/frontdesk/").text
    assert staff.post(f"/frontdesk/api/follow-ups/{task['id']}/done", csrf=None).status_code == 403
    assert staff.post("/frontdesk/api/follow-ups/999999/done").status_code == 404
    done = staff.post(f"/frontdesk/api/follow-ups/{task['id']}/done")
    assert done.status_code == 200 and done.json()["follow_up"]["done_by_name"] == "Sam Ortiz"
    assert item.id not in [task["handoff_id"] for task in staff.get("/frontdesk/api/items").json()["follow_ups"]]
    assert "Follow-up done by Sam Ortiz" in staff.get(f"/frontdesk/items/{item.id}").text

    staff.post(f"/frontdesk/api/items/{item.id}/close")
    closed = staff.post(f"/frontdesk/api/items/{item.id}/acknowledge")
    assert closed.status_code == 409 and "closed" in closed.json()["message"]
    normal = add_item(db_url)
    assert staff.get(f"/frontdesk/api/items/{normal}").json()["item"]["acknowledgement_text"] == ""
