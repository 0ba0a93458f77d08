"""Offline events: the account team records a workshop attended or a referral of one of its
accounts (page community:offline-event-create and POST /api/v1/accounts/<slug>/offline-events/).
It becomes a customer activity event that engagement counts. Other accounts' teams: 404;
customers: 403 on their own account, 404 on another; product managers: 403."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from community.engagement.offline_events import offline_event_record
from community.models import ActivityEvent, ActivityKind
from tests.api_helpers import api_error, api_login

TODAY = timezone.localdate


def _page(slug: str = "acme") -> str:
    return reverse("community:offline-event-create", args=[slug])


def _api(slug: str = "acme") -> str:
    return f"/api/v1/accounts/{slug}/offline-events/"


def _days_ago(days: int) -> str:
    return (TODAY() - dt.timedelta(days=days)).isoformat()


# --- The service ---------------------------------------------------------------------------


def test_it_records_a_customer_event_at_noon_of_the_day(account_a, account_manager_a):
    day = TODAY() - dt.timedelta(days=3)

    event = offline_event_record(
        account=account_a,
        kind=ActivityKind.WORKSHOP_ATTENDED,
        occurred_on=day,
        recorded_by=account_manager_a,
    )

    event.refresh_from_db()
    assert (event.account, event.kind, event.is_support) == (
        account_a,
        ActivityKind.WORKSHOP_ATTENDED,
        False,
    )
    assert timezone.localtime(event.occurred_at).date() == day
    assert timezone.localtime(event.occurred_at).hour == 12


def test_an_event_of_today_is_never_in_the_future(account_a):
    event = offline_event_record(
        account=account_a, kind=ActivityKind.REFERRAL, occurred_on=TODAY(), recorded_by=None
    )

    assert event.occurred_at <= timezone.now()


# --- The page --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_login_page(client, account_a):
    response = client.get(_page())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("account_manager_a", "globex", 404),
        ("member_b", "acme", 404),
        ("admin_a", "acme", 403),
        ("member_a", "acme", 403),
        ("product_manager", "acme", 403),
    ],
)
def test_outsiders_may_not_record_offline_events(
    request, client_for, persona, slug, status, account_a, account_b
):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(_page(slug)).status_code == status
    response = client.post(_page(slug), {"kind": "referral", "occurred_on": _days_ago(1)})

    assert response.status_code == status
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize("persona", ["account_manager_a", "programme_admin"])
def test_the_account_team_records_an_offline_event(request, client_for, persona, account_a):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(_page()).status_code == 200

    response = client.post(_page(), {"kind": "workshop_attended", "occurred_on": _days_ago(2)})

    assert response.status_code == 302
    assert response.url == reverse("community:account-engagement", args=["acme"])
    event = ActivityEvent.objects.get()
    assert (event.account_id, event.kind, event.is_support, event.user_id) == (
        account_a.pk,
        "workshop_attended",
        False,
        None,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "visit", "occurred_on": "2026-01-01"}, "kind", "Select a valid choice."),
        ({"kind": "referral", "occurred_on": ""}, "occurred_on", "This field is required."),
        ({"kind": "referral", "occurred_on": "soon"}, "occurred_on", "Enter a valid date."),
        ({"kind": "referral", "occurred_on": "future"}, "occurred_on", "not be in the future"),
        ({"kind": "referral", "occurred_on": "old"}, "occurred_on", "at most 365 days ago"),
    ],
)
def test_bad_input_gets_field_errors_and_records_nothing(
    client_for, account_manager_a, data, field, message
):
    data = dict(data)
    if data["occurred_on"] == "future":
        data["occurred_on"] = _days_ago(-1)
    elif data["occurred_on"] == "old":
        data["occurred_on"] = _days_ago(366)

    response = client_for(account_manager_a).post(_page(), data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ActivityEvent.objects.exists()


def test_the_engagement_page_links_to_the_form_for_the_team_only(
    client_for, account_manager_a, product_manager
):
    link = _page()

    assert link in client_for(account_manager_a).get("/accounts/acme/engagement/").text
    assert link not in client_for(product_manager).get("/accounts/acme/engagement/").text


# --- The API -----------------------------------------------------------------------------------


def test_anonymous_callers_get_401(api, account_a):
    response = api.post(_api(), {"kind": "referral", "occurred_on": _days_ago(1)}, format="json")

    assert response.status_code == 401
    assert not ActivityEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("account_manager_a", "globex", 404),
        ("member_b", "acme", 404),
        ("admin_a", "acme", 403),
        ("product_manager", "acme", 403),
    ],
)
def test_outsiders_may_not_record_through_the_api(
    request, api, persona, slug, status, account_a, account_b
):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(
        _api(slug), {"kind": "referral", "occurred_on": _days_ago(1)}, format="json"
    )

    assert response.status_code == status
    assert not ActivityEvent.objects.exists()


def test_the_api_records_an_offline_event(api, account_manager_a, account_a):
    api_login(api, account_manager_a)

    response = api.post(_api(), {"kind": "referral", "occurred_on": _days_ago(10)}, format="json")

    assert response.status_code == 201
    event = ActivityEvent.objects.get()
    body = response.json()
    assert (body["id"], body["account"], body["kind"], body["is_support"]) == (
        event.pk,
        "acme",
        "referral",
        False,
    )
    assert event.account == account_a


@pytest.mark.parametrize(
    ("data", "attr", "code"),
    [
        ({"occurred_on": "2026-01-01"}, "kind", "required"),
        ({"kind": "comment", "occurred_on": "2026-01-01"}, "kind", "invalid_choice"),
        ({"kind": "referral", "occurred_on": "yesterday"}, "occurred_on", "invalid"),
        ({"kind": "referral", "occurred_on": "future"}, "occurred_on", "invalid"),
    ],
)
def test_the_api_refuses_bad_input_with_a_field_error(api, account_manager_a, data, attr, code):
    data = dict(data)
    if data.get("occurred_on") == "future":
        data["occurred_on"] = _days_ago(-3)
    api_login(api, account_manager_a)

    response = api.post(_api(), data, format="json")

    assert response.status_code == 400
    error = api_error(response)
    assert (error["attr"], error["code"]) == (attr, code)
    assert not ActivityEvent.objects.exists()
