"""The chat widget in a real browser (Debian's Chromium), on the demo clinic page, talking to
the real Rasa server over socket.io. Uses the shared `stack` (Rasa, actions, web app)."""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.browser.contrast import low_contrast_texts
from tests.browser.widget_page import (REPLY_TIMEOUT_MS, bot_messages, open_widget, send, session_id,
                                       user_messages, wait_for_new_reply, wait_for_reply_containing)

pytestmark = pytest.mark.integration

XSS = "<img src=x onerror=alert(1)>"


def test_faq_question_gets_its_answer(page, stack):
    open_widget(page, stack.web_url)
    send(page, "how long does a ketamine session take")
    expect(user_messages(page).last).to_contain_text("how long does a ketamine session take")
    wait_for_reply_containing(page, "hours")


def test_button_sends_its_payload_and_shows_the_reply(page, stack):
    open_widget(page, stack.web_url)
    page.get_by_role("button", name="Questions about ketamine for PTSD").click()
    # The person sees the button's title as their message, never the payload.
    expect(user_messages(page).last).to_contain_text("Questions about ketamine for PTSD")
    wait_for_reply_containing(page, "ask me anything")
    expect(page.locator(".ciw-log")).not_to_contain_text("/ask_question")
    # Choices already answered cannot be sent twice.
    expect(page.get_by_role("button", name="Check my symptoms")).to_be_disabled()


def test_crisis_message_gets_988_with_call_and_text_links(page, stack, screenshots):
    open_widget(page, stack.web_url)
    send(page, "I want to kill myself")
    wait_for_reply_containing(page, "988")
    log = page.locator(".ciw-log")
    expect(log.locator('a[href="tel:988"]')).to_be_visible()
    expect(log.locator('a[href="sms:988"]')).to_be_visible()
    expect(log.locator('a[href="tel:911"]')).to_be_visible()
    wait_for_reply_containing(page, "Are you safe right now?")
    page.screenshot(path=str(screenshots / "widget-crisis.png"))


def test_conversation_survives_a_reload_and_goes_on(page, stack, screenshots):
    open_widget(page, stack.web_url)
    send(page, "how long does a ketamine session take")
    wait_for_reply_containing(page, "hours")
    sender = session_id(page)
    page.reload()
    panel = page.locator(".ciw-panel")
    if not panel.is_visible():
        page.click(".ciw-launcher")
    expect(user_messages(page).first).to_contain_text("how long does a ketamine session take")
    expect(bot_messages(page).filter(has_text="hours")).to_have_count(1)
    expect(page.locator(".ciw-status")).to_have_text("Connected", timeout=REPLY_TIMEOUT_MS)
    # The same Rasa conversation goes on after the reload (the session id was kept).
    send(page, "is ketamine FDA approved for PTSD")
    wait_for_reply_containing(page, "off-label")  # not "FDA": the session-length answer above cites the FDA too
    page.screenshot(path=str(screenshots / "widget.png"))
    assert session_id(page) == sender
    said = [e.get("text") for e in stack.tracker(sender, include_events="ALL")["events"] if e["event"] == "user"]
    assert "how long does a ketamine session take" in said and "is ketamine FDA approved for PTSD" in said


def test_markup_in_a_message_is_shown_as_text(page, stack):
    open_widget(page, stack.web_url)
    replies_before = bot_messages(page).count()
    send(page, XSS)
    expect(user_messages(page).last).to_contain_text(XSS)
    wait_for_new_reply(page, replies_before)
    page.wait_for_timeout(500)
    assert page.dialogs == []
    assert page.locator("img").count() == 0
    assert page.evaluate("document.querySelectorAll('.ciw-log img, .ciw-log script').length") == 0


def test_bot_messages_are_text_and_only_allowed_links_are_made(page, stack):
    """A hostile bot message (as if injected upstream) is shown as text; no javascript: links."""
    connections = []
    page.route_web_socket(re.compile(r".*/socket\.io/.*"),
                          lambda route: (route.connect_to_server(), connections.append(route)))
    open_widget(page, stack.web_url)
    hostile = {"text": "<img src=x onerror=alert(2)> see https://example.org/help or javascript:alert(3)",
               "quick_replies": [{"title": "Evil link", "payload": "javascript:alert(4)"},
                                 {"title": "Data", "payload": "data:text/html,<script>alert(5)</script>"},
                                 {"title": "Call 988", "payload": "tel:988"},
                                 {"title": "Clinic site", "payload": "https://example.org/"}]}
    connections[-1].send("42" + json.dumps(["bot_uttered", hostile]))
    last = bot_messages(page).filter(has_text="<img src=x onerror=alert(2)>")
    expect(last).to_be_visible()
    hrefs = last.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert sorted(hrefs) == ["https://example.org/", "https://example.org/help", "tel:988"]
    expect(last.get_by_role("button", name="Evil link")).to_be_visible()  # sent as text if pressed
    assert page.locator("img").count() == 0 and page.dialogs == []


def test_crisis_bar_and_chat_fit_a_360_px_screen(browser, stack, screenshots):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(stack.web_url + "/")
        mini_bar = page.locator(".ciw-crisis--mini")
        expect(mini_bar).to_be_visible()
        expect(mini_bar).to_have_text("In crisis? Call or text 988 · Emergency: 911")
        page.click(".ciw-launcher")
        bar = page.locator(".ciw-panel .ciw-crisis")
        expect(bar).to_be_in_viewport()
        expect(bar).to_have_text("In crisis? Call or text 988 · Emergency: 911")
        expect(page.locator("#ciw-input")).to_be_in_viewport()
        box = page.locator(".ciw-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        expect(bot_messages(page).first).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        page.screenshot(path=str(screenshots / "widget-360.png"))
    finally:
        context.close()


def test_keyboard_only_open_send_and_close(page, stack):
    page.goto(stack.web_url + "/")
    page.focus(".ciw-launcher")
    page.keyboard.press("Enter")
    expect(page.locator("#ciw-input")).to_be_focused()
    choice = page.get_by_role("button", name="Questions about ketamine for PTSD")
    expect(choice).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    choice.focus()
    page.keyboard.press("Enter")
    wait_for_reply_containing(page, "ask me anything")
    expect(page.locator("#ciw-input")).to_be_focused()  # not lost with the now-disabled button
    page.keyboard.type("how long does a ketamine session take")
    page.keyboard.press("Enter")
    wait_for_reply_containing(page, "hours")
    # Tab stays inside the open chat (it covers the page on phones).
    for _ in range(25):
        page.keyboard.press("Tab")
        assert page.evaluate("document.querySelector('.ciw-panel').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(page.locator(".ciw-panel")).to_be_hidden()
    expect(page.locator(".ciw-launcher")).to_be_focused()


def test_new_messages_are_in_a_polite_live_region(page, stack):
    open_widget(page, stack.web_url)
    log = page.locator('.ciw-log[role="log"][aria-live="polite"]')
    expect(log).to_have_count(1)
    expect(log.locator(".ciw-msg--bot").first).to_contain_text("automated intake assistant")
    expect(page.locator(".ciw-panel")).to_have_attribute("aria-labelledby", "ciw-title")
    expect(page.locator('.ciw-status[role="status"]')).to_have_count(1)


def test_dropped_connection_shows_it_and_reconnects(page, stack):
    connections = []

    def forward(route):
        route.connect_to_server()
        connections.append(route)

    page.route_web_socket(re.compile(r".*/socket\.io/.*"), forward)
    open_widget(page, stack.web_url)
    connections[-1].close()
    expect(page.locator(".ciw-status")).to_have_text(re.compile("Reconnecting|Trying again"))
    expect(page.locator(".ciw")).to_have_attribute("data-connection", "reconnecting")
    expect(page.locator(".ciw-status")).to_have_text("Connected", timeout=REPLY_TIMEOUT_MS)
    assert len(connections) >= 2
    send(page, "how long does a ketamine session take")
    wait_for_reply_containing(page, "hours")


def test_text_contrast_passes_wcag_aa(page, stack):
    open_widget(page, stack.web_url)
    send(page, "I want to kill myself")
    wait_for_reply_containing(page, "Are you safe right now?")
    assert low_contrast_texts(page, ".ciw *") == []


def test_typing_indicator_shows_until_the_reply(page, stack):
    """Replies are held back at the socket so the indicator can be seen, then let through."""
    held, routes = [], []

    def hold_bot_messages(route):
        server = route.connect_to_server()
        routes.append(route)
        server.on_message(lambda message: held.append(message)
                          if holding and str(message).startswith('42["bot_uttered"') else route.send(message))

    holding = False
    page.route_web_socket(re.compile(r".*/socket\.io/.*"), hold_bot_messages)
    open_widget(page, stack.web_url)
    holding = True
    send(page, "how long does a ketamine session take")
    expect(page.locator(".ciw-typing")).to_be_visible()
    expect(page.locator(".ciw-typing")).to_have_text("The assistant is typing…")
    holding = False
    for message in held:
        routes[-1].send(message)
    wait_for_reply_containing(page, "hours")
    expect(page.locator(".ciw-typing")).to_be_hidden()


def test_start_over_clears_the_chat_and_starts_a_new_conversation(page, stack):
    open_widget(page, stack.web_url)
    send(page, "how long does a ketamine session take")
    wait_for_reply_containing(page, "hours")
    first_session = session_id(page)
    page.get_by_role("button", name="Start over").click()
    expect(page.locator(".ciw-log")).not_to_contain_text("how long does a ketamine session take")
    expect(bot_messages(page).first).to_contain_text("automated intake assistant", timeout=REPLY_TIMEOUT_MS)
    assert session_id(page) != first_session
    stored = page.evaluate("() => Object.keys(localStorage).map((k) => localStorage.getItem(k)).join(' ')")
    assert "how long does a ketamine session take" not in stored and first_session not in stored


def test_a_conversation_idle_for_an_hour_is_forgotten_on_this_browser(page, stack):
    open_widget(page, stack.web_url)
    send(page, "how long does a ketamine session take")
    wait_for_reply_containing(page, "hours")
    first_session = session_id(page)
    page.evaluate("""() => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('clinic-chat:'));
        const saved = JSON.parse(localStorage.getItem(key));
        saved.lastActive -= 61 * 60 * 1000;
        localStorage.setItem(key, JSON.stringify(saved));
    }""")
    page.reload()
    expect(page.locator(".ciw-launcher")).to_be_visible()
    expect(page.locator(".ciw-log")).not_to_contain_text("how long does a ketamine session take")
    stored = page.evaluate("() => Object.keys(localStorage).map((k) => localStorage.getItem(k)).join(' ')")
    assert "how long does a ketamine session take" not in stored  # nothing left behind on the computer
    page.click(".ciw-launcher")
    expect(bot_messages(page).first).to_contain_text("automated intake assistant", timeout=REPLY_TIMEOUT_MS)
    assert session_id(page) != first_session


def test_a_chat_left_open_past_the_idle_limit_is_forgotten(page, stack):
    page.clock.install()  # the page's clock, so that an hour can pass at once
    open_widget(page, stack.web_url)
    send(page, "how long does a ketamine session take")
    wait_for_reply_containing(page, "hours")
    page.clock.fast_forward("01:01:00")
    expect(page.locator(".ciw-log")).not_to_contain_text("how long does a ketamine session take")
    stored = page.evaluate("() => Object.keys(localStorage).map((k) => localStorage.getItem(k)).join(' ')")
    assert "how long does a ketamine session take" not in stored
