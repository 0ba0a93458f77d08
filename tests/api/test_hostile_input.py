"""Regression tests for what schemathesis found (the fuzz run itself is in
test_fuzz_schemathesis.py): hostile input is a 4xx in the API's one error format, never a 5xx."""

from __future__ import annotations

import io
import json

import pytest
from rest_framework.exceptions import ParseError

from config.parsers import JSONParser
from tests.api_helpers import api_error, api_login


@pytest.fixture
def pm_api(api, product_manager):
    api_login(api, product_manager)
    return api


def test_a_nul_in_a_query_parameter_is_a_400_naming_the_parameter(pm_api):
    response = pm_api.get("/api/v1/ideas/", {"search": "gar\x00den"})

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "null_characters_not_allowed",
        "detail": "Null characters are not allowed.",
        "attr": "search",
    }


def test_a_nul_in_the_path_is_a_400_not_a_failing_query(pm_api):
    response = pm_api.get("/api/v1/gardens/gar%00den/")

    assert response.status_code == 400
    assert api_error(response)["code"] == "null_characters_not_allowed"


def test_a_nul_in_a_page_outside_the_api_is_a_plain_400(client):
    response = client.get("/login/", {"next": "/\x00"})

    assert response.status_code == 400


def test_a_nul_in_a_json_string_field_is_a_400(pm_api):
    body = {"garden": "g", "title": "gar\x00den", "body": "text"}

    response = pm_api.post("/api/v1/threads/", body, format="json")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"q1": "gar\x00den"}},  # a JSON field's value: jsonb stores no NUL either
        {"answers": {"q\x00": 1}},
        {"links": [{"a": ["\x00"]}]},
    ],
)
def test_the_json_parser_refuses_a_nul_anywhere_in_the_body(body):
    stream = io.BytesIO(json.dumps(body).encode())

    with pytest.raises(ParseError):
        JSONParser().parse(stream, "application/json", {})


def test_the_json_parser_reads_a_body_without_nul():
    stream = io.BytesIO(json.dumps({"answers": {"q1": "fine", "q2": [1, None]}}).encode())

    assert JSONParser().parse(stream, "application/json", {}) == {
        "answers": {"q1": "fine", "q2": [1, None]}
    }


@pytest.mark.parametrize("page_size", ["null", "0", "-1", "1.5", "٣"])
def test_a_page_size_that_is_no_positive_whole_number_is_a_400(pm_api, page_size):
    response = pm_api.get("/api/v1/accounts/", {"page_size": page_size})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "page_size"


def test_a_large_page_size_is_capped(pm_api, account_a):
    response = pm_api.get("/api/v1/accounts/", {"page_size": "100000"})

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_huge_page_number_is_a_json_404(pm_api):
    response = pm_api.get("/api/v1/accounts/", {"page": "99999999999"})

    assert response.status_code == 404
    assert api_error(response)["code"] == "not_found"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/posts/null,null/",  # was a 500: the id reached the query as text
        "/api/v1/threads/abc/",  # likewise
        "/api/v1/account-teams/0.5/",  # was Django's HTML 404 page
        "/api/v1/no-such-thing/",
    ],
)
def test_an_api_url_matching_no_object_or_route_is_a_json_404(pm_api, path):
    response = pm_api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert api_error(response)["code"] == "not_found"


def test_a_page_url_matching_no_route_is_still_an_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_boolean_filter_that_is_no_boolean_is_a_400(pm_api):
    response = pm_api.get("/api/v1/notifications/", {"unread": "maybe"})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "unread"


@pytest.mark.parametrize("value", ["true", "false", "1", "0", ""])
def test_a_boolean_filter_takes_true_false_or_nothing(pm_api, value):
    assert pm_api.get("/api/v1/notifications/", {"unread": value}).status_code == 200
