"""The console's security, over real HTTP against the web app process: sign-in, lockout, sessions,
CSRF, cookie flags, every route behind a session, and user text shown as text."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie

import requests
from sqlalchemy import select, update

from intake.frontdesk.config import console_settings
from intake.frontdesk.sessions import LOGIN_COOKIE, SESSION_COOKIE, token_hash
from intake.storage import Booking, SignInThrottle, StaffAccount, StaffSession, session_scope
from intake.webapp.app import create_app
from tests.frontdesk.conftest import PASSWORD, Staff, add_item, item_row, start_webapp
from tests.frontdesk.rasa_standin import bot_event, user_event

SCRIPT = "<script>alert(1)</script>"


def set_cookies(response: requests.Response) -> dict:
    """Set-Cookie headers of one response, by cookie name (the raw header text)."""
    headers = response.raw.headers.getlist("Set-Cookie")
    found = {}
    for header in headers:
        found[header.split("=", 1)[0]] = header
    return found


def console_routes():
    """Every (method, path pattern) the web app registers under /frontdesk, read from its router."""
    routes = []
    for route in create_app().router.routes():
        resource = route.resource
        canonical = resource.canonical if resource is not None else ""
        if canonical == "/frontdesk" or canonical.startswith("/frontdesk/"):
            routes.append((route.method, canonical, resource))
    return routes


def url_of(resource, item_id: int) -> str:
    info = resource.get_info()
    return resource.url_for(id=str(item_id)).path if "formatter" in info else resource.url_for().path


# -- signing in ------------------------------------------------------------------------------
def test_sign_in_with_the_right_password_opens_the_queue(webapp, make_staff):
    username = make_staff("Dana Reyes")
    staff = Staff(webapp)
    answer = staff.sign_in(username)
    assert answer.status_code == 303 and answer.headers["Location"] == "/frontdesk/"
    assert SESSION_COOKIE in set_cookies(answer)
    queue = staff.get("/frontdesk/")
    assert queue.status_code == 200
    assert "Signed in as <strong>Dana Reyes</strong>" in queue.text
    assert staff.get("/frontdesk/api/items").json()["signed_in_as"] == {"username": username,
                                                                       "display_name": "Dana Reyes"}
    # Only a hash of the token is stored.
    token = staff.http.cookies.get(SESSION_COOKIE, path="/frontdesk")
    with session_scope(webapp.database_url) as session:
        hashes = session.execute(select(StaffSession.token_hash)).scalars().all()
    assert token_hash(token) in hashes and token not in hashes
    # The sign-in page sends a signed-in member on to the queue.
    assert staff.get("/frontdesk/login").status_code == 303


def _failure(answer: requests.Response) -> tuple:
    error = re.search(r'<p id="fd-login-error"[^>]*>([^<]*)</p>', answer.text)
    return answer.status_code, error.group(1) if error else None, SESSION_COOKIE in set_cookies(answer)


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(webapp, make_staff):
    username = make_staff()
    wrong = Staff(webapp).sign_in(username, "not the password at all")
    unknown = Staff(webapp).sign_in("nobody-" + uuid.uuid4().hex[:6], PASSWORD)
    assert _failure(wrong) == _failure(unknown)
    status, message, got_session = _failure(wrong)
    assert status == 401 and not got_session and "Sign-in failed" in message
    # The page is the same apart from the username typed back and the fresh form token.
    normalize = lambda text, name: re.sub(r'value="[^"]*"', 'value=""', text.replace(name, "USER"))  # noqa: E731
    assert normalize(wrong.text, username) == normalize(unknown.text, re.search(
        r'name="username"[^>]*value="([^"]*)"', unknown.text).group(1))


def test_repeated_failures_make_the_next_attempt_wait_and_never_lock_the_account(webapp, make_staff):
    backoff = console_settings().username_backoff
    username = make_staff()
    for _ in range(backoff.free_failures + 1):  # from ever new addresses: only the username counts
        assert Staff(webapp).sign_in(username, "wrong password, again").status_code == 401
    staff = Staff(webapp)
    waiting = staff.sign_in(username, PASSWORD)  # the right password, but it waits (unchecked)
    assert waiting.status_code == 429 and 0 < int(waiting.headers["Retry-After"]) <= backoff.max_delay_seconds
    assert "Please wait" in _failure(waiting)[1] and not _failure(waiting)[2]
    assert staff.get("/frontdesk/api/items").status_code == 401
    # When the wait is over (moved into the past here), the right password works at once.
    with session_scope(webapp.database_url) as session:
        session.execute(update(SignInThrottle).where(SignInThrottle.key == f"username:{username}")
                        .values(next_allowed_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert staff.sign_in(username, PASSWORD).status_code == 303


def test_a_browser_the_staff_member_signed_in_on_before_is_not_held_up_by_a_guesser(webapp, make_staff):
    """Someone guessing from ever new addresses keeps the username's wait up; the staff member's
    own browser (its device cookie from an earlier sign-in) still gets in at once."""
    backoff = console_settings().username_backoff
    username = make_staff()
    own = Staff(webapp)
    assert own.sign_in(username).status_code == 303
    assert own.post("/frontdesk/logout").status_code == 303
    for _ in range(backoff.free_failures + 2):
        Staff(webapp).sign_in(username, "a guess at a password")
    assert Staff(webapp).sign_in(username, PASSWORD).status_code == 429  # a new browser waits
    assert own.sign_in(username, "a guess at a password").status_code == 401  # still checked
    assert own.sign_in(username, PASSWORD).status_code == 303
    # The cookie names its username: it does not let another account's wait be skipped.
    assert own.post("/frontdesk/logout").status_code == 303
    other = make_staff()
    for _ in range(backoff.free_failures + 2):
        Staff(webapp).sign_in(other, "a guess at a password")
    assert own.sign_in(other, PASSWORD).status_code == 429


def test_one_address_guessing_waits_but_the_desk_elsewhere_signs_in(webapp, make_staff):
    backoff = console_settings().address_backoff
    username = make_staff()
    guesser = Staff(webapp)
    for attempt in range(backoff.free_failures + 1):
        assert guesser.sign_in(f"someone{attempt}", "a guess at a password").status_code == 401
    assert guesser.sign_in(username, PASSWORD).status_code == 429
    assert Staff(webapp).sign_in(username, PASSWORD).status_code == 303


def test_an_address_a_client_writes_itself_is_not_believed(webapp, make_staff):
    """Only the entry the trusted proxy appended counts; what the client put before it is its claim."""
    backoff = console_settings().address_backoff
    guesser = Staff(webapp)
    for attempt in range(backoff.free_failures + 1):
        guesser.http.headers["X-Forwarded-For"] = f"192.0.2.{attempt}, {guesser.address}"
        assert guesser.sign_in(f"someone{attempt}", "a guess at a password").status_code == 401
    assert guesser.sign_in(make_staff(), PASSWORD).status_code == 429


def test_the_sign_in_form_needs_its_own_token(webapp, make_staff):
    """Login CSRF: a form posted from another site has neither the cookie nor the matching field."""
    username = make_staff()
    fresh = requests.post(webapp.url + "/frontdesk/login", allow_redirects=False, timeout=30,
                          data={"username": username, "password": PASSWORD})
    assert fresh.status_code == 403 and SESSION_COOKIE not in set_cookies(fresh)
    staff = Staff(webapp)
    staff.login_token()  # the cookie is set, but the field below is someone else's
    forged = staff.http.post(webapp.url + "/frontdesk/login", allow_redirects=False, timeout=30,
                             data={"username": username, "password": PASSWORD, "login_token": "forged"})
    assert forged.status_code == 403 and SESSION_COOKIE not in set_cookies(forged)


# -- no session, no console ------------------------------------------------------------------
def test_every_console_route_needs_a_session(webapp, db_url):
    item_id = add_item(db_url)
    routes = console_routes()
    paths = {canonical for _, canonical, _ in routes}
    # The routes the issue asks for are among them (and any route added later is checked too).
    assert {"/frontdesk/", "/frontdesk/items/{id}", "/frontdesk/api/items", "/frontdesk/api/items/{id}",
            "/frontdesk/api/items/{id}/claim", "/frontdesk/api/items/{id}/reply",
            "/frontdesk/api/items/{id}/handback", "/frontdesk/api/items/{id}/close", "/frontdesk/logout",
            "/frontdesk/api/items/{id}/acknowledge", "/frontdesk/api/follow-ups/{id}/done"} <= paths
    checked = 0
    for method, canonical, resource in routes:
        if canonical == "/frontdesk/login":
            continue
        url = webapp.url + url_of(resource, item_id)
        for cookies in ({}, {SESSION_COOKIE: "made-up-token"}):
            answer = requests.request(method, url, cookies=cookies, allow_redirects=False, timeout=10,
                                      json={"text": "hello"}, headers={"X-CSRF-Token": "x"})
            if "/api/" in canonical:
                assert answer.status_code == 401, (method, canonical)
                if method != "HEAD":
                    assert answer.json()["error"] == "not_signed_in"
            else:
                assert answer.status_code == 303, (method, canonical)
                assert answer.headers["Location"] == "/frontdesk/login"
            checked += 1
    assert checked >= 2 * 16
    assert item_row(db_url, item_id).status == "new"


def test_a_wrong_or_missing_csrf_token_is_refused_and_changes_nothing(webapp, db_url, make_staff, rasa):
    username = make_staff()
    staff = Staff(webapp)
    staff.sign_in(username)
    claimed = add_item(db_url, status="claimed", claimed_by=username)
    before = len(rasa.requests)
    posts = [(canonical, resource) for method, canonical, resource in console_routes()
             if method == "POST" and canonical != "/frontdesk/login"]
    assert len(posts) == 7
    for canonical, resource in posts:
        for token in (None, "wrong-" + (staff.csrf or "")[:10], ""):
            answer = staff.post(url_of(resource, claimed), json={"text": "hello"}, csrf=token)
            assert answer.status_code == 403, (canonical, token)
    row = item_row(db_url, claimed)
    assert (row.status, row.claimed_by, row.acknowledged_at) == ("claimed", username, None)
    assert len(rasa.requests) == before, "nothing reached Rasa"
    # The session was not signed out by the refused logout either.
    assert staff.get("/frontdesk/api/items").status_code == 200
    # A sign-out form with a wrong field is refused too.
    assert staff.http.post(webapp.url + "/frontdesk/logout", data={"csrf_token": "nope"}, allow_redirects=False,
                           timeout=10).status_code == 403
    assert staff.get("/frontdesk/api/items").status_code == 200


def test_an_expired_session_is_refused(webapp, make_staff):
    staff = Staff(webapp)
    staff.sign_in(make_staff())
    assert staff.get("/frontdesk/api/items").status_code == 200
    token = staff.http.cookies.get(SESSION_COOKIE, path="/frontdesk")
    with session_scope(webapp.database_url) as session:
        session.execute(update(StaffSession).where(StaffSession.token_hash == token_hash(token))
                        .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert staff.get("/frontdesk/api/items").status_code == 401
    page = staff.get("/frontdesk/")
    assert page.status_code == 303 and page.headers["Location"] == "/frontdesk/login"


def test_sign_out_makes_the_cookie_worthless(webapp, make_staff):
    staff = Staff(webapp)
    staff.sign_in(make_staff())
    token = staff.http.cookies.get(SESSION_COOKIE, path="/frontdesk")
    answer = staff.http.post(webapp.url + "/frontdesk/logout", data={"csrf_token": staff.csrf},
                             allow_redirects=False, timeout=10)
    assert answer.status_code == 303 and answer.headers["Location"] == "/frontdesk/login"
    cleared = SimpleCookie(set_cookies(answer)[SESSION_COOKIE])[SESSION_COOKIE]
    assert cleared.value == "" and cleared["max-age"] == "0"
    with session_scope(webapp.database_url) as session:
        assert session.execute(select(StaffSession).where(StaffSession.token_hash == token_hash(token))).first() is None
    replay = requests.get(webapp.url + "/frontdesk/api/items", cookies={SESSION_COOKIE: token}, timeout=10)
    assert replay.status_code == 401


def test_a_disabled_account_loses_its_session_at_once(webapp, make_staff):
    from intake.frontdesk.accounts import disable_account

    username = make_staff()
    staff = Staff(webapp)
    staff.sign_in(username)
    disable_account(username, database_url=webapp.database_url)
    assert staff.get("/frontdesk/api/items").status_code == 401
    assert staff.sign_in(username).status_code == 401


def _flags(header: str) -> dict:
    morsel = SimpleCookie(header)
    name = next(iter(morsel))
    parts = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    return {"name": name, "path": morsel[name]["path"], "samesite": morsel[name]["samesite"],
            "httponly": "httponly" in parts, "secure": "secure" in parts}


def test_cookie_flags(webapp, make_staff, workdir, db_url, rasa):
    username = make_staff()
    staff = Staff(webapp)
    login_form = staff.http.get(webapp.url + "/frontdesk/login", timeout=10)
    login_cookie = _flags(set_cookies(login_form)[LOGIN_COOKIE])
    assert login_cookie == {"name": LOGIN_COOKIE, "path": "/frontdesk", "samesite": "Strict", "httponly": True,
                            "secure": False}
    session_cookie = _flags(set_cookies(staff.sign_in(username))[SESSION_COOKIE])
    # INTAKE_COOKIE_SECURE=0 (plain http on localhost, as `make run` serves it): not Secure.
    assert session_cookie == {"name": SESSION_COOKIE, "path": "/frontdesk", "samesite": "Strict",
                              "httponly": True, "secure": False}
    # Without the override the configuration's `secure_cookie: true` holds.
    secure_app = start_webapp(workdir, db_url, rasa.url, rasa.token, {"INTAKE_COOKIE_SECURE": None})
    try:
        other = Staff(secure_app)
        login = other.http.get(secure_app.url + "/frontdesk/login", timeout=10)
        assert _flags(set_cookies(login)[LOGIN_COOKIE])["secure"]
        token = re.search(r'name="login_token" value="([^"]+)"', login.text).group(1)
        answer = requests.post(secure_app.url + "/frontdesk/login", allow_redirects=False, timeout=30,
                               cookies={LOGIN_COOKIE: token},
                               data={"username": username, "password": PASSWORD, "login_token": token})
        assert answer.status_code == 303
        assert _flags(set_cookies(answer)[SESSION_COOKIE]) == {
            "name": SESSION_COOKIE, "path": "/frontdesk", "samesite": "Strict", "httponly": True, "secure": True}
    finally:
        secure_app.stop()


def test_console_responses_are_not_cached_and_keep_the_content_security_policy(webapp, make_staff):
    staff = Staff(webapp)
    staff.sign_in(make_staff())
    for path in ("/frontdesk/", "/frontdesk/api/items", "/frontdesk/login"):
        answer = staff.get(path)
        assert answer.headers["Cache-Control"] == "no-store", path
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy
    page = staff.get("/frontdesk/").text
    assert "<script>" not in page and "style=" not in page and "<style" not in page
    assert '<script src="/static/console.js" defer></script>' in page


# -- user text is text -----------------------------------------------------------------------
def test_script_in_a_message_or_a_name_is_json_text_and_escaped_html(webapp, db_url, make_staff, rasa):
    conversation = "xss-" + uuid.uuid4().hex[:8]
    now = datetime.now(timezone.utc).timestamp()
    rasa.conversation(conversation, user_event(SCRIPT, now - 60, "request_human"),
                      bot_event(f"You said {SCRIPT}", now - 59, "utter_x"))
    item_id = add_item(db_url, conversation)
    with session_scope(db_url) as session:
        session.add(Booking(reference="XSS" + uuid.uuid4().hex[:5].upper(), conversation_id=conversation,
                            channel="socketio", full_name=SCRIPT, phone="+13105550100", email=None,
                            contact_method="call", visit_type="in_person",
                            slot_start=datetime(2030, 1, 7, 18, 0), slot_minutes=60, status="requested"))
    staff = Staff(webapp)
    staff.sign_in(make_staff())
    detail = staff.get(f"/frontdesk/api/items/{item_id}")
    assert detail.status_code == 200 and detail.headers["Content-Type"].startswith("application/json")
    texts = [line["text"] for line in detail.json()["transcript"]]
    assert SCRIPT in texts and f"You said {SCRIPT}" in texts
    assert detail.headers["X-Content-Type-Options"] == "nosniff"
    page = staff.get(f"/frontdesk/items/{item_id}")
    assert page.status_code == 200
    assert SCRIPT not in page.text and "<script>alert" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    # The summary card shows the booking's name: JSON text, escaped on the page as well.
    assert detail.json()["card"]["contact"]["name"] == SCRIPT
    assert {"label": "Name", "value": SCRIPT} in detail.json()["card_sections"][0]["rows"]
    assert page.text.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3
    queue = staff.get("/frontdesk/").text
    assert SCRIPT not in queue


def test_console_script_never_parses_text_as_html():
    from tests.support.stack import PROJECT_ROOT

    source = (PROJECT_ROOT / "intake" / "webapp" / "static" / "console.js").read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in source, sink
