"""Mass assignment: every write operation of the API (POST, PUT, PATCH in the committed
docs/openapi.yaml, so a new operation is covered as soon as `make schema` runs) is sent a valid
body from an allowed caller *plus* fields it must never take from a request: another account's
id and slug, another person's id as author/user/created_by, role "admin", score, level,
is_staff, is_superuser. The call must succeed (or be refused with a 400 naming one of those
fields), and no row it created or changed may hold an injected value: the stored account and
author always come from the caller and the URL. An operation without a case in CASES fails.

How it checks the rows: before and after the call it reads, for every model of the project,
each foreign key to a user or an account and each field named role, level, score, is_staff or
is_superuser; a new or changed row holding the intruder, the foreign account or an injected
value is a leak."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Account, InternalRole, Membership, User
from community.models import (
    Alert,
    AlertReason,
    GardenVisibility,
    HarvestAudience,
    Notification,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from community.services import discussions
from community.services.gardens import garden_invite, garden_join
from ideas.models import IdeaStatus, Phase, PilotState
from ideas.selectors.instrument import instrument_current
from tests.accounts.factories import InvitationFactory, internal
from tests.accounts.sso_helpers import sso_set_up
from tests.api_helpers import api_login
from tests.community.factories import GardenFactory, HarvestFactory
from tests.ideas.factories import (
    IdeaFactory,
    PilotFactory,
    agreement_accepted,
    enrolled,
    running_dates,
)

SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
WRITES = ("post", "put", "patch")
PROJECT_APPS = ("accounts", "community", "ideas")

# The fields no write body may set, and the value each is sent with: "account" by slug and by
# id, people by the id of a member of the other account (the intruder).
INJECTED_NAMES = (
    "account",
    "account_id",
    "user",
    "user_id",
    "author",
    "author_id",
    "created_by",
    "created_by_id",
    "role",
    "score",
    "level",
    "is_staff",
    "is_superuser",
)
# Stored fields checked by name (besides every foreign key to a user or an account).
CHECKED_VALUES = {
    "role": "admin",
    "score": 999,
    "level": "co_creating",
    "is_staff": True,
    "is_superuser": True,
}

# Operations whose documented input legitimately carries one of those names (reviewed: the
# access helpers check the account or person named, as each route's outsider tests show). A new
# one fails test_inputs_named_like_protected_fields_are_the_reviewed_ones until reviewed here.
REVIEWED_INPUTS = {
    "v1_account_teams_create": {"account", "user", "role"},  # programme admins staff a team
    "v1_engagement_recompute_create": {"account"},  # the account to recompute
    "v1_garden_invitations_create": {"account"},  # the account invited
    "v1_invitations_create": {"account", "role"},  # admins invite to their own account
    "v1_memberships_role_create": {"role"},  # admins change a colleague's role
    "v1_outcomes_create": {"account"},  # the account team records an outcome
    "v1_pilots_instrument_questions_create": {"role"},  # the question's analytic role
}


def _load_schema() -> dict:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(SCHEMA.read_text(), Loader=loader)  # noqa: S506 (a safe loader)


SCHEMA_DATA = _load_schema()


def _write_operations() -> list[tuple[str, str, dict]]:
    return [
        (method, path, operation)
        for path, item in SCHEMA_DATA["paths"].items()
        for method, operation in item.items()
        if method in WRITES
    ]


def _request_properties(operation: dict) -> set[str]:
    body = operation.get("requestBody")
    if not body:
        return set()
    schema = next(iter(body["content"].values()))["schema"]
    components = SCHEMA_DATA["components"]["schemas"]
    component = components[schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema
    return set(component.get("properties", {}))


OPERATIONS = _write_operations()


# --- The world every case starts from ---------------------------------------------------------


@pytest.fixture
def w(request, account_a, account_b, member_a, admin_a, member_b, account_manager_a):
    """Account A's people, the intruder (a member of B) and the foreign account B."""
    return SimpleNamespace(
        account_a=account_a,
        foreign=account_b,
        intruder=member_b,
        member_a=member_a,
        admin_a=admin_a,
        account_manager_a=account_manager_a,
        product_manager=request.getfixturevalue("product_manager"),
        programme_admin=request.getfixturevalue("programme_admin"),
        today=timezone.localdate(),
        fixture=request.getfixturevalue,  # for a case that needs more (a loopback provider)
    )


@dataclass
class Call:
    actor: User
    url: str
    body: dict = field(default_factory=dict)
    format: str = "json"
    # Run what the call queues on commit (tasks are eager in tests); off only where the task
    # talks to a third party.
    on_commit: bool = True


def _garden(w, **fields):
    fields.setdefault("visibility", GardenVisibility.OPEN)
    garden = GardenFactory(**fields)
    garden_join(garden=garden, user=w.member_a)
    garden_join(garden=garden, user=w.admin_a)
    return garden


def _thread(w):
    return discussions.thread_start(
        garden=_garden(w), author=w.member_a, title="First weeks", body="How do you onboard?"
    )


def _opening_post(w):
    return _thread(w).posts.order_by("created_at", "pk").first()


def _alert(w):
    return Alert.objects.create(
        account=w.account_a, reason=AlertReason.SCORE_FELL, details={"points": 20.0}
    )


def _endpoint(w, **fields):
    return WebhookEndpoint.objects.create(
        url="https://hooks.example.com/garden", secret="s3cret", created_by=None, **fields
    )


def _pilot(w, **fields):
    fields.setdefault("accounts", [w.account_a])
    return PilotFactory(idea=IdeaFactory(garden=_garden(w), status=IdeaStatus.PILOTING), **fields)


def _running_check_in(w):
    pilot = _pilot(w, **running_dates(w.today))
    enrolled(pilot, w.member_a)
    check_in = pilot.check_ins.filter(phase=Phase.EXPERIENCE).order_by("position").first()
    questions = {q.role: q.pk for q in instrument_current(pilot=pilot).questions.all()}
    dimensions = ["useful", "usable", "delightful", "speed", "trust"]
    answers = {
        questions["experienced"]: dict.fromkeys(dimensions, 6),
        questions["sacrifice"]: dict.fromkeys(dimensions, 0),
        questions["job_done"]: "Yes",
        questions["adopt"]: 9,
        questions["recommend"]: 10,
        questions["better"]: "More offline maps.",
    }
    return check_in, {str(pk): value for pk, value in answers.items()}


def _draft_pilot(w):
    return _pilot(w, state=PilotState.DRAFT, published=False)


def _dimension(pilot):
    return instrument_current(pilot=pilot).dimensions.order_by("position").last()


def _question(pilot):
    return instrument_current(pilot=pilot).questions.order_by("position").last()


def _garden_harvest(w):
    return HarvestFactory(garden=_garden(w), audience=HarvestAudience.GARDEN, published_at=None)


def _identity_provider_call(w, method_body: dict, *, existing: bool) -> Call:
    """A PUT or PATCH of account A's provider: the loopback OpenID Connect provider answers
    the discovery document it fetches."""
    idp = w.fixture("oidc_provider")
    if existing:
        sso_set_up(w.account_a, idp, domains=["acme.example"])
    return Call(
        w.admin_a,
        "/api/v1/accounts/acme/identity-provider/",
        {"kind": "oidc", "issuer": idp.issuer, "client_id": "garden", **method_body},
    )


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("crm.csv", text.encode(), content_type="text/csv")


# --- One case per write operation (operationId -> the call) -----------------------------------


def _check_in_put(w):
    check_in, answers = _running_check_in(w)
    return Call(w.member_a, f"/api/v1/check-ins/{check_in.pk}/response/", {"answers": answers})


def _check_in_submit(w):
    check_in, answers = _running_check_in(w)
    return Call(
        w.member_a, f"/api/v1/check-ins/{check_in.pk}/response/submit/", {"answers": answers}
    )


def _garden_invitation(w):
    garden = GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    return garden_invite(garden=garden, account=w.account_a, invited_by=w.programme_admin)


def _dimension_call(w, tail="", body=None):
    pilot = _draft_pilot(w)
    return Call(
        w.product_manager,
        f"/api/v1/pilots/{pilot.pk}/instrument/dimensions/{_dimension(pilot).pk}/{tail}",
        body or {},
    )


def _question_call(w, tail="", body=None):
    pilot = _draft_pilot(w)
    return Call(
        w.product_manager,
        f"/api/v1/pilots/{pilot.pk}/instrument/questions/{_question(pilot).pk}/{tail}",
        body or {},
    )


def _pilot_create(w):
    idea = IdeaFactory(garden=_garden(w), status=IdeaStatus.PLANNED)
    today = w.today
    return Call(
        w.product_manager,
        "/api/v1/pilots/",
        {
            "idea": idea.pk,
            "title": "Offline sync",
            "description": "Four weeks with the offline build.",
            "what_to_expect": "Sync within a minute.",
            "recruiting_opens": str(today),
            "runs_from": str(today + dt.timedelta(days=7)),
            "runs_until": str(today + dt.timedelta(days=35)),
            "capacity": 5,
            "agreement_text": "We keep what we see confidential.",
        },
    )


def _enrol(w):
    pilot = _pilot(w)
    agreement_accepted(pilot, w.account_a, by=w.admin_a)
    return Call(w.member_a, f"/api/v1/pilots/{pilot.pk}/enrol/")


def _notification(w):
    return Notification.objects.create(user=w.member_a, kind="mention", title="You were named")


def _retry(w):
    endpoint = _endpoint(w)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        alert=_alert(w),
        event="alert.raised",
        payload={},
        status=WebhookDeliveryStatus.FAILED,
    )
    return Call(
        w.programme_admin, f"/api/v1/webhooks/deliveries/{delivery.pk}/retry/", on_commit=False
    )


CASES: dict[str, Callable[[SimpleNamespace], Call]] = {
    # accounts
    "v1_account_teams_create": lambda w: Call(
        w.programme_admin,
        "/api/v1/account-teams/",
        {
            "account": "acme",
            "user": internal(InternalRole.ACCOUNT_MANAGER).pk,
            "role": "customer_success_manager",
        },
    ),
    "v1_accounts_create": lambda w: Call(w.programme_admin, "/api/v1/accounts/", {"name": "Ini"}),
    "v1_accounts_partial_update": lambda w: Call(
        w.programme_admin, "/api/v1/accounts/acme/", {"name": "Acme Group"}
    ),
    "v1_accounts_identity_provider_update": lambda w: _identity_provider_call(
        w, {"client_secret": "s3"}, existing=False
    ),
    "v1_accounts_identity_provider_partial_update": lambda w: _identity_provider_call(
        w, {"sso_required": True}, existing=True
    ),
    "v1_accounts_email_domains_create": lambda w: Call(
        w.programme_admin, "/api/v1/accounts/acme/email-domains/", {"domain": "acme.example"}
    ),
    "v1_accounts_offline_events_create": lambda w: Call(
        w.account_manager_a,
        "/api/v1/accounts/acme/offline-events/",
        {"kind": "workshop_attended", "occurred_on": str(w.today), "note": "Came to the lab."},
    ),
    "v1_accounts_bad_times_create": lambda w: Call(
        w.account_manager_a,
        "/api/v1/accounts/acme/bad-times/",
        {"occurred_on": str(w.today), "reference": "INC-3", "note": "An outage."},
    ),
    "v1_invitations_create": lambda w: Call(
        w.admin_a, "/api/v1/invitations/", {"account": "acme", "email": "eve@acme.example"}
    ),
    "v1_invitations_revoke_create": lambda w: Call(
        w.admin_a, f"/api/v1/invitations/{InvitationFactory(account=w.account_a).pk}/revoke/"
    ),
    "v1_memberships_role_create": lambda w: Call(
        w.admin_a,
        f"/api/v1/memberships/{Membership.objects.get(user=w.member_a).pk}/role/",
        {"role": "admin"},
    ),
    "v1_people_erase_create": lambda w: Call(
        w.programme_admin, f"/api/v1/people/{w.member_a.pk}/erase/"
    ),
    # community: alerts, engagement, outcomes, imports, webhooks
    "v1_alerts_acknowledge_create": lambda w: Call(
        w.account_manager_a, f"/api/v1/alerts/{_alert(w).pk}/acknowledge/"
    ),
    "v1_alerts_resolve_create": lambda w: Call(
        w.account_manager_a, f"/api/v1/alerts/{_alert(w).pk}/resolve/", {"note": "Called them."}
    ),
    "v1_engagement_recompute_create": lambda w: Call(
        w.account_manager_a, "/api/v1/engagement/recompute/", {"account": "acme"}
    ),
    "v1_outcomes_create": lambda w: Call(
        w.account_manager_a,
        "/api/v1/outcomes/",
        {"account": "acme", "kind": "renewed", "occurred_on": str(w.today)},
    ),
    "v1_imports_create": lambda w: Call(
        w.programme_admin,
        "/api/v1/imports/",
        {
            "kind": "outcomes",
            "file": _csv(
                "account,kind,occurred_on,amount,note,external_id\nacme,renewed,2026-01-15,,,\n"
            ),
        },
        format="multipart",
    ),
    "v1_webhooks_create": lambda w: Call(
        w.programme_admin, "/api/v1/webhooks/", {"url": "https://hooks.example.com/garden"}
    ),
    "v1_webhooks_deactivate_create": lambda w: Call(
        w.programme_admin, f"/api/v1/webhooks/{_endpoint(w).pk}/deactivate/"
    ),
    "v1_webhooks_reactivate_create": lambda w: Call(
        w.programme_admin, f"/api/v1/webhooks/{_endpoint(w, active=False).pk}/reactivate/"
    ),
    "v1_webhooks_deliveries_retry_create": _retry,
    # community: gardens
    "v1_gardens_create": lambda w: Call(
        w.programme_admin, "/api/v1/gardens/", {"name": "Renewals", "theme": "customer_journey"}
    ),
    "v1_gardens_partial_update": lambda w: Call(
        w.programme_admin, f"/api/v1/gardens/{_garden(w).slug}/", {"description": "Renewed."}
    ),
    "v1_gardens_join_create": lambda w: Call(
        w.member_a, f"/api/v1/gardens/{GardenFactory(visibility=GardenVisibility.OPEN).slug}/join/"
    ),
    "v1_gardens_leave_create": lambda w: Call(
        w.member_a, f"/api/v1/gardens/{_garden(w).slug}/leave/"
    ),
    "v1_garden_invitations_create": lambda w: Call(
        w.programme_admin,
        "/api/v1/garden-invitations/",
        {
            "garden": GardenFactory(visibility=GardenVisibility.INVITE_ONLY).slug,
            "account": "acme",
        },
    ),
    "v1_garden_invitations_accept_create": lambda w: Call(
        w.admin_a, f"/api/v1/garden-invitations/{_garden_invitation(w).pk}/accept/"
    ),
    "v1_garden_invitations_decline_create": lambda w: Call(
        w.admin_a, f"/api/v1/garden-invitations/{_garden_invitation(w).pk}/decline/"
    ),
    # community: harvests
    "v1_harvests_create": lambda w: Call(
        w.programme_admin,
        "/api/v1/harvests/",
        {
            "title": "You said, we did",
            "summary": "Offline mode shipped.",
            "kind": "playbook",
            "audience": "all",
        },
    ),
    "v1_harvests_partial_update": lambda w: Call(
        w.programme_admin,
        f"/api/v1/harvests/{HarvestFactory(published_at=None).slug}/",
        {"title": "Renamed"},
    ),
    "v1_harvests_publish_create": lambda w: Call(
        w.programme_admin,
        # for the garden's accounts only: published to all, it would rightly notify the intruder
        f"/api/v1/harvests/{_garden_harvest(w).slug}/publish/",
    ),
    "v1_harvests_reads_create": lambda w: Call(
        w.member_a, f"/api/v1/harvests/{HarvestFactory().slug}/reads/"
    ),
    # community: notifications
    "v1_notifications_read_create": lambda w: Call(
        w.member_a, "/api/v1/notifications/read/", {"ids": [_notification(w).pk]}
    ),
    "v1_notifications_read_all_create": lambda w: Call(
        w.member_a, "/api/v1/notifications/read-all/"
    ),
    "notification_preferences_update": lambda w: Call(
        w.member_a,
        "/api/v1/notification-preferences/",
        {"preferences": [{"kind": "reply", "delivery": "weekly"}]},
    ),
    "notification_preference_update": lambda w: Call(
        w.member_a, "/api/v1/notification-preferences/mention/", {"delivery": "off"}
    ),
    # community: discussions
    "v1_threads_create": lambda w: Call(
        w.member_a,
        "/api/v1/threads/",
        {"garden": _garden(w).slug, "title": "Renewal tips", "body": "What worked for you?"},
    ),
    "v1_threads_posts_create": lambda w: Call(
        w.member_a, f"/api/v1/threads/{_thread(w).pk}/posts/", {"body": "Like this."}
    ),
    "v1_posts_partial_update": lambda w: Call(
        w.member_a, f"/api/v1/posts/{_opening_post(w).pk}/", {"body": "Edited."}
    ),
    "v1_posts_flag_create": lambda w: Call(
        w.admin_a, f"/api/v1/posts/{_opening_post(w).pk}/flag/", {"reason": "Off topic."}
    ),
    "v1_posts_hide_create": lambda w: Call(
        w.programme_admin, f"/api/v1/posts/{_opening_post(w).pk}/hide/", {"reason": "Spam."}
    ),
    "v1_posts_reactions_create": lambda w: Call(
        w.admin_a, f"/api/v1/posts/{_opening_post(w).pk}/reactions/", {"kind": "thanks"}
    ),
    # ideas
    "v1_ideas_create": lambda w: Call(
        w.member_a,
        "/api/v1/ideas/",
        {
            "garden": _garden(w).slug,
            "title": "Offline mode",
            "job_to_be_done": "Record inspections without network.",
            "proposal": "Queue work offline and sync later.",
        },
    ),
    "v1_ideas_comments_create": lambda w: Call(
        w.member_a,
        f"/api/v1/ideas/{IdeaFactory(garden=_garden(w)).pk}/comments/",
        {"body": "Yes please."},
    ),
    "v1_ideas_follow_create": lambda w: Call(
        w.member_a, f"/api/v1/ideas/{IdeaFactory(garden=_garden(w)).pk}/follow/"
    ),
    "v1_ideas_vote_create": lambda w: Call(
        w.member_a, f"/api/v1/ideas/{IdeaFactory(garden=_garden(w)).pk}/vote/"
    ),
    "v1_ideas_merge_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/ideas/{IdeaFactory(garden=_garden(w)).pk}/merge/",
        {"into": IdeaFactory().pk, "reason": "The same job."},
    ),
    "v1_ideas_transition_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/ideas/{IdeaFactory(garden=_garden(w)).pk}/transition/",
        {"to_status": "under_review", "reason": "Looking at it."},
    ),
    # ideas: pilots
    "v1_pilots_create": _pilot_create,
    "v1_pilots_partial_update": lambda w: Call(
        w.product_manager, f"/api/v1/pilots/{_draft_pilot(w).pk}/", {"title": "Renamed"}
    ),
    "v1_pilots_publish_create": lambda w: Call(
        w.product_manager, f"/api/v1/pilots/{_draft_pilot(w).pk}/publish/"
    ),
    "v1_pilots_state_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/pilots/{_pilot(w, state=PilotState.DRAFT).pk}/state/",
        {"state": "recruiting"},
    ),
    "v1_pilots_decision_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/pilots/{_pilot(w, state=PilotState.CLOSED).pk}/decision/",
        {"decision": "adopt", "outcome_note": "It worked."},
    ),
    "v1_pilots_agreements_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/pilots/{_pilot(w).pk}/agreements/",
        {"text": "Version two of the terms."},
    ),
    "v1_pilots_agreement_accept_create": lambda w: Call(
        w.admin_a, f"/api/v1/pilots/{_pilot(w).pk}/agreement/accept/"
    ),
    "v1_pilots_enrol_create": _enrol,
    "v1_pilots_invitations_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/pilots/{_pilot(w, accounts=[]).pk}/invitations/",
        {"accounts": ["acme"]},
    ),
    "v1_pilots_invite_supporters_create": lambda w: Call(
        w.product_manager, f"/api/v1/pilots/{_pilot(w, accounts=[]).pk}/invite-supporters/"
    ),
    "v1_pilots_instrument_dimensions_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/pilots/{_draft_pilot(w).pk}/instrument/dimensions/",
        {"label": "Battery life"},
    ),
    "v1_pilots_instrument_dimensions_partial_update": lambda w: _dimension_call(
        w, body={"label": "Battery"}
    ),
    "v1_pilots_instrument_dimensions_move_create": lambda w: _dimension_call(
        w, "move/", {"direction": "up"}
    ),
    "v1_pilots_instrument_questions_create": lambda w: Call(
        w.product_manager,
        f"/api/v1/pilots/{_draft_pilot(w).pk}/instrument/questions/",
        {"phase": "experience", "kind": "text", "prompt": "Anything else?"},
    ),
    "v1_pilots_instrument_questions_partial_update": lambda w: _question_call(
        w, body={"prompt": "What else?"}
    ),
    "v1_pilots_instrument_questions_move_create": lambda w: _question_call(
        w, "move/", {"direction": "up"}
    ),
    # ideas: check-ins
    "v1_check_ins_response_update": _check_in_put,
    "v1_check_ins_response_submit_create": _check_in_submit,
}


# --- Reading the rows before and after --------------------------------------------------------


def _checked_fields(model) -> list[tuple[str, object]]:
    """(attname, kind) of the fields of `model` the check reads: "user"/"account" for foreign
    keys to those, else the field's name for the CHECKED_VALUES names."""
    fields = []
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model in (User, Account):
            fields.append((f.attname, "user" if f.related_model is User else "account"))
        elif f.name in CHECKED_VALUES:
            fields.append((f.attname, f.name))
    return fields


def _snapshot() -> dict[str, dict[object, dict[str, object]]]:
    rows = {}
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        fields = _checked_fields(model)
        if fields:
            attnames = [attname for attname, _ in fields]
            rows[model._meta.label] = {
                row["pk"]: row for row in model.objects.values("pk", *attnames)
            }
    return rows


def _leaks(before, after, w, *, legitimate: set[str]) -> list[str]:
    forbidden = {"user": w.intruder.pk, "account": w.foreign.pk, **CHECKED_VALUES}
    leaks = []
    for model in apps.get_models():
        label = model._meta.label
        if label not in after:
            continue
        for attname, kind in _checked_fields(model):
            if kind in legitimate or attname.removesuffix("_id") in legitimate:
                continue
            for pk, row in after[label].items():
                old = before[label].get(pk, {}).get(attname, object())
                if row[attname] == forbidden[kind] and old != row[attname]:
                    leaks.append(f"{label} #{pk}: {attname} = {row[attname]!r}")
    return leaks


def _injection(w, *, legitimate: set[str]) -> dict[str, object]:
    values = {
        "account": w.foreign.slug,
        "account_id": w.foreign.pk,
        "role": "admin",
        "score": 999,
        "level": "co_creating",
        "is_staff": True,
        "is_superuser": True,
    } | {
        name: w.intruder.pk
        for name in ("user", "user_id", "author", "author_id", "created_by", "created_by_id")
    }
    return {name: value for name, value in values.items() if name not in legitimate}


# --- The tests --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    OPERATIONS,
    ids=[f"{method.upper()} {path}" for method, path, _ in OPERATIONS],
)
def test_a_write_ignores_or_refuses_fields_the_caller_may_not_set(
    api, w, django_capture_on_commit_callbacks, method, path, operation
):
    operation_id = operation["operationId"]
    if operation_id not in CASES:
        pytest.fail(f"{method.upper()} {path} ({operation_id}) has no case in CASES: add one")
    legitimate = _request_properties(operation) & set(INJECTED_NAMES)
    call = CASES[operation_id](w)
    injected = _injection(w, legitimate=legitimate)
    before = _snapshot()
    api_login(api, call.actor)

    with django_capture_on_commit_callbacks(execute=call.on_commit):
        response = getattr(api, method)(call.url, {**call.body, **injected}, format=call.format)

    if response.status_code == 400:
        attrs = {error["attr"] for error in response.json()["errors"]}
        assert attrs and attrs <= set(injected), (
            f"refused for another reason than the injected fields: {response.json()}"
        )
    else:
        assert 200 <= response.status_code < 300, (response.status_code, response.content[:500])
    assert _leaks(before, _snapshot(), w, legitimate=legitimate) == []


def test_every_case_is_an_operation_of_the_schema():
    operation_ids = {operation["operationId"] for _, _, operation in OPERATIONS}
    assert set(CASES) - operation_ids == set()


def test_inputs_named_like_protected_fields_are_the_reviewed_ones():
    found = {
        operation["operationId"]: names
        for _, _, operation in OPERATIONS
        if (names := _request_properties(operation) & set(INJECTED_NAMES))
    }
    assert found == REVIEWED_INPUTS


def test_the_check_sees_a_row_taking_the_foreign_account_or_the_intruder(w):
    """The leak check itself can fail: a membership moved to the other account, an idea
    written in the intruder's name and a user made staff are each reported."""
    before = _snapshot()
    Membership.objects.filter(user=w.member_a).update(account=w.foreign)
    idea = IdeaFactory(author=w.intruder)
    User.objects.filter(pk=w.admin_a.pk).update(is_staff=True)

    leaks = _leaks(before, _snapshot(), w, legitimate=set())

    assert f"ideas.Idea #{idea.pk}: author_id = {w.intruder.pk}" in leaks
    assert any(leak.startswith("accounts.Membership") for leak in leaks)
    assert f"accounts.User #{w.admin_a.pk}: is_staff = True" in leaks
