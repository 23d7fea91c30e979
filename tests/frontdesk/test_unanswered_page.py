"""The console's page of questions the assistant could not answer: behind sign-in, grouped by
similarity, contact details removed before storing, over real HTTP against the real web app."""
from __future__ import annotations

import re
import uuid

import requests

from intake.faq.unanswered import record_unanswered
from tests.frontdesk.conftest import Staff


def test_unanswered_questions_are_grouped_and_need_a_session(webapp, db_url, make_staff):
    marker = uuid.uuid4().hex[:6]
    asked = [f"does lithium cause weight gain {marker}", f"lithium weight gain?? {marker}",
             f"does lithium make you gain weight {marker}",
             f"do you validate parking {marker} call me 310-555-0142"]
    for number, text in enumerate(asked):
        kind = "clinic" if "parking" in text else "other_health"
        assert record_unanswered(f"conv-{marker}-{number}", "rest", text, kind, ["the front desk"], db_url)

    anonymous = requests.get(webapp.url + "/frontdesk/unanswered", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 303 and anonymous.headers["Location"] == "/frontdesk/login"

    staff = Staff(webapp)
    assert staff.sign_in(make_staff()).status_code == 303
    page = staff.get("/frontdesk/unanswered")
    assert page.status_code == 200 and "Questions the assistant could not answer" in page.text
    groups = re.findall(r'<tr class="fd-unanswered-group"><td class="fd-count">(\d+)</td>(.*?)</tr>', page.text)
    lithium = [count for count, body in groups if f"lithium weight gain?? {marker}" in body]
    assert lithium == ["3"], "the three wordings of one question are one group"
    parking = [body for _, body in groups if f"validate parking {marker}" in body]
    assert len(parking) == 1 and "about the clinic" in parking[0]
    assert "310-555-0142" not in page.text and "[contact detail removed]" in page.text
    assert 'href="/frontdesk/unanswered"' in staff.get("/frontdesk/").text  # reachable from the queue
