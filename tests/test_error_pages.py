"""Error pages: 400, 403, 404, 429 and 500 show inside the frame (the main navigation of
base.html) with a way back, for visitors and signed-in people; the API answers its one JSON
error format for the same statuses, also outside DRF's views. pytest-django runs with
DEBUG False, as production does, so the handlers of config/urls.py answer here."""

from __future__ import annotations

import json

import pytest
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import Client, RequestFactory

from config.errors import server_error

FRAME = '<nav aria-label="Main"'
WAYS_BACK = '<nav aria-label="Ways back">'


def _framed(response, status: int) -> str:
    text = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert FRAME in text, "the error page lost the frame"
    assert WAYS_BACK in text
    assert f'data-status="{status}"' in text
    return text


def _api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["errors"][0]["code"] == code
    return body


def test_the_tests_run_as_production_does_without_debug():
    assert settings.DEBUG is False


@pytest.mark.django_db
def test_a_member_refused_a_page_reads_why_inside_the_frame_with_a_way_home(client, member_a):
    client.force_login(member_a)
    text = _framed(client.get("/ideas/board/", HTTP_REFERER="http://testserver/ideas/"), 403)
    assert "The pipeline board is for product managers and programme admins." in text
    assert 'href="http://testserver/ideas/">Back to the previous page' in text
    assert 'href="/">Go to your home page' in text
    assert "Log in" not in text


@pytest.mark.django_db
def test_a_refusal_raised_without_a_reason_shows_none(rf, member_a):
    from django.core.exceptions import PermissionDenied

    from config.errors import permission_denied

    request = rf.get("/somewhere/")
    request.user = member_a
    text = permission_denied(request, PermissionDenied()).content.decode()
    assert 'class="error-reason"' not in text
    assert "needs a permission you do not have" in text


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_a_missing_page_keeps_the_frame_and_never_shows_the_exception(client, member_a, signed_in):
    if signed_in:
        client.force_login(member_a)
    text = _framed(client.get("/ideas/999999/" if signed_in else "/no-such-page/"), 404)
    assert "We could not find this page" in text
    assert "matches the given query" not in text
    if signed_in:
        assert "Go to your home page" in text
    else:
        assert 'href="/login/?next=/no-such-page/">Log in' in text


@pytest.mark.django_db
def test_a_referer_from_another_site_is_no_way_back(client):
    text = _framed(client.get("/no-such-page/", HTTP_REFERER="https://evil.example/x"), 404)
    assert "evil.example" not in text
    assert "Back to the previous page" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_a_bad_request_keeps_the_frame(client, member_a, signed_in):
    if signed_in:
        client.force_login(member_a)
    text = _framed(client.get("/ideas/", {"q": "a\x00b"}), 400)
    assert "Null characters are not allowed." in text


@pytest.mark.django_db
def test_a_request_for_another_host_gets_the_framed_400(client):
    _framed(client.get("/", HTTP_HOST="not-ours.invalid"), 400)


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_an_unexpected_error_shows_the_framed_500_page(member_a, signed_in):
    client = Client(raise_request_exception=False)
    if signed_in:
        client.force_login(member_a)
    text = _framed(client.get("/broken/"), 500)
    assert "Something went wrong on our side" in text
    assert 'href="/">Go to the home page' in text


def test_the_500_page_needs_no_database_nor_request_context():
    """No `db` fixture: pytest-django fails any query made here."""
    response = server_error(RequestFactory().get("/anything/"))
    _framed(response, 500)


@pytest.mark.django_db
def test_a_form_sent_with_a_stale_token_explains_what_to_do(member_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_a)
    text = _framed(client.post("/ideas/new/", {"title": "x"}), 403)
    assert "This form could not be sent" in text
    assert "reload the page" in text


def _request_with_messages(path: str):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
def test_a_rate_limited_login_step_shows_the_framed_429():
    _framed(respond_429(_request_with_messages("/auth/2fa/authenticate/")), 429)


@pytest.mark.django_db
def test_a_locked_login_shows_inside_the_frame(client, member_a, settings):
    settings.AXES_FAILURE_LIMIT = 1
    client.post("/login/", {"username": member_a.email, "password": "wrong"})
    response = client.post("/login/", {"username": member_a.email, "password": "wrong"})
    assert response.status_code == 429
    assert FRAME in response.content.decode()
    assert "This login is locked for a while" in response.content.decode()


# --- The API: JSON for every status, also outside DRF's views --------------------------------


@pytest.mark.django_db
def test_the_api_answers_json_for_a_route_that_does_not_exist(client):
    _api_error(client.get("/api/v1/no-such-thing/"), 404, "not_found")


@pytest.mark.django_db
@pytest.mark.urls("tests.error_urls")
def test_the_api_answers_json_for_an_unexpected_error_and_a_plain_refusal():
    client = Client(raise_request_exception=False)
    body = _api_error(client.get("/api/v1/broken/"), 500, "error")
    assert body["type"] == "server_error"
    assert "a bug" not in str(body)
    _api_error(client.get("/api/v1/refused/"), 403, "permission_denied")


@pytest.mark.django_db
def test_the_api_answers_json_for_a_bad_request(client):
    _api_error(client.get("/api/v1/ideas/", {"q": "a\x00b"}), 400, "null_characters_not_allowed")
    _api_error(client.get("/api/v1/ideas/", HTTP_HOST="not-ours.invalid"), 400, "bad_request")


@pytest.mark.django_db
def test_the_api_refuses_a_drf_view_in_json(api, member_a):
    api.force_authenticate(member_a)
    response = api.get("/api/v1/accounts/globex-none/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_csrf_failure_under_the_api_answers_json():
    from config.errors import csrf_failure

    body = _api_error(
        csrf_failure(RequestFactory().post("/api/v1/ideas/")), 403, "permission_denied"
    )
    assert "CSRF" in body["errors"][0]["detail"]


def test_scim_urls_get_scims_error_document():
    from config.errors import page_not_found

    response = page_not_found(RequestFactory().get("/scim/v2/Nothing"), Exception("x"))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/scim+json"
    assert json.loads(response.content)["status"] == "404"


@pytest.mark.django_db
def test_an_actions_address_opened_as_a_page_keeps_the_frame(client, member_a):
    client.force_login(member_a)
    response = client.get("/logout/")
    _framed(response, 405)
    assert "POST" in response["Allow"]
    assert "This address is an action, not a page" in response.content.decode()


@pytest.mark.django_db
def test_an_htmx_request_to_an_actions_address_keeps_djangos_empty_405(client, member_a):
    client.force_login(member_a)
    response = client.get("/logout/", headers={"HX-Request": "true"})
    assert response.status_code == 405
    assert response.content == b""
