"""/portfolio/: the account team's home — their accounts' engagement at a glance.

Who sees what: an account-team member sees the accounts assigned to them; product managers and
programme admins see every account; customers have no portfolio (403: they are logged in, the
page is not for them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from accounts.models import Account, Segment
from community.models import ActivityKind, EngagementLevel
from community.selectors.portfolio import PORTFOLIO_SORTS
from community.services.engagement import activity_record
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer
from tests.community.factories import EngagementSnapshotFactory

URL = "/portfolio/"
TODAY = timezone.localdate


def _level(score: float) -> str:
    for level, start in reversed(
        [("dormant", 0), ("observing", 10), ("participating", 30), ("contributing", 50)]
        + [("co_creating", 70)]
    ):
        if score >= start:
            return level
    return "dormant"


def _history(account: Account, scores: dict[int, float]) -> None:
    """Snapshots of `account`, keyed by how many days ago."""
    for days_ago, score in scores.items():
        EngagementSnapshotFactory(
            account=account,
            day=TODAY() - dt.timedelta(days=days_ago),
            score=score,
            level=_level(score),
        )


def _event(account: Account, *, days_ago: int, support: bool = False, kind=ActivityKind.VOTE):
    return activity_record(
        account=account,
        user=None,
        kind=kind,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        is_support=support,
    )


def _names(response) -> list[str]:
    return re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', response.content.decode()
    )


def _csv(response) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


# --- Who may open it ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/portfolio/"


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
@pytest.mark.parametrize("export", [{}, {"export": "csv"}])
def test_customers_have_no_portfolio(request, client_for, persona, export, account_a, account_b):
    _history(account_a, {0: 40})

    response = client_for(request.getfixturevalue(persona)).get(URL, export)

    assert response.status_code == 403
    assert b"Acme" not in response.content


def test_an_account_manager_sees_only_the_accounts_assigned_to_them(
    client_for, account_manager_a, account_b
):
    _history(account_b, {0: 80})

    response = client_for(account_manager_a).get(URL)

    assert response.status_code == 200
    assert _names(response) == ["Acme Industrial"]
    assert b"Globex" not in response.content


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_see_every_account(
    request, client_for, persona, account_a, account_b
):
    response = client_for(request.getfixturevalue(persona)).get(URL)

    assert _names(response) == ["Acme Industrial", "Globex Logistics"]


def test_a_programme_admin_can_narrow_it_to_the_accounts_assigned_to_them(
    client_for, programme_admin, account_a, account_b
):
    TeamAssignmentFactory(user=programme_admin, account=account_b)

    response = client_for(programme_admin).get(URL, {"mine": "on"})

    assert _names(response) == ["Globex Logistics"]


def test_the_page_is_read_only(client_for, account_manager_a):
    response = client_for(account_manager_a).post(URL, {"q": "x"})

    assert response.status_code == 405


def test_internal_users_find_it_in_the_navigation_and_on_their_home(client_for, account_manager_a):
    client = client_for(account_manager_a)

    assert '<a href="/portfolio/"' in client.get("/").content.decode()
    assert 'href="/portfolio/">Portfolio</a>' in client.get("/gardens/").content.decode()


def test_customers_do_not_find_it_in_the_navigation(client_for, admin_a):
    assert b'href="/portfolio/"' not in client_for(admin_a).get("/gardens/").content


# --- What a row shows -----------------------------------------------------------------------


def test_a_row_shows_level_score_trend_last_customer_activity_renewal_and_segment(
    client_for, account_manager_a, account_a
):
    account_a.renewal_date = dt.date(2031, 3, 14)
    account_a.segment = Segment.ENTERPRISE
    account_a.save()
    _history(account_a, {90: 30, 45: 36, 0: 42})
    _event(account_a, days_ago=5)
    _event(account_a, days_ago=1, support=True)  # the account team's own: not customer activity

    page = client_for(account_manager_a).get(URL).content.decode()

    assert (
        '<span class="badge level level-participating" data-level="participating" '
        'data-rank="3">Participating</span>'
    ) in page
    assert "<td>42.0</td>" in page
    assert "up 12 points in 90 days" in page
    assert "<polyline points=" in page
    five_days_ago = timezone.localtime(timezone.now() - dt.timedelta(days=5)).date()
    assert f">{five_days_ago:%-d %b %Y}</time>" in page
    assert "14 Mar 2031" in page
    assert "Enterprise" in page


@pytest.mark.parametrize(
    ("scores", "summary"),
    [
        ({60: 50, 0: 41.5}, "down 8.5 points in 60 days"),
        ({30: 20, 0: 20}, "unchanged in 30 days"),
        ({1: 20, 0: 21}, "up 1 point in 1 days"),
        ({0: 20}, "one day of history, no trend yet"),
        ({}, "no history yet"),
        ({200: 80}, "no history yet"),  # older than the 90-day window
    ],
)
def test_the_sparkline_says_in_words_how_the_score_moved(
    client_for, account_manager_a, account_a, scores, summary
):
    _history(account_a, scores)

    page = client_for(account_manager_a).get(URL).content.decode()

    assert f'<small class="trend-summary">{summary}</small>' in page


def test_an_account_not_computed_yet_says_so(client_for, account_manager_a):
    page = client_for(account_manager_a).get(URL).content.decode()

    assert "Not computed yet" in page
    assert "None yet" in page  # no customer activity


# --- Sorting, filtering, search, pagination ---------------------------------------------------


@pytest.fixture
def three_accounts(programme_admin):
    low = AccountFactory(
        name="Low Ltd", segment=Segment.SMB, renewal_date=TODAY() + dt.timedelta(days=200)
    )
    mid = AccountFactory(name="Mid AG", segment=Segment.ENTERPRISE, renewal_date=None)
    high = AccountFactory(
        name="High plc", segment=Segment.ENTERPRISE, renewal_date=TODAY() + dt.timedelta(days=20)
    )
    AccountFactory(name="New Co", segment=Segment.SMB, renewal_date=TODAY() + dt.timedelta(days=40))
    _history(low, {0: 8})
    _history(mid, {0: 45})
    _history(high, {0: 75})
    _event(low, days_ago=2)
    _event(mid, days_ago=40)
    _event(high, days_ago=10)
    return programme_admin


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["High plc", "Low Ltd", "Mid AG", "New Co"]),
        ("-score", ["High plc", "Mid AG", "Low Ltd", "New Co"]),
        ("score", ["New Co", "Low Ltd", "Mid AG", "High plc"]),
        ("-level", ["High plc", "Mid AG", "Low Ltd", "New Co"]),
        ("level", ["New Co", "Low Ltd", "Mid AG", "High plc"]),
        ("renewal_date", ["High plc", "New Co", "Low Ltd", "Mid AG"]),
        ("-last_activity_at", ["Low Ltd", "High plc", "Mid AG", "New Co"]),
        ("last_activity_at", ["New Co", "Mid AG", "High plc", "Low Ltd"]),
    ],
)
def test_it_sorts_by_score_level_renewal_last_activity_and_name(
    client_for, three_accounts, sort, names
):
    response = client_for(three_accounts).get(URL, {"sort": sort})

    assert _names(response) == names


@pytest.mark.parametrize("sort", list(PORTFOLIO_SORTS))
def test_every_sort_works_for_an_account_manager_too(
    client_for, account_manager_a, account_b, sort
):
    # An account manager's accounts come through their assignments (SELECT DISTINCT): the
    # sort keys must be in the select list on PostgreSQL.
    _history(Account.objects.get(slug="acme"), {0: 40})

    response = client_for(account_manager_a).get(URL, {"sort": sort, "mine": "on"})

    assert response.status_code == 200
    assert _names(response) == ["Acme Industrial"]


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"level": EngagementLevel.CO_CREATING}, ["High plc"]),
        ({"level": EngagementLevel.DORMANT}, ["Low Ltd"]),
        ({"level": "none"}, ["New Co"]),
        ({"segment": Segment.ENTERPRISE}, ["High plc", "Mid AG"]),
        ({"renewal_within": "30"}, ["High plc"]),
        ({"renewal_within": "60"}, ["High plc", "New Co"]),
        ({"q": "ltd"}, ["Low Ltd"]),
        ({"segment": Segment.SMB, "renewal_within": "365"}, ["Low Ltd", "New Co"]),
    ],
)
def test_it_filters_by_level_segment_renewal_and_name(client_for, three_accounts, filters, names):
    response = client_for(three_accounts).get(URL, filters)

    assert response.status_code == 200
    assert _names(response) == names


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"renewal_within": "soon"}, "renewal_within", "Enter a whole number."),
        ({"renewal_within": "0"}, "renewal_within", "greater than or equal to 1"),
        ({"sort": "contract"}, "sort", "Select a valid choice."),
        ({"level": "legendary"}, "level", "Select a valid choice."),
    ],
)
def test_a_bad_filter_gets_a_clear_field_error(client_for, three_accounts, filters, field, message):
    response = client_for(three_accounts).get(URL, filters)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()


def test_it_pages_by_25(client_for, programme_admin):
    for n in range(27):
        AccountFactory(name=f"Account {n:02d}")
    client = client_for(programme_admin)

    first, second = client.get(URL), client.get(URL, {"page": 2})

    assert len(_names(first)) == 25
    assert _names(second) == ["Account 25", "Account 26"]
    assert "Page 2 of 2" in second.content.decode()


def test_htmx_gets_the_rows_alone(client_for, three_accounts):
    response = client_for(three_accounts).get(URL, {"q": "high"}, HTTP_HX_REQUEST="true")

    assert _names(response) == ["High plc"]
    assert b"<form" not in response.content


# --- CSV export ----------------------------------------------------------------------------


def test_the_csv_export_has_the_filtered_accounts_with_their_engagement(client_for, three_accounts):
    _history(Account.objects.get(name="High plc"), {90: 60})

    response = client_for(three_accounts).get(
        URL, {"segment": Segment.ENTERPRISE, "sort": "-score", "export": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="portfolio.csv"'
    rows = _csv(response)
    assert [r["name"] for r in rows] == ["High plc", "Mid AG"]
    assert rows[0]["level"] == "co_creating"
    assert rows[0]["score"] == "75.0"
    assert rows[0]["score_change_90_days"] == "15.0"
    assert rows[0]["snapshot_day"] == TODAY().isoformat()
    assert rows[0]["renewal_date"] == (TODAY() + dt.timedelta(days=20)).isoformat()
    assert rows[0]["last_customer_activity"] != ""
    assert rows[1]["renewal_date"] == ""


def test_the_csv_export_of_an_account_manager_has_only_their_accounts(
    client_for, account_manager_a, account_b
):
    response = client_for(account_manager_a).get(URL, {"export": "csv"})

    assert [r["name"] for r in _csv(response)] == ["Acme Industrial"]


def test_a_csv_export_with_a_bad_filter_shows_the_error_instead(client_for, three_accounts):
    response = client_for(three_accounts).get(URL, {"renewal_within": "x", "export": "csv"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


# --- Query count -----------------------------------------------------------------------------


def test_the_portfolio_does_not_query_once_per_account(
    client_for, programme_admin, django_assert_num_queries
):
    client = client_for(programme_admin)

    def page_with(accounts: int) -> None:
        while Account.objects.count() < accounts:
            account = AccountFactory()
            customer(account)
            _history(account, {80: 20, 40: 30, 0: 35})
            _event(account, days_ago=3)
            _event(account, days_ago=1, support=True)
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'),
        # 4 paginator count, 5 the page of accounts with their latest snapshot, trend start
        # and last activity (subqueries), 6 the page's 89-day snapshots, 7-12 the value
        # exchanged (gave / got: one query per counted kind group, test_value_exchanged_pages),
        # 13 ideas awaiting review (the navigation's Board badge), 14 the header's counts (the
        # bell's unread notifications, open alerts, flagged posts)
        with django_assert_num_queries(14):
            response = client.get(URL, {"sort": "-score"})
        assert len(_names(response)) == min(accounts, 25)
        assert response.content.decode().count("<polyline") == min(accounts, 25)

    page_with(3)
    page_with(30)


def test_the_portfolio_and_the_account_page_and_api_show_the_same_score_at_the_same_moment(
    client_for, account_manager_a, account_a
):
    from community.services.engagement import engagement_snapshots_compute

    member = customer(account_a)
    for days_ago in (40, 12, 3):
        activity_record(
            account=account_a,
            user=member,
            kind=ActivityKind.COMMENT,
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        )
    engagement_snapshots_compute(account_ids=[account_a.pk], day=TODAY() - dt.timedelta(days=1))
    engagement_snapshots_compute(account_ids=[account_a.pk])  # today's, computed just now
    client = client_for(account_manager_a)

    row = _csv(client.get(URL, {"export": "csv"}))[0]
    page = client.get(f"/accounts/{account_a.slug}/engagement/")
    api = client.get(f"/api/v1/accounts/{account_a.slug}/engagement/").json()

    latest = page.context["engagement"].latest
    assert row["score"] == str(latest.score) == f"{api['snapshot']['score']:.1f}"
    assert row["level"] == latest.level == api["snapshot"]["level"]
    assert api["change"]["sentence"] == page.context["engagement"].change.sentence
    assert f"<td>{latest.score}</td>" in client.get(URL).content.decode()
