"""The home's "What needs you", the ideas app's kinds (registered from ideas/apps.py into
community's registry): agreements to accept, check-ins due and overdue, pilots recruiting that
fit, ideas awaiting review, pilots awaiting a decision, pilots with a low response rate; and
the enrolment that leads on to the expectation form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Segment
from community.selectors.todos import todos_for
from ideas.models import CheckIn, IdeaStatus, Phase, PilotState
from ideas.selectors.todos import LOW_RESPONSE_PERCENT, check_in_overdue
from tests.community.todo_helpers import TODAY, home_items, home_queries, kinds, opens
from tests.ideas.factories import (
    IdeaFactory,
    PilotFactory,
    agreement_accepted,
    enrolled,
    feedback_response,
    running_dates,
)


def _running(*accounts, **fields):
    return PilotFactory(**running_dates(TODAY), accounts=list(accounts), **fields)


# --- Overdue: one rule ----------------------------------------------------------------------


def test_a_check_in_due_28_november_is_overdue_on_5_december_and_not_on_its_own_day():
    assert check_in_overdue(due_on=dt.date(2026, 11, 28), today=dt.date(2026, 12, 5))
    assert not check_in_overdue(due_on=dt.date(2026, 12, 5), today=dt.date(2026, 12, 5))
    assert not check_in_overdue(due_on=None, today=dt.date(2026, 12, 5))


# --- Customer admin: agreements -------------------------------------------------------------


def test_the_admin_sees_the_agreement_waiting_and_it_goes_once_accepted(
    client_for, frozen, admin_a, admin_b, account_a, account_b
):
    pilot = PilotFactory(title="Offline sync", accounts=[account_a, account_b])
    client = client_for(admin_a)

    items = home_items(client)

    assert kinds(items) == ["agreement"]
    assert "Accept the agreement of the pilot Offline sync" in items[0].text
    assert items[0].url == f"/pilots/{pilot.pk}/#agreement-h"
    assert opens(client, items[0].url) == 200
    agreement_accepted(pilot, account_a, by=admin_a)
    assert kinds(home_items(client)) == ["recruiting"]  # the next step: join it
    assert kinds(home_items(client_for(admin_b))) == ["agreement"]  # Globex's is its own


def test_an_agreement_of_a_pilot_only_globex_is_invited_to_is_not_on_acmes_home(
    client_for, frozen, admin_a, account_b
):
    PilotFactory(title="Globex only", accounts=[account_b])

    assert home_items(client_for(admin_a)) == []


# --- Member: check-ins ----------------------------------------------------------------------


def test_the_member_sees_due_and_overdue_check_ins_with_dates_overdue_first(
    client_for, frozen, member_a, account_a
):
    pilot = _running(account_a, title="Offline sync")
    agreement_accepted(pilot, account_a)
    enrolment = enrolled(pilot, member_a)
    expectation, middle, final = pilot.check_ins.order_by("position")
    middle.due_on = dt.date(2026, 11, 28)
    middle.save()
    today = CheckIn.objects.create(
        pilot=pilot, phase=Phase.EXPERIENCE, title="Week two", due_on=TODAY, position=3
    )
    client = client_for(member_a)

    items = home_items(client)

    assert [i.text for i in items] == [
        "Answer the check-in “Mid-pilot check-in” of the pilot Offline sync "
        "Overdue: due 28 Nov 2026",
        "Give your expectations for the pilot Offline sync",
        "Answer the check-in “Week two” of the pilot Offline sync Due 5 Dec 2026",
    ]  # the final check-in (due 26 Dec) is not due yet
    assert [i.overdue for i in items] == [True, False, False]
    assert items[0].url == reverse("ideas:check-in-answer", args=[middle.pk])
    assert all(opens(client, item.url) == 200 for item in items)
    feedback_response(enrolment, middle)
    feedback_response(enrolment, expectation, draft=True)
    texts = [i.text for i in home_items(client)]
    assert texts[0] == "Give your expectations for the pilot Offline sync (draft saved)"
    assert len(texts) == 2 and "Week two" in texts[1] and today.title in texts[1]


def test_overdue_is_decided_on_the_sites_day_not_the_servers(
    settings, monkeypatch, member_a, account_a
):
    """At 23:30 UTC on 4 Dec it is already 5 Dec in Auckland: a site there calls a check-in due
    on 4 Dec overdue."""
    from django.utils import timezone

    settings.TIME_ZONE = "Pacific/Auckland"
    moment = dt.datetime(2026, 12, 4, 23, 30, tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    pilot = PilotFactory(
        state=PilotState.RUNNING,
        recruiting_opens=dt.date(2026, 11, 1),
        runs_from=dt.date(2026, 11, 20),
        runs_until=dt.date(2026, 12, 30),
        accounts=[account_a],
    )
    agreement_accepted(pilot, account_a)
    enrolled(pilot, member_a)
    pilot.check_ins.filter(position=1).update(due_on=dt.date(2026, 12, 4))

    items = [i for i in todos_for(user=member_a).items if i.day]

    assert [(i.day, i.overdue) for i in items] == [(dt.date(2026, 12, 4), True)]


def test_another_accounts_member_sees_none_of_acmes_check_ins(
    client_for, frozen, member_a, member_b, account_a, account_b
):
    pilot = _running(account_a, account_b)
    agreement_accepted(pilot, account_a)
    enrolled(pilot, member_a)

    assert "check_in" not in kinds(home_items(client_for(member_b)))


# --- Member: pilots recruiting that fit -----------------------------------------------------


def test_the_member_sees_recruiting_pilots_that_fit_their_account_only(
    client_for, frozen, member_a, account_a, account_b
):
    account_a.segment = Segment.ENTERPRISE
    account_a.save()
    fits = PilotFactory(title="Fits", accounts=[account_a])
    agreement_accepted(fits, account_a)
    wrong_segment = PilotFactory(
        title="Wrong segment", accounts=[account_a], eligible_segments=[Segment.SMB]
    )
    agreement_accepted(wrong_segment, account_a)
    PilotFactory(title="Agreement not accepted yet", accounts=[account_a])
    PilotFactory(title="Not invited", accounts=[account_b])
    client = client_for(member_a)

    items = home_items(client)

    assert [i.text for i in items] == ["Join the pilot Fits Starts 12 Dec 2026"]
    assert opens(client, items[0].url) == 200
    enrolled(fits, member_a)
    assert "recruiting" not in kinds(home_items(client))


def test_a_running_pilot_still_taking_participants_is_offered_until_it_ends(
    client_for, frozen, member_a, account_a
):
    running = PilotFactory(
        title="Under way",
        accounts=[account_a],
        state=PilotState.RUNNING,
        recruiting_opens=TODAY - dt.timedelta(days=30),
        runs_from=TODAY - dt.timedelta(days=10),
        runs_until=TODAY + dt.timedelta(days=20),
    )
    agreement_accepted(running, account_a)
    closed = PilotFactory(title="Over", accounts=[account_a], state=PilotState.CLOSED)
    agreement_accepted(closed, account_a)
    client = client_for(member_a)

    items = home_items(client)

    assert [i.text for i in items] == ["Join the pilot Under way Runs until 25 Dec 2026"]
    assert opens(client, items[0].url) == 200


# --- Enrolment leads on ---------------------------------------------------------------------


def test_enrolling_leads_straight_to_the_expectation_form(client_for, frozen, member_a, account_a):
    pilot = PilotFactory(accounts=[account_a])
    agreement_accepted(pilot, account_a)
    client = client_for(member_a)

    response = client.post(reverse("ideas:pilot-enrol", args=[pilot.pk]), follow=True)

    expectation = pilot.check_ins.get(phase=Phase.EXPECTATION)
    assert response.redirect_chain[-1][0] == reverse("ideas:check-in-answer", args=[expectation.pk])
    assert "You are enrolled. Next: give your expectations now." in response.content.decode()
    assert pilot.enrolments.filter(user=member_a).count() == 1


def test_the_pilot_page_offers_the_expectation_form_as_a_button_until_it_is_given(
    client_for, frozen, member_a, account_a
):
    pilot = PilotFactory(accounts=[account_a])
    agreement_accepted(pilot, account_a)
    enrolment = enrolled(pilot, member_a)
    client = client_for(member_a)
    expectation = pilot.check_ins.get(phase=Phase.EXPECTATION)
    button = f'<a role="button" href="/check-ins/{expectation.pk}/">Give your expectations now</a>'

    assert button in client.get(pilot.get_absolute_url()).content.decode()
    feedback_response(enrolment, expectation)
    assert button not in client.get(pilot.get_absolute_url()).content.decode()


# --- Product manager ------------------------------------------------------------------------


def test_the_product_manager_sees_ideas_to_review_decisions_and_low_response(
    client_for, frozen, product_manager, account_a, member_a, admin_a
):
    IdeaFactory(title="Dark mode", status=IdeaStatus.PROPOSED)
    IdeaFactory(title="Already planned", status=IdeaStatus.PLANNED)
    closed = PilotFactory(
        title="Closed one",
        state=PilotState.CLOSED,
        recruiting_opens=TODAY - dt.timedelta(days=60),
        runs_from=TODAY - dt.timedelta(days=40),
        runs_until=TODAY - dt.timedelta(days=3),
        accounts=[account_a],
    )
    PilotFactory(
        title="Decided",
        state=PilotState.CLOSED,
        decision="adopt",
        recruiting_opens=TODAY - dt.timedelta(days=60),
        runs_from=TODAY - dt.timedelta(days=40),
        runs_until=TODAY - dt.timedelta(days=3),
    )
    quiet = _running(account_a, title="Quiet pilot")
    for member in (member_a, admin_a):
        enrolled(quiet, member)
    busy = _running(account_a, title="Busy pilot")
    expectation = busy.check_ins.get(phase=Phase.EXPECTATION)
    feedback_response(enrolled(busy, member_a), expectation)
    client = client_for(product_manager)

    items = home_items(client)

    assert kinds(items) == ["idea_review", "pilot_decision", "low_response"]
    assert "Review the idea Dark mode (proposed)" in items[0].text
    assert "Decide on the pilot Closed one" in items[1].text
    assert items[1].url == f"/pilots/{closed.pk}/#manage-h"
    assert (
        "Low response in the pilot Quiet pilot: 0 of 2 due check-ins answered, 0%" in items[2].text
    )
    assert items[2].url == f"/pilots/{quiet.pk}/results/"
    assert all(opens(client, item.url) == 200 for item in items)


def test_low_response_is_the_results_pages_rate_below_the_threshold(
    client_for, frozen, product_manager, account_a
):
    from tests.accounts.factories import customer

    pilot = _running(account_a, title="Half answered")
    expectation = pilot.check_ins.get(phase=Phase.EXPECTATION)
    people = [customer(account_a) for _ in range(4)]
    answered = LOW_RESPONSE_PERCENT * len(people) // 100  # exactly at the threshold: not low
    for n, person in enumerate(people):
        enrolment = enrolled(pilot, person)
        if n < answered:
            feedback_response(enrolment, expectation)
    assert "low_response" not in kinds(home_items(client_for(product_manager)))


@pytest.mark.parametrize("persona", ["account_manager_a", "programme_admin", "member_a"])
def test_no_one_else_gets_the_product_managers_to_dos(request, db, client_for, frozen, persona):
    IdeaFactory(title="Dark mode", status=IdeaStatus.PROPOSED)

    assert "idea_review" not in kinds(home_items(client_for(request.getfixturevalue(persona))))


# --- Query counts ---------------------------------------------------------------------------


def test_the_members_home_costs_the_same_queries_for_1_or_3_pilots_with_to_dos(
    client_for, frozen, member_a, account_a
):
    client = client_for(member_a)

    def pilots(n: int) -> None:
        for _ in range(n):
            pilot = _running(account_a)
            agreement_accepted(pilot, account_a)
            enrolled(pilot, member_a)
            recruiting = PilotFactory(accounts=[account_a])
            agreement_accepted(recruiting, account_a)

    pilots(1)
    one = home_queries(client)
    pilots(2)
    assert kinds(home_items(client)).count("check_in") == 3
    assert kinds(home_items(client)).count("recruiting") == 3
    assert home_queries(client) == one


def test_the_product_managers_home_costs_the_same_queries_for_1_or_3_of_each(
    client_for, frozen, product_manager, account_a, member_a
):
    client = client_for(product_manager)

    def of_each() -> None:
        IdeaFactory(status=IdeaStatus.PROPOSED)
        PilotFactory(
            state=PilotState.CLOSED,
            recruiting_opens=TODAY - dt.timedelta(days=60),
            runs_from=TODAY - dt.timedelta(days=40),
            runs_until=TODAY - dt.timedelta(days=3),
            accounts=[account_a],
        )
        enrolled(_running(account_a), member_a)

    of_each()
    one = home_queries(client)
    of_each()
    of_each()
    assert len(home_items(client)) == 9
    assert home_queries(client) == one
