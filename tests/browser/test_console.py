"""The front-desk console in a real browser (Debian's Chromium), against the shared stack: the real
Rasa server, action server and web app. A person writes in the chat widget on the demo page and
asks for a person; a staff member signs in at /frontdesk/, sees the item, claims it, reads the
transcript, writes; the person sees the reply in the widget and answers; the answer shows in
the console. Script in a message stays text. The screenshot for the README is made here."""
from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from intake.frontdesk.accounts import AccountError, create_account
from intake.handoff.queue import open_item_for
from tests.browser.contrast import low_contrast_texts
from tests.browser.widget_page import (bot_messages, open_widget, send, session_id, wait_for_new_reply,
                                       wait_for_reply_containing)

pytestmark = pytest.mark.integration

PASSWORD = "front desk demo passphrase"
SCRIPT = "<script>alert(1)</script>"
POLL_TIMEOUT_MS = 15_000

def item_id_for(stack, conversation_id: str) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        item = open_item_for(conversation_id, database_url=stack.app_database_url)
        if item is not None:
            return item.id
        time.sleep(0.3)
    raise AssertionError(f"no open handoff item for {conversation_id}")


def sign_in(page: Page, web_url: str, username: str) -> None:
    page.goto(web_url + "/frontdesk/")
    expect(page).to_have_url(web_url + "/frontdesk/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(web_url + "/frontdesk/")


# What the person answers in the widget before asking for a person: the age (asked first), the
# symptom check (PC-PTSD-5: the lead-in and five items), the safety questions (ASQ) and the rest
# of the ketamine pre-screen, as in tests/integration/test_screening_rest.py, so the summary card
# has real content.
SCREENING_ANSWERS = ["I'm 41", "yes", "yes", "yes", "yes", "no", "no", "no", "no", "no", "no",
                     "no", "no", "no", "yes", "no", "no", "lexapro and klonopin",
                     "therapy and two antidepressants"]


@pytest.fixture(scope="module")
def staff_username(stack) -> str:
    """The demo staff member "dana" in the shared stack's app database (made once per run)."""
    try:
        create_account("dana", "Dana", PASSWORD, database_url=stack.app_database_url)
    except AccountError:
        pass  # another module of this run made it already
    return "dana"


def chat(person: Page, text: str) -> None:
    """Write in the widget and wait for the assistant's answer."""
    before = bot_messages(person).count()
    send(person, text)
    wait_for_new_reply(person, before)


@pytest.fixture
def person(browser):
    """A second browser profile: the person chatting on the clinic's page."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    new_page = ctx.new_page()
    new_page.dialogs = []

    def record(dialog):
        new_page.dialogs.append(dialog.message)
        dialog.dismiss()

    new_page.on("dialog", record)
    yield new_page
    ctx.close()


def test_sign_in_claim_and_write_to_a_person_in_the_widget(page, person, stack, staff_username, screenshots):
    # Other people waiting: someone in crisis (urgent) and someone who asked earlier over REST.
    crisis = f"demo-{uuid.uuid4().hex[:8]}"
    stack.send(crisis, "I want to kill myself")
    earlier = f"demo-{uuid.uuid4().hex[:8]}"
    stack.send(earlier, "can I speak to a human")
    in_spanish = f"demo-{uuid.uuid4().hex[:8]}"
    stack.send(in_spanish, "ya no quiero vivir, me quiero morir")

    open_widget(person, stack.web_url)
    chat(person, "check my symptoms")
    for answer in SCREENING_ANSWERS:
        chat(person, answer)
    wait_for_reply_containing(person, "Would you like to book")
    send(person, "I want to talk to a person")
    wait_for_reply_containing(person, "told our front desk")
    conversation = session_id(person)
    item_id = item_id_for(stack, conversation)

    sign_in(page, stack.web_url, staff_username)
    row = page.locator(f'tr[data-item-id="{item_id}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Asked for a person")
    expect(row).to_contain_text("Web chat")
    expect(row).to_contain_text("Nobody yet")
    crisis_row = page.locator(f'tr[data-item-id="{item_id_for(stack, crisis)}"]')
    expect(crisis_row.locator(".fd-prio")).to_have_text("Urgent")
    # Each item says the language to write and call back in.
    expect(row.locator(".fd-language")).to_have_text("English")
    expect(page.locator(f'tr[data-item-id="{item_id_for(stack, in_spanish)}"] .fd-language')).to_have_text("Spanish")
    # Most urgent first: the crisis item is above the person's item.
    ids = page.locator("#fd-queue-body tr").evaluate_all("rows => rows.map(r => r.dataset.itemId)")
    assert ids.index(str(item_id_for(stack, crisis))) < ids.index(str(item_id))
    page.wait_for_timeout(3500)  # one live refresh by console.js: the same rows again
    expect(row).to_contain_text("Asked for a person")
    assert low_contrast_texts(page, "body *") == []
    page.screenshot(path=str(screenshots / "console-queue.png"))

    row.get_by_role("link", name=f"#{item_id}").click()
    expect(page).to_have_url(f"{stack.web_url}/frontdesk/items/{item_id}")
    transcript = page.locator("#fd-transcript")
    expect(transcript.locator(".fd-line--person").last).to_contain_text("I want to talk to a person")
    expect(page.locator("#fd-reply")).to_be_disabled()
    expect(page.locator("#fd-item-state")).to_contain_text("Writes in English")
    card = page.locator("#fd-card")
    expect(card).to_contain_text("PC-PTSD-5")
    expect(card).to_contain_text("score 3")
    expect(card).to_contain_text("benzodiazepine")

    page.get_by_role("button", name="Claim: take over the chat").click()
    expect(page.locator("#fd-item-state")).to_contain_text("Claimed by you")
    expect(page.locator("#fd-reply")).to_be_enabled()
    wait_for_reply_containing(person, "Dana from the front desk has joined this chat")

    page.get_by_label("Message to the person").fill(
        "Hi, this is Dana at the front desk. Thanks for finishing the questions. Before booking, "
        "our clinician will want to talk about the Klonopin. Would a phone call this afternoon work?")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#fd-action-done")).to_have_text("Sent.")
    wait_for_reply_containing(person, "Hi, this is Dana at the front desk")
    expect(transcript.locator(".fd-line--staff").last).to_contain_text("Hi, this is Dana at the front desk")

    replies_before = bot_messages(person).count()
    send(person, "Yes, after 3pm is good. Is the consultation covered by Blue Shield?")
    expect(transcript.locator(".fd-line--person").last).to_contain_text("Blue Shield",
                                                                         timeout=POLL_TIMEOUT_MS)
    person.wait_for_timeout(1000)
    assert bot_messages(person).count() == replies_before, "the assistant stays quiet while Dana holds the chat"
    assert low_contrast_texts(page, "body *") == []
    page.screenshot(path=str(screenshots / "console.png"))

    page.get_by_role("button", name="Hand back to the assistant").click()
    expect(page.locator("#fd-item-state")).to_contain_text("Waiting for the front desk")
    wait_for_reply_containing(person, "handed this chat back")
    assert page.dialogs == [] and person.dialogs == []


def test_script_in_a_message_is_shown_as_text(page, stack, staff_username):
    sender = f"xss-{uuid.uuid4().hex[:8]}"
    stack.send(sender, "can I speak to a human")
    stack.send(sender, SCRIPT)
    item_id = item_id_for(stack, sender)
    sign_in(page, stack.web_url, staff_username)
    page.goto(f"{stack.web_url}/frontdesk/items/{item_id}")
    line = page.locator(".fd-line--person .fd-line-text", has_text=SCRIPT)
    expect(line).to_have_count(1)
    page.wait_for_timeout(3500)  # after a refresh by console.js (textContent) as well
    expect(line).to_have_count(1)
    page.get_by_role("button", name="Claim: take over the chat").click()
    expect(page.locator("#fd-item-state")).to_contain_text("Claimed by you")
    page.get_by_label("Message to the person").fill(f"You wrote {SCRIPT}")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator(".fd-line--staff .fd-line-text", has_text=f"You wrote {SCRIPT}")).to_have_count(1)
    assert page.evaluate("document.querySelectorAll('main script, main img').length") == 0
    assert page.dialogs == []
    page.get_by_role("button", name="Close the item").click()
    expect(page.locator("#fd-item-state")).to_contain_text("Closed")


def test_signing_out_ends_the_session(page, stack, staff_username):
    sign_in(page, stack.web_url, staff_username)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(stack.web_url + "/frontdesk/login")
    page.goto(stack.web_url + "/frontdesk/")
    expect(page).to_have_url(stack.web_url + "/frontdesk/login")
    # The session cookie is not readable by script.
    assert "frontdesk_session" not in page.evaluate("document.cookie")


def test_a_crisis_is_acknowledged_and_its_follow_up_marked_done(page, stack, staff_username):
    sender = f"crisis-{uuid.uuid4().hex[:8]}"
    stack.send(sender, "I want to kill myself")
    item_id = item_id_for(stack, sender)
    sign_in(page, stack.web_url, staff_username)
    row = page.locator(f'tr[data-item-id="{item_id}"]')
    expect(row.locator(".fd-alert-cell")).to_have_text("not acknowledged")
    link = page.get_by_role("link", name=f"#{item_id}", exact=True)
    follow_up = page.locator("#fd-follow-ups-body tr", has=link)
    expect(follow_up).to_contain_text("Crisis message")

    page.goto(f"{stack.web_url}/frontdesk/items/{item_id}")
    state = page.locator("#fd-item-ack")
    expect(state).to_contain_text("Urgent and not acknowledged: the on-call contact is alerted at")
    page.get_by_role("button", name="Acknowledge: I am on it").click()
    expect(state).to_contain_text("Acknowledged by Dana at")
    expect(page.get_by_role("button", name="Acknowledge: I am on it")).to_be_disabled()
    expect(page.locator("#fd-item-state")).to_contain_text("Waiting for the front desk")  # not taken over

    page.get_by_role("button", name="Mark follow-up done").click()
    expect(page.locator("#fd-item-follow-up")).to_have_text("Follow-up done by Dana.")
    page.wait_for_timeout(3500)  # after a refresh by console.js: still done, still acknowledged
    expect(state).to_contain_text("Acknowledged by Dana at")
    page.goto(stack.web_url + "/frontdesk/")
    expect(page.locator(f'tr[data-item-id="{item_id}"] .fd-alert-cell')).to_have_text("\u2014")
    expect(page.locator("#fd-follow-ups-body").get_by_role("link", name=f"#{item_id}", exact=True)).to_have_count(0)
    assert low_contrast_texts(page, "body *") == []


def test_the_unanswered_questions_page_lists_what_the_assistant_could_not_answer(page, stack, staff_username):
    marker = uuid.uuid4().hex[:6]
    page.goto(stack.web_url + "/frontdesk/unanswered")
    expect(page).to_have_url(stack.web_url + "/frontdesk/login")  # behind sign-in
    sender = f"unanswered-{marker}"
    stack.send(sender, f"what are the side effects of seroquel {marker}")
    stack.send(sender, f"seroquel side effects?? {marker}")
    sign_in(page, stack.web_url, staff_username)
    page.get_by_role("link", name="Unanswered questions").click()
    expect(page).to_have_url(stack.web_url + "/frontdesk/unanswered")
    expect(page.get_by_role("heading", name="Questions the assistant could not answer")).to_be_visible()
    group = page.locator("tr.fd-unanswered-group", has_text=f"seroquel side effects?? {marker}")
    expect(group).to_have_count(1)
    expect(group.locator(".fd-count")).to_have_text("2")
    expect(group).to_contain_text("health question outside our topics")
    assert low_contrast_texts(page, "body *") == []
