"""The value exchanged's page, its CSV and the portfolio's "gave / got" column: who reads them
(the account's own customer admins, its account team, product managers; not its other
members, nor other accounts' people or account managers), that they show the ledger's numbers,
and that the portfolio's queries do not grow with its accounts. The clock is frozen (5 Dec
2026), so the period does not depend on the day the test runs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from accounts.models import Account, InternalRole, TeamRole
from community.models import ActivityEvent, ActivityKind
from community.selectors.value_exchanged import value_ledger
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer, internal
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/acme/value-exchanged/"


def _event(account, kind, moment, *, support=False) -> None:
    ActivityEvent.objects.create(
        account=account, kind=kind, occurred_at=moment, created_at=moment, is_support=support
    )


def _exchange(account, *, day: dt.datetime) -> None:
    """Two things given (an idea, a referral) and one got back (a closed loop) on `day`."""
    IdeaFactory(author=customer(account), author_account=account, created_at=day)
    _event(account, ActivityKind.REFERRAL, day)
    _event(account, ActivityKind.LOOP_CLOSED, day, support=True)


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _manager_of(account) -> object:
    manager = internal(InternalRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(user=manager, account=account, role=TeamRole.ACCOUNT_MANAGER)
    return manager


# --- Who reads it -------------------------------------------------------------------------------


def test_the_customer_admin_reads_their_own_accounts_ledger(frozen, client_for, admin_a, account_a):
    _exchange(account_a, day=frozen - dt.timedelta(days=40))

    response = client_for(admin_a).get(URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "What we gave, what we got back" in page
    assert re.search(r'id="value-gave">2<', page)
    assert re.search(r'id="value-got">1<', page)
    assert 'data-kind="referrals"' in page
    assert "value-exchanged-chart-data" in page


@pytest.mark.parametrize("export", [{}, {"export": "csv"}])
def test_a_member_who_is_not_the_admin_gets_403(client_for, member_a, export):
    assert client_for(member_a).get(URL, export).status_code == 403


@pytest.mark.parametrize("export", [{}, {"export": "csv"}])
def test_another_accounts_admin_and_member_get_404(
    client_for, account_a, admin_b, member_b, export
):
    _exchange(account_a, day=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))

    assert client_for(admin_b).get(URL, export).status_code == 404
    assert client_for(member_b).get(URL, export).status_code == 404


def test_an_account_manager_not_on_the_accounts_team_gets_404(client_for, account_a, account_b):
    assert client_for(_manager_of(account_b)).get(URL).status_code == 404


def test_the_account_team_and_product_managers_read_it(
    client_for, account_manager_a, product_manager, account_a
):
    for person in (account_manager_a, product_manager):
        response = client_for(person).get(URL)
        assert response.status_code == 200
        assert "The value exchanged: Acme Industrial" in response.content.decode()


def test_the_engagement_page_and_the_admins_home_link_to_it(client_for, admin_a, account_a):
    client = client_for(admin_a)

    assert URL in client.get("/accounts/acme/engagement/").content.decode()
    assert URL in client.get("/").content.decode()


# --- What it shows ------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_month_with_the_ledgers_counts(
    frozen, client_for, admin_a, account_a
):
    _exchange(account_a, day=dt.datetime(2026, 11, 2, tzinfo=dt.UTC))
    _event(account_a, ActivityKind.COMMENT, dt.datetime(2026, 12, 1, tzinfo=dt.UTC), support=True)

    response = client_for(admin_a).get(URL, {"months": 6, "export": "csv"})

    assert response["Content-Disposition"] == 'attachment; filename="value-exchanged-acme.csv"'
    rows = {row["month"]: row for row in _csv(response)}
    assert list(rows) == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert rows["2026-11"]["ideas_proposed"] == "1"
    assert rows["2026-11"]["referrals"] == "1"
    assert rows["2026-11"]["loops_closed"] == "1"
    assert (rows["2026-11"]["gave"], rows["2026-11"]["got"]) == ("2", "1")
    assert (rows["2026-12"]["answers"], rows["2026-12"]["got"]) == ("1", "1")
    assert rows["2026-10"]["gave"] == "0"


def test_a_period_it_does_not_offer_is_a_400(client_for, admin_a):
    response = client_for(admin_a).get(URL, {"months": "7"})

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_the_page_names_nobody(frozen, client_for, admin_a, account_a):
    author = customer(account_a, first_name="Zebulon", last_name="Quillfeather")
    IdeaFactory(author=author, author_account=account_a, created_at=frozen)

    page = client_for(admin_a).get(URL).content.decode()

    assert "Zebulon" not in page
    assert "Quillfeather" not in page


# --- The portfolio's column ---------------------------------------------------------------------


def _portfolio_values(page: str) -> dict[str, str]:
    """Account slug → "gave/got" of the portfolio's rows."""
    pairs = re.findall(
        r'data-value="(\d+)/(\d+)"><a href="/accounts/([\w-]+)/value-exchanged/"', page
    )
    return {slug: f"{gave}/{got}" for gave, got, slug in pairs}


def test_the_portfolios_gave_and_got_are_the_ledgers(
    frozen, client_for, programme_admin, account_a, account_b
):
    _exchange(account_a, day=frozen - dt.timedelta(days=20))
    _exchange(account_a, day=frozen - dt.timedelta(days=200))
    _event(account_b, ActivityKind.WORKSHOP_ATTENDED, frozen - dt.timedelta(days=3))
    _event(account_b, ActivityKind.LOOP_CLOSED, frozen - dt.timedelta(days=500), support=True)

    page = client_for(programme_admin).get("/portfolio/").content.decode()
    rows = _csv(client_for(programme_admin).get("/portfolio/", {"export": "csv"}))

    shown = _portfolio_values(page)
    for account in (account_a, account_b):
        ledger = value_ledger(account=account)
        assert shown[account.slug] == f"{ledger.gave}/{ledger.got}"
        row = next(r for r in rows if r["slug"] == account.slug)
        assert (row["value_gave_12_months"], row["value_got_12_months"]) == (
            str(ledger.gave),
            str(ledger.got),
        )
    assert shown == {"acme": "4/2", "globex": "1/0"}  # the loop of 500 days ago: too old


def test_the_portfolio_does_not_query_once_per_account_for_the_column(
    frozen, client_for, programme_admin, django_assert_num_queries
):
    client = client_for(programme_admin)

    def page_with(accounts: int) -> None:
        while Account.objects.count() < accounts:
            _exchange(AccountFactory(), day=frozen - dt.timedelta(days=10))
        # 1 session, 2 user with membership, 3 permissions, 4 paginator count, 5 the page of
        # accounts, 6 their 89-day snapshots, 7-12 the value exchanged: community's events
        # (one grouped query) and the ideas app's ideas proposed, check-ins answered, pilots
        # joined, ideas adopted and early access (one each), 13 the Board badge, 14 the
        # header's counts
        with django_assert_num_queries(14):
            response = client.get("/portfolio/")
        values = _portfolio_values(response.content.decode())
        assert len(values) == min(accounts, 25)
        assert set(values.values()) == {"2/1"}

    page_with(3)
    page_with(30)
