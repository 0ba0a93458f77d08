"""The instrument designer's services: edits in place while nobody answered, a new version once
someone did, and the rules every question and dimension must keep."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ideas.models import (
    Dimension,
    FeedbackResponse,
    Instrument,
    Phase,
    PilotState,
    Question,
    QuestionKind,
    QuestionRole,
)
from ideas.selectors.instrument import instrument_current
from ideas.services import instrument as services
from tests.ideas.factories import PilotFactory, enrolled, feedback_response


@pytest.fixture
def pilot(account_a):
    return PilotFactory(accounts=[account_a])


@pytest.fixture
def answered(pilot, member_a):
    """Alice gave her expectation: version 1 now has a response."""
    enrolment = enrolled(pilot, member_a)
    check_in = pilot.check_ins.get(phase=Phase.EXPECTATION)
    return feedback_response(enrolment, check_in, expected={"useful": 6})


def _question(pilot, role) -> Question:
    return instrument_current(pilot=pilot).questions.get(role=role)


def _prompts(instrument: Instrument, phase: str) -> list[str]:
    return list(
        instrument.questions.filter(phase=phase)
        .order_by("position")
        .values_list("prompt", flat=True)
    )


# --- In place, or a new version ---------------------------------------------------------------


def test_while_nobody_answered_an_edit_changes_the_instrument_in_place(pilot):
    instrument = services.instrument_question_add(
        pilot=pilot,
        phase=Phase.EXPERIENCE,
        kind=QuestionKind.MULTIPLE_CHOICE,
        prompt="Which devices did you use?",
        choices=["Phone", " Tablet ", ""],
    )

    assert instrument.version == 1
    assert pilot.instruments.count() == 1
    added = instrument.questions.get(prompt="Which devices did you use?")
    assert (added.choices, added.required, added.role) == (["Phone", "Tablet"], True, "")
    assert _prompts(instrument, Phase.EXPERIENCE)[-1] == "Which devices did you use?"


def test_once_someone_answered_an_edit_makes_a_new_version_and_old_answers_keep_theirs(
    pilot, answered
):
    old = answered.instrument
    question = _question(pilot, QuestionRole.RECOMMEND)

    new = services.instrument_question_update(question=question, prompt="Would you recommend it?")

    assert (old.version, new.version) == (1, 2)
    assert instrument_current(pilot=pilot) == new
    assert old.questions.get(pk=question.pk).prompt.startswith("How likely are you to recommend")
    assert new.questions.get(role=QuestionRole.RECOMMEND).prompt == "Would you recommend it?"
    assert new.questions.count() == old.questions.count() == 8
    assert list(new.dimensions.values_list("key", flat=True)) == list(
        old.dimensions.values_list("key", flat=True)
    )
    answered.refresh_from_db()
    assert answered.instrument == old
    assert answered.answers.get().question.instrument == old


def test_the_new_version_takes_further_edits_in_place_until_someone_answers_it(pilot, answered):
    services.instrument_dimension_add(pilot=pilot, label="Price")
    second = services.instrument_dimension_add(pilot=pilot, label="Support")

    assert second.version == 2
    assert list(second.dimensions.values_list("key", flat=True))[-2:] == ["price", "support"]
    assert answered.instrument.dimensions.count() == 5


def test_a_save_that_changes_nothing_makes_no_new_version(pilot, answered):
    question = _question(pilot, QuestionRole.JOB_DONE)

    instrument = services.instrument_question_update(
        question=question, prompt=question.prompt, choices=["Yes", "Partly", "No"]
    )

    assert instrument.version == 1
    assert pilot.instruments.count() == 1


def test_a_question_of_an_older_version_can_no_longer_be_edited(pilot, answered):
    stale = _question(pilot, QuestionRole.ADOPT)
    services.instrument_question_update(question=stale, prompt="Will you adopt it?")

    with pytest.raises(ValidationError, match="older version"):
        services.instrument_question_update(question=stale, prompt="Adopt?")

    assert pilot.instruments.count() == 2


def test_a_closed_pilots_instrument_no_longer_changes(pilot):
    pilot.state = PilotState.CLOSED
    pilot.save()

    with pytest.raises(ValidationError, match="closed"):
        services.instrument_dimension_add(pilot=pilot, label="Price")
    with pytest.raises(ValidationError, match="closed"):
        services.instrument_question_remove(question=_question(pilot, QuestionRole.BETTER))

    assert Dimension.objects.filter(label="Price").count() == 0
    assert _question(pilot, QuestionRole.BETTER)


# --- The rules of a question ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("choices", "message"),
    [
        (["Yes"], "at least two options"),
        ([], "at least two options"),
        (["Yes", " yes "], "must be different"),
        (["x" * 101, "y"], "under 101 characters"),
    ],
)
def test_a_choice_question_needs_two_different_options(pilot, choices, message):
    with pytest.raises(ValidationError) as caught:
        services.instrument_question_add(
            pilot=pilot,
            phase=Phase.EXPERIENCE,
            kind=QuestionKind.SINGLE_CHOICE,
            prompt="Did you use it daily?",
            choices=choices,
        )

    assert message in caught.value.message_dict["choices"][0]
    assert not Question.objects.filter(prompt="Did you use it daily?").exists()


def test_every_bad_field_of_a_new_question_is_named_at_once(pilot):
    with pytest.raises(ValidationError) as caught:
        services.instrument_question_add(
            pilot=pilot,
            phase=Phase.EXPERIENCE,
            kind=QuestionKind.TEXT,
            prompt="  ",
            help_text="h" * 301,
            choices=["A", "B"],
        )

    assert set(caught.value.message_dict) == {"prompt", "help_text", "choices"}
    assert caught.value.message_dict["choices"] == ["Only choice questions have options."]


def test_only_scales_are_asked_per_dimension(pilot):
    with pytest.raises(ValidationError) as caught:
        services.instrument_question_add(
            pilot=pilot,
            phase=Phase.EXPERIENCE,
            kind=QuestionKind.TEXT,
            prompt="Say something per dimension",
            per_dimension=True,
        )

    assert "per_dimension" in caught.value.message_dict


def test_a_role_must_have_its_shape_and_is_held_by_one_question(pilot):
    with pytest.raises(ValidationError) as wrong_shape:
        services.instrument_question_add(
            pilot=pilot,
            phase=Phase.EXPERIENCE,
            kind=QuestionKind.SCALE_1_7,
            prompt="Would you recommend it?",
            role=QuestionRole.RECOMMEND,
        )
    with pytest.raises(ValidationError) as taken:
        services.instrument_question_add(
            pilot=pilot,
            phase=Phase.EXPERIENCE,
            kind=QuestionKind.LIKELIHOOD_0_10,
            prompt="Would you recommend it?",
            role=QuestionRole.RECOMMEND,
        )

    assert "likelihood 0–10 question" in wrong_shape.value.message_dict["role"][0]
    assert "already has a question" in taken.value.message_dict["role"][0]
    assert instrument_current(pilot=pilot).questions.count() == 8


def test_a_question_the_results_read_can_be_removed_and_added_back(pilot):
    """Our choice: removing a role question is allowed; the results then lack that figure."""
    services.instrument_question_remove(question=_question(pilot, QuestionRole.RECOMMEND))
    instrument = services.instrument_question_add(
        pilot=pilot,
        phase=Phase.EXPERIENCE,
        kind=QuestionKind.LIKELIHOOD_0_10,
        prompt="Would you recommend it to a peer?",
        role=QuestionRole.RECOMMEND,
    )

    assert instrument.questions.get(role=QuestionRole.RECOMMEND).prompt == (
        "Would you recommend it to a peer?"
    )
    positions = list(
        instrument.questions.filter(phase=Phase.EXPERIENCE)
        .order_by("position")
        .values_list("position", flat=True)
    )
    assert positions == list(range(7))


def test_options_of_a_choice_question_can_be_reworded_but_stay_valid(pilot):
    question = _question(pilot, QuestionRole.JOB_DONE)

    services.instrument_question_update(
        question=question, choices=["Fully", "Partly", "Not at all"]
    )
    with pytest.raises(ValidationError) as caught:
        services.instrument_question_update(question=question, choices=["Fully"])

    question.refresh_from_db()
    assert question.choices == ["Fully", "Partly", "Not at all"]
    assert "choices" in caught.value.message_dict


# --- Order --------------------------------------------------------------------------------------


def test_a_question_moves_within_its_phase_and_stops_at_the_edge(pilot):
    job_done = _question(pilot, QuestionRole.JOB_DONE)

    services.instrument_question_move(question=job_done, direction="up")
    instrument = services.instrument_question_move(
        question=_question(pilot, QuestionRole.EXPECTED), direction="up"
    )

    assert _prompts(instrument, Phase.EXPERIENCE)[:3] == [
        "How was it?",
        "Did it do the job?",
        "How far short of what you wanted exactly did you have to settle?",
    ]
    assert _prompts(instrument, Phase.EXPECTATION) == ["What do you expect?"]


def test_a_move_at_the_edge_makes_no_new_version(pilot, answered):
    first = _question(pilot, QuestionRole.EXPERIENCED)

    instrument = services.instrument_question_move(question=first, direction="up")

    assert instrument.version == 1
    assert pilot.instruments.count() == 1


def test_a_move_after_answers_reorders_the_new_version_only(pilot, answered):
    last = _question(pilot, QuestionRole.BETTER)

    new = services.instrument_question_move(question=last, direction="up")

    assert new.version == 2
    assert _prompts(new, Phase.EXPERIENCE)[-2:] == [
        "What could we have done better?",
        "What did you expect that did not happen?",
    ]
    assert _prompts(answered.instrument, Phase.EXPERIENCE)[-1] == "What could we have done better?"


# --- Dimensions ---------------------------------------------------------------------------------


def test_a_dimension_is_added_renamed_moved_and_removed_with_its_key_kept(pilot):
    services.instrument_dimension_add(pilot=pilot, label="Value for money", description="Price")
    added = instrument_current(pilot=pilot).dimensions.get(key="value-for-money")
    services.instrument_dimension_update(dimension=added, label="Price")
    instrument = services.instrument_dimension_move(dimension=added, direction="up")
    assert list(instrument.dimensions.order_by("position").values_list("key", flat=True)) == [
        "useful",
        "usable",
        "delightful",
        "speed",
        "value-for-money",
        "trust",
    ]
    added.refresh_from_db()
    assert (added.label, added.description) == ("Price", "Price")

    instrument = services.instrument_dimension_remove(
        dimension=instrument.dimensions.get(key="usable")
    )
    assert list(instrument.dimensions.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
        3,
        4,
    ]


def test_two_dimensions_cannot_share_a_name_and_the_last_one_stays(pilot):
    with pytest.raises(ValidationError) as same_name:
        services.instrument_dimension_add(pilot=pilot, label=" useful ")
    for dimension in list(instrument_current(pilot=pilot).dimensions.all())[1:]:
        services.instrument_dimension_remove(dimension=dimension)
    with pytest.raises(ValidationError, match="at least one dimension"):
        services.instrument_dimension_remove(
            dimension=instrument_current(pilot=pilot).dimensions.get()
        )

    assert "label" in same_name.value.message_dict
    assert instrument_current(pilot=pilot).dimensions.get().key == "useful"


def test_removing_a_dimension_after_answers_keeps_it_in_the_answered_version(pilot, answered):
    useful = instrument_current(pilot=pilot).dimensions.get(key="useful")

    new = services.instrument_dimension_remove(dimension=useful)

    assert new.version == 2
    assert "useful" not in set(new.dimensions.values_list("key", flat=True))
    assert answered.answers.get().dimension == useful
    assert FeedbackResponse.objects.get().instrument.version == 1
