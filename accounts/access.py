"""Who may see and change which accounts, memberships, account teams, invitations, API tokens,
SCIM tokens and single sign-on settings, which people an account's SCIM token reaches, and who
reads the audit trail.

Every view and API view of `accounts` fetches through these functions; nothing else filters by
account. A fetch returns the object, or raises Http404 when the user may not see it (so its
existence does not leak) and PermissionDenied when they may see it but not change it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    EmailDomain,
    Invitation,
    MemberRole,
    Membership,
    ScimToken,
    User,
)
from config.sql_once import SqlOnce


def customer_membership(user: User) -> Membership | None:
    """The customer's membership, or None for internal users (cached on the user object)."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_cg_membership"):
        if "membership" in user._state.fields_cache:  # select_related("membership") loaded it
            user._cg_membership = user._state.fields_cache["membership"]
        else:
            user._cg_membership = (
                Membership.objects.select_related("account").filter(user=user).first()
            )
    return user._cg_membership


def active_customer_account_id(user: User) -> int | None:
    """The account of an active customer, whose visible rows are their account's; None for
    internal users and inactive people (their rows come from the general rules)."""
    membership = customer_membership(user)
    return membership.account_id if membership is not None and user.is_active else None


def is_internal(user: User) -> bool:
    """The one answer to "is this an internal user?": a signed-in person who is not a member of
    a customer account (account teams, product managers, programme admins, superusers)."""
    return user.is_authenticated and customer_membership(user) is None


def sees_all_accounts(user: User) -> bool:
    return user.is_authenticated and user.has_perm("accounts.view_all_accounts")


def manages_all_accounts(user: User) -> bool:
    return user.is_authenticated and user.has_perm("accounts.manage_all_accounts")


# visible_accounts' rules: every account, the customer's own, the account team's assigned ones.
ALL_ACCOUNTS, OWN_ACCOUNT, ASSIGNED_ACCOUNTS = "all", "own", "assigned"


def visible_accounts_rule(user: User) -> tuple[str, int] | None:
    """Which of visible_accounts' rules gives the user's accounts, with the one value it reads
    (the customer's account id; else the user's id): None for a user who sees none. (A rule
    and a plain value, so that a list read on every call can keep its SQL per rule:
    config.sql_once.)"""
    if not user.is_authenticated or not user.is_active:
        return None
    if sees_all_accounts(user):
        return ALL_ACCOUNTS, user.pk
    membership = customer_membership(user)
    if membership is not None:
        return OWN_ACCOUNT, membership.account_id
    return ASSIGNED_ACCOUNTS, user.pk


def accounts_by_rule(rule: str, value: int) -> QuerySet[Account]:
    """The accounts of one of visible_accounts' rules for its value (visible_accounts_rule)."""
    if rule == OWN_ACCOUNT:
        return Account.objects.filter(pk=value)
    return internal_accounts(value, sees_all=rule == ALL_ACCOUNTS)


def visible_accounts(user: User) -> QuerySet[Account]:
    """Accounts the user may see: their own (customer), assigned (account team), all (PM, admin)."""
    rule = visible_accounts_rule(user)
    if rule is None:
        return Account.objects.none()
    return accounts_by_rule(*rule)


def internal_accounts(user_id: int, *, sees_all: bool) -> QuerySet[Account]:
    """visible_accounts' rule for an active internal user, by their id and whether they see all
    accounts: every account, or those of their account teams. (By id, so that a read asked on
    every page can keep its SQL: config.sql_once.)"""
    if sees_all:
        return Account.objects.all()
    assigned = AccountTeamAssignment.objects.filter(user_id=user_id).values("account_id")
    return Account.objects.filter(pk__in=assigned)


def assigned_accounts(user: User, *, accounts: QuerySet[Account]) -> QuerySet[Account]:
    """Those of `accounts` whose account team the user is in. A semi-join (IN), not a join
    with DISTINCT: an account team serving thousands of accounts would have every column of
    every account compared to drop duplicates that cannot exist."""
    assigned = AccountTeamAssignment.objects.filter(user=user).values("account_id")
    return accounts.filter(pk__in=assigned)


def can_manage_account(user: User, account: Account) -> bool:
    """May invite people, change roles and remove members of this account."""
    if manages_all_accounts(user):
        return True
    membership = customer_membership(user)
    if membership is not None:
        return membership.account_id == account.pk and membership.role == MemberRole.ADMIN
    return AccountTeamAssignment.objects.filter(user=user, account=account).exists()


def can_edit_account_record(user: User, account: Account) -> bool:
    """May change the account's own record (name, segment, contract value, renewal date)."""
    return manages_all_accounts(user)


# visible_accounts(user).filter(slug=…).first() per rule, its SQL kept (config.sql_once): every
# page and API call about one account fetches it so.
_VISIBLE_BY_SLUG = {
    ALL_ACCOUNTS: SqlOnce(
        Account, lambda slug: accounts_by_rule(ALL_ACCOUNTS, 0).filter(slug=slug)[:1], slug=str
    ),
    **{
        rule: SqlOnce(
            Account,
            lambda slug, value, rule=rule: accounts_by_rule(rule, value).filter(slug=slug)[:1],
            slug=str,
            value=int,
        )
        for rule in (OWN_ACCOUNT, ASSIGNED_ACCOUNTS)
    },
}


def _visible_account(user: User, account_id: int | str) -> Account | None:
    """visible_accounts(user)'s account of that primary key (an int) or slug (a str)."""
    rule = visible_accounts_rule(user)
    if rule is None or not isinstance(account_id, str):
        lookup = {"pk": account_id} if isinstance(account_id, int) else {"slug": account_id}
        return visible_accounts(user).filter(**lookup).first()
    name, value = rule
    if name == ALL_ACCOUNTS:
        return _VISIBLE_BY_SLUG[name].first(slug=account_id)
    return _VISIBLE_BY_SLUG[name].first(slug=account_id, value=value)


def access_account(user: User, account_id: int | str, *, for_write: bool = False) -> Account:
    """Fetch by primary key (an int) or slug (a str, even one of digits only: "1&1" → "11")."""
    account = _visible_account(user, account_id)
    if account is None:
        raise Http404("No such account.")
    if for_write and not can_edit_account_record(user, account):
        raise PermissionDenied("You may not change this account.")
    return account


def access_account_for_management(user: User, account_id: int | str) -> Account:
    """The account, if the user may manage its people (invite, change roles)."""
    account = access_account(user, account_id)
    if not can_manage_account(user, account):
        raise PermissionDenied("Only the account's admins and its account team may do this.")
    return account


def can_set_identity_provider(user: User, account: Account) -> bool:
    """May set the account's single sign-on: a programme admin, or the account's own admin."""
    if manages_all_accounts(user):
        return True
    membership = customer_membership(user)
    return (
        membership is not None
        and membership.account_id == account.pk
        and membership.role == MemberRole.ADMIN
    )


def can_set_email_domains(user: User) -> bool:
    """Which addresses join which account is the programme admins' decision: a customer's admin
    could otherwise claim a domain that is not theirs."""
    return manages_all_accounts(user)


def access_account_for_sso(user: User, account_id: int | str) -> Account:
    """The account, if the user may set its identity provider; 404 unseen, 403 seen."""
    account = access_account(user, account_id)
    if not can_set_identity_provider(user, account):
        raise PermissionDenied("Only the account's admins and programme admins set its sign-in.")
    return account


def access_account_for_email_domains(user: User, account_id: int | str) -> Account:
    """The account, if the user may change its email domains (programme admins); 404 unseen,
    403 for whoever may see its single sign-on settings but not its domains, or not even
    those."""
    account = access_account_for_sso(user, account_id)
    if not can_set_email_domains(user):
        raise PermissionDenied("Only programme admins set an account's email domains.")
    return account


def access_email_domain(user: User, account_id: int | str, domain: str) -> EmailDomain:
    """One of the account's email domains, for a user who may change them; 404 for a domain
    that is not the account's (whoever's it is)."""
    account = access_account_for_email_domains(user, account_id)
    found = account.email_domains.filter(domain=str(domain).strip().lower()).first()
    if found is None:
        raise Http404("No such email domain of this account.")
    return found


def visible_memberships(user: User) -> QuerySet[Membership]:
    return memberships_of(visible_accounts(user))


def memberships_of(accounts: QuerySet[Account]) -> QuerySet[Membership]:
    """The memberships of those accounts (visible_memberships' rule, by the accounts)."""
    return Membership.objects.filter(account__in=accounts)


def access_membership(user: User, membership_id: int, *, for_write: bool = False) -> Membership:
    membership = (
        visible_memberships(user).select_related("user", "account").filter(pk=membership_id).first()
    )
    if membership is None:
        raise Http404("No such member.")
    if for_write and not can_manage_account(user, membership.account):
        raise PermissionDenied("Only the account's admins and its account team may do this.")
    return membership


def visible_team_assignments(user: User) -> QuerySet[AccountTeamAssignment]:
    """A customer sees their own account's team (their contacts); internal users as accounts."""
    return team_assignments_of(visible_accounts(user))


def team_assignments_of(accounts: QuerySet[Account]) -> QuerySet[AccountTeamAssignment]:
    """The account teams of those accounts (visible_team_assignments' rule, by the accounts)."""
    return AccountTeamAssignment.objects.filter(account__in=accounts)


def can_manage_account_teams(user: User) -> bool:
    return manages_all_accounts(user)


def access_team_assignment(
    user: User, assignment_id: int, *, for_write: bool = False
) -> AccountTeamAssignment:
    assignment = (
        visible_team_assignments(user)
        .select_related("user", "account")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        raise Http404("No such assignment.")
    if for_write and not can_manage_account_teams(user):
        raise PermissionDenied("Only programme admins assign account teams.")
    return assignment


# visible_invitations' rules, besides those of the accounts a manager of all accounts sees
# (visible_accounts_rule's): a customer admin's account's, an account team member's.
ADMINS_ACCOUNT, TEAMS_ACCOUNTS = "admin's", "team's"


def visible_invitations_rule(user: User) -> tuple[str, int] | None:
    """Which rule gives the invitations the user sees, with the one value it reads: for a
    manager of all accounts, the rule of the accounts they see (visible_accounts_rule); for a
    customer's admin, ADMINS_ACCOUNT and their account's id; for anyone else internal,
    TEAMS_ACCOUNTS and their id. None for a user who sees none."""
    accounts_rule = visible_accounts_rule(user)
    if accounts_rule is None:
        return None
    if manages_all_accounts(user):
        return accounts_rule
    membership = customer_membership(user)
    if membership is not None:
        return (ADMINS_ACCOUNT, membership.account_id) if membership.is_admin else None
    return TEAMS_ACCOUNTS, user.pk


def invitations_by_rule(rule: str, value: int) -> QuerySet[Invitation]:
    """The invitations of one of visible_invitations' rules for its value."""
    if rule == ADMINS_ACCOUNT:
        return Invitation.objects.filter(account_id=value)
    if rule == TEAMS_ACCOUNTS:
        return Invitation.objects.filter(account__team_assignments__user=value)
    return Invitation.objects.filter(account__in=accounts_by_rule(rule, value))


def visible_invitations(user: User) -> QuerySet[Invitation]:
    """Invitations are seen by those who may manage the account's people, no one else."""
    rule = visible_invitations_rule(user)
    if rule is None:
        return Invitation.objects.none()
    return invitations_by_rule(*rule)


def access_invitation(user: User, invitation_id: int, *, for_write: bool = False) -> Invitation:
    invitation = (
        visible_invitations(user)
        .select_related("account", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    # Whoever may see an invitation manages the account, so may also revoke it.
    return invitation


def can_erase_people(user: User) -> bool:
    """Erasing a person's personal data is a programme admin's act."""
    return manages_all_accounts(user) and user.is_active


def access_person_for_erasure(user: User, person_id: int) -> User:
    """The person to erase: 404 when the caller may not see them (another account's member,
    an internal person for a customer), 403 when they may see them but not erase them."""
    person = User.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person.")
    if can_erase_people(user):
        return person
    sees_person = person.pk == user.pk or (
        visible_memberships(user).filter(user_id=person.pk).exists()
    )
    if not sees_person:
        raise Http404("No such person.")
    raise PermissionDenied("Only programme admins erase personal data.")


def visible_api_tokens(user: User) -> QuerySet[ApiToken]:
    """The person's own API tokens that still work, newest first. Nobody sees another person's
    tokens, whatever their role (a programme admin deletes a leaked one in the Django admin)."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return live_api_tokens(user.pk, now=timezone.now())


def live_api_tokens(user_id: int, *, now) -> QuerySet[ApiToken]:
    """visible_api_tokens' rule, by the person's id and the moment."""
    live = Q(expiry__isnull=True) | Q(expiry__gt=now)
    return ApiToken.objects.filter(live, user_id=user_id).order_by("-created", "token_key")


def access_api_token(user: User, key: str) -> ApiToken:
    """One of the person's own working tokens, by the characters it starts with (`token_key`:
    the only name a token has, since the token itself is never stored); 404 otherwise."""
    token = visible_api_tokens(user).filter(token_key=key).first()
    if token is None:
        raise Http404("No API token of yours starts with these characters.")
    return token


def can_manage_provisioning(user: User, account: Account) -> bool:
    """May issue and revoke the account's SCIM tokens: its customer admins and programme
    admins (the account team manages people by hand, not the identity provider's link)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if manages_all_accounts(user):
        return True
    membership = customer_membership(user)
    return (
        membership is not None
        and membership.account_id == account.pk
        and membership.role == MemberRole.ADMIN
    )


def access_account_for_provisioning(user: User, account_id: int | str) -> Account:
    account = access_account(user, account_id)
    if not can_manage_provisioning(user, account):
        raise PermissionDenied("Only the account's admins connect its identity provider.")
    return account


def visible_scim_tokens(user: User, account: Account) -> QuerySet[ScimToken]:
    """The account's working SCIM tokens, for those who may manage them; none for others."""
    if not can_manage_provisioning(user, account):
        return ScimToken.objects.none()
    return ScimToken.objects.filter(account=account, revoked_at__isnull=True).select_related(
        "created_by"
    )


def access_scim_token(user: User, token_id: int) -> ScimToken:
    """A working SCIM token the user may revoke: 404 when they may not see the account, 403
    when they may see it but not manage its provisioning."""
    token = (
        ScimToken.objects.select_related("account")
        .filter(pk=token_id, revoked_at__isnull=True)
        .first()
    )
    if token is None or not visible_accounts(user).filter(pk=token.account_id).exists():
        raise Http404("No such SCIM token.")
    if not can_manage_provisioning(user, token.account):
        raise PermissionDenied("Only the account's admins connect its identity provider.")
    return token


def scim_people(account: Account) -> QuerySet[User]:
    """The people an account's SCIM token reaches: its members, and those its identity provider
    provisioned (deactivated ones too, until it deletes them). Nobody of another account, not
    even someone it provisioned who has since become a member elsewhere."""
    return User.objects.filter(
        Q(membership__account=account) | Q(scim_person__account=account, membership__isnull=True)
    ).select_related("membership", "scim_person")


def access_scim_person(account: Account, person_id: str) -> User:
    """One of the account's people by their SCIM id; 404 for anyone else, as for no one."""
    if not (person_id.isascii() and person_id.isdigit() and len(person_id) <= 18):
        raise Http404("No such user.")
    person = scim_people(account).filter(pk=int(person_id)).first()
    if person is None:
        raise Http404("No such user.")
    return person


def can_read_audit_trail(user: User) -> bool:
    """The whole audit trail (every account, setting and token) is for programme admins."""
    return user.is_authenticated and user.is_active and manages_all_accounts(user)


def require_audit_trail_reader(user: User) -> None:
    """403 for anyone but a programme admin (the trail is one page, not an object to hide)."""
    if not can_read_audit_trail(user):
        raise PermissionDenied("The audit trail is for programme admins.")


def access_account_history(user: User, account_id: int | str) -> Account:
    """The account whose membership history the user may read: those who manage its people
    (its own admins, its account team, programme admins). 404 for an account they do not see,
    403 for one they see but do not manage (its members, product managers)."""
    account = access_account(user, account_id)
    if not can_manage_account(user, account):
        raise PermissionDenied("Only the account's admins and its account team read its history.")
    return account
