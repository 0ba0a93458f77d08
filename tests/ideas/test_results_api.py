"""GET /api/v1/pilots/<id>/results/: the same readers as the results page, bad input, the query
count and the schema. The figures themselves: tests/ideas/test_results_figures.py."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from django.contrib.auth.models import Permission

from accounts.models import Segment
from ideas.models import FeedbackResponse, PilotState
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_error, api_login
from tests.ideas.factories import PilotFactory, final_answered

AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _url(pilot) -> str:
    return f"/api/v1/pilots/{pilot.pk}/results/"


@pytest.fixture
def pilot(account_a, account_b):
    """A running pilot of account A only, with one submitted response carrying a verbatim."""
    pilot = PilotFactory(accounts=[account_a], state=PilotState.RUNNING)
    final_answered(
        pilot, account_a, at=AT, name="Alma", recommend=9, unmet="The export button was hidden."
    )
    return pilot


def _responses(pilot) -> int:
    return FeedbackResponse.objects.filter(check_in__pilot=pilot).count()


# --- Who may read ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_read_the_results(api, request, persona, pilot):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(_url(pilot))

    assert response.status_code == 200
    body = response.json()
    assert body["pilot"] == pilot.pk
    assert body["overall"]["nps"]["score"] == 100
    assert body["verbatims"][0]["text"] == "The export button was hidden."


def test_anonymous_callers_get_401(api, pilot):
    response = api.get(_url(pilot))

    assert response.status_code == 401
    assert api_error(response)["code"] == "not_authenticated"


def test_a_member_of_an_account_not_invited_gets_404(api, member_b, pilot):
    api_login(api, member_b)

    response = api.get(_url(pilot))

    assert response.status_code == 404
    assert api_error(response) == {
        "type": "client_error",
        "code": "not_found",
        "detail": "No such pilot.",
        "attr": None,
    }


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a"])
def test_customers_of_an_invited_account_and_account_managers_get_403(api, request, persona, pilot):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(_url(pilot))

    assert response.status_code == 403
    assert api_error(response)["detail"] == "Pilot results are for product managers."
    assert "export button" not in response.content.decode()


def test_verbatims_never_reach_a_customer_even_one_given_the_results_permission(
    api, member_a, pilot
):
    member_a.user_permissions.add(Permission.objects.get(codename="view_pilot_results"))
    api_login(api, member_a)

    response = api.get(_url(pilot))

    assert response.status_code == 200
    assert response.json()["verbatims"] == []
    assert "export button" not in response.content.decode()


# --- Bad input -------------------------------------------------------------------------------


def test_an_unknown_split_is_a_field_error(api, product_manager, pilot):
    api_login(api, product_manager)

    response = api.get(_url(pilot), {"split": "country"})

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid_choice",
        "detail": '"country" is not a valid choice.',
        "attr": "split",
    }


def test_an_outsider_with_a_bad_split_still_learns_nothing(api, member_b, pilot):
    api_login(api, member_b)

    assert api.get(_url(pilot), {"split": "country"}).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_results_are_read_only(api, product_manager, pilot, method):
    api_login(api, product_manager)

    response = getattr(api, method)(_url(pilot), {"split": "segment"})

    assert response.status_code == 405
    assert _responses(pilot) == 1


def test_an_unknown_pilot_is_a_404(api, product_manager, db):
    api_login(api, product_manager)

    assert api.get("/api/v1/pilots/999999/results/").status_code == 404
    assert api.get("/api/v1/pilots/abc/results/").status_code == 404


def test_a_pilot_without_responses_answers_with_empty_figures(api, product_manager, account_a):
    api_login(api, product_manager)
    empty = PilotFactory(accounts=[account_a])

    body = api.get(_url(empty)).json()

    assert body["overall"]["too_small"] is True
    assert body["overall"]["nps"]["score"] is None
    assert body["overall"]["response_rate"] == {
        "answered": 0,
        "due": 0,
        "percent": None,
        "text": "no check-in due yet",
    }
    assert body["overall"]["dimensions"][0]["gap_interval"] is None


# --- Query count -------------------------------------------------------------------------------


@pytest.mark.parametrize("responses", [5, 50])
@pytest.mark.parametrize("split", ["", "segment", "level"])
def test_the_results_run_the_same_queries_whatever_the_number_of_responses(
    api, product_manager, django_assert_num_queries, responses, split
):
    acme = AccountFactory(name="Acme", segment=Segment.ENTERPRISE)
    globex = AccountFactory(name="Globex", segment=Segment.SMB)
    pilot = PilotFactory(accounts=[acme, globex], state=PilotState.RUNNING)
    for i in range(responses):
        final_answered(
            pilot,
            acme if i % 2 else globex,
            name=f"Member {i}",
            at=AT,
            experienced={"useful": 1 + i % 7},
            sacrifice={"useful": i % 7},
            recommend=i % 11,
            better=f"Idea number {i}",
        )
    api_login(api, product_manager)

    # 1 the figures' version (config.figures_version; none here: the test's transaction wrote),
    # 2 the user's customer membership (none), 3 the pilot with its idea, 4 the user's
    # permissions (own and groups'), 5 check-ins, 6 enrolments (with split=level, each
    # account's level when the pilot started, in the same query), 7 dimensions, 8 submitted
    # responses with all their answers.
    with django_assert_num_queries(8):
        response = api.get(_url(pilot), {"split": split} if split else {})

    assert response.status_code == 200
    assert len(response.json()["verbatims"]) == responses


# --- Schema ------------------------------------------------------------------------------------


def test_the_schema_documents_the_endpoint_its_split_and_its_figures(api, product_manager):
    api_login(api, product_manager)

    schema = yaml.safe_load(api.get("/api/schema/").content)

    operation = schema["paths"]["/api/v1/pilots/{id}/results/"]["get"]
    split = next(p for p in operation["parameters"] if p["name"] == "split")
    assert split["in"] == "query"
    assert set(operation["responses"]) >= {"200", "400", "401", "403", "404"}
    figures = schema["components"]["schemas"]["DimensionResult"]["properties"]
    assert {"gap_mean", "gap_interval", "met_percent", "perceived_mean"} <= set(figures)
    rate = schema["components"]["schemas"]["ResponseRate"]["properties"]
    assert {"answered", "due", "percent", "text"} <= set(rate)
