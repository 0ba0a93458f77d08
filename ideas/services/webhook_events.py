"""The webhook event of `ideas`: `pilot.decided`, posted to every active endpoint once
(community.services.webhooks.webhook_event_emit) when the decision's transaction commits. The
payload is described by docs/webhooks/schemas/pilot.decided.json and names no person."""

from __future__ import annotations

from django.conf import settings

from community.models import WebhookEvent
from community.services.webhooks import (
    WebhookMessage,
    webhook_endpoints_active,
    webhook_event_emit,
)
from ideas.models import Pilot
from ideas.selectors.pilots import pilot_accounts_enrolled


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def pilot_decided_payload(pilot: Pilot) -> dict:
    """What is posted for a decided pilot (its idea and garden loaded): the decision, the
    "you said, we did" note the participants were told, and the accounts that took part."""
    idea = pilot.idea
    return {
        "event": WebhookEvent.PILOT_DECIDED.value,
        "pilot": {
            "id": pilot.pk,
            "title": pilot.title,
            "url": _absolute(pilot.get_absolute_url()),
            "idea": {"id": idea.pk, "title": idea.title, "url": _absolute(idea.get_absolute_url())},
            "garden": {"slug": idea.garden.slug, "name": idea.garden.name},
            "runs_from": pilot.runs_from.isoformat(),
            "runs_until": pilot.runs_until.isoformat(),
            "decision": pilot.decision,
            "decision_label": pilot.get_decision_display(),
            "outcome_note": pilot.outcome_note,
            "decided_at": pilot.decided_at.isoformat(),
            "accounts": [
                {"slug": account.slug, "name": account.name}
                for account in pilot_accounts_enrolled(pilot=pilot)
            ],
        },
    }


def pilot_decided_emit(*, pilot: Pilot) -> list[int]:
    """`pilot.decided` for this pilot (a pilot is decided once: its id is the subject). Nothing
    is read when no endpoint is active."""
    endpoint_ids = webhook_endpoints_active()
    if not endpoint_ids:
        return []
    pilot = Pilot.objects.select_related("idea__garden").get(pk=pilot.pk)
    message = WebhookMessage(
        subject=str(pilot.pk),
        payload=pilot_decided_payload(pilot),
        summary=f"{pilot.title}: {pilot.get_decision_display()}",
    )
    return webhook_event_emit(
        event=WebhookEvent.PILOT_DECIDED, messages=[message], endpoint_ids=endpoint_ids
    )
