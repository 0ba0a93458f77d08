"""The instrument designer (/pilots/<id>/instrument/): product managers add, reword, reorder and
remove questions and dimensions; once members answered, a change makes a new version."""

from __future__ import annotations

import pytest

from ideas.models import Instrument, Phase, PilotState, Question, QuestionRole
from ideas.selectors.instrument import instrument_current
from ideas.services import instrument as services
from tests.ideas.factories import PilotFactory, enrolled, feedback_response


@pytest.fixture
def pilot(account_a):
    return PilotFactory(accounts=[account_a], state=PilotState.DRAFT, published=False)


def _url(pilot, tail: str = "") -> str:
    return f"/pilots/{pilot.pk}/instrument/{tail}"


def _question(pilot, role) -> Question:
    return instrument_current(pilot=pilot).questions.get(role=role)


def _experience_prompts(pilot) -> list[str]:
    return list(
        instrument_current(pilot=pilot)
        .questions.filter(phase=Phase.EXPERIENCE)
        .order_by("position", "pk")
        .values_list("prompt", flat=True)
    )


NEW_QUESTION = {
    "phase": "experience",
    "kind": "single_choice",
    "prompt": "Which plan are you on?",
    "help_text": "",
    "choices": "Basic\nPro\n\n",
    "required": "on",
    "role": "",
}


# --- Reading ----------------------------------------------------------------------------------


def test_a_product_manager_sees_dimensions_and_questions_by_phase(
    client_for, product_manager, pilot
):
    response = client_for(product_manager).get(_url(pilot))

    assert response.status_code == 200
    page = response.content.decode()
    assert "version 1" in page
    assert "No one has answered yet" in page
    assert page.index("Expectation (before the trial)") < page.index("What do you expect?")
    assert page.index("Experience (during and after)") < page.index("How was it?")
    assert page.count('<th scope="row">') == 5 + 8  # dimensions, then questions
    assert "Add a question" in page


def test_the_designer_runs_the_same_queries_for_few_or_many_questions(
    client_for, product_manager, pilot, django_assert_num_queries
):
    client = client_for(product_manager)
    for extra in (0, 6):
        while instrument_current(pilot=pilot).questions.count() < 8 + extra:
            services.instrument_question_add(
                pilot=pilot, phase="experience", kind="text", prompt="Anything else?"
            )
        # 1 session, 2 user with membership (none: internal), 3 the pilot with its idea,
        # 4 permissions (own and groups'), 5 the newest instrument (with "has responses"),
        # 6 its dimensions, 7 its questions, 8 groups and 9 unread notifications (navigation)
        with django_assert_num_queries(9):
            response = client.get(_url(pilot))
        assert response.content.decode().count('<th scope="row">Anything else?') == extra


def test_once_members_answered_the_designer_says_the_next_change_makes_a_version(
    client_for, product_manager, pilot, member_a
):
    pilot.state = PilotState.RECRUITING
    pilot.save()
    enrolment = enrolled(pilot, member_a)
    feedback_response(enrolment, pilot.check_ins.get(phase="expectation"), expected={"useful": 4})

    page = client_for(product_manager).get(_url(pilot)).content.decode()

    assert "Members have answered version 1." in page
    assert "Your next change makes version 2" in page


# --- Changing questions -----------------------------------------------------------------------


def test_a_product_manager_adds_a_choice_question(client_for, product_manager, pilot):
    response = client_for(product_manager).post(_url(pilot, "questions/"), NEW_QUESTION)

    assert response.status_code == 302
    assert response["Location"] == _url(pilot)
    added = Question.objects.get(prompt="Which plan are you on?")
    assert (added.instrument.version, added.kind, added.choices, added.required) == (
        1,
        "single_choice",
        ["Basic", "Pro"],
        True,
    )
    assert _experience_prompts(pilot)[-1] == "Which plan are you on?"


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"choices": "Basic"}, "Give at least two options, one per line."),
        ({"choices": "Pro\npro"}, "Each option must be different."),
        ({"kind": "text"}, "Only choice questions have options."),
        ({"prompt": ""}, "This field is required."),
        ({"kind": "fortune"}, "Select a valid choice."),
        ({"role": "recommend"}, "must be a likelihood 0–10 question"),
        ({"prompt": "Which\r\nplan?"}, "Keep this to one line"),
        ({"choices": "Basic\tplan\nPro"}, "Keep this to one line"),
    ],
)
def test_a_bad_new_question_is_explained_and_nothing_is_added(
    client_for, product_manager, pilot, changes, field_error
):
    response = client_for(product_manager).post(
        _url(pilot, "questions/"), {**NEW_QUESTION, **changes}
    )

    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert instrument_current(pilot=pilot).questions.count() == 8
    assert Instrument.objects.filter(pilot=pilot).count() == 1


def test_a_product_manager_rewords_a_question(client_for, product_manager, pilot):
    job_done = _question(pilot, QuestionRole.JOB_DONE)
    client = client_for(product_manager)

    form = client.get(_url(pilot, f"questions/{job_done.pk}/"))
    response = client.post(
        _url(pilot, f"questions/{job_done.pk}/"),
        {"prompt": "Did it do the job for you?", "help_text": "", "choices": "Yes\nPartly\nNo"},
    )

    assert form.status_code == 200
    assert "Yes\nPartly\nNo" in form.content.decode()
    assert response.status_code == 302
    job_done.refresh_from_db()
    assert (job_done.prompt, job_done.required, job_done.choices) == (
        "Did it do the job for you?",
        False,  # the box was left unticked
        ["Yes", "Partly", "No"],
    )


def test_rewording_with_one_option_left_is_refused(client_for, product_manager, pilot):
    job_done = _question(pilot, QuestionRole.JOB_DONE)

    response = client_for(product_manager).post(
        _url(pilot, f"questions/{job_done.pk}/"),
        {"prompt": "Done?", "required": "on", "choices": "Yes"},
    )

    assert response.status_code == 400
    assert "Give at least two options" in response.content.decode()
    job_done.refresh_from_db()
    assert (job_done.prompt, job_done.choices) == ("Did it do the job?", ["Yes", "Partly", "No"])


def test_a_product_manager_moves_and_removes_questions(client_for, product_manager, pilot):
    client = client_for(product_manager)
    better = _question(pilot, QuestionRole.BETTER)

    moved = client.post(_url(pilot, f"questions/{better.pk}/move/"), {"direction": "up"})
    removed = client.post(
        _url(pilot, f"questions/{_question(pilot, QuestionRole.RECOMMEND).pk}/remove/")
    )

    assert moved.status_code == removed.status_code == 302
    assert _experience_prompts(pilot)[-3:] == [
        "How likely are you to adopt it?",
        "What could we have done better?",
        "What did you expect that did not happen?",
    ]
    assert not instrument_current(pilot=pilot).questions.filter(role="recommend").exists()
    page = client.get(_url(pilot)).content.decode()
    assert "The results no longer show “Likelihood to recommend”." in page
    assert "The results show no “Likelihood to recommend”" in page


def test_a_move_in_a_wrong_direction_changes_nothing(client_for, product_manager, pilot):
    better = _question(pilot, QuestionRole.BETTER)

    response = client_for(product_manager).post(
        _url(pilot, f"questions/{better.pk}/move/"), {"direction": "sideways"}
    )

    assert response.status_code == 302
    assert _experience_prompts(pilot)[-1] == "What could we have done better?"


def test_an_edit_after_answers_makes_version_two_and_says_so(
    client_for, product_manager, member_a, account_a
):
    pilot = PilotFactory(accounts=[account_a])
    enrolment = enrolled(pilot, member_a)
    answered = feedback_response(
        enrolment, pilot.check_ins.get(phase="expectation"), expected={"useful": 4}
    )
    client = client_for(product_manager)

    response = client.post(_url(pilot, "questions/"), NEW_QUESTION, follow=True)

    assert "so this made version 2; answers already given keep version 1" in (
        response.content.decode()
    )
    assert instrument_current(pilot=pilot).version == 2
    assert answered.instrument.questions.count() == 8
    assert instrument_current(pilot=pilot).questions.count() == 9


def test_a_question_of_an_older_version_is_not_found(
    client_for, product_manager, account_a, member_a
):
    pilot = PilotFactory(accounts=[account_a])
    enrolment = enrolled(pilot, member_a)
    feedback_response(enrolment, pilot.check_ins.get(phase="expectation"), expected={"useful": 4})
    old = _question(pilot, QuestionRole.ADOPT)
    client = client_for(product_manager)
    client.post(_url(pilot, "questions/"), NEW_QUESTION)

    response = client.post(_url(pilot, f"questions/{old.pk}/remove/"))

    assert response.status_code == 404
    assert Question.objects.filter(pk=old.pk).exists()


def test_a_closed_pilots_instrument_is_read_only(client_for, product_manager, pilot):
    pilot.state = PilotState.CLOSED
    pilot.save()
    client = client_for(product_manager)
    adopt = _question(pilot, QuestionRole.ADOPT)

    page = client.get(_url(pilot)).content.decode()
    response = client.post(_url(pilot, f"questions/{adopt.pk}/remove/"), follow=True)
    added = client.post(_url(pilot, "questions/"), NEW_QUESTION)

    assert "its instrument no longer changes" in page
    assert "Add a question" not in page
    assert "The pilot is closed: its instrument no longer changes." in response.content.decode()
    assert added.status_code == 400
    assert instrument_current(pilot=pilot).questions.count() == 8


# --- Changing dimensions ----------------------------------------------------------------------


def test_a_product_manager_adds_renames_moves_and_removes_a_dimension(
    client_for, product_manager, pilot
):
    client = client_for(product_manager)

    added = client.post(_url(pilot, "dimensions/"), {"label": "Price", "description": ""})
    price = instrument_current(pilot=pilot).dimensions.get(key="price")
    renamed = client.post(
        _url(pilot, f"dimensions/{price.pk}/"), {"label": "Value for money", "description": "€"}
    )
    moved = client.post(_url(pilot, f"dimensions/{price.pk}/move/"), {"direction": "up"})
    trust = instrument_current(pilot=pilot).dimensions.get(key="trust")
    removed = client.post(_url(pilot, f"dimensions/{trust.pk}/remove/"))

    assert [r.status_code for r in (added, renamed, moved, removed)] == [302] * 4
    rows = instrument_current(pilot=pilot).dimensions.order_by("position")
    assert [(d.key, d.label) for d in rows][-2:] == [
        ("speed", "Speed"),
        ("price", "Value for money"),
    ]
    assert [d.position for d in rows] == [0, 1, 2, 3, 4]


def test_a_duplicate_or_empty_dimension_name_is_refused(client_for, product_manager, pilot):
    client = client_for(product_manager)
    useful = instrument_current(pilot=pilot).dimensions.get(key="useful")

    duplicate = client.post(_url(pilot, "dimensions/"), {"label": "Trust"})
    empty = client.post(_url(pilot, f"dimensions/{useful.pk}/"), {"label": " "})

    assert duplicate.status_code == empty.status_code == 400
    assert "has a dimension of that name already" in duplicate.content.decode()
    assert "This field is required." in empty.content.decode()
    assert instrument_current(pilot=pilot).dimensions.count() == 5
    useful.refresh_from_db()
    assert useful.label == "Useful"


# --- Outsiders --------------------------------------------------------------------------------


@pytest.fixture
def recruiting(account_a):
    return PilotFactory(accounts=[account_a])


def _every_write(pilot) -> list[tuple[str, dict]]:
    adopt = _question(pilot, QuestionRole.ADOPT)
    useful = instrument_current(pilot=pilot).dimensions.get(key="useful")
    return [
        (_url(pilot, "questions/"), NEW_QUESTION),
        (_url(pilot, f"questions/{adopt.pk}/"), {"prompt": "Hacked?"}),
        (_url(pilot, f"questions/{adopt.pk}/move/"), {"direction": "up"}),
        (_url(pilot, f"questions/{adopt.pk}/remove/"), {}),
        (_url(pilot, "dimensions/"), {"label": "Hacked"}),
        (_url(pilot, f"dimensions/{useful.pk}/"), {"label": "Hacked"}),
        (_url(pilot, f"dimensions/{useful.pk}/move/"), {"direction": "down"}),
        (_url(pilot, f"dimensions/{useful.pk}/remove/"), {}),
    ]


def _unchanged(pilot) -> bool:
    instrument = instrument_current(pilot=pilot)
    return (
        instrument.version == 1
        and instrument.questions.count() == 8
        and list(instrument.dimensions.values_list("label", flat=True))
        == ["Useful", "Usable", "Delightful", "Speed", "Trust"]
        and not instrument.questions.filter(prompt="Hacked?").exists()
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member_a", 403), ("admin_a", 403), ("account_manager_a", 403), ("member_b", 404)],
)
def test_only_product_managers_use_the_designer(client_for, request, recruiting, persona, status):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(_url(recruiting)).status_code == status
    for url, data in _every_write(recruiting):
        assert client.post(url, data).status_code == status, url
    assert _unchanged(recruiting)


def test_customers_do_not_even_find_a_draft_pilots_designer(client_for, member_a, pilot):
    assert client_for(member_a).get(_url(pilot)).status_code == 404


def test_a_programme_admin_may_design_too(client_for, programme_admin, pilot):
    assert client_for(programme_admin).get(_url(pilot)).status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client, recruiting):
    for url, data in [(_url(recruiting), {}), *_every_write(recruiting)]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")
    assert _unchanged(recruiting)
