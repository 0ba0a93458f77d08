"""Writes of the accounts app. Views, API views, tasks, admin and tests change rows only here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.addresses import address_plain
from accounts.formats import end_sentence
from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    AuditEntry,
    InternalRole,
    Invitation,
    MemberRole,
    Membership,
    TeamRole,
    User,
)
from accounts.models.audit import audit_acting
from accounts.outbox import enqueue
from accounts.roles import ADMIN_SITE_ROLES, PROGRAMME_ADMIN_APPS, ROLE_PERMISSIONS
from accounts.slugs import unique_slug
from config.emails import PERMANENT_EMAIL_FAILURES, email_failure_reason, email_subject

logger = logging.getLogger(__name__)

# Called with each membership about to stop counting as it did on the days since it began,
# inside the same transaction: it ends (removed or erased) or its person is deactivated
# or let back in. The apps above register what must follow (community repairs the account's
# engagement history, whose breadth counted the members). A registry, not a signal: the calls
# are explicit.
_MEMBERSHIP_CHANGING: list[Callable[[Membership], None]] = []


def membership_change_register(handler: Callable[[Membership], None]) -> None:
    if handler not in _MEMBERSHIP_CHANGING:
        _MEMBERSHIP_CHANGING.append(handler)


def _membership_changing(membership: Membership) -> None:
    for handler in _MEMBERSHIP_CHANGING:
        handler(membership)


def roles_sync() -> None:
    """Create or update one group per internal role with exactly the role's permissions."""
    for role in InternalRole:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = set()
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            wanted |= set(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        if role in ADMIN_SITE_ROLES:
            wanted |= set(
                Permission.objects.filter(content_type__app_label__in=PROGRAMME_ADMIN_APPS)
            )
        group.permissions.set(wanted)


@transaction.atomic
def user_create_internal(
    *,
    email: str,
    role: InternalRole,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    job_title: str = "",
) -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        job_title=job_title,
    )
    user_set_internal_role(user=user, role=role)
    return user


@transaction.atomic
def user_set_internal_role(*, user: User, role: InternalRole) -> User:
    """Give an internal user a role (a user may hold several); programme admins get the admin."""
    if Membership.objects.filter(user=user).exists():
        raise ValidationError("A customer member cannot hold an internal role.")
    user.groups.add(Group.objects.get(name=role.value))
    if role in ADMIN_SITE_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff", "updated_at"])
    user.__dict__.pop("_internal_roles", None)
    return user


@transaction.atomic
def user_update_profile(
    *, user: User, first_name: str, last_name: str, job_title: str = ""
) -> User:
    user.first_name = first_name.strip()
    user.last_name = last_name.strip()
    user.job_title = job_title.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "job_title", "updated_at"])
    return user


# A person holds at most this many working API tokens (one per script is the idea).
API_TOKENS_PER_PERSON = 10


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new API token for one of the person's scripts: the row, and the token itself, which is
    shown to them once (only its hash is kept). It works for API_TOKEN_TTL_DAYS."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after the script that will use it."})
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time
    live = Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    if ApiToken.objects.filter(live, user=user).count() >= API_TOKENS_PER_PERSON:
        raise ValidationError(
            {"name": f"You hold {API_TOKENS_PER_PERSON} tokens already: revoke one first."}
        )
    return ApiToken.objects.create(
        user=user, name=name, expiry=timedelta(days=settings.API_TOKEN_TTL_DAYS)
    )


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """The token stops working at once."""
    token.delete()


@transaction.atomic
def user_active_set(*, user: User, active: bool) -> User:
    """Let a person log in again (`active`) or stop them (the Django admin's "Active"). A
    customer counts among their account's members, on every day since their membership began,
    only while active: a change either way runs the membership hooks, as a removal does (their
    account's engagement history is repaired). Setting what is already set changes nothing."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    for membership in Membership.objects.filter(user=user):
        _membership_changing(membership)
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    return user


@transaction.atomic
def person_access_end(*, user: User) -> None:
    """End every way the person is signed in, at once: each session (its stored hash no longer
    matches, so Django ends it on its next request: User.sessions_generation) and each API
    token. The password stays: a person let back in logs in as before."""
    User.objects.filter(pk=user.pk).update(
        sessions_generation=F("sessions_generation") + 1, updated_at=timezone.now()
    )
    user.refresh_from_db(fields=["sessions_generation", "updated_at"])
    ApiToken.objects.filter(user=user).delete()


@transaction.atomic
def account_create(*, name: str, **fields) -> Account:
    account = Account(
        name=name.strip(), slug=fields.pop("slug", None) or unique_slug(Account, name), **fields
    )
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def account_update(*, account: Account, **fields) -> Account:
    for field, value in fields.items():
        setattr(account, field, value)
    account.full_clean()
    account.save()
    return account


@transaction.atomic
def membership_create(*, user: User, account: Account, role: str = MemberRole.MEMBER) -> Membership:
    if user.internal_roles:
        raise ValidationError({"user": "An internal user cannot be a customer member."})
    if Membership.objects.filter(user=user).exists():
        raise ValidationError({"user": "This person already belongs to an account."})
    return Membership.objects.create(user=user, account=account, role=role)


@transaction.atomic
def membership_set_role(*, membership: Membership, role: str) -> Membership:
    if role not in MemberRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if membership.role == MemberRole.ADMIN and role != MemberRole.ADMIN:
        membership_ensure_another_admin(membership=membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member from their account; they can no longer log in."""
    if membership.role == MemberRole.ADMIN:
        membership_ensure_another_admin(membership=membership)
    user = membership.user
    _membership_changing(membership)
    membership.delete()
    user.is_active = False
    user.save(update_fields=["is_active", "updated_at"])


def membership_ensure_another_admin(*, membership: Membership) -> None:
    """Raise unless the account has an admin besides this membership."""
    others = (
        Membership.objects.select_for_update()
        .filter(account_id=membership.account_id, role=MemberRole.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise ValidationError({"role": "An account needs at least one admin: name another first."})


@transaction.atomic
def team_assignment_create(*, user: User, account: Account, role: str) -> AccountTeamAssignment:
    if not user.internal_roles:
        raise ValidationError({"user": "Only internal users can be on an account team."})
    if role not in TeamRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if AccountTeamAssignment.objects.filter(user=user, account=account).exists():
        raise ValidationError({"user": "This person is already on the account's team."})
    return AccountTeamAssignment.objects.create(user=user, account=account, role=role)


@transaction.atomic
def team_assignment_delete(*, assignment: AccountTeamAssignment) -> None:
    assignment.delete()


@transaction.atomic
def invitation_create(
    *, account: Account, email: str, invited_by: User, role: str = MemberRole.MEMBER
) -> Invitation:
    """Invite a person to an account; the email goes out from a worker after commit."""

    try:
        # Refused for its own letters, never for whose address it resembles (accounts.addresses).
        email = address_plain(email)
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from None
    if role not in MemberRole.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    # Whether an address has a login elsewhere is another tenant's business: the inviter is
    # told only about their own colleagues; the owner of a login elsewhere gets a notice instead
    # of a link (see invitation_send), and the link would be refused anyway.
    person = User.objects.get_by_address(email)
    if person is not None and Membership.objects.filter(account=account, user=person).exists():
        already = f"This person is already a member of {end_sentence(account.name)}"
        raise ValidationError({"email": already})
    # An expired open invitation to the same address is replaced by the new one.
    Invitation.objects.filter(
        account=account,
        email=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__lte=timezone.now(),
    ).update(revoked_at=timezone.now())
    invitation = Invitation(
        account=account,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise ValidationError(
            {"email": "This address already has an open invitation to this account."}
        ) from None
    enqueue("accounts.tasks.invitation_send_task", invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


@transaction.atomic
def invitation_send(*, invitation_id: int) -> bool:
    """Email the invitation link once. Returns False when there is nothing (more) to send.

    The row is locked while the mail goes out: if sending fails the transaction rolls back and
    the task's retry sends it again; a second run after success finds `sent_at` set. A failure
    no retry can mend (config.emails) is recorded on the row instead (`invitation_send_failed`)
    and the invitation is not sent again.
    """
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("account", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.sent_at or invitation.send_failed_at:
        return False
    if invitation.status != "pending":
        return False
    has_login = User.objects.get_by_address(invitation.email) is not None
    template = "accounts/email/invitation_has_login" if has_login else "accounts/email/invitation"
    context = {
        "invitation": invitation,
        "accept_url": f"{settings.SITE_URL}{invitation.get_accept_url()}",
        "login_url": f"{settings.SITE_URL}{reverse('login')}",
    }
    message = EmailMultiAlternatives(
        subject=email_subject(f"You are invited to {invitation.account.name} on Customer Garden"),
        body=render_to_string(f"{template}.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    try:
        message.send()
    except PERMANENT_EMAIL_FAILURES as error:
        invitation_send_failed(invitation_id=invitation.pk, error=error)
        return False
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at", "updated_at"])
    return True


def invitation_send_failed(*, invitation_id: int, error: BaseException) -> bool:
    """Record that the invitation's email could not be sent, for good, with a short reason
    (listed in the Django admin; the team page says so beside the invitation). It is not sent
    again: revoke it and invite again once the cause is mended. False when it had been sent."""
    reason = email_failure_reason(error)
    logger.warning("Invitation %s: its email failed for good: %s", invitation_id, reason)
    recorded = Invitation.objects.filter(pk=invitation_id, sent_at__isnull=True).update(
        send_failed_at=timezone.now(), send_error=reason, updated_at=timezone.now()
    )
    return bool(recorded)


class InvitationInvalid(Exception):
    """The link is unknown, expired, revoked or already used; the message says which."""


def invitation_from_token(*, token: str) -> Invitation:
    pk = Invitation.pk_from_token(token)
    invitation = Invitation.objects.select_related("account").filter(pk=pk).first() if pk else None
    if invitation is None:
        raise InvitationInvalid(
            "This invitation link is not valid. Check that you copied all of it."
        )
    status = invitation.status
    if status == "accepted":
        raise InvitationInvalid("This invitation link has already been used. Log in instead.")
    if status == "revoked":
        raise InvitationInvalid(
            "This invitation was withdrawn. Ask your account admin for a new one."
        )
    if status == "expired":
        raise InvitationInvalid(
            "This invitation link has expired. Ask your account admin for a new one."
        )
    return invitation


@transaction.atomic
def invitation_accept(
    *, token: str, first_name: str, last_name: str, password: str
) -> tuple[User, Membership]:
    """Create the invited person's login and membership. The link works exactly once."""
    invitation = invitation_from_token(token=token)
    now = timezone.now()
    # Claim the invitation: only one concurrent request can turn accepted_at from NULL.
    claimed = Invitation.objects.filter(
        pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now)
    if claimed != 1:
        raise InvitationInvalid("This invitation link has already been used. Log in instead.")
    if User.objects.get_by_address(invitation.email) is not None:
        raise InvitationInvalid(
            "Someone with this email address already has a login. Log in instead."
        )
    try:
        address_plain(invitation.email)
    except ValidationError:
        # An invitation sent before addresses had to be plain: no login is made from it.
        raise InvitationInvalid(
            "This invitation's address holds look-alike letters. Ask your account admin for a "
            "new invitation, with the address typed in plain letters."
        ) from None
    user = User.objects.create_user(
        email=invitation.email,
        password=password,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    with audit_acting(actor=user):  # the audit trail: they joined, by the link they were sent
        membership = Membership.objects.create(
            user=user, account=invitation.account, role=invitation.role
        )
    Invitation.objects.filter(pk=invitation.pk).update(accepted_by=user, updated_at=now)
    return user, membership


def audit_entries_purge(*, older_than_days: int | None = None) -> int:
    """Delete the audit trail's rows older than AUDIT_RETENTION_DAYS (docs/product.md)."""
    days = older_than_days if older_than_days is not None else settings.AUDIT_RETENTION_DAYS
    deleted, _ = AuditEntry.objects.filter(
        timestamp__lt=timezone.now() - timedelta(days=days)
    ).delete()
    return deleted


def invitations_purge(*, older_than_days: int = 90) -> int:
    """Delete invitations that ended (expired, revoked) more than `older_than_days` ago."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    ended = Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    deleted, _ = Invitation.objects.filter(ended, accepted_at__isnull=True).delete()
    return deleted


@transaction.atomic
def person_erase(*, user: User, by: User) -> User:
    """Erase a person's personal data (a programme admin's act, on request or by law).

    Every app's eraser runs first (accounts.personal_data's registry: garden memberships,
    notifications, preferences, follows… go; contributions stay), then the person row is
    anonymised: the name becomes "Former member", the address a unique one that cannot receive
    mail, the password unusable, the login inactive, roles and membership gone. Their ideas,
    comments, posts, votes and feedback stay, so counts, results and other people's threads
    are unchanged, and show a former member as their author. Erasing twice changes nothing.
    """
    from accounts.personal_data import ERASED_NAME, erased_email, personal_data_sections

    if user.pk == by.pk:
        raise ValidationError("You cannot erase yourself.")
    if user.is_superuser and not by.is_superuser:
        raise ValidationError("Only a superuser may erase a superuser.")
    user = User.objects.select_for_update().get(pk=user.pk)
    for section in personal_data_sections():
        if section.eraser is not None:
            section.eraser(user)
    for membership in Membership.objects.filter(user=user):
        _membership_changing(membership)
    Membership.objects.filter(user=user).delete()
    AccountTeamAssignment.objects.filter(user=user).delete()
    # Each group and permission removed by name (not cleared), so the audit trail records which.
    user.groups.remove(*user.groups.all())
    user.user_permissions.remove(*user.user_permissions.all())
    user.first_name = ERASED_NAME
    user.last_name = ""
    user.job_title = ""
    user.email = erased_email(user)
    user.set_unusable_password()  # also ends their sessions: the session hash no longer matches
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    if user.erased_at is None:
        user.erased_at = timezone.now()
        user.erased_by = by
    user.save()
    user.__dict__.pop("_internal_roles", None)
    user.__dict__.pop("_cg_membership", None)
    return user
