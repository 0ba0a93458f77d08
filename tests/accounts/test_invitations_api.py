"""/api/v1/invitations/: inviting people to an account, and withdrawing invitations.

Only those who may manage an account's people see its invitations: its admins, its account
team and programme admins.
Anonymous callers get 401 with `WWW-Authenticate: Token`: token authentication comes first,
and DRF answers 401 when the first authentication class names a challenge.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Invitation, MemberRole
from tests.accounts.factories import AccountFactory, InvitationFactory
from tests.api_helpers import api_error, api_login

INVITATIONS = "/api/v1/invitations/"


def _url(invitation: Invitation, action: str = "") -> str:
    return f"{INVITATIONS}{invitation.pk}/{action}"


def _emails(response) -> list[str]:
    return [row["email"] for row in response.json()["results"]]


@pytest.fixture
def acme_invitation(admin_a):
    return InvitationFactory(
        account=admin_a.membership.account, email="new@acme.example", invited_by=admin_a
    )


@pytest.fixture
def globex_invitation(admin_b):
    return InvitationFactory(
        account=admin_b.membership.account, email="new@globex.example", invited_by=admin_b
    )


# --- Who sees which invitations ---------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "account_manager_a", "programme_admin"])
def test_the_people_who_manage_acme_see_its_invitations(
    api, request, persona, acme_invitation, globex_invitation
):
    caller = request.getfixturevalue(persona)
    api_login(api, caller)

    response = api.get(INVITATIONS, {"account": "acme"})

    assert response.status_code == 200
    assert _emails(response) == ["new@acme.example"]
    row = response.json()["results"][0]
    assert (row["account"], row["status"], row["invited_by"]["email"]) == (
        "acme",
        "pending",
        "anna@acme.example",
    )
    assert api.get(_url(acme_invitation)).status_code == 200


def test_an_account_admin_lists_no_other_accounts_invitations(
    api, admin_a, acme_invitation, globex_invitation
):
    api_login(api, admin_a)

    assert _emails(api.get(INVITATIONS)) == ["new@acme.example"]
    # Filtered by an account they cannot see: 404, as the account itself
    # (tests/test_foreign_account_filters.py)
    assert api.get(INVITATIONS, {"account": "globex"}).status_code == 404


@pytest.mark.parametrize("persona", ["member_a", "product_manager"])
def test_people_who_may_not_manage_an_account_see_no_invitations_at_all(
    api, request, persona, acme_invitation
):
    api_login(api, request.getfixturevalue(persona))

    assert api.get(INVITATIONS).json()["count"] == 0
    assert api.get(_url(acme_invitation)).status_code == 404


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_an_outsider_gets_404_for_another_accounts_invitation(
    api, request, persona, acme_invitation
):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(_url(acme_invitation))

    assert response.status_code == 404
    assert api_error(response)["detail"] == "No such invitation."
    assert "new@acme.example" not in _emails(api.get(INVITATIONS))


def test_anonymous_callers_cannot_list_or_read_invitations(api, acme_invitation):
    for response in (api.get(INVITATIONS), api.get(_url(acme_invitation))):
        assert response.status_code == 401
        assert api_error(response)["code"] == "not_authenticated"


# --- Inviting ---------------------------------------------------------------------------------


def test_an_account_admin_invites_a_colleague_who_gets_an_email_after_commit(
    api, admin_a, django_capture_on_commit_callbacks
):
    api_login(api, admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            INVITATIONS, {"account": "acme", "email": "Dana@Acme.Example", "role": "admin"}
        )

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert (invitation.account.slug, invitation.email, invitation.role) == (
        "acme",
        "dana@acme.example",
        MemberRole.ADMIN,
    )
    assert invitation.invited_by == admin_a
    assert invitation.sent_at is not None
    assert response.json()["id"] == invitation.pk
    assert response.json()["status"] == "pending"
    assert [message.to for message in mail.outbox] == [["dana@acme.example"]]
    assert invitation.get_accept_url() in mail.outbox[0].body


def test_an_invitation_is_for_a_member_unless_said_otherwise(api, admin_a):
    api_login(api, admin_a)

    response = api.post(INVITATIONS, {"account": "acme", "email": "eve@acme.example"})

    assert response.status_code == 201
    assert Invitation.objects.get().role == MemberRole.MEMBER


@pytest.mark.parametrize("persona", ["account_manager_a", "programme_admin"])
def test_the_account_team_and_programme_admins_invite_too(api, request, persona, account_a):
    caller = request.getfixturevalue(persona)
    api_login(api, caller)

    response = api.post(INVITATIONS, {"account": "acme", "email": "eve@acme.example"})

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert (invitation.account, invitation.invited_by) == (account_a, caller)


def test_an_invitation_ignores_fields_the_inviter_may_not_set(api, admin_a, member_b):
    api_login(api, admin_a)
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()

    response = api.post(
        INVITATIONS,
        {
            "account": "acme",
            "email": "eve@acme.example",
            "invited_by": member_b.pk,
            "status": "accepted",
            "accepted_at": past,
            "expires_at": "2100-01-01T00:00:00Z",
            "is_staff": True,
        },
    )

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert invitation.invited_by == admin_a
    assert invitation.accepted_at is None
    assert invitation.status == "pending"
    assert invitation.expires_at < timezone.now() + dt.timedelta(days=15)


@pytest.mark.parametrize(
    ("persona", "target"), [("admin_b", "acme"), ("account_manager_a", "globex")]
)
def test_nobody_invites_to_an_account_they_cannot_see(
    api, request, persona, target, account_a, account_b
):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(INVITATIONS, {"account": target, "email": "eve@example.com"})

    assert response.status_code == 404
    assert api_error(response)["detail"] == "No such account."
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("persona", ["member_a", "product_manager"])
def test_people_who_see_an_account_but_may_not_manage_it_cannot_invite(
    api, request, persona, account_a
):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(INVITATIONS, {"account": "acme", "email": "eve@acme.example"})

    assert response.status_code == 403
    assert api_error(response)["detail"] == (
        "Only the account's admins and its account team may do this."
    )
    assert not Invitation.objects.exists()


def test_anonymous_callers_cannot_invite(api, account_a):
    response = api.post(INVITATIONS, {"account": "acme", "email": "eve@acme.example"})

    assert response.status_code == 401
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({"account": "acme", "email": "not-an-address"}, "email", "invalid"),
        ({"account": "acme"}, "email", "required"),
        ({"email": "eve@acme.example"}, "account", "required"),
        (
            {"account": "acme", "email": "eve@acme.example", "role": "owner"},
            "role",
            "invalid_choice",
        ),
    ],
)
def test_an_invalid_invitation_is_refused_with_a_field_error(api, admin_a, payload, attr, code):
    api_login(api, admin_a)

    response = api.post(INVITATIONS, payload)

    assert response.status_code == 400
    error = api_error(response)
    assert (error["type"], error["attr"], error["code"]) == ("validation_error", attr, code)
    assert not Invitation.objects.exists()


def test_inviting_an_address_with_a_login_elsewhere_reveals_nothing_and_sends_no_link(
    api, admin_a, member_b, django_capture_on_commit_callbacks
):
    api_login(api, admin_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(INVITATIONS, {"account": "acme", "email": "BOB@globex.example"})

    # The same answer as for any new address: Acme learns nothing about Globex's people.
    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert invitation.email == "bob@globex.example"
    (message,) = mail.outbox
    assert message.to == ["bob@globex.example"]
    assert "already has a login" in message.body
    assert "/invitations/accept/" not in message.body


def test_inviting_a_colleague_who_is_already_a_member_is_a_field_error(api, admin_a, member_a):
    api_login(api, admin_a)

    response = api.post(INVITATIONS, {"account": "acme", "email": "Alice@Acme.example"})

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "This person is already a member of Acme Industrial.",
        "attr": "email",
    }
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    "email",
    ["alıce@acme.example", "ſam@acme.example", "alice@ａｃｍｅ.example", "ALıCE@acme.example"],
)
def test_an_address_with_look_alike_letters_is_a_field_error(api, admin_a, member_a, email):
    """Refused for its letters, whether or not anyone has the address it imitates (here
    Alice's): the answer tells the inviter nothing about who has a login."""
    api_login(api, admin_a)

    response = api.post(INVITATIONS, {"account": "acme", "email": email})

    assert response.status_code == 400
    error = api_error(response)
    assert (error["type"], error["attr"]) == ("validation_error", "email")
    assert error["detail"].startswith("Type this address in plain letters")
    assert not Invitation.objects.exists()


def test_an_address_with_an_open_invitation_cannot_be_invited_again(api, admin_a, acme_invitation):
    api_login(api, admin_a)

    response = api.post(INVITATIONS, {"account": "acme", "email": "new@acme.example"})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "email"
    assert api_error(response)["detail"] == (
        "This address already has an open invitation to this account."
    )
    assert Invitation.objects.count() == 1


def test_the_same_address_may_be_invited_to_two_accounts(api, admin_a, globex_invitation):
    api_login(api, admin_a)

    response = api.post(INVITATIONS, {"account": "acme", "email": "new@globex.example"})

    assert response.status_code == 201
    assert Invitation.objects.filter(email="new@globex.example").count() == 2


# --- Revoking ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin_a", "account_manager_a", "programme_admin"])
def test_the_people_who_manage_acme_revoke_its_invitations(api, request, persona, acme_invitation):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(_url(acme_invitation, "revoke/"))

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    acme_invitation.refresh_from_db()
    assert acme_invitation.revoked_at is not None
    assert acme_invitation.status == "revoked"


def test_revoking_twice_keeps_the_first_revocation(api, admin_a, acme_invitation):
    api_login(api, admin_a)
    api.post(_url(acme_invitation, "revoke/"))
    acme_invitation.refresh_from_db()
    first = acme_invitation.revoked_at

    response = api.post(_url(acme_invitation, "revoke/"))

    assert response.status_code == 200
    acme_invitation.refresh_from_db()
    assert acme_invitation.revoked_at == first


def test_an_accepted_invitation_cannot_be_revoked(api, admin_a, acme_invitation):
    accepted_at = timezone.now()
    Invitation.objects.filter(pk=acme_invitation.pk).update(accepted_at=accepted_at)
    api_login(api, admin_a)

    response = api.post(_url(acme_invitation, "revoke/"))

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "This invitation was already accepted.",
        "attr": "non_field_errors",
    }
    acme_invitation.refresh_from_db()
    assert acme_invitation.revoked_at is None
    assert acme_invitation.accepted_at == accepted_at


@pytest.mark.parametrize("persona", ["member_a", "product_manager", "member_b", "admin_b"])
def test_people_who_do_not_manage_acme_cannot_revoke_its_invitations(
    api, request, persona, acme_invitation
):
    # Not even seeing the invitation, they get 404 rather than 403.
    api_login(api, request.getfixturevalue(persona))

    response = api.post(_url(acme_invitation, "revoke/"))

    assert response.status_code == 404
    acme_invitation.refresh_from_db()
    assert acme_invitation.revoked_at is None


def test_anonymous_callers_cannot_revoke(api, acme_invitation):
    response = api.post(_url(acme_invitation, "revoke/"))

    assert response.status_code == 401
    acme_invitation.refresh_from_db()
    assert acme_invitation.revoked_at is None


def test_invitations_cannot_be_edited_or_deleted_directly(api, programme_admin, acme_invitation):
    api_login(api, programme_admin)

    patched = api.patch(_url(acme_invitation), {"role": "admin", "email": "x@example.com"})
    deleted = api.delete(_url(acme_invitation))

    assert (patched.status_code, deleted.status_code) == (405, 405)
    acme_invitation.refresh_from_db()
    assert (acme_invitation.role, acme_invitation.email) == ("member", "new@acme.example")


# --- Query count ------------------------------------------------------------------------------


def test_listing_invitations_costs_three_queries_however_many_there_are(
    api, admin_a, django_assert_num_queries
):
    account = admin_a.membership.account
    for total in (3, 13):
        InvitationFactory.create_batch(
            total - account.invitations.count(), account=account, invited_by=admin_a
        )
        InvitationFactory(account=AccountFactory())  # another account's, never listed
        api_login(api, admin_a)

        # 1. the caller's permissions, own and groups'  has_perm("accounts.view_all_accounts")
        # 2. the caller's membership, with its account (are they its admin?)
        # 3. the page of invitations JOINed with their accounts and inviters (not full: it
        #    tells the count, no COUNT query)
        with django_assert_num_queries(3):
            response = api.get(INVITATIONS)

        assert response.json()["count"] == total
        assert {row["invited_by"]["email"] for row in response.json()["results"]} == {
            "anna@acme.example"
        }
