"""The ideas API's reads kept as SQL (config.sql_once) answer byte for byte what the ORM's reads
answer: the idea list and an idea's comments a page at a time (ideas.selectors.ideas_rows,
ideas.selectors.ideas_page.idea_comment_rows), similar ideas and likely duplicates
(ideas.selectors.similar), for customers of two accounts (an invite-only garden accepted by one),
an outsider customer, an account manager, a product manager, a programme admin and an inactive
admin, every page size and page, past the end included.

The kept path is taken by a call that asks for nothing but a page; the same call with a no-op
search (`search=`, `x=`) goes through the ORM as before. Similar ideas and duplicates are
compared with the ORM's reads of the same calls (the reader's access rule hidden, so that the
selector reads `visible_ideas`). On SQLite both paths are the ORM's."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from accounts.models import InternalRole
from community.models import GardenVisibility
from ideas.models import Comment, Idea, IdeaStatus, Vote
from ideas.selectors import similar
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer, internal
from tests.api_helpers import api_login
from tests.community.factories import GardenFactory, accept
from tests.ideas.factories import IdeaFactory
from tests.sql_compiles import compiles_counted

IDEAS = "/api/v1/ideas/"
SIMILAR = "/api/v1/ideas/similar/"
DUPLICATES = "/api/v1/ideas/duplicates/"
TITLES = (
    "Offline mode for the mobile app",
    "Offline mode with sync for the mobile app",
    "Export inspections to CSV",
    "Photos",
    "the and of",
)
# (page size, pages) asked of every list: the first, middle and last pages, one past the end,
# one far past it, and numbers that are no page.
PAGES = {3: (1, 2, 5, 6, 7, 99, "last", "x", 0), 5: (1, 3, 4, 5), 200: (1, 2), "": (1, 2)}


@pytest.fixture
def world(db):
    """Ideas in an open garden that names other accounts' members, an open one that does not,
    an invite-only one accepted by account A and one accepted by no account; authors of both
    accounts, internal ones and a gone one; votes of both accounts and of an internal user;
    merged and closed ideas; times that tie; and the comments of one idea."""
    account, other = AccountFactory(), AccountFactory()
    member, admin, outsider = customer(account), customer(account), customer(other)
    manager = internal(InternalRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(user=manager, account=account)
    product = internal(InternalRole.PRODUCT_MANAGER)
    programme = internal(InternalRole.PROGRAMME_ADMIN)
    retired = internal(InternalRole.PROGRAMME_ADMIN, is_active=False)
    naming = GardenFactory(visibility=GardenVisibility.OPEN, shows_other_members=True)
    plain = GardenFactory(visibility=GardenVisibility.OPEN, shows_other_members=False)
    accepted = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    accept(accepted, account)
    closed = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    authors = [(member, account), (outsider, other), (product, None), (admin, account)]
    voters = [member, admin, outsider, product]
    moment = timezone.now() - dt.timedelta(days=40)
    words = ["offline mode sync", "export inspections csv", "photos of sites", "dark mode"]
    statuses = [IdeaStatus.PROPOSED, IdeaStatus.UNDER_REVIEW, IdeaStatus.PLANNED]
    ideas = []
    for i in range(26):
        author, author_account = authors[i % 4]
        idea = IdeaFactory(
            garden=(naming, plain, accepted, closed)[i % 4],
            title=f"{words[i % 4].capitalize()} for the mobile app, take {i // 4}",
            status=statuses[i % 3],
            author=author,
            author_account=author_account,
            links=[f"https://example.com/{i}"] if i % 5 == 0 else [],
        )
        # Ties of time, broken by the id as the ORM's order is.
        Idea.objects.filter(pk=idea.pk).update(created_at=moment + dt.timedelta(days=i // 3))
        for voter in voters[: i % 5]:
            membership = getattr(voter, "membership", None)
            Vote.objects.create(idea=idea, user=voter, account=membership and membership.account)
        ideas.append(idea)
    Idea.objects.filter(pk=ideas[4].pk).update(status=IdeaStatus.MERGED, merged_into=ideas[0])
    Idea.objects.filter(pk=ideas[8].pk).update(status=IdeaStatus.DECLINED)
    gone = customer(other)
    Idea.objects.filter(pk=ideas[12].pk).update(author=None)
    discussed = ideas[0]  # in the garden that names other accounts' members
    for i in range(11):
        writer = (member, outsider, product, gone, admin)[i % 5]
        comment = Comment.objects.create(idea=discussed, author=writer, body=f"Comment {i}")
        Comment.objects.filter(pk=comment.pk).update(created_at=moment + dt.timedelta(hours=i // 2))
    Comment.objects.filter(author=gone).update(author=None)
    people = {
        "member": member,
        "admin": admin,
        "outsider": outsider,
        "account_manager": manager,
        "product_manager": product,
        "programme_admin": programme,
        "retired": retired,
    }
    return people, discussed, ideas[2]  # an idea of the invite-only garden account A accepted


def _answers(api, user, path: str, params: dict) -> tuple[int, bytes]:
    api_login(api, user)
    response = api.get(path, params)
    return response.status_code, response.content


def _through_the_orm(api, user, path: str, params: dict, noop: dict) -> tuple[int, bytes]:
    """The answer to the call with a no-op parameter (it goes through the ORM), that parameter
    taken out of the links to the next and previous pages (DRF sorts a link's parameters:
    the no-op's name sorts after "page_size")."""
    status, content = _answers(api, user, path, {**params, **noop})
    return status, content.replace(f"&{urlencode(noop)}".encode(), b"")


def _pages(api, user, path: str, noop: dict) -> list[tuple]:
    """(asked, kept answer, ORM answer) of every page of PAGES."""
    seen = []
    for size, numbers in PAGES.items():
        for number in numbers:
            params = {"page": number, "page_size": size}
            kept = _answers(api, user, path, params)
            built = _through_the_orm(api, user, path, params, noop)
            seen.append((params, kept, built))
    return seen


def test_the_idea_list_pages_are_the_orms_byte_for_byte_for_everyone(api, world):
    people, _discussed, _secret = world
    statuses, counts = set(), set()
    for name, user in people.items():
        for params, kept, built in _pages(api, user, IDEAS, {"search": ""}):
            assert kept == built, (name, params)
            statuses.add(kept[0])
            if kept[0] == 200:
                counts.add(len(api.get(IDEAS, params).json()["results"]))
        plain = _answers(api, user, IDEAS, {})
        assert plain == _through_the_orm(api, user, IDEAS, {}, {"search": ""}), name
    assert statuses == {200, 401, 404} or statuses == {200, 404}
    assert {0, 1, 3, 5} <= counts  # an empty list, a last page of one, full pages


def test_an_ideas_comment_pages_are_the_orms_byte_for_byte_for_everyone(api, world):
    people, discussed, secret = world
    Comment.objects.create(idea=secret, author=people["member"], body="Only account A's")
    statuses = set()
    for name, user in people.items():
        for idea in (discussed, secret):
            path = f"{IDEAS}{idea.pk}/comments/"
            for params, kept, built in _pages(api, user, path, {"x": "1"}):
                assert kept == built, (name, idea.pk, params)
                statuses.add(kept[0])
    assert statuses == {200, 404}
    api_login(api, people["outsider"])
    body = api.get(f"{IDEAS}{discussed.pk}/comments/", {"page_size": 200}).json()
    authors = [row["author"] for row in body["results"]]
    assert len(authors) == 11 and None in authors  # a gone author is null
    # The outsider's colleague by name; account A's people by first name and account, in a
    # garden that names other accounts' members.
    assert f"{people['member'].first_name} ({people['member'].membership.account.name})" in authors


def _with_the_orms_reads(monkeypatch, call):
    """`call()` with the selectors of similar ideas and duplicates reading `visible_ideas` (the
    ORM's path), as they did before their SQL was kept."""
    with monkeypatch.context() as patched:
        patched.setattr(similar, "visible_ideas_rule", lambda user: None)
        return call()


def test_similar_ideas_are_the_orms_byte_for_byte_for_everyone(api, world, monkeypatch):
    people, _discussed, _secret = world
    offered = set()
    for name, user in people.items():
        for title in TITLES:
            for job in ("", "work offline on site"):
                params = {"title": title, "job_to_be_done": job, "page_size": 25}
                kept = _answers(api, user, SIMILAR, params)
                built = _with_the_orms_reads(
                    monkeypatch, lambda u=user, p=params: _answers(api, u, SIMILAR, p)
                )
                assert kept == built, (name, params)
                if kept[0] == 200:
                    offered.add(len(api.get(SIMILAR, params).json()))
    assert 0 in offered and max(offered) > 1


def test_likely_duplicates_are_the_orms_byte_for_byte_for_everyone(api, world, monkeypatch):
    people, _discussed, _secret = world
    pairs = {}
    for name, user in people.items():
        for params in ({}, {"page_size": 25}):
            kept = _answers(api, user, DUPLICATES, params)
            built = _with_the_orms_reads(
                monkeypatch, lambda u=user, p=params: _answers(api, u, DUPLICATES, p)
            )
            assert kept == built, (name, params)
            pairs[name] = kept[0]
    assert pairs["product_manager"] == pairs["programme_admin"] == 200
    assert pairs["member"] == pairs["outsider"] == 403
    api_login(api, people["product_manager"])
    assert len(api.get(DUPLICATES).json()) > 1


@pytest.mark.needs_postgres
def test_the_ideas_api_keeps_its_sql_for_a_page_similar_ideas_and_duplicates(
    api, world, monkeypatch
):
    people, discussed, _secret = world
    calls = [
        (IDEAS, {"page": 2, "page_size": 3}),
        (f"{IDEAS}{discussed.pk}/comments/", {"page": 2, "page_size": 3}),
        (SIMILAR, {"title": "Offline mode for the app"}),
        (DUPLICATES, {}),
    ]
    readers = [people["member"], people["product_manager"]]
    for user in readers:
        for path, params in calls:
            _answers(api, user, path, params)  # each read's first call keeps its SQL
    compiled = compiles_counted(monkeypatch)

    for user in readers:
        for path, params in calls:
            assert _answers(api, user, path, {**params, "page": 1})[0] in (200, 403)
    assert Idea not in compiled and Comment not in compiled
    _answers(api, people["member"], IDEAS, {"search": "offline"})
    assert Idea in compiled  # a search goes through the filter backends: the ORM writes it


@pytest.fixture
def one_author_in_two_gardens(db):
    """Account B's member, without a surname, proposing ideas in a garden that names other
    accounts' members and in one that does not (interleaved, on the same page); account B's
    member without any name; a company author; and account A's member who reads them."""
    account, other = AccountFactory(name="Acme A"), AccountFactory(name="Beta B")
    reader = customer(account)
    author = customer(other, first_name="Ana", last_name="")
    nameless = customer(other, first_name="", last_name="")
    product = internal(InternalRole.PRODUCT_MANAGER)
    naming = GardenFactory(visibility=GardenVisibility.OPEN, shows_other_members=True)
    plain = GardenFactory(visibility=GardenVisibility.OPEN, shows_other_members=False)
    writers = [(author, other), (nameless, other), (product, None)]
    for i in range(9):
        person, person_account = writers[i % 3]
        IdeaFactory(garden=(naming, plain)[i % 2], author=person, author_account=person_account)
    return reader, product


def test_a_kept_page_names_each_author_as_the_orm_does_in_each_garden(
    api, one_author_in_two_gardens
):
    reader, product = one_author_in_two_gardens
    for user in (reader, product):
        for size in (2, 9):
            params = {"page_size": size}
            assert _answers(api, user, IDEAS, params) == _through_the_orm(
                api, user, IDEAS, params, {"search": ""}
            )
    api_login(api, reader)
    rows = api.get(IDEAS).json()["results"]
    shown = {row["garden"]: set() for row in rows}
    for row in rows:
        shown[row["garden"]].add(row["author"])
    company = product.full_name  # a factory's name: where it sorts among the others varies
    assert sorted(shown.values(), key=len) == [
        {"A member of another account", company},
        {"Ana (Beta B)", company, "Someone (Beta B)"},
    ]


@pytest.mark.needs_postgres
def test_a_kept_page_of_ideas_makes_no_model_instance(api, world, monkeypatch):
    people, _discussed, _secret = world
    readers = (people["member"], people["programme_admin"])
    for user in readers:
        _answers(api, user, IDEAS, {"page_size": 5})  # each branch's first call keeps its SQL
    made, from_db = [], Idea.from_db.__func__

    def counted(cls, *args):
        made.append(args)
        return from_db(cls, *args)

    monkeypatch.setattr(Idea, "from_db", classmethod(counted))
    for user in readers:
        assert _answers(api, user, IDEAS, {"page_size": 5})[0] == 200
    assert made == []
    assert _answers(api, readers[0], IDEAS, {"page_size": 5, "search": ""})[0] == 200
    assert len(made) == 5  # the ORM's path makes them
