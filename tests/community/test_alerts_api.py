"""/api/v1/alerts/: list (filters state, reason, account), acknowledge and resolve {note}.
Alerts are internal: customers get 403 on every route, an account manager asking for another
account's alert 404, product managers read but do not act (403), anonymous callers 401."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.utils import timezone
from django.utils.dateformat import format as date_format

from community.models import Alert, AlertReason
from community.services import alerts
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory
from tests.api_helpers import api_error, api_login
from tests.community.factories import EngagementSnapshotFactory

URL = "/api/v1/alerts/"


def _alert(account, reason=AlertReason.SCORE_FELL, **fields) -> Alert:
    details = {"points": 18.0, "days": 30, "peak_score": 50.0, "score": 32.0}
    return Alert.objects.create(account=account, reason=reason, details=details, **fields)


def _open_rows() -> list[tuple]:
    return list(Alert.objects.values_list("acknowledged_at", "resolved_at", "resolution_note"))


# --- Who may call it -------------------------------------------------------------------------


def test_anonymous_callers_get_401(api, account_a):
    alert = _alert(account_a)

    assert api.get(URL).status_code == 401
    assert api.post(f"{URL}{alert.pk}/acknowledge/").status_code == 401
    assert api.post(f"{URL}{alert.pk}/resolve/", {"note": "x"}).status_code == 401
    assert Alert.objects.get().acknowledged_at is None


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
def test_customers_get_403_on_every_alert_route(request, api, account_a, persona):
    alert = _alert(account_a)
    api_login(api, request.getfixturevalue(persona))

    responses = [
        api.get(URL),
        api.get(f"{URL}{alert.pk}/"),
        api.post(f"{URL}{alert.pk}/acknowledge/"),
        api.post(f"{URL}{alert.pk}/resolve/", {"note": "x"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert "Acme" not in b"".join(r.content for r in responses).decode()
    assert _open_rows() == [(None, None, "")]


def test_an_account_manager_gets_404_for_another_accounts_alert(
    api, account_manager_a, account_a, account_b
):
    _alert(account_a)
    other = _alert(account_b)
    api_login(api, account_manager_a)

    listed = api.get(URL).json()["results"]
    responses = [
        api.get(f"{URL}{other.pk}/"),
        api.post(f"{URL}{other.pk}/acknowledge/"),
        api.post(f"{URL}{other.pk}/resolve/", {"note": "x"}),
    ]

    assert [a["account"] for a in listed] == ["acme"]
    assert [r.status_code for r in responses] == [404, 404, 404]
    other.refresh_from_db()
    assert other.acknowledged_at is None and other.resolved_at is None


def test_product_managers_read_every_alert_but_cannot_act(
    api, product_manager, account_a, account_b
):
    alert = _alert(account_a)
    _alert(account_b)
    api_login(api, product_manager)

    assert api.get(URL).json()["count"] == 2
    ack = api.post(f"{URL}{alert.pk}/acknowledge/")
    resolve = api.post(f"{URL}{alert.pk}/resolve/", {"note": "x"})

    assert (ack.status_code, resolve.status_code) == (403, 403)
    assert _open_rows() == [(None, None, ""), (None, None, "")]


# --- Listing ---------------------------------------------------------------------------------


def test_it_lists_open_alerts_with_their_figures(api, account_manager_a, account_a):
    alert = _alert(account_a)
    _alert(
        account_a,
        AlertReason.LEVEL_DROPPED,
        resolved_at=timezone.now(),
        resolution_note="Done.",
        resolution="person",
    )
    api_login(api, account_manager_a)

    body = api.get(URL).json()

    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == alert.pk
    assert (row["account"], row["reason"], row["state"]) == ("acme", "score_fell", "new")
    assert row["details"]["points"] == 18.0
    assert row["summary"] == "Score fell 18.0 points in 30 days (from 50.0 to 32.0)."
    assert row["acknowledged_by"] is None


def test_it_says_whether_each_open_alert_still_holds_and_how_one_was_resolved(
    api, programme_admin, account_a
):
    today = timezone.localdate()
    account_a.renewal_date = None
    account_a.save()
    for days_ago, level, since in ((6, "participating", 30), (5, "observing", 5)):
        EngagementSnapshotFactory(
            account=account_a,
            day=today - dt.timedelta(days=days_ago),
            level=level,
            level_since=today - dt.timedelta(days=since),
        )
    alerts.alerts_raise(account_ids=[account_a.pk], day=today - dt.timedelta(days=5))
    api_login(api, programme_admin)
    still = api.get(URL).json()["results"][0]
    EngagementSnapshotFactory(
        account=account_a, day=today, level="participating", level_since=today
    )
    between_runs = api.get(URL).json()["results"][0]
    alerts.alerts_raise(account_ids=[account_a.pk], day=today)  # the next run
    resolved = api.get(URL, {"state": "resolved"}).json()["results"][0]

    assert (still["still_true"], still["resolution"]) == (True, "")
    assert still["still_true_note"].startswith("Observing since ")
    assert between_runs["still_true"] is False
    words = f"Back at Participating since {date_format(today, 'j M Y')}"
    assert between_runs["still_true_note"] == words
    assert (resolved["resolution"], resolved["resolution_note"]) == ("no_longer_true", words)
    assert (resolved["still_true"], resolved["resolved_by"]) == (None, None)


def test_it_filters_by_state_reason_and_account(api, programme_admin, account_a, account_b):
    _alert(account_a, AlertReason.SCORE_FELL)
    _alert(account_b, AlertReason.LEVEL_DROPPED, acknowledged_at=timezone.now())
    _alert(
        account_b,
        AlertReason.SCORE_FELL,
        resolved_at=timezone.now(),
        resolution_note="ok",
        resolution="person",
    )
    api_login(api, programme_admin)

    def listed(**query):
        return sorted((a["account"], a["reason"]) for a in api.get(URL, query).json()["results"])

    assert listed() == [("acme", "score_fell"), ("globex", "level_dropped")]
    assert listed(state="resolved") == [("globex", "score_fell")]
    assert listed(state="acknowledged") == [("globex", "level_dropped")]
    assert listed(state="all", reason="score_fell") == [
        ("acme", "score_fell"),
        ("globex", "score_fell"),
    ]
    assert listed(account="globex") == [("globex", "level_dropped")]


def test_a_bad_filter_is_a_400_naming_the_field(api, programme_admin):
    api_login(api, programme_admin)

    response = api.get(URL, {"state": "sleepy"})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "state"


def test_the_list_takes_the_same_queries_for_few_and_many_alerts(
    api, account_manager_a, account_a, django_assert_num_queries
):
    api_login(api, account_manager_a)
    _alert(account_a, acknowledged_by=account_manager_a, acknowledged_at=timezone.now())
    for count in (1, 12):
        for account in AccountFactory.create_batch(count):
            TeamAssignmentFactory(user=account_manager_a, account=account)
            _alert(account, acknowledged_by=account_manager_a, acknowledged_at=timezone.now())
        api_login(api, account_manager_a)  # a fresh user: nothing cached from the last call
        # membership (none: internal); permissions, own and groups' (sees all accounts?);
        # the page's alerts with accounts and people (not full: it tells the count)
        with django_assert_num_queries(3):
            assert api.get(URL).status_code == 200


# --- Acknowledge and resolve -----------------------------------------------------------------


def test_the_account_manager_acknowledges_an_alert(api, account_manager_a, account_a):
    alert = _alert(account_a)
    api_login(api, account_manager_a)

    response = api.post(f"{URL}{alert.pk}/acknowledge/")
    again = api.post(f"{URL}{alert.pk}/acknowledge/")

    assert response.status_code == 200
    assert response.json()["state"] == "acknowledged"
    assert response.json()["acknowledged_by"]["email"] == account_manager_a.email
    assert again.json()["acknowledged_at"] == response.json()["acknowledged_at"]
    alert.refresh_from_db()
    assert alert.acknowledged_by == account_manager_a
    assert alert.resolved_at is None


def test_the_account_manager_resolves_an_alert_with_a_note(api, account_manager_a, account_a):
    alert = _alert(account_a)
    api_login(api, account_manager_a)

    response = api.post(f"{URL}{alert.pk}/resolve/", {"note": "QBR booked for next week."})

    assert response.status_code == 200
    assert response.json()["state"] == "resolved"
    assert response.json()["resolution_note"] == "QBR booked for next week."
    alert.refresh_from_db()
    assert (alert.resolved_by, alert.resolution_note) == (
        account_manager_a,
        "QBR booked for next week.",
    )
    assert alert.resolved_at is not None and alert.acknowledged_at is not None


@pytest.mark.parametrize("body", [{}, {"note": ""}, {"note": "   "}, {"note": "x" * 2001}])
def test_resolving_without_a_proper_note_is_a_400_on_note(api, account_manager_a, account_a, body):
    alert = _alert(account_a)
    api_login(api, account_manager_a)

    response = api.post(f"{URL}{alert.pk}/resolve/", body)

    assert response.status_code == 400
    assert api_error(response)["attr"] == "note"
    assert _open_rows() == [(None, None, "")]


def test_a_resolved_alert_cannot_be_resolved_or_acknowledged_again(
    api, account_manager_a, account_a
):
    alert = _alert(
        account_a, resolved_at=timezone.now(), resolution_note="First.", resolution="person"
    )
    api_login(api, account_manager_a)

    resolve = api.post(f"{URL}{alert.pk}/resolve/", {"note": "Again."})
    ack = api.post(f"{URL}{alert.pk}/acknowledge/")

    assert (resolve.status_code, ack.status_code) == (400, 400)
    assert "already resolved" in api_error(resolve)["detail"]
    alert.refresh_from_db()
    assert alert.resolution_note == "First." and alert.acknowledged_at is None


def test_the_schema_documents_the_alert_routes(api, programme_admin):
    api_login(api, programme_admin)

    schema = yaml.safe_load(api.get("/api/schema/").content)

    listing = schema["paths"]["/api/v1/alerts/"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"state", "reason", "account"}
    resolve = schema["paths"]["/api/v1/alerts/{id}/resolve/"]["post"]
    assert set(resolve["responses"]) >= {"200", "400", "403", "404"}
    assert "/api/v1/alerts/{id}/acknowledge/" in schema["paths"]
