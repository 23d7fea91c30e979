"""What a person does with the chat widget, as steps the browser tests share."""
from __future__ import annotations

from playwright.sync_api import Page, expect

REPLY_TIMEOUT_MS = 45_000
GREETING = "automated intake assistant"
MENU = "What would you like to do?"


def open_widget(page: Page, web_url: str) -> None:
    """Load the demo clinic page, open the chat and wait for the greeting and its menu."""
    page.goto(web_url + "/")
    page.click(".ciw-launcher")
    expect(page.locator(".ciw-status")).to_have_text("Connected", timeout=REPLY_TIMEOUT_MS)
    expect(bot_messages(page).first).to_contain_text(GREETING, timeout=REPLY_TIMEOUT_MS)
    expect(bot_messages(page).filter(has_text=MENU)).to_be_visible(timeout=REPLY_TIMEOUT_MS)


def bot_messages(page: Page):
    return page.locator(".ciw-msg--bot")


def user_messages(page: Page):
    return page.locator(".ciw-msg--user")


def send(page: Page, text: str) -> None:
    """Type a message and press Enter, as a person would."""
    page.fill("#ciw-input", text)
    page.press("#ciw-input", "Enter")


def wait_for_reply_containing(page: Page, text: str) -> None:
    """Some bot message (newest first) contains `text`."""
    expect(page.locator(".ciw-msg--bot", has_text=text).last).to_be_visible(timeout=REPLY_TIMEOUT_MS)


def wait_for_new_reply(page: Page, replies_before: int) -> None:
    """At least one bot message more than `replies_before` has arrived."""
    expect(bot_messages(page).nth(replies_before)).to_be_visible(timeout=REPLY_TIMEOUT_MS)


def session_id(page: Page) -> str:
    """The Rasa conversation id the widget keeps in localStorage."""
    return page.evaluate("""() => {
        const key = Object.keys(localStorage).find((k) => k.startsWith('clinic-chat:'));
        return JSON.parse(localStorage.getItem(key)).sessionId;
    }""")
