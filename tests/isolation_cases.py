"""The world and the snapshot of the tenant-isolation matrix (tests/test_isolation_matrix.py).

One world with an object of every kind for account A ("Acme"), all of it inside the invite-only
garden A accepted ("ZQX Orchard"): an idea (and a duplicate to merge), a comment, a vote, a
published pilot A is invited to with its instrument, check-ins and agreement (accepted by A's
admin, A's member enrolled, a draft response), a thread with a reply and a flag, a published and
a draft harvest, notifications, an alert, a loyalty outcome, an offline event, an engagement
snapshot, a webhook endpoint and delivery, a chat channel of A's team, an import batch, an
account invitation, a garden invitation A has still to answer, and an API token of A's member.
Every text of A carries the marker "ZQX", so a page or a list that shows anything of A's is
caught by one substring test.

Account B ("Globex") has an open garden of its own with a thread and an idea, so B's lists are
not empty by accident; `manager_b` is an account manager assigned to B only.

Account C ("Initech") is invited to A's garden and has not answered: its admin sees the garden
itself (`GARDEN_ITSELF`: its name and description, the invitation), and nothing inside it.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.db import connection
from django.utils import timezone

from accounts.models import InternalRole, MemberRole, TeamRole, User
from accounts.provisioning import scim_token_create
from accounts.services import api_token_create, invitation_create
from accounts.single_sign_on import ProviderSettings, identity_provider_save
from community.models import (
    ActivityKind,
    Alert,
    AlertReason,
    GardenTheme,
    GardenVisibility,
    HarvestAudience,
    HarvestKind,
    ImportBatch,
    Notification,
    OutcomeKind,
    Post,
    WebhookDelivery,
    WebhookEvent,
)
from community.services import discussions
from community.services.chat_channels import chat_channel_create
from community.services.engagement import offline_event_record
from community.services.gardens import (
    garden_create,
    garden_invitation_accept,
    garden_invite,
    garden_join,
)
from community.services.harvests import harvest_create, harvest_publish
from community.services.outcomes import outcome_record
from community.services.webhooks import webhook_endpoint_create
from ideas.models import CheckIn, Comment
from ideas.services.feedback import response_save
from ideas.services.ideas import idea_comment, idea_propose, idea_vote_toggle
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer, internal
from tests.community.factories import EngagementSnapshotFactory, GardenFactory, a_steward
from tests.ideas.factories import PilotFactory, agreement_accepted, enrolled
from tests.saml_provider import key_pair

MARKER = "ZQX"  # in every text of account A's; never in anything account B may see
# What must never reach an outsider besides the marker: A's name and its people's addresses.
FOREIGN_TEXTS = (MARKER, "Acme Industrial", "acme.example")
# What an account invited to A's garden may read of it before it accepts: the garden itself.
GARDEN_ITSELF = ("ZQX Orchard", "ZQX plans")


@dataclass
class World:
    people: dict[str, User]
    ids: dict[str, int | str] = field(default_factory=dict)  # URL placeholders → A's objects


def build_world() -> World:
    a = AccountFactory(name="Acme Industrial", slug="acme")
    b = AccountFactory(name="Globex Logistics", slug="globex")
    c = AccountFactory(name="Initech Systems", slug="initech")
    people = {
        "member_a": customer(a, email="alice@acme.example", first_name="Alice"),
        "admin_a": customer(a, role=MemberRole.ADMIN, email="anna@acme.example", first_name="Anna"),
        "member_b": customer(b, email="bob@globex.example", first_name="Bob"),
        "admin_b": customer(b, role=MemberRole.ADMIN, email="bea@globex.example", first_name="Bea"),
        "admin_c": customer(
            c, role=MemberRole.ADMIN, email="ivy@initech.example", first_name="Ivy"
        ),
        "member_c": customer(c, email="ian@initech.example", first_name="Ian"),
        "account_manager_a": internal(
            InternalRole.ACCOUNT_MANAGER, email="carol@garden.example", first_name="Carol"
        ),
        "manager_b": internal(
            InternalRole.ACCOUNT_MANAGER, email="gus@garden.example", first_name="Gus"
        ),
        "product_manager": internal(
            InternalRole.PRODUCT_MANAGER, email="pat@garden.example", first_name="Pat"
        ),
        "programme_admin": internal(
            InternalRole.PROGRAMME_ADMIN, email="ada@garden.example", first_name="Ada"
        ),
        "steward": a_steward(),
    }
    p = people
    TeamAssignmentFactory(user=p["account_manager_a"], account=a, role=TeamRole.ACCOUNT_MANAGER)
    TeamAssignmentFactory(user=p["manager_b"], account=b, role=TeamRole.ACCOUNT_MANAGER)

    # --- A's garden and discussions ---------------------------------------------------------
    garden = garden_create(
        created_by=p["programme_admin"],
        name="ZQX Orchard",
        slug="zqx-orchard",
        theme=GardenTheme.DEEP_PURPOSE,
        description="ZQX plans",
        visibility=GardenVisibility.INVITE_ONLY,
        stewards=[p["steward"]],
    )
    invitation = garden_invite(garden=garden, account=a, invited_by=p["steward"])
    invitation = garden_invitation_accept(invitation=invitation, by=p["admin_a"])
    garden_join(garden=garden, user=p["member_a"])
    garden_join(garden=garden, user=p["admin_a"])
    pending_garden = GardenFactory(
        name="ZQX Greenhouse",
        slug="zqx-greenhouse",
        description="ZQX next",
        visibility=GardenVisibility.INVITE_ONLY,
    )
    pending_garden.stewards.add(p["steward"])
    pending = garden_invite(garden=pending_garden, account=a, invited_by=p["steward"])
    garden_invite(garden=garden, account=c, invited_by=p["steward"])  # C has not answered
    # C's admin has read the invitation's notification: her "read all" then changes no row.
    Notification.objects.filter(user=p["admin_c"]).update(read_at=timezone.now())

    thread = discussions.thread_start(
        garden=garden, author=p["member_a"], title="ZQX roadmap", body="ZQX opening words"
    )
    opening = Post.objects.get(thread=thread)
    answer = discussions.post_reply(thread=thread, author=p["admin_a"], body="ZQX answer")
    discussions.post_flag(post=answer, user=p["member_a"], reason="ZQX off topic")

    # --- Ideas and pilots -------------------------------------------------------------------
    idea = idea_propose(
        garden=garden,
        author=p["member_a"],
        title="ZQX offline mode",
        job_to_be_done="ZQX job",
        proposal="ZQX proposal",
    )
    duplicate = idea_propose(
        garden=garden,
        author=p["admin_a"],
        title="ZQX offline sync",
        job_to_be_done="ZQX job",
        proposal="ZQX proposal",
    )
    idea_comment(idea=idea, author=p["admin_a"], body="ZQX comment")
    idea_vote_toggle(idea=idea, user=p["admin_a"])
    # C is invited to the pilot too: only its garden keeps it out until C accepts.
    pilot = PilotFactory(idea=idea, title="ZQX pilot", description="ZQX trial", accounts=[a, c])
    agreement_accepted(pilot, a, by=p["admin_a"])
    enrolment = enrolled(pilot, p["member_a"])
    check_in = CheckIn.objects.filter(pilot=pilot).order_by("position", "pk").first()
    response_save(check_in=check_in, enrolment=enrolment, answers={}, submit=False)
    instrument = pilot.instruments.order_by("-version").first()
    question = instrument.questions.order_by("position").first()
    dimension = instrument.dimensions.order_by("position").first()

    # --- Harvests, notifications ------------------------------------------------------------
    harvest = harvest_create(
        created_by=p["steward"],
        title="ZQX harvest",
        summary="ZQX summary",
        kind=HarvestKind.PLAYBOOK,
        garden=garden,
        audience=HarvestAudience.GARDEN,
        source_thread=thread,
    )
    harvest = harvest_publish(harvest=harvest, by=p["steward"])
    draft = harvest_create(
        created_by=p["steward"],
        title="ZQX draft",
        summary="ZQX draft summary",
        kind=HarvestKind.RESULT,
        garden=garden,
        audience=HarvestAudience.GARDEN,
    )
    notification = Notification.objects.filter(user=p["member_a"]).order_by("pk").first()

    # --- Account A's internal records -------------------------------------------------------
    account_invitation = invitation_create(
        account=a, email="newbie@acme.example", invited_by=p["admin_a"]
    )
    details = {"points": 18.0, "days": 30, "peak_score": 50.0, "score": 32.0}
    alert = Alert.objects.create(account=a, reason=AlertReason.SCORE_FELL, details=details)
    Alert.objects.create(account=b, reason=AlertReason.SCORE_FELL, details=details)
    outcome_record(
        account=a,
        kind=OutcomeKind.RENEWED,
        occurred_on=dt.date(2026, 1, 15),
        note="ZQX renewal",
        recorded_by=p["account_manager_a"],
    )
    offline_event_record(
        account=a,
        kind=ActivityKind.WORKSHOP_ATTENDED,
        occurred_on=timezone.localdate() - dt.timedelta(days=3),
        note="ZQX workshop",
        recorded_by=p["account_manager_a"],
    )
    EngagementSnapshotFactory(account=a)
    endpoint = webhook_endpoint_create(
        url="https://hooks.example/zqx", description="ZQX CRM", created_by=p["programme_admin"]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        alert=alert,
        subject=str(alert.pk),
        event=WebhookEvent.ALERT_RAISED,
        payload={"account": "acme"},
        status="failed",
    )
    channel = chat_channel_create(
        account=a,
        provider="slack",
        name="ZQX account team",
        url="https://hooks.slack.com/services/ZQX/B0/secret",
        deliveries={"engagement_alert": "immediately"},
        created_by=p["account_manager_a"],
    )
    batch = ImportBatch.objects.create(
        kind="outcomes",
        status="rejected",
        file_name="zqx.csv",
        errors=[{"row": 2, "column": "account", "problem": "ZQX"}],
        uploaded_by=p["programme_admin"],
    )

    api_token, _ = api_token_create(user=p["member_a"], name="ZQX script")
    scim_token, _ = scim_token_create(account=a, name="ZQX Okta", created_by=p["admin_a"])
    identity_provider = identity_provider_save(
        account=a,
        settings=ProviderSettings(
            kind="oidc",
            issuer="https://login.acme.example",
            client_id="ZQX-client",
            client_secret="ZQX-secret",  # noqa: S106 (a made-up secret of the world)
            sso_required=False,
        ),
        domains=["acme.example"],
    )
    with tempfile.TemporaryDirectory() as folder:
        _, cert_file = key_pair(Path(folder), "initech")
        saml_provider = identity_provider_save(
            account=c,
            settings=ProviderSettings(
                kind="saml",
                issuer="",
                client_id="",
                client_secret="",
                sso_required=False,
                entity_id="https://idp.initech.example/saml",
                sso_url="https://idp.initech.example/saml/sso",
                x509cert=cert_file.read_text(),
            ),
            domains=["initech.example"],
        )

    # --- Account B's own things, so its lists have rows -------------------------------------
    commons = GardenFactory(name="Globex Commons", slug="commons", description="Globex plans")
    garden_join(garden=commons, user=p["member_b"])
    garden_join(garden=commons, user=p["admin_b"])
    discussions.thread_start(
        garden=commons, author=p["member_b"], title="Our own thread", body="Globex words"
    )
    idea_propose(
        garden=commons,
        author=p["member_b"],
        title="Globex idea",
        job_to_be_done="Globex job",
        proposal="Globex proposal",
    )

    ids = {
        "account": a.slug,
        "garden": garden.slug,
        "pending_garden": pending_garden.slug,
        "garden_invitation": invitation.pk,
        "pending_invitation": pending.pk,
        "thread": thread.pk,
        "opening": opening.pk,
        "post": answer.pk,
        "idea": idea.pk,
        "duplicate": duplicate.pk,
        "comment": Comment.objects.get(idea=idea).pk,
        "pilot": pilot.pk,
        "check_in": check_in.pk,
        "question": question.pk,
        "dimension": dimension.pk,
        "harvest": harvest.slug,
        "draft": draft.slug,
        "notification": notification.pk,
        "invitation": account_invitation.pk,
        "membership": p["member_a"].membership.pk,
        "team_assignment": p["account_manager_a"].team_assignments.get().pk,
        "person": p["member_a"].pk,
        "alert": alert.pk,
        "endpoint": endpoint.pk,
        "delivery": delivery.pk,
        "channel": channel.pk,
        "batch": batch.pk,
        "api_token": api_token.token_key,
        "scim_token": scim_token.pk,
        "identity_provider": identity_provider.provider_id,
        "saml_provider": saml_provider.provider_id,
        "email_domain": "acme.example",
    }
    return World(people=people, ids=ids)


# --- The snapshot: every row of the project's tables, to compare before and after ------------

APPS = ("accounts", "community", "ideas")
# Columns that change on every request or login, not by a write.
# Moved by a request as a matter of course: the login, and an account's stored last customer
# activity (accounts.Account.last_customer_activity_at), which follows its activity events (a
# customer's own visit is activity): the events' rows themselves are compared like any other.
VOLATILE_COLUMNS = {"last_login", "last_customer_activity_at"}


def _tables() -> list[tuple[str, str, str]]:
    """(model label, table, primary key column) of every model of the three apps with a table.
    Read with SQL, not the models: a model another change is still migrating reads the same."""
    existing = set(connection.introspection.table_names())
    return [
        (model._meta.label, model._meta.db_table, model._meta.pk.column)
        for label in APPS
        for model in apps.get_app_config(label).get_models()
        if model._meta.db_table in existing
    ]


def snapshot() -> dict[str, dict]:
    """{model label: {pk: a digest of the row}} of every table of the three apps, in one query
    on PostgreSQL (a row's digest leaves out the volatile columns)."""
    tables = _tables()
    quote = connection.ops.quote_name
    tables_now: dict[str, dict] = {label: {} for label, _, _ in tables}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            dropped = " - ".join(f"'{c}'" for c in sorted(VOLATILE_COLUMNS))
            row = "SELECT '{}', t.{}::text, md5((to_jsonb(t) - {})::text) FROM {} t"
            cursor.execute(
                " UNION ALL ".join(
                    row.format(label, quote(pk), dropped, quote(table))
                    for label, table, pk in tables
                )
            )
            for label, pk, digest in cursor.fetchall():
                tables_now[label][pk] = digest
            return tables_now
        for label, table, pk in tables:
            cursor.execute("SELECT * FROM " + quote(table))  # noqa: S608 (our own tables)
            columns = [c[0] for c in cursor.description]
            key = columns.index(pk)
            kept = [i for i, c in enumerate(columns) if c not in VOLATILE_COLUMNS]
            for row in cursor.fetchall():
                tables_now[label][str(row[key])] = tuple(row[i] for i in kept)
    return tables_now


def changes(before: dict, after: dict, *, allow_new: bool) -> list[str]:
    """What a request changed: rows altered or deleted (always reported), rows added (reported
    unless `allow_new`: the caller's own visit or own record, never touching a row of before)."""
    found = []
    for label, rows in before.items():
        now = after[label]
        for pk, row in rows.items():
            if pk not in now:
                found.append(f"{label} {pk} deleted")
            elif now[pk] != row:
                found.append(f"{label} {pk} changed")
        if not allow_new:
            found += [f"{label} {pk} added" for pk in now.keys() - rows.keys()]
    return found
