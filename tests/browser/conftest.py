"""Browser fixtures: Playwright for Python driving Debian's Chromium (/usr/bin/chromium).

No browser is ever downloaded: scripts/setup.sh installs Debian's chromium package when it
is missing, and these tests fail with that hint rather than skip, so a machine without it
cannot pass `make test` silently.
"""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "results" / "screenshots"


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it
# is open, which would break later tests that run their own loop (asyncio.run).
@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` as root (it installs Debian's chromium) "
                    "or `apt-get install chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def context(browser):
    """A fresh browser profile per test: empty localStorage, so a new conversation."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    """A page that records every JavaScript dialog (an XSS would open one) and dismisses it."""
    new_page = context.new_page()
    new_page.dialogs = []

    def record(dialog):
        new_page.dialogs.append(dialog.message)
        dialog.dismiss()

    new_page.on("dialog", record)
    return new_page


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go (results/ is ignored by git; docs/widget.png is a copy made by hand)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
