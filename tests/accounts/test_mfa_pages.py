"""Two-factor authentication through the real pages: setting up an authenticator app, the
second step of a login (no session until it passes), wrong codes counting against the login's
lock, recovery codes shown once and each usable once, and the admin's login asking too."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.middleware import LOGIN_AT_SESSION_KEY
from tests.accounts.factories import LOOKALIKE_ADDRESS, LOOKALIKE_SPELLINGS, PASSWORD, customer
from tests.accounts.mfa_helpers import (
    authenticator_kinds,
    recovery_codes_activate,
    totp_activate,
    totp_code,
    wrong_code,
)

SECOND_STEP = "/auth/2fa/authenticate/"
LOCKED = "This login is locked for a while"


def _log_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": email, "password": password, **extra})


def _code(client, code: str):
    return client.post(SECOND_STEP, {"code": code})


def _logged_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


# --- Setting up an authenticator app ---------------------------------------------------------


def test_a_member_sets_up_an_authenticator_app_and_sees_the_recovery_codes_once(
    client, member_a, clock
):
    _log_in(client, member_a.email)
    # Changing a second factor first asks for the password again (allauth's reauthentication).
    ask = client.get("/auth/2fa/totp/activate/")
    assert ask["Location"] == "/auth/reauthenticate/?next=%2Fauth%2F2fa%2Ftotp%2Factivate%2F"
    client.post(ask["Location"], {"password": PASSWORD})
    page = client.get("/auth/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    assert 'src="data:image/svg+xml;base64,' in page.content.decode()  # the QR code

    wrong = client.post("/auth/2fa/totp/activate/", {"code": wrong_code(secret, clock.now)})
    assert wrong.status_code == 200
    assert authenticator_kinds(member_a) == set()

    done = client.post("/auth/2fa/totp/activate/", {"code": totp_code(secret, clock.now)})

    assert done.status_code == 302
    assert done["Location"] == "/auth/2fa/recovery-codes/"
    assert authenticator_kinds(member_a) == {"totp", "recovery_codes"}
    shown = client.get("/auth/2fa/recovery-codes/").context["unused_codes"]
    assert len(shown) == 10 and all(code.isdigit() for code in shown)
    # Shown once: the page never shows them again, and there is no download.
    again = client.get("/auth/2fa/recovery-codes/")
    assert again.context["unused_codes"] == ["****"] * 10
    assert shown[0] not in again.content.decode()
    assert client.get("/auth/2fa/recovery-codes/download/").status_code == 403


def test_the_profile_offers_a_customer_two_factor_authentication(client_for, member_a):
    page = client_for(member_a).get("/profile/").content.decode()

    assert "Set up two-factor authentication" in page
    assert 'href="/auth/2fa/"' in page


def test_the_profile_says_when_it_is_on(client_for, member_a):
    totp_activate(member_a)

    page = client_for(member_a).get("/profile/").content.decode()

    assert "Manage two-factor authentication" in page


# --- The second step of a login --------------------------------------------------------------


def test_the_password_alone_logs_no_one_in_who_has_a_second_factor(client, member_a, clock):
    secret = totp_activate(member_a)

    response = _log_in(client, member_a.email, next="/profile/")

    assert response.status_code == 302
    assert response["Location"] == SECOND_STEP
    assert _logged_in_as(client) is None
    assert client.get("/profile/")["Location"].startswith("/login/")
    assert client.get("/api/v1/me/").status_code == 401
    page = client.get(SECOND_STEP)
    assert page.status_code == 200
    assert 'name="code"' in page.content.decode()

    done = _code(client, totp_code(secret, clock.now))

    assert done.status_code == 302
    assert done["Location"] == "/profile/"  # where they were going
    assert _logged_in_as(client) == str(member_a.pk)


def test_a_code_is_good_for_one_login_only(client, member_a, clock):
    secret = totp_activate(member_a)
    code = totp_code(secret, clock.now)
    _log_in(client, member_a.email)
    _code(client, code)
    client.post("/logout/")

    _log_in(client, member_a.email)
    assert _code(client, code).status_code == 200  # the same code again, in the same period
    assert _logged_in_as(client) is None

    clock.next_period()
    assert _code(client, totp_code(secret, clock.now)).status_code == 302
    assert _logged_in_as(client) == str(member_a.pk)


def test_an_internal_users_session_limits_start_when_the_second_step_passes(
    client, account_manager_a, clock
):
    secret = totp_activate(account_manager_a)
    _log_in(client, account_manager_a.email)
    assert LOGIN_AT_SESSION_KEY not in client.session

    _code(client, totp_code(secret, clock.now))

    assert client.session["accounts_internal"] is True
    assert LOGIN_AT_SESSION_KEY in client.session


def test_the_second_step_without_a_password_goes_back_to_the_login(client, member_a):
    totp_activate(member_a)

    response = _code(client, "123456")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert _logged_in_as(client) is None


def test_the_admin_login_asks_for_the_second_factor_too(client, programme_admin, clock):
    secret = totp_activate(programme_admin)

    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": programme_admin.email, "password": PASSWORD, "next": "/admin/"},
    )

    assert response["Location"] == SECOND_STEP
    assert _logged_in_as(client) is None
    assert _code(client, totp_code(secret, clock.now))["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- Wrong codes and the lock ----------------------------------------------------------------


@pytest.fixture
def kristin(account_a):
    return customer(account_a, email=LOOKALIKE_ADDRESS, first_name="Kristin")


def test_five_wrong_codes_lock_the_login_even_for_the_right_code(client, member_a, clock):
    secret = totp_activate(member_a)
    _log_in(client, member_a.email)
    limit = settings.AXES_FAILURE_LIMIT

    answers = [_code(client, wrong_code(secret, clock.now)) for _ in range(limit)]

    assert [a.status_code for a in answers] == [200] * (limit - 1) + [429]
    assert "Incorrect code" in answers[0].content.decode()
    assert LOCKED in answers[-1].content.decode()
    assert AccessAttempt.objects.get(username=member_a.email).failures_since_start == limit
    # The right code is refused now, and so is the password, from a fresh browser too.
    assert _code(client, totp_code(secret, clock.now)).status_code != 302
    assert _logged_in_as(client) is None
    assert _log_in(Client(), member_a.email).status_code == 429


def test_wrong_passwords_and_wrong_codes_share_the_five_guesses(client, member_a, clock):
    secret = totp_activate(member_a)
    for _ in range(settings.AXES_FAILURE_LIMIT - 2):
        _log_in(client, member_a.email, "not the password")
    _log_in(client, member_a.email)
    assert _code(client, wrong_code(secret, clock.now)).status_code == 200

    response = _code(client, wrong_code(secret, clock.now))

    assert response.status_code == 429
    assert _log_in(Client(), member_a.email).status_code == 429


def test_wrong_codes_count_against_every_spelling_of_the_address(client, kristin, clock):
    secret = totp_activate(kristin)
    _log_in(client, LOOKALIKE_SPELLINGS[3])
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _code(client, wrong_code(secret, clock.now))

    for spelling in LOOKALIKE_SPELLINGS:
        assert _log_in(Client(), spelling).status_code == 429, spelling


def test_a_right_code_forgives_earlier_wrong_ones(client, member_a, clock):
    secret = totp_activate(member_a)
    _log_in(client, member_a.email)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _code(client, wrong_code(secret, clock.now))
    assert _code(client, totp_code(secret, clock.now)).status_code == 302
    client.post("/logout/")
    clock.next_period()

    _log_in(client, member_a.email)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _code(client, wrong_code(secret, clock.now)).status_code == 200
    assert _code(client, totp_code(secret, clock.now)).status_code == 302


# --- Recovery codes --------------------------------------------------------------------------


def test_a_recovery_code_logs_in_once(client, member_a, clock):
    totp_activate(member_a)
    codes = recovery_codes_activate(member_a)

    _log_in(client, member_a.email)
    assert _code(client, codes[4]).status_code == 302
    assert _logged_in_as(client) == str(member_a.pk)
    client.post("/logout/")

    _log_in(client, member_a.email)
    again = _code(client, codes[4])

    assert again.status_code == 200
    assert "Incorrect code" in again.content.decode()
    assert _logged_in_as(client) is None
    assert _code(client, codes[5]).status_code == 302  # another one still works


def test_wrong_recovery_codes_count_against_the_lock(client, member_a, clock):
    totp_activate(member_a)
    recovery_codes_activate(member_a)
    _log_in(client, member_a.email)

    answers = [_code(client, "00000000") for _ in range(settings.AXES_FAILURE_LIMIT)]

    assert answers[-1].status_code == 429


# --- Typing the password again before changing a second factor --------------------------------


def test_wrong_passwords_to_confirm_a_change_count_against_the_lock(client_for, member_a):
    client = client_for(member_a)  # a session whose password check is not recent
    assert client.get("/auth/2fa/totp/activate/")["Location"].startswith("/auth/reauthenticate/")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/auth/reauthenticate/", {"password": "not the password"})

    assert _log_in(Client(), member_a.email).status_code == 429


def test_the_password_again_opens_the_setup(client_for, member_a):
    client = client_for(member_a)

    response = client.post(
        "/auth/reauthenticate/?next=/auth/2fa/totp/activate/", {"password": PASSWORD}
    )

    assert response["Location"] == "/auth/2fa/totp/activate/"
    assert client.get("/auth/2fa/totp/activate/").status_code == 200
