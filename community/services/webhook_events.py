"""The webhook events of `community`, each posted to every active endpoint once
(community.services.webhooks.webhook_event_emit) when the transaction of the service where it
happened commits:

- `alert.raised`: a new alert (community.services.alerts.alerts_raise);
- `alert.resolved`: an alert resolved by a person (alert_resolve) or by the engine as no
  longer true (alerts_no_longer_true_resolve);
- `engagement.level_changed`: an account's level on the day a recompute ended on differs from
  its level before (community.services.engagement: engagement_recompute, engagement_repair);
- `outcome.recorded`: a loyalty outcome recorded by hand or by an import.

(`pilot.decided` is `ideas`' own: ideas.services.pilots.pilot_decide.) Each payload is
described by docs/webhooks/schemas/<event>.json, and names no person: these go to another
system, whose readers the naming rule (accounts/people.py) knows nothing of."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.conf import settings
from django.urls import reverse

from accounts.models import Account
from community.models import (
    Alert,
    EngagementLevel,
    LoyaltyOutcome,
    WebhookEvent,
)
from community.selectors.webhook_events import level_changes_on
from community.services.webhooks import (
    WebhookMessage,
    webhook_endpoints_active,
    webhook_event_emit,
)


def _account_url(account: Account) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(
        "community:account-engagement", kwargs={"slug": account.slug}
    )


def _account(account: Account) -> dict:
    return {"slug": account.slug, "name": account.name, "url": _account_url(account)}


def alert_payload(alert: Alert) -> dict:
    """What is posted for a raised alert (its shape kept from the first webhooks)."""
    return {
        "event": WebhookEvent.ALERT_RAISED.value,
        "alert": {
            "id": alert.pk,
            "account": alert.account.slug,
            "account_name": alert.account.name,
            "reason": alert.reason,
            "reason_label": alert.get_reason_display(),
            "summary": alert.summary,
            "details": alert.details,
            "raised_at": alert.raised_at.isoformat(),
            "url": _account_url(alert.account),
        },
    }


def alert_resolved_payload(alert: Alert) -> dict:
    """What is posted for a resolved alert: the alert as raised, and how it ended."""
    payload = alert_payload(alert)
    payload["event"] = WebhookEvent.ALERT_RESOLVED.value
    payload["alert"] |= {
        "resolved_at": alert.resolved_at.isoformat(),
        "resolution": alert.resolution,
        "resolution_label": alert.get_resolution_display(),
        "resolution_note": alert.resolution_note,
    }
    return payload


def _alert_summary(alert: Alert) -> str:
    return f"{alert.account.name}: {alert.get_reason_display()}"


def _emit(event: str, items: Iterable, message: Callable[..., WebhookMessage]) -> list[int]:
    """`event` for each item, as `message(item)` makes it; `items` (a queryset, say) is not
    read when no endpoint is active."""
    endpoint_ids = webhook_endpoints_active()
    if not endpoint_ids:
        return []
    return webhook_event_emit(
        event=event, messages=[message(item) for item in items], endpoint_ids=endpoint_ids
    )


def alerts_raised_emit(*, alerts: Iterable[Alert]) -> list[int]:
    """`alert.raised` for each of these new alerts (their account loaded)."""
    return _emit(
        WebhookEvent.ALERT_RAISED,
        alerts,
        lambda alert: WebhookMessage(
            subject=str(alert.pk),
            payload=alert_payload(alert),
            summary=_alert_summary(alert),
            alert_id=alert.pk,
        ),
    )


def alerts_resolved_emit(*, alerts: Iterable[Alert]) -> list[int]:
    """`alert.resolved` for each of these resolved alerts (their account loaded)."""
    return _emit(
        WebhookEvent.ALERT_RESOLVED,
        alerts,
        lambda alert: WebhookMessage(
            subject=str(alert.pk),
            payload=alert_resolved_payload(alert),
            summary=f"{_alert_summary(alert)}, resolved",
            alert_id=alert.pk,
        ),
    )


def level_changes_emit(*, account_ids: Sequence[int], day: dt.date) -> list[int]:
    """`engagement.level_changed` for each of these accounts whose level on `day` differs from
    its level before: one per account, day and new level, however often the day is computed
    again (the subject says all three). Nothing is read when no endpoint is active."""
    endpoint_ids = webhook_endpoints_active()
    if not endpoint_ids or not account_ids:
        return []
    labels = dict(EngagementLevel.choices)
    messages = []
    for snapshot in level_changes_on(account_ids=account_ids, day=day):
        account = snapshot.account
        payload = {
            "event": WebhookEvent.LEVEL_CHANGED.value,
            "engagement": {
                "account": _account(account),
                "day": snapshot.day.isoformat(),
                "previous_level": snapshot.previous_level,
                "previous_level_label": labels[snapshot.previous_level],
                "level": snapshot.level,
                "level_label": labels[snapshot.level],
                "score": float(snapshot.score),
                "model_version": snapshot.model_version,
            },
        }
        summary = f"{account.name}: {labels[snapshot.previous_level]} → {labels[snapshot.level]}"
        messages.append(
            WebhookMessage(
                subject=f"{account.pk}:{snapshot.day.isoformat()}:{snapshot.level}",
                payload=payload,
                summary=summary,
            )
        )
    return webhook_event_emit(
        event=WebhookEvent.LEVEL_CHANGED, messages=messages, endpoint_ids=endpoint_ids
    )


def outcome_payload(outcome: LoyaltyOutcome) -> dict:
    """What is posted for a recorded outcome (the note stays in the app: it is free text for
    the account team)."""
    return {
        "event": WebhookEvent.OUTCOME_RECORDED.value,
        "outcome": {
            "id": outcome.pk,
            "account": _account(outcome.account),
            "kind": outcome.kind,
            "kind_label": outcome.get_kind_display(),
            "occurred_on": outcome.occurred_on.isoformat(),
            "amount": None if outcome.amount is None else f"{Decimal(outcome.amount):.2f}",
            "source": outcome.source,
            "external_id": outcome.external_id,
        },
    }


def outcomes_recorded_emit(*, outcomes: Iterable[LoyaltyOutcome]) -> list[int]:
    """`outcome.recorded` for each of these new outcomes (their account loaded)."""
    return _emit(
        WebhookEvent.OUTCOME_RECORDED,
        outcomes,
        lambda outcome: WebhookMessage(
            subject=str(outcome.pk),
            payload=outcome_payload(outcome),
            summary=f"{outcome.account.name}: {outcome.get_kind_display()}",
        ),
    )
