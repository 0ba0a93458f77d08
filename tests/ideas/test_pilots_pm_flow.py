"""The product manager's flow on the pilot page: the decision and a results summary first (the
summary's figures are the results page's), the invitations below; pilot states as people say
them; internal wording for internal users, participant wording for participants."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from ideas.models import Pilot, PilotDecision, PilotState
from ideas.selectors.results import pilot_results
from ideas.services import pilots as pilot_services
from tests.accounts.factories import customer
from tests.ideas.factories import (
    PilotFactory,
    agreement_accepted,
    enrolled,
    feedback_response,
    running_pilot,
)


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _cell(html: str, attribute: str, container: str = "") -> str:
    """The text of the element carrying `attribute` (after `container`, when given)."""
    start = html.index(container) if container else 0
    match = re.search(rf"<(\w+)[^>]*{re.escape(attribute)}[^>]*>(.*?)</\1>", html[start:], re.S)
    assert match, attribute
    return _text(match.group(2))


@pytest.fixture
def answered(account_a, member_a):
    """A running pilot of account A: three members enrolled, two gave their expectation (the
    only check-in due), one of them an early experience too."""
    pilot = running_pilot(accounts=[account_a])
    agreement_accepted(pilot, account_a)
    expectation, middle, _ = pilot.check_ins.order_by("position")
    first = enrolled(pilot, member_a)
    second = enrolled(pilot, customer(account_a, first_name="Max"))
    enrolled(pilot, customer(account_a, first_name="Ivo"))
    feedback_response(first, expectation, expected={"useful": 5, "usable": 4})
    feedback_response(second, expectation, expected={"useful": 6, "usable": 6})
    feedback_response(
        first, middle, experienced={"useful": 3, "usable": 6}, sacrifice={"useful": 2},
        job_done="Partly", adopt=6, recommend=9,
    )  # fmt: skip
    return pilot


def _closed(pilot: Pilot) -> Pilot:
    Pilot.objects.filter(pk=pilot.pk).update(state=PilotState.CLOSED)
    pilot.refresh_from_db()
    return pilot


# --- The decision and the summary first --------------------------------------------------------


def test_a_product_manager_reads_the_decision_and_the_summary_before_the_invitations(
    client_for, product_manager, answered
):
    pilot = _closed(answered)

    page = _html(client_for(product_manager).get(f"/pilots/{pilot.pk}/"))

    state = page.index('id="pilot-state"')
    decision_form = page.index(f'action="/pilots/{pilot.pk}/decision/"')
    summary = page.index('id="results-summary"')
    full_results = page.index(f'href="/pilots/{pilot.pk}/results/" id="full-results"')
    invitations = page.index("Invited accounts and who enrolled")
    assert state < page.index('id="decision"') < decision_form < summary < full_results
    assert full_results < invitations
    assert _cell(page, 'id="pilot-state"') == "Awaiting decision"
    # The invitation table is folded away in its own section once accounts are invited.
    assert '<details id="invited-accounts">' in page


def test_before_it_closes_the_page_says_when_the_decision_comes(
    client_for, product_manager, answered
):
    page = _html(client_for(product_manager).get(f"/pilots/{answered.pk}/"))

    decision = page[page.index('id="decision"') : page.index('id="results-summary"')]
    assert "Decided once the pilot closes" in _text(decision)
    assert "/decision/" not in page
    assert "Results so far" in page


def test_before_any_experience_the_summary_says_only_expectations_are_in(
    client_for, product_manager, account_a, member_a
):
    pilot = running_pilot(accounts=[account_a])
    agreement_accepted(pilot, account_a)
    expectation = pilot.check_ins.order_by("position").first()
    feedback_response(enrolled(pilot, member_a), expectation, expected={"useful": 5})

    page = _html(client_for(product_manager).get(f"/pilots/{pilot.pk}/"))

    assert 'id="no-experience-yet"' in page
    assert "their experience is not" in _text(page)


def test_once_someone_answers_an_experience_the_summary_says_no_more_that_none_did(
    client_for, product_manager, answered
):
    page = _html(client_for(product_manager).get(f"/pilots/{answered.pk}/"))

    assert 'id="no-experience-yet"' not in page


def test_a_recorded_decision_stays_at_the_top(client_for, product_manager, answered):
    pilot = _closed(answered)
    pilot_services.pilot_decide(
        pilot=pilot,
        actor=product_manager,
        decision=PilotDecision.ADOPT,
        outcome_note="Shipping offline sync to everyone.",
    )

    page = _html(client_for(product_manager).get(f"/pilots/{pilot.pk}/"))

    decision = _text(page[page.index('id="decision"') : page.index('id="results-summary"')])
    assert "Adopt" in decision and "Shipping offline sync to everyone." in decision
    assert page.index('id="decision"') < page.index("Invited accounts and who enrolled")
    assert _cell(page, 'id="pilot-state"') == "Closed — adopted"


def test_the_summary_figures_are_the_results_pages(client_for, product_manager, answered):
    client = client_for(product_manager)

    pilot_page = _html(client.get(f"/pilots/{answered.pk}/"))
    results_page = _html(client.get(f"/pilots/{answered.pk}/results/"))

    summary = pilot_page[pilot_page.index('id="results-summary"') :]
    overall = results_page[results_page.index('id="group-overall"') :]
    # Worked out by hand: 2 of the 3 members gave the one due check-in; member A's useful
    # went from 5 expected to 3 experienced.
    rate = _cell(summary, 'data-summary="response-rate"')
    assert rate == "67% response rate: 2 of 3 due check-ins answered"
    assert _cell(overall, 'data-check-in="all"') == (
        "All due check-ins 2 of 3 due check-ins answered, 67%"
    )
    for name in ("respondents", "response-rate", "nps", "adopt", "job-done"):
        assert _cell(summary, f'data-summary="{name}"') == _cell(
            results_page, f'data-summary="{name}"'
        )
    useful = 'data-dimension="useful"'
    assert _cell(summary, 'data-summary="gap"', useful) == "-2.00 n = 1"
    assert _cell(summary, 'data-summary="gap"', useful) == _cell(
        overall, 'data-figure="gap"', useful
    )
    for figure in ("expected", "experienced", "met"):
        assert (
            _cell(summary, f'data-summary="{figure}"', useful).split(" n =")[0]
            == _cell(overall, f'data-figure="{figure}"', useful).split(" n =")[0]
        )
    results = pilot_results(pilot=answered)  # the one selector both pages read
    assert results.overall.response_rate.text == "2 of 3 due check-ins answered, 67%"


def test_customers_see_their_own_view(client_for, member_a, answered):
    page = _html(client_for(member_a).get(f"/pilots/{answered.pk}/"))

    assert 'id="decision"' not in page and 'id="results-summary"' not in page
    assert "Full results" not in page and "Invited accounts" not in page
    assert "You are enrolled" in page


def test_an_account_manager_reads_the_decision_without_the_results(
    client_for, account_manager_a, answered
):
    page = _html(client_for(account_manager_a).get(f"/pilots/{_closed(answered).pk}/"))

    assert "its product manager's decision is awaited" in page
    assert 'id="results-summary"' not in page and "/decision/" not in page


# --- States as people say them -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "label", "key"),
    [
        ({"state": PilotState.DRAFT, "published": False}, "Draft", "draft"),
        (
            {
                "state": PilotState.DRAFT,
                "published": True,
                "recruiting_opens": dt.date(2026, 12, 15),
            },
            "Scheduled — recruiting opens 15 Dec 2026",
            "scheduled",
        ),
        ({"state": PilotState.RECRUITING}, "Recruiting", "recruiting"),
        ({"state": PilotState.RUNNING}, "Running", "running"),
        ({"state": PilotState.CLOSED}, "Awaiting decision", "awaiting-decision"),
        (
            {"state": PilotState.CLOSED, "decision": PilotDecision.ADOPT},
            "Closed — adopted",
            "closed",
        ),
        (
            {"state": PilotState.CLOSED, "decision": PilotDecision.ITERATE},
            "Closed — iterating",
            "closed",
        ),
        (
            {"state": PilotState.CLOSED, "decision": PilotDecision.DECLINE},
            "Closed — declined",
            "closed",
        ),
    ],
)
def test_each_state_reads_as_people_say_it(fields, label, key):
    pilot = Pilot(**fields)

    assert (pilot.state_label, pilot.state_key) == (label, key)


def test_the_pilots_list_and_its_csv_say_the_states_that_way(client_for, product_manager):
    today = timezone.localdate()
    scheduled = PilotFactory(
        title="Dark mode",
        state=PilotState.DRAFT,
        published=True,
        recruiting_opens=today + dt.timedelta(days=10),
        runs_from=today + dt.timedelta(days=20),
        runs_until=today + dt.timedelta(days=40),
    )
    PilotFactory(title="Offline sync", state=PilotState.CLOSED, published=True)
    client = client_for(product_manager)

    page = _text(_html(client.get("/pilots/")))
    csv = b"".join(client.get("/pilots/?export=csv").streaming_content).decode()

    opens = scheduled.recruiting_opens
    said = f"Scheduled — recruiting opens {opens.day} {opens:%b %Y}"
    assert said in page and "Awaiting decision" in page
    assert "Running scheduled" not in page and "Draft scheduled" not in page
    assert f",draft,{said},True," in csv and ",closed,Awaiting decision,True," in csv


# --- Internal wording for internal users -------------------------------------------------------


@pytest.mark.parametrize("persona", ["product_manager", "account_manager_a"])
def test_internal_users_read_about_the_participants(request, client_for, persona, answered):
    page = _text(_html(client_for(request.getfixturevalue(persona)).get(f"/pilots/{answered.pk}/")))

    assert "What participants are told to expect" in page
    assert "Participants’ expectations" in page
    assert "Your expectations" not in page and "your feedback" not in page


def test_participants_read_their_own_wording(client_for, member_a, answered):
    page = _text(_html(client_for(member_a).get(f"/pilots/{answered.pk}/")))

    assert "What to expect" in page and "Your expectations" in page
    assert "Participants’" not in page and "What participants are told" not in page


def test_the_results_page_names_check_ins_as_staff_say_them(client_for, product_manager, answered):
    page = _html(client_for(product_manager).get(f"/pilots/{answered.pk}/results/"))

    expectation = answered.check_ins.get(position=0)
    assert _cell(page, f'data-check-in="{expectation.pk}"').startswith("Participants’ expectations")
    assert "Your expectations" not in page


def test_the_results_page_has_its_sections_in_order_with_a_section_nav(
    client_for, product_manager, answered
):
    page = _html(client_for(product_manager).get(f"/pilots/{answered.pk}/results/"))

    nav = page[page.index('aria-label="Sections of the results"') :]
    nav = nav[: nav.index("</nav>")]
    anchors = re.findall(r'href="#([\w-]+)"', nav)
    assert anchors == [
        "summary",
        "group-overall",
        "calibration",
        "by-segment",
        "by-level",
        "verbatims",
        "how-computed",
    ]
    positions = [page.index(f'id="{anchor}"') for anchor in anchors]
    assert positions == sorted(positions)
