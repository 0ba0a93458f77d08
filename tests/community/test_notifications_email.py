"""Notification emails: sent the way each person wants each kind, with a plain-text part and an
unsubscribe link that works logged out, retried on failure and never sent twice."""

from __future__ import annotations

import ast
import datetime as dt
import smtplib
from pathlib import Path

import pytest
from django.core import mail, signing
from django.utils import timezone

from community.models import Notification, NotificationPreference, Thread
from community.models.notifications import KINDS, Delivery, NotifyKind
from community.selectors.notifications import notification_delivery
from community.services.notification_emails import (
    claim_stale,
    notification_digests_send,
    notification_email_send,
)
from community.services.notifications import (
    UNSUBSCRIBE_SALT,
    notification_preference_set,
    notify,
    unsubscribe_token,
)
from community.tasks import notification_email_task
from tests.accounts.factories import customer
from tests.community.factories import (
    a_steward,
    another_sender_busy_with,
    garden_with,
    reply,
    start,
)
from tests.community.flaky_email_backend import FlakyBackend, RefusingBackend


def _notify(*users, kind="idea_status", **extra):
    return notify(
        users=users,
        kind=kind,
        title="Offline mode is planned",
        body="Because you asked for it.",
        url="/ideas/1/",
        **extra,
    )


def _unsubscribe_path(message) -> str:
    """The unsubscribe link of an email, as a path (the List-Unsubscribe header)."""
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert url.startswith("http://127.0.0.1:8000/notifications/unsubscribe/")
    return url.removeprefix("http://127.0.0.1:8000")


# --- The registry --------------------------------------------------------------------------


def test_every_kind_the_code_sends_is_registered_with_a_label():
    sent = {
        "idea_status",
        "idea_comment",
        "idea_merged",
        "pilot_invitation",
        "pilot_agreement",
        "pilot_closed",
        "pilot_decision",
        "feedback_reminder",
        "engagement_alert",
        "garden_invitation",
        "mention",
        "reply",
        "harvest_published",
        "badge_awarded",
    }
    assert sent <= set(KINDS)
    assert all(kind.label and kind.default in kind.deliveries for kind in KINDS.values())


def test_the_kinds_in_the_code_match_the_registry():
    assert NotifyKind.keys() == set(KINDS)


def test_the_product_sends_notifications_only_by_a_notify_kind():
    """No service names a kind by a string of its own: each `kind=` given to notify or to a
    NotificationMessage is a NotifyKind attribute (one list, community/models/notifications.py)."""
    root = Path(__file__).resolve().parents[2]
    used, literal = set(), []
    for app in ("accounts", "community", "ideas"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name not in {"notify", "NotificationMessage"}:
                    continue
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg != "kind":
                        continue
                    if isinstance(value, ast.Attribute) and getattr(value.value, "id", "") == (
                        "NotifyKind"
                    ):
                        used.add(value.attr)
                    elif isinstance(value, ast.Constant):  # a name passes a caller's kind on
                        literal.append(f"{path.relative_to(root)}:{node.lineno}")
    assert literal == []
    assert used  # the scan found the senders
    assert {getattr(NotifyKind, name) for name in used} <= set(KINDS)


# --- Immediately, digest or off --------------------------------------------------------------


def test_an_immediate_email_has_a_plain_text_part_an_html_part_and_an_unsubscribe_link(
    member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(member_a)

    [message] = mail.outbox
    assert message.content_subtype == "plain"
    assert "Because you asked for it." in message.body
    assert "http://127.0.0.1:8000/notifications/unsubscribe/" in message.body
    assert message.alternatives[0][1] == "text/html"
    assert "Stop these emails" in message.alternatives[0][0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert _unsubscribe_path(message) in message.body
    notification = Notification.objects.get()
    assert notification.email_delivery == Delivery.IMMEDIATELY
    assert notification.emailed_at is not None


@pytest.mark.parametrize("delivery", [Delivery.DAILY, Delivery.WEEKLY, Delivery.OFF])
def test_a_kind_in_a_digest_or_off_is_not_emailed_at_once_but_still_shows_in_the_app(
    member_a, admin_a, delivery, django_capture_on_commit_callbacks
):
    notification_preference_set(user=member_a, kind="idea_status", delivery=delivery)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(member_a, admin_a)

    assert len(callbacks) == 1  # one email task: admin_a's (immediately, the default)
    assert [m.to for m in mail.outbox] == [[admin_a.email]]
    mine = Notification.objects.get(user=member_a)
    assert mine.email_delivery == delivery
    assert mine.emailed_at is None


def test_one_preference_query_whatever_the_number_of_people(account_a, django_assert_num_queries):
    few = [customer(account_a) for _ in range(2)]
    many = [customer(account_a) for _ in range(12)]
    for people in (few, many):
        # the preferences of these people for the kind; the insert
        with django_assert_num_queries(2):
            notify(users=people, kind="mention", title="You were mentioned")


def test_the_preference_is_read_again_when_the_email_is_sent(member_a):
    notification = _notify(member_a, email=False)[0]  # decided later, as alerts and reminders do
    notification_preference_set(user=member_a, kind="idea_status", delivery="off")

    assert notification_email_send(notification_id=notification.pk) is False

    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_delivery == Delivery.OFF


def test_a_kind_moved_to_the_digest_before_sending_waits_for_the_digest(member_a):
    notification = _notify(member_a, email=False)[0]
    notification_preference_set(user=member_a, kind="idea_status", delivery="daily")

    assert notification_email_send(notification_id=notification.pk) is False

    notification.refresh_from_db()
    assert (notification.email_delivery, notification.email_claimed_at) == ("daily", None)
    assert notification_digests_send(period="daily") == 1
    assert len(mail.outbox) == 1


def test_a_person_deactivated_before_sending_gets_no_email(member_a):
    notification = _notify(member_a, email=False)[0]
    member_a.is_active = False
    member_a.save()

    assert notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_a_kind_nobody_registered_is_emailed_immediately(member_a):
    notification = _notify(member_a, kind="something_new", email=False)[0]

    assert notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


# --- Retried on failure, never twice --------------------------------------------------------


@pytest.fixture
def flaky(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.community.flaky_email_backend.FlakyBackend"
    # Eager tasks run their retries at once, in turn, when a failure does not propagate (a
    # worker waits for the backoff instead).
    monkeypatch.setitem(notification_email_task.app.conf, "task_eager_propagates", False)
    FlakyBackend.failures, FlakyBackend.attempts = 0, 0
    return FlakyBackend


def test_a_failed_send_is_retried_and_sent_once(member_a, flaky):
    notification = _notify(member_a, email=False)[0]
    flaky.failures = 2

    result = notification_email_task.apply(args=[notification.pk])

    assert result.get() is True
    assert flaky.attempts == 3
    assert [m.to for m in mail.outbox] == [[member_a.email]]
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_a_failed_send_releases_its_claim_so_the_retry_may_send(member_a, flaky):
    notification = _notify(member_a, email=False)[0]
    flaky.failures = 1

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_email_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert (notification.emailed_at, notification.email_claimed_at) == (None, None)
    assert notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_the_email_task_gives_up_after_its_retries_and_records_why_on_the_row(member_a, flaky):
    notification = _notify(member_a, email=False)[0]
    flaky.failures = 100

    result = notification_email_task.apply(args=[notification.pk])

    assert result.state == "FAILURE"
    assert isinstance(result.result, smtplib.SMTPServerDisconnected)
    assert flaky.attempts == notification_email_task.max_retries + 1
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_failed_at is not None
    assert notification.email_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert notification_email_send(notification_id=notification.pk) is False  # not again


# --- Failures no retry can mend: recorded, visible, never silently lost ----------------------


def test_a_mention_in_a_thread_whose_title_has_a_line_break_is_emailed_on_one_line(
    member_a, admin_a, django_capture_on_commit_callbacks
):
    garden = garden_with(member_a, admin_a, steward=a_steward())
    thread = start(garden, member_a)
    # A title stored before titles were single-line (the forms and the API refuse it today).
    Thread.objects.filter(pk=thread.pk).update(title="First weeks\r\nBcc: everyone@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        reply(Thread.objects.get(pk=thread.pk), member_a, "What do you think, @anna?")

    [message] = mail.outbox
    assert message.to == [admin_a.email]
    expected = f"{member_a.full_name} mentioned you in “First weeks Bcc: everyone@example.com”"
    assert message.subject == expected
    assert message.message()["Bcc"] is None  # the headers build, and no header was smuggled in


@pytest.fixture
def refusing(settings):
    settings.EMAIL_BACKEND = "tests.community.flaky_email_backend.RefusingBackend"
    RefusingBackend.attempts = 0
    return RefusingBackend


def test_a_failure_no_retry_can_mend_is_recorded_on_the_row_and_not_retried(member_a, refusing):
    notification = _notify(member_a, email=False)[0]

    result = notification_email_task.apply(args=[notification.pk])

    assert (result.state, result.result) == ("SUCCESS", False)
    assert refusing.attempts == 1
    notification.refresh_from_db()
    assert (notification.emailed_at, notification.email_claimed_at) == (None, None)
    assert notification.email_failed_at is not None
    assert notification.email_error == "BadHeaderError: Header values can't contain newlines"
    assert notification_email_send(notification_id=notification.pk) is False  # never again
    assert refusing.attempts == 1


def test_staff_find_the_failed_emails_and_why_in_the_django_admin(
    client_for, programme_admin, member_a, refusing
):
    failed, sent = _notify(member_a, email=False)[0], _notify(member_a, email=False)[0]
    notification_email_send(notification_id=failed.pk)
    Notification.objects.filter(pk=sent.pk).update(title="Sent fine", emailed_at=timezone.now())

    response = client_for(programme_admin).get(
        "/admin/community/notification/", {"email_failed_at__isempty": "0"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "BadHeaderError: Header values can&#x27;t contain newlines" in page
    assert "Sent fine" not in page


def test_the_task_run_twice_sends_once(member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(member_a)[0]

    assert notification_email_task.apply(args=[notification.pk]).get() is False
    assert len(mail.outbox) == 1


def test_a_run_that_finds_another_one_sending_sends_nothing(member_a):
    notification = _notify(member_a, email=False)[0]

    with another_sender_busy_with(notification):
        assert notification_email_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_a_claim_older_than_the_stale_age_is_taken_over_and_the_email_goes_out(member_a):
    notification = _notify(member_a, email=False)[0]
    long_ago = timezone.now() - claim_stale() - dt.timedelta(minutes=1)

    # Its sender's lock is still held: a session PostgreSQL has not yet seen die.
    with another_sender_busy_with(notification):
        Notification.objects.filter(pk=notification.pk).update(email_claimed_at=long_ago)
        assert notification_email_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


# --- Unsubscribe -------------------------------------------------------------------------------


def _emailed(user, kind="idea_status") -> str:
    """Send `user` one email of `kind` and return its unsubscribe path."""
    mail.outbox.clear()
    notification = _notify(user, kind=kind, email=False)[0]
    notification_email_send(notification_id=notification.pk)
    [message] = mail.outbox
    return _unsubscribe_path(message)


def test_the_unsubscribe_link_works_logged_out_and_stops_that_kind_only(client, member_a):
    path = _emailed(member_a, kind="idea_status")

    page = client.get(path)
    assert page.status_code == 200
    assert "An idea you follow changes status" in page.content.decode()
    assert not NotificationPreference.objects.exists()  # GET changes nothing

    done = client.post(path)

    assert done.status_code == 200
    assert "You are unsubscribed" in done.content.decode()
    assert notification_delivery(user=member_a, kind="idea_status") == "off"
    mail.outbox.clear()
    with_status = _notify(member_a, kind="idea_status", email=False)[0]
    assert notification_email_send(notification_id=with_status.pk) is False
    other = _notify(member_a, kind="idea_merged", email=False)[0]
    assert notification_email_send(notification_id=other.pk) is True
    assert len(mail.outbox) == 1  # the other kind still comes
    assert Notification.objects.filter(user=member_a).count() == 3  # all still in the app


def test_one_click_unsubscribe_by_the_mail_client_needs_no_csrf_token(member_a):
    from django.test import Client

    path = _emailed(member_a)

    response = Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert notification_delivery(user=member_a, kind="idea_status") == "off"


def test_unsubscribing_twice_is_harmless(client, member_a):
    path = _emailed(member_a)

    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 200
    assert NotificationPreference.objects.get(user=member_a).delivery == "off"


@pytest.mark.parametrize("change", ["tamper", "other_salt", "garbage", "truncated"])
def test_a_token_we_did_not_sign_is_refused_and_changes_nothing(client, member_a, member_b, change):
    path = _emailed(member_a)
    token = path.split("/")[-2]
    if change == "tamper":  # the payload names someone else; the signature no longer fits
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        forged = signing.dumps({**payload, "u": member_b.pk}, salt="x")
        token = forged.split(":")[0] + ":" + token.split(":", 1)[1]
    elif change == "other_salt":  # signed with our key, but for another purpose
        token = signing.dumps({"u": member_b.pk, "k": ["idea_status"]})
    elif change == "garbage":
        token = "not-a-token"
    else:
        token = token[:-3]

    for method in (client.get, client.post):
        response = method(f"/notifications/unsubscribe/{token}/")
        assert response.status_code == 400
        assert "does not work" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_link_for_someone_else_turns_off_their_kind_not_the_visitors(
    client_for, member_a, member_b
):
    path = _emailed(member_a)

    client_for(member_b).post(path)  # the token names member_a, whoever follows it

    assert notification_delivery(user=member_b, kind="idea_status") == "immediately"
    assert notification_delivery(user=member_a, kind="idea_status") == "off"


def test_a_link_of_a_deactivated_person_or_an_unknown_kind_is_refused(client, member_a):
    unknown = unsubscribe_token(user=member_a, kinds=["no_such_kind"])
    assert client.post(f"/notifications/unsubscribe/{unknown}/").status_code == 400
    path = _emailed(member_a)
    member_a.is_active = False
    member_a.save()

    assert client.post(path).status_code == 400
    assert not NotificationPreference.objects.exists()


# --- Engagement alerts: the alerts inbox's digest switch is this preference ------------------


def test_the_alerts_inbox_switch_sets_the_alert_preference(account_manager_a):
    from community.selectors.alerts import alert_daily_digest
    from community.services.alerts import alert_subscription_set

    notification_preference_set(user=account_manager_a, kind="engagement_alert", delivery="daily")
    assert alert_daily_digest(user=account_manager_a) is True

    alert_subscription_set(user=account_manager_a, daily_digest=False)
    assert notification_delivery(user=account_manager_a, kind="engagement_alert") == "immediately"

    notification_preference_set(user=account_manager_a, kind="engagement_alert", delivery="off")
    assert alert_daily_digest(user=account_manager_a) is False
    assert NotificationPreference.objects.filter(user=account_manager_a).count() == 1


def test_alerts_offer_no_weekly_digest(account_manager_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        notification_preference_set(
            user=account_manager_a, kind="engagement_alert", delivery="weekly"
        )
    assert not NotificationPreference.objects.exists()
