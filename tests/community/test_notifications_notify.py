"""Notifications: told once, in the app and by email, only to the person they are for."""

from __future__ import annotations

import pytest
from django.core import mail

from community.models import Notification
from community.services.notification_emails import notification_email_send
from community.services.notifications import (
    NotificationMessage,
    notification_emails_suppressed,
    notification_preference_set,
    notifications_mark_read,
    notify,
    notify_many,
)
from tests.accounts.factories import customer


def _notify(*users, **extra):
    return notify(
        users=users,
        kind="idea_status",
        title="Offline mode is planned",
        body="Because you asked for it.",
        url="/ideas/1/",
        **extra,
    )


def test_notify_tells_each_person_once_in_the_app_and_by_email(
    member_a, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(member_a, admin_a, member_a)

    assert Notification.objects.filter(user=member_a).count() == 1
    assert Notification.objects.filter(user=admin_a).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_a.email, member_a.email])
    message = mail.outbox[0]
    assert "Because you asked for it." in message.body
    assert "http://127.0.0.1:8000/ideas/1/" in message.body  # SITE_URL + url
    assert message.alternatives[0][1] == "text/html"
    assert all(n.emailed_at for n in Notification.objects.all())


def test_the_actor_and_deactivated_people_are_not_told(
    member_a, admin_a, account_a, django_capture_on_commit_callbacks
):
    gone = customer(account_a, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(member_a, admin_a, gone, exclude=admin_a)

    assert list(Notification.objects.values_list("user__email", flat=True)) == [member_a.email]
    assert [m.to for m in mail.outbox] == [[member_a.email]]


def test_nothing_is_emailed_when_the_transaction_rolls_back(
    member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(member_a)
    # The email task is only queued on commit; a rolled-back transaction never runs it.
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_notification_is_emailed_once_even_if_the_task_runs_twice(member_a):
    notification = _notify(member_a, email=False)[0]

    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1


# --- Pages -------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_and_the_page_lists_them(client_for, member_a):
    _notify(member_a, email=False)
    client = client_for(member_a)

    home = client.get("/").content.decode()
    assert 'aria-label="Notifications, 1 unread"' in home
    page = client.get("/notifications/").content.decode()
    assert "Offline mode is planned" in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(client_for, member_a):
    notification = _notify(member_a, email=False)[0]

    response = client_for(member_a).post(f"/notifications/{notification.pk}/read/")

    assert response.status_code == 302
    assert response["Location"] == "/ideas/1/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_all_as_read(client_for, member_a):
    _notify(member_a, email=False)
    _notify(member_a, email=False)

    client_for(member_a).post("/notifications/read-all/")

    assert not Notification.objects.filter(user=member_a, read_at__isnull=True).exists()


def test_someone_elses_notification_does_not_exist_for_you(client_for, member_a, member_b):
    notification = _notify(member_a, email=False)[0]
    client = client_for(member_b)

    assert client.post(f"/notifications/{notification.pk}/read/").status_code == 404
    assert "Offline mode" not in client.get("/notifications/").content.decode()
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_notifications_page_runs_the_same_queries_for_few_or_many(
    client_for, member_a, django_assert_num_queries
):
    client = client_for(member_a)
    for _ in range(2):
        _notify(member_a, email=False)
    client.get("/notifications/")  # warm the session
    # session, user with membership (navigation), unread count (bell), page count, page rows
    with django_assert_num_queries(5):
        client.get("/notifications/")
    for _ in range(20):
        _notify(member_a, email=False)
    client.get("/notifications/")  # if the day changed meanwhile, this one records the visit
    with django_assert_num_queries(5):
        client.get("/notifications/")


# --- API ---------------------------------------------------------------------------------------


def test_the_api_lists_only_your_own_notifications_and_filters_unread(api, member_a, member_b):
    first = _notify(member_a, email=False)[0]
    _notify(member_a, email=False)
    _notify(member_b, email=False)
    notifications_mark_read(user=member_a, ids=[first.pk])
    api.force_authenticate(member_a)

    everything = api.get("/api/v1/notifications/").json()
    unread = api.get("/api/v1/notifications/?unread=true").json()

    assert everything["count"] == 2
    assert unread["count"] == 1
    assert api.get(f"/api/v1/notifications/{first.pk}/").status_code == 200


@pytest.mark.parametrize("body", [{}, {"ids": "all"}])
def test_the_api_marks_notifications_read(api, member_a, body):
    _notify(member_a, email=False)
    api.force_authenticate(member_a)

    response = api.post("/api/v1/notifications/read/", body)

    if body:
        assert response.status_code == 400  # ids must be a list of numbers
        assert Notification.objects.filter(read_at__isnull=True).count() == 1
    else:
        assert response.json() == {"marked": 1, "unread": 0}


def test_the_api_hides_other_peoples_notifications(api, member_a, member_b):
    notification = _notify(member_a, email=False)[0]
    api.force_authenticate(member_b)

    assert api.get(f"/api/v1/notifications/{notification.pk}/").status_code == 404
    response = api.post("/api/v1/notifications/read/", {"ids": [notification.pk]})
    assert response.json()["marked"] == 0
    notification.refresh_from_db()
    assert notification.read_at is None


def test_inside_notification_emails_suppressed_people_are_told_in_the_app_only(
    member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with notification_emails_suppressed():
            _notify(member_a)
        _notify(member_a)  # outside again: emailed

    assert Notification.objects.filter(user=member_a).count() == 2
    assert len(mail.outbox) == 1


# --- Many messages at once (notify_many) ---------------------------------------------------


def _message(*users, kind="idea_status", title="Offline mode is planned", **extra):
    return NotificationMessage(users=users, kind=kind, title=title, url="/ideas/1/", **extra)


def test_notify_many_tells_each_message_to_its_people_the_way_each_wants_its_kind(
    member_a, admin_a, account_a, django_capture_on_commit_callbacks
):
    gone = customer(account_a, is_active=False)
    notification_preference_set(user=member_a, kind="mention", delivery="daily")
    notification_preference_set(user=admin_a, kind="idea_status", delivery="off")

    with django_capture_on_commit_callbacks(execute=True):
        created = notify_many(
            messages=[
                _message(member_a, admin_a, gone, member_a),
                _message(member_a, admin_a, kind="mention", title="You were mentioned"),
                _message(member_a, admin_a, kind="reply", title="A reply", exclude=admin_a),
            ]
        )

    told = sorted((n.user.email, n.kind, n.email_delivery) for n in created)
    assert told == sorted(
        [
            (member_a.email, "idea_status", "immediately"),
            (admin_a.email, "idea_status", "off"),
            (member_a.email, "mention", "daily"),
            (admin_a.email, "mention", "immediately"),
            (member_a.email, "reply", "daily"),  # the kind's default
        ]
    )
    assert Notification.objects.count() == 5
    # Emailed now: only the immediate ones; the daily ones wait for the digest.
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [(member_a.email, "Offline mode is planned"), (admin_a.email, "You were mentioned")]
    )


def test_notify_many_reads_the_preferences_once_and_inserts_once_however_many_messages(
    account_a, django_assert_num_queries
):
    def messages(n_messages, n_people):
        people = [customer(account_a) for _ in range(n_people)]
        kinds = ["idea_status", "mention", "reply"]
        return [
            _message(*people, kind=kinds[i % 3], title=f"Message {i}") for i in range(n_messages)
        ]

    for batch in (messages(1, 1), messages(6, 4)):
        # the preferences of these people for these kinds; the insert
        with django_assert_num_queries(2):
            created = notify_many(messages=batch)
        assert len(created) == sum(len(m.users) for m in batch)


def test_notify_many_without_email_or_with_emails_suppressed_reads_no_preferences(
    member_a, admin_a, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with django_assert_num_queries(1):  # the insert
            notify_many(messages=[_message(member_a), _message(admin_a)], email=False)
        with notification_emails_suppressed(), django_assert_num_queries(1):
            notify_many(messages=[_message(member_a), _message(admin_a)])

    assert set(Notification.objects.values_list("email_delivery", flat=True)) == {""}
    assert mail.outbox == []


def test_notify_many_with_nobody_to_tell_touches_no_table(member_a, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notify_many(messages=[]) == []
        assert notify_many(messages=[_message(member_a, exclude=member_a)]) == []
