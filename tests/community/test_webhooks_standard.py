"""Standard Webhooks (community/webhook_signing.py, community.services.webhook_events,
ideas.services.webhook_events): every post is verified here the way a receiver would, with the
`standardwebhooks` library's own Webhook.verify, on what a real HTTP server on 127.0.0.1
received; each event is posted once, with a body valid against its JSON Schema in
docs/webhooks/schemas/; a rotated secret signs with the old secret too, and the old X-Garden-*
headers are sent, for the rotation period only; a retried task keeps its webhook-id."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import importlib
import io
import json
import secrets
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import standardwebhooks.webhooks
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker
from standardwebhooks import Webhook, WebhookVerificationError

from community.models import (
    Alert,
    AlertReason,
    ImportKind,
    OutcomeKind,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEvent,
)
from community.services import alerts, outcome_imports, outcomes, webhooks
from community.services.engagement import engagement_recompute
from community.services.webhook_events import alerts_raised_emit
from community.tasks import webhook_deliver_task
from community.webhook_signing import signed_headers
from ideas.models import Enrolment, PilotDecision, PilotState
from ideas.services import pilots as pilot_services
from tests.accounts.factories import AccountFactory
from tests.community.factories import EngagementSnapshotFactory
from tests.ideas.factories import PilotFactory

pytestmark = pytest.mark.django_db

D = dt.date(2026, 6, 30)
SCHEMAS = Path(settings.BASE_DIR) / "docs" / "webhooks" / "schemas"
FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    return not isinstance(value, str) or dt.datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _uri(value) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is None or (parts.scheme in ("http", "https") and bool(parts.netloc))


def _assert_valid(body: dict) -> None:
    """The body against the schema of its own event."""
    schema = json.loads((SCHEMAS / f"{body['event']}.json").read_text())
    Draft202012Validator(schema, format_checker=FORMATS).validate(body)


@pytest.fixture
def endpoint(receiver, programme_admin) -> WebhookEndpoint:
    return webhooks.webhook_endpoint_create(url=receiver.url, created_by=programme_admin)


@pytest.fixture
def eager_retries(monkeypatch):
    """An eager task's retries run at once, as a worker's would after the countdown."""
    monkeypatch.setitem(webhook_deliver_task.app.conf, "task_eager_propagates", False)
    monkeypatch.setattr(webhooks, "backoff_seconds", lambda attempts: 0)


def _level_drop(account=None):
    account = account or AccountFactory(renewal_date=None)
    EngagementSnapshotFactory(account=account, day=D - dt.timedelta(days=3), level="participating")
    EngagementSnapshotFactory(account=account, day=D, score=25, level="observing")
    return account


def _raise(account, capture) -> list[Alert]:
    with capture(execute=True):
        return alerts.alerts_raise(account_ids=[account.pk], day=D)


def _verified(secret: str | bytes, post: dict) -> dict:
    """What a receiver holding `secret` makes of a post: its JSON, or WebhookVerificationError."""
    return Webhook(secret).verify(post["body"], post["headers"])


def _bodies(receiver) -> list[dict]:
    return [json.loads(post["body"]) for post in receiver.posts]


class _ClockAhead(dt.datetime):
    """The receiver's clock six minutes on: the library's verifier reads `datetime.now`."""

    @classmethod
    def now(cls, tz=None):
        return dt.datetime.now(tz) + dt.timedelta(minutes=6)


# --- Signatures -----------------------------------------------------------------------------


def test_a_post_carries_the_standard_headers_and_verifies_with_the_library(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    alert = _raise(_level_drop(), django_capture_on_commit_callbacks)[0]

    post = receiver.posts[0]
    delivery = WebhookDelivery.objects.get()
    assert endpoint.secret.startswith("whsec_")
    assert _verified(endpoint.secret, post)["alert"]["id"] == alert.pk
    assert post["headers"]["webhook-id"] == delivery.message_id
    assert abs(int(post["headers"]["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert len(post["headers"]["webhook-signature"].split(" ")) == 1
    assert not [name for name in post["headers"] if name.lower().startswith("x-garden")]
    with pytest.raises(WebhookVerificationError):
        _verified(secrets.token_bytes(32), post)  # another secret


def test_a_replayed_post_is_refused_by_the_verifier(
    endpoint, receiver, django_capture_on_commit_callbacks, monkeypatch
):
    _raise(_level_drop(), django_capture_on_commit_callbacks)
    post = receiver.posts[0]
    assert _verified(endpoint.secret, post)  # fresh: accepted

    # The same post six minutes later: its timestamp is too old.
    monkeypatch.setattr(standardwebhooks.webhooks, "datetime", _ClockAhead)
    with pytest.raises(WebhookVerificationError, match="too old"):
        _verified(endpoint.secret, post)
    # Nor can a replayer put a fresh timestamp on it: the signature covers the timestamp.
    monkeypatch.undo()
    refreshed = {
        **post["headers"],
        "webhook-timestamp": str(int(post["headers"]["webhook-timestamp"]) + 1),
    }
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        _verified(endpoint.secret, {"body": post["body"], "headers": refreshed})


def test_a_retried_delivery_keeps_its_webhook_id(endpoint, receiver, eager_retries):
    receiver.codes = [500]
    alert = Alert.objects.create(account=AccountFactory(), reason=AlertReason.SCORE_FELL)
    (delivery_id,) = _emit_alert(alert)

    webhook_deliver_task.delay(delivery_id)

    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts) == (WebhookDeliveryStatus.SUCCEEDED, 2)
    ids = [post["headers"]["webhook-id"] for post in receiver.posts]
    assert ids == [delivery.message_id, delivery.message_id]
    assert all(_verified(endpoint.secret, post) for post in receiver.posts)


def _emit_alert(alert: Alert) -> list[int]:
    return alerts_raised_emit(alerts=[Alert.objects.select_related("account").get(pk=alert.pk)])


# --- Rotation -------------------------------------------------------------------------------


def test_a_rotated_secret_signs_with_both_secrets_and_old_headers_for_the_period(
    endpoint, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ROTATION_DAYS = 7
    old = endpoint.secret
    before = timezone.now()
    endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)

    _raise(_level_drop(), django_capture_on_commit_callbacks)

    assert endpoint.secret != old and endpoint.previous_secret == old
    ends = endpoint.rotation_ends_at - before
    assert dt.timedelta(days=7) <= ends < dt.timedelta(days=7, minutes=1)
    post = receiver.posts[0]
    assert len(post["headers"]["webhook-signature"].split(" ")) == 2
    assert _verified(old, post) == _verified(endpoint.secret, post)
    digest = hmac.new(old.encode(), post["body"], hashlib.sha256).hexdigest()
    assert post["headers"]["X-Garden-Signature"] == f"sha256={digest}"
    assert post["headers"]["X-Garden-Delivery"] == str(WebhookDelivery.objects.get().pk)
    assert post["headers"]["X-Garden-Event"] == "alert.raised"


def test_after_the_rotation_period_only_the_new_secret_and_standard_headers_remain(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    old = endpoint.secret
    endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
    # The period is over: its end is now a moment ago.
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        rotation_ends_at=timezone.now() - dt.timedelta(seconds=1)
    )

    _raise(_level_drop(), django_capture_on_commit_callbacks)

    post = receiver.posts[0]
    assert _verified(endpoint.secret, post)["event"] == "alert.raised"
    with pytest.raises(WebhookVerificationError):
        _verified(old, post)
    assert not [name for name in post["headers"] if name.lower().startswith("x-garden")]


def test_the_period_ends_at_its_end_to_the_second(endpoint):
    endpoint = webhooks.webhook_endpoint_rotate_secret(endpoint=endpoint)
    ends = endpoint.rotation_ends_at

    def headers(at):
        return signed_headers(
            endpoint=endpoint, message_id="msg_1", delivery_id=1, event="x", body=b"{}", now=at
        )

    during, after = headers(ends - dt.timedelta(seconds=1)), headers(ends)
    assert "X-Garden-Signature" in during and len(during["webhook-signature"].split()) == 2
    assert "X-Garden-Signature" not in after and len(after["webhook-signature"].split()) == 1


def test_an_endpoint_from_before_keeps_its_old_signature_for_a_period_from_the_migration(
    receiver, programme_admin, settings, django_capture_on_commit_callbacks
):
    """An endpoint stored before standard webhooks: its secret (no whsec_) is unchanged, the
    migration gives it one rotation period, and its receiver can check either header style."""
    settings.WEBHOOK_ROTATION_DAYS = 7
    old_secret = secrets.token_urlsafe(32)  # how secrets were made before
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret=old_secret)
    migration = importlib.import_module("community.migrations.0016_standard_webhooks")
    migration._describe_old_deliveries(django_apps, None)

    _raise(_level_drop(), django_capture_on_commit_callbacks)

    endpoint.refresh_from_db()
    assert endpoint.rotation_ends_at > timezone.now() + dt.timedelta(days=6, hours=23)
    post = receiver.posts[0]
    digest = hmac.new(old_secret.encode(), post["body"], hashlib.sha256).hexdigest()
    assert post["headers"]["X-Garden-Signature"] == f"sha256={digest}"
    assert _verified(old_secret.encode(), post)["event"] == "alert.raised"


# --- Each event: posted once, valid against its schema ---------------------------------------


def test_alert_raised_is_posted_once_and_matches_its_schema(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    account = _level_drop()
    _raise(account, django_capture_on_commit_callbacks)
    _raise(account, django_capture_on_commit_callbacks)

    assert [b["event"] for b in _bodies(receiver)] == ["alert.raised"]
    _assert_valid(_verified(endpoint.secret, receiver.posts[0]))


def test_an_alert_a_person_resolves_is_posted_once_as_resolved(
    endpoint, receiver, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    alert = _raise(_level_drop(account_a), django_capture_on_commit_callbacks)[0]

    with django_capture_on_commit_callbacks(execute=True):
        alerts.alert_resolve(alert=alert, user=account_manager_a, note="Called them.")

    resolved = [b for b in _bodies(receiver) if b["event"] == "alert.resolved"]
    assert len(resolved) == 1
    assert resolved[0]["alert"]["id"] == alert.pk
    assert resolved[0]["alert"]["resolution"] == "person"
    assert resolved[0]["alert"]["resolution_note"] == "Called them."
    _assert_valid(_verified(endpoint.secret, receiver.posts[-1]))


def test_an_alert_no_longer_true_is_posted_once_as_resolved(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    account = _level_drop()
    alert = _raise(account, django_capture_on_commit_callbacks)[0]
    # The next day it is back at its level: the next run resolves the alert as no longer true.
    EngagementSnapshotFactory(
        account=account, day=D + dt.timedelta(days=1), score=40, level="participating"
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            alerts.alerts_raise(account_ids=[account.pk], day=D + dt.timedelta(days=1))

    resolved = [b for b in _bodies(receiver) if b["event"] == "alert.resolved"]
    assert [(b["alert"]["id"], b["alert"]["resolution"]) for b in resolved] == [
        (alert.pk, "no_longer_true")
    ]
    _assert_valid(resolved[0])


def test_a_level_change_found_by_the_engine_is_posted_once(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    account = AccountFactory(renewal_date=None)
    today = timezone.localdate()
    EngagementSnapshotFactory(  # held long enough to drop (docs/product.md, hysteresis)
        account=account,
        day=today - dt.timedelta(days=1),
        score=95,
        level="co_creating",
        level_since=today - dt.timedelta(days=30),
    )

    for _ in range(2):  # the engine runs again: nothing new
        with django_capture_on_commit_callbacks(execute=True):
            engagement_recompute(account_ids=[account.pk], day=today)

    snapshot = account.engagement_snapshots.get(day=today)
    assert snapshot.level != "co_creating"  # no events: it fell
    changes = [b for b in _bodies(receiver) if b["event"] == "engagement.level_changed"]
    assert len(changes) == 1
    change = changes[0]["engagement"]
    assert (change["previous_level"], change["level"]) == ("co_creating", snapshot.level)
    assert (change["account"]["slug"], change["day"]) == (account.slug, today.isoformat())
    _assert_valid(changes[0])
    assert WebhookDelivery.objects.filter(event="engagement.level_changed").count() == 1


def test_an_accounts_first_snapshot_is_no_level_change(
    endpoint, receiver, django_capture_on_commit_callbacks
):
    account = AccountFactory(renewal_date=None)

    with django_capture_on_commit_callbacks(execute=True):
        engagement_recompute(account_ids=[account.pk])

    assert account.engagement_snapshots.count() == 1
    assert not WebhookDelivery.objects.filter(event="engagement.level_changed").exists()


def test_a_pilot_decision_is_posted_once(
    endpoint, receiver, product_manager, account_a, member_a, django_capture_on_commit_callbacks
):
    pilot = PilotFactory(state=PilotState.CLOSED, accounts=[account_a])
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)

    with django_capture_on_commit_callbacks(execute=True):
        pilot_services.pilot_decide(
            pilot=pilot, actor=product_manager, decision=PilotDecision.ADOPT, outcome_note="Ship."
        )

    (body,) = [b for b in _bodies(receiver) if b["event"] == "pilot.decided"]
    assert (body["pilot"]["id"], body["pilot"]["decision"]) == (pilot.pk, "adopt")
    assert body["pilot"]["accounts"] == [{"slug": account_a.slug, "name": account_a.name}]
    assert product_manager.email not in json.dumps(body)  # no person named
    _assert_valid(body)
    assert WebhookDelivery.objects.filter(event="pilot.decided").count() == 1


def test_an_outcome_recorded_by_hand_is_posted_once(
    endpoint, receiver, account_manager_a, account_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = outcomes.outcome_record(
            account=account_a,
            kind=OutcomeKind.EXPANDED,
            occurred_on=D,
            amount=Decimal("1200.5"),  # posted with its two places
            recorded_by=account_manager_a,
        )

    (body,) = _bodies(receiver)
    assert body["event"] == "outcome.recorded"
    assert (body["outcome"]["id"], body["outcome"]["amount"]) == (outcome.pk, "1200.50")
    _assert_valid(_verified(endpoint.secret, receiver.posts[0]))


def test_imported_outcomes_are_posted_once_each_and_a_reimport_posts_nothing(
    endpoint, receiver, programme_admin, django_capture_on_commit_callbacks
):
    first, second = AccountFactory(), AccountFactory()
    csv = (
        "account,kind,occurred_on,amount\n"
        f"{first.slug},renewed,2026-06-01,\n"
        f"{second.slug},contracted,2026-06-02,300.00\n"
    ).encode()

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            batch = outcome_imports.csv_import(
                kind=ImportKind.OUTCOMES,
                file=io.BytesIO(csv),
                file_name="crm.csv",
                uploaded_by=programme_admin,
            )

    assert (batch.status, batch.unchanged) == ("imported", 2), batch.errors
    bodies = _bodies(receiver)
    assert sorted(
        (b["outcome"]["account"]["slug"], b["outcome"]["kind"]) for b in bodies
    ) == sorted([(first.slug, "renewed"), (second.slug, "contracted")])
    for body in bodies:
        _assert_valid(body)


def test_a_rejected_import_posts_nothing(
    endpoint, receiver, programme_admin, django_capture_on_commit_callbacks
):
    account = AccountFactory()
    csv = f"account,kind,occurred_on\n{account.slug},renewed,2026-06-01\nnobody,renewed,x\n"

    with django_capture_on_commit_callbacks(execute=True):
        batch = outcome_imports.csv_import(
            kind=ImportKind.OUTCOMES,
            file=io.BytesIO(csv.encode()),
            file_name="crm.csv",
            uploaded_by=programme_admin,
        )

    assert batch.status == "rejected"
    assert receiver.posts == []
    assert not WebhookDelivery.objects.exists()


def test_each_event_has_a_schema_and_each_schema_is_valid():
    assert sorted(p.stem for p in SCHEMAS.glob("*.json")) == sorted(WebhookEvent.values)
    for path in SCHEMAS.glob("*.json"):
        Draft202012Validator.check_schema(json.loads(path.read_text()))
