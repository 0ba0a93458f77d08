"""POST /api/v1/engagement/recompute/ and GET /api/v1/engagement/models/.

Recompute: programme admins any account or every account (null); the account team one of its
own accounts; everyone else 403 (PMs, the account's own customers) or 404 (another account).
The engine's tasks are enqueued after commit (run eagerly in tests)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from django.conf import settings

from community.models import EngagementRun, EngagementRunKind, EngagementSnapshot
from community.selectors.engagement_model import engagement_model_active
from community.services.engagement_model import engagement_model_create
from tests.api_helpers import api_error, api_login

RECOMPUTE = "/api/v1/engagement/recompute/"
MODELS = "/api/v1/engagement/models/"


def test_anonymous_callers_get_401(api, db):
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

    # 1 membership (customers: 403), 2 count for the page, 3 the versions with their authors.
    with django_assert_num_queries(3):
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
