"""The pipeline board of product managers: who may open it, its columns, its three sort orders
(people, accounts, accounts weighted by contract value), the garden filter, and a query count
that does not grow with the number of ideas."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Account
from community.models import GardenVisibility
from ideas.models import Idea, IdeaStatus, Vote
from ideas.selectors.ideas import idea_board, support_values, with_support
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

BOARD = "/ideas/board/"


def _vote(idea: Idea, user) -> None:
    """A vote as the service stores it (voter's account, None for staff)."""
    membership = getattr(user, "membership", None)
    Vote.objects.create(idea=idea, user=user, account=membership.account if membership else None)


@pytest.fixture
def support(garden, product_manager):
    """Three proposed ideas whose order differs under each sort:

    crowd      4 people of one small account (50k)              → 4 people, 1 account, 50k
    breadth    3 people of 3 accounts (50k + 300k + 10k)        → 3 people, 3 accounts, 360k
    big_money  2 people of one big account (1M) and a PM        → 3 people, 1 account, 1M
                (two voters of one account count its contract value once)
    """
    small = AccountFactory(name="Small", annual_contract_value=50_000)
    mid = AccountFactory(name="Mid", annual_contract_value=300_000)
    tiny = AccountFactory(name="Tiny", annual_contract_value=10_000)
    big = AccountFactory(name="Big", annual_contract_value=1_000_000)
    crowd = IdeaFactory(garden=garden, title="Crowd favourite")
    breadth = IdeaFactory(garden=garden, title="Wanted everywhere")
    big_money = IdeaFactory(garden=garden, title="Big money")
    for _ in range(4):
        _vote(crowd, customer(small))
    for account in (small, mid, tiny):
        _vote(breadth, customer(account))
    _vote(big_money, customer(big))
    _vote(big_money, customer(big))
    _vote(big_money, product_manager)
    return {"crowd": crowd, "breadth": breadth, "big_money": big_money}


def _column(response, status: str) -> list[int]:
    """The idea ids in a column, top to bottom."""
    page = response.content.decode()
    column = page.split(f'data-column="{status}"')[1].split("</article>")[0]
    return [int(pk) for pk in re.findall(r'data-idea="(\d+)"', column)]


# --- Who may open it ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(BOARD)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={BOARD}"


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b", "account_manager_a"])
def test_customers_and_account_teams_may_not_open_the_board(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(BOARD)

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_moderators_open_the_board_with_a_column_per_status(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get(BOARD)

    assert response.status_code == 200
    page = response.content.decode()
    assert re.findall(r'data-column="(\w+)"', page) == [
        "proposed",
        "under_review",
        "planned",
        "piloting",
        "evaluated",
        "adopted",
        "iterate",
        "declined",
    ]


# --- Sorting -----------------------------------------------------------------------------------


def test_the_support_value_counts_each_supporting_account_once(support):
    ideas = {i.title: i for i in with_support(Idea.objects.all(), value=True)}

    assert (ideas["Big money"].supporters, ideas["Big money"].supporting_accounts) == (3, 1)
    assert ideas["Big money"].support_value == Decimal("1000000")
    assert ideas["Wanted everywhere"].support_value == Decimal("360000")
    assert ideas["Crowd favourite"].support_value == Decimal("50000")


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("people", ["crowd", "breadth", "big_money"]),  # 4, 3 (3 accounts), 3 (1 account)
        ("accounts", ["breadth", "crowd", "big_money"]),  # 3, 1 (4 people), 1 (3 people)
        ("value", ["big_money", "breadth", "crowd"]),  # 1M, 360k, 50k
        ("", ["crowd", "breadth", "big_money"]),  # people by default
        ("nonsense", ["crowd", "breadth", "big_money"]),
    ],
)
def test_the_board_sorts_by_people_accounts_or_contract_value(
    client_for, product_manager, support, sort, expected
):
    response = client_for(product_manager).get(f"{BOARD}?sort={sort}")

    assert response.status_code == 200
    assert _column(response, "proposed") == [support[name].pk for name in expected]


def test_the_board_shows_each_ideas_support(client_for, product_manager, support):
    page = client_for(product_manager).get(f"{BOARD}?sort=value").content.decode()

    assert "3 people · 1 account · €1,000,000 ACV" in page
    assert "3 people · 3 accounts · €360,000 ACV" in page


@pytest.mark.parametrize("sort", ["value", "people"])
def test_the_board_writes_no_sum_of_contract_values_in_several_currencies(
    client_for, product_manager, support, sort
):
    """Sorted by value every idea's value is an annotation; sorted otherwise the cards' values
    are read at once after (support_values): the same words either way."""
    Account.objects.filter(name="Mid").update(currency="USD")  # one of "breadth"'s three

    ideas = {i.title: i for i in with_support(Idea.objects.all(), value=True)}
    page = client_for(product_manager).get(f"{BOARD}?sort={sort}").content.decode()

    assert (ideas["Wanted everywhere"].support_currency, ideas["Big money"].support_currency) == (
        "",
        "EUR",
    )
    assert "3 people · 3 accounts · ACV in several currencies" in page
    assert "3 people · 1 account · €1,000,000 ACV" in page
    assert "4 people · 1 account · €50,000 ACV" in page


def test_support_values_read_at_once_equal_the_per_idea_annotations(support, garden):
    """Duplicate voters of one account, several currencies, a staff voter, no voter at all."""
    Account.objects.filter(name="Tiny").update(currency="USD")
    IdeaFactory(garden=garden, title="Nobody yet")
    ideas = list(with_support(Idea.objects.all(), value=True))

    values = support_values([idea.pk for idea in ideas])

    expected = {
        idea.pk: (idea.support_value, idea.support_currency)
        for idea in ideas
        if idea.supporting_accounts
    }
    assert values == expected and len(expected) == 3
    assert values[support["big_money"].pk] == (Decimal("1000000.00"), "EUR")
    assert values[support["breadth"].pk][1] == ""
    assert support_values([]) == {}


def test_the_board_filters_by_garden_and_places_ideas_by_status(
    client_for, product_manager, support, garden
):
    other = GardenFactory(name="Billing", slug="billing")
    planned = IdeaFactory(garden=other, status=IdeaStatus.PLANNED)
    IdeaFactory(garden=other, status=IdeaStatus.MERGED)  # not a column
    client = client_for(product_manager)

    everything = client.get(BOARD)
    billing = client.get(f"{BOARD}?garden=billing")

    assert _column(everything, "planned") == [planned.pk]
    assert len(_column(everything, "proposed")) == 3
    assert _column(billing, "planned") == [planned.pk]
    assert _column(billing, "proposed") == []


def test_the_board_includes_invite_only_gardens_for_moderators(client_for, product_manager):
    secret = IdeaFactory(garden=GardenFactory(visibility=GardenVisibility.INVITE_ONLY))

    response = client_for(product_manager).get(BOARD)

    assert _column(response, "proposed") == [secret.pk]


def test_a_long_column_shows_its_top_ideas_and_says_how_many_more(garden, product_manager):
    ideas = [IdeaFactory(garden=garden) for _ in range(4)]
    _vote(ideas[2], customer(AccountFactory()))

    columns = idea_board(ideas=Idea.objects.all(), per_column=2)

    proposed = columns[0]
    assert proposed.status == IdeaStatus.PROPOSED
    assert proposed.total == 4
    assert proposed.hidden == 2
    assert [i.pk for i in proposed.ideas] == [ideas[2].pk, ideas[3].pk]  # most votes, then newest


# --- Query count -------------------------------------------------------------------------------


def test_the_board_costs_the_same_queries_for_few_or_many_ideas(
    client_for, product_manager, garden, django_assert_num_queries
):
    client = client_for(product_manager)
    accounts = [AccountFactory(annual_contract_value=n * 1000) for n in range(1, 4)]

    def board_with(ideas: int) -> None:
        while Idea.objects.count() < ideas:
            n = Idea.objects.count()
            idea = IdeaFactory(garden=garden, status=IdeaStatus.values[n % 8])
            for account in accounts[: n % 3 + 1]:
                _vote(idea, customer(account))
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'),
        # 4 ideas awaiting review (the navigation's Board badge), 5 the header's counts
        # (unread notifications, open alerts, flagged posts), 6 the gardens of the
        # filter, 7 the top ideas of every column with their support, 8 the column totals
        with django_assert_num_queries(8):
            response = client.get(f"{BOARD}?sort=value")
        assert response.status_code == 200
        assert response.content.decode().count("data-idea=") == ideas
        with django_assert_num_queries(9):  # 9: the cards' support values, read after
            response = client.get(f"{BOARD}?sort=people")
        assert response.content.decode().count("data-idea=") == ideas

    board_with(3)
    board_with(16)


def test_the_cards_tag_writes_what_the_template_wrote(support, garden):
    """ideas/templatetags/board_tags.py against the markup it replaced, on cards with one
    person and several, one account and several, a value in one currency and in several, a
    title to escape and none supporting at all."""
    from django.template import Context, Template

    Account.objects.filter(name="Tiny").update(currency="USD")
    IdeaFactory(garden=garden, title='Nobody <yet> & "quoted"')
    _vote(IdeaFactory(garden=garden, title="One"), customer(AccountFactory()))
    ideas = list(with_support(Idea.objects.select_related("garden"), value=True))
    before = Template(
        "{% load formats %}{% for idea in ideas %}"
        '<li data-idea="{{ idea.pk }}"><a href="{{ idea.get_absolute_url }}">{{ idea.title }}'
        '</a><br><small class="muted">{{ idea.garden.name }} · {{ idea.supporters }} '
        "{% if idea.supporters == 1 %}person{% else %}people{% endif %} · "
        "{{ idea.supporting_accounts }} account{{ idea.supporting_accounts|pluralize }}"
        "{% if idea.support_currency %} · {{ idea.support_value|contract_value:"
        "idea.support_currency }} ACV{% elif idea.supporting_accounts %} · ACV in several "
        "currencies{% endif %}</small></li>{% endfor %}"
    ).render(Context({"ideas": ideas}))
    after = Template("{% load board_tags %}{% board_cards ideas %}").render(
        Context({"ideas": ideas})
    )

    assert re.sub(r">\s+", ">", after.strip()).replace("<br>\n        ", "<br>") == before
    assert "1 person · 1 account" in after and "ACV in several currencies" in after
    assert "Nobody &lt;yet&gt; &amp; &quot;quoted&quot;" in after


def test_the_board_reads_only_what_its_cards_show_and_counts_as_the_votes_say(
    support, garden, product_manager
):
    """The cards' ideas come without their texts, authors' accounts or gardens' charters, and
    their figures are those of the raw votes."""
    Vote.objects.create(idea=support["crowd"], user=product_manager, account=None)  # staff

    columns = idea_board(ideas=Idea.objects.all())

    cards = [idea for column in columns for idea in column.ideas]
    assert len(cards) == 3
    for idea in cards:
        votes = Vote.objects.filter(idea=idea)
        assert idea.supporters == votes.count()
        accounts = {v.account_id for v in votes if v.account_id is not None}
        assert idea.supporting_accounts == len(accounts)
        assert {"proposal", "job_to_be_done", "author_account_id"} <= idea.get_deferred_fields()
        assert "charter" in idea.garden.get_deferred_fields()
    assert {idea.pk: idea.supporters for idea in cards}[support["crowd"].pk] == 5


def test_votes_are_indexed_by_idea_and_account(db):
    """Migration ideas 0008: the board counts supporters and distinct supporting accounts from
    this index alone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'vote_idea_account'")
        [(definition,)] = cursor.fetchall()
    assert "ideas_vote" in definition and "(idea_id, account_id)" in definition
