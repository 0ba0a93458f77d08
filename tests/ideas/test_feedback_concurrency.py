"""Races around responses (PostgreSQL; SQLite serialises writers anyway): two submissions of
one check-in at the same moment make one response, and an instrument edit that races a first
answer waits for it and then makes a new version instead of changing the answered one."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from community.models import ActivityEvent
from ideas.models import CheckIn, Enrolment, FeedbackResponse, Phase, Question
from ideas.selectors.instrument import instrument_current
from ideas.services import feedback as services
from ideas.services import instrument as instrument_services
from tests.db_locks import someone_waits_for_a_lock
from tests.ideas.factories import enrolled, running_pilot

pytestmark = [pytest.mark.needs_postgres, pytest.mark.django_db(transaction=True)]

DIMENSIONS = ["useful", "usable", "delightful", "speed", "trust"]


@pytest.fixture
def enrolment(account_a, member_a):
    return enrolled(running_pilot(accounts=[account_a]), member_a)


def _expectation(enrolment) -> tuple[CheckIn, dict]:
    check_in = enrolment.pilot.check_ins.get(phase=Phase.EXPECTATION)
    question = instrument_current(pilot=enrolment.pilot).questions.get(role="expected")
    return check_in, {question.pk: dict.fromkeys(DIMENSIONS, 6)}


def test_two_submissions_at_the_same_moment_make_one_response(enrolment):
    check_in, answers = _expectation(enrolment)
    outcome: dict[str, str] = {}

    def the_other_tab_submits() -> None:
        try:
            services.response_save(
                check_in=CheckIn.objects.select_related("pilot").get(pk=check_in.pk),
                enrolment=Enrolment.objects.select_related("account", "user").get(pk=enrolment.pk),
                answers=answers,
                submit=True,
            )
            outcome["other"] = "submitted"
        except ValidationError as error:
            outcome["other"] = error.messages[0]
        finally:
            connections.close_all()

    with transaction.atomic():
        services.response_save(check_in=check_in, enrolment=enrolment, answers=answers, submit=True)
        other = threading.Thread(target=the_other_tab_submits)
        other.start()
        assert someone_waits_for_a_lock()  # on the pilot this first response locked
    other.join(timeout=10)

    assert outcome["other"].startswith("You submitted this check-in on")
    assert FeedbackResponse.objects.count() == 1
    assert ActivityEvent.objects.count() == 1


def test_an_edit_racing_the_first_answer_makes_a_new_version(enrolment):
    check_in, answers = _expectation(enrolment)
    pilot = enrolment.pilot
    question = instrument_current(pilot=pilot).questions.get(role="expected")
    outcome: dict[str, int] = {}

    def the_product_manager_rewords() -> None:
        try:
            instrument = instrument_services.instrument_question_update(
                question=Question.objects.select_related("instrument__pilot").get(pk=question.pk),
                prompt="What do you expect, aspect by aspect?",
            )
            outcome["version"] = instrument.version
        finally:
            connections.close_all()

    with transaction.atomic():
        services.response_save(
            check_in=check_in, enrolment=enrolment, answers=answers, submit=False
        )
        editor = threading.Thread(target=the_product_manager_rewords)
        editor.start()
        assert someone_waits_for_a_lock()
    editor.join(timeout=10)

    assert outcome == {"version": 2}
    question.refresh_from_db()
    assert question.prompt == "What do you expect?"
    assert FeedbackResponse.objects.get().instrument.version == 1
