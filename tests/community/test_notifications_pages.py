"""The notifications page (filters, pages, CSV), the settings page, and their API."""

from __future__ import annotations

import pytest

from community.models import Notification, NotificationPreference
from community.models.notifications import actor_text
from community.selectors.notifications import notification_delivery, notification_preferences_for
from community.services.notifications import (
    notification_preference_set,
    notifications_mark_read,
    notify,
)
from tests.api_helpers import api_error, api_login
from tests.community.factories import GardenFactory


def _notify(user, *, kind="idea_status", title="Offline mode is planned"):
    return notify(users=[user], kind=kind, title=title, url="/ideas/1/", email=False)[0]


def _listed(response) -> str:
    return response.content.decode()


# --- The list ----------------------------------------------------------------------------------


def test_the_list_filters_by_kind_and_by_unread(client_for, member_a):
    read = _notify(member_a, title="Status changed and read")
    notifications_mark_read(user=member_a, ids=[read.pk])
    _notify(member_a, title="Status changed, unread")
    _notify(member_a, kind="mention", title="Bob mentioned you")
    client = client_for(member_a)

    by_kind = _listed(client.get("/notifications/?kind=mention"))
    unread = _listed(client.get("/notifications/?state=unread"))
    read_only = _listed(client.get("/notifications/?state=read&kind=idea_status"))

    assert "Bob mentioned you" in by_kind and "Status changed" not in by_kind
    assert "Status changed, unread" in unread and "Bob mentioned you" in unread
    assert "and read" not in unread
    assert "Status changed and read" in read_only
    assert "Status changed, unread" not in read_only


def test_a_filter_that_is_not_a_choice_is_refused(client_for, member_a):
    response = client_for(member_a).get("/notifications/?kind=nonsense")

    assert response.status_code == 400
    assert "Select a valid choice" in _listed(response)


def test_the_list_pages_keep_the_filter(client_for, member_a):
    for i in range(31):
        _notify(member_a, kind="mention", title=f"Mention {i}")
    client = client_for(member_a)

    first = _listed(client.get("/notifications/?kind=mention"))
    second = _listed(client.get("/notifications/?kind=mention&page=2"))

    assert "Page 1 of 2" in first
    assert "?kind=mention&amp;page=2" in first
    assert "Mention 0" in second and "Mention 30" not in second


def test_the_csv_export_holds_the_filtered_list_of_your_own(client_for, member_a, member_b):
    _notify(member_a, kind="mention", title="=HYPERLINK(evil)")
    _notify(member_a, title="Status changed")
    _notify(member_b, kind="mention", title="Bob's own")

    response = client_for(member_a).get("/notifications/?kind=mention&export=csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    lines = body.strip().splitlines()
    assert lines[0] == "created_at,kind,kind_label,title,body,url,read_at,emailed_at"
    assert len(lines) == 2
    assert "'=HYPERLINK(evil)" in lines[1]  # not run as a formula
    assert "Someone mentions you in a discussion" in lines[1]


def test_the_filtered_page_runs_the_same_queries_for_few_or_many(
    client_for, member_a, django_assert_num_queries
):
    client = client_for(member_a)
    _notify(member_a, kind="mention")
    client.get("/notifications/?kind=mention&state=unread")  # warm the session
    for count in (1, 25):
        while Notification.objects.filter(user=member_a).count() < count:
            _notify(member_a, kind="mention")
        # session, user with membership (navigation), unread count (bell), page count, page rows
        with django_assert_num_queries(5):
            client.get("/notifications/?kind=mention&state=unread")


@pytest.mark.parametrize("shows_other_members", [False, True])
def test_who_acted_is_named_for_the_reader_with_no_query_per_row(
    client_for, member_a, member_b, django_assert_num_queries, shows_other_members
):
    garden = GardenFactory(shows_other_members=shows_other_members)
    client = client_for(member_a)
    client.get("/notifications/")  # warm the session
    for count in (1, 25):
        while Notification.objects.filter(user=member_a).count() < count:
            notify(
                users=[member_a],
                kind="mention",
                title=actor_text("{actor} mentioned you in “{title}”", title="{Roadmap}"),
                actor=member_b,
                garden=garden,
                names_actor=True,
                email=False,
            )
        # session, user with membership (navigation), unread count (bell), page count, page rows
        # (with their reader's membership, the actor, their account and the garden)
        with django_assert_num_queries(5):
            page = _listed(client.get("/notifications/"))
    named = "Bob (Globex Logistics)" if shows_other_members else "A member of another account"
    assert page.count(f"{named} mentioned you in “{{Roadmap}}”") == 25
    assert member_b.last_name not in page


# --- The settings page ---------------------------------------------------------------------


def test_every_user_chooses_how_each_kind_reaches_them(client_for, member_a, member_b):
    client = client_for(member_a)
    page = _listed(client.get("/notifications/settings/"))
    assert "Someone mentions you in a discussion" in page  # every kind, grouped
    assert "Engagement alerts" not in page  # for internal users only
    rows = notification_preferences_for(user=member_a)
    choices = {row.kind: row.delivery for row in rows} | {"mention": "weekly", "reply": "off"}

    response = client.post("/notifications/settings/", choices)

    assert response.status_code == 302
    assert notification_delivery(user=member_a, kind="mention") == "weekly"
    assert notification_delivery(user=member_a, kind="reply") == "off"
    assert not NotificationPreference.objects.filter(user=member_b).exists()
    again = _listed(client.get("/notifications/settings/"))
    assert '<option value="weekly" selected>' in again


def test_a_delivery_a_kind_does_not_offer_is_refused_on_the_form(client_for, account_manager_a):
    client = client_for(account_manager_a)
    assert "Engagement alerts on your accounts" in _listed(client.get("/notifications/settings/"))
    rows = notification_preferences_for(user=account_manager_a)
    choices = {row.kind: row.delivery for row in rows} | {"engagement_alert": "weekly"}

    response = client.post("/notifications/settings/", choices)

    assert response.status_code == 400
    assert "Select a valid choice" in _listed(response)
    assert not NotificationPreference.objects.exists()


# --- API ---------------------------------------------------------------------------------------


def test_the_api_lists_every_kind_with_the_callers_delivery(api, member_a, account_manager_a):
    notification_preference_set(user=member_a, kind="mention", delivery="daily")
    api_login(api, member_a)

    rows = {row["kind"]: row for row in api.get("/api/v1/notification-preferences/").json()}

    assert rows["mention"]["delivery"] == "daily"
    assert rows["mention"]["default"] == "immediately"
    assert "engagement_alert" not in rows  # for internal users only
    assert api.get("/api/v1/notification-preferences/engagement_alert/").status_code == 404
    one = api.get("/api/v1/notification-preferences/reply/").json()
    assert one["delivery"] == "daily"  # the kind's default
    assert one["label"] == "A reply in a discussion you take part in"
    api_login(api, account_manager_a)
    alert = api.get("/api/v1/notification-preferences/engagement_alert/").json()
    assert alert["deliveries"] == ["immediately", "daily", "off"]


def test_the_api_sets_preferences_one_kind_or_many(api, member_a, member_b):
    api_login(api, member_a)

    one = api.put("/api/v1/notification-preferences/mention/", {"delivery": "off"}, format="json")
    many = api.put(
        "/api/v1/notification-preferences/",
        {
            "preferences": [
                {"kind": "reply", "delivery": "weekly"},
                {"kind": "mention", "delivery": "daily"},
            ]
        },
        format="json",
    )

    assert one.status_code == 200 and one.json()["delivery"] == "off"
    assert many.status_code == 200
    assert {r["kind"]: r["delivery"] for r in many.json()}["reply"] == "weekly"
    assert dict(
        NotificationPreference.objects.filter(user=member_a).values_list("kind", "delivery")
    ) == {"mention": "daily", "reply": "weekly"}
    assert not NotificationPreference.objects.filter(user=member_b).exists()


@pytest.mark.parametrize(
    ("url", "body", "status", "attr"),
    [
        ("/api/v1/notification-preferences/no_such_kind/", {"delivery": "off"}, 404, None),
        ("/api/v1/notification-preferences/mention/", {"delivery": "hourly"}, 400, "delivery"),
        (
            "/api/v1/notification-preferences/engagement_alert/",
            {"delivery": "weekly"},
            400,
            "delivery",
        ),
        (
            "/api/v1/notification-preferences/",
            {
                "preferences": [
                    {"kind": "mention", "delivery": "off"},
                    {"kind": "nope", "delivery": "off"},
                ]
            },
            400,
            "kind",
        ),
    ],
)
def test_the_api_refuses_unknown_kinds_and_deliveries_and_changes_nothing(
    api, account_manager_a, url, body, status, attr
):
    api_login(api, account_manager_a)

    response = api.put(url, body, format="json")

    assert response.status_code == status
    if attr:
        assert api_error(response)["attr"] == attr
    assert not NotificationPreference.objects.exists()


def test_the_api_marks_all_read(api, member_a, member_b):
    _notify(member_a)
    _notify(member_a)
    theirs = _notify(member_b)
    api_login(api, member_a)

    response = api.post("/api/v1/notifications/read-all/")

    assert response.json() == {"marked": 2, "unread": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_api_lists_by_kind(api, member_a):
    _notify(member_a, kind="mention")
    _notify(member_a)
    api_login(api, member_a)

    listed = api.get("/api/v1/notifications/?kind=mention").json()

    assert listed["count"] == 1
    assert listed["results"][0]["kind"] == "mention"


def test_anonymous_callers_get_nothing(api, member_a):
    _notify(member_a)

    assert api.get("/api/v1/notification-preferences/").status_code == 401
    assert (
        api.put(
            "/api/v1/notification-preferences/mention/", {"delivery": "off"}, format="json"
        ).status_code
        == 401
    )
    assert api.post("/api/v1/notifications/read-all/").status_code == 401
    assert Notification.objects.get().read_at is None


def test_a_customer_cannot_set_an_internal_kind(api, member_a):
    api_login(api, member_a)

    response = api.put(
        "/api/v1/notification-preferences/",
        {"preferences": [{"kind": "engagement_alert", "delivery": "daily"}]},
        format="json",
    )

    assert response.status_code == 400
    assert api_error(response)["attr"] == "kind"
    assert not NotificationPreference.objects.exists()
