"""The customer's home, harvest feed and harvest page read through kept SQL (config.sql_once) and
fewer queries: each read gives what the plain ORM read it replaced gives, row for row, for the
reader and for a second reader of another account (the kept SQL holds no one's values):

- the feed page's count and rows by position (`harvest_feed_page`) are Paginator's page of
  `harvest_feed`, for every page number, out of range and not a number included;
- a customer's harvest by its address (`access_harvest`) carries `garden_shown`, which
  `harvest_garden_shown` answers from without a query, as its own query would;
- the home's mentions (`mention_todos`: the first five and how many in all, in one query), its
  colleagues with their count, its account team, its gardens and the account's level."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.http import Http404
from django.utils import timezone

from accounts import selectors as account_selectors
from accounts.models import MemberRole, Segment, TeamRole
from community.access.harvests import access_harvest, harvest_garden_shown
from community.models import GardenVisibility, Harvest, HarvestAudience, HarvestRead, Notification
from community.models.notifications import NotifyKind, actor_text
from community.selectors.account_levels import account_level, account_levels
from community.selectors.gardens import home_gardens
from community.selectors.harvests import harvest_feed, harvest_feed_page, harvest_inspirers
from community.selectors.notifications import notification_list
from community.selectors.todo_providers import mention_todos
from community.selectors.todos import ToDoViewer, todo_today
from community.services.harvests import harvest_read
from demo.benchmarks.page_cpu import sql_once_off
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer
from tests.community.factories import (
    EngagementSnapshotFactory,
    GardenFactory,
    HarvestFactory,
    accept,
    join,
)
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres


def _feed_rows(harvests) -> list[tuple]:
    return [(h.pk, h.garden_id, h.is_read, h.garden_shown, h.can_join) for h in harvests]


@pytest.fixture
def reader(db):
    """An SMB customer among 45 harvests: for everyone, for their segment and another, from a
    garden they joined, an open one they did not, an invite-only one their account accepted and
    one it was not invited to; published at a few equal moments (ties broken by creation and
    id), some read, a draft."""
    account = AccountFactory(segment=Segment.SMB)
    person = customer(account)
    joined, open_other = GardenFactory(), GardenFactory()
    accepted = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    uninvited = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    join(joined, person)
    accept(accepted, account)
    moments = [timezone.now() - timezone.timedelta(days=d) for d in (1, 2, 2, 5)]
    made = []
    for n in range(3):
        for garden in (None, joined, open_other, accepted, uninvited):
            for audience, segments in (
                (HarvestAudience.ALL, []),
                (HarvestAudience.SEGMENTS, ["smb"]),
                (HarvestAudience.SEGMENTS, ["enterprise"]),
                (HarvestAudience.GARDEN, []),
            ):
                made.append(
                    HarvestFactory(
                        garden=garden,
                        audience=audience,
                        segments=segments,
                        published_at=moments[(n + len(made)) % len(moments)],
                    )
                )
    HarvestFactory(garden=joined, published_at=None)
    for harvest in made[::4]:
        HarvestRead.objects.create(
            harvest=harvest, user=person, account=account, read_at=timezone.now()
        )
    return person, (joined, open_other, accepted, uninvited)


def test_every_feed_page_is_the_paginators_page_of_the_feed(reader, monkeypatch):
    person, _ = reader
    stranger = customer(AccountFactory(segment=Segment.ENTERPRISE))
    numbers = (None, "1", "2", "3", "4", "99", "x", "-1", "0")
    harvest_feed_page(user=person, number=None, per_page=20)  # keeps the SQL
    compiled = compiles_counted(monkeypatch)
    pages = {
        (user, number): harvest_feed_page(user=user, number=number, per_page=20)
        for user in (person, stranger)
        for number in numbers
    }
    assert compiled == []  # the kept SQL ran: one for every page number, for every reader
    for (user, number), page in pages.items():
        expected = Paginator(harvest_feed(user=user), 20).get_page(number)
        assert (page.number, page.paginator.count, page.paginator.num_pages) == (
            expected.number,
            expected.paginator.count,
            expected.paginator.num_pages,
        )
        assert _feed_rows(page) == _feed_rows(expected.object_list), (user, number)
    assert pages[person, None].paginator.count == 36  # the feed holds two pages for them
    assert len(pages[person, "2"]) == 16 and pages[person, "99"].number == 2


def test_a_filtered_feed_page_is_the_orms(reader):
    person, (joined, *_) = reader
    page = harvest_feed_page(user=person, number="1", per_page=20, garden=joined)
    expected = Paginator(harvest_feed(user=person, garden=joined), 20).get_page("1")
    assert _feed_rows(page) == _feed_rows(expected.object_list)
    assert {h.garden_id for h in page} == {joined.pk}


def test_a_customers_harvest_by_address_says_whether_its_garden_is_shown(
    reader, django_assert_num_queries
):
    person, gardens = reader
    stranger = customer(AccountFactory(segment=Segment.ENTERPRISE))
    for user in (person, stranger):
        visible = set(harvest_feed(user=user).values_list("slug", flat=True))
        for harvest in Harvest.objects.order_by("pk"):
            if harvest.slug not in visible:
                continue
            found = access_harvest(user, harvest.slug)
            with sql_once_off():
                plain = Harvest.objects.get(pk=found.pk)
                expected = harvest_garden_shown(user, plain)  # its own query
            with django_assert_num_queries(0):
                shown = harvest_garden_shown(user, found)
            assert (found.pk, shown) == (harvest.pk, expected)
    # the account was not invited to gardens[3]: what reached it comes without the garden
    uninvited = Harvest.objects.filter(garden=gardens[3], audience=HarvestAudience.ALL).first()
    assert access_harvest(person, uninvited.slug).garden_shown is False
    draft = Harvest.objects.get(published_at__isnull=True)
    only_garden = Harvest.objects.filter(garden=gardens[3], audience=HarvestAudience.GARDEN)[0]
    for hidden in (draft, only_garden):  # a draft; a garden's harvest, its account not invited
        with pytest.raises(Http404):
            access_harvest(person, hidden.slug)


def test_a_harvests_inspirers_are_its_inspired_by(reader):
    person, _ = reader
    harvest = Harvest.objects.filter(published_at__isnull=False).first()
    people = [customer(AccountFactory()) for _ in range(3)]
    harvest.inspired_by.set(people)
    harvest_inspirers(harvest=harvest)  # keeps the SQL
    found = harvest_inspirers(harvest=harvest)
    assert [p.pk for p in found] == [
        p.pk for p in harvest.inspired_by.select_related("membership__account")
    ]
    assert all("membership" in p._state.fields_cache for p in found)


def test_a_read_already_recorded_is_found_in_one_query_without_a_transaction(
    reader, django_assert_num_queries
):
    person, _ = reader
    harvest = Harvest.objects.filter(published_at__isnull=False).exclude(reads__user=person)[0]
    first = harvest_read(harvest=harvest, user=person)  # recorded, in a transaction
    with django_assert_num_queries(1):  # (a transaction would add its savepoint's queries)
        again = harvest_read(harvest=harvest, user=person)
    assert again == first and HarvestRead.objects.filter(harvest=harvest, user=person).count() == 1
    other = customer(person.membership.account)
    assert harvest_read(harvest=harvest, user=other).user == other  # someone else's is theirs


def _mention(user, n: int, *, kind=NotifyKind.MENTION, read: bool = False, actor=None):
    return Notification.objects.create(
        user=user,
        kind=kind,
        title=actor_text("{actor} mentioned you in “{t}”", t=f"Thread {n}"),
        url=f"/somewhere/{n}/",
        created_at=timezone.now() - timezone.timedelta(hours=n),
        read_at=timezone.now() if read else None,
        actor=actor,
        actor_account_id=actor.membership.account_id if actor else None,
        names_actor=True,
    )


@pytest.mark.parametrize("unread", [0, 3, 5, 8])
def test_the_homes_mentions_are_the_first_five_and_how_many_more(db, unread):
    account = AccountFactory()
    person, colleague = customer(account), customer(account)
    stranger = customer(AccountFactory())
    for n in range(unread):
        actor = (colleague, stranger, None)[n % 3]
        _mention(person, n, kind=(NotifyKind.MENTION, NotifyKind.REPLY)[n % 2], actor=actor)
    _mention(person, 50, read=True)
    Notification.objects.create(user=person, kind=NotifyKind.IDEA_STATUS, title="Idea moved")
    _mention(colleague, 60)  # someone else's

    viewer = ToDoViewer(user=person, membership=person.membership, today=todo_today())
    items = mention_todos(viewer)
    expected = list(
        notification_list(user=person, unread=True).filter(
            kind__in=[NotifyKind.MENTION, NotifyKind.REPLY]
        )
    )
    more = [i for i in items if i.title.endswith("more unread mentions and replies")]
    shown = [(i.kind, i.title, i.url) for i in items if i not in more]
    assert shown == [(n.kind, n.shown_title, n.url) for n in expected[:5]]
    assert [m.count for m in more] == ([unread - 5] if unread > 5 else [])
    assert sum(i.count for i in items) == unread


def test_the_homes_colleagues_team_gardens_and_level_are_the_orms(db, monkeypatch):
    account = AccountFactory()
    people = [customer(account, first_name=f"P{n % 4}") for n in range(14)]
    customer(account, role=MemberRole.ADMIN, first_name="Zed")
    other = AccountFactory()
    customer(other)
    TeamAssignmentFactory(account=account, role=TeamRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(account=account, role=TeamRole.CUSTOMER_SUCCESS_MANAGER)
    TeamAssignmentFactory(account=other)
    gardens = [GardenFactory(name=f"Garden {n:02d}") for n in range(14)]
    for garden in gardens[::2]:
        join(garden, people[0])
    accept(GardenFactory(name="Garden 00b", visibility=GardenVisibility.INVITE_ONLY), account)
    GardenFactory(name="Garden 00c", visibility=GardenVisibility.INVITE_ONLY)  # not invited
    EngagementSnapshotFactory(account=account, level="observing", score=12)

    def reads():
        shown = account_selectors.account_members_shown(account_id=account.pk)
        team = account_selectors.account_team_list(account_id=account.pk)
        mine = home_gardens(user=people[0], account_id=account.pk)
        return (
            [(m.pk, m.user.full_name, m.is_admin, m.total) for m in shown],
            [(a.pk, a.user.full_name, a.user.email, a.get_role_display()) for a in team],
            [g.pk for g in mine.joined],
            [g.pk for g in mine.joinable],
            account_level(account_id=account.pk),
        )

    kept = reads()
    compiled = compiles_counted(monkeypatch)
    assert reads() == kept
    assert compiled == []  # every read ran its kept SQL
    members = list(account_selectors.account_members(account=account)[:12])
    team = account_selectors.account_team(account=account)
    assert kept[0] == [
        (m.pk, m.user.full_name, m.is_admin, account.memberships.count()) for m in members
    ]
    assert kept[1] == [(a.pk, a.user.full_name, a.user.email, a.get_role_display()) for a in team]
    with sql_once_off():
        assert kept[2:4] == tuple(
            [g.pk for g in rows]
            for rows in (
                home_gardens(user=people[0], account_id=account.pk, limit=7).joined[:6],
                home_gardens(user=people[0], account_id=account.pk, limit=7).joinable[:6],
            )
        )
    assert len(kept[2]) == len(kept[3]) == 6  # of 7 joined, of 8 to join
    assert kept[4] == account_levels(account_ids=[account.pk])[account.pk] == "observing"
    assert account_level(account_id=other.pk) == ""  # not computed yet
