"""Offline events: the account team records a workshop attended, a reference call, an executive
meeting or a referral of one of its accounts, with a note (page community:offline-event-create
and POST /api/v1/accounts/<slug>/offline-events/). It becomes an OfflineEvent (who recorded it,
the note) and a customer activity event that engagement counts. Other accounts' teams: 404;
customers: 403 on their own account, 404 on another; product managers: 403 (they read the list,
GET, as they read the engagement page's timeline).

Decided here: the note and the recorder are internal. A customer admin's engagement page (the
reduced view, no timeline) shows neither; the event counts in the level and score they see."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import (
    ActivityEvent,
    ActivityKind,
    EngagementSnapshot,
    OfflineEvent,
)
from community.selectors.engagement_figures import day_end
from community.services.engagement import (
    OFFLINE_KINDS,
    engagement_snapshots_compute,
    offline_event_record,
)
from demo.data.activity import demo_offline_events_create
from tests.accounts.factories import customer
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

    record = offline_event_record(
        account=account_a,
        kind=ActivityKind.WORKSHOP_ATTENDED,
        occurred_on=day,
        note="  Three of their planners came to the Lisbon workshop.  ",
        recorded_by=account_manager_a,
    )

    record = OfflineEvent.objects.select_related("event").get(pk=record.pk)
    event = ActivityEvent.objects.get()
    assert record.event == event
    assert (record.account, record.kind, record.occurred_on, record.recorded_by) == (
        account_a,
        ActivityKind.WORKSHOP_ATTENDED,
        day,
        account_manager_a,
    )
    assert record.note == "Three of their planners came to the Lisbon workshop."
    assert (event.account, event.kind, event.is_support, event.user) == (
        account_a,
        ActivityKind.WORKSHOP_ATTENDED,
        False,
        None,  # the customer's person is not known; the recorder is on the record
    )
    assert timezone.localtime(event.occurred_at).date() == day
    assert timezone.localtime(event.occurred_at).hour == 12


def test_an_event_of_today_is_never_in_the_future(account_a):
    record = offline_event_record(
        account=account_a, kind=ActivityKind.REFERRAL, occurred_on=TODAY(), recorded_by=None
    )

    assert record.event.occurred_at <= timezone.now()


@pytest.mark.parametrize("kind", OFFLINE_KINDS)
def test_every_offline_kind_may_be_recorded(account_a, account_manager_a, kind):
    offline_event_record(
        account=account_a, kind=kind, occurred_on=TODAY(), recorded_by=account_manager_a
    )

    assert list(OfflineEvent.objects.values_list("kind", "event__kind")) == [(kind, kind)]


def test_a_day_exactly_a_year_ago_is_still_accepted(account_a):
    offline_event_record(
        account=account_a,
        kind=ActivityKind.EXECUTIVE_MEETING,
        occurred_on=TODAY() - dt.timedelta(days=365),
        recorded_by=None,
    )

    assert OfflineEvent.objects.count() == ActivityEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "visit"}, "kind", "Choose a workshop attended, reference call, executive"),
        ({"kind": "loop_closed"}, "kind", "Choose a workshop attended"),
        ({"occurred_on": 1}, "occurred_on", "The date may not be in the future."),
        ({"occurred_on": -366}, "occurred_on", "The date may be at most 365 days ago."),
        ({"note": "x" * 2001}, "note", "Keep the note under 2000 characters (2001 now)."),
    ],
)
def test_the_service_refuses_bad_input_and_writes_nothing(account_a, changes, field, message):
    values = {"kind": ActivityKind.REFERENCE_CALL, "occurred_on": TODAY(), "note": ""} | changes
    if isinstance(values["occurred_on"], int):
        values["occurred_on"] = TODAY() + dt.timedelta(days=values["occurred_on"])

    with pytest.raises(ValidationError) as refused:
        offline_event_record(account=account_a, recorded_by=None, **values)

    assert refused.value.message_dict[field][0].startswith(message)
    assert not OfflineEvent.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_the_event_and_its_record_are_written_together_or_not_at_all(account_a, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(OfflineEvent.objects, "create", broken)

    with pytest.raises(RuntimeError):
        offline_event_record(
            account=account_a, kind=ActivityKind.REFERRAL, occurred_on=TODAY(), recorded_by=None
        )

    assert not ActivityEvent.objects.exists()


# --- The engine counts them ----------------------------------------------------------------


def test_the_engine_counts_an_offline_event_as_the_customers_activity(account_a, account_manager_a):
    customer(account_a)
    offline_event_record(
        account=account_a,
        kind=ActivityKind.REFERENCE_CALL,
        occurred_on=TODAY() - dt.timedelta(days=10),
        recorded_by=account_manager_a,
    )

    engagement_snapshots_compute(account_ids=[account_a.pk], day=TODAY())

    snapshot = EngagementSnapshot.objects.get(account=account_a, day=TODAY())
    age = (day_end(TODAY()) - ActivityEvent.objects.get().occurred_at).total_seconds() / 86400
    activity = 1 - math.exp(-10 * 0.5 ** (age / 30) / 40)  # a reference call weighs 10
    assert snapshot.activity == pytest.approx(activity, abs=1e-6)
    assert snapshot.breadth == 0  # nobody in particular: no active member
    assert float(snapshot.score) == pytest.approx(100 * 0.5 * activity, abs=0.05)


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

    response = client.post(
        _page(),
        {"kind": "workshop_attended", "occurred_on": _days_ago(2), "note": "Two planners."},
    )

    assert response.status_code == 302
    assert response.url == reverse("community:account-engagement", args=["acme"])
    event = ActivityEvent.objects.get()
    assert (event.account_id, event.kind, event.is_support, event.user_id) == (
        account_a.pk,
        "workshop_attended",
        False,
        None,
    )
    record = OfflineEvent.objects.get()
    assert (record.event, record.note, record.recorded_by) == (
        event,
        "Two planners.",
        request.getfixturevalue(persona),
    )


def test_the_form_offers_the_four_offline_kinds_and_a_note(client_for, account_manager_a):
    page = client_for(account_manager_a).get(_page()).content.decode()

    for value, label in [
        ("workshop_attended", "Workshop attended"),
        ("reference_call", "Reference call"),
        ("executive_meeting", "Executive meeting"),
        ("referral", "Referral"),
    ]:
        assert f'<option value="{value}">{label}</option>' in page
    assert '<textarea name="note"' in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"kind": "visit", "occurred_on": "2026-01-01"}, "kind", "Select a valid choice."),
        ({"kind": "referral", "occurred_on": ""}, "occurred_on", "This field is required."),
        ({"kind": "referral", "occurred_on": "soon"}, "occurred_on", "Enter a valid date."),
        ({"kind": "referral", "occurred_on": "future"}, "occurred_on", "not be in the future"),
        ({"kind": "referral", "occurred_on": "old"}, "occurred_on", "at most 365 days ago"),
        (
            {"kind": "referral", "occurred_on": "2026-01-01", "note": "x" * 2001},
            "note",
            "at most 2000 characters",
        ),
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

    if field == "note":
        data["occurred_on"] = _days_ago(1)

    response = client_for(account_manager_a).post(_page(), data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not ActivityEvent.objects.exists()
    assert not OfflineEvent.objects.exists()


def test_the_engagement_page_links_to_the_form_for_the_team_only(
    client_for, account_manager_a, product_manager
):
    link = _page()

    assert link in client_for(account_manager_a).get("/accounts/acme/engagement/").text
    assert link not in client_for(product_manager).get("/accounts/acme/engagement/").text


# --- On the engagement page ------------------------------------------------------------------


def _recorded(account, manager, *, note="Their CFO asked about the roadmap.", days=4):
    return offline_event_record(
        account=account,
        kind=ActivityKind.EXECUTIVE_MEETING,
        occurred_on=TODAY() - dt.timedelta(days=days),
        note=note,
        recorded_by=manager,
    )


@pytest.mark.parametrize("persona", ["account_manager_a", "product_manager", "programme_admin"])
def test_internal_readers_see_the_event_its_recorder_and_its_note_in_the_timeline(
    request, client_for, account_a, account_manager_a, persona
):
    record = _recorded(account_a, account_manager_a)

    page = client_for(request.getfixturevalue(persona)).get("/accounts/acme/engagement/").text

    timeline = page[page.index('id="customer-activity"') : page.index('id="support-h"')]
    day = record.occurred_on
    assert f'<time datetime="{day:%Y-%m-%d}">{day.day} {day:%b %Y}</time>' in timeline
    assert 'Executive meeting <small class="muted">(offline, recorded by Carol' in timeline
    assert "Their CFO asked about the roadmap." in timeline


def test_an_offline_event_whose_recorder_is_gone_still_shows(
    client_for, account_a, account_manager_a, programme_admin
):
    _recorded(account_a, None, note="")

    page = client_for(programme_admin).get("/accounts/acme/engagement/").text

    assert 'Executive meeting <small class="muted">(offline)</small>' in page


def test_the_customer_admin_sees_neither_the_note_nor_the_recorder(
    client_for, admin_a, account_a, account_manager_a
):
    _recorded(account_a, account_manager_a)
    engagement_snapshots_compute(account_ids=[account_a.pk], day=TODAY())

    response = client_for(admin_a).get("/accounts/acme/engagement/")

    page = response.text
    assert response.status_code == 200
    assert "Their CFO asked" not in page
    assert "Carol" not in page
    assert "recorded by" not in page
    # The event counts in what they do see: the score.
    assert float(EngagementSnapshot.objects.get(account=account_a).score) > 0
    assert str(EngagementSnapshot.objects.get(account=account_a).score) in page


def test_the_timeline_costs_no_query_per_offline_event(
    client_for, account_a, account_manager_a, django_assert_num_queries
):
    client = client_for(account_manager_a)
    _recorded(account_a, account_manager_a)
    with CaptureQueriesContext(connection) as one:  # test_account_engagement.py lists them
        client.get("/accounts/acme/engagement/")
    for days in range(5, 15):
        _recorded(account_a, account_manager_a, days=days)

    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get("/accounts/acme/engagement/").text

    assert page.count("(offline, recorded by Carol") == 11


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

    response = api.post(
        _api(),
        {"kind": "reference_call", "occurred_on": _days_ago(10), "note": "Spoke to Initech."},
        format="json",
    )

    assert response.status_code == 201
    event = ActivityEvent.objects.get()
    record = OfflineEvent.objects.get()
    body = response.json()
    assert body == {
        "id": record.pk,
        "account": "acme",
        "kind": "reference_call",
        "occurred_on": _days_ago(10),
        "occurred_at": body["occurred_at"],
        "note": "Spoke to Initech.",
        "recorded_by": "carol@garden.example",
        "event": event.pk,
        "is_support": False,
        "created_at": body["created_at"],
    }
    assert (event.account, event.kind, record.recorded_by) == (
        account_a,
        "reference_call",
        account_manager_a,
    )


def test_the_note_is_optional_in_the_api(api, account_manager_a, account_a):
    api_login(api, account_manager_a)

    response = api.post(_api(), {"kind": "executive_meeting", "occurred_on": _days_ago(1)})

    assert response.status_code == 201
    assert response.json()["note"] == ""


@pytest.mark.parametrize(
    ("data", "attr", "code"),
    [
        ({"occurred_on": "2026-01-01"}, "kind", "required"),
        ({"kind": "comment", "occurred_on": "2026-01-01"}, "kind", "invalid_choice"),
        ({"kind": "referral", "occurred_on": "yesterday"}, "occurred_on", "invalid"),
        ({"kind": "referral", "occurred_on": "future"}, "occurred_on", "invalid"),
        ({"kind": "referral", "occurred_on": "old"}, "occurred_on", "invalid"),
        (
            {"kind": "referral", "occurred_on": "2026-01-01", "note": "x" * 2001},
            "note",
            "max_length",
        ),
    ],
)
def test_the_api_refuses_bad_input_with_a_field_error(api, account_manager_a, data, attr, code):
    data = dict(data)
    if data.get("occurred_on") == "future":
        data["occurred_on"] = _days_ago(-3)
    elif data.get("occurred_on") == "old":
        data["occurred_on"] = _days_ago(366)
    elif "note" in data:
        data["occurred_on"] = _days_ago(1)
    api_login(api, account_manager_a)

    response = api.post(_api(), data, format="json")

    assert response.status_code == 400
    error = api_error(response)
    assert (error["attr"], error["code"]) == (attr, code)
    assert not ActivityEvent.objects.exists()
    assert not OfflineEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("account_manager_a", "globex", 404),
        ("member_b", "acme", 404),
        ("admin_a", "acme", 403),
        ("member_a", "acme", 403),
        ("account_manager_a", "acme", 200),
        ("product_manager", "acme", 200),
        ("programme_admin", "acme", 200),
    ],
)
def test_who_reads_the_list_through_the_api(
    request, api, persona, slug, status, account_a, account_b, account_manager_a
):
    _recorded(account_a, account_manager_a)
    _recorded(account_b, None, note="Globex's own.")
    api_login(api, request.getfixturevalue(persona))

    response = api.get(_api(slug))

    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert [(r["kind"], r["note"], r["recorded_by"]) for r in body["results"]] == [
            ("executive_meeting", "Their CFO asked about the roadmap.", "carol@garden.example")
        ]


def test_the_list_says_null_for_a_recorder_who_is_gone(api, account_a, programme_admin):
    _recorded(account_a, None, note="")
    api_login(api, programme_admin)

    body = api.get(_api()).json()

    assert [(r["recorded_by"], r["note"]) for r in body["results"]] == [(None, "")]


def test_anonymous_callers_may_not_read_the_list(api, account_a):
    assert api.get(_api()).status_code == 401


def test_the_list_is_latest_first_and_costs_the_same_queries_for_few_or_many(
    api, account_a, account_manager_a, django_assert_num_queries
):
    def list_with(count: int) -> None:
        while OfflineEvent.objects.count() < count:
            _recorded(account_a, account_manager_a, days=OfflineEvent.objects.count() + 1)
        api_login(api, account_manager_a)  # a fresh user: nothing cached from the last call
        # 1 permissions (own and groups': does the user see every account?), 2 membership
        # (none: internal), 3 the account (visible: assigned), 4 the page of events with their
        # account, activity event and recorder (not full: it tells the count, no COUNT query)
        with django_assert_num_queries(4):
            response = api.get(_api())
        days = [r["occurred_on"] for r in response.json()["results"]]
        assert days == sorted(days, reverse=True)
        assert len(days) == count

    list_with(2)
    list_with(9)


# --- The demo ----------------------------------------------------------------------------------


def test_the_demo_records_a_few_offline_events_with_notes_through_the_service(
    account_a, account_b, account_manager_a
):
    recorded = demo_offline_events_create(
        profiles={account_a.pk: "champion", account_b.pk: "fading", 999: "champion"}
    )

    assert recorded == OfflineEvent.objects.count() == ActivityEvent.objects.count() == 6
    rows = OfflineEvent.objects.values_list("account__slug", "recorded_by__email", "note")
    assert {(slug, email) for slug, email, _ in rows} == {
        ("acme", "carol@garden.example"),  # its account manager
        ("globex", None),  # no account manager assigned
    }
    assert all(note for _, _, note in rows)
    # The fading account's are older than every activity window of the demo's history.
    oldest = OfflineEvent.objects.filter(account=account_b).order_by("occurred_on").first()
    assert (TODAY() - oldest.occurred_on).days > 360
