"""The writes of accounts: invitations from creation to acceptance, members, roles and accounts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accounts import services
from accounts.access import is_internal
from accounts.models import (
    Account,
    InternalRole,
    Invitation,
    MemberRole,
    Membership,
    User,
)
from accounts.services import InvitationInvalid
from accounts.tasks import invitation_send_task
from tests.accounts.factories import (
    PASSWORD,
    AccountFactory,
    InvitationFactory,
    UserFactory,
    customer,
)


def _invite(admin: User, email: str = "dana@acme.example", **kwargs) -> Invitation:
    return services.invitation_create(
        account=admin.membership.account, email=email, invited_by=admin, **kwargs
    )


def _accept(token: str) -> tuple[User, Membership]:
    return services.invitation_accept(
        token=token, first_name=" Dana ", last_name=" Scully ", password=PASSWORD
    )


def _tamper(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


# --- invitation_create ------------------------------------------------------------------------


def test_an_invitation_email_waits_until_the_transaction_commits(
    admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        invitation = _invite(admin_a)

    assert mail.outbox == []
    assert len(callbacks) == 1

    callbacks[0]()  # the commit: the task runs (eagerly in tests) and sends the email

    assert [message.to for message in mail.outbox] == [["dana@acme.example"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_the_invitation_email_has_a_plain_text_body_with_the_accept_link(
    admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(admin_a)

    (message,) = mail.outbox
    accept_url = f"{settings.SITE_URL}{invitation.get_accept_url()}"
    assert message.subject == "You are invited to Acme Industrial on Customer Garden"
    assert accept_url in message.body
    assert "Anna" in message.body  # who invited them
    assert "<" not in message.body  # plain text, not HTML
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert accept_url in html


def test_the_plain_text_email_shows_names_as_typed_not_html_escaped(
    db, django_capture_on_commit_callbacks
):
    account = AccountFactory(name="Smith & Sons")
    inviter = customer(account, role=MemberRole.ADMIN, first_name="Seán", last_name="O'Brien")

    with django_capture_on_commit_callbacks(execute=True):
        _invite(inviter)

    (message,) = mail.outbox
    assert "Seán O'Brien invited you to join Smith & Sons on Customer Garden" in message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body
    assert "Smith &amp; Sons" in message.alternatives[0][0]  # the HTML part stays escaped


def test_the_link_in_the_email_lets_the_person_join(admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_a, role=MemberRole.ADMIN)
    token = re.search(r"/invitations/accept/([^/\s]+)/", mail.outbox[0].body).group(1)

    user, membership = _accept(token)

    assert (user.email, membership.account.slug, membership.role) == (
        "dana@acme.example",
        "acme",
        MemberRole.ADMIN,
    )


def test_an_invitation_stores_the_address_in_lower_case(admin_a):
    invitation = _invite(admin_a, email="  Dana@ACME.example ")

    assert Invitation.objects.get(pk=invitation.pk).email == "dana@acme.example"
    valid_for = invitation.expires_at - invitation.created_at
    assert abs(valid_for - dt.timedelta(days=settings.INVITATION_VALID_DAYS)).total_seconds() < 60


def test_an_unknown_role_is_refused(admin_a):
    with pytest.raises(ValidationError) as error:
        _invite(admin_a, role="owner")

    assert error.value.message_dict == {"role": ["Unknown role 'owner'."]}
    assert not Invitation.objects.exists()


def test_a_colleague_who_is_already_a_member_is_refused_whatever_its_case(admin_a, member_a):
    with pytest.raises(ValidationError) as error:
        _invite(admin_a, email="ALICE@acme.EXAMPLE")

    assert error.value.message_dict == {
        "email": ["This person is already a member of Acme Industrial."]
    }
    assert not Invitation.objects.exists()


def test_an_address_with_a_login_elsewhere_gets_a_notice_instead_of_a_link(
    admin_a, member_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(admin_a, email="Bob@Globex.EXAMPLE")

    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    (message,) = mail.outbox
    assert "already has a login" in message.body
    assert "/invitations/accept/" not in message.body
    assert "/invitations/accept/" not in message.alternatives[0][0]


def test_a_second_open_invitation_to_the_same_address_is_refused(admin_a):
    _invite(admin_a)

    with pytest.raises(ValidationError) as error:
        _invite(admin_a, email="DANA@acme.example")

    assert error.value.message_dict == {
        "email": ["This address already has an open invitation to this account."]
    }
    assert Invitation.objects.count() == 1


def test_an_expired_invitation_is_replaced_by_a_new_one(admin_a):
    old = InvitationFactory(
        account=admin_a.membership.account,
        email="dana@acme.example",
        expires_at=timezone.now() - dt.timedelta(days=1),
    )

    new = _invite(admin_a)

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert new.status == "pending"
    assert list(Invitation.objects.pending()) == [new]


def test_a_revoked_invitation_does_not_block_a_new_one(admin_a):
    services.invitation_revoke(invitation=_invite(admin_a))

    again = _invite(admin_a)

    assert again.status == "pending"
    assert Invitation.objects.count() == 2


# --- invitation_send --------------------------------------------------------------------------


def test_sending_an_invitation_twice_sends_one_email(account_a):
    invitation = InvitationFactory(account=account_a)

    first = services.invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    sent_at = invitation.sent_at
    second = services.invitation_send(invitation_id=invitation.pk)

    assert (first, second) == (True, False)
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.sent_at == sent_at


@pytest.mark.parametrize(
    "ended",
    [
        {"revoked_at": timezone.now()},
        {"accepted_at": timezone.now()},
        {"expires_at": timezone.now() - dt.timedelta(minutes=1)},
    ],
    ids=["revoked", "accepted", "expired"],
)
def test_an_invitation_that_has_ended_is_not_sent(account_a, ended):
    invitation = InvitationFactory(account=account_a, **ended)

    assert services.invitation_send(invitation_id=invitation.pk) is False
    assert mail.outbox == []
    invitation.refresh_from_db()
    assert invitation.sent_at is None


def test_an_invitation_deleted_before_its_task_ran_is_not_sent(db):
    assert services.invitation_send(invitation_id=987654) is False
    assert mail.outbox == []


def test_a_failed_delivery_leaves_the_invitation_unsent_so_a_retry_sends_it(account_a, monkeypatch):
    invitation = InvitationFactory(account=account_a)

    def refuse(self, messages):
        raise ConnectionRefusedError("SMTP server is down")

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", refuse)
        with pytest.raises(ConnectionRefusedError):
            services.invitation_send(invitation_id=invitation.pk)

    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert services.invitation_send(invitation_id=invitation.pk) is True
    assert len(mail.outbox) == 1


def _refuse_as_a_bad_header(self, messages):
    raise BadHeaderError("Header values can't contain newlines")


def test_an_account_name_stored_with_a_line_break_is_sent_on_one_line(account_a):
    # A row from before names were single-line (the validator refuses such a name today).
    Account.objects.filter(pk=account_a.pk).update(name="Acme\r\nIndustrial")
    invitation = InvitationFactory(account=account_a)

    assert services.invitation_send(invitation_id=invitation.pk) is True

    (message,) = mail.outbox
    assert message.subject == "You are invited to Acme Industrial on Customer Garden"
    assert message.message()["To"] == invitation.email  # the headers build


def test_a_failure_no_retry_can_mend_is_recorded_on_the_invitation_not_raised(
    account_a, monkeypatch
):
    invitation = InvitationFactory(account=account_a)

    with monkeypatch.context() as patch:
        patch.setattr(EmailBackend, "send_messages", _refuse_as_a_bad_header)
        assert services.invitation_send(invitation_id=invitation.pk) is False

    invitation.refresh_from_db()
    assert invitation.sent_at is None
    assert invitation.send_failed_at is not None
    assert invitation.send_error == "BadHeaderError: Header values can't contain newlines"
    assert services.invitation_send(invitation_id=invitation.pk) is False  # never sent again
    assert mail.outbox == []


def test_the_invitation_task_records_its_last_failure_once_its_retries_are_spent(
    account_a, monkeypatch
):
    invitation = InvitationFactory(account=account_a)
    monkeypatch.setitem(invitation_send_task.app.conf, "task_eager_propagates", False)

    def refuse(self, messages):
        raise ConnectionRefusedError("SMTP server is down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)

    result = invitation_send_task.apply(args=[invitation.pk])

    assert result.state == "FAILURE"
    invitation.refresh_from_db()
    assert (invitation.sent_at, invitation.send_failed_at is not None) == (None, True)
    assert invitation.send_error == "ConnectionRefusedError: SMTP server is down"


# --- invitation_accept ------------------------------------------------------------------------


def test_accepting_creates_the_login_and_membership_with_the_invited_role(admin_a):
    invitation = _invite(admin_a, role=MemberRole.ADMIN)

    user, membership = _accept(invitation.token)

    assert User.objects.get(email="dana@acme.example") == user
    assert (user.first_name, user.last_name) == ("Dana", "Scully")
    assert user.check_password(PASSWORD)
    assert (user.is_active, user.is_staff) == (True, False)
    membership = Membership.objects.get(user=user)
    assert (membership.account, membership.role) == (admin_a.membership.account, "admin")
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.accepted_by == user


def test_an_invitation_link_works_only_once(admin_a):
    invitation = _invite(admin_a)
    _accept(invitation.token)

    with pytest.raises(InvitationInvalid, match="already been used"):
        _accept(invitation.token)

    assert User.objects.filter(email="dana@acme.example").count() == 1


def test_an_expired_link_says_it_has_expired(account_a):
    invitation = InvitationFactory(
        account=account_a, expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    with pytest.raises(InvitationInvalid, match="has expired. Ask your account admin"):
        _accept(invitation.token)

    assert not User.objects.filter(email=invitation.email).exists()


def test_a_revoked_link_says_it_was_withdrawn(admin_a):
    invitation = services.invitation_revoke(invitation=_invite(admin_a))

    with pytest.raises(InvitationInvalid, match="was withdrawn"):
        _accept(invitation.token)

    assert not User.objects.filter(email="dana@acme.example").exists()


@pytest.mark.parametrize(
    "forge",
    [
        lambda invitation: str(invitation.pk),  # unsigned
        lambda invitation: _tamper(invitation.token),  # signature changed by one character
        lambda invitation: signing.Signer().sign_object(invitation.pk),  # for another purpose
        lambda invitation: signing.Signer(salt=Invitation.TOKEN_SALT).sign_object(
            invitation.pk + 1
        )[:-1],
        lambda invitation: "",
    ],
    ids=["unsigned", "tampered", "other-salt", "truncated", "empty"],
)
def test_a_forged_or_damaged_token_is_refused(admin_a, forge):
    invitation = _invite(admin_a)

    with pytest.raises(InvitationInvalid, match="not valid. Check that you copied all of it"):
        _accept(forge(invitation))

    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="dana@acme.example").exists()


def test_accepting_after_someone_took_the_address_changes_nothing(admin_a):
    invitation = _invite(admin_a)
    UserFactory(email="dana@acme.example")

    with pytest.raises(InvitationInvalid, match="already has a login"):
        _accept(invitation.token)

    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # the claim was rolled back with the rest
    assert not Membership.objects.filter(user__email="dana@acme.example").exists()


# --- Members and roles ------------------------------------------------------------------------


def test_removing_a_member_deletes_the_membership_and_deactivates_the_login(member_a):
    services.membership_remove(membership=member_a.membership)

    member_a.refresh_from_db()
    assert member_a.is_active is False
    assert not Membership.objects.filter(user=member_a).exists()
    assert User.objects.filter(pk=member_a.pk).exists()  # history keeps the person


def test_the_last_admin_cannot_be_removed_or_demoted(admin_a):
    with pytest.raises(ValidationError) as removed:
        services.membership_remove(membership=admin_a.membership)
    with pytest.raises(ValidationError) as demoted:
        services.membership_set_role(membership=admin_a.membership, role=MemberRole.MEMBER)

    expected = {"role": ["An account needs at least one admin: name another first."]}
    assert removed.value.message_dict == demoted.value.message_dict == expected
    admin_a.refresh_from_db()
    assert admin_a.is_active is True
    assert Membership.objects.get(user=admin_a).role == MemberRole.ADMIN


def test_an_admin_of_another_account_does_not_count_as_a_second_admin(admin_a, admin_b):
    with pytest.raises(ValidationError):
        services.membership_remove(membership=admin_a.membership)

    assert Membership.objects.filter(user=admin_a).exists()


def test_an_admin_may_leave_once_a_colleague_is_admin_too(admin_a, member_a):
    services.membership_set_role(membership=member_a.membership, role=MemberRole.ADMIN)

    services.membership_remove(membership=admin_a.membership)

    assert list(Membership.objects.filter(role=MemberRole.ADMIN)) == [member_a.membership]


def test_an_unknown_member_role_is_refused(member_a):
    with pytest.raises(ValidationError) as error:
        services.membership_set_role(membership=member_a.membership, role="owner")

    assert error.value.message_dict == {"role": ["Unknown role 'owner'."]}
    assert Membership.objects.get(user=member_a).role == MemberRole.MEMBER


def test_a_person_belongs_to_one_account_only(member_a, account_b):
    with pytest.raises(ValidationError) as error:
        services.membership_create(user=member_a, account=account_b)

    assert "user" in error.value.message_dict
    assert Membership.objects.get(user=member_a).account.slug == "acme"


def test_internal_users_and_customers_do_not_mix(product_manager, member_a, account_a):
    with pytest.raises(ValidationError):
        services.membership_create(user=product_manager, account=account_a)
    with pytest.raises(ValidationError):
        services.user_set_internal_role(user=member_a, role=InternalRole.PRODUCT_MANAGER)
    with pytest.raises(ValidationError):
        services.team_assignment_create(user=member_a, account=account_a, role="account_manager")

    assert not Membership.objects.filter(user=product_manager).exists()
    assert not member_a.groups.exists()


# --- Internal roles ---------------------------------------------------------------------------


def _group_permissions(role: InternalRole) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role.value).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


PRODUCT_MANAGER_PERMISSIONS = {
    "accounts.view_all_accounts",
    "ideas.moderate_idea",
    "ideas.manage_pilot",
    "ideas.view_pilot_results",
}


def test_roles_sync_lets_product_managers_see_but_not_manage_all_accounts(db):
    services.roles_sync()

    permissions = _group_permissions(InternalRole.PRODUCT_MANAGER)
    assert permissions == PRODUCT_MANAGER_PERMISSIONS


def test_roles_sync_lets_programme_admins_manage_all_accounts_and_the_admin_site(db):
    services.roles_sync()

    permissions = _group_permissions(InternalRole.PROGRAMME_ADMIN)
    assert {
        "accounts.view_all_accounts",
        "accounts.manage_all_accounts",
        "accounts.change_account",
        "accounts.delete_membership",
        "community.change_garden",
    } <= permissions
    assert not any(p.startswith(("auth.", "sessions.", "admin.")) for p in permissions)


def test_account_managers_hold_no_global_permission(db):
    services.roles_sync()

    assert _group_permissions(InternalRole.ACCOUNT_MANAGER) == set()
    assert _group_permissions(InternalRole.CUSTOMER_SUCCESS_MANAGER) == set()


def test_roles_sync_takes_back_permissions_a_role_should_not_have(db):
    group = Group.objects.get(name=InternalRole.PRODUCT_MANAGER.value)
    group.permissions.add(Permission.objects.get(codename="manage_all_accounts"))

    services.roles_sync()
    services.roles_sync()  # and running it again changes nothing

    assert _group_permissions(InternalRole.PRODUCT_MANAGER) == PRODUCT_MANAGER_PERMISSIONS
    assert Group.objects.filter(name__in=InternalRole.values).count() == len(InternalRole)


def test_the_roles_reach_the_users_who_hold_them(product_manager, programme_admin):
    assert product_manager.has_perm("accounts.view_all_accounts")
    assert not product_manager.has_perm("accounts.manage_all_accounts")
    assert product_manager.is_staff is False
    assert programme_admin.has_perm("accounts.manage_all_accounts")
    assert User.objects.get(pk=programme_admin.pk).is_staff is True


def test_an_internal_user_is_created_with_their_role(db):
    user = services.user_create_internal(
        email="Quinn@Garden.example", role=InternalRole.CUSTOMER_SUCCESS_MANAGER, password=PASSWORD
    )

    user = User.objects.get(pk=user.pk)
    assert user.email == "quinn@garden.example"
    assert user.internal_roles == ["customer_success_manager"]
    assert is_internal(user) and not user.is_staff


# --- Accounts ---------------------------------------------------------------------------------


def test_account_slugs_are_unique_and_come_from_the_name(db):
    first = services.account_create(name="  Wayne Enterprises ")
    second = services.account_create(name="Wayne Enterprises")

    assert (first.name, first.slug, second.slug) == (
        "Wayne Enterprises",
        "wayne-enterprises",
        "wayne-enterprises-2",
    )


def test_an_account_cannot_have_a_negative_contract_value(account_a):
    with pytest.raises(ValidationError):
        services.account_update(account=account_a, annual_contract_value=-1)

    assert Account.objects.get(pk=account_a.pk).annual_contract_value == 120_000


# --- Purging old invitations ------------------------------------------------------------------


def test_purging_deletes_only_invitations_that_ended_long_ago(account_a):
    long_ago = timezone.now() - dt.timedelta(days=91)
    stale = InvitationFactory(account=account_a, expires_at=long_ago)
    stale_revoked = InvitationFactory(
        account=account_a, expires_at=long_ago, revoked_at=long_ago - dt.timedelta(days=1)
    )
    recent = InvitationFactory(account=account_a, expires_at=timezone.now() - dt.timedelta(days=5))
    pending = InvitationFactory(account=account_a)
    accepted = InvitationFactory(account=account_a, expires_at=long_ago, accepted_at=long_ago)

    assert services.invitations_purge() == 2

    remaining = set(Invitation.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, pending.pk, accepted.pk}
    assert not ({stale.pk, stale_revoked.pk} & remaining)


def test_an_invitations_link_is_the_same_every_time_it_is_made(admin_a):
    invitation = _invite(admin_a)

    assert invitation.get_accept_url() == Invitation.objects.get().get_accept_url()
    assert Invitation.pk_from_token(invitation.token) == invitation.pk
