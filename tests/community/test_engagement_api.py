"""/api/v1/accounts/<slug>/engagement/ and .../engagement/history/: an account's current
engagement and its daily snapshots, for the same readers as the engagement page (the account
team, product managers, programme admins, the account's own admins). A member who is not the
account's admin gets 403; other customers and unassigned account managers 404; anonymous 401."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from community.models import EngagementSnapshot
from tests.api_helpers import api_error, api_login
from tests.community.factories import EngagementSnapshotFactory

CURRENT = "/api/v1/accounts/acme/engagement/"
HISTORY = "/api/v1/accounts/acme/engagement/history/"
TODAY = timezone.localdate


def _day(days_ago: int) -> str:
    return (TODAY() - dt.timedelta(days=days_ago)).isoformat()


@pytest.fixture
def acme_history(account_a):
    for days_ago, score, level in [
        (200, 12.0, "observing"),
        (89, 25.5, "observing"),
        (30, 33.0, "participating"),
        (0, 42.0, "participating"),
    ]:
        EngagementSnapshotFactory(
            account=account_a,
            day=TODAY() - dt.timedelta(days=days_ago),
            score=score,
            level=level,
            activity=0.6,
            breadth=0.2,
            co_creation=0.08,
        )
    return account_a


# --- Who may read it ------------------------------------------------------------------------


@pytest.mark.parametrize("url", [CURRENT, HISTORY])
def test_anonymous_callers_get_401(api, account_a, url):
    response = api.get(url)

    assert response.status_code == 401


@pytest.mark.parametrize("url", [CURRENT, HISTORY])
@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("member_b", "acme", 404),
        ("admin_b", "acme", 404),
        ("account_manager_a", "globex", 404),
        ("member_a", "acme", 403),
    ],
)
def test_outsiders_do_not_read_an_accounts_engagement(
    request, api, acme_history, account_b, url, persona, slug, status
):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(url.replace("acme", slug))

    assert response.status_code == status
    assert "42.0" not in response.content.decode()


def test_a_member_who_is_not_admin_is_told_why(api, member_a, acme_history):
    api_login(api, member_a)

    assert api_error(api.get(CURRENT)) == {
        "type": "client_error",
        "code": "permission_denied",
        "detail": "Only the account's admins see its engagement.",
        "attr": None,
    }


@pytest.mark.parametrize(
    "persona", ["account_manager_a", "product_manager", "programme_admin", "admin_a"]
)
def test_readers_get_the_current_engagement(request, api, acme_history, persona):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(CURRENT)

    assert response.status_code == 200
    assert response.json()["snapshot"]["score"] == 42.0


@pytest.mark.parametrize("url", [CURRENT, HISTORY])
def test_the_endpoints_are_read_only(api, account_manager_a, acme_history, url):
    api_login(api, account_manager_a)

    response = api.post(url, {"score": 99})

    assert response.status_code == 405
    assert not EngagementSnapshot.objects.filter(score=99).exists()


# --- What they return -----------------------------------------------------------------------


def test_the_current_engagement_has_the_snapshot_components_and_advice(
    api, account_manager_a, acme_history
):
    api_login(api, account_manager_a)

    body = api.get(CURRENT).json()

    assert body["account"] == "acme"
    assert body["snapshot"] == {
        "day": _day(0),
        "score": 42.0,
        "level": "participating",
        "level_label": "Participating",
        "activity": 0.6,
        "breadth": 0.2,
        "co_creation": 0.08,
        "model_version": 1,
    }
    assert [(c["key"], c["points"], c["room"]) for c in body["components"]] == [
        ("activity", 30.0, 20.0),
        ("breadth", 5.0, 20.0),
        ("co_creation", 2.0, 23.0),
    ]
    assert body["next_level"] == {
        "label": "Contributing",
        "threshold": 50.0,
        "points_needed": 8.0,
    }
    assert body["trend"] == "up 16.5 points in 89 days"
    assert body["suggestions"][0].startswith("Give feedback in a pilot")


def test_an_account_not_computed_yet_has_no_snapshot(api, admin_a):
    api_login(api, admin_a)

    body = api.get(CURRENT).json()

    assert body["snapshot"] is None
    assert body["components"] == []
    assert body["next_level"] is None
    assert body["suggestions"] == []
    assert body["trend"] == "no history yet"


def test_the_history_has_the_snapshots_of_the_last_90_days_oldest_first(api, admin_a, acme_history):
    api_login(api, admin_a)

    body = api.get(HISTORY).json()

    assert body["account"] == "acme"
    assert body["days"] == 90
    assert [(r["day"], r["score"]) for r in body["results"]] == [
        (_day(89), 25.5),
        (_day(30), 33.0),
        (_day(0), 42.0),
    ]


def test_the_history_reaches_back_as_many_days_as_asked(api, account_manager_a, acme_history):
    api_login(api, account_manager_a)

    assert len(api.get(HISTORY, {"days": 365}).json()["results"]) == 4
    assert len(api.get(HISTORY, {"days": 7}).json()["results"]) == 1


@pytest.mark.parametrize(
    ("days", "code"),
    [("soon", "invalid"), ("0", "min_value"), ("731", "max_value"), ("-5", "min_value")],
)
def test_a_bad_number_of_days_gets_a_field_error(api, account_manager_a, acme_history, days, code):
    api_login(api, account_manager_a)

    response = api.get(HISTORY, {"days": days})

    assert response.status_code == 400
    error = api_error(response)
    assert error["attr"] == "days"
    assert error["code"] == code


def test_the_history_does_not_query_once_per_snapshot(
    api, account_manager_a, account_a, django_assert_num_queries
):
    def history_with(snapshots: int) -> None:
        while EngagementSnapshot.objects.count() < snapshots:
            EngagementSnapshotFactory(
                account=account_a,
                day=TODAY() - dt.timedelta(days=EngagementSnapshot.objects.count()),
            )
        api_login(api, account_manager_a)  # a fresh user: nothing cached from the last call
        # 1 membership (none: internal), 2-3 permissions (user, groups), 4 the account
        # (visible: assigned), 5 the snapshots
        with django_assert_num_queries(5):
            response = api.get(HISTORY)
        assert len(response.json()["results"]) == snapshots

    history_with(3)
    history_with(40)
