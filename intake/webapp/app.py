"""aiohttp web app: the demo clinic page with the chat widget, /about, a health check, booking
calendar files and the front-desk console at /frontdesk/ (intake.frontdesk).

Run with `python -m intake.webapp.app --port 8080`. It talks to Rasa only through Rasa's
HTTP API, never by importing Rasa, so it can run on its own machine. The browser talks to
Rasa's socket.io channel directly, at INTAKE_RASA_PUBLIC_URL (default: INTAKE_RASA_URL).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from intake.frontdesk.routes import console_guard, setup_console
from intake.paths import PROJECT_ROOT
from intake.settings import settings
from intake.webapp.pages import about_page, clinic_page

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
# The socket.io browser client, installed from npm by scripts/setup.sh (`npm ci` in web/).
SOCKET_IO_CLIENT = PROJECT_ROOT / "web" / "node_modules" / "socket.io-client" / "dist" / "socket.io.min.js"


def _service_urls() -> dict:
    """Where the other parts answer, as configured for this deployment."""
    rasa = os.environ.get("INTAKE_RASA_URL", "http://localhost:5005").rstrip("/")
    return {
        "rasa": rasa,
        # What the browser uses; differs from INTAKE_RASA_URL behind a proxy or TLS terminator.
        "rasa_public": os.environ.get("INTAKE_RASA_PUBLIC_URL", rasa).rstrip("/"),
        "actions": os.environ.get("INTAKE_ACTIONS_URL", "http://localhost:5055"),
    }


def _origin_sources(url: str) -> str:
    """CSP sources for the Rasa server: its http(s) origin and the matching ws(s) origin."""
    parts = urlsplit(url)
    socket_scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{parts.scheme}://{parts.netloc} {socket_scheme}://{parts.netloc}"


SECURITY_HEADERS = web.AppKey("security_headers", dict)


def security_headers(rasa_public_url: str) -> dict:
    """Only this app's own files run; the one outside connection allowed is to Rasa."""
    policy = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
              f"connect-src 'self' {_origin_sources(rasa_public_url)}; "
              "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }


@web.middleware
async def add_security_headers(request: web.Request, handler) -> web.StreamResponse:
    """The same headers on every response, pages, files and errors alike."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        error.headers.update(request.app[SECURITY_HEADERS])
        raise
    response.headers.update(request.app[SECURITY_HEADERS])
    return response


async def index(_: web.Request) -> web.Response:
    """The demo clinic page with the chat widget embedded."""
    page = clinic_page(settings().clinic, _service_urls()["rasa_public"])
    return web.Response(text=page, content_type="text/html")


async def about(request: web.Request) -> web.Response:
    """A plain page listing the running parts."""
    urls = _service_urls()
    parts = [
        ("Rasa server (REST, socket.io, HTTP API with token)", urls["rasa"]),
        ("REST channel", urls["rasa"] + "/webhooks/rest/webhook"),
        ("socket.io channel used by the chat widget", urls["rasa_public"] + "/socket.io"),
        ("Action server", urls["actions"] + "/health"),
        ("This web app", f"{request.scheme}://{request.host}"),
    ]
    return web.Response(text=about_page(settings().clinic, parts), content_type="text/html")


async def socket_io_client(_: web.Request) -> web.StreamResponse:
    """The socket.io client from web/node_modules, so no page loads it from a third party."""
    if not SOCKET_IO_CLIENT.is_file():
        raise web.HTTPNotFound(text="socket.io client not installed: run `make setup` (npm ci in web/).")
    return web.FileResponse(SOCKET_IO_CLIENT, headers={"Content-Type": "application/javascript"})


async def booking_calendar(request: web.Request) -> web.Response:
    """The .ics file of an active booking, for the holder of the signed link only."""
    from intake.booking.calendar import booking_ics, token_matches
    from intake.booking.references import normalize_reference
    from intake.booking.store import active_booking

    reference = normalize_reference(request.match_info["reference"])
    if reference is None or not token_matches(reference, request.query.get("token", "")):
        raise web.HTTPNotFound(text="No such calendar file.")
    config = settings()
    booking = active_booking(reference, config.schedule)
    if booking is None:
        raise web.HTTPNotFound(text="This booking is no longer active.")
    ics = booking_ics(booking, config.clinic, config.telehealth_note)
    return web.Response(body=ics.encode("utf-8"), content_type="text/calendar", charset="utf-8", headers={
        "Content-Disposition": f'attachment; filename="{reference}.ics"',
        "Cache-Control": "no-store"})


async def health(_: web.Request) -> web.Response:
    """Liveness check used by `make run` and the tests."""
    return web.json_response({"status": "ok"})


# Alert deliveries left pending (by a crashed or restarted process) are retried this often, and
# urgent items are checked this often for a missed acknowledgement (escalation).
ALERT_SWEEP_SECONDS = float(os.environ.get("INTAKE_ALERT_SWEEP_SECONDS", "15"))


async def _sweep_alerts_forever(interval: float) -> None:
    """Every `interval` seconds: escalate urgent items nobody acknowledged in time to the on-call
    contact (intake.notifications.escalate_due), then send every due alert (deliver_due).
    A failure is logged, never fatal."""
    try:
        from intake.notifications import deliver_due, escalate_due
    except ImportError:
        log.warning("intake.notifications is not installed: pending front-desk alerts are not retried here")
        return
    while True:
        try:
            await asyncio.to_thread(escalate_due)
            sent = await asyncio.to_thread(deliver_due)
            if sent:
                log.info("delivered %s pending front-desk alert(s)", sent)
        except Exception:
            log.exception("the sweep of pending front-desk alerts failed; trying again in %s s", interval)
        await asyncio.sleep(interval)


async def alert_sweeper(_: web.Application):
    """Runs the sweep while the app runs (aiohttp cleanup context)."""
    task = asyncio.create_task(_sweep_alerts_forever(ALERT_SWEEP_SECONDS))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


def create_app() -> web.Application:
    """Build the web application."""
    app = web.Application(client_max_size=64 * 1024, middlewares=[add_security_headers, console_guard])
    app[SECURITY_HEADERS] = security_headers(_service_urls()["rasa_public"])
    app.router.add_get("/", index)
    app.router.add_get("/about", about)
    app.router.add_get("/static/vendor/socket.io.min.js", socket_io_client)
    app.router.add_static("/static/", STATIC_DIR)
    app.router.add_get("/health", health)
    app.router.add_get("/calendar/{reference}.ics", booking_calendar)
    setup_console(app)
    app.cleanup_ctx.append(alert_sweeper)
    return app


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
