"""Tenancy and permission matrix of the routes of internal data (alerts, outcomes and their
imports, the portfolio, engagement and offline events, webhooks), for account A's objects, per
persona. Customers never see internal data (alerts, outcomes, portfolio, webhooks); other
accounts' customers get 404 where the account is in the URL; the account team sees only its
accounts; product managers read all but do not write; programme admins do all."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from community.models import (
    ActivityEvent,
    ActivityKind,
    Alert,
    AlertReason,
    LoyaltyOutcome,
    OutcomeKind,
    WebhookEndpoint,
)
from community.services.outcomes import outcome_record
from community.services.webhooks import webhook_endpoint_create
from tests.api_helpers import api_login
from tests.frame_nav import nav_count

ALL = ["member_b", "admin_a", "member_a", "account_manager_a", "product_manager", "programme_admin"]


@pytest.fixture
def world(account_a, account_b):
    """One alert and one outcome on each of A and B."""
    details = {"points": 18.0, "days": 30, "peak_score": 50.0, "score": 32.0}
    alert_a = Alert.objects.create(
        account=account_a, reason=AlertReason.SCORE_FELL, details=details
    )
    alert_b = Alert.objects.create(
        account=account_b, reason=AlertReason.SCORE_FELL, details=details
    )
    for account in (account_a, account_b):
        outcome_record(
            account=account,
            kind=OutcomeKind.RENEWED,
            occurred_on=dt.date(2026, 1, 15),
            recorded_by=None,
        )
    return {"alert_a": alert_a, "alert_b": alert_b}


def _csv_slugs(response, column: str) -> set[str]:
    body = b"".join(response.streaming_content).decode()
    return {row[column] for row in csv.DictReader(io.StringIO(body))}


# --- Status matrix: HTML pages -----------------------------------------------------------------

PAGE_EXPECTED = {
    # route name, args kind, method: {persona: status}
    "portfolio": {
        "member_b": 403,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 200,
        "product_manager": 200,
        "programme_admin": 200,
    },
    "account-engagement": {
        "member_b": 404,
        "admin_a": 200,
        "member_a": 403,
        "account_manager_a": 200,
        "product_manager": 200,
        "programme_admin": 200,
    },
    "alert-inbox": {
        "member_b": 403,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 200,
        "product_manager": 200,
        "programme_admin": 200,
    },
    "outcome-list": {
        "member_b": 403,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 200,
        "product_manager": 200,
        "programme_admin": 200,
    },
    "outcome-create": {
        "member_b": 404,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 200,
        "product_manager": 403,
        "programme_admin": 200,
    },
    "offline-event-create": {
        "member_b": 404,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 200,
        "product_manager": 403,
        "programme_admin": 200,
    },
    "import": {
        "member_b": 403,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 403,
        "product_manager": 403,
        "programme_admin": 200,
    },
    "engagement-model": {
        "member_b": 403,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 403,
        "product_manager": 403,
        "programme_admin": 200,
    },
    "webhooks": {
        "member_b": 403,
        "admin_a": 403,
        "member_a": 403,
        "account_manager_a": 403,
        "product_manager": 403,
        "programme_admin": 200,
    },
}
WITH_SLUG = {"account-engagement", "outcome-create", "offline-event-create"}


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("name", list(PAGE_EXPECTED))
def test_review_page_status_matrix(request, client_for, account_a, world, name, persona):
    user = request.getfixturevalue(persona)
    args = [account_a.slug] if name in WITH_SLUG else []
    response = client_for(user).get(reverse(f"community:{name}", args=args))
    assert response.status_code == PAGE_EXPECTED[name][persona]


ALERT_WRITE = {
    "member_b": 403,
    "admin_a": 403,
    "member_a": 403,
    "account_manager_a": 302,
    "product_manager": 403,
    "programme_admin": 302,
}


@pytest.mark.parametrize("persona", ALL)
def test_review_alert_acknowledge_page_matrix(request, client_for, world, persona):
    user = request.getfixturevalue(persona)
    url = reverse("community:alert-acknowledge", args=[world["alert_a"].pk])
    assert client_for(user).post(url).status_code == ALERT_WRITE[persona]


@pytest.mark.parametrize("persona", ALL)
def test_review_alert_resolve_page_matrix(request, client_for, world, persona):
    user = request.getfixturevalue(persona)
    url = reverse("community:alert-resolve", args=[world["alert_a"].pk])
    response = client_for(user).post(url, {"note": "Called them."})
    assert response.status_code == ALERT_WRITE[persona]


def test_review_account_manager_gets_404_for_account_b_alert(client_for, account_manager_a, world):
    url = reverse("community:alert-acknowledge", args=[world["alert_b"].pk])
    assert client_for(account_manager_a).post(url).status_code == 404
    url = reverse("community:alert-resolve", args=[world["alert_b"].pk])
    assert client_for(account_manager_a).get(url).status_code == 404


def test_review_account_manager_cannot_touch_account_b_pages(
    client_for, account_manager_a, account_b
):
    client = client_for(account_manager_a)
    for name in ("account-engagement", "outcome-create", "offline-event-create"):
        url = reverse(f"community:{name}", args=[account_b.slug])
        assert client.get(url).status_code == 404, name


# --- CSV exports contain only what the caller may see ----------------------------------------


def test_review_portfolio_csv_only_has_assigned_accounts(client_for, account_manager_a, world):
    response = client_for(account_manager_a).get(reverse("community:portfolio") + "?export=csv")
    assert response.status_code == 200
    assert _csv_slugs(response, "slug") == {"acme"}


def test_review_alerts_csv_only_has_assigned_accounts(client_for, account_manager_a, world):
    url = reverse("community:alert-inbox") + "?export=csv&state=all"
    response = client_for(account_manager_a).get(url)
    assert response.status_code == 200
    assert _csv_slugs(response, "account_slug") == {"acme"}


def test_review_alerts_csv_filtered_by_foreign_account_is_404(client_for, account_manager_a, world):
    url = reverse("community:alert-inbox") + "?export=csv&state=all&account=globex"
    response = client_for(account_manager_a).get(url)
    assert response.status_code == 404  # as the account itself (test_foreign_account_filters.py)
    assert b"Globex" not in response.content


def test_review_outcomes_csv_only_has_assigned_accounts(client_for, account_manager_a, world):
    response = client_for(account_manager_a).get(reverse("community:outcome-list") + "?export=csv")
    assert response.status_code == 200
    assert _csv_slugs(response, "account") == {"acme"}


def test_review_outcomes_filtered_by_foreign_account_is_not_500_and_leaks_nothing(
    client_for, account_manager_a, world
):
    client = client_for(account_manager_a)
    response = client.get(reverse("community:outcome-list") + "?account=globex")
    assert response.status_code == 404  # as the account itself (test_foreign_account_filters.py)
    assert b"Globex" not in response.content
    response = client.get(reverse("community:outcome-list") + "?account=globex&export=csv")
    assert response.status_code == 404
    assert b"Globex" not in response.content


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
def test_review_customers_get_no_csv_exports(request, client_for, world, persona):
    client = client_for(request.getfixturevalue(persona))
    for name in ("portfolio", "alert-inbox", "outcome-list"):
        response = client.get(reverse(f"community:{name}") + "?export=csv")
        assert response.status_code == 403, name


def test_review_portfolio_search_does_not_find_foreign_accounts(
    client_for, account_manager_a, world
):
    url = reverse("community:portfolio") + "?q=Globex&export=csv"
    response = client_for(account_manager_a).get(url)
    assert _csv_slugs(response, "slug") == set()


# --- Account engagement page: the customer admin's reduced view ----------------------------


def test_review_customer_admin_sees_no_support_or_timeline(client_for, admin_a, account_a):
    now = timezone.now()
    ActivityEvent.objects.create(
        account=account_a,
        kind=ActivityKind.WORKSHOP_ATTENDED,
        occurred_at=now - dt.timedelta(days=1),
        is_support=True,
    )
    ActivityEvent.objects.create(
        account=account_a, kind=ActivityKind.VOTE, occurred_at=now - dt.timedelta(days=1)
    )
    response = client_for(admin_a).get(
        reverse("community:account-engagement", args=[account_a.slug])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="support-activity"' not in html
    assert 'id="customer-activity"' not in html
    assert "Record an offline event" not in html
    assert "timeline" not in response.context or response.context.get("timeline") is None
    assert response.context.get("support") is None


# --- API matrix --------------------------------------------------------------------------------


# Who gets what on an API route, by persona.
INTERNAL_READERS = {
    "member_b": 403,
    "admin_a": 403,
    "member_a": 403,
    "account_manager_a": 200,
    "product_manager": 200,
    "programme_admin": 200,
}
PROGRAMME_ADMIN_ONLY = {**INTERNAL_READERS, "account_manager_a": 403, "product_manager": 403}
ACCOUNT_A_ENGAGEMENT = {**INTERNAL_READERS, "member_b": 404, "admin_a": 200}

API_GET = {
    "/api/v1/accounts/acme/engagement/": ACCOUNT_A_ENGAGEMENT,
    "/api/v1/accounts/acme/engagement/history/": ACCOUNT_A_ENGAGEMENT,
    "/api/v1/alerts/": INTERNAL_READERS,
    "/api/v1/outcomes/": INTERNAL_READERS,
    "/api/v1/engagement/models/": INTERNAL_READERS,
    "/api/v1/webhooks/": PROGRAMME_ADMIN_ONLY,
    "/api/v1/webhooks/deliveries/": PROGRAMME_ADMIN_ONLY,
}


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("url", list(API_GET))
def test_review_api_get_matrix(request, api, world, url, persona):
    api_login(api, request.getfixturevalue(persona))
    assert api.get(url).status_code == API_GET[url][persona]


@pytest.mark.parametrize("persona", ALL)
def test_review_api_alert_detail_and_write_matrix(request, api, world, persona):
    api_login(api, request.getfixturevalue(persona))
    pk = world["alert_a"].pk
    read = {"member_b": 403, "admin_a": 403, "member_a": 403}.get(persona, 200)
    assert api.get(f"/api/v1/alerts/{pk}/").status_code == read
    write = {**ALERT_WRITE, "account_manager_a": 200, "programme_admin": 200}[persona]
    assert api.post(f"/api/v1/alerts/{pk}/acknowledge/").status_code == write


def test_review_api_account_manager_gets_404_for_b_alert(api, account_manager_a, world):
    api_login(api, account_manager_a)
    pk = world["alert_b"].pk
    assert api.get(f"/api/v1/alerts/{pk}/").status_code == 404
    assert api.post(f"/api/v1/alerts/{pk}/resolve/", {"note": "x"}).status_code == 404


@pytest.mark.parametrize("persona", ALL)
def test_review_api_recompute_matrix(request, api, account_a, persona):
    api_login(api, request.getfixturevalue(persona))
    expected = {"member_b": 404, "admin_a": 403, "member_a": 403, "product_manager": 403}
    response = api.post("/api/v1/engagement/recompute/", {"account": "acme"}, format="json")
    assert response.status_code == expected.get(persona, 202)


@pytest.mark.parametrize("persona", ALL)
def test_review_api_offline_event_matrix(request, api, account_a, persona):
    api_login(api, request.getfixturevalue(persona))
    expected = {"member_b": 404, "admin_a": 403, "member_a": 403, "product_manager": 403}
    body = {"kind": ActivityKind.WORKSHOP_ATTENDED, "occurred_on": str(timezone.localdate())}
    response = api.post("/api/v1/accounts/acme/offline-events/", body, format="json")
    assert response.status_code == expected.get(persona, 201)


@pytest.mark.parametrize("persona", ALL)
def test_review_api_outcome_create_matrix(request, api, account_a, persona):
    api_login(api, request.getfixturevalue(persona))
    expected = {
        "member_b": 403,  # customers: 403 on every outcome route (the route is not per account)
        "admin_a": 403,
        "member_a": 403,
        "product_manager": 403,
    }
    body = {"account": "acme", "kind": "renewed", "occurred_on": "2026-01-15"}
    response = api.post("/api/v1/outcomes/", body, format="json")
    assert response.status_code in ((expected[persona],) if persona in expected else (201,)) or (
        persona == "member_b" and response.status_code == 404
    )


def test_review_api_outcome_mass_assignment_to_foreign_account_refused(
    api, account_manager_a, account_b
):
    api_login(api, account_manager_a)
    body = {"account": "globex", "kind": "renewed", "occurred_on": "2026-01-15"}
    response = api.post("/api/v1/outcomes/", body, format="json")
    assert response.status_code == 404
    assert not LoyaltyOutcome.objects.filter(account=account_b).exists()


def test_review_api_offline_event_body_cannot_retarget_account(
    api, account_manager_a, account_a, account_b
):
    api_login(api, account_manager_a)
    body = {
        "account": "globex",
        "kind": ActivityKind.WORKSHOP_ATTENDED,
        "occurred_on": str(timezone.localdate()),
    }
    response = api.post("/api/v1/accounts/acme/offline-events/", body, format="json")
    assert response.status_code == 201
    assert response.json()["account"] == "acme"
    assert not ActivityEvent.objects.filter(account=account_b).exists()
    response = api.post("/api/v1/accounts/globex/offline-events/", body, format="json")
    assert response.status_code == 404


def test_review_api_lists_filtered_by_foreign_account_are_404_not_500(
    api, account_manager_a, world
):
    api_login(api, account_manager_a)
    response = api.get("/api/v1/alerts/?account=globex&state=all")
    assert response.status_code == 404  # as the account itself (test_foreign_account_filters.py)
    response = api.get("/api/v1/outcomes/?account=globex")
    assert response.status_code == 404


def test_review_api_lists_only_assigned_accounts(api, account_manager_a, world):
    api_login(api, account_manager_a)
    alerts = api.get("/api/v1/alerts/?state=all").json()["results"]
    assert {a["account"] for a in alerts} == {"acme"}
    outcomes = api.get("/api/v1/outcomes/").json()["results"]
    assert {o["account"] for o in outcomes} == {"acme"}


def test_review_api_customer_admin_engagement_has_no_internal_details(api, admin_a, account_a):
    ActivityEvent.objects.create(
        account=account_a,
        kind=ActivityKind.WORKSHOP_ATTENDED,
        occurred_at=timezone.now() - dt.timedelta(days=1),
        is_support=True,
    )
    api_login(api, admin_a)
    body = api.get("/api/v1/accounts/acme/engagement/").json()
    # "change" says how many of the account's own customer events moved the score (support
    # events are the account team's: not counted, not named)
    assert set(body) <= {
        "account",
        "snapshot",
        "components",
        "change",
        "next_level",
        "trend",
        "suggestions",
    }
    assert "workshop" not in str(body).lower()


# --- Webhook secrets ----------------------------------------------------------------------------


def test_review_webhook_secrets_never_listed(api, client_for, programme_admin):
    endpoint = webhook_endpoint_create(
        url="https://hooks.example/x", description="CRM", created_by=programme_admin
    )
    secret = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    assert secret
    api_login(api, programme_admin)
    response = api.get("/api/v1/webhooks/")
    assert response.status_code == 200
    assert secret not in response.content.decode()
    assert all("secret" not in row for row in response.json())
    page = client_for(programme_admin).get(reverse("community:webhooks"))
    assert page.status_code == 200
    assert secret not in page.content.decode()


@pytest.mark.parametrize("persona", ALL[:-1])
def test_review_webhook_writes_refused_for_non_admins(
    request, client_for, programme_admin, persona
):
    endpoint = webhook_endpoint_create(url="https://hooks.example/x", created_by=programme_admin)
    before = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    client = client_for(request.getfixturevalue(persona))
    assert client.post(reverse("community:webhook-rotate", args=[endpoint.pk])).status_code == 403
    url = reverse("community:webhook-deactivate", args=[endpoint.pk])
    assert client.post(url).status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.secret == before and endpoint.active


# --- More routes: imports, alert e-mail choice, delivery retry, HTML lists ---------------------


@pytest.mark.parametrize("persona", ALL[:-1])
def test_review_import_pages_are_for_programme_admins_only(
    request, client_for, api, programme_admin, persona
):
    from community.models import ImportBatch

    batch = ImportBatch.objects.create(
        kind="outcomes",
        status="rejected",
        file_name="x.csv",
        errors=[{"row": 2, "column": "account", "problem": "No such account: globex."}],
        uploaded_by=programme_admin,
    )
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("community:import-detail", args=[batch.pk])).status_code == 403
    assert client.get(reverse("community:import-errors", args=[batch.pk])).status_code == 403
    api_login(api, request.getfixturevalue(persona))
    assert api.post("/api/v1/imports/", {}, format="multipart").status_code == 403


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
def test_review_customers_cannot_choose_alert_emails(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    response = client.post(reverse("community:alert-subscription"), {"daily_digest": "on"})
    assert response.status_code == 403


@pytest.mark.parametrize("persona", ALL[:-1])
def test_review_webhook_delivery_retry_refused_for_non_admins(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("community:webhook-delivery-retry", args=[999999])
    assert client.post(url).status_code == 403  # 403 before the lookup: no existence oracle


def test_review_html_lists_of_account_manager_hide_account_b(client_for, account_manager_a, world):
    client = client_for(account_manager_a)
    for name in ("portfolio", "alert-inbox", "outcome-list"):
        response = client.get(
            reverse(f"community:{name}") + ("?state=all" if "alert" in name else "")
        )
        assert response.status_code == 200, name
        assert b"Globex" not in response.content, name
        assert b"Acme" in response.content, name


def test_review_api_engagement_of_a_for_admin_of_b_is_404(api, admin_b, account_a):
    api_login(api, admin_b)
    assert api.get("/api/v1/accounts/acme/engagement/").status_code == 404
    assert api.get("/api/v1/accounts/acme/engagement/history/").status_code == 404


def test_review_recompute_of_every_account_is_for_programme_admins(
    api, account_manager_a, product_manager, admin_a
):
    for user in (account_manager_a, product_manager, admin_a):
        api_login(api, user)
        response = api.post("/api/v1/engagement/recompute/", {"account": None}, format="json")
        assert response.status_code == 403, user.email


def test_review_alert_digest_only_has_visible_alerts(account_manager_a, world, mailoutbox):
    from community.services.alerts import alert_digests_send, alert_subscription_set

    alert_subscription_set(user=account_manager_a, daily_digest=True)
    Alert.objects.update(raised_at=timezone.now())  # raised after the digest was chosen
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        alert_digests_send()
    assert len(mailoutbox) == 1
    assert "Acme" in mailoutbox[0].body
    assert "Globex" not in mailoutbox[0].body


def test_review_nav_open_alert_count_counts_only_visible_alerts(
    client_for, account_manager_a, world
):
    response = client_for(account_manager_a).get(reverse("community:home"))
    assert response.status_code == 200
    assert nav_count(response.content, "Alerts") == 1


def test_review_outcome_filter_for_own_account_works_for_pm(api, product_manager, world):
    api_login(api, product_manager)
    response = api.get("/api/v1/outcomes/?account=acme")
    assert response.status_code == 200
    assert {o["account"] for o in response.json()["results"]} == {"acme"}
