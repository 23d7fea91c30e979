"""The queue API and the staff actions over real HTTP, with Rasa's HTTP API played by a stand-in:
the order of the queue, claim / reply / hand back / close, who may do what, and a Rasa outage
(a clear 502 and nothing half-done)."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from intake.handoff import close
from intake.sms.not_delivered import TEXT_NOT_DELIVERED
from intake.storage import Handoff, NotificationDelivery, session_scope
from tests.frontdesk.conftest import Staff, add_item, item_row, start_webapp
from tests.frontdesk.rasa_standin import bot_event, user_event
from tests.support.stack import free_port


def conversation(rasa, *texts) -> str:
    """A conversation in the stand-in: the person asked for a person, the assistant answered."""
    conversation_id = "conv-" + uuid.uuid4().hex[:10]
    now = datetime.now(timezone.utc).timestamp()
    rasa.conversation(conversation_id,
                      user_event(texts[0] if texts else "can I talk to a person", now - 120, "request_human"),
                      bot_event("I have asked the front desk to join this chat.", now - 119, "utter_handoff_ack",
                                buttons=[{"title": "Keep chatting", "payload": "/greet"}]))
    return conversation_id


@pytest.fixture
def signed_in(webapp, make_staff):
    def sign_in(display_name: str = "Dana Reyes") -> Staff:
        staff = Staff(webapp)
        staff.username = make_staff(display_name)
        assert staff.sign_in(staff.username).status_code == 303
        return staff

    return sign_in


@pytest.fixture
def clean_queue(db_url):
    """Close whatever earlier tests left open, so the queue shows only this test's items."""
    with session_scope(db_url) as session:
        session.query(Handoff).filter(Handoff.status != "closed").update({"status": "closed"})
    yield


def test_the_queue_is_sorted_by_priority_then_age_with_what_the_desk_needs(webapp, db_url, signed_in,
                                                                          clean_queue):
    now = datetime.now(timezone.utc)
    old_normal = add_item(db_url, priority="normal", reasons=["booking"], channel="socketio",
                          created_at=now - timedelta(hours=2))
    new_urgent = add_item(db_url, priority="urgent", reasons=["asked_for_human", "crisis"], channel="sms",
                          created_at=now - timedelta(minutes=3), last_user_message_at=now - timedelta(minutes=1))
    old_urgent = add_item(db_url, priority="urgent", reasons=["crisis"], channel="rest",
                          created_at=now - timedelta(minutes=30))
    high = add_item(db_url, priority="high", reasons=["asq_non_acute"], created_at=now - timedelta(minutes=5),
                    language="es")
    closed = add_item(db_url, priority="urgent", status="closed")
    with session_scope(db_url) as session:
        session.add(NotificationDelivery(handoff_id=old_urgent, target="webhook", destination="hooks.example.org",
                                         priority="urgent", status="failed", attempts=5,
                                         last_error="HTTP 500 <b>from the receiver</b>"))
    staff = signed_in()
    body = staff.get("/frontdesk/api/items").json()
    items = body["items"]
    assert [i["id"] for i in items] == [old_urgent, new_urgent, high, old_normal]
    assert closed not in [i["id"] for i in items]
    first, second = items[0], items[1]
    assert first["priority_label"] == "Urgent" and first["channel"] == "rest"
    assert first["failed_deliveries"] == 1 and second["failed_deliveries"] == 0
    assert 29 * 60 <= first["age_seconds"] <= 32 * 60 and first["age_text"] == "30 min"
    assert second["reasons"] == ["asked_for_human", "crisis"]
    assert second["reason_labels"] == ["Asked for a person", "Crisis message"]
    assert second["channel_label"] == "SMS" and second["last_user_message_at"].endswith("Z")
    assert second["claimed_by"] is None and second["status"] == "new"
    assert items[2]["language_label"] == "Spanish" and second["language_label"] == "Not known"
    assert [line["handoff_id"] for line in body["failed_banner"]] == [old_urgent]
    # The page shows the same rows, with the failed alert in a banner, escaped.
    page = staff.get("/frontdesk/").text
    assert page.index(f'data-item-id="{old_urgent}"') < page.index(f'data-item-id="{new_urgent}"') \
        < page.index(f'data-item-id="{high}"') < page.index(f'data-item-id="{old_normal}"')
    assert 'id="fd-alerts" class="fd-banner" role="alert"' in page and "&lt;b&gt;from the receiver" in page
    assert '<span class="fd-prio fd-prio--urgent">Urgent</span>' in page
    assert '<td class="fd-language">Spanish</td>' in page and '<th scope="col">Language</th>' in page


def test_claim_reply_hand_back_and_close_go_through_rasas_http_api(webapp, db_url, rasa, signed_in):
    conversation_id = conversation(rasa)
    item_id = add_item(db_url, conversation_id, channel="socketio")
    dana, sam = signed_in("Dana Reyes"), signed_in("Sam Ortiz")
    base = f"/frontdesk/api/items/{item_id}"

    # Nobody writes before claiming.
    assert dana.post(base + "/reply", {"text": "hello"}).status_code == 409
    claimed = dana.post(base + "/claim")
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["item"]["claimed_by_me"] and claimed.json()["item"]["claimed_by_name"] == "Dana Reyes"
    row = item_row(db_url, item_id)
    assert (row.status, row.claimed_by) == ("claimed", dana.username)
    assert rasa.slots(conversation_id)["handoff_active"] is True
    assert rasa.slots(conversation_id)["handoff_staff_name"] == "Dana Reyes"
    assert "Dana Reyes from the front desk has joined this chat." in rasa.bot_texts(conversation_id)
    assert all(r["authorized"] for r in rasa.requests_for(conversation_id)), "a signed token goes with every call"
    assert not any(r["secret_in_url"] or "token" in r["query"] for r in rasa.requests), "no secret in a URL"

    # Someone else can neither claim nor write nor hand back.
    taken = sam.post(base + "/claim")
    assert taken.status_code == 409 and "Dana Reyes holds this conversation" in taken.json()["message"]
    assert sam.post(base + "/reply", {"text": "hi"}).status_code == 409
    assert sam.post(base + "/handback").status_code == 409
    # Claiming again is harmless for the holder (no second "joined" message).
    assert dana.post(base + "/claim").status_code == 200
    assert rasa.bot_texts(conversation_id).count("Dana Reyes from the front desk has joined this chat.") == 1

    for bad in ({"text": ""}, {"text": "   "}, {"text": "x" * 1001}, {"text": 5}, {}, ["text"]):
        answer = dana.post(base + "/reply", bad)
        assert answer.status_code == 400, bad
    sent = dana.post(base + "/reply", {"text": "  Hi, this is Dana. How can I help?  "})
    assert sent.status_code == 200, sent.text
    assert rasa.bot_texts(conversation_id)[-1] == "Hi, this is Dana. How can I help?"
    assert dana.post(base + "/reply", {"text": "y" * 1000}).status_code == 200

    detail = dana.get(base).json()
    speakers = [(line["speaker"], line["text"]) for line in detail["transcript"]]
    assert ("person", "can I talk to a person") in speakers
    assert ("staff", "Hi, this is Dana. How can I help?") in speakers
    assert any(s == "assistant" and "[options: Keep chatting]" in t for s, t in speakers)
    assert detail["item"]["claimed_by_me"] and detail["transcript_error"] is None

    handed = dana.post(base + "/handback")
    assert handed.status_code == 200, handed.text
    row = item_row(db_url, item_id)
    assert (row.status, row.claimed_by) == ("new", None)
    assert rasa.slots(conversation_id)["handoff_active"] is False
    assert dana.post(base + "/reply", {"text": "still there?"}).status_code == 409

    # Sam picks it up and closes it: closing a claimed item ends the takeover first.
    assert sam.post(base + "/claim").status_code == 200
    closed = sam.post(base + "/close")
    assert closed.status_code == 200, closed.text
    assert item_row(db_url, item_id).status == "closed"
    assert rasa.slots(conversation_id)["handoff_active"] is False
    assert item_id not in [i["id"] for i in sam.get("/frontdesk/api/items").json()["items"]]
    assert sam.post(base + "/close").status_code == 409
    assert sam.post(base + "/claim").status_code == 409
    assert sam.get("/frontdesk/api/items/999999").status_code == 404
    assert sam.get("/frontdesk/items/999999").status_code == 404


def test_closing_an_unclaimed_item_does_not_call_rasa(webapp, db_url, rasa, signed_in):
    conversation_id = conversation(rasa)
    item_id = add_item(db_url, conversation_id)
    before = len(rasa.requests_for(conversation_id))
    assert signed_in().post(f"/frontdesk/api/items/{item_id}/close").status_code == 200
    assert len(rasa.requests_for(conversation_id)) == before
    assert item_row(db_url, item_id).status == "closed"


def test_rasa_failing_gives_a_clear_502_and_nothing_half_done(webapp, db_url, rasa, signed_in):
    staff = signed_in()
    waiting = add_item(db_url, conversation(rasa))
    held_conversation = conversation(rasa)
    held = add_item(db_url, held_conversation)
    assert staff.post(f"/frontdesk/api/items/{held}/claim").status_code == 200
    rasa.failing = True
    try:
        answer = staff.post(f"/frontdesk/api/items/{waiting}/claim")
        assert answer.status_code == 502
        assert answer.json()["error"] == "rasa_unavailable"
        assert "could not be reached" in answer.json()["message"] and "still unclaimed" in answer.json()["message"]
        assert item_row(db_url, waiting).status == "new"

        for action, body in (("reply", {"text": "hello"}), ("handback", {}), ("close", {})):
            answer = staff.post(f"/frontdesk/api/items/{held}/{action}", body)
            assert answer.status_code == 502, action
            row = item_row(db_url, held)
            assert (row.status, row.claimed_by) == ("claimed", staff.username), action
        detail = staff.get(f"/frontdesk/api/items/{held}").json()
        assert detail["transcript"] is None and "could not be read" in detail["transcript_error"]
        assert detail["item"]["status"] == "claimed"
        page = staff.get(f"/frontdesk/items/{held}")
        assert page.status_code == 200 and "The transcript could not be read" in page.text
    finally:
        rasa.failing = False
    assert rasa.slots(held_conversation)["handoff_active"] is True  # the takeover was never ended
    assert staff.post(f"/frontdesk/api/items/{held}/handback").status_code == 200


def test_a_text_the_phone_company_refused_is_not_reported_as_sent(webapp, db_url, rasa, signed_in):
    conversation_id = conversation(rasa)
    item_id = add_item(db_url, conversation_id, channel="sms")
    staff = signed_in()
    assert staff.post(f"/frontdesk/api/items/{item_id}/claim").status_code == 200
    rasa.refuse_events_with = TEXT_NOT_DELIVERED
    try:
        answer = staff.post(f"/frontdesk/api/items/{item_id}/reply", {"text": "Can I call you at 2pm?"})
    finally:
        rasa.refuse_events_with = None
    assert answer.status_code == 502 and answer.json()["error"] == "not_delivered"
    assert "not delivered" in answer.json()["message"] and "Call the person" in answer.json()["message"]
    assert "Can I call you at 2pm?" not in rasa.bot_texts(conversation_id)


def test_a_refused_text_does_not_stop_the_desk_from_claiming_handing_back_or_closing(webapp, db_url, rasa, signed_in):
    conversation_id = conversation(rasa)
    item_id = add_item(db_url, conversation_id, channel="sms")
    staff = signed_in()
    rasa.refuse_events_with = TEXT_NOT_DELIVERED
    try:
        claimed = staff.post(f"/frontdesk/api/items/{item_id}/claim")
        assert claimed.status_code == 200 and "could not be delivered" in claimed.json()["message"]
        assert rasa.slots(conversation_id)["handoff_active"] is True
        handed_back = staff.post(f"/frontdesk/api/items/{item_id}/handback")
        assert handed_back.status_code == 200 and "could not be delivered" in handed_back.json()["message"]
        assert rasa.slots(conversation_id)["handoff_active"] is False
        assert staff.post(f"/frontdesk/api/items/{item_id}/claim").status_code == 200
        closed = staff.post(f"/frontdesk/api/items/{item_id}/close")
        assert closed.status_code == 200 and "could not be delivered" in closed.json()["message"]
    finally:
        rasa.refuse_events_with = None
    assert item_row(db_url, item_id).status == "closed" and rasa.slots(conversation_id)["handoff_active"] is False
    assert not any("joined" in text or "back with" in text for text in rasa.bot_texts(conversation_id))


def test_an_item_closed_while_a_reply_was_sent_does_not_leave_relaying_on(webapp, db_url, rasa, signed_in):
    """Dana's reply switches relaying on (in case the session expired); Sam closes the item at that
    moment. The person's next message must reach the assistant, not a closed item."""
    conversation_id = conversation(rasa)
    item_id = add_item(db_url, conversation_id, channel="socketio")
    dana, sam = signed_in("Dana Reyes"), signed_in("Sam Ortiz")
    assert dana.post(f"/frontdesk/api/items/{item_id}/claim").status_code == 200
    closed_by_sam = []

    def sam_closes(_: str) -> None:
        if not closed_by_sam:
            closed_by_sam.append(close(item_id, sam.username, db_url))

    rasa.while_posting_events = sam_closes
    try:
        answer = dana.post(f"/frontdesk/api/items/{item_id}/reply", {"text": "One moment please."})
    finally:
        rasa.while_posting_events = None
    assert closed_by_sam and answer.status_code == 409 and answer.json()["error"] == "changed_meanwhile"
    assert "assistant answers the person again" in answer.json()["message"]
    assert rasa.slots(conversation_id)["handoff_active"] is False


def test_an_unreachable_rasa_server_is_the_same_clear_502(workdir, db_url, rasa, make_staff):
    app = start_webapp(workdir, db_url, f"http://127.0.0.1:{free_port()}", "some-token")
    try:
        staff = Staff(app)
        staff.sign_in(make_staff())
        item_id = add_item(db_url)
        answer = staff.post(f"/frontdesk/api/items/{item_id}/claim")
        assert answer.status_code == 502 and "could not be reached" in answer.json()["message"]
        assert item_row(db_url, item_id).status == "new"
    finally:
        app.stop()


def test_no_reply_is_written_to_a_texter_who_opted_out(webapp, db_url, rasa, signed_in):
    from intake.storage import SmsContact

    conversation_id = conversation(rasa)
    with session_scope(db_url) as session:
        session.add(SmsContact(conversation_id=conversation_id, phone=f"+1310555{uuid.uuid4().int % 10000:04d}",
                               opted_out_at=datetime.now(timezone.utc)))
    item_id = add_item(db_url, conversation_id, channel="sms")
    staff = signed_in()
    assert staff.post(f"/frontdesk/api/items/{item_id}/claim").status_code == 200
    before = len(rasa.requests_for(conversation_id))
    answer = staff.post(f"/frontdesk/api/items/{item_id}/reply", {"text": "Hello?"})
    assert answer.status_code == 409 and "opted out of texts" in answer.json()["message"]
    assert len(rasa.requests_for(conversation_id)) == before
    card = staff.get(f"/frontdesk/api/items/{item_id}").json()["card_sections"][0]["rows"]
    assert {"label": "Texts", "value": "Opted out (STOP): do not text"} in card


def test_opening_a_conversation_is_recorded_once_per_visit_and_listed_for_an_administrator(
        webapp, db_url, rasa, signed_in, capsys, monkeypatch):
    from intake.frontdesk import staff as staff_command
    from intake.settings import settings
    from intake.storage import StaffRead

    conversation_id = conversation(rasa, "hello")
    item_id = add_item(db_url, conversation_id)
    dana, sam = signed_in("Dana Reyes"), signed_in("Sam Ortiz")
    assert dana.get(f"/frontdesk/items/{item_id}").status_code == 200
    for _ in range(3):  # the page refreshing itself
        assert dana.get(f"/frontdesk/api/items/{item_id}").status_code == 200
    assert sam.get(f"/frontdesk/api/items/{item_id}").status_code == 200
    with session_scope(db_url) as session:
        rows = session.execute(select(StaffRead.staff_username, StaffRead.handoff_id)
                               .where(StaffRead.conversation_id == conversation_id)).all()
    assert sorted(rows) == sorted([(dana.username, item_id), (sam.username, item_id)])

    monkeypatch.setenv("INTAKE_DATABASE_URL", db_url)
    settings.cache_clear()  # the command reads the database from the settings, cached by an earlier test
    try:
        assert staff_command.main(["reads", "--days", "1"]) == 0
    finally:
        settings.cache_clear()
    listed = [line for line in capsys.readouterr().out.splitlines() if conversation_id in line]
    assert len(listed) == 2 and any(dana.username in line for line in listed)
