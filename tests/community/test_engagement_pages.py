"""/accounts/<slug>/engagement/: an account's level, trend, why it sits there, what would raise
it, and its activity timeline with the account team's support shown apart.

Who sees it: the account's team, product managers and programme admins (the full view), and
the account's own customer admins (a reduced view: level, trend, what raises it — no breakdown
by activity, no timeline, no support events). A member of the account who is not its admin
gets 403 (they see the account, not its engagement); everyone else gets 404."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from accounts.models import Account
from community.models import ActivityEvent, ActivityKind
from community.services.engagement import engagement_snapshots_compute
from community.services.engagement_model import engagement_model_create
from tests.accounts.factories import customer
from tests.community.factories import EngagementSnapshotFactory

URL = "/accounts/acme/engagement/"
TODAY = timezone.localdate


def _history(account: Account, rows: dict[int, tuple[float, str]], **components) -> None:
    for days_ago, (score, level) in rows.items():
        EngagementSnapshotFactory(
            account=account,
            day=TODAY() - dt.timedelta(days=days_ago),
            score=score,
            level=level,
            **components,
        )


def _event(account, *, kind=ActivityKind.VOTE, days_ago=1, support=False, user=None):
    """An event `days_ago` days back, a little before now but on that day, even just after
    midnight (decay counts whole days)."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    before_now = min(dt.timedelta(hours=1), (now - midnight) / 2)
    return ActivityEvent.objects.create(
        account=account,
        user=user,
        kind=kind,
        occurred_at=now - dt.timedelta(days=days_ago) - before_now,
        is_support=support,
    )


def _chart_data(response) -> dict:
    match = re.search(
        r'<script id="engagement-chart-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the chart data is missing"
    return json.loads(match.group(1))


@pytest.fixture
def acme_history(account_a):
    _history(
        account_a,
        {100: (20.0, "observing"), 60: (31.5, "participating"), 0: (42.0, "participating")},
        activity=0.6,
        breadth=0.2,
        co_creation=0.08,
    )
    return account_a


# --- Who may see it -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, account_a):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={URL}"


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("member_b", "acme", 404),  # a customer of another account
        ("admin_b", "acme", 404),  # even its admin
        ("account_manager_a", "globex", 404),  # an account not assigned to them
        ("member_a", "acme", 403),  # their own account, but not its admin
        ("programme_admin", "no-such-account", 404),
    ],
)
def test_outsiders_do_not_see_an_accounts_engagement(
    request, client_for, acme_history, account_b, persona, slug, status
):
    _history(account_b, {0: (77.0, "co_creating")})

    response = client_for(request.getfixturevalue(persona)).get(f"/accounts/{slug}/engagement/")

    assert response.status_code == status
    assert b"42.0" not in response.content
    assert b"77.0" not in response.content


@pytest.mark.parametrize(
    "persona", ["account_manager_a", "product_manager", "programme_admin", "admin_a"]
)
def test_the_account_team_pms_programme_admins_and_the_accounts_admin_see_it(
    request, client_for, acme_history, persona
):
    response = client_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 200
    assert (
        '<span class="figure" id="current-level"><span class="badge level level-participating"'
    ) in response.content.decode()


def test_the_page_is_read_only(client_for, account_manager_a):
    assert client_for(account_manager_a).post(URL).status_code == 405


def test_the_account_page_links_to_it_for_internal_users_and_the_admin_only(
    client_for, account_manager_a, admin_a, member_a
):
    link = f'href="{URL}"'

    assert link in client_for(account_manager_a).get("/accounts/acme/").content.decode()
    assert link in client_for(admin_a).get("/accounts/acme/").content.decode()
    assert link in client_for(admin_a).get("/").content.decode()  # "Our engagement" at home
    assert link not in client_for(member_a).get("/accounts/acme/").content.decode()
    assert link not in client_for(member_a).get("/").content.decode()


# --- Level, trend, chart ----------------------------------------------------------------------


def test_it_shows_the_level_score_trend_and_the_way_to_the_next_level(
    client_for, account_manager_a, acme_history
):
    page = client_for(account_manager_a).get(URL).content.decode()

    assert '<span class="figure">42.0</span> score out of 100' in page
    assert "up 10.5 points in 60 days" in page
    assert "<small>8.0 points to Contributing (from 50)</small>" in page
    assert '<span class="figure">+10.5</span> <span class="trend-summary">' in page


def test_the_chart_gets_its_data_through_json_script(client_for, account_manager_a, acme_history):
    response = client_for(account_manager_a).get(URL)

    assert _chart_data(response) == {
        "days": [(TODAY() - dt.timedelta(days=d)).isoformat() for d in (100, 60, 0)],
        "scores": [20.0, 31.5, 42.0],
        "levels": ["Observing", "Participating", "Participating"],
        "thresholds": [
            {"key": "observing", "label": "Observing", "score": 10},
            {"key": "participating", "label": "Participating", "score": 30},
            {"key": "contributing", "label": "Contributing", "score": 50},
            {"key": "co_creating", "label": "Co-creating", "score": 70},
        ],
    }
    page = response.content.decode()
    assert '<canvas id="engagement-chart"' in page
    assert "/static/js/engagement-charts.js" in page
    assert "<script>" not in page  # no inline script (CSP)


def test_a_table_gives_the_charts_numbers(client_for, account_manager_a, acme_history):
    page = client_for(account_manager_a).get(URL).content.decode()

    day = TODAY() - dt.timedelta(days=60)
    assert (
        f"<tr><td>{day:%-d %b %Y}</td><td>31.5</td><td>"
        '<span class="badge level level-participating" data-level="participating" '
        'data-rank="3">Participating</span></td>'
    ) in page


def test_the_table_lists_every_day_newest_first_with_two_decimals(
    client_for, account_manager_a, acme_history
):
    page = client_for(account_manager_a).get(URL).content.decode()

    days = [TODAY() - dt.timedelta(days=n) for n in (0, 60, 100)]
    rows = re.findall(
        r"<tr><td>(\d+ \w+ \d{4})</td><td>([\d.]+)</td><td><span[^>]*>(\w+)</span>"
        r"</td><td>([\d.]+)</td><td>([\d.]+)</td><td>([\d.]+)</td></tr>",
        page,
    )
    assert [row[:3] for row in rows] == [
        (f"{days[0]:%-d %b %Y}", "42.0", "Participating"),
        (f"{days[1]:%-d %b %Y}", "31.5", "Participating"),
        (f"{days[2]:%-d %b %Y}", "20.0", "Observing"),
    ]
    assert {row[3:] for row in rows} == {("0.60", "0.20", "0.08")}
    assert "No snapshot in the last year." not in page


def test_the_table_says_when_no_snapshot_is_from_the_last_year(
    client_for, account_manager_a, account_a
):
    _history(account_a, {400: (12.0, "dormant")}, activity=0.1, breadth=0.1, co_creation=0.0)

    page = client_for(account_manager_a).get(URL).content.decode()

    assert '<tr><td colspan="6">No snapshot in the last year.</td></tr>' in page


def test_an_account_not_computed_yet_says_so(client_for, account_manager_a):
    response = client_for(account_manager_a).get(URL)

    assert response.status_code == 200
    assert "has not been computed yet" in response.content.decode()
    assert b"engagement-chart-data" not in response.content


# --- Why this level, what would raise it ----------------------------------------------------


def test_it_names_the_component_that_contributes_most(client_for, account_manager_a, acme_history):
    page = client_for(account_manager_a).get(URL).content.decode()

    # activity 0.6 × 50 = 30 points, breadth 0.2 × 25 = 5, co-creation 0.08 × 25 = 2
    assert "<strong>Activity</strong> contributes most." in page
    assert '<th scope="row">Activity</th><td>0.60</td><td>30.0 of 50</td><td>20.0</td>' in page
    assert '<th scope="row">Breadth</th><td>0.20</td><td>5.0 of 25</td><td>20.0</td>' in page


def test_it_ranks_kinds_of_activity_by_their_weighted_decayed_points(
    client_for, account_manager_a, acme_history
):
    for _ in range(3):
        _event(acme_history, kind=ActivityKind.VISIT, days_ago=0)  # 3 × 1
    _event(acme_history, kind=ActivityKind.FEEDBACK_GIVEN, days_ago=0)  # 8
    _event(acme_history, kind=ActivityKind.COMMENT, days_ago=30)  # 3 × ½
    _event(acme_history, kind=ActivityKind.REFERRAL, days_ago=200)  # outside the 180 days
    _event(acme_history, kind=ActivityKind.WORKSHOP_ATTENDED, support=True)  # support: not here

    response = client_for(account_manager_a).get(URL)

    contributions = response.context["contributions"]
    assert [(c.label, c.events, c.points) for c in contributions] == [
        ("Feedback given", 1, 8.0),
        ("Visit", 3, 3.0),
        ("Comment", 1, 1.5),
    ]
    assert round(contributions[0].share, 2) == round(8 / 12.5, 2)
    assert "<td>64%</td>" in response.content.decode()


def test_it_suggests_the_component_with_the_most_room_first(client_for, admin_a, account_a):
    for _ in range(9):
        customer(account_a)  # 10 members with admin_a: breadth is full at 3 active people
    _history(account_a, {0: (41.0, "participating")}, activity=0.7, breadth=0.1, co_creation=0.0)

    suggestions = client_for(admin_a).get(URL).context["engagement"].suggestions

    assert suggestions[0].startswith("Give feedback in a pilot")
    assert suggestions[0].endswith("It could add up to 25 points.")
    assert suggestions[1].startswith("More colleagues taking part: breadth is full when at least 3")
    assert suggestions[1].endswith("It could add up to 22.5 points.")
    assert suggestions[2].startswith("More activity")


def test_breadth_advice_counts_thirty_percent_of_a_large_account(
    client_for, account_manager_a, account_a
):
    for _ in range(20):
        customer(account_a)
    _history(account_a, {0: (20.0, "observing")}, activity=0.2, breadth=0.1, co_creation=0.2)

    page = client_for(account_manager_a).get(URL).content.decode()

    assert "breadth is full when at least 6 people from the account are active" in page


def test_the_explanation_follows_the_version_that_computed_the_latest_snapshot(
    client_for, account_manager_a, acme_history, programme_admin
):
    weights = {kind: 1.0 for kind in ActivityKind.values} | {ActivityKind.VISIT: 10.0}
    engagement_model_create(
        created_by=programme_admin,
        weights=weights,
        threshold_contributing=45,
        weight_activity=0.6,
        weight_breadth=0.2,
        weight_co_creation=0.2,
    )
    _event(acme_history, kind=ActivityKind.VISIT, days_ago=0)
    _event(acme_history, kind=ActivityKind.FEEDBACK_GIVEN, days_ago=0)
    page = client_for(account_manager_a).get(URL).content.decode()
    assert "50 (Contributing)" in page and "45 (Contributing)" not in page  # version 1's
    engagement_snapshots_compute(account_ids=[acme_history.pk])  # today's, by version 2

    response = client_for(account_manager_a).get(URL)

    page = response.content.decode()
    assert [(c.label, c.points) for c in response.context["contributions"]] == [
        ("Visit", 10.0),
        ("Feedback given", 1.0),
    ]
    assert "45 (Contributing)" in page
    assert "The score is 60% activity, 20% breadth and 20% co-creation." in page
    assert _chart_data(response)["thresholds"][2] == {
        "key": "contributing",
        "label": "Contributing",
        "score": 45,
    }


# --- Timeline and support -----------------------------------------------------------------------


def test_the_account_team_sees_the_timeline_with_support_apart(
    client_for, account_manager_a, acme_history, member_a
):
    _event(acme_history, kind=ActivityKind.IDEA_PROPOSED, user=member_a)
    _event(acme_history, kind=ActivityKind.WORKSHOP_ATTENDED, support=True, user=account_manager_a)

    response = client_for(account_manager_a).get(URL)

    page = response.content.decode()
    customer_part = page[page.index('id="customer-activity"') : page.index('id="support-h"')]
    support_part = page[page.index('id="support-activity"') :]
    assert "Idea proposed by Alice" in customer_part
    assert "Workshop attended" not in customer_part
    assert "Support from your account team" in page
    assert "Workshop attended by Carol" in support_part


def test_the_customer_admin_sees_level_trend_and_advice_but_no_support_events(
    client_for, admin_a, acme_history, account_manager_a, member_a
):
    _event(acme_history, kind=ActivityKind.IDEA_PROPOSED, user=member_a)
    _event(acme_history, kind=ActivityKind.WORKSHOP_ATTENDED, support=True, user=account_manager_a)

    response = client_for(admin_a).get(URL)

    page = response.content.decode()
    assert "<h1>Our engagement</h1>" in page
    assert "Participating" in page
    assert "up 10.5 points in 60 days" in page
    assert "What would raise it" in page
    assert _chart_data(response)["scores"] == [20.0, 31.5, 42.0]
    assert "Support from your account team" not in page
    assert "Workshop attended" not in page
    assert "Why this level" not in page
    assert "Idea proposed" not in page  # no timeline of colleagues' actions either
    assert "support" not in response.context
    assert "Portfolio" not in page


def test_the_timeline_pages_by_20_and_does_not_query_per_event(
    client_for, account_manager_a, acme_history, member_a, django_assert_num_queries
):
    client = client_for(account_manager_a)

    def page_with(events: int) -> None:
        while ActivityEvent.objects.filter(is_support=False).count() < events:
            _event(acme_history, user=member_a)
            _event(acme_history, support=True, user=account_manager_a)
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'), 4
        # the account (visible: assigned), 5 the snapshots of the year, 6 member count, 7 the
        # engagement model of the latest snapshot, 8 activity by kind and day, 9 customer timeline
        # count, 10 support count, 11 the header's counts (the bell's unread notifications, open
        # alerts, flagged posts), 12 the customer timeline's page (with users), 13 the support
        # page, 14 the account's latest loyalty outcomes (test_engagement_page_sections.py), 15-16
        # why the score moved (the aged figures, the events since; the snapshot before and its
        # version are those of 5 and 7), 17 the account's bad times (none: their snapshots and
        # outcomes are not read; tests/community/test_robustness_figures.py)
        with django_assert_num_queries(17):
            response = client.get(URL)
        assert response.content.decode().count("— Vote by Alice") == min(events, 20)

    page_with(3)
    page_with(30)
    second = client.get(URL, {"page": 2}).content.decode()
    assert second.count("— Vote by Alice") == 10
