"""SCIM 2.0 provisioning's writes: an account's SCIM tokens, and the people and roles its
identity provider creates, changes, deactivates and deletes (accounts/api/scim.py calls these).

Every change of a membership goes through accounts.services, so the project's rules hold for a
provider as for an admin on the team page: an account keeps an admin, a member leaving runs the
membership-ending hooks (community repairs the account's engagement history), and a
deactivated person's sessions and API tokens end at once (`person_access_end`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import services
from accounts.addresses import address_plain
from accounts.models import Account, MemberRole, Membership, ScimPerson, ScimToken, User

# The two groups of every account: "Members" holds its people, "Admins" its account admins.
GROUPS = {"members": "Members", "admins": "Admins"}

_LAST_USED_GRANULARITY = timedelta(minutes=1)


class ProvisioningConflict(Exception):
    """The address is someone's login the account may not take (a member of an account, or an
    internal user): SCIM's 409 `uniqueness`. Which of them is not said: it is not the
    provider's business whether a person belongs to another account."""


@dataclass
class PersonFields:
    """What a provider sets of a person."""

    email: str
    first_name: str = ""
    last_name: str = ""
    job_title: str = ""
    external_id: str = ""
    active: bool = True


def scim_token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def scim_token_create(*, account: Account, name: str, created_by: User) -> tuple[ScimToken, str]:
    """A new SCIM token for the account's identity provider: the row, and the token itself,
    shown to its maker once (only its hash is kept)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after the identity provider using it."})
    raw = secrets.token_urlsafe(32)
    token = ScimToken(
        account=account,
        name=name,
        prefix=raw[:8],
        digest=scim_token_digest(raw),
        created_by=created_by,
    )
    token.full_clean()
    token.save()
    return token, raw


@transaction.atomic
def scim_token_revoke(*, token: ScimToken, by: User) -> None:
    """The token stops working at once; the row stays, for the record of who issued it. Saved
    as a row (not updated in bulk), so that the audit trail records the revocation."""
    token = ScimToken.objects.select_for_update().filter(pk=token.pk).first()
    if token is None or token.revoked_at is not None:
        return
    token.revoked_at = timezone.now()
    token.revoked_by = by
    token.save(update_fields=["revoked_at", "revoked_by", "updated_at"])


def scim_token_used(*, token: ScimToken) -> None:
    """Record the token's use, at most once a minute (no write per call of a busy provider)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_GRANULARITY:
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def _plain(email: str) -> str:
    try:
        return address_plain(email)
    except ValidationError as error:
        raise ValidationError({"userName": error.messages}) from None


def _set_password(person: User, password: str | None) -> None:
    if password:
        try:
            validate_password(password, person)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        person.set_password(password)


def _link(*, account: Account, person: User, external_id: str) -> ScimPerson:
    """The person's link to the account, checked before it is written."""
    link = ScimPerson.objects.filter(user=person).first() or ScimPerson(user=person)
    link.account = account
    link.external_id = external_id.strip()
    try:
        link.full_clean()
    except ValidationError as error:
        raise ValidationError({"externalId": error.messages}) from None
    link.save()
    return link


def is_active_in(person: User, account: Account) -> bool:
    """Active, as SCIM says: a working login with a membership of this account."""
    membership = Membership.objects.filter(user=person).only("account_id").first()
    return person.is_active and membership is not None and membership.account_id == account.pk


@transaction.atomic
def scim_person_create(
    *, account: Account, fields: PersonFields, password: str | None = None
) -> User:
    """Create the person's login, or take a login that belongs nowhere (a former member's),
    and make them a member of the account (or leave them inactive, as asked). An address that
    is a member's login, in any account, or an internal user's, is a ProvisioningConflict and
    nothing is saved; so is the loser of two creations of one address at the same moment."""
    try:
        with transaction.atomic():
            return _person_create(account=account, fields=fields, password=password)
    except IntegrityError:
        raise ProvisioningConflict("A user with this userName already exists.") from None


def _person_create(*, account: Account, fields: PersonFields, password: str | None) -> User:
    email = _plain(fields.email)
    person = User.objects.get_by_address(email)
    if person is None:
        person = User(email=email, is_active=False)  # checked before it is written
        person.set_unusable_password()
    else:
        person = User.objects.select_for_update().get(pk=person.pk)
        other_link = ScimPerson.objects.filter(user=person).exclude(account=account).exists()
        member = Membership.objects.filter(user=person).exists()
        if member or other_link or person.internal_roles or person.is_staff:
            raise ProvisioningConflict("A user with this userName already exists.")
    _person_save(person, fields, password)
    _link(account=account, person=person, external_id=fields.external_id)
    if fields.active:
        _activate(account=account, person=person)
    return person


@transaction.atomic
def scim_person_update(
    *, account: Account, person: User, fields: PersonFields, password: str | None = None
) -> User:
    """Set what the provider says of one of the account's people (PUT, or PATCH after its
    operations are applied): address, names, title, its own id, and whether they are active."""
    person = User.objects.select_for_update().get(pk=person.pk)
    email = _plain(fields.email)
    same = User.objects.get_by_address(email)
    if same is not None and same.pk != person.pk:
        raise ProvisioningConflict("A user with this userName already exists.")
    person.email = email
    _person_save(person, fields, password)
    _link(account=account, person=person, external_id=fields.external_id)
    was_active = is_active_in(person, account)
    if fields.active and not was_active:
        _activate(account=account, person=person)
    elif not fields.active and was_active:
        scim_person_deactivate(account=account, person=person)
    return person


def _person_save(person: User, fields: PersonFields, password: str | None) -> None:
    person.first_name = fields.first_name.strip()
    person.last_name = fields.last_name.strip()
    person.job_title = fields.job_title.strip()
    _set_password(person, password)
    person.full_clean(exclude=["password"])
    person.save()


def _activate(*, account: Account, person: User) -> None:
    if not Membership.objects.filter(user=person, account=account).exists():
        services.membership_create(user=person, account=account, role=MemberRole.MEMBER)
    if not person.is_active:
        person.is_active = True
        person.save(update_fields=["is_active", "updated_at"])


@transaction.atomic
def scim_person_deactivate(*, account: Account, person: User) -> None:
    """The provider deactivates the person: their membership ends as when an admin removes
    them (the last admin stays; the membership-ending hooks run), their login is inactive, and
    their sessions and API tokens end at once. The provider can still read and reactivate
    them (ScimPerson)."""
    membership = Membership.objects.filter(user=person, account=account).first()
    if membership is not None:
        services.membership_remove(membership=membership)
    ScimPerson.objects.get_or_create(user=person, defaults={"account": account})
    person.refresh_from_db()
    if person.is_active:
        person.is_active = False
        person.save(update_fields=["is_active", "updated_at"])
    services.person_access_end(user=person)


@transaction.atomic
def scim_person_delete(*, account: Account, person: User) -> None:
    """The provider deletes the person: deactivated as above, and no longer the account's
    (their login stays, inactive, so their contributions keep their author)."""
    scim_person_deactivate(account=account, person=person)
    ScimPerson.objects.filter(user=person, account=account).delete()


@transaction.atomic
def scim_group_change(
    *, account: Account, group: str, add: list[User] = (), remove: list[User] = ()
) -> None:
    """Members of the group "members" are the account's active people: adding activates,
    removing deactivates. Members of "admins" are its account admins: adding makes an admin
    (activating first), removing makes a member. Additions come first, so a provider that
    swaps the last admin for another keeps the account with one."""
    if group not in GROUPS:
        raise ValidationError({"group": f"Unknown group {group!r}."})
    for person in add:
        if not is_active_in(person, account):
            _activate(account=account, person=person)
        if group == "admins":
            membership = Membership.objects.get(user=person, account=account)
            services.membership_set_role(membership=membership, role=MemberRole.ADMIN)
    for person in remove:
        membership = Membership.objects.filter(user=person, account=account).first()
        if membership is None:
            continue  # not a member: not in either group already
        if group == "members":
            scim_person_deactivate(account=account, person=person)
        elif membership.role == MemberRole.ADMIN:
            services.membership_set_role(membership=membership, role=MemberRole.MEMBER)


@transaction.atomic
def scim_group_replace(*, account: Account, group: str, members: list[User]) -> None:
    """The group holds exactly these people (PUT of a group)."""
    current = set(group_member_ids(account=account, group=group))
    wanted = {person.pk: person for person in members}
    remove = list(User.objects.filter(pk__in=current - wanted.keys()).order_by("pk"))
    add = [person for pk, person in wanted.items() if pk not in current]
    scim_group_change(account=account, group=group, add=add, remove=remove)


def group_member_ids(*, account: Account, group: str) -> list[int]:
    """The people in one of the account's two groups (a read, used by the writes above and by
    the API's answers)."""
    memberships = Membership.objects.filter(account=account, user__is_active=True)
    if group == "admins":
        memberships = memberships.filter(role=MemberRole.ADMIN)
    return list(memberships.order_by("user_id").values_list("user_id", flat=True))
