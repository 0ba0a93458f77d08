"""The engagement API.

/api/v1/accounts/<slug>/engagement/ and .../engagement/history/: an account's current
engagement and its daily snapshots, for the same readers as the engagement page (the account
team, product managers, programme admins, the account's own admins). A member who is not the
account's admin gets 403; other customers and unassigned account managers 404; anonymous 401.

POST /api/v1/engagement/recompute/ and GET /api/v1/engagement/models/. Recompute: programme
admins any account or every account (null); the account team one of its own accounts; everyone
else 403 (PMs, the account's own customers) or 404 (another account). The engine's tasks are
enqueued after commit (run eagerly in tests)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal

import pytest
import yaml
from django.conf import settings
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from community.api.engagement import SnapshotSerializer
from community.models import EngagementRun, EngagementRunKind, EngagementSnapshot
from community.selectors.engagement_model import engagement_model_active
from community.services.engagement_model import engagement_model_create
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
        # 1 membership (none: internal), 2 permissions (own and groups'), 3 the account
        # (visible: assigned), 4 the snapshots
        with django_assert_num_queries(4):
            response = api.get(HISTORY)
        assert len(response.json()["results"]) == snapshots

    history_with(3)
    history_with(40)


# --- Recompute, and the model's versions ----------------------------------------------------


RECOMPUTE = "/api/v1/engagement/recompute/"
MODELS = "/api/v1/engagement/models/"


def test_anonymous_callers_may_not_recompute_or_list_the_models(api, db):
    assert api.post(RECOMPUTE, {"account": None}, format="json").status_code == 401
    assert api.get(MODELS).status_code == 401
    assert not EngagementRun.objects.exists()


def test_a_programme_admin_recomputes_every_account(
    api, programme_admin, account_a, account_b, django_capture_on_commit_callbacks
):
    api_login(api, programme_admin)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(RECOMPUTE, {"account": None}, format="json")

    assert response.status_code == 202
    assert response.json() == {
        "scope": "all",
        "account": None,
        "task": "community.tasks.engagement_recompute_all_task",
    }
    assert len(callbacks) >= 1
    run = EngagementRun.objects.get()
    assert (run.kind, run.accounts) == (EngagementRunKind.FULL, 2)
    assert EngagementSnapshot.objects.count() == 2


@pytest.mark.parametrize("persona", ["programme_admin", "account_manager_a"])
def test_one_account_is_recomputed_by_its_team_or_a_programme_admin(
    request, api, persona, account_a, account_b, django_capture_on_commit_callbacks
):
    api_login(api, request.getfixturevalue(persona))

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(RECOMPUTE, {"account": "acme"}, format="json")

    assert response.status_code == 202
    assert response.json() == {
        "scope": "account",
        "account": "acme",
        "task": "community.tasks.engagement_recompute_accounts_task",
    }
    run = EngagementRun.objects.get()
    assert (run.kind, run.accounts) == (EngagementRunKind.ACCOUNTS, 1)
    assert list(EngagementSnapshot.objects.values_list("account__slug", flat=True)) == ["acme"]


def test_the_account_team_may_not_recompute_every_account(api, account_manager_a):
    api_login(api, account_manager_a)

    response = api.post(RECOMPUTE, {"account": None}, format="json")

    assert response.status_code == 403
    assert api_error(response)["detail"] == "Only programme admins recompute every account."
    assert not EngagementRun.objects.exists()


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("account_manager_a", "globex", 404),  # not its account
        ("member_b", "acme", 404),
        ("admin_a", "acme", 403),  # its own account, but a customer
        ("member_a", "acme", 403),
        ("product_manager", "acme", 403),  # sees every account, reads only
    ],
)
def test_outsiders_may_not_recompute_an_account(
    request, api, persona, slug, status, account_a, account_b, django_capture_on_commit_callbacks
):
    api_login(api, request.getfixturevalue(persona))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(RECOMPUTE, {"account": slug}, format="json")

    assert response.status_code == status
    assert callbacks == []
    assert not EngagementRun.objects.exists()


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "product_manager"])
def test_nobody_but_programme_admins_recomputes_everything(request, api, persona, account_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(RECOMPUTE, {"account": None}, format="json")

    assert response.status_code == 403
    assert not EngagementRun.objects.exists()


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [({}, "account", "required"), ({"account": "not a slug!"}, "account", "invalid")],
)
def test_bad_input_gets_a_field_error(api, programme_admin, body, attr, code):
    api_login(api, programme_admin)

    response = api.post(RECOMPUTE, body, format="json")

    assert response.status_code == 400
    error = api_error(response)
    assert (error["attr"], error["code"]) == (attr, code)
    assert not EngagementRun.objects.exists()


def test_an_unknown_account_is_404(api, programme_admin):
    api_login(api, programme_admin)

    response = api.post(RECOMPUTE, {"account": "nobody"}, format="json")

    assert response.status_code == 404
    assert not EngagementRun.objects.exists()


@pytest.mark.parametrize("persona", ["account_manager_a", "product_manager", "programme_admin"])
def test_internal_users_list_the_model_versions_newest_first(
    request, api, persona, programme_admin
):
    engagement_model_active()
    engagement_model_create(created_by=programme_admin, note="Lower bar.", threshold_observing=5)
    api_login(api, request.getfixturevalue(persona))

    response = api.get(MODELS)

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["version"], r["is_active"]) for r in rows] == [(2, True), (1, False)]
    assert rows[0]["created_by"] == "ada@garden.example"
    assert rows[0]["note"] == "Lower bar."
    assert rows[0]["threshold_observing"] == 5
    assert rows[1]["weights"]["referral"] == 10
    assert rows[1]["created_by"] is None


@pytest.mark.parametrize("persona", ["member_a", "admin_a"])
def test_customers_may_not_list_the_model_versions(request, api, persona):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(MODELS)

    assert response.status_code == 403
    assert api_error(response)["detail"] == "The engagement model is for internal users."


@pytest.mark.parametrize("versions", [1, 5])
def test_the_versions_list_costs_the_same_queries_whatever_its_length(
    api, programme_admin, versions, django_assert_num_queries
):
    engagement_model_active()
    for _ in range(versions - 1):
        engagement_model_create(created_by=programme_admin)
    api_login(api, programme_admin)

    # 1 membership (customers: 403), 2 the versions with their authors (not a full page: they
    # tell the count, no COUNT query).
    with django_assert_num_queries(2):
        response = api.get(MODELS)

    assert response.json()["count"] == versions


def test_the_schema_documents_the_routes(api, programme_admin):
    api_login(api, programme_admin)

    schema = yaml.safe_load(api.get("/api/schema/").content)

    recompute = schema["paths"]["/api/v1/engagement/recompute/"]["post"]
    assert set(recompute["responses"]) >= {"202", "400", "403", "404"}
    assert "/api/v1/engagement/models/" in schema["paths"]


def test_the_schema_of_these_routes_is_valid_and_warns_of_nothing(db):
    # --validate checks the whole schema; warnings are told per file, so only this API's
    # (others' work in progress must not fail this test).
    result = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--file", "/dev/null"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "engagement_admin.py" not in result.stderr


@pytest.mark.parametrize(
    ("score", "activity"), [("0.0", 0.0), ("37.5", 0.123456789), ("100.0", 1.0), ("62.4", 0.5)]
)
def test_a_snapshot_is_written_as_drfs_fields_write_it(account_a, score, activity):
    """SnapshotSerializer writes its fields out by hand (fast for a long history): the same
    JSON as DRF's walk over the same fields."""
    EngagementSnapshotFactory(
        account=account_a, day=timezone.localdate(), score=Decimal(score), activity=activity
    )
    snapshot = EngagementSnapshot.objects.get(account=account_a)

    fast = SnapshotSerializer(snapshot).data
    by_fields = serializers.Serializer.to_representation(SnapshotSerializer(), snapshot)

    assert JSONRenderer().render(fast) == JSONRenderer().render(by_fields)
    assert list(fast) == list(SnapshotSerializer().fields)
