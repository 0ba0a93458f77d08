"""Sessions and login, as an attacker would try them: the session id and the CSRF token change
at login; a logged-out cookie is dead; a password change or reset ends the other sessions;
internal users' sessions end after 30 idle minutes or 12 hours (accounts/middleware.py);
production cookies are Secure, HttpOnly and SameSite; and five wrong passwords lock a login even
when the guesses arrive all at once (PostgreSQL, threads)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.db import connection, connections
from django.test import Client, override_settings

from accounts.lockout import _ADVISORY_LOCK_CLASS
from accounts.middleware import (
    INTERNAL_SESSION_KEY,
    LOGIN_AT_SESSION_KEY,
    SEEN_AT_SESSION_KEY,
)
from accounts.models import User
from tests.accounts.factories import (
    LOOKALIKE_ADDRESS,
    LOOKALIKE_SPELLINGS,
    PASSWORD,
    UserFactory,
)
from tests.production_env import GOOD, ROOT, production_settings

NEW_PASSWORD = "quiet orchard lantern 7"
MINUTE = 60
HOUR = 60 * MINUTE
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _log_in(client, email: str, password: str = PASSWORD):
    return client.post("/login/", {"username": email, "password": password})


def _logged_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def _csrf_token(client, url: str) -> str:
    return _CSRF_INPUT.search(client.get(url).content.decode()).group(1)


def _age_session(client, **seconds_ago: int) -> None:
    """Move the session's recorded times into the past: login_at=…, seen_at=… seconds ago."""
    session = client.session
    keys = {"login_at": LOGIN_AT_SESSION_KEY, "seen_at": SEEN_AT_SESSION_KEY}
    for name, ago in seconds_ago.items():
        session[keys[name]] = int(time.time()) - ago
    session.save()


# --- Login rotates the session id and the CSRF token -------------------------------------------


def test_logging_in_gives_a_new_session_id_and_forgets_the_old_one(client, member_a):
    session = client.session  # an anonymous session an attacker could have planted
    session["planted"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value

    assert _log_in(client, member_a.email).status_code == 302

    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not SessionStore(session_key=before).exists(before)
    assert _logged_in_as(client) == str(member_a.pk)
    # The planted id is worth nothing: it is not a logged-in session.
    planted = Client()
    planted.cookies[settings.SESSION_COOKIE_NAME] = before
    assert planted.get("/")["Location"] == "/login/?next=/"


def test_logging_in_rotates_the_csrf_token_so_a_token_seen_before_is_refused(member_a):
    client = Client(enforce_csrf_checks=True)
    old_token = _csrf_token(client, "/login/")
    old_cookie = client.cookies[settings.CSRF_COOKIE_NAME].value

    response = client.post(
        "/login/",
        {"username": member_a.email, "password": PASSWORD, "csrfmiddlewaretoken": old_token},
    )

    assert response.status_code == 302
    assert client.cookies[settings.CSRF_COOKIE_NAME].value != old_cookie
    # A form carrying the token from before the login is refused, and changes nothing…
    refused = client.post("/profile/", {"first_name": "Eve", "csrfmiddlewaretoken": old_token})
    assert refused.status_code == 403
    member_a.refresh_from_db()
    assert member_a.first_name == "Alice"
    # …while the page's new token works.
    new_token = _csrf_token(client, "/profile/")
    accepted = client.post("/profile/", {"first_name": "Alicia", "csrfmiddlewaretoken": new_token})
    assert accepted.status_code == 302
    member_a.refresh_from_db()
    assert member_a.first_name == "Alicia"


# --- Logout, password change and reset end sessions ----------------------------------------


def test_a_logged_out_session_cookie_replayed_is_sent_to_the_login(client, member_a):
    _log_in(client, member_a.email)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.get("/").status_code == 200

    client.post("/logout/")

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/profile/"
    assert not SessionStore(session_key=stolen).exists(stolen)


def test_a_password_change_keeps_this_session_and_ends_the_others(member_a):
    laptop, phone = Client(), Client()
    _log_in(laptop, member_a.email)
    _log_in(phone, member_a.email)
    assert phone.get("/").status_code == 200

    response = laptop.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    member_a.refresh_from_db()
    assert member_a.check_password(NEW_PASSWORD)
    assert laptop.get("/").status_code == 200
    assert _logged_in_as(laptop) == str(member_a.pk)
    ended = phone.get("/")
    assert ended.status_code == 302
    assert ended["Location"] == "/login/?next=/"
    assert _logged_in_as(phone) is None


def test_a_password_reset_ends_every_session_of_the_person(member_a, admin_a):
    thief, colleague, owner = Client(), Client(), Client()
    _log_in(thief, member_a.email)
    _log_in(colleague, admin_a.email)

    owner.post("/password/reset/", {"email": member_a.email})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = owner.get(link, follow=True)
    done = owner.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done["Location"] == "/password/reset/done/"
    assert thief.get("/")["Location"] == "/login/?next=/"
    assert colleague.get("/").status_code == 200  # someone else's session is untouched


# --- Time limits of internal users' sessions ---------------------------------------------------


def test_the_limits_default_to_30_idle_minutes_and_12_hours():
    assert settings.SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS == 30 * MINUTE
    assert settings.SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS == 12 * HOUR
    assert settings.SESSION_COOKIE_AGE == 14 * 24 * HOUR


def test_logging_in_stamps_the_session_with_its_times(client, programme_admin, member_a):
    before = int(time.time())
    _log_in(client, programme_admin.email)

    session = client.session
    assert session[INTERNAL_SESSION_KEY] is True
    assert before <= session[LOGIN_AT_SESSION_KEY] <= int(time.time())
    assert session[SEEN_AT_SESSION_KEY] == session[LOGIN_AT_SESSION_KEY]
    # An internal session does not outlive the absolute limit, even in the cookie jar.
    assert session.get_expiry_age() == 12 * HOUR

    customer = Client()
    _log_in(customer, member_a.email)
    assert customer.session[INTERNAL_SESSION_KEY] is False
    assert customer.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_an_internal_user_idle_for_30_minutes_is_logged_out_with_a_message(
    client_for, account_manager_a
):
    client = client_for(account_manager_a)
    _age_session(client, seen_at=30 * MINUTE)

    response = client.get("/accounts/acme/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/acme/"
    assert _logged_in_as(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "You were logged out after 30 minutes without activity." in page
    # Logging in again takes them back to the page they were on.
    again = client.post(
        response["Location"], {"username": account_manager_a.email, "password": PASSWORD}
    )
    assert again["Location"] == "/accounts/acme/"


def test_an_internal_user_active_within_30_minutes_stays_and_the_clock_restarts(
    client_for, account_manager_a
):
    client = client_for(account_manager_a)
    _age_session(client, login_at=3 * HOUR, seen_at=29 * MINUTE)

    assert client.get("/accounts/acme/").status_code == 200

    seen_ago = int(time.time()) - client.session[SEEN_AT_SESSION_KEY]
    assert seen_ago <= 1
    assert client.session[LOGIN_AT_SESSION_KEY] <= int(time.time()) - 3 * HOUR


def test_the_last_seen_time_is_saved_at_most_once_a_minute(client_for, programme_admin):
    client = client_for(programme_admin)
    _age_session(client, seen_at=40)
    stamped = client.session[SEEN_AT_SESSION_KEY]

    client.get("/")
    assert client.session[SEEN_AT_SESSION_KEY] == stamped  # no session write for this page

    _age_session(client, seen_at=61)
    client.get("/")
    assert client.session[SEEN_AT_SESSION_KEY] >= int(time.time()) - 1


def test_an_internal_user_active_all_along_is_logged_out_12_hours_after_login(
    client_for, programme_admin
):
    client = client_for(programme_admin)
    _age_session(client, login_at=12 * HOUR, seen_at=2 * MINUTE)

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"
    assert _logged_in_as(client) is None
    page = client.get("/login/").content.decode()
    assert "You were logged out 12 hours after logging in." in page


def test_an_ended_session_stays_ended(client_for, product_manager):
    client = client_for(product_manager)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    _age_session(client, seen_at=HOUR)
    client.get("/")

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert replay.get("/")["Location"] == "/login/?next=/"
    assert not SessionStore(session_key=stolen).exists(stolen)


def test_an_expired_htmx_request_sends_the_whole_page_to_the_login(client_for, programme_admin):
    client = client_for(programme_admin)
    _age_session(client, seen_at=HOUR)

    response = client.get("/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/"
    assert _logged_in_as(client) is None


def test_an_expired_session_on_the_api_is_answered_as_anonymous(client_for, programme_admin):
    client = client_for(programme_admin)
    _age_session(client, seen_at=HOUR)

    response = client.get("/api/v1/me/")

    assert response.status_code in (401, 403)
    assert _logged_in_as(client) is None


def test_an_expired_session_cannot_post_a_form(client_for, programme_admin):
    client = client_for(programme_admin)
    _age_session(client, seen_at=HOUR)

    response = client.post("/profile/", {"first_name": "Mallory"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    programme_admin.refresh_from_db()
    assert programme_admin.first_name == "Ada"


@override_settings(
    SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS=10 * MINUTE,
    SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS=2 * HOUR,
)
def test_the_limits_come_from_settings(client_for, programme_admin):
    client = client_for(programme_admin)
    _age_session(client, seen_at=10 * MINUTE)
    assert client.get("/")["Location"] == "/login/?next=/"
    assert "after 10 minutes without activity" in client.get("/login/").content.decode()

    client.force_login(programme_admin)
    _age_session(client, login_at=2 * HOUR)
    assert client.get("/")["Location"] == "/login/?next=/"
    assert "logged out 2 hours after logging in" in client.get("/login/").content.decode()


@pytest.mark.parametrize("idle", [31 * MINUTE, 13 * HOUR, 13 * 24 * HOUR])
def test_a_customer_is_not_held_to_the_internal_limits(client_for, member_a, idle):
    client = client_for(member_a)
    _age_session(client, login_at=idle, seen_at=idle)

    assert client.get("/").status_code == 200
    assert _logged_in_as(client) == str(member_a.pk)


def test_a_session_from_before_the_limits_gets_them_from_its_next_request(
    client_for, programme_admin
):
    client = client_for(programme_admin)
    session = client.session
    for key in (LOGIN_AT_SESSION_KEY, SEEN_AT_SESSION_KEY, INTERNAL_SESSION_KEY):
        del session[key]
    session.save()

    assert client.get("/").status_code == 200

    assert client.session[INTERNAL_SESSION_KEY] is True
    _age_session(client, seen_at=30 * MINUTE)
    assert client.get("/")["Location"] == "/login/?next=/"


def test_an_internal_user_logged_in_through_the_admin_has_the_same_limits(programme_admin):
    client = Client()
    client.post("/admin/login/", {"username": programme_admin.email, "password": PASSWORD})
    assert client.get("/admin/").status_code == 200
    _age_session(client, seen_at=30 * MINUTE)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


# --- Production cookies ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def production():
    return production_settings()


def test_production_cookies_are_secure_http_only_and_same_site(production):
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SAMESITE"] == "Lax"


def test_a_login_under_production_settings_sets_cookies_with_those_flags(production, member_a):
    cookie_settings = {k: v for k, v in production.items() if k.startswith(("SESSION_C", "CSRF"))}
    with override_settings(**cookie_settings):
        client = Client()
        client.get("/login/", secure=True)
        response = client.post(
            "/login/", {"username": member_a.email, "password": PASSWORD}, secure=True
        )

    assert response.status_code == 302
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        cookie = response.cookies[name]
        assert cookie["secure"] is True, name
        assert cookie["httponly"] is True, name
        assert cookie["samesite"] == "Lax", name


def test_the_session_limits_are_read_from_the_environment_and_typed():
    limits = production_settings(
        SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS="900",
        SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS="28800",
    )
    assert limits["SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS"] == 900
    assert limits["SESSION_ABSOLUTE_TIMEOUT_INTERNAL_SECONDS"] == 28800

    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **GOOD, "SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS": "30m"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SESSION_IDLE_TIMEOUT_INTERNAL_SECONDS='30m' is not a whole number" in result.stderr


# --- Brute force: five wrong passwords lock the login, even all at once ---------------------


@pytest.fixture
def password_checks(monkeypatch):
    """Counts the password checks (for any user) and makes each take 0.2 s, so that attempts
    sent at the same moment really overlap."""
    checks: list[bool] = []
    lock = threading.Lock()
    check_password = User.check_password

    def slow_check_password(user, raw_password):
        time.sleep(0.2)
        result = check_password(user, raw_password)
        with lock:
            checks.append(result)
        return result

    monkeypatch.setattr(User, "check_password", slow_check_password)
    return checks


def _attempts_at_once(email: str | list[str], passwords: list[str]) -> list[int]:
    """One thread per password, each its own browser (own IP address and user agent), all
    posting to the login at the same moment; returns the status codes. `email` may be one
    spelling of the address per password."""
    start = threading.Barrier(len(passwords))
    statuses: list[int] = [0] * len(passwords)
    emails = email if isinstance(email, list) else [email] * len(passwords)

    def attempt(index: int, password: str) -> None:
        try:
            client = Client(REMOTE_ADDR=f"10.0.0.{index + 1}", HTTP_USER_AGENT=f"bot/{index}")
            start.wait()
            statuses[index] = client.post(
                "/login/", {"username": emails[index], "password": password}
            ).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=pair) for pair in enumerate(passwords)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_wrong_passwords_sent_all_at_once_are_checked_at_most_five_times(password_checks):
    user = UserFactory(email="target@acme.example")

    statuses = _attempts_at_once(user.email, [f"guess {n}" for n in range(12)])

    limit = settings.AXES_FAILURE_LIMIT
    assert len(password_checks) <= limit  # the other guesses were never even tried
    assert sorted(statuses) == [200] * (limit - 1) + [429] * (12 - limit + 1)
    recorded = sum(
        a.failures_since_start for a in AccessAttempt.objects.filter(username=user.email)
    )
    assert recorded >= limit
    # The right password now finds the login locked.
    response = _log_in(Client(), user.email)
    assert response.status_code == 429
    assert len(password_checks) <= limit


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_guesses_at_once_under_look_alike_spellings_are_checked_at_most_five_times(
    password_checks,
):
    """PostgreSQL's upper() folds ı and ſ: every spelling finds the same person, and every
    spelling waits for that person's one turn and counts towards their one lock."""
    UserFactory(email=LOOKALIKE_ADDRESS)
    spellings = LOOKALIKE_SPELLINGS[:12]

    statuses = _attempts_at_once(spellings, [f"guess {n}" for n in range(12)])

    limit = settings.AXES_FAILURE_LIMIT
    assert len(password_checks) <= limit
    assert sorted(statuses) == [200] * (limit - 1) + [429] * (12 - limit + 1)
    assert _log_in(Client(), LOOKALIKE_SPELLINGS[-1]).status_code == 429


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_after_four_wrong_passwords_gets_one_more_try_not_a_sixth(password_checks):
    user = UserFactory(email="target@acme.example")
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit - 1):
        assert _log_in(Client(), user.email, f"old guess {n}").status_code == 200
    password_checks.clear()

    statuses = _attempts_at_once(user.email, [f"guess {n}" for n in range(10)])

    assert password_checks == [False]  # the fifth try; the other nine were refused unchecked
    assert statuses == [429] * 10
    assert _log_in(Client(), user.email).status_code == 429
    assert password_checks == [False]


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_an_attempt_waits_a_bounded_time_for_its_turn_then_is_told_to_try_again():
    """A flood of guesses for one login cannot queue up web workers: while another attempt
    holds the login's turn, the next one waits LOGIN_LOCK_WAIT_SECONDS at most."""
    user = UserFactory(email="target@acme.example")
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_lock(%s, hashtext(%s))", [_ADVISORY_LOCK_CLASS, user.email]
            )
        client = Client()
        started = time.monotonic()
        with override_settings(LOGIN_LOCK_WAIT_SECONDS=1):
            response = _log_in(client, user.email)
        waited = time.monotonic() - started
        assert response.status_code == 200
        assert "Too many sign-in attempts for this email" in response.content.decode()
        assert _logged_in_as(client) is None
        assert 1 <= waited < 4
        # Another login does not wait at all.
        other = UserFactory(email="other@acme.example")
        assert _log_in(Client(), other.email).status_code == 302
    finally:
        holder.close()  # ends the holder's session, and its lock with it
    assert _log_in(Client(), user.email).status_code == 302
