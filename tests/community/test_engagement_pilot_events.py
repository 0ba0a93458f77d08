"""Co-creation from real pilots: ideas' services record the pilot on their events
(`pilot_ref`), and the engine counts a pilot once one of the account's people gave
experience feedback for it."""

from __future__ import annotations

import pytest

from community.models import ActivityEvent, ActivityKind, EngagementSnapshot
from community.services.engagement import engagement_snapshots_compute
from ideas.models import Phase
from ideas.services.enrolment import pilot_enrol
from ideas.services.feedback import response_save
from tests.ideas.factories import agreement_accepted, running_pilot

DIMENSIONS = ["useful", "usable", "delightful", "speed", "trust"]


@pytest.fixture
def running_pilots(account_a, admin_a):
    pilots = [running_pilot(accounts=[account_a]) for _ in range(2)]
    for pilot in pilots:
        agreement_accepted(pilot, account_a, by=admin_a)
    return pilots


def _experience_given(pilot, enrolment):
    check_in = pilot.check_ins.filter(phase=Phase.EXPERIENCE).order_by("position").first()
    questions = {q.role: q.pk for q in check_in.pilot.instruments.get().questions.all()}
    answers = {
        questions["experienced"]: dict.fromkeys(DIMENSIONS, 5),
        questions["sacrifice"]: dict.fromkeys(DIMENSIONS, 1),
        questions["job_done"]: "Yes",
        questions["adopt"]: 7,
        questions["recommend"]: 9,
    }
    response_save(check_in=check_in, enrolment=enrolment, answers=answers, submit=True)


@pytest.mark.django_db
def test_pilot_events_carry_their_pilot(running_pilots, member_a):
    pilot = running_pilots[0]

    enrolment = pilot_enrol(pilot=pilot, member=member_a)
    _experience_given(pilot, enrolment)

    assert list(ActivityEvent.objects.order_by("pk").values_list("kind", "pilot_ref")) == [
        (ActivityKind.PILOT_ENROLLED, pilot.pk),
        (ActivityKind.FEEDBACK_GIVEN, pilot.pk),
    ]


@pytest.mark.django_db
def test_an_account_that_gave_feedback_in_one_of_its_two_pilots_co_creates_half(
    running_pilots, account_a, member_a, admin_a
):
    first, second = running_pilots
    enrolment = pilot_enrol(pilot=first, member=member_a)
    pilot_enrol(pilot=second, member=admin_a)
    _experience_given(first, enrolment)

    engagement_snapshots_compute(account_ids=[account_a.pk])

    assert EngagementSnapshot.objects.get(account=account_a).co_creation == 0.5
