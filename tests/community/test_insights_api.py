"""GET /api/v1/insights/outcome-rates/: the insights page's figures (outcome rates by engagement
level at the time, counts, 95% Wilson intervals, small groups flagged) for internal users, over
the accounts they see. Customers: 403; anonymous callers: 401."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Segment
from community.models import EngagementLevel, OutcomeKind
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_error, api_login
from tests.community.factories import EngagementSnapshotFactory

URL = "/api/v1/insights/outcome-rates/"
L = EngagementLevel
K = OutcomeKind


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _decided(account, level, kind=K.RENEWED, *, days_ago=20, today_level=None):
    EngagementSnapshotFactory(account=account, day=_days_ago(200), level=level)
    EngagementSnapshotFactory(account=account, day=_days_ago(2), level=today_level or level)
    outcome_record(account=account, kind=kind, occurred_on=_days_ago(days_ago), recorded_by=None)


def _rate(body, level, outcome) -> dict:
    row = next(row for row in body["levels"] if row["level"] == level)
    return next(rate for rate in row["rates"] if rate["outcome"] == outcome)


def test_anonymous_callers_must_authenticate(api, db):
    assert api.get(URL).status_code == 401


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
def test_customers_are_refused(request, api, persona, account_a):
    _decided(account_a, L.CONTRIBUTING)
    api_login(api, request.getfixturevalue(persona))

    response = api.get(URL)

    assert response.status_code == 403
    assert api_error(response)["code"] == "permission_denied"


def test_it_gives_rates_by_level_at_the_time_with_counts_and_intervals(api, programme_admin):
    _decided(AccountFactory(), L.CONTRIBUTING, today_level=L.DORMANT)  # faded since
    _decided(AccountFactory(), L.CONTRIBUTING, K.CHURNED)
    _decided(AccountFactory(), L.OBSERVING, K.REFERRED)
    api_login(api, programme_admin)

    response = api.get(URL)

    assert response.status_code == 200
    body = response.json()
    today = timezone.localdate()
    assert (body["period_from"], body["period_to"], body["segment"], body["small_group"]) == (
        (today - dt.timedelta(days=365)).isoformat(),
        today.isoformat(),
        "",
        5,
    )
    assert set(body["definitions"]) == {
        "level_at_the_time",
        "decision_rate",
        "advocacy_rate",
        "interval",
        "rounding",
        "few",
    }
    assert [row["level"] for row in body["levels"]] == L.values
    contributing = body["levels"][3]
    assert (contributing["accounts_deciding"], contributing["accounts_at_level"]) == (2, 2)
    renewed = _rate(body, "contributing", "renewed")
    assert renewed == {
        "outcome": "renewed",
        "label": "Renewed",
        "accounts": 1,
        "of": 2,
        "rate": 0.5,
        "interval_low": pytest.approx(0.0945, abs=1e-4),  # Wilson, 1 of 2
        "interval_high": pytest.approx(0.9055, abs=1e-4),
        "rate_percent": 50,
        "interval_low_percent": 9,
        "interval_high_percent": 91,
        "few": True,
    }
    assert _rate(body, "dormant", "renewed")["of"] == 0  # where it sits today does not count
    assert _rate(body, "dormant", "renewed")["rate"] is None
    assert _rate(body, "dormant", "renewed")["interval_low"] is None
    referred = _rate(body, "observing", "referred")
    assert (referred["accounts"], referred["of"], referred["rate"]) == (1, 1, 1.0)


def test_the_account_team_gets_only_its_accounts(api, account_manager_a, account_a, account_b):
    _decided(account_a, L.PARTICIPATING)
    _decided(account_b, L.PARTICIPATING, K.CHURNED)
    api_login(api, account_manager_a)

    body = api.get(URL).json()

    assert _rate(body, "participating", "renewed")["accounts"] == 1
    assert _rate(body, "participating", "churned")["of"] == 1
    assert _rate(body, "participating", "churned")["accounts"] == 0


def test_it_filters_by_period_and_segment(api, product_manager):
    _decided(AccountFactory(segment=Segment.ENTERPRISE), L.CO_CREATING, days_ago=10)
    _decided(AccountFactory(segment=Segment.SMB), L.CO_CREATING, days_ago=100)
    api_login(api, product_manager)

    def renewed(**query) -> tuple[int, int]:
        rate = _rate(api.get(URL, query).json(), "co_creating", "renewed")
        return rate["accounts"], rate["of"]

    assert renewed() == (2, 2)
    assert renewed(segment="enterprise") == (1, 1)
    assert renewed(period_from=_days_ago(50).isoformat()) == (1, 1)
    assert renewed(period_to=_days_ago(50).isoformat()) == (1, 1)


def test_bad_filters_are_field_errors(api, product_manager):
    api_login(api, product_manager)

    backwards = api.get(URL, {"period_from": "2026-05-01", "period_to": "2026-04-01"})
    no_date = api.get(URL, {"period_from": "soon"})
    no_segment = api.get(URL, {"segment": "galactic"})

    assert backwards.status_code == 400
    assert api_error(backwards)["attr"] == "period_to"
    assert (no_date.status_code, api_error(no_date)["attr"]) == (400, "period_from")
    assert (no_segment.status_code, api_error(no_segment)["attr"]) == (400, "segment")


def test_it_is_in_the_openapi_schema(api, product_manager):
    api_login(api, product_manager)

    schema = api.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/insights/outcome-rates/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"period_from", "period_to", "segment"}
    assert "/api/v1/insights/pilot-perception/" in schema["paths"]
