"""The robustness API (community/api/robustness.py): an account's bad times with their figures,
recording an incident (once, with an Idempotency-Key sent twice), and the table by level before
the bad time, each scoped like insights and outcomes: internal users over the accounts they
see; the account's customers 403, everyone who does not see it 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.models import InternalRole
from accounts.services import api_token_create
from community.models import BadTime, EngagementSnapshot
from community.services.robustness import BadTimeRow, bad_times_ensure
from tests.accounts.factories import TeamAssignmentFactory, internal
from tests.api_helpers import api_login
from tests.community.todo_helpers import TODAY

pytestmark = pytest.mark.django_db

ACCOUNT = "/api/v1/accounts/acme/robustness/"
CREATE = "/api/v1/accounts/acme/bad-times/"
LEVELS = "/api/v1/insights/robustness/"


def _history(account, start: dt.date, scores: list[float], level: str = "participating") -> None:
    EngagementSnapshot.objects.bulk_create(
        EngagementSnapshot(
            account=account,
            day=start + dt.timedelta(days=n),
            score=score,
            level=level,
            activity=0.5,
            breadth=0.5,
            co_creation=0.0,
            model_version=1,
        )
        for n, score in enumerate(scores)
    )


@pytest.fixture
def unassigned_manager(db, account_b):
    manager = internal(InternalRole.ACCOUNT_MANAGER, email="dan@garden.example", first_name="Dan")
    TeamAssignmentFactory(user=manager, account=account_b)
    return manager


def test_an_accounts_bad_times_come_with_their_figures(frozen, api, account_manager_a, account_a):
    day = TODAY - dt.timedelta(days=30)
    _history(account_a, day - dt.timedelta(days=14), [45.0] * 14 + [30.0] * 3 + [45.0] * 10)
    bad_times_ensure(rows=[BadTimeRow(account_a.pk, "incident", "INC-5", day, "Outage")])
    api_login(api, account_manager_a)

    body = api.get(ACCOUNT).json()

    (bad_time,) = body["bad_times"]
    assert (bad_time["kind"], bad_time["reference"], bad_time["level_before"]) == (
        "incident",
        "INC-5",
        "participating",
    )
    assert (bad_time["score_before"], bad_time["drop"], bad_time["days_to_recover"]) == (
        45.0,
        15.0,
        3,
    )
    assert bad_time["renewal"] == "not_yet"
    assert "drop" in body["definitions"]


def test_the_account_team_records_an_incident_once_with_the_same_key(
    frozen, account_manager_a, account_a
):
    _, key = api_token_create(user=account_manager_a, name="Ticket sync")
    client = Client(headers={"Authorization": f"Token {key}"})
    body = {"occurred_on": "2026-12-02", "reference": "INC-8", "note": "Sync failed"}

    def post(idempotency_key: str):
        return client.post(
            CREATE,
            body,
            content_type="application/json",
            headers={"Idempotency-Key": idempotency_key},
        )

    first, again, other = post("k-1"), post("k-1"), post("k-2")

    assert first.status_code == 201 and first.json()["reference"] == "INC-8"
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 400  # the same incident under a new key: recorded already
    assert BadTime.objects.get().recorded_by == account_manager_a


@pytest.mark.parametrize("persona", ["member_a", "admin_a"])
def test_the_accounts_own_customers_get_403(request, api, account_a, persona):
    api_login(api, request.getfixturevalue(persona))

    assert api.get(ACCOUNT).status_code == 403
    assert api.post(CREATE, {"occurred_on": "2026-12-01"}, format="json").status_code == 403
    assert api.get(LEVELS).status_code == 403
    assert not BadTime.objects.exists()


@pytest.mark.parametrize("persona", ["member_b", "admin_b", "unassigned_manager"])
def test_whoever_does_not_see_the_account_gets_404(request, api, account_a, persona):
    api_login(api, request.getfixturevalue(persona))

    assert api.get(ACCOUNT).status_code == 404
    assert api.post(CREATE, {"occurred_on": "2026-12-01"}, format="json").status_code == 404
    assert not BadTime.objects.exists()


def test_a_product_manager_reads_but_does_not_record(frozen, api, product_manager, account_a):
    api_login(api, product_manager)

    assert api.get(ACCOUNT).status_code == 200
    assert api.post(CREATE, {"occurred_on": "2026-12-01"}, format="json").status_code == 403


def test_anonymous_callers_get_401(api, db):
    assert api.get(ACCOUNT).status_code == 401
    assert api.get(LEVELS).status_code == 401


def test_the_table_by_level_counts_only_the_callers_accounts_and_says_too_few(
    frozen, api, unassigned_manager, account_a, account_b
):
    day = TODAY - dt.timedelta(days=100)
    for account in (account_a, account_b):
        _history(account, day - dt.timedelta(days=14), [50.0] * 14 + [40.0] * 2 + [50.0] * 95)
        bad_times_ensure(rows=[BadTimeRow(account.pk, "incident", "INC-1", day, "")])
    api_login(api, unassigned_manager)

    body = api.get(LEVELS).json()

    row = next(level for level in body["levels"] if level["level"] == "participating")
    assert (row["bad_times"], row["accounts"]) == (1, 1)  # B's only
    assert row["recovered"]["too_few"] is True
    assert (row["recovered"]["k"], row["recovered"]["n"], row["recovered"]["percent"]) == (
        1,
        1,
        None,
    )
    assert row["median_label"] == "too few to say"
    assert body["min_sample"] == 5
