"""The pilot effect's page, API and CSV: who may read them (outsiders 404, customers and internal
users without the results permission 403), what they say ("too few to say" under the minimum
sample, the same figures on the page and in the API), the CSV's rows, the link from the
results page, and a query count that does not grow with the accounts. The figures themselves:
tests/ideas/test_pilot_effect.py."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.api_helpers import api_error, api_login
from tests.ideas.factories import enrolled, running_pilot
from tests.ideas.pilot_effect_world import PanelAccount, closed_pilot, panel_build

pytestmark = pytest.mark.django_db


def _specs(pairs: int) -> list[PanelAccount]:
    """`pairs` participants whose scores rose by 10 ± 2 points and as many others by 0 ± 1."""
    specs = []
    for i in range(pairs):
        specs.append(PanelAccount(f"Part {i:02d}", True, [40 + i, 41 + i], [50 + i + i % 3] * 2))
        specs.append(PanelAccount(f"Other {i:02d}", False, [40 + i, 41 + i], [40 + i + i % 2] * 2))
    return specs


def _pilot_with(account_a, member_a, pairs: int):
    """A closed pilot that ended 100 days ago (the 12 months after have not passed), account A
    invited and taking part (without scores: listed without a match), and `pairs` matched
    pairs."""
    today = timezone.localdate()
    pilot = closed_pilot(
        runs_from=today - dt.timedelta(days=130),
        runs_until=today - dt.timedelta(days=100),
        accounts=[account_a],
    )
    enrolled(pilot, member_a)
    return pilot, panel_build(pilot, _specs(pairs))


@pytest.fixture
def pilot(account_a, member_a):
    return _pilot_with(account_a, member_a, 6)[0]


def _page(pilot) -> str:
    return f"/pilots/{pilot.pk}/effect/"


def _csv_url(pilot) -> str:
    return f"/pilots/{pilot.pk}/effect/accounts.csv"


def _api(pilot) -> str:
    return f"/api/v1/pilots/{pilot.pk}/effect/"


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Who may read it ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_read_the_effect(client_for, request, persona, pilot):
    response = client_for(request.getfixturevalue(persona)).get(_page(pilot))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Participants&#x27; scores rose" in body
    assert "Part 00" in body and "Other 00" in body


@pytest.mark.parametrize("url", [_page, _csv_url])
def test_an_anonymous_visitor_is_sent_to_the_login(client, pilot, url):
    response = client.get(url(pilot))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", [_page, _csv_url])
@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_another_accounts_customers_get_404(client_for, request, persona, pilot, url):
    response = client_for(request.getfixturevalue(persona)).get(url(pilot))

    assert response.status_code == 404
    assert "Part 00" not in response.content.decode()


@pytest.mark.parametrize("url", [_page, _csv_url])
@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a"])
def test_the_invited_accounts_customers_and_account_managers_get_403(
    client_for, request, persona, pilot, url
):
    response = client_for(request.getfixturevalue(persona)).get(url(pilot))

    assert response.status_code == 403
    assert "Part 00" not in response.content.decode()


def test_the_api_answers_outsiders_as_the_access_helpers_say(api, pilot, member_b, member_a):
    assert api.get(_api(pilot)).status_code == 401
    api_login(api, member_b)
    response = api.get(_api(pilot))
    assert response.status_code == 404
    assert api_error(response)["detail"] == "No such pilot."
    api_login(api, member_a)
    response = api.get(_api(pilot))
    assert response.status_code == 403
    assert api_error(response)["detail"] == "Pilot results are for product managers."


def test_an_unknown_pilot_is_a_404(api, product_manager):
    api_login(api, product_manager)

    assert api.get("/api/v1/pilots/999999/effect/").status_code == 404


# --- What it says ------------------------------------------------------------------------------


def test_the_api_gives_the_pages_figures_and_sample_sizes(api, client_for, product_manager, pilot):
    api_login(api, product_manager)

    body = api.get(_api(pilot)).json()
    page = client_for(product_manager).get(_page(pilot)).context["effect"]

    score = next(f for f in body["figures"] if f["key"] == "score")
    assert score["too_few"] is False
    assert (score["participants_n"], score["matched_n"]) == (6, 6)
    assert (score["estimate"], score["low"], score["high"]) == (
        page.figure("score").estimate,
        page.figure("score").low,
        page.figure("score").high,
    )
    assert score["low"] > 0
    renewal = next(f for f in body["figures"] if f["key"] == "renewal")
    assert renewal["too_few"] is True and renewal["estimate"] is None
    assert body["reading"] == page.reading
    assert body["reading"].endswith("; too few renewals yet to say.")
    assert len(body["pairs"]) == 7  # six pairs and account A without a match
    unmatched = next(p for p in body["pairs"] if p["matched"] is None)
    assert unmatched["participant"]["account"] == "acme"
    assert unmatched["note"] == "no score in the 90 days before"


def test_under_the_minimum_sample_the_page_and_the_api_say_too_few_to_say(
    api, client_for, product_manager, account_a, member_a
):
    pilot, _ = _pilot_with(account_a, member_a, 4)
    api_login(api, product_manager)

    body = client_for(product_manager).get(_page(pilot)).content.decode()
    figures = {f["key"]: f for f in api.get(_api(pilot)).json()["figures"]}

    assert "Too few to say" in body
    assert 'data-effect="estimate"' not in body
    assert "Too few matched accounts yet to say how scores moved" in body
    assert figures["score"]["too_few"] is True
    assert figures["score"]["estimate"] is None and figures["score"]["low"] is None
    assert figures["score"]["why"] == "4 matched pairs with scores before and after, under 5"


def test_a_pilot_not_closed_yet_says_when_it_will_be_estimated(
    client_for, api, product_manager, account_a
):
    pilot = running_pilot(accounts=[account_a])
    api_login(api, product_manager)

    body = client_for(product_manager).get(_page(pilot)).content.decode()

    assert "The effect is estimated once the pilot is closed." in body
    assert api.get(_api(pilot)).json()["closed"] is False


def test_the_results_page_links_to_the_effect_for_internal_readers(
    client_for, product_manager, pilot
):
    body = client_for(product_manager).get(f"/pilots/{pilot.pk}/results/").content.decode()

    assert f'href="/pilots/{pilot.pk}/effect/"' in body


def test_the_csv_lists_each_pairs_accounts_with_their_means_and_outcomes(
    client_for, product_manager, pilot
):
    response = client_for(product_manager).get(_csv_url(pilot))

    assert response["Content-Disposition"] == f'attachment; filename="pilot-{pilot.pk}-effect.csv"'
    rows = _csv(response)
    assert len(rows) == 13  # account A alone, and six pairs of two
    acme = next(r for r in rows if r["account"] == "Acme Industrial")
    assert (acme["role"], acme["score_before_pilot"], acme["note"]) == (
        "participant",
        "",
        "no score in the 90 days before",
    )
    first = [r for r in rows if r["account"] in ("Part 00", "Other 00")]
    assert [r["role"] for r in first] == ["participant", "matched"]
    assert first[0]["pair"] == first[1]["pair"]
    part, other = first
    # Part 00: 40 and 41 before (score then 41.0, trend 1.0), 50 and 50 after.
    assert (part["score_before_pilot"], part["trend_90_days_before"]) == ("41.0", "1.0")
    assert (part["score_mean_before"], part["days_before"]) == ("40.5", "2")
    assert (part["score_mean_after"], part["score_change"]) == ("50.0", "9.5")
    assert (other["score_mean_after"], other["score_change"]) == ("40.0", "-0.5")
    assert part["renewed_or_expanded_after"] == "no"


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_accounts(
    client_for, product_manager, account_a, member_a
):
    small, _ = _pilot_with(account_a, member_a, 5)
    large, _ = _pilot_with(account_a, member_a, 12)
    client = client_for(product_manager)
    client.get(_page(small))  # warm: the session and permissions

    counts = []
    for pilot in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_page(pilot)).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_schema_documents_the_endpoint(api, product_manager):
    api_login(api, product_manager)

    schema = yaml.safe_load(api.get("/api/schema/").content)

    operation = schema["paths"]["/api/v1/pilots/{id}/effect/"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    figure = schema["components"]["schemas"]["EffectFigure"]["properties"]
    assert {"estimate", "low", "high", "participants_n", "matched_n", "too_few"} <= set(figure)
