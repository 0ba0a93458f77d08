"""The bad times the ideas app records (ideas/services/robustness.py): an account's idea declined
(by the workflow or by its pilot's decision) and a closed pilot whose gap was below 0 for an
account; once each, however often the hook runs, and the backfill adds none after them."""

from __future__ import annotations

import pytest

from community.models import BadTime, BadTimeKind, BadTimeSource
from ideas.models import IdeaStatus, PilotDecision, PilotState
from ideas.services.ideas import idea_transition
from ideas.services.pilots import pilot_decide, pilot_set_state
from ideas.services.robustness import (
    bad_times_backfill,
    idea_declined_bad_time,
    pilot_gap_bad_times,
)
from tests.community.todo_helpers import TODAY
from tests.ideas.factories import IdeaFactory, enrolled, feedback_response, running_pilot

pytestmark = pytest.mark.django_db


def _rows():
    return sorted(BadTime.objects.values_list("account__slug", "kind", "reference", "occurred_on"))


def test_a_declined_idea_is_one_bad_time_of_its_authors_account_however_often(
    frozen, account_a, member_a, product_manager
):
    idea = IdeaFactory(author=member_a, author_account=account_a, status=IdeaStatus.UNDER_REVIEW)

    idea_transition(idea=idea, actor=product_manager, to_status="declined", reason="Out of scope")
    idea_declined_bad_time(idea=idea)  # the hook again
    idea_transition(idea=idea, actor=product_manager, to_status="under_review", reason="Again")
    idea_transition(idea=idea, actor=product_manager, to_status="declined", reason="Still no")

    assert _rows() == [("acme", BadTimeKind.IDEA_DECLINED, f"idea:{idea.pk}", TODAY)]
    assert BadTime.objects.get().source == BadTimeSource.AUTOMATIC
    assert bad_times_backfill() == (0, 0)
    assert BadTime.objects.count() == 1


def test_an_idea_no_customer_proposed_is_nobodys_bad_time(frozen, product_manager):
    idea = IdeaFactory(status=IdeaStatus.UNDER_REVIEW)

    idea_transition(idea=idea, actor=product_manager, to_status="declined", reason="No")

    assert not BadTime.objects.exists()


@pytest.fixture
def pilot(account_a, account_b, member_a, member_b, admin_b):
    """Acme's member expected 6 and got 4 (gap −2); Globex's expected 3 and got 5 (+2). The
    idea is Globex's admin's. It runs three more weeks: closed now, its bad time is today's."""
    idea = IdeaFactory(author=admin_b, author_account=account_b, status=IdeaStatus.PILOTING)
    pilot = running_pilot(idea=idea, accounts=[account_a, account_b])
    expectation, middle, _ = pilot.check_ins.order_by("position")
    for member, expected, experienced in ((member_a, 6, 4), (member_b, 3, 5)):
        enrolment = enrolled(pilot, member)
        feedback_response(enrolment, expectation, expected={"useful": expected})
        feedback_response(enrolment, middle, experienced={"useful": experienced})
    return pilot


def test_a_pilot_that_fell_short_is_a_bad_time_of_that_account_only(frozen, pilot, product_manager):
    pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.CLOSED)
    pilot_gap_bad_times(pilots=[pilot])  # the hook again
    pilot_decide(
        pilot=pilot, actor=product_manager, decision=PilotDecision.ITERATE, outcome_note="More"
    )

    assert _rows() == [("acme", BadTimeKind.PILOT_GAP, f"pilot:{pilot.pk}", TODAY)]
    assert BadTime.objects.get().note == f"Pilot {pilot.title}: gap -2.0 (experienced − expected)"
    assert bad_times_backfill() == (0, 0)


def test_a_pilot_declined_is_a_bad_time_of_the_ideas_account_too(frozen, pilot, product_manager):
    pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.CLOSED)
    pilot_decide(
        pilot=pilot, actor=product_manager, decision=PilotDecision.DECLINE, outcome_note="No"
    )

    assert _rows() == [
        ("acme", BadTimeKind.PILOT_GAP, f"pilot:{pilot.pk}", TODAY),
        ("globex", BadTimeKind.IDEA_DECLINED, f"idea:{pilot.idea_id}", TODAY),
    ]


def test_the_backfill_records_what_happened_before_and_a_second_run_adds_nothing(
    frozen, pilot, product_manager
):
    pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.CLOSED)
    pilot_decide(
        pilot=pilot, actor=product_manager, decision=PilotDecision.DECLINE, outcome_note="No"
    )
    BadTime.objects.all().delete()  # as before bad times were recorded

    assert bad_times_backfill() == (1, 1)
    assert bad_times_backfill() == (0, 0)
    assert [kind for _, kind, _, _ in _rows()] == [BadTimeKind.PILOT_GAP, BadTimeKind.IDEA_DECLINED]
