"""The community API's lists answered from kept reads (config.sql_once: alerts, gardens, a
garden's members, garden invitations, harvests, threads, a thread's posts, a post's revisions,
outcomes) give the same bytes as the ORM's path, for every persona (customers of two accounts
and an outsider, an account manager, a steward, a product manager, a programme admin) and pages
of every kind: the first, a middle one, the last, one past the end (the same 404).

A list call with nothing but page parameters takes the kept read; the same call with one more
(ignored) parameter takes the ORM's path (the filter backends), so the two are compared byte for
byte. The lists that take no filter (a garden's members, a thread's posts, a post's revisions)
are compared with their old reads put back in the view. On PostgreSQL the kept path is checked
to have been taken; elsewhere it falls back to the ORM (the same bytes, trivially)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import MemberRole
from accounts.people import other_accounts_named, person_name
from community.api import discussions as discussions_api
from community.api import gardens as gardens_api
from community.models import (
    ActivityEvent,
    ActivityKind,
    Alert,
    AlertReason,
    EngagementSnapshot,
    GardenAccount,
    GardenAccountStatus,
    GardenVisibility,
    HarvestAudience,
    HarvestRead,
)
from community.selectors import api_rows
from community.selectors import discussions as discussion_selectors
from community.selectors import gardens as garden_selectors
from community.services import discussions
from community.services.gardens import garden_join
from community.services.outcomes import outcome_record
from config.sql_once import KeptRows
from tests.accounts.factories import (
    AccountFactory,
    TeamAssignmentFactory,
    customer,
)
from tests.api_helpers import api_login
from tests.community.factories import (
    GardenFactory,
    HarvestFactory,
    a_steward,
    accept,
    reply,
    start,
)

PERSONAS = (
    "member_a",
    "admin_a",
    "member_b",
    "admin_b",
    "outsider",
    "account_manager_a",
    "steward",
    "product_manager",
    "programme_admin",
)
# (page, page_size): first pages, middle ones, last ones, past the end, the default size.
PAGES = [(1, 1), (2, 1), (3, 1), (1, 2), (2, 2), (3, 2), (1, 3), (2, 3), (1, 25), (2, 25)]
PAGES += [(9, 2), (40, 1), (None, None)]


def _day(offset: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=offset)


def _alerts(accounts, acting) -> None:
    """Open, acknowledged and resolved alerts of every reason, with snapshots and events that
    make some still hold and some not."""
    a, b, c = accounts
    for account, score, level in ((a, 30, "observing"), (b, 62, "participating")):
        for offset in (-40, -10, -1):
            EngagementSnapshot.objects.create(
                account=account,
                day=_day(offset),
                score=score + offset / 10,
                level=level,
                level_since=_day(-40),
                activity=0.4,
                breadth=0.3,
                co_creation=0.2,
                model_version=1,
            )
    ActivityEvent.objects.create(
        account=b, kind=ActivityKind.VOTE, occurred_at=timezone.now() - dt.timedelta(days=3)
    )
    ActivityEvent.objects.create(
        account=a, kind=ActivityKind.VOTE, occurred_at=timezone.now() - dt.timedelta(days=50)
    )
    details = {
        AlertReason.LEVEL_DROPPED: {
            "from_level": "participating",
            "to_level": "observing",
            "day": _day(-10).isoformat(),
        },
        AlertReason.SCORE_FELL: {
            "points": 18.0,
            "days": 30,
            "peak_score": 50.0,
            "score": 32.0,
            "peak_day": _day(-40).isoformat(),
        },
        AlertReason.SILENT_BEFORE_RENEWAL: {
            "renewal_date": _day(60).isoformat(),
            "last_activity": _day(-50).isoformat(),
            "silent_days": 30,
        },
    }
    now = timezone.now()
    n = 0
    for account in (a, b, c):
        for reason, detail in details.items():
            n += 1
            Alert.objects.create(  # resolved earlier: not in the (open) list
                account=account,
                reason=reason,
                details=detail,
                raised_at=now - dt.timedelta(days=20, hours=n),
                resolved_at=now - dt.timedelta(days=10),
                resolved_by=acting,
                resolution="person",
                resolution_note="Called them",
            )
            Alert.objects.create(
                account=account,
                reason=reason,
                details=detail,
                raised_at=now - dt.timedelta(hours=n),
                acknowledged_at=now if n % 3 == 0 else None,
                acknowledged_by=acting if n % 3 == 0 else None,
            )
    a.renewal_date = _day(60)
    a.save(update_fields=["renewal_date"])


@pytest.fixture
def world(db, account_a, account_b, member_a, admin_a, member_b, admin_b, account_manager_a):
    """Two accounts in gardens of every kind and an outsider's account in none: threads with
    replies, a hidden post, reactions and an edited post; harvests; alerts; outcomes."""
    account_c = AccountFactory(name="Initech", slug="initech")
    people = {
        "member_a": member_a,
        "admin_a": admin_a,
        "member_b": member_b,
        "admin_b": admin_b,
        "outsider": customer(account_c, role=MemberRole.ADMIN, first_name="Olga"),
        "account_manager_a": account_manager_a,
        "steward": a_steward(),
    }
    TeamAssignmentFactory(user=account_manager_a, account=account_c)
    shows = GardenFactory(name="Beta shared", slug="beta-shared", shows_other_members=True)
    quiet = GardenFactory(name="Alpha quiet", slug="alpha-quiet")
    invited = GardenFactory(
        name="Gamma invited", slug="gamma-invited", visibility=GardenVisibility.INVITE_ONLY
    )
    declined = GardenFactory(
        name="Delta declined", slug="delta-declined", visibility=GardenVisibility.INVITE_ONLY
    )
    GardenFactory(name="Epsilon empty", slug="epsilon-empty")
    accept(invited, account_a)
    GardenAccount.objects.create(garden=invited, account=account_b)  # still invited
    GardenAccount.objects.create(
        garden=declined, account=account_a, status=GardenAccountStatus.DECLINED
    )
    GardenAccount.objects.create(garden=declined, account=account_c)
    for garden in (shows, quiet, invited):
        garden.stewards.add(people["steward"])
    for garden, members in (
        (shows, [member_a, admin_a, member_b, admin_b]),
        (quiet, [member_a, member_b]),
        (invited, [member_a, admin_a]),
    ):
        for member in members:
            garden_join(garden=garden, user=member)
    threads = []
    for garden, authors in ((shows, [member_a, member_b]), (quiet, [member_b, member_a])):
        for n in range(3):
            thread = start(garden, authors[n % 2], title=f"Thread {garden.slug} {n}")
            for m in range(4):
                reply(thread, authors[m % 2], body=f"Reply **{m}** to {n}")
            threads.append(thread)
    thread = threads[0]
    posts = list(thread.posts.order_by("created_at", "pk"))
    discussions.post_hide(post=posts[2], steward=people["steward"], reason="Off topic")
    discussions.reaction_toggle(post=posts[1], user=member_b, kind="helpful")
    discussions.reaction_toggle(post=posts[1], user=admin_a, kind="helpful")
    discussions.reaction_toggle(post=posts[3], user=member_b, kind="thanks")
    discussions.post_edit(post=posts[1], editor=posts[1].author, body="Edited once")
    discussions.post_edit(post=posts[1], editor=posts[1].author, body="Edited twice")
    for garden in (None, shows, quiet, invited, declined):
        for audience, segments in (
            (HarvestAudience.ALL, []),
            (HarvestAudience.SEGMENTS, [str(account_a.segment)]),
            (HarvestAudience.GARDEN, []),
        ):
            if audience == HarvestAudience.GARDEN and garden is None:
                continue
            harvest = HarvestFactory(garden=garden, audience=audience, segments=segments)
            if garden is shows:
                HarvestRead.objects.create(
                    harvest=harvest, user=member_a, account=account_a, read_at=timezone.now()
                )
    HarvestFactory(garden=quiet, published_at=None)  # a draft
    _alerts((account_a, account_b, account_c), account_manager_a)
    for n, account in enumerate((account_a, account_b, account_c, account_a, account_b)):
        outcome_record(
            account=account,
            kind="renewed",
            occurred_on=_day(-n),
            recorded_by=account_manager_a if n % 2 else None,
            note=f"Outcome {n}",
        )
    return people, {"garden": shows, "thread": thread, "post": posts[1]}


def _personas(request, world) -> dict:
    people, _ = world
    return {
        **people,
        "product_manager": request.getfixturevalue("product_manager"),
        "programme_admin": request.getfixturevalue("programme_admin"),
    }


def _query(page, size) -> str:
    if page is None:
        return ""
    return f"?page={page}&page_size={size}"


def _unmarked(response) -> bytes:
    """The response of a call made with `orm=1`, its links to other pages without it."""
    return response.content.replace(b"orm=1&", b"").replace(b"?orm=1", b"")


@pytest.fixture
def kept_reads(monkeypatch) -> list:
    """Every page read of a kept read (KeptRows), as (offset, limit), appended as it happens."""
    reads = []
    read = KeptRows.__getitem__

    def _spy(self, item):
        reads.append((item.start, item.stop))
        return read(self, item)

    monkeypatch.setattr(KeptRows, "__getitem__", _spy)
    return reads


FILTERED_LISTS = [
    "/api/v1/alerts/",
    "/api/v1/gardens/",
    "/api/v1/garden-invitations/",
    "/api/v1/harvests/",
    "/api/v1/threads/",
    "/api/v1/outcomes/",
]


@pytest.mark.parametrize("url", FILTERED_LISTS)
def test_a_page_of_a_list_is_the_orms(request, api, world, kept_reads, url):
    compared = kept = 0
    for name, person in _personas(request, world).items():
        api_login(api, person)
        for page, size in PAGES:
            query = _query(page, size)
            before = len(kept_reads)
            fast = api.get(url + query)
            kept += len(kept_reads) > before
            after = len(kept_reads)
            slow = api.get(url + (query + "&" if query else "?") + "orm=1")
            assert len(kept_reads) == after  # the ORM's path reads no kept rows
            assert (fast.status_code, fast.content) == (slow.status_code, _unmarked(slow)), (
                name,
                page,
                size,
            )
            compared += fast.status_code == 200
    assert compared >= 30
    if connection.vendor == "postgresql":
        assert kept >= len(PAGES) * 3  # read by the kept path for several personas


def _compare_unfiltered(request, api, world, monkeypatch, url, old) -> int:
    """Every persona's pages of `url`, with the kept reads and then with `old` (a function
    that puts the old reads back), byte for byte; how many 200s were compared."""
    fast = {}
    personas = _personas(request, world)
    for name, person in personas.items():
        api_login(api, person)
        for page, size in PAGES:
            response = api.get(url + _query(page, size))
            fast[name, page, size] = (response.status_code, response.content)
    old(monkeypatch)
    compared = 0
    for name, person in personas.items():
        api_login(api, person)
        for page, size in PAGES:
            response = api.get(url + _query(page, size))
            assert fast[name, page, size] == (response.status_code, response.content), (
                name,
                page,
                size,
            )
            compared += response.status_code == 200
    return compared


def _old_member_reads(monkeypatch) -> None:
    """The members read through the ORM and shown by their serializer, as before."""
    monkeypatch.setattr(
        api_rows, "garden_member_values", garden_selectors.garden_memberships_visible_to
    )
    monkeypatch.setattr(gardens_api, "garden_member_items", _serialized_members)


def _serialized_members(page, *, viewer, garden) -> list:
    for membership in page:
        membership.label = person_name(
            viewer=viewer,
            person=membership.user,
            person_account_id=membership.account_id,
            person_account=membership.account,
            garden=garden,
        )
    show_accounts = other_accounts_named(viewer=viewer, garden=garden)
    context = {"show_accounts": show_accounts}
    return gardens_api.GardenMemberSerializer(page, many=True, context=context).data


def _old_post_reads(monkeypatch) -> None:
    """The posts read through the ORM, with their reactions, and shown by their serializer, as
    before."""
    monkeypatch.setattr(api_rows, "thread_post_rows", discussion_selectors.thread_posts)
    monkeypatch.setattr(discussions_api, "post_items", _serialized_posts)


def _serialized_posts(page, *, thread, viewer) -> list:
    reactions = discussion_selectors.post_reactions(post_ids=[p.pk for p in page], user=viewer)
    for post in page:
        post.thread = thread
        post.reaction_counts = reactions.get(post.pk, [])
    context = {"request": SimpleNamespace(user=viewer)}
    return discussions_api.PostSerializer(page, many=True, context=context).data


def _old_revision_reads(monkeypatch) -> None:
    monkeypatch.setattr(
        discussion_selectors,
        "post_revision_list",
        lambda *, post: discussion_selectors.post_revisions(post=post),
    )


def test_a_gardens_members_are_the_orms(request, api, world, monkeypatch, kept_reads):
    garden = world[1]["garden"]
    url = f"/api/v1/gardens/{garden.slug}/members/"
    assert _compare_unfiltered(request, api, world, monkeypatch, url, _old_member_reads) >= 40
    assert kept_reads


def test_a_threads_posts_are_the_orms(request, api, world, monkeypatch, kept_reads):
    thread = world[1]["thread"]
    url = f"/api/v1/threads/{thread.pk}/posts/"
    assert _compare_unfiltered(request, api, world, monkeypatch, url, _old_post_reads) >= 40
    assert kept_reads


def test_a_posts_revisions_are_the_orms(request, api, world, monkeypatch):
    post = world[1]["post"]
    url = f"/api/v1/posts/{post.pk}/revisions/"
    assert _compare_unfiltered(request, api, world, monkeypatch, url, _old_revision_reads) >= 40
    assert len(api.get(url).json()) == 2  # (the last persona's) both earlier versions


def test_the_kept_lists_make_no_more_queries(request, api, world):
    """A page read from a kept read makes as many queries as the ORM's path."""
    from django.test.utils import CaptureQueriesContext

    personas = _personas(request, world)
    for url in FILTERED_LISTS:
        for name in ("account_manager_a", "programme_admin", "member_a"):
            api_login(api, personas[name])  # a fresh user: nothing cached on it
            with CaptureQueriesContext(connection) as fast:
                api.get(url + "?page_size=2")
            api_login(api, personas[name])
            with CaptureQueriesContext(connection) as slow:
                api.get(url + "?page_size=2&orm=1")
            assert len(fast) <= len(slow), (url, name)


def test_amounts_and_empty_lists(api, db, programme_admin):
    """An outcome with an amount, and lists with no rows at all (page 1: 200, page 2: 404)."""
    account = AccountFactory()
    for url in FILTERED_LISTS:
        api_login(api, programme_admin)
        first, second = api.get(url + "?page=1"), api.get(url + "?page=2")
        assert (first.status_code, second.status_code) == (200, 404), url
        assert first.content == _unmarked(api.get(url + "?page=1&orm=1"))
    outcome_record(
        account=account,
        kind="expanded",
        occurred_on=_day(-1),
        amount=Decimal("1234.50"),
        recorded_by=programme_admin,
    )
    fast = api.get("/api/v1/outcomes/")
    assert fast.json()["results"][0]["amount"] == 1234.5
    assert fast.content == _unmarked(api.get("/api/v1/outcomes/?orm=1"))


def test_list_urls_are_the_models_own(api, db, programme_admin, member_a):
    """RouteField: each row's url is its get_absolute_url(), the route reversed once per list,
    also for slugs holding the stand-ins' digits or words."""
    from community.models import Harvest, Thread

    garden = GardenFactory(slug="g987654321", name="Digits")
    garden_join(garden=garden, user=member_a)
    for n in range(3):
        start(garden, member_a, title=f"Thread {n}")
    for slug in ("plain", "x987654321y", "routemarkslug", "987654321"):
        HarvestFactory(slug=slug)
    api_login(api, programme_admin)
    threads = api.get("/api/v1/threads/?page_size=200").json()["results"]
    harvests = api.get("/api/v1/harvests/?page_size=200").json()["results"]
    assert {t["url"] for t in threads} == {
        t.get_absolute_url() for t in Thread.objects.select_related("garden")
    }
    assert {h["url"] for h in harvests} == {
        h.get_absolute_url() for h in Harvest.objects.filter(published_at__isnull=False)
    }
    assert len(threads) == 3
    assert len(harvests) == 4
