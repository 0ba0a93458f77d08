"""The community API's lists whose reads are kept (config.sql_once): an account's offline events
and engagement history, the engagement model's versions, the caller's notifications and
notification preferences, the webhooks. For every persona, every page size and page, past the
end included, a call that asks for nothing but a page answers byte for byte what the view's
queryset gives (the same call with a parameter that changes nothing); the reads that are not
paged give the ORM's rows. Outsiders keep their 403 and 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from accounts.models import InternalRole, MemberRole
from community.api.engagement import EngagementHistorySerializer
from community.api.webhooks import WebhookEndpointSerializer
from community.models import (
    ActivityKind,
    EngagementSnapshot,
    NotificationPreference,
    WebhookEndpoint,
)
from community.selectors.engagement_lists import snapshot_history
from community.selectors.notifications import notification_preferences_for
from community.selectors.webhooks import webhook_endpoint_list, webhook_endpoints
from community.services.engagement import offline_event_record
from community.services.engagement_model import engagement_model_create
from community.services.notifications import notification_preferences_set, notify
from community.services.webhooks import new_secret
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer, internal
from tests.accounts.test_api_kept_lists import assert_kept_is_the_orms
from tests.community.factories import EngagementSnapshotFactory


@pytest.fixture
def world(db):
    acme = AccountFactory(name="Acme Industrial", slug="acme")
    initech = AccountFactory(name="Initech", slug="initech")
    manager = internal(InternalRole.ACCOUNT_MANAGER, email="carol@garden.example")
    TeamAssignmentFactory(user=manager, account=acme)
    admin = internal(InternalRole.PROGRAMME_ADMIN, email="ada@garden.example")
    people = {
        "programme_admin": admin,
        "product_manager": internal(InternalRole.PRODUCT_MANAGER, email="pat@garden.example"),
        "account_manager": manager,
        "customer_admin": customer(acme, role=MemberRole.ADMIN, first_name="Anna"),
        "customer": customer(acme, first_name="Alice"),
        "outsider_admin": customer(initech, role=MemberRole.ADMIN, first_name="Ian"),
    }
    today = timezone.localdate()
    for n in range(7):
        offline_event_record(
            account=acme,
            kind=ActivityKind.WORKSHOP_ATTENDED if n % 2 else ActivityKind.REFERRAL,
            occurred_on=today - dt.timedelta(days=n * 9 + 1),
            note=f"Note {n}",
            recorded_by=manager if n % 3 else None,
        )
    offline_event_record(
        account=initech, kind=ActivityKind.REFERENCE_CALL, occurred_on=today, recorded_by=admin
    )
    for days in range(0, 120, 3):
        EngagementSnapshotFactory(
            account=acme, day=today - dt.timedelta(days=days), score=days % 70
        )
    for n in range(3):
        engagement_model_create(
            created_by=admin if n else None, note=f"v{n + 2}", half_life_days=20 + n
        )
    for n, person in enumerate(people.values()):
        for k in range(n + 2):
            notify(
                users=[person],
                kind="mention",
                title=f"{people['customer'].first_name} mentioned you ({k})",
                actor=people["customer"],
                email=False,
            )
    notification_preferences_set(user=people["customer"], preferences={"mention": "off"})
    notification_preferences_set(user=admin, preferences={"mention": "weekly"})
    return people


@pytest.mark.parametrize(
    "path, rows",
    [
        ("/api/v1/accounts/acme/offline-events/", 7),
        ("/api/v1/accounts/initech/offline-events/", 1),
        ("/api/v1/accounts/nowhere/offline-events/", 0),
        ("/api/v1/engagement/models/", 4),
        ("/api/v1/notifications/", 7),
    ],
)
def test_the_paged_lists_are_the_orms(api, world, path, rows):
    answered = sum(assert_kept_is_the_orms(api, user, path, rows) for user in world.values())
    assert answered or "nowhere" in path


def test_outsiders_keep_their_refusals(api, world):
    api.force_authenticate(world["outsider_admin"])
    assert api.get("/api/v1/accounts/acme/offline-events/?page_size=5").status_code == 404
    assert api.get("/api/v1/accounts/initech/offline-events/?page_size=5").status_code == 403
    assert api.get("/api/v1/engagement/models/?page_size=5").status_code == 403
    assert api.get("/api/v1/accounts/acme/engagement/history/").status_code == 404
    api.force_authenticate(world["customer"])
    assert api.get("/api/v1/accounts/acme/engagement/history/").status_code == 403


def test_a_notification_names_its_actor_for_its_reader(api, world):
    api.force_authenticate(world["outsider_admin"])
    titles = {row["title"] for row in api.get("/api/v1/notifications/").json()["results"]}
    assert titles and all(title.startswith("Alice mentioned you") for title in titles)
    api.force_authenticate(world["customer_admin"])
    mine = api.get("/api/v1/notifications/?page_size=200").json()["results"]
    assert {row["id"] for row in mine} == set(
        world["customer_admin"].notifications.values_list("pk", flat=True)
    )


def test_the_history_is_the_orms(api, world):
    """The kept numbers give the JSON the snapshots themselves gave (the ORM's rows)."""
    acme = world["customer"].membership.account
    api.force_authenticate(world["account_manager"])
    for days in (1, 30, 90, 365):
        orm = EngagementSnapshot.objects.filter(
            account=acme, day__gte=timezone.localdate() - dt.timedelta(days=days)
        ).order_by("day")
        assert len(snapshot_history(account=acme, days=days)) == orm.count() > 0
        shown = {"account": "acme", "days": days, "results": list(orm)}
        answer = api.get(f"/api/v1/accounts/acme/engagement/history/?days={days}")
        assert answer.content == JSONRenderer().render(EngagementHistorySerializer(shown).data)


def test_the_preferences_are_the_orms(world):
    for person in world.values():
        chosen = dict(
            NotificationPreference.objects.filter(user=person).values_list("kind", "delivery")
        )
        rows = notification_preferences_for(user=person)
        assert {row.kind: row.delivery for row in rows if row.kind in chosen} == chosen
    mention = {r.kind: r.delivery for r in notification_preferences_for(user=world["customer"])}
    assert mention["mention"] == "off"


def test_the_webhooks_are_the_orms(api, world):
    assert webhook_endpoint_list() == []
    for n in range(3):
        WebhookEndpoint.objects.create(
            url=f"https://hooks.example.com/{n}",
            secret=new_secret(),
            created_by=world["programme_admin"] if n else None,
            active=n != 1,
        )
    api.force_authenticate(world["programme_admin"])
    answer = api.get("/api/v1/webhooks/?page_size=25")
    assert answer.json() == WebhookEndpointSerializer(webhook_endpoints(), many=True).data
    assert [(e.pk, e.pending, e.failed) for e in webhook_endpoint_list()] == [
        (e.pk, e.pending, e.failed) for e in webhook_endpoints()
    ]
    api.force_authenticate(world["product_manager"])
    assert api.get("/api/v1/webhooks/").status_code == 403
