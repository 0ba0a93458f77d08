"""Reads of the accounts app, shaped for their screens. Lists take a queryset the caller fetched
through accounts.access (visible accounts); the reads of one account take that account. The
audit trail's rows are read here too (accounts/audit_trail.py shows them)."""

from __future__ import annotations

import datetime as dt
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.access import (
    ADMINS_ACCOUNT,
    ALL_ACCOUNTS,
    ASSIGNED_ACCOUNTS,
    OWN_ACCOUNT,
    TEAMS_ACCOUNTS,
    accounts_by_rule,
    invitations_by_rule,
    live_api_tokens,
    memberships_of,
    team_assignments_of,
)
from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    AuditEntry,
    EmailDomain,
    IdentityProvider,
    Invitation,
    MemberRole,
    Membership,
    ScimToken,
    User,
)
from config.sql_once import KeptRows, SqlOnce
from config.sql_prepared import preparing


def account_list(
    *,
    accounts: QuerySet[Account],
    q: str = "",
    segment: str = "",
    tier: str = "",
    sort: str = "name",
) -> QuerySet[Account]:
    """Accounts with their member count, filtered and sorted for the account table. The count
    is a subquery, so a page of an account team's thousands of accounts counts the members of
    its own rows only (PostgreSQL evaluates it after the sort and the limit)."""
    members = (
        Membership.objects.filter(account=OuterRef("pk"))
        .order_by()
        .values("account")
        .annotate(n=Count("pk"))
        .values("n")
    )
    accounts = accounts.annotate(members=Coalesce(Subquery(members), 0))
    if q:
        accounts = accounts.filter(name__icontains=q)
    if segment:
        accounts = accounts.filter(segment=segment)
    if tier:
        accounts = accounts.filter(tier=tier)
    allowed = {"name", "renewal_date", "-annual_contract_value", "-members"}
    return accounts.order_by(sort if sort in allowed else "name", "pk")


def account_members(*, account: Account) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(account=account)
        .select_related("user")
        .order_by("role", "user__first_name", "user__email")  # "admin" sorts first
    )


def account_team(*, account: Account) -> QuerySet[AccountTeamAssignment]:
    return AccountTeamAssignment.objects.filter(account=account).select_related("user")


# How many of an account's members its customers' home lists (the first, in account_members'
# order).
MEMBERS_SHOWN = 12


def _members_shown(account_id: int) -> QuerySet[Membership]:
    """The first MEMBERS_SHOWN of account_members, with what naming them reads (first and last
    name, the account) and how many members the account has in all (`total`, a count over the
    whole window: one query)."""
    return (
        Membership.objects.filter(account_id=account_id)
        .select_related("user")
        .only("role", "account_id", "user__first_name", "user__last_name")
        .annotate(total=Window(Count("*")))
        .order_by("role", "user__first_name", "user__email")[:MEMBERS_SHOWN]
    )


# The members and the team on every customer's home: SQL written once per process.
_MEMBERS_SHOWN = SqlOnce(Membership, _members_shown, account_id=int)
_TEAM = SqlOnce(
    AccountTeamAssignment,
    lambda account_id: (
        AccountTeamAssignment.objects.filter(account_id=account_id)
        .select_related("user")
        .only("role", "account_id", "user__first_name", "user__last_name", "user__email")
    ),
    account_id=int,
)


def account_members_shown(*, account_id: int) -> list[Membership]:
    """The account's first MEMBERS_SHOWN members (account_members' order), each with `total`,
    the number of its members. One query."""
    return _MEMBERS_SHOWN.all(account_id=account_id)


def account_team_list(*, account_id: int) -> list[AccountTeamAssignment]:
    """account_team's rows (the people and their role, with their name and address). One
    query."""
    return _TEAM.all(account_id=account_id)


def account_admin_count(*, account: Account) -> int:
    return Membership.objects.filter(account=account, role=MemberRole.ADMIN).count()


def accounts_renewing(*, accounts: QuerySet[Account], within_days: int = 90) -> QuerySet[Account]:
    today = timezone.localdate()
    return accounts.filter(
        renewal_date__gte=today, renewal_date__lte=today + timedelta(days=within_days)
    ).order_by("renewal_date")


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_entries(
    *,
    kind: type[models.Model] | None = None,
    account_id: int | None = None,
    who: str = "",
    action: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The audit trail, newest first, with what its rows name loaded (their kind and actor):
    of one kind of object, of one account, by whom (a name, an address or the words of a
    non-person: "System", "SCIM token"), of one action, within days (both included)."""
    entries = AuditEntry.objects.select_related("content_type", "actor")
    if kind is not None:
        entries = entries.filter(content_type=ContentType.objects.get_for_model(kind))
    if account_id is not None:
        entries = entries.filter(account_id=account_id)
    if who:
        entries = entries.filter(
            Q(actor__first_name__icontains=who)
            | Q(actor__last_name__icontains=who)
            | Q(actor__email__icontains=who)
            | Q(actor_label__icontains=who)
        )
    if action is not None:
        entries = entries.filter(action=action)
    if since is not None:
        entries = entries.filter(timestamp__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(timestamp__lt=_day_start(until + timedelta(days=1)))
    return entries.order_by("-timestamp", "-pk")


# The whole trail (audit_entries with no filter), its SQL kept (config.sql_once): what counts
# the rows of audit_trail_values (the entries alone, without the join to their actors).
_AUDIT_TRAIL = SqlOnce(
    AuditEntry, lambda: AuditEntry.objects.only("id").order_by("-timestamp", "-pk")
)


# A row of audit_trail_values: what audit_rows reads of an entry and of its actor, as values
# (accounts.audit_trail.EntryValues names them).
AUDIT_VALUES = (
    "id",
    "timestamp",
    "action",
    "object_repr",
    "changes",
    "remote_addr",
    "actor_label",
    "account_id",
    "person_id",
    "actor_account_id",
    "content_type_id",
    "actor_id",
    "actor__first_name",
    "actor__last_name",
)
_AUDIT_TRAIL_VALUES = SqlOnce(
    AuditEntry,
    lambda: AuditEntry.objects.order_by("-timestamp", "-pk").values_list(*AUDIT_VALUES),
)


def audit_trail_values() -> KeptRows:
    """audit_entries() with no filter (the whole trail, newest first), a page at a time, as
    tuples of AUDIT_VALUES: what audit_rows reads of an entry and of its actor."""
    return _AUDIT_TRAIL_VALUES.rows(counted_by=_AUDIT_TRAIL)


# The people and accounts a page of audit rows names (accounts/audit_trail.py), by their ids.
_NAMED_PEOPLE = SqlOnce(
    User,
    lambda ids: (
        User.objects.select_related("membership")
        .only("first_name", "last_name", "membership__account")  # what naming them reads
        .filter(pk__any_of=ids)
    ),
    ids=list,
)
_NAMED_ACCOUNTS = SqlOnce(
    Account,
    lambda ids: Account.objects.filter(pk__any_of=ids).values_list("pk", "name", "currency"),
    ids=list,
)


def people_by_id(ids: list[int]) -> dict[int, User]:
    """The people of these ids (those that still are), with what naming them reads (their
    names, their membership's account): one query, none for no id."""
    return {person.pk: person for person in _NAMED_PEOPLE.all(ids=ids)} if ids else {}


def account_names_by_id(ids: list[int]) -> list[tuple[int, str, str]]:
    """(id, name, currency) of the accounts of these ids (those that still are): one query,
    none for no id."""
    return _NAMED_ACCOUNTS.all(ids=ids) if ids else []


# people_by_id's and account_names_by_id's rows in one SELECT: (True, a person's id, names,
# membership's id and account) and (False, an account's id, name, currency, None, None).
_NAMED_SQL = f"""SELECT TRUE, u.id, u.first_name, u.last_name, m.id, m.account_id
FROM {User._meta.db_table} u LEFT JOIN {Membership._meta.db_table} m ON m.user_id = u.id
WHERE u.id = ANY(%s::bigint[])
UNION ALL
SELECT FALSE, a.id, a.name, a.currency, NULL, NULL FROM {Account._meta.db_table} a
WHERE a.id = ANY(%s::bigint[])"""  # noqa: S608 (our tables' names, no value)
_MEMBERSHIP_OF = Membership._meta.get_field("user").remote_field  # user.membership


def people_and_accounts_by_id(
    people: list[int], accounts: list[int]
) -> tuple[dict[int, User], list[tuple[int, str, str]]]:
    """`people_by_id(people)` and `account_names_by_id(accounts)`, the same people and rows:
    on PostgreSQL in one prepared SELECT of plain values (the two ORM reads cost a page of the
    audit trail a fifth of its CPU), none for no id."""
    connection = connections[router.db_for_read(User)]
    if connection.vendor != "postgresql" or not (people or accounts):
        return people_by_id(people), account_names_by_id(accounts)
    with (preparing(connection) if settings.PREPARE_KEPT_SQL else connection).cursor() as cursor:
        cursor.execute(_NAMED_SQL, [people, accounts])
        rows = cursor.fetchall()
    found, names = {}, []
    for is_person, pk, first, second, membership_id, account_id in rows:
        if not is_person:
            names.append((pk, first, second))
            continue
        person = User.from_db(
            connection.alias, ("id", "first_name", "last_name"), (pk, first, second)
        )
        membership = None
        if membership_id is not None:
            membership = Membership.from_db(
                connection.alias, ("id", "account_id"), (membership_id, account_id)
            )
        _MEMBERSHIP_OF.set_cached_value(person, membership)
        found[pk] = person
    return found, names


# What of an account's history its own admin reads: its memberships and roles, its people's
# logins, and the sign-in settings they manage themselves (single sign-on, SCIM tokens).
ACCOUNT_HISTORY_MODELS = (Membership, User, IdentityProvider, EmailDomain, ScimToken)


# Who made a change in an account's history: its own people (a customer acting as a member of
# an account), Customer Garden's staff (a person with no account), or no person (single
# sign-on, a SCIM token, the system).
HISTORY_ACTORS = {
    "people": Q(actor__isnull=False, actor_account__isnull=False),
    "staff": Q(actor__isnull=False, actor_account__isnull=True),
    "automatic": Q(actor__isnull=True),
}


def account_history(
    *,
    account: Account,
    kind: type[models.Model] | None = None,
    actor: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """An account's membership history for its admins, newest first: of one kind of object
    (one of ACCOUNT_HISTORY_MODELS), by one kind of actor (HISTORY_ACTORS), within days (both
    included)."""
    models_shown = [kind] if kind in ACCOUNT_HISTORY_MODELS else ACCOUNT_HISTORY_MODELS
    kinds = ContentType.objects.get_for_models(*models_shown).values()
    entries = AuditEntry.objects.filter(account=account, content_type__in=list(kinds))
    if actor:
        entries = entries.filter(HISTORY_ACTORS[actor])
    if since is not None:
        entries = entries.filter(timestamp__gte=_day_start(since))
    if until is not None:
        entries = entries.filter(timestamp__lt=_day_start(until + timedelta(days=1)))
    return entries.select_related("content_type", "actor").order_by("-timestamp", "-pk")


# The API's lists of accounts, memberships, account teams and invitations as a call that asks
# for nothing but a page reads them (config.api.asks_only_a_page): the view's queryset in its
# default order (the model's), its SQL kept per access rule (accounts.access' `*_rule`).


def _per_rule(model, build, rules: tuple[str, ...]) -> dict[str, SqlOnce]:
    """Kept reads of `build(rule, value)` for each rule; ALL_ACCOUNTS reads no value."""
    return {
        rule: (
            SqlOnce(model, lambda rule=rule: build(rule, 0))
            if rule == ALL_ACCOUNTS
            else SqlOnce(model, lambda value, rule=rule: build(rule, value), value=int)
        )
        for rule in rules
    }


# The columns the API's lists show (accounts.api.serializers); a row's other columns,
# datetimes most of them, would cost their conversion for nothing.
_PERSON = ("id", "email", "first_name", "last_name", "job_title")  # PersonSerializer's
_ACCOUNT = (
    "id",
    "name",
    "slug",
    "segment",
    "tier",
    "annual_contract_value",
    "currency",
    "customer_since",
    "renewal_date",
    "created_at",
    "updated_at",
)
_MEMBER = ("id", "role", "created_at", "account__slug", *(f"user__{f}" for f in _PERSON))
_INVITATION = (
    "id",
    "email",
    "role",
    "expires_at",
    "sent_at",
    "accepted_at",
    "revoked_at",
    "created_at",
    "account__slug",
    *(f"invited_by__{f}" for f in _PERSON),
)
_ACCOUNT_RULES = (ALL_ACCOUNTS, OWN_ACCOUNT, ASSIGNED_ACCOUNTS)
# The lists as instances with those columns: what counts the rows of the lists of values below
# (as Django counts these: the rows alone, without their joins and order).
_ACCOUNTS = _per_rule(
    Account, lambda rule, value: accounts_by_rule(rule, value).only(*_ACCOUNT), _ACCOUNT_RULES
)
_MEMBERSHIPS = _per_rule(
    Membership,
    lambda rule, value: (
        memberships_of(accounts_by_rule(rule, value))
        .select_related("user", "account")
        .only(*_MEMBER)
    ),
    _ACCOUNT_RULES,
)
_TEAM_ASSIGNMENTS = _per_rule(
    AccountTeamAssignment,
    lambda rule, value: (
        team_assignments_of(accounts_by_rule(rule, value))
        .select_related("user", "account")
        .only(*_MEMBER)
    ),
    _ACCOUNT_RULES,
)
_INVITATIONS = _per_rule(
    Invitation,
    lambda rule, value: (
        invitations_by_rule(rule, value).select_related("account", "invited_by").only(*_INVITATION)
    ),
    (*_ACCOUNT_RULES, ADMINS_ACCOUNT, TEAMS_ACCOUNTS),
)


_API_TOKENS = SqlOnce(
    ApiToken, lambda user_id, now: live_api_tokens(user_id, now=now), user_id=int, now=dt.datetime
)
_EMAIL_DOMAINS = SqlOnce(
    EmailDomain,
    lambda account_id: EmailDomain.objects.filter(account_id=account_id).order_by("domain"),
    account_id=int,
)


def api_token_rows(*, user_id: int, now: dt.datetime) -> KeptRows:
    """The person's API tokens that still work at `now` (visible_api_tokens)."""
    return _API_TOKENS.rows(user_id=user_id, now=now)


def email_domain_rows(*, account_id: int) -> KeptRows:
    """The account's email domains, by name."""
    return _EMAIL_DOMAINS.rows(account_id=account_id)


# The same lists as plain values, in the same order: the API makes its items of them itself
# (accounts.api.serializers' `*_items`), counted as the lists of instances above count them
# (their rows alone, without the joins the values need).
MEMBER_VALUES = _MEMBER  # id, role, created_at, the account's slug, the person's _PERSON
INVITATION_VALUES = _INVITATION  # its own columns, the account's slug, the inviter's _PERSON
_ACCOUNT_VALUES = _per_rule(
    Account,
    lambda rule, value: accounts_by_rule(rule, value).values_list(*_ACCOUNT),
    _ACCOUNT_RULES,
)
_MEMBERSHIP_VALUES = _per_rule(
    Membership,
    lambda rule, value: memberships_of(accounts_by_rule(rule, value)).values_list(*MEMBER_VALUES),
    _ACCOUNT_RULES,
)
_TEAM_ASSIGNMENT_VALUES = _per_rule(
    AccountTeamAssignment,
    lambda rule, value: team_assignments_of(accounts_by_rule(rule, value)).values_list(
        *MEMBER_VALUES
    ),
    _ACCOUNT_RULES,
)
_INVITATION_VALUES = _per_rule(
    Invitation,
    lambda rule, value: invitations_by_rule(rule, value).values_list(*INVITATION_VALUES),
    (*_ACCOUNT_RULES, ADMINS_ACCOUNT, TEAMS_ACCOUNTS),
)


def _values(reads: dict[str, SqlOnce], counters: dict[str, SqlOnce], rule) -> KeptRows:
    name, value = rule
    values = {} if name == ALL_ACCOUNTS else {"value": value}
    return reads[name].rows(counted_by=counters[name], **values)


def account_values(*, rule: tuple[str, int]) -> KeptRows:
    """The accounts of a visible_accounts rule (visible_accounts_rule), by name, as tuples of
    the API's columns (`_ACCOUNT`)."""
    return _values(_ACCOUNT_VALUES, _ACCOUNTS, rule)


def membership_values(*, rule: tuple[str, int]) -> KeptRows:
    """The memberships of a visible_accounts rule's accounts, as tuples of MEMBER_VALUES."""
    return _values(_MEMBERSHIP_VALUES, _MEMBERSHIPS, rule)


def team_assignment_values(*, rule: tuple[str, int]) -> KeptRows:
    """The account teams of a visible_accounts rule's accounts, as tuples of MEMBER_VALUES."""
    return _values(_TEAM_ASSIGNMENT_VALUES, _TEAM_ASSIGNMENTS, rule)


def invitation_values(*, rule: tuple[str, int]) -> KeptRows:
    """The invitations of a visible_invitations rule, as tuples of INVITATION_VALUES."""
    return _values(_INVITATION_VALUES, _INVITATIONS, rule)
