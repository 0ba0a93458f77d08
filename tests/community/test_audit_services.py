"""The audit trail records community's audited rows (community/audit.py): a garden's
visibility, whether its members see each other, its stewards; each new version of the
engagement model and the one it replaces; webhooks made, their secret rotated, deactivated and
reactivated — each with who, from where, and before and after. Driven through the programme
admin's pages."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import AuditEntry
from community.models import EngagementModel, Garden, WebhookEndpoint
from community.selectors.engagement_model import engagement_model_active
from community.services.webhooks import webhook_endpoint_create
from tests.community.factories import GardenFactory, a_steward
from tests.community.test_engagement_model_pages import _form_data

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"
CREATE, UPDATE = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE


def _entries(model, pk) -> list[AuditEntry]:
    kind = ContentType.objects.get_for_model(model)
    return list(AuditEntry.objects.filter(content_type=kind, object_id=pk).order_by("pk"))


def test_a_gardens_visibility_and_stewards_changed_on_its_settings_page(
    client_for, programme_admin, product_manager
):
    stella = a_steward()
    garden = GardenFactory(name="Onboarding journeys", slug="onboarding")
    garden.stewards.set([stella])

    response = client_for(programme_admin).post(
        "/gardens/onboarding/edit/",
        {
            "name": "Onboarding journeys",
            "theme": "customer_journey",
            "visibility": "invite_only",
            "shows_other_members": "on",
            "stewards": [product_manager.pk],
        },
        REMOTE_ADDR=ADDRESS,
    )

    assert response.status_code == 302
    changed, removed, added = _entries(Garden, garden.pk)[-3:]
    assert changed.action == UPDATE
    assert changed.changes == {
        "visibility": ["open", "invite_only"],
        "shows_other_members": [False, True],
    }
    assert removed.changes == {
        "stewards": {"type": "m2m", "operation": "delete", "objects": [stella.pk]}
    }
    assert added.changes == {
        "stewards": {"type": "m2m", "operation": "add", "objects": [product_manager.pk]}
    }
    assert {(e.actor_id, e.remote_addr) for e in (changed, removed, added)} == {
        (programme_admin.pk, ADDRESS)
    }
    assert changed.object_repr == "Onboarding journeys"


def test_a_new_engagement_model_version_and_the_one_it_replaces(client_for, programme_admin):
    first = engagement_model_active()

    client_for(programme_admin).post(
        "/settings/engagement/",
        _form_data(first, action="activate", threshold_observing=5, note="Lower bar."),
        REMOTE_ADDR=ADDRESS,
    )

    second = engagement_model_active()
    (made,) = _entries(EngagementModel, second.pk)
    assert made.action == CREATE
    assert made.changes["threshold_observing"] == [None, 5.0]
    assert made.changes["version"] == [None, 2]
    assert made.changes["note"] == [None, "Lower bar."]
    assert made.changes["weights"][1] == second.weights
    replaced = _entries(EngagementModel, first.pk)[-1]
    assert replaced.changes == {"is_active": [True, False]}
    assert (made.actor_id, replaced.actor_id, replaced.remote_addr) == (
        programme_admin.pk,
        programme_admin.pk,
        ADDRESS,
    )
    assert replaced.object_repr == "version 1"


def test_a_webhook_made_rotated_deactivated_and_reactivated(client_for, programme_admin):
    client = client_for(programme_admin)
    endpoint = webhook_endpoint_create(
        url="https://hooks.example/crm", description="CRM", created_by=programme_admin
    )

    client.post(f"/settings/webhooks/{endpoint.pk}/rotate/", REMOTE_ADDR=ADDRESS)
    client.post(f"/settings/webhooks/{endpoint.pk}/deactivate/", REMOTE_ADDR=ADDRESS)
    client.post(f"/settings/webhooks/{endpoint.pk}/reactivate/", REMOTE_ADDR=ADDRESS)

    made, rotated, off, on = _entries(WebhookEndpoint, endpoint.pk)
    assert made.actor_label == "System"  # made by a service call, outside any request
    assert made.changes["url"] == [None, "https://hooks.example/crm"]
    assert made.changes["secret"] == ["", "(hidden)"]
    assert set(rotated.changes) == {"secret", "previous_secret", "rotation_ends_at"}
    assert (off.changes, on.changes) == ({"active": [True, False]}, {"active": [False, True]})
    assert {(e.actor_id, e.remote_addr) for e in (rotated, off, on)} == {
        (programme_admin.pk, ADDRESS)
    }
    assert on.object_repr == "CRM"
