"""Invitation pages: invite a colleague, withdraw an invitation, accept the link from the email."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, MemberRole, Membership, User
from tests.accounts.factories import InvitationFactory, UserFactory

NEW_PASSWORD = "blue meadow tulip 42"


def _accept_path(message) -> str:
    """The path of the accept link in an invitation email, without SITE_URL."""
    match = re.search(r"^(\S+/invitations/accept/[^/\s]+/)$", message.body, re.MULTILINE)
    assert match, message.body
    url = match.group(1)
    assert url.startswith(settings.SITE_URL)
    return url.removeprefix(settings.SITE_URL)


def _join(client, path: str, **fields):
    data = {
        "first_name": "Nina",
        "last_name": "Neu",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    } | fields
    return client.post(path, data)


@pytest.fixture
def invitation(account_a, admin_a):
    return services.invitation_create(
        account=account_a, email="nina@acme.example", invited_by=admin_a
    )


# --- Inviting --------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "account_manager_a", "programme_admin"])
def test_the_admins_and_account_team_open_the_invite_form(request, client_for, account_a, persona):
    response = client_for(request.getfixturevalue(persona)).get("/accounts/acme/invite/")

    assert response.status_code == 200
    assert "Invite a colleague to Acme Industrial" in response.content.decode()


def test_the_admin_invites_a_colleague_who_gets_an_email_with_the_link(
    client_for, admin_a, django_capture_on_commit_callbacks
):
    client = client_for(admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/acme/invite/", {"email": "Nina@ACME.example", "role": "member"}
        )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/acme/"
    invitation = Invitation.objects.get()
    assert invitation.account.slug == "acme"
    assert invitation.email == "nina@acme.example"
    assert invitation.role == MemberRole.MEMBER
    assert invitation.invited_by == admin_a
    assert invitation.sent_at is not None
    assert invitation.status == "pending"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@acme.example"]
    assert message.subject == "You are invited to Acme Industrial on Customer Garden"
    assert "Anna" in message.body
    assert _accept_path(message) == invitation.get_accept_url()
    page = client.get("/accounts/acme/").content.decode()
    assert "Invitation sent to nina@acme.example." in page
    assert "nina@acme.example" in page.split('<h2 id="invitations">Open invitations</h2>')[1]


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("not-an-email", "Enter a valid email address."),
        ("", "This field is required."),
        ("anna@acme.example", "This person is already a member of Acme Industrial."),
    ],
)
def test_a_bad_address_is_a_form_error_and_invites_no_one(
    client_for, admin_a, member_b, django_capture_on_commit_callbacks, email, error
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_a).post(
            "/accounts/acme/invite/", {"email": email, "role": "member"}
        )

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    "email",
    [
        "alıce@acme.example",  # dotless ı: PostgreSQL's upper() makes it Alice's address
        "ſam@acme.example",  # long ſ
        "nina@ａｃｍｅ.example",  # full-width letters
        "KRıSTIN@Acme.Example",  # mixed case and a look-alike
    ],
)
def test_an_address_with_look_alike_letters_is_a_form_error_and_invites_no_one(
    client_for, admin_a, member_a, django_capture_on_commit_callbacks, email
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_a).post(
            "/accounts/acme/invite/", {"email": email, "role": "member"}
        )

    assert response.status_code == 400
    assert "Type this address in plain letters" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_second_open_invitation_to_one_address_is_a_form_error(
    client_for, admin_a, invitation, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_a).post(
            "/accounts/acme/invite/", {"email": "nina@acme.example", "role": "admin"}
        )

    assert response.status_code == 400
    assert "already has an open invitation" in response.content.decode()
    assert list(Invitation.objects.all()) == [invitation]
    assert mail.outbox == []


def test_anonymous_visitors_are_sent_to_login_from_the_invite_page(client, account_a):
    assert client.get("/accounts/acme/invite/")["Location"] == "/login/?next=/accounts/acme/invite/"
    response = client.post("/accounts/acme/invite/", {"email": "eve@example.com", "role": "admin"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("member_a", "acme", 403),  # a member who is not the admin
        ("product_manager", "acme", 403),  # sees every account, manages none
        ("member_b", "acme", 404),  # another account's customer
        ("admin_b", "acme", 404),  # another account's admin
        ("account_manager_a", "globex", 404),  # an account not assigned to them
    ],
)
def test_outsiders_cannot_invite(
    request,
    client_for,
    account_a,
    account_b,
    django_capture_on_commit_callbacks,
    persona,
    slug,
    status,
):
    client = client_for(request.getfixturevalue(persona))

    with django_capture_on_commit_callbacks(execute=True):
        shown = client.get(f"/accounts/{slug}/invite/")
        sent = client.post(
            f"/accounts/{slug}/invite/", {"email": "eve@example.com", "role": "admin"}
        )

    assert shown.status_code == status
    assert sent.status_code == status
    assert not Invitation.objects.exists()
    assert mail.outbox == []


# --- Withdrawing -----------------------------------------------------------------------------


def test_the_admin_withdraws_an_invitation_and_its_link_stops_working(
    client, client_for, admin_a, invitation
):
    link = invitation.get_accept_url()

    response = client_for(admin_a).post(f"/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/acme/"
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    client.logout()
    shown = client.get(link)
    assert shown.status_code == 410
    assert "This invitation was withdrawn." in shown.content.decode()


def test_the_account_page_lists_only_open_invitations(client_for, account_a, admin_a):
    for email in ("open@acme.example", "used@acme.example", "withdrawn@acme.example"):
        services.invitation_create(account=account_a, email=email, invited_by=admin_a)
    InvitationFactory(
        account=account_a, email="expired@acme.example", expires_at=timezone.now() - timedelta(1)
    )
    services.invitation_accept(
        token=Invitation.objects.get(email="used@acme.example").token,
        first_name="Uma",
        last_name="",
        password=NEW_PASSWORD,
    )
    services.invitation_revoke(invitation=Invitation.objects.get(email="withdrawn@acme.example"))

    page = client_for(admin_a).get("/accounts/acme/").content.decode()

    open_invitations = page.split('<h2 id="invitations">Open invitations</h2>')[1]
    assert "open@acme.example" in open_invitations
    for email in ("used@acme.example", "withdrawn@acme.example", "expired@acme.example"):
        assert email not in open_invitations


def test_an_invitation_whose_email_failed_says_so_to_the_admin_and_to_staff_with_the_reason(
    client_for, invitation, admin_a, programme_admin
):
    services.invitation_send_failed(
        invitation_id=invitation.pk, error=ValueError("Invalid address; only one allowed")
    )

    page = client_for(admin_a).get("/accounts/acme/").content.decode()
    open_invitations = page.split('<h2 id="invitations">Open invitations</h2>')[1]
    assert "nina@acme.example" in open_invitations
    assert "the email could not be sent" in open_invitations
    assert "Invalid address" not in page  # the reason is for staff
    listed = client_for(programme_admin).get(
        "/admin/accounts/invitation/", {"send_failed_at__isempty": "0"}
    )
    assert listed.status_code == 200
    assert "ValueError: Invalid address; only one allowed" in listed.content.decode()


def test_an_expired_invitation_is_replaced_by_a_new_one(
    client_for, account_a, admin_a, django_capture_on_commit_callbacks
):
    old = InvitationFactory(
        account=account_a, email="nina@acme.example", expires_at=timezone.now() - timedelta(1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_a).post(
            "/accounts/acme/invite/", {"email": "nina@acme.example", "role": "member"}
        )

    assert response.status_code == 302
    old.refresh_from_db()
    assert old.status == "revoked"
    new = Invitation.objects.exclude(pk=old.pk).get()
    assert new.status == "pending"
    assert _accept_path(mail.outbox[0]) == new.get_accept_url()


def test_an_accepted_invitation_cannot_be_withdrawn(client_for, admin_a, invitation):
    services.invitation_accept(
        token=invitation.token, first_name="Nina", last_name="", password=NEW_PASSWORD
    )

    response = client_for(admin_a).post(f"/invitations/{invitation.pk}/revoke/", follow=True)

    assert "This invitation was already accepted." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_withdrawing_needs_a_post(client_for, admin_a, invitation):
    response = client_for(admin_a).get(f"/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 405
    invitation.refresh_from_db()
    assert invitation.status == "pending"


@pytest.mark.parametrize(
    "persona",
    [
        # Only those who manage an account's people see its invitations (accounts.access), so
        # for everyone else an invitation does not exist: 404 even for a fellow member of Acme.
        "member_a",
        "product_manager",
        "member_b",
        "admin_b",
    ],
)
def test_outsiders_cannot_withdraw_invitations(request, client_for, invitation, persona):
    response = client_for(request.getfixturevalue(persona)).post(
        f"/invitations/{invitation.pk}/revoke/"
    )

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_an_account_manager_cannot_withdraw_invitations_of_other_accounts(
    client_for, account_manager_a, admin_b
):
    theirs = services.invitation_create(
        account=admin_b.membership.account, email="eve@globex.example", invited_by=admin_b
    )

    response = client_for(account_manager_a).post(f"/invitations/{theirs.pk}/revoke/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"


def test_anonymous_visitors_cannot_withdraw_invitations(client, invitation):
    response = client.post(f"/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    invitation.refresh_from_db()
    assert invitation.status == "pending"


# --- Accepting -------------------------------------------------------------------------------


def test_an_invited_colleague_joins_through_the_link_and_lands_in_their_account(
    client, client_for, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_a).post(
            "/accounts/acme/invite/", {"email": "nina@acme.example", "role": "member"}
        )
    client.logout()
    link = _accept_path(mail.outbox[0])

    shown = client.get(link)
    joined = _join(client, link)

    assert shown.status_code == 200
    assert "Join Acme Industrial on Customer Garden" in shown.content.decode()
    assert "nina@acme.example" in shown.content.decode()
    assert joined.status_code == 302
    assert joined["Location"] == "/accounts/acme/"
    nina = User.objects.get(email="nina@acme.example")
    assert (nina.first_name, nina.last_name) == ("Nina", "Neu")
    assert nina.check_password(NEW_PASSWORD)
    assert nina.membership.account.slug == "acme"
    assert nina.membership.role == MemberRole.MEMBER
    invitation = Invitation.objects.get()
    assert invitation.status == "accepted" and invitation.accepted_by == nina
    assert client.session[SESSION_KEY] == str(nina.pk)
    page = client.get("/accounts/acme/").content.decode()
    assert "Welcome to Acme Industrial on Customer Garden!" in page
    assert "Nina Neu" in page


def test_an_invitation_as_admin_makes_the_colleague_an_admin(client, account_a, admin_a):
    invitation = services.invitation_create(
        account=account_a, email="nina@acme.example", invited_by=admin_a, role=MemberRole.ADMIN
    )

    _join(client, invitation.get_accept_url())

    assert Membership.objects.get(user__email="nina@acme.example").role == MemberRole.ADMIN


def test_a_used_link_says_so_clearly_instead_of_failing(client, invitation):
    link = invitation.get_accept_url()
    _join(client, link)
    client.logout()

    shown = client.get(link)
    again = _join(client, link, first_name="Mallory")

    for response in (shown, again):
        assert response.status_code == 410
        assert "This invitation link has already been used. Log in instead." in (
            response.content.decode()
        )
    assert User.objects.filter(email="nina@acme.example").count() == 1
    assert not User.objects.filter(first_name="Mallory").exists()


def test_an_expired_link_says_so(client, account_a):
    expired = InvitationFactory(
        account=account_a, email="nina@acme.example", expires_at=timezone.now() - timedelta(hours=1)
    )

    shown = client.get(expired.get_accept_url())
    sent = _join(client, expired.get_accept_url())

    for response in (shown, sent):
        assert response.status_code == 410
        assert "This invitation link has expired." in response.content.decode()
    assert not User.objects.filter(email="nina@acme.example").exists()


def test_a_withdrawn_link_says_so(client, invitation):
    services.invitation_revoke(invitation=invitation)

    response = _join(client, invitation.get_accept_url())

    assert response.status_code == 410
    assert "This invitation was withdrawn." in response.content.decode()
    assert not User.objects.filter(email="nina@acme.example").exists()


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "eyJhIjoxfQ:1tXyZ:not-a-signature",
        signing.Signer(salt=Invitation.TOKEN_SALT).sign_object(
            987654
        ),  # well signed, no such invitation
        signing.Signer(salt=Invitation.TOKEN_SALT).sign_object(
            "1"
        ),  # well signed, not a primary key
    ],
    # Fixed ids: signed tokens carry a timestamp, and pytest-xdist workers must collect alike.
    ids=["garbage", "bad-signature", "no-such-invitation", "not-a-primary-key"],
)
def test_a_broken_link_says_so(client, invitation, token):
    response = client.get(f"/invitations/accept/{token}/")

    assert response.status_code == 410
    assert "This invitation link is not valid." in response.content.decode()


def test_a_link_signed_for_something_else_is_not_an_invitation(client, invitation):
    token = signing.Signer(salt="some.other.purpose").sign_object(invitation.pk)

    response = _join(client, f"/invitations/accept/{token}/")

    assert response.status_code == 410
    assert not User.objects.filter(email="nina@acme.example").exists()


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"password2": "a different password 42"}, "The two passwords differ."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "83920174", "password2": "83920174"}, "This password is entirely numeric."),
        ({"password1": "tulip", "password2": "tulip"}, "This password is too short."),
        (
            {"password1": "nina@acme.example1", "password2": "nina@acme.example1"},
            "The password is too similar to the email address.",
        ),
        ({"first_name": ""}, "This field is required."),
    ],
)
def test_a_bad_password_or_missing_name_is_a_form_error_and_creates_no_one(
    client, invitation, fields, error
):
    response = _join(client, invitation.get_accept_url(), **fields)

    assert response.status_code == 400
    assert error in response.content.decode()
    assert not User.objects.filter(email="nina@acme.example").exists()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert SESSION_KEY not in client.session


def test_a_logged_in_person_is_asked_to_log_out_first(client_for, member_b, invitation):
    response = _join(client_for(member_b), invitation.get_accept_url())

    assert response.status_code == 409
    assert "Log out first" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert Membership.objects.get(user=member_b).account.slug == "globex"


def test_an_old_invitation_to_a_look_alike_address_makes_no_login(client, account_a, admin_a):
    invitation = InvitationFactory(account=account_a, email="nına@acme.example", invited_by=admin_a)

    response = _join(client, invitation.get_accept_url())

    assert response.status_code == 410
    assert "look-alike letters" in response.content.decode()
    assert not User.objects.filter(email__startswith="n").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_link_for_an_address_that_got_a_login_meanwhile_is_refused_and_left_open(
    client, invitation
):
    UserFactory(email="nina@acme.example")

    response = _join(client, invitation.get_accept_url())

    assert response.status_code == 410
    assert "already has a login" in response.content.decode()
    assert User.objects.filter(email="nina@acme.example").count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # the claim was rolled back with the failure
