"""Logging in through the real form, the lock-out after five wrong passwords (django-axes),
logging out, and changing or resetting a password."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client

from accounts import services
from tests.accounts.factories import (
    LOOKALIKE_ADDRESS,
    LOOKALIKE_SPELLINGS,
    PASSWORD,
    customer,
)

LOCKED = "This login is locked for a while"
WRONG = "That email and password do not match."
NEW_PASSWORD = "quiet orchard lantern 7"


def _log_in(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/login/", {"username": email, "password": password, **extra})


def _logged_in_as(client) -> str | None:
    return client.session.get(SESSION_KEY)


def _lock(client, email: str) -> None:
    """Five wrong passwords: the first four are refused, the fifth locks the login."""
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _log_in(client, email, "not the password").status_code == 200
    assert _log_in(client, email, "not the password").status_code == 429


def test_the_login_page_asks_for_an_email_and_a_password(client, db):
    response = client.get("/login/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'type="email" name="username"' in page
    assert 'type="password" name="password"' in page
    assert 'href="/password/reset/"' in page


def test_a_member_logs_in_with_email_and_password(client, member_a):
    response = _log_in(client, "alice@acme.example")

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in_as(client) == str(member_a.pk)
    assert "Acme Industrial" in client.get("/").content.decode()


def test_the_email_is_matched_whatever_its_case(client, member_a):
    _log_in(client, "  Alice@ACME.example ")

    assert _logged_in_as(client) == str(member_a.pk)


def test_a_wrong_password_is_refused_with_a_clear_message(client, member_a):
    response = _log_in(client, member_a.email, "not the password")

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert _logged_in_as(client) is None


def test_five_wrong_passwords_lock_the_login_even_for_the_right_password(client, member_a):
    _lock(client, member_a.email)

    response = _log_in(client, member_a.email, PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "even with the right password" in page
    assert "Try again in 15 minutes" in page
    assert 'href="/password/reset/"' in page
    assert _logged_in_as(client) is None
    assert AccessAttempt.objects.get(username="alice@acme.example").failures_since_start >= 5


def test_changing_the_case_of_the_email_neither_dodges_nor_splits_the_lock(client, member_a):
    for email in ["ALICE@acme.example", "alice@ACME.example", "Alice@Acme.Example"]:
        _log_in(client, email, "not the password")
    for email in ["alice@acme.example", "aLiCe@acme.example"]:
        _log_in(client, email, "not the password")

    response = _log_in(client, "ALICE@ACME.EXAMPLE", PASSWORD)

    assert response.status_code == 429
    assert _logged_in_as(client) is None


# --- Look-alike spellings: one login, one lock (accounts.addresses) ---------------------------


@pytest.fixture
def kristin(account_a):
    return customer(account_a, email=LOOKALIKE_ADDRESS, first_name="Kristin")


def test_sixteen_spellings_of_one_address_share_its_five_guesses(client, kristin):
    limit = settings.AXES_FAILURE_LIMIT
    guesses = [_log_in(Client(), spelling, "not the password") for spelling in LOOKALIKE_SPELLINGS]

    assert [r.status_code for r in guesses] == [200] * (limit - 1) + [429] * (16 - limit + 1)
    # The right password, under any spelling, finds the login locked.
    for spelling in LOOKALIKE_SPELLINGS:
        assert _log_in(Client(), spelling).status_code == 429, spelling
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [LOOKALIKE_ADDRESS]


def test_a_look_alike_spelling_is_the_same_login(kristin):
    for spelling in ["kristin.siska@ａｃｍｅ.example", "Krıſtın.Sıſka@Acme.Example"]:
        client = Client()

        assert _log_in(client, spelling).status_code == 302, spelling
        assert _logged_in_as(client) == str(kristin.pk)


def test_spellings_of_an_address_nobody_has_share_one_lock_too(client, db):
    spellings = [
        "sam.nobody@acme.example",
        "SAM.NOBODY@ａｃｍｅ.example",
        "ſam.nobody@acme.example",
    ]

    statuses = [_log_in(Client(), s, "not the password").status_code for s in spellings * 2]

    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429, 429]
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == [
        "sam.nobody@acme.example"
    ]


def test_a_password_reset_lifts_the_lock_of_every_spelling(client, kristin):
    for spelling in LOOKALIKE_SPELLINGS[: settings.AXES_FAILURE_LIMIT]:
        _log_in(Client(), spelling, "not the password")
    client.post("/password/reset/", {"email": LOOKALIKE_ADDRESS})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert _log_in(Client(), "krıstin.siska@acme.example", NEW_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.exists()


def test_the_lock_is_per_login_so_colleagues_on_the_same_network_still_log_in(
    client, member_a, admin_a
):
    _lock(client, member_a.email)

    response = _log_in(Client(), admin_a.email)  # same test IP address, another login

    assert response.status_code == 302


def test_the_lock_lifts_after_the_cool_off_time(client, member_a):
    _lock(client, member_a.email)
    # Let the cool-off time pass for the recorded failures.
    attempt = AccessAttempt.objects.get(username=member_a.email)
    AccessAttempt.objects.filter(pk=attempt.pk).update(
        attempt_time=attempt.attempt_time - settings.AXES_COOLOFF_TIME
    )

    response = _log_in(client, member_a.email)

    assert response.status_code == 302
    assert _logged_in_as(client) == str(member_a.pk)


def test_a_successful_login_forgives_earlier_wrong_passwords(client, member_a):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, member_a.email, "not the password")
    assert _log_in(client, member_a.email).status_code == 302
    client.post("/logout/")

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, member_a.email, "not the password")
    response = _log_in(client, member_a.email)

    assert response.status_code == 302


def test_wrong_passwords_on_the_admin_login_count_towards_the_same_lock(client, member_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/", {"username": member_a.email, "password": "not the password"})

    response = _log_in(client, member_a.email)

    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_a_password_reset_lifts_the_lock(client, member_a):
    _lock(client, member_a.email)
    client.post("/password/reset/", {"email": member_a.email})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    response = _log_in(client, member_a.email, NEW_PASSWORD)

    assert response.status_code == 302
    assert _logged_in_as(client) == str(member_a.pk)
    assert not AccessAttempt.objects.filter(username=member_a.email).exists()


def test_a_password_reset_lifts_no_one_elses_lock(client, member_a, admin_a):
    _lock(client, admin_a.email)
    _lock(client, member_a.email)
    client.post("/password/reset/", {"email": member_a.email})
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert _log_in(client, admin_a.email).status_code == 429


def test_a_removed_member_cannot_log_in(client, admin_a, member_a):
    services.membership_remove(membership=member_a.membership)

    response = _log_in(client, member_a.email)

    assert response.status_code == 200
    assert WRONG in response.content.decode()
    assert _logged_in_as(client) is None


def test_login_follows_next_but_never_off_site(client, member_a):
    assert _log_in(client, member_a.email, next="/profile/")["Location"] == "/profile/"
    client.post("/logout/")

    response = _log_in(client, member_a.email, next="https://evil.example/")

    assert response["Location"] == "/"


def test_a_logged_in_person_opening_the_login_page_goes_home(client_for, member_a):
    response = client_for(member_a).get("/login/")

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_logging_out_takes_a_post(client_for, member_a):
    client = client_for(member_a)

    assert client.get("/logout/").status_code == 405
    assert _logged_in_as(client) == str(member_a.pk)

    response = client.post("/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert _logged_in_as(client) is None
    assert client.get("/").status_code == 302


# --- Passwords -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login_from_the_password_change(client, member_a):
    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    member_a.refresh_from_db()
    assert member_a.check_password(PASSWORD)


def test_a_member_changes_their_password_and_stays_logged_in(client, member_a):
    _log_in(client, member_a.email)

    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/password/change/done/"
    member_a.refresh_from_db()
    assert member_a.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200
    fresh = Client()
    assert _log_in(fresh, member_a.email, PASSWORD).status_code == 200
    assert _log_in(fresh, member_a.email, NEW_PASSWORD).status_code == 302


def test_a_wrong_old_password_changes_nothing(client_for, member_a):
    response = client_for(member_a).post(
        "/password/change/",
        {
            "old_password": "not the password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "Your old password was entered incorrectly." in response.content.decode()
    member_a.refresh_from_db()
    assert member_a.check_password(PASSWORD)


def test_a_password_reset_emails_a_link_that_sets_a_new_password(client, member_a):
    response = client.post("/password/reset/", {"email": "Alice@acme.example"})

    assert response.status_code == 302
    assert response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@acme.example"]
    link = re.search(r"http://testserver(/password/reset/\S+/)", mail.outbox[0].body).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done["Location"] == "/password/reset/done/"
    member_a.refresh_from_db()
    assert member_a.check_password(NEW_PASSWORD)
    # The link works once.
    again = client.get(link, follow=True)
    assert "This reset link is not valid any more" in again.content.decode()


def test_a_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client, db):
    response = client.post("/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response["Location"] == "/password/reset/sent/"
    assert mail.outbox == []


@pytest.mark.parametrize("url", ["/password/reset/", "/password/reset/sent/", "/login/"])
def test_the_password_pages_open_without_login(client, db, url):
    assert client.get(url).status_code == 200
