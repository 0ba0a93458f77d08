"""The idea page's reads (ideas.selectors.ideas_page) run SQL written once per process
(config.sql_once): they give what the ORM gives, and what the page read before they were kept
(a votes aggregate, a follow lookup, a comment count and a slice of the comments), for ideas
with and without votes, follows, comments over several pages, pilots and duplicates."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db.models import Count, Q

from accounts.models import InternalRole
from community.models import GardenVisibility
from demo.benchmarks.page_cpu import sql_once_off
from ideas.access import idea_pilots, visible_pilots
from ideas.models import Comment, Follow, IdeaStatus, IdeaTransition, PilotState, Vote
from ideas.selectors.ideas_page import COMMENTS_PER_PAGE, comments_page, idea_figures, idea_page
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory

COMMENT_COUNTS = (0, 1, COMMENTS_PER_PAGE, COMMENTS_PER_PAGE + 1, 2 * COMMENTS_PER_PAGE + 7)


@pytest.fixture
def world(db):
    account, other = AccountFactory(), AccountFactory()
    reader, colleague, stranger = customer(account), customer(account), customer(other)
    manager = internal(InternalRole.PRODUCT_MANAGER)
    garden = GardenFactory(visibility=GardenVisibility.OPEN)
    ideas = [IdeaFactory(garden=garden) for _ in COMMENT_COUNTS]
    for idea, n in zip(ideas, COMMENT_COUNTS, strict=True):
        Comment.objects.bulk_create(
            Comment(idea=idea, author=colleague if i % 2 else manager, body=f"Comment {i}.")
            for i in range(n)
        )
    voted, followed, piloted = ideas[1], ideas[2], ideas[3]
    for person in (reader, colleague, stranger, manager):  # two accounts and an internal voter
        account_of = None if person is manager else person.membership.account
        Vote.objects.create(idea=voted, user=person, account=account_of)
    Vote.objects.create(idea=followed, user=stranger, account=other)
    Follow.objects.create(idea=followed, user=reader)
    for to_status in (IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED):
        IdeaTransition.objects.create(
            idea=voted, from_status=voted.status, to_status=to_status, actor=manager, reason="Why."
        )
    PilotFactory(idea=piloted, accounts=[account])
    PilotFactory(idea=piloted, accounts=[other])  # not invited: hidden from the reader
    PilotFactory(idea=piloted, accounts=[account], state=PilotState.DRAFT)
    PilotFactory(idea=piloted, accounts=[account, other])
    for title in ("B twin", "A twin"):
        IdeaFactory(garden=garden, title=title, merged_into=voted, status=IdeaStatus.MERGED)
    return ideas, (reader, stranger, manager)


def _page(idea, user, number) -> tuple:
    page = idea_page(idea=idea, user=user, comments=number)
    return (
        page.supporters,
        page.supporting_accounts,
        page.voted,
        page.following,
        [(t.pk, t.actor.email, t.to_status) for t in page.transitions],
        (page.comments.number, page.comments.paginator.count),
        [(c.pk, c.author.email if c.author else None, c.body) for c in page.comments],
        [p.pk for p in page.pilots],
        [(d.pk, d.title) for d in page.duplicates],
    )


NUMBERS = (None, "", 1, 2, 3, "x", 999)


@pytest.mark.needs_postgres
def test_the_idea_page_reads_are_the_orms(world):
    ideas, people = world

    def reads():
        return [_page(i, u, n) for i in ideas for u in people for n in NUMBERS]

    kept, again = reads(), reads()  # the first call keeps the SQL, the second runs it
    with sql_once_off():
        built = reads()
    assert kept == again == built
    assert {row[:2] for row in kept} == {(0, 0), (1, 1), (4, 2)}  # an internal voter: no account
    assert {row[2:4] for row in kept} >= {(True, False), (False, True), (False, False)}


@pytest.mark.needs_postgres
def test_the_figures_are_the_old_separate_reads(world):
    ideas, people = world
    for idea in ideas:
        for user in (*people, None):
            old = Vote.objects.filter(idea=idea).aggregate(
                supporters=Count("pk"),
                supporting_accounts=Count("account", distinct=True),
                voted=Count("pk", filter=Q(user_id=user.pk if user else None)),
            )
            figures = idea_figures(idea=idea, user=user)
            assert (figures.supporters, figures.supporting_accounts, figures.voted) == (
                old["supporters"],
                old["supporting_accounts"],
                bool(old["voted"]),
            )
            assert figures.following == Follow.objects.filter(idea=idea, user=user).exists()
            assert figures.comments == idea.comments.count()


@pytest.mark.needs_postgres
def test_a_comment_page_is_the_old_slice(world):
    ideas, _people = world
    for idea in ideas:
        old = Paginator(
            idea.comments.select_related("author").order_by("created_at", "pk"), COMMENTS_PER_PAGE
        )
        for number in NUMBERS:
            page = comments_page(idea=idea, number=number)
            was = old.get_page(old.num_pages if number in (None, "") else number)
            assert [c.pk for c in page] == [c.pk for c in was], (idea.pk, number)
            assert (page.number, page.start_index(), page.end_index()) == (
                was.number,
                was.start_index(),
                was.end_index(),
            )
    counts = {idea.comments.count() for idea in ideas}
    assert counts == set(COMMENT_COUNTS)


@pytest.mark.needs_postgres
def test_an_ideas_pilots_are_the_visible_ones(world):
    ideas, people = world
    for user in people:
        for idea in ideas:
            expected = list(visible_pilots(user).filter(idea=idea).order_by("-runs_from", "-pk"))
            assert idea_pilots(user, idea) == expected
    reader, stranger, manager = people
    assert len(idea_pilots(reader, ideas[3])) == 2
    assert len(idea_pilots(stranger, ideas[3])) == 2
    assert len(idea_pilots(manager, ideas[3])) == 4
