"""aiohttp web app: a page that says what runs where, a health check, and booking calendar files.

Run with `python -m intake.webapp.app --port 8080`. It talks to Rasa only through Rasa's
HTTP API, never by importing Rasa, so it can run on its own machine.
"""
from __future__ import annotations

import argparse
import html
import os

from aiohttp import web

from intake.settings import settings

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def _service_urls() -> dict:
    """Where the other parts answer, as configured for this deployment."""
    return {
        "rasa": os.environ.get("INTAKE_RASA_URL", "http://localhost:5005"),
        "actions": os.environ.get("INTAKE_ACTIONS_URL", "http://localhost:5055"),
    }


async def index(request: web.Request) -> web.Response:
    """A plain page listing the running parts; every value is escaped."""
    clinic = settings().clinic
    urls = _service_urls()
    rows = [
        ("Rasa server (REST, socket.io, HTTP API with token)", urls["rasa"]),
        ("REST channel", urls["rasa"] + "/webhooks/rest/webhook"),
        ("Action server", urls["actions"] + "/health"),
        ("This web app", f"{request.scheme}://{request.host}"),
    ]
    items = "\n".join(
        f"<li>{html.escape(label)}: <code>{html.escape(url)}</code></li>" for label, url in rows
    )
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(clinic.name)} intake assistant</title></head>
<body>
<p role="alert"><strong>In crisis? Call or text 988 &middot; Emergency: 911</strong></p>
<h1>{html.escape(clinic.name)}: intake assistant</h1>
<p>This deployment runs these parts:</p>
<ul>
{items}
</ul>
</body></html>"""
    return web.Response(text=body, content_type="text/html", headers=SECURITY_HEADERS)


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
        **SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{reference}.ics"',
        "Cache-Control": "no-store"})


async def health(_: web.Request) -> web.Response:
    """Liveness check used by `make run` and the tests."""
    return web.json_response({"status": "ok"})


def create_app() -> web.Application:
    """Build the web application."""
    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get("/", index)
    app.router.add_get("/health", health)
    app.router.add_get("/calendar/{reference}.ics", booking_calendar)
    return app


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
