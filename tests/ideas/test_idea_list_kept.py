"""The idea list's pages (ideas.selectors.ideas.idea_list_page) keep their count's and rows' SQL
per branch of the access rule, filters and sort (config.sql_once), reading a page by position:
they give the pages the paginated ORM queryset gave, for customers of two accounts (an
invite-only garden accepted by one of them), internal users and an inactive one, every filter,
sort and page number, and the page's rows read only the columns the list shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from accounts.models import InternalRole
from community.models import GardenVisibility
from demo.benchmarks.page_cpu import sql_once_off
from ideas.access import visible_ideas
from ideas.models import Idea, IdeaStatus, Vote
from ideas.selectors.ideas import ROW_FIELDS, idea_list, idea_list_page
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import GardenFactory, accept
from tests.ideas.factories import IdeaFactory
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres

PER_PAGE = 3
NUMBERS = (None, 2, "x", 999)
SORTS = ("newest", "people", "accounts", "value")


@pytest.fixture
def world(db):
    account, other = AccountFactory(), AccountFactory()
    reader, stranger = customer(account), customer(other)
    manager = internal(InternalRole.PRODUCT_MANAGER)
    retired = internal(InternalRole.PROGRAMME_ADMIN, is_active=False)
    open_garden = GardenFactory(visibility=GardenVisibility.OPEN)
    accepted = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    accept(accepted, account)
    closed = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)  # no account's
    voters = [customer(account), customer(account), customer(other), manager]
    moment = timezone.now() - dt.timedelta(days=30)
    for i in range(14):
        idea = IdeaFactory(
            garden=(open_garden, accepted, closed)[i % 3],
            status=(IdeaStatus.PROPOSED, IdeaStatus.PLANNED)[i % 2],
            title=f"Idea {i} " + ("offline" if i % 4 else "photos"),
        )
        # Ties of time and support, broken by the id as the ORM's order is.
        Idea.objects.filter(pk=idea.pk).update(created_at=moment + dt.timedelta(days=i // 3))
        for voter in voters[: i % 5]:
            membership = getattr(voter, "membership", None)
            Vote.objects.create(idea=idea, user=voter, account=membership and membership.account)
    gardens = (None, accepted, closed, open_garden)
    return (reader, stranger, manager, retired), gardens


def _old_page(user, number, **filters):
    """The page as the list read it before: the ORM's queryset, paginated by a slice."""
    ideas = idea_list(ideas=visible_ideas(user), **filters)
    return Paginator(ideas, PER_PAGE).get_page(number)


def _seen(page) -> tuple:
    return (
        page.number,
        page.paginator.count,
        page.paginator.num_pages,
        page.start_index(),
        page.end_index(),
        [(i.pk, i.supporters, i.supporting_accounts, i.garden.name) for i in page],
    )


def _shapes(gardens):
    for garden in gardens[:3]:
        for status in ("", IdeaStatus.PLANNED):
            for sort in SORTS:
                yield {"garden": garden, "status": status, "q": "", "sort": sort}
    for q in ("offline", "  "):  # a search takes the ORM's path; blanks are no search
        yield {"garden": None, "status": IdeaStatus.PLANNED, "q": q, "sort": "people"}


def test_a_list_page_is_the_old_slice_for_every_viewer_filter_sort_and_number(world):
    people, gardens = world

    def pages():
        return [
            _seen(idea_list_page(user=user, number=number, per_page=PER_PAGE, **filters))
            for user in people
            for filters in _shapes(gardens)
            for number in NUMBERS
        ]

    kept = pages()  # each shape's first call keeps its SQL, every later one runs it
    with sql_once_off():
        built = pages()
    old = [
        _seen(_old_page(user, number, **filters))
        for user in people
        for filters in _shapes(gardens)
        for number in NUMBERS
    ]
    assert kept == built == old
    counts = {seen[1] for seen in kept}
    # None (the retired admin's, or a closed garden's to customers), a garden's, a customer's,
    # all (the product manager's)
    assert {0, 4, 5, 10, 14} <= counts
    assert any(len(seen[5]) == PER_PAGE for seen in kept)


def test_the_list_page_keeps_its_sql_without_a_search(world, monkeypatch):
    (reader, _stranger, manager, _retired), gardens = world
    for user in (reader, manager):
        for number in (1, 2):
            idea_list_page(user=user, number=number, garden=gardens[3], per_page=PER_PAGE)
        idea_list_page(user=user, number=1, q="offline", per_page=PER_PAGE)
    compiled = compiles_counted(monkeypatch)

    for user in (reader, manager):
        for number in (1, 2, 3):
            page = idea_list_page(user=user, number=number, garden=gardens[3], per_page=PER_PAGE)
            assert list(page)
    assert compiled == []
    idea_list_page(user=reader, number=1, q="offline", per_page=PER_PAGE)
    assert Idea in compiled  # a search's words are folded into its SQL: the ORM writes it


def test_a_list_row_reads_only_the_columns_the_list_shows(world):
    (reader, _stranger, manager, _retired), _gardens = world
    for user in (reader, manager):
        for q in ("", "offline"):
            idea = idea_list_page(user=user, number=1, q=q, per_page=PER_PAGE)[0]
            assert {"proposal", "job_to_be_done", "links", "merged_into_id"} <= set(
                idea.get_deferred_fields()
            )
            assert "description" in idea.garden.get_deferred_fields()
            assert "email" in idea.author.get_deferred_fields()
    assert "garden__shows_other_members" in ROW_FIELDS  # person_name reads it per row
