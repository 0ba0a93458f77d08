"""The programme admin's webhook settings page (/settings/webhooks/) and the API
(/api/v1/webhooks/, /api/v1/webhooks/deliveries/): only programme admins (others 403,
anonymous: login redirect or 401), the secret shown once, clear errors on bad input, and
lists with a constant query count."""

from __future__ import annotations

import pytest
from django.urls import reverse

from community.models import (
    Alert,
    AlertReason,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
)
from community.services import webhook_events, webhooks
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_error, api_login

pytestmark = pytest.mark.django_db

PAGE = "/settings/webhooks/"
API = "/api/v1/webhooks/"
API_DELIVERIES = "/api/v1/webhooks/deliveries/"
OTHERS = ["member_a", "admin_a", "member_b", "account_manager_a", "product_manager"]


def _endpoint(user, url="https://hooks.example.com/garden", **fields) -> WebhookEndpoint:
    return webhooks.webhook_endpoint_create(url=url, created_by=user, **fields)


def _delivery(endpoint, *, status=WebhookDeliveryStatus.PENDING, account=None) -> WebhookDelivery:
    alert = Alert.objects.create(
        account=account or AccountFactory(), reason=AlertReason.SCORE_FELL, details={}
    )
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        alert=alert,
        subject=str(alert.pk),
        summary=f"{alert.account.name}: {alert.get_reason_display()}",
        event="alert.raised",
        payload=webhook_events.alert_payload(alert),
        status=status,
        attempts=6 if status == WebhookDeliveryStatus.FAILED else 0,
    )


def _rows() -> list[tuple]:
    return sorted(WebhookEndpoint.objects.values_list("url", "secret", "active"))


# --- The page: who may use it ----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, programme_admin):
    endpoint = _endpoint(programme_admin)
    before = _rows()

    responses = [
        client.get(PAGE),
        client.post(PAGE, {"url": "https://x.example.com/"}),
        client.post(reverse("community:webhook-deactivate", args=[endpoint.pk])),
    ]

    assert [r.status_code for r in responses] == [302, 302, 302]
    assert all("/login" in r["Location"] for r in responses)
    assert _rows() == before


@pytest.mark.parametrize("persona", OTHERS)
def test_everyone_but_programme_admins_gets_403(request, client_for, programme_admin, persona):
    endpoint = _endpoint(programme_admin)
    delivery = _delivery(endpoint, status=WebhookDeliveryStatus.FAILED)
    before = _rows()
    client = client_for(request.getfixturevalue(persona))

    responses = [
        client.get(PAGE),
        client.post(PAGE, {"url": "https://x.example.com/"}),
        client.post(reverse("community:webhook-rotate", args=[endpoint.pk])),
        client.post(reverse("community:webhook-deactivate", args=[endpoint.pk])),
        client.post(reverse("community:webhook-delivery-retry", args=[delivery.pk])),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert endpoint.secret not in b"".join(r.content for r in responses).decode()
    assert _rows() == before
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.FAILED


def test_an_unknown_endpoint_or_delivery_is_404(client_for, programme_admin):
    client = client_for(programme_admin)

    assert client.post(reverse("community:webhook-deactivate", args=[999])).status_code == 404
    assert client.post(reverse("community:webhook-delivery-retry", args=[999])).status_code == 404


# --- The page: endpoints ---------------------------------------------------------------------


def test_a_programme_admin_adds_an_endpoint_and_sees_its_secret_once(client_for, programme_admin):
    client = client_for(programme_admin)

    response = client.post(
        PAGE, {"url": "https://hooks.example.com/garden", "description": "Ops channel"}
    )

    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.description, endpoint.active, endpoint.created_by) == (
        "https://hooks.example.com/garden",
        "Ops channel",
        True,
        programme_admin,
    )
    assert endpoint.secret in response.content.decode()
    later = client.get(PAGE)
    assert later.status_code == 200
    assert "https://hooks.example.com/garden" in later.content.decode()
    assert endpoint.secret not in later.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"url": ""}, "This field is required."),
        ({"url": "not a url"}, "Enter a valid URL"),
        ({"url": "http://hooks.example.com/"}, "Use an https:// URL"),
        ({"url": "https://hooks.example.com/", "description": "x" * 201}, "at most 200"),
    ],
)
def test_a_bad_endpoint_gets_a_clear_error_and_saves_nothing(
    client_for, programme_admin, data, message
):
    response = client_for(programme_admin).post(PAGE, data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert WebhookEndpoint.objects.count() == 0


def test_rotating_shows_the_new_secret_once(client_for, programme_admin):
    endpoint = _endpoint(programme_admin)
    old = endpoint.secret

    response = client_for(programme_admin).post(
        reverse("community:webhook-rotate", args=[endpoint.pk])
    )

    endpoint.refresh_from_db()
    assert response.status_code == 200
    assert endpoint.secret != old
    assert endpoint.secret in response.content.decode()


def test_deactivating_an_endpoint(client_for, programme_admin):
    endpoint = _endpoint(programme_admin)

    response = client_for(programme_admin).post(
        reverse("community:webhook-deactivate", args=[endpoint.pk])
    )

    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().active is False


# --- The page: delivery log ------------------------------------------------------------------


def test_the_log_filters_by_status_and_endpoint(client_for, programme_admin):
    one = _endpoint(programme_admin)
    two = _endpoint(programme_admin, url="https://other.example.com/")
    failed = _delivery(
        one, status=WebhookDeliveryStatus.FAILED, account=AccountFactory(name="Failco")
    )
    _delivery(one, account=AccountFactory(name="Pendco"))
    _delivery(two, status=WebhookDeliveryStatus.FAILED, account=AccountFactory(name="Twoco"))
    client = client_for(programme_admin)

    page = client.get(PAGE, {"status": "failed", "endpoint": one.pk}).content.decode()

    assert "Failco" in page
    assert "Pendco" not in page and "Twoco" not in page
    assert reverse("community:webhook-delivery-retry", args=[failed.pk]) in page


def test_a_bad_filter_is_ignored(client_for, programme_admin):
    response = client_for(programme_admin).get(PAGE, {"status": "nope", "endpoint": "x"})

    assert response.status_code == 200


def test_retry_now_puts_a_failed_delivery_back_in_the_queue(
    client_for, programme_admin, django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(
        "community.tasks.webhook_deliver_task.apply_async",
        lambda args, kwargs, **options: sent.append(*args),
    )
    delivery = _delivery(_endpoint(programme_admin), status=WebhookDeliveryStatus.FAILED)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(programme_admin).post(
            reverse("community:webhook-delivery-retry", args=[delivery.pk])
        )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert sent == [delivery.pk]


def test_retry_now_refuses_a_delivery_that_did_not_fail(client_for, programme_admin):
    delivery = _delivery(_endpoint(programme_admin))

    response = client_for(programme_admin).post(
        reverse("community:webhook-delivery-retry", args=[delivery.pk]), follow=True
    )

    assert "Only a failed delivery can be retried." in response.content.decode()
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.PENDING


def test_the_page_takes_the_same_queries_for_few_and_many_deliveries(
    client_for, programme_admin, django_assert_num_queries
):
    client = client_for(programme_admin)
    for count in (1, 15):
        endpoint = _endpoint(programme_admin, url=f"https://h{count}.example.com/")
        for _ in range(count):
            _delivery(endpoint, status=WebhookDeliveryStatus.FAILED)
        # session; user; permissions, own and groups' (programme admin?); the deliveries'
        # count; the base template's membership, unread counts and groups (3); the filter's
        # endpoint choices; the endpoints with their delivery counts; the page of deliveries
        # with endpoints, alerts and accounts
        with django_assert_num_queries(9):
            assert client.get(PAGE).status_code == 200


# --- API -------------------------------------------------------------------------------------


def test_api_anonymous_callers_get_401(api):
    assert api.get(API).status_code == 401
    assert api.post(API, {"url": "https://x.example.com/"}).status_code == 401
    assert api.get(API_DELIVERIES).status_code == 401
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("persona", OTHERS)
def test_api_everyone_but_programme_admins_gets_403(request, api, persona):
    api_login(api, request.getfixturevalue(persona))

    responses = [
        api.get(API),
        api.post(API, {"url": "https://x.example.com/"}),
        api.get(API_DELIVERIES),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert WebhookEndpoint.objects.count() == 0


def test_api_creates_an_endpoint_and_returns_its_secret_once(api, programme_admin):
    api_login(api, programme_admin)

    response = api.post(API, {"url": "https://hooks.example.com/g", "description": "Ops"})
    listed = api.get(API)

    assert response.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert response.json()["secret"] == endpoint.secret
    assert response.json()["url"] == endpoint.url == "https://hooks.example.com/g"
    assert listed.status_code == 200
    assert [e["url"] for e in listed.json()] == ["https://hooks.example.com/g"]
    assert "secret" not in listed.json()[0]


def test_api_rejects_a_plain_http_url_with_a_field_error(api, programme_admin):
    api_login(api, programme_admin)

    response = api.post(API, {"url": "http://hooks.example.com/"})

    assert response.status_code == 400
    error = api_error(response)
    assert error["attr"] == "url"
    assert "https://" in error["detail"]
    assert WebhookEndpoint.objects.count() == 0


def test_api_lists_deliveries_with_filters(api, programme_admin):
    one = _endpoint(programme_admin)
    two = _endpoint(programme_admin, url="https://other.example.com/")
    failed = _delivery(one, status=WebhookDeliveryStatus.FAILED)
    _delivery(one)
    _delivery(two, status=WebhookDeliveryStatus.FAILED)
    api_login(api, programme_admin)

    response = api.get(API_DELIVERIES, {"status": "failed", "endpoint": one.pk})
    bad = api.get(API_DELIVERIES, {"status": "nope"})

    assert response.status_code == 200
    assert [d["id"] for d in response.json()["results"]] == [failed.pk]
    assert response.json()["results"][0]["payload"]["event"] == "alert.raised"
    assert bad.status_code == 400
    assert api_error(bad)["attr"] == "status"


def test_api_lists_take_the_same_queries_for_few_and_many_rows(
    api, programme_admin, django_assert_num_queries
):
    for count in (1, 15):
        endpoint = _endpoint(programme_admin, url=f"https://h{count}.example.com/")
        for _ in range(count):
            _delivery(endpoint)
        api_login(api, programme_admin)
        # permissions, own and groups' (programme admin?); the endpoints with their creators
        # and delivery counts
        with django_assert_num_queries(2):
            assert api.get(API).status_code == 200
        api_login(api, programme_admin)
        # permissions, own and groups'; the page of deliveries (not full: it tells the count)
        with django_assert_num_queries(2):
            assert api.get(API_DELIVERIES).status_code == 200
