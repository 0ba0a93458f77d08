"""The audit trail records every change of accounts' audited rows (accounts/audit.py): who made
it (a person, with the account they acted for; an account's SCIM token; single sign-on; the
system), from which address, about which account and person, and each field before and after.
The pages and the API are driven through their URLs, as a person does; what has no page is
driven through its service (and is then the system's change).

Community's rows (gardens, the engagement model, webhooks) are in
tests/community/test_audit_services.py; that no secret reaches the trail is
tests/accounts/test_audit_secrets.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import provisioning, services
from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    AuditEntry,
    EmailDomain,
    IdentityProvider,
    InternalRole,
    MemberRole,
    Membership,
    ScimToken,
    TeamRole,
    User,
)
from accounts.models.audit import audit_acting
from accounts.single_sign_on import ProviderSettings, identity_provider_save, sso_member_join
from tests.accounts.factories import PASSWORD, InvitationFactory, UserFactory, internal

pytestmark = pytest.mark.django_db

CREATE, UPDATE, DELETE = (
    AuditEntry.Action.CREATE,
    AuditEntry.Action.UPDATE,
    AuditEntry.Action.DELETE,
)
ADDRESS = "203.0.113.7"


def _entries(model, **filters) -> list[AuditEntry]:
    kind = ContentType.objects.get_for_model(model)
    return list(AuditEntry.objects.filter(content_type=kind, **filters).order_by("pk"))


def _last(model, **filters) -> AuditEntry:
    return _entries(model, **filters)[-1]


def test_an_account_made_and_changed_is_the_systems_change_outside_a_request():
    account = services.account_create(name="Initech", segment="smb")
    services.account_update(account=account, tier="growth", renewal_date=dt.date(2027, 3, 1))

    made, changed = _entries(Account, object_id=account.pk)
    assert (made.action, made.changes["name"], made.changes["segment"]) == (
        CREATE,
        [None, "Initech"],
        [None, "smb"],
    )
    assert changed.action == UPDATE
    assert changed.changes == {"tier": ["standard", "growth"], "renewal_date": [None, "2027-03-01"]}
    assert (changed.actor_id, changed.actor_label, changed.remote_addr) == (None, "System", None)
    assert (changed.account_id, changed.object_repr) == (account.pk, "Initech")


def test_a_role_changed_on_the_team_page_says_who_from_where_and_before_after(
    client_for, admin_a, member_a, account_a
):
    membership = member_a.membership

    response = client_for(admin_a).post(
        f"/members/{membership.pk}/role/", {"role": "admin"}, REMOTE_ADDR=ADDRESS
    )

    assert response.status_code == 302
    entry = _last(Membership, object_id=membership.pk)
    assert entry.action == UPDATE
    assert entry.changes == {"role": ["member", "admin"]}
    assert (entry.actor_id, entry.actor_account_id, entry.actor_label) == (
        admin_a.pk,
        account_a.pk,
        "",
    )
    assert entry.remote_addr == ADDRESS
    assert (entry.account_id, entry.person_id) == (account_a.pk, member_a.pk)
    assert entry.timestamp <= timezone.now()


def test_a_member_removed_leaves_the_membership_deleted_and_the_login_deactivated(
    client_for, admin_a, member_a, account_a
):
    membership_pk = member_a.membership.pk

    client_for(admin_a).post(f"/members/{membership_pk}/remove/", REMOTE_ADDR=ADDRESS)

    removed = _last(Membership, object_id=membership_pk)
    assert removed.action == DELETE
    assert removed.changes["role"] == ["member", None]
    assert removed.changes["user"] == [member_a.pk, None]
    login = _last(User, object_id=member_a.pk)
    assert login.changes == {"is_active": [True, False]}
    assert (removed.actor_id, login.actor_id) == (admin_a.pk, admin_a.pk)


def test_an_accepted_invitation_is_the_new_members_own_change(client, account_a, admin_a):
    invitation = InvitationFactory(
        account=account_a, email="dora@acme.example", role=MemberRole.ADMIN, invited_by=admin_a
    )

    client.post(
        invitation.get_accept_url(),
        {
            "first_name": "Dora",
            "last_name": "Day",
            "password1": "x-Garden-2026!",
            "password2": "x-Garden-2026!",
        },
        REMOTE_ADDR=ADDRESS,
    )

    dora = User.objects.get(email="dora@acme.example")
    joined = _last(Membership, person_id=dora.pk)
    assert joined.action == CREATE
    assert joined.changes["role"] == [None, "admin"]
    assert (joined.actor_id, joined.actor_account_id, joined.remote_addr) == (
        dora.pk,
        account_a.pk,
        ADDRESS,
    )


def test_account_team_assignments_made_and_ended(programme_admin, account_a):
    manager = internal(InternalRole.ACCOUNT_MANAGER)
    with audit_acting(actor=programme_admin):
        assignment = services.team_assignment_create(
            user=manager, account=account_a, role=TeamRole.CUSTOMER_SUCCESS_MANAGER
        )
        assignment_pk = assignment.pk
        services.team_assignment_delete(assignment=assignment)

    made, ended = _entries(AccountTeamAssignment, object_id=assignment_pk)
    assert made.changes["role"] == [None, "customer_success_manager"]
    assert ended.action == DELETE
    assert ended.changes["user"] == [manager.pk, None]
    assert (ended.account_id, ended.person_id, ended.actor_id) == (
        account_a.pk,
        manager.pk,
        programme_admin.pk,
    )
    assert ended.actor_account_id is None  # staff act for no account


def test_an_internal_role_given_records_the_group_and_the_admin_site(db):
    person = UserFactory()

    services.user_set_internal_role(user=person, role=InternalRole.PROGRAMME_ADMIN)

    roles, admin_site = _entries(User, object_id=person.pk)[-2:]
    assert roles.changes == {
        "groups": {"type": "m2m", "operation": "add", "objects": ["programme_admin"]}
    }
    assert admin_site.changes == {"is_staff": [False, True]}


def test_single_sign_on_settings_and_domains(admin_a, account_a):
    settings = ProviderSettings(
        kind="oidc",
        issuer="https://login.acme.example",
        client_id="garden",
        client_secret="first-secret",  # noqa: S106
        sso_required=False,
    )
    with audit_acting(actor=admin_a):
        identity_provider_save(account=account_a, settings=settings, domains=["acme.example"])
        changed = ProviderSettings(**{**settings.__dict__, "sso_required": True})
        identity_provider_save(account=account_a, settings=changed, domains=["acme.test"])

    made, required = _entries(IdentityProvider, account_id=account_a.pk)
    assert made.changes["client_id"] == [None, "garden"]
    assert made.changes["client_secret"] == ["", "(hidden)"]
    assert required.changes == {"sso_required": [False, True]}
    domains = [(e.action, e.object_repr) for e in _entries(EmailDomain, account_id=account_a.pk)]
    assert domains == [(CREATE, "acme.example"), (DELETE, "acme.example"), (CREATE, "acme.test")]


def test_a_scim_token_made_and_revoked_on_the_account_page(client_for, admin_a, account_a):
    client = client_for(admin_a)
    client.post("/accounts/acme/scim-tokens/", {"name": "Okta"}, REMOTE_ADDR=ADDRESS)
    token = ScimToken.objects.get(account=account_a)

    client.post(f"/scim-tokens/{token.pk}/revoke/", REMOTE_ADDR=ADDRESS)

    made, revoked = _entries(ScimToken, object_id=token.pk)
    assert made.changes["name"] == [None, "Okta"]
    assert made.changes["created_by"] == [None, admin_a.pk]
    assert set(revoked.changes) == {"revoked_at", "revoked_by"}
    assert revoked.changes["revoked_by"] == [None, admin_a.pk]
    assert (revoked.actor_id, revoked.remote_addr, revoked.object_repr) == (
        admin_a.pk,
        ADDRESS,
        "Okta",
    )


def test_an_api_token_made_on_the_profile_and_revoked_with_itself(client_for, member_a, account_a):
    client_for(member_a).post("/profile/api-token/", {"name": "CRM sync"})
    token = ApiToken.objects.get(user=member_a)
    _, raw = services.api_token_create(user=member_a, name="Reporting")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")

    response = api.delete(f"/api/v1/me/tokens/{token.token_key}/", REMOTE_ADDR=ADDRESS)

    assert response.status_code == 204
    made, revoked = [e for e in _entries(ApiToken) if e.object_repr == "CRM sync"]
    assert (made.action, made.changes["name"], made.actor_id) == (
        CREATE,
        [None, "CRM sync"],
        member_a.pk,
    )
    assert revoked.action == DELETE
    assert (revoked.actor_id, revoked.actor_label) == (member_a.pk, "API token “Reporting”")
    assert (revoked.account_id, revoked.person_id, revoked.remote_addr) == (
        account_a.pk,
        member_a.pk,
        ADDRESS,
    )


def test_a_scim_deactivation_is_the_tokens_change(admin_a, member_a, account_a):
    services.api_token_create(user=member_a, name="CRM sync")
    _, raw = provisioning.scim_token_create(account=account_a, name="Okta", created_by=admin_a)
    scim = APIClient()
    scim.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": False}}],
    }

    response = scim.patch(
        f"/scim/v2/Users/{member_a.pk}",
        data=json.dumps(patch),
        content_type="application/scim+json",
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 200
    after = AuditEntry.objects.filter(actor_label="SCIM token “Okta”").order_by("pk")
    kinds = [(e.content_type.model, e.action) for e in after]
    assert kinds == [("membership", DELETE), ("user", UPDATE), ("apitoken", DELETE)]
    assert all(e.actor_id is None and e.remote_addr == ADDRESS for e in after)
    assert all(e.actor_account_id == account_a.pk for e in after)
    assert after[0].account_id == account_a.pk


def test_single_sign_on_makes_a_member_in_its_accounts_name(account_a):
    person = sso_member_join(
        account=account_a, email="eve@acme.example", first_name="Eve", last_name=""
    )

    joined = _last(Membership, person_id=person.pk)
    assert (joined.actor_id, joined.actor_label) == (None, "Single sign-on of Acme Industrial")


def test_erasure_keeps_the_changes_and_forgets_the_addresses_they_came_from(
    client_for, programme_admin, admin_a, member_a, account_a
):
    client_for(admin_a).post(
        f"/members/{member_a.membership.pk}/role/", {"role": "admin"}, REMOTE_ADDR=ADDRESS
    )

    client_for(programme_admin).post(f"/people/{admin_a.pk}/erase/")

    by_her = AuditEntry.objects.filter(actor=admin_a)
    assert by_her.count() == 1
    assert by_her.get().remote_addr is None
    assert by_her.get().changes == {"role": ["member", "admin"]}
    erased = _last(User, object_id=admin_a.pk)
    assert set(erased.changes) >= {"is_active", "erased_at"}
    assert erased.actor_id == programme_admin.pk


def test_rows_past_their_retention_are_purged(settings, account_a):
    settings.AUDIT_RETENTION_DAYS = 365
    old = AuditEntry.objects.filter(account=account_a).first()
    AuditEntry.objects.filter(pk=old.pk).update(timestamp=timezone.now() - dt.timedelta(days=366))
    kept = AuditEntry.objects.count() - 1

    assert services.audit_entries_purge() == 1
    assert AuditEntry.objects.count() == kept
    assert not AuditEntry.objects.filter(pk=old.pk).exists()


def test_a_group_changed_from_its_own_side_is_not_a_persons_row(db):
    """The audited side of a many-to-many is the person's: a group's own list of people is not
    read as the person's change of that group."""
    staff = internal(InternalRole.PRODUCT_MANAGER)
    before = AuditEntry.objects.count()

    staff.groups.first().user_set.remove(staff)

    assert AuditEntry.objects.count() == before


def test_a_management_command_after_a_request_is_the_systems_change(client_for, admin_a, member_a):
    client_for(admin_a).post(f"/members/{member_a.membership.pk}/role/", {"role": "admin"})

    call_command("createsuperuser", interactive=False, email="root@garden.example", verbosity=0)

    root = User.objects.get(email="root@garden.example")
    made = _last(User, object_id=root.pk)
    assert made.action == CREATE
    assert made.changes["is_superuser"] == [None, True]
    assert (made.actor_id, made.actor_label, made.remote_addr) == (None, "System", None)


def test_a_login_a_password_and_ended_sessions_are_no_audited_change(client, member_a):
    before = AuditEntry.objects.count()

    client.post("/login/", {"username": member_a.email, "password": PASSWORD})
    member_a.set_password("another-Garden-2026!")
    member_a.save()
    services.person_access_end(user=member_a)

    assert client.session.get("_auth_user_id") == str(member_a.pk)
    assert AuditEntry.objects.count() == before
    assert "pbkdf2" not in json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))
