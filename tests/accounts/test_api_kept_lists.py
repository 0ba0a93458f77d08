"""The accounts API's lists read a call that asks for nothing but a page from a kept read
(config.sql_once; accounts.selectors' `*_rows`): for every persona, every page size and page,
past the end included, the answer is byte for byte the one the view's queryset and filters give
(the same call with a parameter that changes nothing, which takes that path). On PostgreSQL
that compares the kept SQL with the ORM's; elsewhere both are the ORM's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services
from accounts.audit_trail import audit_rows
from accounts.models import (
    Account,
    AccountTeamAssignment,
    AuditEntry,
    EmailDomain,
    InternalRole,
    Invitation,
    MemberRole,
    Membership,
    TeamRole,
    User,
)
from tests.accounts.factories import (
    AccountFactory,
    InvitationFactory,
    TeamAssignmentFactory,
    customer,
    internal,
)

# A parameter no list reads: the call then takes the view's queryset and filters. It sorts
# after page and page_size, so the links of that answer end with it.
NO_OP = "zz_orm=1"


def _queries(rows: int) -> list[str]:
    """Page sizes and pages, around the edges: the first, a middle and the last page, one past
    it, and pages that are no page."""
    queries = []
    for size in (1, 2, 3, 25, 200):
        last = max(1, -(-rows // size))
        for page in sorted({1, 2, (last + 1) // 2, last, last + 1}):
            queries.append(f"page={page}&page_size={size}")
    return [*queries, "page_size=2", "page=0&page_size=2", "page=x&page_size=2", "page=last"]


def assert_kept_is_the_orms(api, user, path: str, rows: int) -> int:
    """Every page of `path` for `user` as the view's queryset gives it; the number of calls
    answered 200."""
    api.force_authenticate(user)
    answered = 0
    for query in _queries(rows):
        kept = api.get(f"{path}?{query}")
        orm = api.get(f"{path}?{query}&{NO_OP}")
        assert kept.status_code == orm.status_code, (user, path, query)
        assert kept.content == orm.content.replace(f"&{NO_OP}".encode(), b""), (user, path, query)
        answered += kept.status_code == 200
    return answered


@pytest.fixture
def world(db):
    """Three accounts with members (admins and not), account teams, invitations in every state,
    an outsider's account, the four internal personas and a change history."""
    acme = AccountFactory(name="Acme Industrial", slug="acme")
    globex = AccountFactory(name="Globex Logistics", slug="globex")
    initech = AccountFactory(name="Initech", slug="initech")
    people = {}
    for account, size in ((acme, 7), (globex, 4), (initech, 3)):
        for n in range(size):
            role = MemberRole.ADMIN if n == 0 else MemberRole.MEMBER
            person = customer(
                account,
                role=role,
                email=f"p{n}@{account.slug}.example",
                first_name=f"P{n}",
                last_name=account.name.split()[0],
                job_title="Engineer" if n % 2 else "",
            )
            people[account.slug, n] = person
    manager = internal(InternalRole.ACCOUNT_MANAGER, email="carol@garden.example")
    TeamAssignmentFactory(user=manager, account=acme, role=TeamRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(user=manager, account=globex, role=TeamRole.CUSTOMER_SUCCESS_MANAGER)
    for account in (acme, globex, initech):
        TeamAssignmentFactory(account=account)
    now = timezone.now()
    for account in (acme, globex):
        InvitationFactory(account=account, invited_by=people[account.slug, 0])
        InvitationFactory(account=account, accepted_at=now)
        InvitationFactory(account=account, revoked_at=now)
        InvitationFactory(account=account, expires_at=now - dt.timedelta(days=1))
    InvitationFactory(account=initech)
    for account in (acme, globex):
        EmailDomain.objects.create(account=account, domain=f"{account.slug}.example")
        EmailDomain.objects.create(account=account, domain=f"mail.{account.slug}.example")
    admin = internal(InternalRole.PROGRAMME_ADMIN, email="ada@garden.example")
    services.membership_set_role(
        membership=people["acme", 1].membership, role=MemberRole.ADMIN
    )  # a change whose row names a person
    return {
        "programme_admin": admin,
        "product_manager": internal(InternalRole.PRODUCT_MANAGER, email="pat@garden.example"),
        "account_manager": manager,
        "customer_admin": people["acme", 0],
        "customer": people["acme", 2],
        "outsider_admin": people["initech", 0],
    }


LISTS = [
    "/api/v1/accounts/",
    "/api/v1/memberships/",
    "/api/v1/account-teams/",
    "/api/v1/invitations/",
]


@pytest.mark.parametrize("path", LISTS)
def test_the_lists_of_accounts_are_the_orms(api, world, path):
    answered = sum(assert_kept_is_the_orms(api, user, path, rows=16) for user in world.values())
    assert answered > len(world) * 5  # pages were read, not only refusals


def test_an_outsider_reads_only_their_own_account(api, world):
    outsider = world["outsider_admin"]
    api.force_authenticate(outsider)
    for path in LISTS:
        slugs = {row.get("account", row.get("slug")) for row in api.get(path).json()["results"]}
        assert slugs == {"initech"}, path


def test_the_audit_trail_is_the_orms(api, world):
    assert AuditEntry.objects.count() > 20
    rows = AuditEntry.objects.count()
    assert assert_kept_is_the_orms(api, world["programme_admin"], "/api/v1/audit-entries/", rows)
    for persona in ("product_manager", "account_manager", "customer_admin", "outsider_admin"):
        api.force_authenticate(world[persona])
        assert api.get("/api/v1/audit-entries/?page_size=5").status_code == 403


def test_the_audit_trail_names_people_as_the_naming_rule_does(api, world):
    """The kept names of a page (accounts.selectors.people_by_id): the person a change was
    about is named, with the account's name."""
    api.force_authenticate(world["programme_admin"])
    results = api.get("/api/v1/audit-entries/?page_size=200").json()["results"]
    assert any(row["what"].endswith("of P1 Acme") for row in results)
    assert any(row["account"] == "Acme Industrial" for row in results)


def test_the_caller_s_tokens_are_the_orms(api, world):
    for persona, user in world.items():
        for n in range(4):
            services.api_token_create(user=user, name=f"{persona} script {n}")
    expired, _ = services.api_token_create(user=world["customer"], name="old")
    type(expired).objects.filter(pk=expired.pk).update(expiry=timezone.now() - dt.timedelta(1))
    for user in world.values():
        assert assert_kept_is_the_orms(api, user, "/api/v1/me/tokens/", rows=4)


def test_an_account_s_email_domains_are_the_orms(api, world):
    for slug in ("acme", "globex", "initech", "nowhere"):
        for user in world.values():
            assert_kept_is_the_orms(api, user, f"/api/v1/accounts/{slug}/email-domains/", rows=2)
    api.force_authenticate(world["outsider_admin"])
    assert api.get("/api/v1/accounts/acme/email-domains/?page_size=5").status_code == 404


@pytest.mark.needs_postgres
def test_a_page_of_a_list_is_two_queries_at_most(api, world):
    """The kept read: the page, and its count when the page is full (plus the caller's
    own reads, the same on either path)."""
    api.force_authenticate(world["programme_admin"])
    for path in LISTS:
        api.get(f"{path}?page_size=2")
        with CaptureQueriesContext(connection) as kept:
            api.get(f"{path}?page_size=2")
        with CaptureQueriesContext(connection) as orm:
            api.get(f"{path}?page_size=2&{NO_OP}")
        assert len(kept) <= len(orm), path
        assert any("LIMIT" in q["sql"] and "OFFSET" in q["sql"] for q in kept), path


# --- Kept pages made without the serializers (accounts.api.serializers' `*_items`,
# accounts.api.audit.audit_entry_items): plain values in, the serializers' bytes out.


@pytest.fixture
def edges(world):
    """What the items made from values must show as the serializers do: an account with no
    customer date, renewal or contract value, other choices; members with no name and with a
    surname alone; an invitation with no inviter; and audit rows of every shape (no actor, an
    actor with a token's label, an action of no word of ours, many-to-many, money, choices,
    dates, people and accounts that are gone, a person named as of an account they left)."""
    bare = AccountFactory(
        name="Bare Co",
        slug="bare",
        segment="enterprise",
        tier="growth",
        annual_contract_value=Decimal("0.50"),
        currency="EUR",
        customer_since=None,
        renewal_date=None,
    )
    customer(
        bare, role=MemberRole.ADMIN, email="nameless@bare.example", first_name="", last_name=""
    )
    customer(bare, email="surname@bare.example", first_name="", last_name="Only")
    InvitationFactory(account=bare, invited_by=None, role=MemberRole.ADMIN)
    admin = world["programme_admin"]
    kinds = ContentType.objects.get_for_models(Account, Membership, User)
    acme = Account.objects.get(slug="acme")
    moved = world["customer"]
    rows = [
        (Account, {"tier": ["standard", "growth"], "annual_contract_value": ["1.00", "2500.5"]}),
        (Account, {"renewal_date": ["2026-01-02", None], "customer_since": ["", "2020-03-04"]}),
        (User, {"groups": {"type": "m2m", "operation": "add", "objects": ["programme_admin"]}}),
        (User, {"is_active": [True, False], "last_login": ["2026-11-02 10:11:12", None]}),
        (Membership, {"user": [None, moved.pk], "account": [None, 987654]}),
        (Membership, {"user": [None, 876543], "role": ["member", "admin"]}),
    ]
    for n, (model, changes) in enumerate(rows):
        AuditEntry.objects.create(
            content_type=kinds[model],
            object_pk=str(n),
            object_repr=f"thing {n}",
            action=(AuditEntry.Action.UPDATE, 3, AuditEntry.Action.CREATE)[n % 3],
            changes=changes,
            actor=(None, admin)[n % 2],
            actor_label=("", "System", "API token “ci”")[n % 3],
            remote_addr=("10.0.0.7", None)[n % 2],
            account_id=(acme.pk, None, 987654)[n % 3],
            person_id=(moved.pk if n == 4 else None),
        )
    return world


def test_kept_pages_made_without_the_serializers_are_the_orms_in_any_time_zone(api, edges):
    with timezone.override("America/St_Johns"):  # (a zone half an hour off the hour)
        for path in [*LISTS, "/api/v1/audit-entries/"]:
            readers = edges.values() if path in LISTS else [edges["programme_admin"]]
            for user in readers:
                assert_kept_is_the_orms(api, user, path, rows=16)
    api.force_authenticate(edges["programme_admin"])
    people = {
        row["user"]["email"]: row["user"]
        for row in api.get("/api/v1/memberships/?page_size=200").json()["results"]
    }
    assert people["nameless@bare.example"]["full_name"] == ""
    assert people["surname@bare.example"]["full_name"] == "Only"
    (bare,) = [a for a in api.get("/api/v1/accounts/").json()["results"] if a["slug"] == "bare"]
    assert (bare["annual_contract_value"], bare["customer_since"]) == ("0.50", None)
    trail = api.get("/api/v1/audit-entries/?page_size=200").json()["results"]
    shown = {row["what"]: row for row in trail if row["what"].startswith("Account “thing")}
    assert shown["Account “thing 0”"]["changes"][1] == {
        "field": "Tier",
        "before": "Standard",
        "after": "Growth",
    }
    admin = edges["programme_admin"].full_name
    assert (shown["Account “thing 1”"]["action"], shown["Account “thing 1”"]["who"]) == (
        "access",
        f"{admin} (System)",
    )


@pytest.mark.needs_postgres
def test_a_kept_page_makes_no_model_instance(api, edges, monkeypatch):
    """The kept pages read plain values: no Account, Membership, account team, Invitation or
    audit entry is made (the audit trail's page makes the people it names and their
    memberships, as the ORM's path does)."""
    made = []
    for model in (Account, Membership, AccountTeamAssignment, Invitation, AuditEntry):
        from_db = model.from_db.__func__
        monkeypatch.setattr(
            model,
            "from_db",
            classmethod(lambda cls, *a, from_db=from_db: made.append(cls) or from_db(cls, *a)),
        )
    api.force_authenticate(edges["programme_admin"])
    for path in LISTS:
        assert api.get(f"{path}?page_size=3").status_code == 200
    assert made == []
    assert api.get("/api/v1/audit-entries/?page_size=3").status_code == 200
    assert AuditEntry not in made and Account not in made
    made.clear()
    for path in [*LISTS, "/api/v1/audit-entries/"]:
        assert api.get(f"{path}?page_size=3&{NO_OP}").status_code == 200
    assert {Account, Membership, AccountTeamAssignment, Invitation, AuditEntry} <= set(made)


def test_a_page_names_a_person_as_of_each_row_s_account(edges):
    """A person who left the reader's account: named on the rows about them in it (as of its
    account), a member of another account where a row names them as they are now, on the same
    page (accounts.audit_trail names each person once per account they are named as of)."""
    moved, reader = edges["customer"], edges["customer_admin"]
    globex = Account.objects.get(slug="globex")
    Membership.objects.filter(user=moved).update(account=globex)
    kind = ContentType.objects.get_for_model(Membership)
    acme = Account.objects.get(slug="acme")
    for n, person in enumerate((moved.pk, None, moved.pk)):
        AuditEntry.objects.create(
            content_type=kind,
            object_pk=str(n),
            object_repr="",
            action=AuditEntry.Action.UPDATE,
            changes={"user": [None, moved.pk]},
            account_id=acme.pk,
            person_id=person,
        )
    entries = list(AuditEntry.objects.order_by("-pk")[:3])
    for rows in (audit_rows(entries, viewer=reader), audit_rows(entries[::-1], viewer=reader)):
        shown = sorted((row.person, row.changes[0].after) for row in rows)
        assert shown == [
            ("", "A member of another account"),
            (moved.full_name, moved.full_name),
            (moved.full_name, moved.full_name),
        ]
