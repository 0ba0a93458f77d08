"""/api/v1/check-ins/… (members answer) and /api/v1/pilots/<id>/instrument/… (product managers
design the instrument)."""

from __future__ import annotations

import pytest

from community.models import ActivityEvent
from ideas.models import FeedbackResponse, Phase, PilotState, QuestionRole, ResponseStatus
from ideas.selectors.instrument import instrument_current
from ideas.services import feedback as services
from ideas.services import instrument as instrument_services
from tests.accounts.factories import customer
from tests.api_helpers import api_error, api_login
from tests.ideas.factories import PilotFactory, enrolled, feedback_response

DIMENSIONS = ["useful", "usable", "delightful", "speed", "trust"]


def _url(check_in, tail: str = "") -> str:
    return f"/api/v1/check-ins/{check_in.pk}/{tail}"


def _ids(pilot) -> dict[str, int]:
    return {q.role: q.pk for q in instrument_current(pilot=pilot).questions.all()}


def _answers(pilot, **changes) -> dict:
    q = _ids(pilot)
    answers = {
        str(q["experienced"]): dict.fromkeys(DIMENSIONS, 6),
        str(q["sacrifice"]): dict.fromkeys(DIMENSIONS, 0),
        str(q["job_done"]): "Yes",
        str(q["adopt"]): 9,
        str(q["recommend"]): 10,
        str(q["unmet"]): None,
        str(q["better"]): "More offline maps.",
    }
    answers.update({str(q[role]): value for role, value in changes.items()})
    return answers


def _errors(response) -> dict[str, str]:
    return {e["attr"]: e["detail"] for e in response.json()["errors"]}


# --- Reading a check-in -----------------------------------------------------------------------


def test_a_member_reads_the_questions_of_the_check_in_and_no_response_yet(
    api, member_a, pilot, enrolment, experience
):
    api_login(api, member_a)

    response = api.get(_url(experience))

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["phase"], body["instrument_version"], body["response"]) == (
        experience.pk,
        "experience",
        1,
        None,
    )
    assert body["pilot"]["what_to_expect"] == pilot.what_to_expect
    assert body["closed_reason"] == ""
    assert [d["key"] for d in body["dimensions"]] == DIMENSIONS
    assert [q["role"] for q in body["questions"]] == [
        "experienced",
        "sacrifice",
        "job_done",
        "adopt",
        "recommend",
        "unmet",
        "better",
    ]
    sacrifice = body["questions"][1]
    assert (sacrifice["per_dimension"], sacrifice["min_value"], sacrifice["max_value"]) == (
        True,
        0,
        6,
    )
    assert body["questions"][2]["choices"] == ["Yes", "Partly", "No"]


def test_reading_a_check_in_costs_the_same_queries_with_more_dimensions(
    api, member_a, pilot, enrolment, experience, django_assert_num_queries
):
    services.response_save(
        check_in=experience, enrolment=enrolment, answers=_answers(pilot), submit=False
    )
    for count in (5, 9):
        while instrument_current(pilot=pilot).dimensions.count() < count:
            instrument_services.instrument_dimension_add(
                pilot=pilot, label=f"Aspect {instrument_current(pilot=pilot).dimensions.count()}"
            )
        api_login(api, member_a)
        # 1 membership, 2 the check-in with its pilot, 3 the enrolment, 4 the response with
        # its instrument, 5 the questions, 6 the dimensions, 7 the answers
        with django_assert_num_queries(7):
            response = api.get(_url(experience))
        assert len(response.json()["response"]["answers"]) == 6  # the draft keeps version 1


# --- Draft and submit -------------------------------------------------------------------------


def test_a_member_saves_a_draft_then_submits_it(api, member_a, pilot, enrolment, experience):
    api_login(api, member_a)
    q = _ids(pilot)

    draft = api.put(_url(experience, "response/"), {"answers": {str(q["adopt"]): 4}})
    read = api.get(_url(experience))
    submitted = api.post(_url(experience, "response/submit/"), {"answers": _answers(pilot)})

    assert draft.status_code == 200
    assert (draft.json()["status"], draft.json()["answers"]) == ("draft", {str(q["adopt"]): 4})
    assert read.json()["response"]["answers"] == {str(q["adopt"]): 4}
    assert submitted.status_code == 200
    body = submitted.json()
    assert body["status"] == "submitted"
    assert body["submitted_at"] is not None
    assert body["answers"][str(q["experienced"])] == dict.fromkeys(DIMENSIONS, 6)
    assert str(q["unmet"]) not in body["answers"]
    row = FeedbackResponse.objects.get()
    assert (row.status, row.answers.count()) == (ResponseStatus.SUBMITTED, 14)
    assert ActivityEvent.objects.get().kind == "feedback_given"


def test_submitting_without_answers_submits_the_draft(api, member_a, pilot, enrolment, experience):
    api_login(api, member_a)
    api.put(_url(experience, "response/"), {"answers": _answers(pilot)})

    response = api.post(_url(experience, "response/submit/"), {})

    assert response.status_code == 200
    assert FeedbackResponse.objects.get().status == ResponseStatus.SUBMITTED


def test_a_second_submission_is_refused_and_changes_nothing(
    api, member_a, pilot, enrolment, experience
):
    api_login(api, member_a)
    api.post(_url(experience, "response/submit/"), {"answers": _answers(pilot)})

    again = api.post(_url(experience, "response/submit/"), {"answers": _answers(pilot, adopt=0)})
    draft = api.put(_url(experience, "response/"), {"answers": _answers(pilot, adopt=0)})

    for response in (again, draft):
        assert response.status_code == 400
        error = api_error(response)
        assert error["attr"] == "non_field_errors"
        assert error["detail"].startswith("You submitted this check-in on")
    assert FeedbackResponse.objects.count() == 1
    assert FeedbackResponse.objects.get().answers.get(question__role="adopt").value_int == 9
    assert ActivityEvent.objects.count() == 1


def test_bad_answers_get_field_errors_and_nothing_is_saved(
    api, member_a, pilot, enrolment, experience, account_a
):
    other = PilotFactory(accounts=[account_a])
    foreign = instrument_current(pilot=other).questions.get(role=QuestionRole.ADOPT).pk
    q = _ids(pilot)
    api_login(api, member_a)

    response = api.post(
        _url(experience, "response/submit/"),
        {
            "answers": {
                **_answers(pilot, adopt=11, job_done="Maybe", experienced={"useful": 8}),
                str(foreign): 5,
            }
        },
    )

    assert response.status_code == 400
    errors = _errors(response)
    assert errors[f"answers.{q['adopt']}"] == "Choose a whole number from 0 to 10."
    assert errors[f"answers.{q['job_done']}"] == "Choose one of “Yes”, “Partly”, “No”."
    assert errors[f"answers.{q['experienced']}.useful"] == "Choose a whole number from 1 to 7."
    assert errors[f"answers.{foreign}"] == "This is not a question of this check-in."
    assert not FeedbackResponse.objects.exists()


def test_a_submission_missing_required_answers_names_them(
    api, member_a, pilot, enrolment, experience
):
    q = _ids(pilot)
    answers = _answers(pilot, experienced={"useful": 5})
    del answers[str(q["recommend"])]
    api_login(api, member_a)

    response = api.post(_url(experience, "response/submit/"), {"answers": answers})

    assert response.status_code == 400
    errors = _errors(response)
    assert errors[f"answers.{q['recommend']}"] == "This question needs an answer."
    assert errors[f"answers.{q['experienced']}.trust"] == "Give a rating for Trust."
    assert len(errors) == 5
    assert not FeedbackResponse.objects.exists()


def test_answers_must_be_an_object(api, member_a, enrolment, experience):
    api_login(api, member_a)

    response = api.put(_url(experience, "response/"), {"answers": [1, 2]})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "answers"
    assert not FeedbackResponse.objects.exists()


def test_an_experience_check_in_before_the_pilot_runs_is_refused(api, member_a, account_a):
    pilot = PilotFactory(accounts=[account_a])
    enrolled(pilot, member_a)
    check_in = pilot.check_ins.filter(phase=Phase.EXPERIENCE).first()
    api_login(api, member_a)

    read = api.get(_url(check_in))
    response = api.put(_url(check_in, "response/"), {"answers": {}})

    assert read.json()["closed_reason"].startswith("This check-in opens when the pilot runs")
    assert response.status_code == 400
    assert "opens when the pilot runs" in api_error(response)["detail"]
    assert not FeedbackResponse.objects.exists()


# --- Outsiders on check-ins ---------------------------------------------------------------------


def test_a_member_of_another_account_gets_404(api, member_b, pilot, enrolment, experience):
    api_login(api, member_b)

    responses = [
        api.get(_url(experience)),
        api.put(_url(experience, "response/"), {"answers": _answers(pilot)}),
        api.post(_url(experience, "response/submit/"), {"answers": _answers(pilot)}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    assert api_error(responses[0])["detail"] == "No such check-in."
    assert not FeedbackResponse.objects.exists()


def test_a_colleague_who_did_not_enrol_gets_403(api, account_a, pilot, experience):
    api_login(api, customer(account_a))

    responses = [
        api.get(_url(experience)),
        api.post(_url(experience, "response/submit/"), {"answers": _answers(pilot)}),
    ]

    assert [r.status_code for r in responses] == [403, 403]
    assert api_error(responses[0])["detail"] == "Enrol in the pilot to answer its check-ins."
    assert not FeedbackResponse.objects.exists()


def test_anonymous_callers_get_401(api, pilot, experience):
    for response in (
        api.get(_url(experience)),
        api.put(_url(experience, "response/"), {"answers": {}}),
        api.post(_url(experience, "response/submit/"), {}),
    ):
        assert response.status_code == 401
    assert not FeedbackResponse.objects.exists()


# --- The instrument designer --------------------------------------------------------------------


def _instrument_url(pilot, tail: str = "") -> str:
    return f"/api/v1/pilots/{pilot.pk}/instrument/{tail}"


def test_a_product_manager_reads_the_instrument(api, product_manager, pilot):
    api_login(api, product_manager)

    response = api.get(_instrument_url(pilot))

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["has_responses"], body["editable"]) == (1, False, True)
    assert len(body["questions"]) == 8
    assert [d["key"] for d in body["dimensions"]] == DIMENSIONS


def test_the_question_and_dimension_lists_cost_the_same_queries_for_more_rows(
    api, product_manager, pilot, django_assert_num_queries
):
    for extra in (0, 5):
        while instrument_current(pilot=pilot).questions.count() < 8 + extra:
            instrument_services.instrument_question_add(
                pilot=pilot, phase="experience", kind="text", prompt="More?"
            )
            instrument_services.instrument_dimension_add(
                pilot=pilot, label=f"Aspect {instrument_current(pilot=pilot).questions.count()}"
            )
        # 1 membership (none: internal), 2 the pilot, 3 permissions (own and groups'),
        # 4 the newest instrument's questions (or dimensions), no more
        api_login(api, product_manager)
        with django_assert_num_queries(4):
            questions = api.get(_instrument_url(pilot, "questions/"))
        api_login(api, product_manager)
        with django_assert_num_queries(4):
            dimensions = api.get(_instrument_url(pilot, "dimensions/"))
        assert (len(questions.json()), len(dimensions.json())) == (8 + extra, 5 + extra)
        # The same rows, in the same order, as the whole instrument gives them.
        whole = api.get(_instrument_url(pilot)).json()
        assert (questions.json(), dimensions.json()) == (whole["questions"], whole["dimensions"])


def test_a_product_manager_adds_rewords_moves_and_removes_a_question(api, product_manager, pilot):
    api_login(api, product_manager)

    added = api.post(
        _instrument_url(pilot, "questions/"),
        {
            "phase": "experience",
            "kind": "multiple_choice",
            "prompt": "Where did you use it?",
            "choices": ["Office", "Site"],
            "required": False,
        },
    )
    new_id = next(q["id"] for q in added.json()["questions"] if q["prompt"].startswith("Where"))
    reworded = api.patch(
        _instrument_url(pilot, f"questions/{new_id}/"), {"choices": ["Office", "Site", "Train"]}
    )
    moved = api.post(_instrument_url(pilot, f"questions/{new_id}/move/"), {"direction": "up"})
    read = api.get(_instrument_url(pilot, f"questions/{new_id}/"))
    adopt = _ids(pilot)["adopt"]
    removed = api.delete(_instrument_url(pilot, f"questions/{adopt}/"))

    assert added.status_code == 201
    assert [r.status_code for r in (reworded, moved, read, removed)] == [200] * 4
    assert read.json()["choices"] == ["Office", "Site", "Train"]
    prompts = [q["prompt"] for q in removed.json()["questions"] if q["phase"] == "experience"]
    assert prompts[-3:] == [
        "What did you expect that did not happen?",
        "Where did you use it?",
        "What could we have done better?",
    ]
    assert "adopt" not in {q["role"] for q in removed.json()["questions"]}
    assert instrument_current(pilot=pilot).version == 1


def test_a_product_manager_adds_renames_moves_and_removes_a_dimension(api, product_manager, pilot):
    api_login(api, product_manager)

    added = api.post(_instrument_url(pilot, "dimensions/"), {"label": "Value for money"})
    price = next(d for d in added.json()["dimensions"] if d["key"] == "value-for-money")
    renamed = api.patch(_instrument_url(pilot, f"dimensions/{price['id']}/"), {"label": "Price"})
    moved = api.post(_instrument_url(pilot, f"dimensions/{price['id']}/move/"), {"direction": "up"})
    trust = next(d for d in moved.json()["dimensions"] if d["key"] == "trust")
    removed = api.delete(_instrument_url(pilot, f"dimensions/{trust['id']}/"))

    assert added.status_code == 201
    assert [r.status_code for r in (renamed, moved, removed)] == [200] * 3
    assert [(d["key"], d["label"]) for d in removed.json()["dimensions"]][-2:] == [
        ("speed", "Speed"),
        ("value-for-money", "Price"),
    ]


def test_an_edit_after_answers_answers_version_two_with_new_ids(
    api, product_manager, pilot, enrolment, experience
):
    answered = feedback_response(enrolment, experience, adopt=5)
    adopt = _ids(pilot)["adopt"]
    api_login(api, product_manager)

    response = api.patch(_instrument_url(pilot, f"questions/{adopt}/"), {"prompt": "Adopt it?"})
    stale = api.patch(_instrument_url(pilot, f"questions/{adopt}/"), {"prompt": "Again?"})

    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["has_responses"]) == (2, False)
    new_adopt = next(q for q in body["questions"] if q["role"] == "adopt")
    assert (new_adopt["prompt"], new_adopt["id"] != adopt) == ("Adopt it?", True)
    assert stale.status_code == 404
    assert answered.instrument.questions.get(pk=adopt).prompt == "How likely are you to adopt it?"


@pytest.mark.parametrize(
    ("body", "attr", "detail"),
    [
        (
            {"phase": "experience", "kind": "single_choice", "prompt": "Plan?", "choices": ["A"]},
            "choices",
            "Give at least two options, one per line.",
        ),
        (
            {"phase": "experience", "kind": "text", "prompt": "Hm?", "per_dimension": True},
            "per_dimension",
            "Only scales can be asked once per dimension.",
        ),
        (
            {"phase": "later", "kind": "text", "prompt": "Hm?"},
            "phase",
            '"later" is not a valid choice.',
        ),
        (
            {"phase": "experience", "kind": "likelihood_0_10", "prompt": "Hm?", "role": "adopt"},
            "role",
            "The instrument already has a question for “Likelihood to adopt”.",
        ),
    ],
)
def test_a_bad_question_gets_a_field_error_and_changes_nothing(
    api, product_manager, pilot, body, attr, detail
):
    api_login(api, product_manager)

    response = api.post(_instrument_url(pilot, "questions/"), body)

    assert response.status_code == 400
    assert (api_error(response)["attr"], api_error(response)["detail"]) == (attr, detail)
    assert instrument_current(pilot=pilot).questions.count() == 8


def test_removing_the_last_dimension_and_editing_a_closed_pilot_are_refused(
    api, product_manager, pilot
):
    api_login(api, product_manager)
    dimensions = list(instrument_current(pilot=pilot).dimensions.all())
    for dimension in dimensions[1:]:
        api.delete(_instrument_url(pilot, f"dimensions/{dimension.pk}/"))

    last = api.delete(_instrument_url(pilot, f"dimensions/{dimensions[0].pk}/"))
    pilot.state = PilotState.CLOSED
    pilot.save()
    closed = api.post(_instrument_url(pilot, "dimensions/"), {"label": "Price"})

    assert last.status_code == closed.status_code == 400
    assert api_error(last)["detail"] == "An instrument keeps at least one dimension."
    assert api_error(closed)["detail"] == "The pilot is closed: its instrument no longer changes."
    assert list(instrument_current(pilot=pilot).dimensions.values_list("key", flat=True)) == [
        "useful"
    ]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("member_a", 403), ("admin_a", 403), ("account_manager_a", 403), ("member_b", 404)],
)
def test_only_product_managers_use_the_instrument_api(api, request, pilot, persona, status):
    api_login(api, request.getfixturevalue(persona))
    adopt = _ids(pilot)["adopt"]
    useful = instrument_current(pilot=pilot).dimensions.get(key="useful").pk

    responses = [
        api.get(_instrument_url(pilot)),
        api.get(_instrument_url(pilot, "questions/")),
        api.post(
            _instrument_url(pilot, "questions/"),
            {"phase": "experience", "kind": "text", "prompt": "Hacked?"},
        ),
        api.patch(_instrument_url(pilot, f"questions/{adopt}/"), {"prompt": "Hacked?"}),
        api.delete(_instrument_url(pilot, f"questions/{adopt}/")),
        api.post(_instrument_url(pilot, f"questions/{adopt}/move/"), {"direction": "up"}),
        api.post(_instrument_url(pilot, "dimensions/"), {"label": "Hacked"}),
        api.patch(_instrument_url(pilot, f"dimensions/{useful}/"), {"label": "Hacked"}),
        api.delete(_instrument_url(pilot, f"dimensions/{useful}/")),
    ]

    assert {r.status_code for r in responses} == {status}
    instrument = instrument_current(pilot=pilot)
    assert (instrument.version, instrument.questions.count(), instrument.dimensions.count()) == (
        1,
        8,
        5,
    )
    assert not instrument.questions.filter(prompt="Hacked?").exists()


def test_anonymous_callers_cannot_use_the_instrument_api(api, pilot):
    responses = [
        api.get(_instrument_url(pilot)),
        api.post(_instrument_url(pilot, "dimensions/"), {"label": "Hacked"}),
    ]

    assert {r.status_code for r in responses} == {401}
    assert instrument_current(pilot=pilot).dimensions.count() == 5
