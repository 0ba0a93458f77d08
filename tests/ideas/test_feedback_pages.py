"""The check-in page (/check-ins/<id>/): an enrolled member reads what to expect, answers the
questions of the check-in's phase, saves a draft and submits once."""

from __future__ import annotations

import pytest

from community.models import ActivityEvent
from ideas.models import FeedbackResponse, Phase, ResponseStatus
from ideas.selectors.instrument import instrument_current
from ideas.services import instrument as services
from tests.accounts.factories import customer
from tests.ideas.factories import PilotFactory, enrolled, running_pilot

DIMENSIONS = ["useful", "usable", "delightful", "speed", "trust"]


@pytest.fixture
def pilot(account_a):
    """The shared running pilot (ideas/conftest.py), with a shorter what-to-expect."""
    return running_pilot(
        accounts=[account_a], what_to_expect="Sync within a minute of reconnecting."
    )


def _url(check_in) -> str:
    return f"/check-ins/{check_in.pk}/"


def _form(pilot, *, action: str, **changes) -> dict:
    """The experience form as a browser posts it, complete unless `changes` say otherwise."""
    q = {x.role: x.pk for x in instrument_current(pilot=pilot).questions.all()}
    data = {
        **{f"q-{q['experienced']}-{d}": "5" for d in DIMENSIONS},
        **{f"q-{q['sacrifice']}-{d}": "1" for d in DIMENSIONS},
        f"q-{q['job_done']}": "Yes",
        f"q-{q['adopt']}": "8",
        f"q-{q['recommend']}": "9",
        f"q-{q['unmet']}": "",
        f"q-{q['better']}": "Nothing, really.",
        "action": action,
    }
    for name, value in changes.items():
        role, _, dimension = name.partition("__")
        key = f"q-{q[role]}" + (f"-{dimension}" if dimension else "")
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return data


# --- Reading --------------------------------------------------------------------------------


def test_an_enrolled_member_sees_what_to_expect_and_a_row_of_ratings_per_dimension(
    client_for, member_a, enrolment, experience
):
    response = client_for(member_a).get(_url(experience))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Sync within a minute of reconnecting." in page
    assert "How was it?" in page
    assert page.count('aria-label="Useful: ') == 7 + 7  # experienced 1–7 and sacrifice 0–6
    assert 'aria-label="Trust: 7"' in page
    assert "What do you expect?" not in page  # the other phase's question
    assert 'value="submit"' in page and 'value="draft"' in page


def test_the_page_runs_the_same_queries_for_five_or_ten_dimensions(
    client_for, member_a, pilot, enrolment, experience, django_assert_num_queries
):
    client = client_for(member_a)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")
    for count in (5, 10):
        while instrument_current(pilot=pilot).dimensions.count() < count:
            services.instrument_dimension_add(
                pilot=pilot, label=f"Aspect {instrument_current(pilot=pilot).dimensions.count()}"
            )
        # 1 session, 2 user with membership, 3 the check-in with its pilot (visible pilots),
        # 4 the enrolment, 5 the response (none yet), 6 the newest instrument,
        # 7 the questions of the phase, 8 the dimensions, 9 unread notifications (navigation)
        with django_assert_num_queries(9):
            response = client.get(_url(experience))
        assert response.content.decode().count('aria-label="Aspect') == (count - 5) * 14


# --- Draft, then submit -----------------------------------------------------------------------


def test_a_member_saves_a_draft_and_finds_it_again(
    client_for, member_a, pilot, enrolment, experience
):
    client = client_for(member_a)

    response = client.post(
        _url(experience), {**_form(pilot, action="draft", job_done=None), "q-0": "junk"}
    )

    assert response.status_code == 302
    assert response["Location"] == _url(experience)
    saved = FeedbackResponse.objects.get()
    assert (saved.status, saved.enrolment) == (ResponseStatus.DRAFT, enrolment)
    assert saved.answers.count() == 5 + 5 + 3
    page = client.get(_url(experience)).content.decode()
    assert "Your draft is saved" in page
    assert 'aria-label="Useful: 5" checked' in page
    assert "Nothing, really." in page


def test_a_member_submits_once_and_then_sees_their_answers(
    client_for, member_a, pilot, enrolment, experience
):
    client = client_for(member_a)

    response = client.post(_url(experience), _form(pilot, action="submit"))
    again = client.post(_url(experience), _form(pilot, action="submit", adopt="0"))

    assert response.status_code == 302
    saved = FeedbackResponse.objects.get()
    assert saved.status == ResponseStatus.SUBMITTED
    assert ActivityEvent.objects.count() == 1
    assert again.status_code == 400
    assert "You submitted this check-in on" in again.content.decode()
    assert saved.answers.get(question__role="adopt").value_int == 8
    page = client.get(_url(experience)).content.decode()
    assert "Your answers" in page
    assert "Useful: 5; Usable: 5" in page
    assert 'value="submit"' not in page


def test_a_submission_with_gaps_shows_each_error_and_saves_nothing(
    client_for, member_a, pilot, enrolment, experience
):
    response = client_for(member_a).post(
        _url(experience),
        _form(pilot, action="submit", experienced__speed=None, adopt="11", job_done="Maybe"),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "the 3 answers marked below" in page
    assert "Give a rating for Speed." in page
    assert "Choose a whole number from 0 to 10." in page
    assert "Choose one of “Yes”, “Partly”, “No”." in page
    assert 'aria-label="Useful: 5" checked' in page  # what they gave is still there
    assert not FeedbackResponse.objects.exists()
    assert not ActivityEvent.objects.exists()


def test_an_experience_check_in_says_when_it_opens(client_for, member_a, account_a):
    pilot = PilotFactory(accounts=[account_a])  # recruiting, runs next week
    enrolled(pilot, member_a)
    check_in = pilot.check_ins.filter(phase=Phase.EXPERIENCE).first()
    client = client_for(member_a)

    page = client.get(_url(check_in)).content.decode()
    response = client.post(_url(check_in), _form(pilot, action="draft"))

    assert "This check-in opens when the pilot runs" in page
    assert 'value="draft"' not in page
    assert response.status_code == 400
    assert not FeedbackResponse.objects.exists()


# --- Outsiders --------------------------------------------------------------------------------


def test_a_member_of_another_account_cannot_find_the_check_in(
    client_for, member_b, pilot, enrolment, experience
):
    client = client_for(member_b)

    assert client.get(_url(experience)).status_code == 404
    assert client.post(_url(experience), _form(pilot, action="submit")).status_code == 404
    assert not FeedbackResponse.objects.exists()


def test_a_colleague_who_did_not_enrol_may_not_answer(client_for, account_a, pilot, experience):
    colleague = customer(account_a, first_name="Arno")
    client = client_for(colleague)

    assert client.get(_url(experience)).status_code == 403
    assert client.post(_url(experience), _form(pilot, action="submit")).status_code == 403
    assert not FeedbackResponse.objects.exists()


def test_a_product_manager_is_not_enrolled_and_answers_nothing(
    client_for, product_manager, pilot, experience
):
    response = client_for(product_manager).post(_url(experience), _form(pilot, action="submit"))

    assert response.status_code == 403
    assert not FeedbackResponse.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, experience):
    response = client.get(_url(experience))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={_url(experience)}"
