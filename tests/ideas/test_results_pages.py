"""The results page, the CSV of its figures and the CSV of every response: who may read them,
bad input, the query count, and what the CSVs hold. The figures themselves:
tests/ideas/test_results_figures.py (by hand) and tests/ideas/test_results_property.py
(against a reference computation)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from accounts.models import Segment
from ideas.models import (
    Dimension,
    Enrolment,
    FeedbackResponse,
    Instrument,
    Phase,
    PilotState,
    Question,
    QuestionKind,
)
from tests.accounts.factories import AccountFactory, customer
from tests.ideas.factories import PilotFactory, feedback_response, final_answered

AT = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _page_url(pilot) -> str:
    return f"/pilots/{pilot.pk}/results/"


def _csv_url(pilot) -> str:
    return f"/pilots/{pilot.pk}/results/responses.csv"


def _figures_url(pilot) -> str:
    return f"/pilots/{pilot.pk}/results/figures.csv"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def pilot(account_a, account_b):
    """A running pilot of account A only, with one submitted response carrying a verbatim."""
    pilot = PilotFactory(accounts=[account_a], state=PilotState.RUNNING)
    final_answered(
        pilot,
        account_a,
        name="Alma",
        at=AT,
        experienced={"useful": 6},
        recommend=9,
        unmet="The export button was hidden.",
    )
    return pilot


# --- Who may read the results ------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_read_the_results(
    client_for, request, persona, pilot
):
    response = client_for(request.getfixturevalue(persona)).get(_page_url(pilot))

    assert response.status_code == 200
    assert "The export button was hidden." in response.content.decode()


@pytest.mark.parametrize("url", [_page_url, _figures_url, _csv_url])
def test_an_anonymous_visitor_is_sent_to_the_login(client, pilot, url):
    response = client.get(url(pilot))

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("url", [_page_url, _figures_url, _csv_url])
def test_a_member_of_an_account_not_invited_cannot_even_find_the_results(
    client_for, member_b, pilot, url
):
    response = client_for(member_b).get(url(pilot))

    assert response.status_code == 404
    assert "The export button was hidden." not in response.content.decode()


@pytest.mark.parametrize("persona", ["member_a", "admin_a"])
@pytest.mark.parametrize("url", [_page_url, _figures_url, _csv_url])
def test_customers_of_an_invited_account_may_not_read_the_results(
    client_for, request, persona, pilot, url
):
    response = client_for(request.getfixturevalue(persona)).get(url(pilot))

    assert response.status_code == 403
    assert "The export button was hidden." not in response.content.decode()


@pytest.mark.parametrize("url", [_page_url, _figures_url, _csv_url])
def test_an_account_manager_without_the_results_permission_is_refused(
    client_for, account_manager_a, pilot, url
):
    assert client_for(account_manager_a).get(url(pilot)).status_code == 403


def test_a_draft_pilot_does_not_exist_for_its_invited_customers(client_for, member_a, account_a):
    draft = PilotFactory(accounts=[account_a], state=PilotState.DRAFT, published=False)

    assert client_for(member_a).get(_page_url(draft)).status_code == 404


def test_an_unknown_pilot_is_a_404(client_for, product_manager, db):
    assert client_for(product_manager).get("/pilots/999999/results/").status_code == 404


def test_verbatims_never_reach_a_customer_even_one_given_the_results_permission(
    client_for, member_a, pilot
):
    member_a.user_permissions.add(Permission.objects.get(codename="view_pilot_results"))

    page = client_for(member_a).get(_page_url(pilot))
    export = client_for(member_a).get(_csv_url(pilot))

    assert page.status_code == 200
    assert "The export button was hidden." not in page.content.decode()
    assert 'id="verbatims"' not in page.content.decode()
    assert export.status_code == 403


# --- Bad input -------------------------------------------------------------------------------


def test_an_unknown_split_is_a_clear_field_error_and_shows_all_participants(
    client_for, product_manager, pilot
):
    response = client_for(product_manager).get(_page_url(pilot), {"split": "country"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Select a valid choice. country is not one of the available choices." in page
    assert 'id="group-overall"' in page
    assert FeedbackResponse.objects.filter(check_in__pilot=pilot).count() == 1


@pytest.mark.parametrize("url", [_page_url, _figures_url, _csv_url])
def test_the_results_are_read_only(client_for, product_manager, pilot, url):
    response = client_for(product_manager).post(url(pilot), {"split": "segment"})

    assert response.status_code == 405
    assert FeedbackResponse.objects.filter(check_in__pilot=pilot).count() == 1


def test_a_pilot_without_responses_shows_dashes_and_the_warning(
    client_for, product_manager, account_a
):
    empty = PilotFactory(accounts=[account_a], state=PilotState.RECRUITING)

    response = client_for(product_manager).get(_page_url(empty))

    assert response.status_code == 200
    page = response.content.decode()
    assert "0 of 0 enrolled participants responded — fewer than 5" in page
    assert "No free-text answers yet." in page


# --- The page itself ---------------------------------------------------------------------------


def test_the_charts_get_their_data_from_json_script_and_no_inline_script(
    client_for, product_manager, pilot
):
    page = client_for(product_manager).get(_page_url(pilot)).content.decode()

    assert '<script id="results-chart-data" type="application/json">' in page
    assert "vendor/chartjs/chart.umd.min.js" in page
    assert "js/pilot-results.js" in page
    assert 'data-results-chart="dimensions" data-group="overall" role="img"' in page
    scripts = page.count("<script")
    assert scripts == page.count("<script src=") + page.count('<script id="results-chart-data"')


def test_htmx_gets_the_results_alone_when_the_split_changes(client_for, product_manager, pilot):
    response = client_for(product_manager).get(
        _page_url(pilot), {"split": "segment"}, headers={"HX-Request": "true"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'id="group-mid_market"' in page
    assert "HX-Request" in response["Vary"]


# --- The figures CSV --------------------------------------------------------------------------


def _figure_rows(client, pilot, query: str = "") -> dict[tuple[str, str, str], list[str]]:
    response = client.get(_figures_url(pilot) + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = _csv(response)
    assert header == ["group", "group label", "figure", "of", "value", "n", "reads"]
    return {
        (group, figure, of): [value, n, reads] for group, _, figure, of, value, n, reads in rows
    }


def test_the_figures_csv_holds_the_values_the_page_shows(client_for, product_manager, pilot):
    client = client_for(product_manager)
    final = pilot.check_ins.get(position=2)

    rows = _figure_rows(client, pilot)
    page = client.get(_page_url(pilot)).content.decode()

    assert rows["overall", "experienced_mean", "Useful"] == ["6.00", "1", ""]
    assert '<td data-figure="experienced">6.00 <small class="muted">n = 1</small>' in page
    assert rows["overall", "nps", ""] == ["100", "1", ""]
    # The pilot has just started: the expectation is due (at enrolment), Alma answered only
    # the final check-in, early.
    assert rows["overall", "response_rate", ""] == [
        "0",
        "1",
        "0 of 1 due check-ins answered, 0%",
    ]
    assert rows["overall", "check_in_rate", final.title] == ["", "1", "not due yet"]
    assert "0 of 1 due check-ins answered, 0%" in page


def test_the_results_page_its_csv_the_api_and_the_accounts_page_say_one_response_rate(
    client_for, api, programme_admin, account_a, member_a
):
    """A pilot of account A alone that started 20 days ago: the expectation and the mid-pilot
    check-in are due, the final one is not. Alma answered both due ones and the final one
    early; Anna only her expectation. 3 of 4 due check-ins answered, 75%, wherever it is read:
    the pilot's results (page, figures CSV, API) and account A's pilots section."""
    today = timezone.localdate()
    pilot = PilotFactory(
        accounts=[account_a],
        state=PilotState.RUNNING,
        recruiting_opens=today - dt.timedelta(days=27),
        runs_from=today - dt.timedelta(days=20),
        runs_until=today + dt.timedelta(days=14),
    )
    expectation, middle, final = pilot.check_ins.order_by("position")
    alma = Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    anna = Enrolment.objects.create(pilot=pilot, user=customer(account_a), account=account_a)
    for check_in in (expectation, middle, final):
        feedback_response(alma, check_in, at=AT)
    feedback_response(anna, expectation, at=AT)
    client = client_for(programme_admin)
    api.force_authenticate(programme_admin)
    said = "3 of 4 due check-ins answered, 75%"

    page = client.get(_page_url(pilot)).content.decode()
    rows = _figure_rows(client, pilot)
    body = api.get(f"/api/v1/pilots/{pilot.pk}/results/").json()
    fragment = client.get(f"/accounts/{account_a.slug}/pilots/").content.decode()

    assert said in page
    assert rows["overall", "response_rate", ""] == ["75", "4", said]
    assert body["overall"]["response_rate"] == {
        **body["overall"]["response_rate"],
        "answered": 3,
        "due": 4,
        "percent": 75,
        "text": said,
    }
    assert f'<td data-figure="response-rate">{said}</td>' in fragment


def test_the_figures_csv_splits_as_the_page_does(client_for, product_manager, pilot):
    rows = _figure_rows(client_for(product_manager), pilot, "?split=level")

    assert rows["not_computed", "nps", ""] == ["100", "1", ""]
    assert ("overall", "nps", "") in rows


def test_the_figures_csv_refuses_an_unknown_split(client_for, product_manager, pilot):
    response = client_for(product_manager).get(_figures_url(pilot), {"split": "country"})

    assert response.status_code == 400


# --- Query count -------------------------------------------------------------------------------


@pytest.fixture
def busy_pilot(db):
    """`busy_pilot(n)`: a pilot of two accounts of two segments and n submitted responses."""

    def build(responses: int):
        acme = AccountFactory(name="Acme", segment=Segment.ENTERPRISE)
        globex = AccountFactory(name="Globex", segment=Segment.SMB)
        pilot = PilotFactory(accounts=[acme, globex], state=PilotState.RUNNING)
        for i in range(responses):
            final_answered(
                pilot,
                acme if i % 2 else globex,
                name=f"Member {i}",
                at=AT,
                experienced={"useful": 1 + i % 7, "trust": 7 - i % 7},
                sacrifice={"useful": i % 7},
                job_done="Yes",
                adopt=i % 11,
                recommend=10 - i % 11,
                better=f"Idea number {i}",
            )
        return pilot

    return build


@pytest.mark.parametrize("responses", [5, 50])
@pytest.mark.parametrize("split", ["", "segment", "level"])
def test_the_page_runs_the_same_queries_whatever_the_number_of_responses(
    client_for,
    product_manager,
    busy_pilot,
    django_assert_num_queries,
    responses,
    split,
):
    pilot = busy_pilot(responses)
    client = client_for(product_manager)

    # 1 session, 2 user, 3 the user's customer membership (none), 4 the pilot with its idea,
    # 5 the user's permissions (own and groups'), 6 check-ins, 7 enrolments (with split=level,
    # each account's level when the pilot started, in the same query), 8 dimensions,
    # 9 submitted responses with all their answers, the expectation calibration's 10 dimensions
    # with their targets and 11 expected and experienced ratings (ideas.selectors.calibration),
    # then the layout's menu: 12 the user's groups, 13 unread notifications.
    with django_assert_num_queries(12):
        response = client.get(_page_url(pilot), {"split": split} if split else {})

    assert response.status_code == 200
    assert f"Idea number {responses - 1}" in response.content.decode()


@pytest.mark.parametrize("responses", [5, 50])
def test_the_csv_runs_the_same_queries_whatever_the_number_of_responses(
    client_for, product_manager, busy_pilot, django_assert_num_queries, responses
):
    pilot = busy_pilot(responses)
    client = client_for(product_manager)

    # 1 session, 2 user with membership (none), 3 pilot, 4 permissions (own and groups'),
    # 5 dimensions, 6 questions, 7 submitted responses with their answers (streamed).
    with django_assert_num_queries(7):
        rows = _csv(client.get(_csv_url(pilot)))

    assert len(rows) == 1 + responses


# --- The CSV of every response -----------------------------------------------------------------


def test_the_csv_has_one_row_per_submitted_response_and_a_column_per_question_and_dimension(
    client_for, product_manager, account_a
):
    pilot = PilotFactory(accounts=[account_a], state=PilotState.RUNNING)
    expectation, mid, final = pilot.check_ins.order_by("position")
    enrolment = Enrolment.objects.create(
        pilot=pilot, user=customer(account_a, first_name="Ada"), account=account_a
    )
    first = feedback_response(enrolment, expectation, at=AT, expected={"useful": 5, "trust": 4})
    second = feedback_response(
        enrolment,
        final,
        at=AT + dt.timedelta(days=9),
        experienced={"useful": 6},
        job_done="Partly",
        recommend=8,
        better="@SUM(A1:A9) is what we would have typed",
    )
    other = Enrolment.objects.create(
        pilot=pilot, user=customer(account_a, first_name="Bo"), account=account_a
    )
    feedback_response(other, mid, draft=True, experienced={"useful": 1})  # a draft: not exported

    response = client_for(product_manager).get(_csv_url(pilot))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="pilot-{pilot.pk}-responses.csv"' in response["Content-Disposition"]
    header, *rows = _csv(response)
    assert header[:7] == [
        "response id",
        "participant",
        "account",
        "segment",
        "check-in",
        "phase",
        "submitted at",
    ]
    # 5 expected + 5 experienced + 5 sacrifice + job done, adopt, recommend, 2 free texts
    assert len(header) == 7 + 5 + 5 + 5 + 5
    assert header[7] == "What do you expect? — Useful"
    assert header[11] == "What do you expect? — Trust"
    assert header[12] == "How was it? — Useful"
    assert [row[0] for row in rows] == [str(first.pk), str(second.pk)]
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    assert cells[0]["account"] == "Acme Industrial"
    assert cells[0]["segment"] == "Mid-market"
    assert cells[0]["check-in"] == "Your expectations"
    assert cells[0]["phase"] == Phase.EXPECTATION
    assert cells[0]["submitted at"] == "2025-03-03T09:00:00+00:00"
    assert cells[0]["participant"] == cells[1]["participant"] == str(enrolment.pk)
    assert (cells[0]["What do you expect? — Useful"], cells[0]["How was it? — Useful"]) == ("5", "")
    assert cells[1]["How was it? — Useful"] == "6"
    assert cells[1]["Did it do the job?"] == "Partly"
    assert cells[1]["What could we have done better?"] == (
        "'@SUM(A1:A9) is what we would have typed"  # neutralised: not run as a formula
    )


def test_the_csv_adds_a_column_for_a_question_of_a_newer_instrument_version(
    client_for, product_manager, pilot
):
    newer = Instrument.objects.create(pilot=pilot, version=2)
    Dimension.objects.create(instrument=newer, key="useful", label="Useful", position=0)
    Question.objects.create(
        instrument=newer,
        phase=Phase.EXPERIENCE,
        kind=QuestionKind.MULTIPLE_CHOICE,
        prompt="Which screens did you use?",
        choices=["Map", "List", "Export"],
        position=0,
    )

    header, *rows = _csv(client_for(product_manager).get(_csv_url(pilot)))

    assert "Which screens did you use?" in header
    assert header.count("How was it? — Useful") == 1  # one column across versions
    assert len(rows) == 1
