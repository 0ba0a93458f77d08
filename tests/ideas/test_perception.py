"""Perception figures (ideas.selectors.perception): which answers count, and the same gap and
NPS wherever they are shown — the results page, an account's pilots on its engagement page, and
perception next to later outcomes.

One pilot that ended ten days ago, Acme's two members (useful/usable 1–7; "rec." the
likelihood to recommend, 0–10):

    member  expectation check-in         mid-pilot          final (same moment as mid)
    alice   expected 4/5                 3/3, rec. 2        6/6, rec. 10
    anna    expected 6/6                 —                  5/–, rec. 6
            (experienced 7/7: does not                      (expected 1/–: does not count
            count before the trial)                          after the trial)

    alice: gaps +2 +1 (her final check-in is her latest: same moment, later position)
    anna:  gap −1 on useful (usable was not experienced)
    Acme:  expected mean 5.25, experienced mean 17/3, gap mean 2/3 over 3 pairs (2 people),
           NPS: 10 promoter, 6 detractor → 0 (2 answers)
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Account
from ideas.models import Enrolment, PilotState
from ideas.selectors.account_pilots import account_pilots
from ideas.selectors.perception import people_perception, submitted_responses
from ideas.selectors.perception_outcomes import pilot_perception_outcomes
from ideas.selectors.results import pilot_results
from tests.accounts.factories import AccountFactory, customer
from tests.ideas.factories import PilotFactory, feedback_response


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


@pytest.fixture
def acme_in_a_pilot(db):
    acme = AccountFactory(name="Acme", slug="acme-perception")
    pilot = PilotFactory(
        accounts=[acme],
        state=PilotState.CLOSED,
        recruiting_opens=_day(60),
        runs_from=_day(50),
        runs_until=_day(10),
    )
    expectation, middle, final = pilot.check_ins.order_by("position")
    alice = Enrolment.objects.create(pilot=pilot, user=customer(acme), account=acme)
    anna = Enrolment.objects.create(pilot=pilot, user=customer(acme), account=acme)
    before, moment = timezone.now() - dt.timedelta(days=40), timezone.now() - dt.timedelta(days=9)
    feedback_response(alice, expectation, expected={"useful": 4, "usable": 5}, at=before)
    feedback_response(alice, middle, experienced={"useful": 3, "usable": 3}, recommend=2, at=moment)
    feedback_response(alice, final, experienced={"useful": 6, "usable": 6}, recommend=10, at=moment)
    feedback_response(
        anna,
        expectation,
        expected={"useful": 6, "usable": 6},
        experienced={"useful": 7, "usable": 7},
        at=before,
    )
    feedback_response(
        anna, final, experienced={"useful": 5}, expected={"useful": 1}, recommend=6, at=moment
    )
    return acme, pilot


def test_an_accounts_pilots_count_only_the_answers_the_results_count(acme_in_a_pilot):
    acme, _ = acme_in_a_pilot

    [row] = account_pilots(account=acme, perception=True)

    figures = row.perception
    assert figures.expected_mean == pytest.approx((4 + 5 + 6 + 6) / 4)
    assert figures.experienced_mean == pytest.approx((6 + 6 + 5) / 3)
    assert figures.gap_mean == pytest.approx((2 + 1 - 1) / 3)
    assert figures.paired_people == 2
    assert figures.nps == 0
    assert figures.nps_people == 2
    assert figures.people == 2


def test_the_results_page_pairs_the_same_answers(acme_in_a_pilot):
    _, pilot = acme_in_a_pilot

    overall = pilot_results(pilot=pilot).overall

    useful, usable = overall.dimensions[:2]
    assert (useful.expected_mean, useful.experienced_mean) == (5, 5.5)
    assert (useful.gap_mean, useful.paired_n) == (0.5, 2)
    assert (usable.expected_mean, usable.experienced_mean) == (5.5, 6)
    assert (usable.gap_mean, usable.paired_n) == (1, 1)
    assert (overall.nps.score, overall.nps.n) == (0, 2)


def test_perception_next_to_outcomes_shows_the_same_gap_and_nps(acme_in_a_pilot):
    acme, pilot = acme_in_a_pilot

    result = pilot_perception_outcomes(accounts=Account.objects.filter(pk=acme.pk))

    [row] = result.rows
    assert row.gap_mean == pytest.approx(2 / 3)
    assert row.gap_n == 3
    assert (row.nps, row.nps_n) == (0, 2)
    [page_row] = account_pilots(account=acme, perception=True)
    assert row.gap_mean == pytest.approx(page_row.perception.gap_mean)
    assert row.nps == page_row.perception.nps == pilot_results(pilot=pilot).overall.nps.score


def test_answers_read_by_their_responses_are_the_answers_that_count(acme_in_a_pilot):
    """perception_outcomes reads the responses that count first, then their answers
    (`people_perception(responses=…)`): the same people and figures as the one-query read, a
    draft and an answer to another pilot's check-in left out by both."""
    acme, pilot = acme_in_a_pilot
    alice, anna = Enrolment.objects.filter(pilot=pilot).order_by("pk")
    other_pilot = PilotFactory(accounts=[acme])
    later = timezone.now() - dt.timedelta(days=5)
    _, middle, _ = pilot.check_ins.order_by("position")
    feedback_response(anna, middle, experienced={"useful": 1}, recommend=0, at=later, draft=True)
    feedback_response(
        alice,
        other_pilot.check_ins.order_by("position").last(),
        experienced={"useful": 1, "usable": 1},
        recommend=0,
        at=later,
    )
    by = ("response__enrolment__account_id",)

    one_query = people_perception(by=by, response__enrolment__pilot=pilot)
    by_responses = people_perception(
        by=by, responses=submitted_responses().filter(enrolment__pilot=pilot)
    )

    assert by_responses == one_query
    assert sorted(person.gaps for person in by_responses.values()) == [[-1], [2, 1]]
    assert sorted(person.recommend for person in by_responses.values()) == [6, 10]
    [row] = pilot_perception_outcomes(accounts=Account.objects.filter(pk=acme.pk)).rows
    assert (row.gap_mean, row.gap_n, row.nps) == (pytest.approx(2 / 3), 3, 0)
