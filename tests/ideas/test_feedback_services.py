"""Answering a check-in through `response_save`: drafts, one submission, every answer checked
against the instrument version the response uses, and nothing saved when something is wrong."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from community.models import ActivityEvent, ActivityKind
from ideas.models import (
    Answer,
    FeedbackResponse,
    Phase,
    PilotState,
    QuestionKind,
    QuestionRole,
    ResponseStatus,
)
from ideas.selectors.instrument import instrument_current
from ideas.services import feedback as services
from ideas.services import instrument as instrument_services
from tests.accounts.factories import customer
from tests.ideas.factories import PilotFactory, enrolled

DIMENSIONS = ["useful", "usable", "delightful", "speed", "trust"]


def _check_in(pilot, phase=Phase.EXPERIENCE):
    return pilot.check_ins.filter(phase=phase).order_by("position").first()


def _ids(pilot) -> dict[str, int]:
    return {q.role: q.pk for q in instrument_current(pilot=pilot).questions.all()}


def _experience(pilot, **changes) -> dict:
    """Complete, valid answers to the default experience check-in, keyed by question id."""
    q = _ids(pilot)
    answers = {
        q["experienced"]: dict.fromkeys(DIMENSIONS, 5),
        q["sacrifice"]: dict.fromkeys(DIMENSIONS, 1),
        q["job_done"]: "Partly",
        q["adopt"]: 7,
        q["recommend"]: 9,
        q["unmet"]: "",
        q["better"]: "Faster sync on the train.",
    }
    answers.update({q[role]: value for role, value in changes.items()})
    return answers


def _save(pilot, enrolment, answers, *, submit, phase=Phase.EXPERIENCE, **kwargs):
    return services.response_save(
        check_in=_check_in(pilot, phase),
        enrolment=enrolment,
        answers=answers,
        submit=submit,
        **kwargs,
    )


def _errors(caught) -> dict[str, list[str]]:
    return caught.value.message_dict


# --- Drafts and submission ------------------------------------------------------------------


def test_a_draft_keeps_partial_answers_and_submitting_completes_it(pilot, enrolment):
    q = _ids(pilot)
    draft = _save(pilot, enrolment, {q["adopt"]: 6, str(q["job_done"]): "Yes"}, submit=False)
    assert (draft.status, draft.submitted_at) == (ResponseStatus.DRAFT, None)
    assert {(a.question_id, a.value_int, a.value_text) for a in draft.answers.all()} == {
        (q["adopt"], 6, ""),
        (q["job_done"], None, "Yes"),
    }
    assert not ActivityEvent.objects.exists()

    submitted = _save(pilot, enrolment, _experience(pilot), submit=True)

    assert submitted.pk == draft.pk
    assert submitted.status == ResponseStatus.SUBMITTED
    assert submitted.submitted_at is not None
    assert FeedbackResponse.objects.count() == 1
    assert Answer.objects.filter(response=submitted).count() == 5 + 5 + 4  # unmet left blank
    assert Answer.objects.get(question_id=q["job_done"]).value_choices == ["Partly"]
    event = ActivityEvent.objects.get()
    assert (event.kind, event.account, event.user) == (
        ActivityKind.FEEDBACK_GIVEN,
        enrolment.account,
        enrolment.user,
    )
    assert event.object_id == str(submitted.pk)
    assert event.pilot_ref == pilot.pk  # a pilot event names its pilot


def test_submitting_without_answers_submits_the_saved_draft(pilot, enrolment):
    _save(pilot, enrolment, _experience(pilot), submit=False)

    response = _save(pilot, enrolment, None, submit=True)

    assert response.status == ResponseStatus.SUBMITTED
    assert response.answers.count() == 14


def test_a_draft_is_replaced_by_the_next_save(pilot, enrolment):
    q = _ids(pilot)
    _save(pilot, enrolment, {q["adopt"]: 6, q["recommend"]: 3}, submit=False)

    response = _save(pilot, enrolment, {q["adopt"]: 2}, submit=False)

    assert list(response.answers.values_list("question_id", "value_int")) == [(q["adopt"], 2)]


def test_the_expectation_records_that_the_expectation_was_given(pilot, enrolment):
    q = _ids(pilot)

    _save(
        pilot,
        enrolment,
        {q["expected"]: dict.fromkeys(DIMENSIONS, 6)},
        submit=True,
        phase="expectation",
    )

    event = ActivityEvent.objects.get()
    assert (event.kind, event.pilot_ref) == (ActivityKind.EXPECTATION_GIVEN, pilot.pk)


def test_a_check_in_is_submitted_once_and_a_second_submission_changes_nothing(pilot, enrolment):
    first = _save(pilot, enrolment, _experience(pilot), submit=True)

    for submit in (True, False):
        with pytest.raises(ValidationError, match="You submitted this check-in on"):
            _save(pilot, enrolment, _experience(pilot, recommend=0), submit=submit)

    assert FeedbackResponse.objects.get() == first
    assert Answer.objects.get(question_id=_ids(pilot)["recommend"]).value_int == 9
    assert ActivityEvent.objects.count() == 1


def test_multiple_choices_are_kept_in_the_order_of_the_options(pilot, enrolment):
    instrument = instrument_services.instrument_question_add(
        pilot=pilot,
        phase=Phase.EXPERIENCE,
        kind=QuestionKind.MULTIPLE_CHOICE,
        prompt="Where did you use it?",
        choices=["Office", "Site", "Train"],
        required=False,
    )
    question = instrument.questions.get(prompt="Where did you use it?")

    response = _save(pilot, enrolment, {question.pk: ["Train", "Office"]}, submit=False)

    assert response.answers.get().value_choices == ["Office", "Train"]


# --- Bad answers: a clear error on the field, and nothing saved ---------------------------------


@pytest.mark.parametrize(
    ("role", "value", "message"),
    [
        ("adopt", 11, "Choose a whole number from 0 to 10."),
        ("adopt", -1, "Choose a whole number from 0 to 10."),
        ("adopt", "7.5", "Choose a whole number from 0 to 10."),
        ("adopt", True, "Choose a whole number from 0 to 10."),
        ("job_done", "Maybe", "Choose one of “Yes”, “Partly”, “No”."),
        ("job_done", ["Yes"], "Choose one of “Yes”, “Partly”, “No”."),
        ("better", 42, "Give your answer as text."),
        (
            "better",
            "x" * 5001,
            "Keep your answer to 5,000 characters or fewer (it has 5,001); nothing was cut.",
        ),
        ("experienced", 5, "Give a rating for each dimension, keyed by dimension."),
    ],
)
def test_a_bad_answer_is_refused_on_its_field_even_in_a_draft(
    pilot, enrolment, role, value, message
):
    with pytest.raises(ValidationError) as caught:
        _save(pilot, enrolment, {_ids(pilot)[role]: value}, submit=False)

    assert _errors(caught) == {f"answers.{_ids(pilot)[role]}": [message]}
    assert not FeedbackResponse.objects.exists()


def test_a_rating_out_of_range_is_named_with_its_dimension(pilot, enrolment):
    q = _ids(pilot)

    with pytest.raises(ValidationError) as caught:
        _save(
            pilot, enrolment, _experience(pilot, sacrifice={"useful": 7, "speed": 2}), submit=False
        )

    assert _errors(caught) == {
        f"answers.{q['sacrifice']}.useful": ["Choose a whole number from 0 to 6."]
    }


def test_a_submission_names_every_missing_required_answer(pilot, enrolment):
    q = _ids(pilot)
    answers = _experience(pilot, job_done="", experienced={"useful": 5, "usable": 4})
    del answers[q["recommend"]]

    with pytest.raises(ValidationError) as caught:
        _save(pilot, enrolment, answers, submit=True)

    assert _errors(caught) == {
        f"answers.{q['job_done']}": ["This question needs an answer."],
        f"answers.{q['recommend']}": ["This question needs an answer."],
        f"answers.{q['experienced']}.delightful": ["Give a rating for Delightful."],
        f"answers.{q['experienced']}.speed": ["Give a rating for Speed."],
        f"answers.{q['experienced']}.trust": ["Give a rating for Trust."],
    }
    assert not FeedbackResponse.objects.exists()


def test_an_optional_per_dimension_question_is_rated_for_every_dimension_or_none(pilot, enrolment):
    instrument = instrument_services.instrument_question_add(
        pilot=pilot,
        phase=Phase.EXPERIENCE,
        kind=QuestionKind.SCALE_1_7,
        prompt="How important is each to you?",
        per_dimension=True,
        required=False,
    )
    extra = instrument.questions.get(per_dimension=True, role="").pk

    with pytest.raises(ValidationError) as caught:
        _save(pilot, enrolment, {**_experience(pilot), extra: {"trust": 7}}, submit=True)
    response = _save(pilot, enrolment, _experience(pilot), submit=True)

    assert len(_errors(caught)) == 4
    assert f"answers.{extra}.useful" in _errors(caught)
    assert response.status == ResponseStatus.SUBMITTED


def test_a_failed_save_leaves_the_draft_as_it_was(pilot, enrolment):
    q = _ids(pilot)
    _save(pilot, enrolment, {q["adopt"]: 6}, submit=False)

    with pytest.raises(ValidationError):
        _save(pilot, enrolment, {q["adopt"]: 3, q["recommend"]: 99}, submit=False)
    with pytest.raises(ValidationError):
        _save(pilot, enrolment, {q["adopt"]: 3}, submit=True)

    response = FeedbackResponse.objects.get()
    assert response.status == ResponseStatus.DRAFT
    assert list(response.answers.values_list("question_id", "value_int")) == [(q["adopt"], 6)]


def test_answers_to_another_pilots_question_or_dimension_are_refused(pilot, enrolment, account_a):
    other = PilotFactory(accounts=[account_a])
    foreign = instrument_current(pilot=other).questions.get(role=QuestionRole.ADOPT)
    expectation = instrument_current(pilot=pilot).questions.get(role=QuestionRole.EXPECTED)
    q = _ids(pilot)

    with pytest.raises(ValidationError) as caught:
        _save(
            pilot,
            enrolment,
            {
                foreign.pk: 5,
                expectation.pk: dict.fromkeys(DIMENSIONS, 5),  # the other phase's question
                "nonsense": 1,
                q["experienced"]: {"price": 4},
            },
            submit=False,
        )

    assert _errors(caught) == {
        f"answers.{foreign.pk}": ["This is not a question of this check-in."],
        f"answers.{expectation.pk}": ["This is not a question of this check-in."],
        "answers.nonsense": ["This is not a question of this check-in."],
        f"answers.{q['experienced']}.price": ["This is not a dimension of this check-in."],
    }
    assert not FeedbackResponse.objects.exists()


def test_an_enrolment_in_another_pilot_cannot_answer_this_check_in(pilot, member_a, account_a):
    elsewhere = enrolled(PilotFactory(accounts=[account_a]), member_a)

    with pytest.raises(ValidationError, match="another pilot"):
        _save(pilot, elsewhere, _experience(pilot), submit=False)

    assert not FeedbackResponse.objects.exists()


# --- When a check-in can be answered ----------------------------------------------------------


def test_an_experience_check_in_opens_when_the_pilot_runs(account_a, member_a):
    pilot = PilotFactory(accounts=[account_a])  # recruiting; runs in a week
    enrolment = enrolled(pilot, member_a)
    q = _ids(pilot)

    with pytest.raises(ValidationError, match="opens when the pilot runs"):
        _save(pilot, enrolment, {q["adopt"]: 5}, submit=False)
    expectation = _save(
        pilot,
        enrolment,
        {q["expected"]: dict.fromkeys(DIMENSIONS, 5)},
        submit=True,
        phase="expectation",
    )

    assert FeedbackResponse.objects.get() == expectation


def test_a_closed_pilot_takes_answers_for_a_week_after_its_last_day(pilot, enrolment):
    pilot.state = PilotState.CLOSED
    pilot.save()
    last_day = pilot.runs_until

    _save(pilot, enrolment, _experience(pilot), submit=False, today=last_day + dt.timedelta(days=7))
    with pytest.raises(ValidationError, match="no longer takes feedback"):
        _save(
            pilot, enrolment, _experience(pilot), submit=True, today=last_day + dt.timedelta(days=8)
        )

    assert FeedbackResponse.objects.get().status == ResponseStatus.DRAFT


# --- Versions ------------------------------------------------------------------------------------


def test_a_draft_keeps_its_version_while_new_responses_use_the_newest(pilot, enrolment, account_a):
    q = _ids(pilot)
    v1_answers = _experience(pilot)
    _save(pilot, enrolment, {q["adopt"]: 6}, submit=False)
    v2 = instrument_services.instrument_question_add(
        pilot=pilot,
        phase=Phase.EXPERIENCE,
        kind=QuestionKind.TEXT,
        prompt="Anything else?",
        required=True,
    )
    colleague = enrolled(pilot, customer(account_a))

    kept = _save(pilot, enrolment, v1_answers, submit=True)  # v1's ids: still valid
    with pytest.raises(ValidationError) as caught:
        _save(pilot, colleague, v1_answers, submit=True)  # v1's ids: not v2's questions
    new_ids = {q.role or "anything": q.pk for q in v2.questions.all()}
    newest = _save(
        pilot,
        colleague,
        {
            new_ids["experienced"]: dict.fromkeys(DIMENSIONS, 4),
            new_ids["sacrifice"]: dict.fromkeys(DIMENSIONS, 2),
            new_ids["job_done"]: "Yes",
            new_ids["adopt"]: 8,
            new_ids["recommend"]: 10,
            new_ids["anything"]: "All good.",
        },
        submit=True,
    )

    assert (kept.instrument.version, newest.instrument.version) == (1, 2)
    assert all(key.startswith("answers.") for key in _errors(caught))
    assert {a.question.instrument_id for a in Answer.objects.filter(response=kept)} == {
        kept.instrument_id
    }
    assert Answer.objects.filter(response=newest, question__prompt="Anything else?").exists()
