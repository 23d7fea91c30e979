"""The chat widget in Spanish (issue 27), in a real browser against the real Rasa server: a
browser set to Spanish is greeted in Spanish with the widget's own words in Spanish; the header's
language button switches the widget and the assistant both ways; an answer in Spanish keeps the
widget's words in Spanish; and it all fits a 360-pixel phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.widget_page import (REPLY_TIMEOUT_MS, bot_messages, open_widget, send, user_messages,
                                       wait_for_reply_containing)

pytestmark = pytest.mark.integration

SPANISH_BAR = "¿En crisis? Llame al 988 (marque 2) o envíe AYUDA al 988 · Emergencia: 911"
ENGLISH_BAR = "In crisis? Call or text 988 · Emergency: 911"


def test_a_spanish_browser_is_greeted_in_spanish_and_the_widget_speaks_spanish(browser, stack, screenshots):
    context = browser.new_context(locale="es-MX", viewport={"width": 360, "height": 740}, is_mobile=True,
                                  has_touch=True)
    try:
        page = context.new_page()
        page.goto(stack.web_url + "/")
        expect(page.locator(".ciw-crisis--mini")).to_have_text(SPANISH_BAR)
        expect(page.locator(".ciw-launcher")).to_have_text("Escríbanos")
        page.click(".ciw-launcher")
        expect(page.locator(".ciw-status")).to_have_text("Conectado", timeout=REPLY_TIMEOUT_MS)
        expect(bot_messages(page).first).to_contain_text("asistente automático", timeout=REPLY_TIMEOUT_MS)
        expect(page.locator(".ciw-panel .ciw-crisis")).to_have_text(SPANISH_BAR)
        expect(page.locator(".ciw-panel .ciw-crisis a[href='tel:988']")).to_be_visible()
        expect(page.locator("#ciw-input")).to_have_attribute("placeholder", "Escriba su mensaje")
        expect(page.locator(".ciw-restart")).to_have_text("Empezar de nuevo")
        expect(page.locator(".ciw-language")).to_have_text("English")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        box = page.locator(".ciw-panel").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        send(page, "¿La ketamina es adictiva?")
        wait_for_reply_containing(page, "sustancia controlada")
        page.screenshot(path=str(screenshots / "widget-spanish-360.png"))
    finally:
        context.close()


def test_the_language_button_switches_the_widget_and_the_assistant_both_ways(page, stack):
    open_widget(page, stack.web_url)  # an English browser: the English greeting
    expect(page.locator(".ciw-language")).to_have_text("Español")
    page.click(".ciw-language")
    expect(user_messages(page).last).to_contain_text("Español")
    wait_for_reply_containing(page, "seguimos en español")
    expect(page.locator(".ciw-panel .ciw-crisis")).to_have_text(SPANISH_BAR)
    expect(page.locator(".ciw-send")).to_have_text("Enviar")
    send(page, "¿cuánto dura una sesión?")
    wait_for_reply_containing(page, "de 1 a 2 horas")
    expect(page.locator(".ciw-language")).to_have_text("English")
    page.click(".ciw-language")
    wait_for_reply_containing(page, "continue in English")
    expect(page.locator(".ciw-panel .ciw-crisis")).to_have_text(ENGLISH_BAR)
    expect(page.locator("#ciw-input")).to_have_attribute("placeholder", "Type your message")


def test_writing_in_spanish_turns_the_widget_spanish_and_it_stays_after_a_reload(page, stack):
    open_widget(page, stack.web_url)
    send(page, "Hola, quisiera saber si la ketamina sirve para el estrés postraumático")
    expect(page.locator(".ciw-send")).to_have_text("Enviar", timeout=REPLY_TIMEOUT_MS)
    page.reload()
    if not page.locator(".ciw-panel").is_visible():
        page.click(".ciw-launcher")
    expect(page.locator(".ciw-send")).to_have_text("Enviar")
    expect(page.locator(".ciw-status")).to_have_text("Conectado", timeout=REPLY_TIMEOUT_MS)
