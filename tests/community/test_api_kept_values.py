"""The community API lists whose kept pages are read as plain values and made into their items
without their serializers (outcomes, a garden's members, threads, a thread's posts, harvests,
gardens, garden invitations), and an account's engagement history (made without serializer
objects), answer byte for byte what the serializers answer, in the cases a value decides:
people without names, a gone author, another account's members named in a garden that names
them and not in one that does not, the company's people, a custom theme with and without its
own name, stewards, hidden and edited posts, the reader's own reactions, drafts, a harvest whose
garden a customer may not learn, sources, amounts, recorders, answered invitations, scores.

Each kept answer is compared with the same call through the ORM's path (a parameter that
changes nothing), or, for the lists that take no filter (a garden's members, a thread's posts),
with the old reads and serializers put back (tests/community/test_api_kept_lists.py); on
PostgreSQL a kept page is checked to make no model instance of its rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from accounts.models import InternalRole, MemberRole, User
from community.api.engagement import EngagementHistorySerializer, SnapshotSerializer
from community.models import (
    EngagementSnapshot,
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
    Harvest,
    HarvestAudience,
    LoyaltyOutcome,
    Post,
    Thread,
)
from community.services import discussions
from community.services.gardens import garden_join
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer, internal
from tests.api_helpers import api_login
from tests.community.factories import (
    EngagementSnapshotFactory,
    GardenFactory,
    HarvestFactory,
    reply,
    start,
)
from tests.community.test_api_kept_lists import _old_member_reads, _old_post_reads

# (page, page_size): every row alone, pages of three, one page of all, past the end.
PAGES = [(1, 1), (2, 1), (5, 1), (1, 3), (2, 3), (1, 25), (2, 25), (9, 1), (None, None)]
FILTERED = [
    "/api/v1/threads/",
    "/api/v1/harvests/",
    "/api/v1/gardens/",
    "/api/v1/garden-invitations/",
    "/api/v1/outcomes/",
]


@pytest.fixture
def world(db):
    """Acme's named member, nameless member and admin; Beta's member Ana (no surname) and a
    member who left (their thread's author is gone); the company's nameless steward, a named
    one, an account manager without a name and a programme admin. A garden that names other
    accounts' members (a custom theme with its name), one that does not (a custom theme
    without one), an invite-only garden Acme accepted and Beta was invited to."""
    acme = AccountFactory(name="Acme", slug="acme")
    beta = AccountFactory(name="Beta", slug="beta")
    people = {
        "member_a": customer(acme, first_name="Mia", last_name="Acme"),
        "nameless_a": customer(acme, first_name="", last_name=""),
        "admin_a": customer(acme, role=MemberRole.ADMIN, first_name="Ada", last_name="Admin"),
        "member_b": customer(beta, first_name="Ana", last_name=""),
        "admin_b": customer(beta, role=MemberRole.ADMIN, first_name="Bo", last_name="Beta"),
        "steward": internal(
            InternalRole.CUSTOMER_SUCCESS_MANAGER,
            email="a.steward@company.example",
            first_name="",
            last_name="",
        ),
        "named_steward": internal(
            InternalRole.CUSTOMER_SUCCESS_MANAGER,
            email="stella@company.example",
            first_name="Stella",
            last_name="Steward",
        ),
        "manager": internal(InternalRole.ACCOUNT_MANAGER, first_name="", last_name=""),
        "programme_admin": internal(InternalRole.PROGRAMME_ADMIN, first_name="Pia", last_name=""),
    }
    TeamAssignmentFactory(user=people["manager"], account=acme)
    gone = customer(beta, first_name="Gus", last_name="Gone")
    naming = GardenFactory(
        name="Field", slug="field", shows_other_members=True, theme=GardenTheme.CUSTOM
    )
    naming.custom_theme = "Field trips"
    naming.save(update_fields=["custom_theme"])
    plain = GardenFactory(name="Plain", slug="plain", theme=GardenTheme.CUSTOM, custom_theme="")
    invite = GardenFactory(name="Invite", slug="invite", visibility=GardenVisibility.INVITE_ONLY)
    now = timezone.now()
    GardenAccount.objects.create(
        garden=invite, account=acme, status=GardenAccountStatus.ACCEPTED, responded_at=now
    )
    GardenAccount.objects.create(garden=invite, account=beta)  # still invited
    naming.stewards.add(people["steward"], people["named_steward"])
    invite.stewards.add(people["named_steward"])
    for garden in (naming, plain):
        for name in ("member_a", "nameless_a", "member_b"):
            garden_join(garden=garden, user=people[name])
        garden_join(garden=garden, user=gone)
    garden_join(garden=invite, user=people["member_a"])
    threads = {}
    for garden in (naming, plain):
        for name, author in (
            ("beta", people["member_b"]),
            ("nameless", people["nameless_a"]),
            ("company", people["programme_admin"]),
            ("gone", gone),
        ):
            threads[garden.slug, name] = start(garden, author, title=f"{garden.slug} {name}")
    thread = threads["field", "beta"]
    posts = [reply(thread, author) for author in (people["member_a"], gone, people["member_b"])]
    discussions.reaction_toggle(post=posts[0], user=people["member_b"], kind="helpful")
    discussions.reaction_toggle(post=posts[2], user=people["member_a"], kind="thanks")
    discussions.post_edit(post=posts[2], editor=people["member_b"], body="Edited *once*")
    discussions.post_hide(post=posts[1], steward=people["steward"], reason="Off topic")
    gone.delete()  # their threads and posts stay, by no one
    HarvestFactory(garden=invite, slug="invite-all", source_url="https://example.com/a")
    HarvestFactory(
        garden=naming,
        slug="field-from-thread",
        source_thread=thread,
        source_pilot_ref=7,
        audience=HarvestAudience.GARDEN,
    )
    HarvestFactory(
        garden=None,
        slug="segments",
        audience=HarvestAudience.SEGMENTS,
        segments=[str(acme.segment), str(beta.segment)],
    )
    HarvestFactory(garden=plain, slug="draft", published_at=None)
    for n, (account, kind, amount, by) in enumerate(
        [
            (acme, "contracted", Decimal("250.50"), people["manager"]),
            (acme, "expanded", Decimal("1200"), people["programme_admin"]),
            (beta, "renewed", None, None),
            (beta, "churned", None, people["manager"]),
        ]
    ):
        outcome_record(
            account=account,
            kind=kind,
            occurred_on=timezone.localdate() - dt.timedelta(days=n // 2),
            amount=amount,
            recorded_by=by,
            note=f"Outcome «{n}»",
        )
    return people, {"naming": naming, "plain": plain, "thread": thread}


def _query(page, size) -> str:
    return "" if page is None else f"?page={page}&page_size={size}"


def _unmarked(response) -> bytes:
    return response.content.replace(b"orm=1&", b"").replace(b"?orm=1", b"")


@pytest.mark.parametrize("url", FILTERED)
def test_a_kept_page_of_values_is_the_orms(api, world, url):
    people, _ = world
    compared = 0
    for name, person in people.items():
        api_login(api, person)
        for page, size in PAGES:
            query = _query(page, size)
            kept = api.get(url + query)
            built = api.get(url + (query + "&" if query else "?") + "orm=1")
            assert (kept.status_code, kept.content) == (built.status_code, _unmarked(built)), (
                name,
                page,
                size,
            )
            compared += kept.status_code == 200
    assert compared >= 15


@pytest.mark.parametrize(
    ("place", "old"), [("members", _old_member_reads), ("posts", _old_post_reads)]
)
def test_members_and_posts_of_values_are_the_serializers(api, world, monkeypatch, place, old):
    people, things = world
    if place == "members":
        urls = [f"/api/v1/gardens/{things[g].slug}/members/" for g in ("naming", "plain")]
    else:
        urls = [f"/api/v1/threads/{things['thread'].pk}/posts/"]
    calls = [(name, url, page, size) for name in people for url in urls for page, size in PAGES]
    kept = {}
    for name, url, page, size in calls:
        api_login(api, people[name])
        response = api.get(url + _query(page, size))
        kept[name, url, page, size] = (response.status_code, response.content)
    old(monkeypatch)
    for name, url, page, size in calls:
        api_login(api, people[name])
        response = api.get(url + _query(page, size))
        assert kept[name, url, page, size] == (response.status_code, response.content), (
            name,
            url,
            page,
            size,
        )
    assert sum(status == 200 for status, _ in kept.values()) >= 40


def _results(api, user, url: str) -> list[dict]:
    api_login(api, user)
    return api.get(url + "?page_size=100").json()["results"]


def test_kept_pages_name_people_by_the_one_rule(api, world):
    people, things = world
    authors = {
        row["title"]: row["author"] for row in _results(api, people["member_a"], "/api/v1/threads/")
    }
    assert authors == {
        "field beta": "Ana (Beta)",
        "plain beta": "A member of another account",
        "field nameless": "Someone",
        "plain nameless": "Someone",
        "field company": "Pia",
        "plain company": "Pia",
        "field gone": "A former member",
        "plain gone": "A former member",
    }
    posts = _results(api, people["member_a"], f"/api/v1/threads/{things['thread'].pk}/posts/")
    assert [post["author"] for post in posts] == ["Ana (Beta)", "Mia Acme", "Ana (Beta)"]
    assert [[r["kind"] for r in post["reactions"] if r["mine"]] for post in posts] == [
        [],
        [],
        ["thanks"],
    ]
    assert posts[2]["edited_at"] is not None and posts[2]["body"] == "Edited *once*"
    internal_posts = _results(
        api, people["programme_admin"], f"/api/v1/threads/{things['thread'].pk}/posts/"
    )
    assert [(p["author"], p["hidden"], p["hidden_reason"]) for p in internal_posts] == [
        ("Ana", False, None),
        ("Mia Acme", False, None),
        ("A former member", True, "Off topic"),
        ("Ana", False, None),
    ]
    members = {
        garden: [
            (row["name"], row["account"])
            for row in _results(api, people["member_a"], f"/api/v1/gardens/{garden}/members/")
        ]
        for garden in ("field", "plain")
    }
    assert members == {
        "field": [("Someone", "Acme"), ("Mia Acme", "Acme"), ("Ana (Beta)", "Beta")],
        "plain": [("Someone", None), ("Mia Acme", None)],
    }
    gardens = {row["slug"]: row for row in _results(api, people["member_a"], "/api/v1/gardens/")}
    assert gardens["field"]["theme_label"] == "Field trips"
    assert gardens["plain"]["theme_label"] == "Custom"
    assert [s["name"] for s in gardens["field"]["stewards"]] == ["Someone", "Stella Steward"]
    assert (gardens["field"]["member_count"], gardens["field"]["is_member"]) == (3, True)
    assert gardens["invite"]["is_member"] is True


def test_kept_pages_show_what_the_reader_may_learn(api, world):
    people, _ = world
    for_beta = {h["slug"]: h for h in _results(api, people["member_b"], "/api/v1/harvests/")}
    assert (for_beta["invite-all"]["garden"], for_beta["invite-all"]["source"]) == (None, None)
    assert for_beta["field-from-thread"]["source"]["pilot"] == 7
    assert "draft" not in for_beta
    harvests = _results(api, people["programme_admin"], "/api/v1/harvests/")
    for_admin = {h["slug"]: h for h in harvests}
    assert for_admin["invite-all"]["source"] == {
        "thread": None,
        "pilot": None,
        "url": "https://example.com/a",
    }
    assert for_admin["draft"]["published_at"] is None
    outcomes = _results(api, people["manager"], "/api/v1/outcomes/")
    assert [(o["amount"], o["recorded_by"]) for o in outcomes] == [
        (1200.0, people["programme_admin"].email),  # the same day: the later first
        (250.5, people["manager"].email),
    ]
    invitations = _results(api, people["admin_a"], "/api/v1/garden-invitations/")
    assert [(i["status"], i["responded_at"] is not None) for i in invitations] == [
        ("accepted", True)
    ]


@pytest.mark.needs_postgres
def test_a_kept_page_makes_no_model_instance_of_its_rows(api, world, monkeypatch):
    people, things = world
    reader = people["programme_admin"]
    lists = {
        "/api/v1/threads/": Thread,
        f"/api/v1/threads/{things['thread'].pk}/posts/": Post,
        "/api/v1/harvests/": Harvest,
        "/api/v1/gardens/": Garden,
        f"/api/v1/gardens/{things['naming'].slug}/members/": GardenMembership,
        "/api/v1/garden-invitations/": GardenAccount,
        "/api/v1/outcomes/": LoyaltyOutcome,
    }
    api_login(api, reader)
    for url in lists:
        assert api.get(url + "?page_size=2").status_code == 200  # each read keeps its SQL
    made = []
    for model in set(lists.values()):
        from_db = model.from_db.__func__
        monkeypatch.setattr(
            model,
            "from_db",
            classmethod(lambda cls, *a, f=from_db: made.append(cls) or f(cls, *a)),
        )
    for url, model in lists.items():
        api_login(api, reader)
        assert api.get(url + "?page_size=2").status_code == 200, url
        assert model not in made, url  # (a thread's or a garden's access makes that one)
        made.clear()
    api_login(api, reader)
    api.get("/api/v1/threads/?page_size=2&orm=1")
    assert made.count(Thread) == 2  # the ORM's path makes them


@pytest.mark.parametrize("score", ["0.0", "5.0", "37.5", "62.4", "100.0"])
def test_a_history_writes_each_score_as_its_serializer(api, account_a, account_manager_a, score):
    today = timezone.localdate()
    for n, points in enumerate([score, "12.3", score]):
        EngagementSnapshotFactory(
            account=account_a, day=today - dt.timedelta(days=n), score=Decimal(points)
        )
    api_login(api, account_manager_a)
    answer = api.get(f"/api/v1/accounts/{account_a.slug}/engagement/history/?days=5")
    snapshots = list(EngagementSnapshot.objects.filter(account=account_a).order_by("day"))
    shown = {"account": account_a.slug, "days": 5, "results": snapshots}
    assert answer.content == JSONRenderer().render(EngagementHistorySerializer(shown).data)
    # The score's column has the places the serializer's score field quantizes to.
    assert (
        EngagementSnapshot._meta.get_field("score").decimal_places
        == SnapshotSerializer().fields["score"].decimal_places
        == 1
    )


def test_a_steward_without_a_name_is_someone_to_everyone(api, world):
    people, _ = world
    for name in ("member_a", "member_b", "programme_admin"):
        gardens = {g["slug"]: g for g in _results(api, people[name], "/api/v1/gardens/")}
        stewards = {s["id"]: s["name"] for s in gardens["field"]["stewards"]}
        assert stewards[people["steward"].pk] == "Someone", name
    assert User.objects.filter(pk=people["steward"].pk, first_name="", last_name="").exists()
