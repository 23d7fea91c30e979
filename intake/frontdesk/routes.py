"""The console's routes on the web app, under /frontdesk.

    GET  /frontdesk/login, POST /frontdesk/login     sign in (the only routes without a session)
    POST /frontdesk/logout                            sign out
    GET  /frontdesk/                                  the queue
    GET  /frontdesk/items/{id}                        one item: summary card, transcript, actions
    GET  /frontdesk/unanswered                        questions the assistant could not answer, grouped
    GET  /frontdesk/api/items                         open items (priority, then age) as JSON
    GET  /frontdesk/api/items/{id}                    card, transcript (from Rasa), alert deliveries
    POST /frontdesk/api/items/{id}/claim | /reply | /handback | /close | /acknowledge
    POST /frontdesk/api/follow-ups/{id}/done          a crisis follow-up task is done

`console_guard` (a middleware) protects every route whose pattern is under /frontdesk except
the sign-in form, so a route added later is protected without anyone remembering to: no
session -> pages answer 303 to the sign-in form, the API answers 401 JSON; a POST without the
session's CSRF token -> 403.

Rasa is reached only through intake.handoff.rasa_api.RasaConversations. The order of each
action keeps a failure from leaving things half-done:
- claim: the database claim first (it decides between two staff members clicking at once),
  then Rasa's takeover; if Rasa fails, the claim is undone and the answer is 502 (unless Rasa
  had already switched relaying on: then the claim stays, so someone answers the person).
- handback and close: Rasa first (end the takeover), then the database; if Rasa fails nothing
  was changed (502) and the staff member can try again.
- reply: only a Rasa call; nothing in the database changes.
- acknowledge and follow-up done: only the database (no Rasa call), so they work when Rasa is down.
"""
from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional

import aiohttp
from aiohttp import web

from intake.client_address import client_address
from intake.frontdesk import accounts, known_devices, pages, reads, sessions
from intake.frontdesk.config import console_settings
from intake.frontdesk.views import failed_counts, follow_up_view, item_view, plain, transcript_view
from intake.settings import settings

log = logging.getLogger(__name__)

PREFIX = "/frontdesk"
LOGIN_PATH = "/frontdesk/login"
PUBLIC_PATHS = frozenset({LOGIN_PATH})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_REPLY_CHARS = pages.MAX_REPLY_CHARS
SIGN_IN_CONCURRENCY = 2
# app[STATE_KEY]: {"rasa": RasaConversations or None, "http": its aiohttp.ClientSession or None}
STATE_KEY = web.AppKey("frontdesk_state", dict)


def _now() -> datetime:
    return datetime.now(timezone.utc)


SIGN_IN_FAILED = ("Sign-in failed. Check the username, the password and, if your account uses one, the code from "
                  "your authenticator app. After several failed attempts each new one has to wait a little longer.")


def _wait_message(seconds: int) -> str:
    wait = f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
    return f"Too many failed sign-ins. Please wait {wait}, then try again."


# -- the other packages, imported when first needed ------------------------------------------
def _queue():
    from intake.handoff import queue

    return queue


def _summary_card(item) -> Optional[dict]:
    from intake.handoff.summary import summary_card

    return summary_card(item)


def _rasa_unavailable() -> type:
    from intake.handoff.rasa_api import RasaUnavailable

    return RasaUnavailable


def _rasa(request: web.Request):
    """The app's RasaConversations (made on first use, with one connection pool closed when the app stops)."""
    state = request.app[STATE_KEY]
    if state.get("rasa") is None:
        from intake.handoff.rasa_api import RasaConversations, RasaUnavailable

        try:
            configured = RasaConversations.from_environment()
        except ValueError as error:  # no token configured
            raise RasaUnavailable(f"{error}; set RASA_TOKEN for the web app") from error
        state["http"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        state["rasa"] = RasaConversations(configured.base_url, configured.token, session=state["http"])
    return state["rasa"]


def _failed_deliveries() -> List[dict]:
    try:
        from intake.notifications import failed_deliveries
    except ImportError:
        return []
    try:
        return [dict(d) for d in failed_deliveries()]
    except Exception:  # the banner must never take the console down
        log.exception("could not read failed alert deliveries")
        return []


def _deliveries_for(item_id: int) -> List[dict]:
    try:
        from intake.notifications import deliveries_for
    except ImportError:
        return []
    try:
        return [dict(d) for d in deliveries_for(item_id)]
    except Exception:
        log.exception("could not read the alert deliveries of item %s", item_id)
        return []


def _escalation_facts(item_ids: List[int]) -> tuple:
    """({item id: when escalated}, the clinic's wait in minutes); nothing when unreadable."""
    try:
        from intake.notifications import escalated_items, notification_settings

        return escalated_items(item_ids), notification_settings().escalation.after_minutes
    except Exception:  # the queue must show even when this cannot be read
        log.exception("could not read the escalations")
        return {}, None


def _escalation_of(item_id: int) -> Optional[dict]:
    try:
        from intake.notifications import escalation_of

        return escalation_of(item_id)
    except Exception:
        log.exception("could not read the escalation of item %s", item_id)
        return None


def _follow_ups_module():
    from intake.handoff import follow_ups

    return follow_ups


async def _blocking(func: Callable, *args, **kwargs):
    """Database and argon2 work off the event loop."""
    return await asyncio.to_thread(func, *args, **kwargs)


# -- the guard -------------------------------------------------------------------------------
def is_console_route(canonical: str) -> bool:
    return canonical == PREFIX or canonical.startswith(PREFIX + "/")


def _is_api(canonical: str) -> bool:
    return canonical.startswith(PREFIX + "/api/")


def _no_store(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _json_error(status: int, code: str, message: str) -> web.Response:
    return _no_store(web.json_response({"error": code, "message": message}, status=status))


def _see_other(location: str) -> web.Response:
    return _no_store(web.Response(status=303, headers={"Location": location}))


@web.middleware
async def console_guard(request: web.Request, handler) -> web.StreamResponse:
    """No console page or API without a valid session; no console POST without its CSRF token."""
    resource = request.match_info.route.resource
    canonical = resource.canonical if resource is not None else ""
    if not is_console_route(canonical):
        return await handler(request)
    if canonical in PUBLIC_PATHS:
        return _no_store(await handler(request))
    signed_in = await _blocking(sessions.find_session, request.cookies.get(sessions.SESSION_COOKIE))
    if signed_in is None:
        if _is_api(canonical):
            return _json_error(401, "not_signed_in", "Your session has ended or you are not signed in. Sign in again.")
        return _see_other(LOGIN_PATH)
    if request.method not in SAFE_METHODS:
        supplied = request.headers.get("X-CSRF-Token")
        if supplied is None and request.content_type == "application/x-www-form-urlencoded":
            supplied = (await request.post()).get("csrf_token")
        if not sessions.same_token(signed_in.csrf_token, supplied if isinstance(supplied, str) else None):
            if _is_api(canonical):
                return _json_error(403, "bad_csrf_token", "The request was refused (missing or wrong CSRF token). "
                                   "Reload the page and try again.")
            return _no_store(web.Response(status=403, text=pages.forbidden_page(
                "The request was refused (missing or wrong CSRF token). Reload the page and try again."),
                content_type="text/html"))
    request["staff"] = signed_in
    return _no_store(await handler(request))


# -- sign-in and sign-out ----------------------------------------------------------------------
def _login_response(status: int = 200, error: Optional[str] = None, username: str = "") -> web.Response:
    token = sessions.new_login_token()
    response = web.Response(status=status, text=pages.login_page(settings().clinic.name, token, error, username),
                            content_type="text/html")
    sessions.set_login_cookie(response, token, console_settings())
    return response


async def login_form(request: web.Request) -> web.Response:
    if await _blocking(sessions.find_session, request.cookies.get(sessions.SESSION_COOKIE)):
        return _see_other(PREFIX + "/")
    return _login_response()


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    username = str(form.get("username") or "")[:64]
    password = str(form.get("password") or "")
    code = str(form.get("code") or "")[:16]
    if not sessions.same_token(request.cookies.get(sessions.LOGIN_COOKIE), str(form.get("login_token") or "")):
        return _login_response(403, "The sign-in form was too old or did not come from this page. Please try again.",
                               username)
    address = client_address(request.headers.get("X-Forwarded-For"), request.remote)
    # At most a few argon2 verifications at once (64 MiB and tens of ms each): a flood of sign-in
    # attempts queues here instead of taking every core from the rest of the web app.
    known = known_devices.is_known_device(request.cookies.get(known_devices.DEVICE_COOKIE),
                                          accounts.normalize_username(username))
    async with request.app[STATE_KEY]["sign_in_slots"]:
        attempt = await _blocking(accounts.authenticate, username, password, code, address, known_device=known)
    if attempt.wait_seconds:
        log.info("a sign-in was refused unchecked: %s s to wait (from %s)", attempt.wait_seconds, address)
        response = _login_response(429, _wait_message(attempt.wait_seconds), username)
        response.headers["Retry-After"] = str(attempt.wait_seconds)
        return response
    member = attempt.member
    if member is None:
        log.info("a sign-in was refused (from %s)", address)
        return _login_response(401, SIGN_IN_FAILED, username)
    old = request.cookies.get(sessions.SESSION_COOKIE)
    if old:
        await _blocking(sessions.end_session, old)
    token, _ = await _blocking(sessions.start_session, member.id)
    config = console_settings()
    response = _see_other(PREFIX + "/")
    sessions.set_session_cookie(response, token, config)
    sessions.clear_login_cookie(response, config)
    response.set_cookie(known_devices.DEVICE_COOKIE, known_devices.device_cookie_value(member.username),
                        path=sessions.COOKIE_PATH, httponly=True, samesite="Strict", secure=config.secure_cookie,
                        max_age=known_devices.LIFETIME_DAYS * 86400)
    log.info("staff member %s signed in", member.username)
    return response


async def logout(request: web.Request) -> web.Response:
    await _blocking(sessions.end_session, request.cookies.get(sessions.SESSION_COOKIE))
    response = _see_other(LOGIN_PATH)
    sessions.clear_session_cookie(response, console_settings())
    return response


async def console_root(_: web.Request) -> web.Response:
    return _see_other(PREFIX + "/")


# -- reading -------------------------------------------------------------------------------
def _views(items, me: str, failed: List[dict]) -> List[Dict[str, Any]]:
    names = accounts.display_names({who for item in items for who in (item.claimed_by, item.acknowledged_by) if who})
    counts = failed_counts(failed)
    escalated, after_minutes = _escalation_facts([item.id for item in items])
    now = _now()
    time_zone = _time_zone()
    views = [item_view(item, names, counts, me, now, escalated, after_minutes) for item in items]
    for view in views:
        view["acknowledgement_text"] = pages.acknowledgement_text(view, time_zone)
        view["alerts_text"] = pages.alerts_cell_text(view, time_zone)
    return views


def _follow_up_views() -> List[Dict[str, Any]]:
    try:
        tasks = _follow_ups_module().open_follow_ups()
    except Exception:  # the queue must show even when this cannot be read
        log.exception("could not read the follow-up tasks")
        return []
    names = accounts.display_names({task.done_by for task in tasks if task.done_by})
    now = _now()
    return [follow_up_view(task, names, now) for task in tasks]


def _queue_state(me: str) -> Dict[str, Any]:
    """Everything the queue shows, read in one worker thread."""
    items = _queue().open_items()
    failed = _failed_deliveries()
    return {"views": _views(items, me, failed), "failed": failed, "follow_ups": _follow_up_views()}


def _follow_up_of(item_id: int) -> Optional[Dict[str, Any]]:
    try:
        task = _follow_ups_module().follow_up_for(item_id)
    except Exception:
        log.exception("could not read the follow-up task of item %s", item_id)
        return None
    if task is None:
        return None
    return follow_up_view(task, accounts.display_names([task.done_by] if task.done_by else []), _now())


def _item_state(item_id: int, me: str) -> Optional[Dict[str, Any]]:
    """Everything an item's page shows, read in one worker thread; the read is recorded (who, when)."""
    item = _queue().get_item(item_id)
    if item is None:
        return None
    reads.record_read(me, item.conversation_id, item.id)
    failed = _failed_deliveries()
    try:
        card = _summary_card(item)
    except Exception:
        log.exception("could not build the summary card of item %s", item_id)
        card = {"error": "The summary could not be read; see the web app's log."}
    return {"item": item, "view": _views([item], me, failed)[0], "card": card,
            "deliveries": _deliveries_for(item_id), "failed": failed, "escalation": _escalation_of(item_id),
            "follow_up": _follow_up_of(item_id)}


def _alert_rows(state: Mapping[str, Any], time_zone: str) -> List[Dict[str, Any]]:
    """The item's alerts panel: the escalation first (when there was one), then every delivery."""
    rows = pages.escalation_rows(plain(state["escalation"]), time_zone)
    return rows + pages.delivery_rows(plain(state["deliveries"]), time_zone)


async def _transcript(request: web.Request, conversation_id: str):
    """(lines, None) or (None, a message for the console)."""
    try:
        lines = await _rasa(request).transcript(conversation_id)
        return transcript_view(lines), None
    except ImportError:
        return None, "The transcript cannot be read: the handoff package is not installed."
    except Exception as error:
        if isinstance(error, _rasa_unavailable()):
            return None, f"The transcript could not be read from the assistant's server: {error}"
        log.exception("reading the transcript of %s failed", conversation_id)
        return None, "The transcript could not be read (unexpected error; see the web app's log)."


def _time_zone() -> str:
    return settings().clinic.time_zone


async def queue_page(request: web.Request) -> web.Response:
    staff = request["staff"]
    state = await _blocking(_queue_state, staff.username)
    page = pages.queue_page(settings().clinic.name, _time_zone(), staff, state["views"],
                            pages.failed_banner_lines(state["failed"]), _now(), state["follow_ups"])
    return web.Response(text=page, content_type="text/html")


async def item_page(request: web.Request) -> web.Response:
    staff = request["staff"]
    state = await _blocking(_item_state, int(request.match_info["id"]), staff.username)
    if state is None:
        return web.Response(status=404, text=pages.forbidden_page("There is no such item."), content_type="text/html")
    transcript, error = await _transcript(request, state["item"].conversation_id)
    time_zone = _time_zone()
    page = pages.item_page(settings().clinic.name, time_zone, staff, state["view"],
                           pages.card_sections(plain(state["card"]), time_zone), transcript, error,
                           _alert_rows(state, time_zone), pages.failed_banner_lines(state["failed"]),
                           state["follow_up"])
    return web.Response(text=page, content_type="text/html")


UNANSWERED_DAYS = 90


def _unanswered_state() -> Dict[str, Any]:
    from intake.faq.unanswered import group_questions, recent_questions

    rows = recent_questions(UNANSWERED_DAYS)
    return {"groups": group_questions(rows), "total": len(rows)}


async def unanswered_page(request: web.Request) -> web.Response:
    state = await _blocking(_unanswered_state)
    page = pages.unanswered_page(settings().clinic.name, _time_zone(), request["staff"], state["groups"],
                                 UNANSWERED_DAYS, state["total"])
    return web.Response(text=page, content_type="text/html")


def _me(staff: sessions.SignedIn) -> Dict[str, str]:
    return {"username": staff.username, "display_name": staff.display_name}


async def api_items(request: web.Request) -> web.Response:
    staff = request["staff"]
    state = await _blocking(_queue_state, staff.username)
    return web.json_response({
        "items": state["views"], "now": _now().isoformat().replace("+00:00", "Z"), "signed_in_as": _me(staff),
        "failed_deliveries": plain(state["failed"]), "failed_banner": pages.failed_banner_lines(plain(state["failed"])),
        "follow_ups": state["follow_ups"],
    })


async def api_item(request: web.Request) -> web.Response:
    staff = request["staff"]
    state = await _blocking(_item_state, int(request.match_info["id"]), staff.username)
    if state is None:
        return _json_error(404, "not_found", "There is no such item.")
    transcript, error = await _transcript(request, state["item"].conversation_id)
    time_zone = _time_zone()
    card = plain(state["card"])
    deliveries = plain(state["deliveries"])
    return web.json_response({
        "item": state["view"], "card": card, "card_sections": pages.card_sections(card, time_zone),
        "transcript": transcript, "transcript_error": error, "deliveries": deliveries,
        "delivery_rows": _alert_rows(state, time_zone), "escalation": plain(state["escalation"]),
        "follow_up": state["follow_up"], "signed_in_as": _me(staff),
        "failed_banner": pages.failed_banner_lines(plain(state["failed"])),
    })


# -- actions -------------------------------------------------------------------------------
async def _current_item(request: web.Request):
    return await _blocking(_queue().get_item, int(request.match_info["id"]))


def _describe_conflict(item, me: str) -> str:
    if item.status == "closed":
        return "This item is closed."
    if item.status == "claimed" and item.claimed_by != me:
        names = accounts.display_names([item.claimed_by])
        return f"{names.get(item.claimed_by, item.claimed_by)} holds this conversation."
    if item.status != "claimed":
        return "Claim the conversation first."
    return "The item changed meanwhile; reload the page."


async def _rasa_call(request: web.Request, call: Callable[[Any], Awaitable[None]]) -> Optional[Exception]:
    """Run one RasaConversations call; None when it worked, else its RasaUnavailable error."""
    try:
        await call(_rasa(request))
        return None
    except Exception as error:
        if isinstance(error, _rasa_unavailable()):
            log.warning("Rasa call failed: %s", error)
            return error
        raise


async def _takeover_is_on(request: web.Request, conversation_id: str) -> bool:
    """After a failed takeover: did Rasa switch relaying on before failing? (False when unreadable.)"""
    try:
        tracker = await _rasa(request).tracker(conversation_id)
    except Exception:
        return False
    return bool((tracker.get("slots") or {}).get("handoff_active"))


def _rasa_failed(error: Exception, consequence: str) -> web.Response:
    reason = str(error) or "it did not answer"
    return _json_error(502, "rasa_unavailable", f"The assistant's server could not be reached ({reason}). "
                       f"{consequence} Try again in a moment.")


async def _item_answer(request: web.Request, item, done: str) -> web.Response:
    staff = request["staff"]
    view = (await _blocking(_views, [item], staff.username, await _blocking(_failed_deliveries)))[0]
    return _no_store(web.json_response({"item": view, "message": done}))


async def _change_item(request: web.Request, item, change: Callable):
    """One queue change (claim, release or close) as the signed-in staff member: (the changed
    item, None), or (None, a 409 answer) when someone else changed the item first."""
    staff = request["staff"]
    try:
        return await _blocking(change, item.id, staff.username), None
    except ValueError:
        fresh = await _current_item(request)
        return None, _json_error(409, "conflict", _describe_conflict(fresh or item, staff.username))


async def claim(request: web.Request) -> web.Response:
    staff = request["staff"]
    item = await _current_item(request)
    if item is None:
        return _json_error(404, "not_found", "There is no such item.")
    if item.status == "claimed" and item.claimed_by == staff.username:
        return await _item_answer(request, item, "You already hold this conversation.")
    if item.status != "new":
        return _json_error(409, "conflict", _describe_conflict(item, staff.username))
    claimed, conflict = await _change_item(request, item, _queue().claim)
    if conflict is not None:
        return conflict
    failure = await _rasa_call(request, lambda rasa: rasa.start_takeover(item.conversation_id, staff.display_name))
    if isinstance(failure, _not_delivered()):
        log.info("item %s claimed by %s; the person's text was not delivered", item.id, staff.username)
        return await _item_answer(request, claimed, "You hold this conversation now, but the text telling the person "
                                  "you joined could not be delivered: call them; the number is in the summary.")
    if failure is not None:
        if await _takeover_is_on(request, item.conversation_id):
            # Rasa failed half-way: relaying is on but the person may not have been told. Keep the
            # claim so the conversation is not left with nobody answering.
            return _rasa_failed(failure, "You hold the conversation, but the person may not have been told that "
                                "you joined: write to them, or hand back.")
        await _blocking(_queue().release, item.id, staff.username)  # undo: the item is unclaimed again
        return _rasa_failed(failure, "Nothing was changed: the item is still unclaimed and the assistant goes on.")
    log.info("item %s claimed by %s", item.id, staff.username)
    return await _item_answer(request, claimed, "You hold this conversation now; the person was told you joined.")


async def reply(request: web.Request) -> web.Response:
    staff = request["staff"]
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return _json_error(400, "bad_request", 'Send JSON: {"text": "..."}.')
    text = body.get("text") if isinstance(body, dict) else None
    if not isinstance(text, str) or not (1 <= len(text.strip()) <= MAX_REPLY_CHARS):
        return _json_error(400, "bad_text", f"Write between 1 and {MAX_REPLY_CHARS:,} characters.")
    item = await _current_item(request)
    if item is None:
        return _json_error(404, "not_found", "There is no such item.")
    if item.status != "claimed" or item.claimed_by != staff.username:
        return _json_error(409, "not_your_conversation", _describe_conflict(item, staff.username))
    if item.channel == "sms" and await _blocking(_texts_refused, item.conversation_id):
        return _json_error(409, "opted_out", "This person has opted out of texts (STOP), so the message would not "
                           "be sent. Call them instead; the number is in the summary.")
    failure = await _rasa_call(request, lambda rasa: rasa.send_staff_message(item.conversation_id, text.strip()))
    if failure is not None:
        if isinstance(failure, _not_delivered()):
            return _json_error(502, "not_delivered", f"{failure} Call the person instead; the number is in the "
                               "summary.")
        return _rasa_failed(failure, "The message was not sent.")
    return await _after_reply(request, item)


async def _after_reply(request: web.Request, item) -> web.Response:
    """A staff message switches relaying on (in case the session expired). If the item was closed
    or handed back while it was being sent, relaying is switched off again, so the person's next
    message is answered by the assistant instead of going to nobody."""
    staff = request["staff"]
    fresh = await _current_item(request)
    if fresh is not None and fresh.status == "claimed" and fresh.claimed_by == staff.username:
        return await _item_answer(request, fresh, "Sent.")
    failure = await _rasa_call(request, lambda rasa: rasa.end_takeover(item.conversation_id))
    if failure is not None:
        log.error("item %s: relaying may be on after a close during a reply (%s)", item.id, failure)
    return _json_error(409, "changed_meanwhile", "Your message was sent, but the item was closed or handed back "
                       "meanwhile, so the assistant answers the person again.")


def _not_delivered() -> type:
    from intake.handoff.rasa_api import NotDelivered

    return NotDelivered


def _texts_refused(conversation_id: str) -> bool:
    """The person texted STOP: the SMS channel sends them nothing more (intake.sms)."""
    from intake.sms.contacts import is_opted_out

    return is_opted_out(conversation_id)


async def handback(request: web.Request) -> web.Response:
    staff = request["staff"]
    item = await _current_item(request)
    if item is None:
        return _json_error(404, "not_found", "There is no such item.")
    if item.status != "claimed" or item.claimed_by != staff.username:
        return _json_error(409, "not_your_conversation", _describe_conflict(item, staff.username))
    failure = await _rasa_call(request, lambda rasa: rasa.end_takeover(item.conversation_id))
    if failure is not None and not isinstance(failure, _not_delivered()):
        return _rasa_failed(failure, "Nothing was changed: you still hold the conversation.")
    released, conflict = await _change_item(request, item, _queue().release)
    if conflict is not None:
        return conflict
    return await _item_answer(request, released, "Handed back: the assistant answers the person again."
                              + _untold(failure))


def _untold(failure: Optional[Exception]) -> str:
    """What the console adds when the person's text about the change was not delivered."""
    return "" if failure is None else " The text telling the person could not be delivered; call them if needed."


async def close(request: web.Request) -> web.Response:
    staff = request["staff"]
    item = await _current_item(request)
    if item is None:
        return _json_error(404, "not_found", "There is no such item.")
    if item.status == "closed":
        return _json_error(409, "conflict", "This item is already closed.")
    failure = None
    if item.status == "claimed":
        failure = await _rasa_call(request, lambda rasa: rasa.end_takeover(item.conversation_id))
        if failure is not None and not isinstance(failure, _not_delivered()):
            return _rasa_failed(failure, "Nothing was changed: the item is still open and claimed.")
    closed, conflict = await _change_item(
        request, item, lambda item_id, username: _queue().close(item_id, username, expected_status=item.status))
    if conflict is not None:
        return conflict
    log.info("item %s closed by %s", item.id, staff.username)
    return await _item_answer(request, closed, "Closed." + _untold(failure))


async def acknowledge(request: web.Request) -> web.Response:
    """Seen and being dealt with (e.g. the person is being called): stops the escalation clock
    without taking over the chat."""
    staff = request["staff"]
    item = await _current_item(request)
    if item is None:
        return _json_error(404, "not_found", "There is no such item.")
    if item.status == "closed":
        return _json_error(409, "conflict", "This item is closed.")
    if item.acknowledged_at is not None:
        return await _item_answer(request, item, "This item was already acknowledged.")
    acknowledged, conflict = await _change_item(request, item, _queue().acknowledge)
    if conflict is not None:
        return conflict
    log.info("item %s acknowledged by %s", item.id, staff.username)
    return await _item_answer(request, acknowledged, "Acknowledged: the on-call contact will not be alerted.")


async def follow_up_done(request: web.Request) -> web.Response:
    staff = request["staff"]
    module = _follow_ups_module()
    try:
        task = await _blocking(module.mark_done, int(request.match_info["id"]), staff.username)
    except module.FollowUpNotFound:
        return _json_error(404, "not_found", "There is no such follow-up task.")
    names = await _blocking(accounts.display_names, [task.done_by] if task.done_by else [])
    log.info("follow-up %s (item %s) marked done by %s", task.id, task.handoff_id, staff.username)
    return _no_store(web.json_response({"follow_up": follow_up_view(task, names, _now()),
                                        "message": "Follow-up marked done."}))


# -- wiring --------------------------------------------------------------------------------
async def _rasa_client_lifetime(app: web.Application):
    yield
    http = app[STATE_KEY].get("http")
    if http is not None:
        await http.close()


def setup_console(app: web.Application) -> None:
    """Add the console's routes to the web app (console_guard must be among its middlewares)."""
    if console_guard not in app.middlewares:
        raise RuntimeError("the web app needs intake.frontdesk.routes.console_guard as a middleware")
    app[STATE_KEY] = {"rasa": None, "http": None, "sign_in_slots": asyncio.Semaphore(SIGN_IN_CONCURRENCY)}
    app.cleanup_ctx.append(_rasa_client_lifetime)
    app.router.add_get(PREFIX, console_root)
    app.router.add_get(LOGIN_PATH, login_form)
    app.router.add_post(LOGIN_PATH, login_submit)
    app.router.add_post(PREFIX + "/logout", logout)
    app.router.add_get(PREFIX + "/", queue_page)
    app.router.add_get(PREFIX + r"/items/{id:\d+}", item_page)
    app.router.add_get(PREFIX + "/unanswered", unanswered_page)
    app.router.add_get(PREFIX + "/api/items", api_items)
    app.router.add_get(PREFIX + r"/api/items/{id:\d+}", api_item)
    app.router.add_post(PREFIX + r"/api/items/{id:\d+}/claim", claim)
    app.router.add_post(PREFIX + r"/api/items/{id:\d+}/reply", reply)
    app.router.add_post(PREFIX + r"/api/items/{id:\d+}/handback", handback)
    app.router.add_post(PREFIX + r"/api/items/{id:\d+}/close", close)
    app.router.add_post(PREFIX + r"/api/items/{id:\d+}/acknowledge", acknowledge)
    app.router.add_post(PREFIX + r"/api/follow-ups/{id:\d+}/done", follow_up_done)
