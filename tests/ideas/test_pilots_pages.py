"""The pilot pages: the list, the pilot page for each persona, and every action on it — with
outsiders, bad input and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Segment
from community.models import Notification
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    Enrolment,
    IdeaStatus,
    Pilot,
    PilotDecision,
    PilotInvitation,
    PilotState,
    Vote,
)
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory, agreement_accepted

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def pilot(account_a):
    """Recruiting, published, capacity 5, Acme invited (agreement v1 not accepted yet)."""
    return PilotFactory(
        accounts=[account_a], what_to_expect="Sync within a minute of reconnecting."
    )


def _page(response) -> str:
    return response.content.decode()


# --- The list ----------------------------------------------------------------------------------


def test_a_product_manager_lists_every_pilot_including_drafts(client_for, product_manager):
    PilotFactory(title="Offline sync")
    PilotFactory(title="Dark mode", state=PilotState.DRAFT)

    response = client_for(product_manager).get("/pilots/")

    assert response.status_code == 200
    assert "Offline sync" in _page(response)
    assert "Dark mode" in _page(response)


def test_a_customer_lists_only_the_pilots_their_account_is_invited_to_and_no_drafts(
    client_for, member_a, account_a, account_b
):
    PilotFactory(title="Ours", accounts=[account_a])
    PilotFactory(title="Our draft", accounts=[account_a], state=PilotState.DRAFT)
    PilotFactory(title="Globex only", accounts=[account_b])

    page = _page(client_for(member_a).get("/pilots/"))

    assert "Ours" in page
    assert "Our draft" not in page
    assert "Globex only" not in page


def test_the_list_filters_by_state_garden_and_idea(client_for, product_manager):
    garden = GardenFactory(slug="journeys")
    idea = IdeaFactory(garden=garden, status=IdeaStatus.PILOTING)
    PilotFactory(title="Journey pilot", idea=idea, state=PilotState.RUNNING)
    PilotFactory(title="Other running", state=PilotState.RUNNING)
    PilotFactory(title="Recruiting one")
    client = client_for(product_manager)

    by_state = _page(client.get("/pilots/?state=running"))
    by_garden = _page(client.get("/pilots/?garden=journeys"))
    by_idea = _page(client.get(f"/pilots/?idea={idea.pk}"))

    assert "Journey pilot" in by_state and "Other running" in by_state
    assert "Recruiting one" not in by_state
    assert "Journey pilot" in by_garden and "Other running" not in by_garden
    assert "Journey pilot" in by_idea and "Other running" not in by_idea


def test_the_list_exports_the_filtered_pilots_as_csv(client_for, product_manager):
    PilotFactory(title="=Offline sync", state=PilotState.RUNNING, capacity=4)
    PilotFactory(title="Dark mode")

    response = client_for(product_manager).get("/pilots/?state=running&export=csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,title,idea,garden,state,state_label,published,")
    assert len(lines) == 2
    assert ",'=Offline sync," in lines[1]  # spreadsheet-safe
    assert ",running,Running,True," in lines[1]
    assert lines[1].endswith(",4,0,")


def test_the_list_is_paginated(client_for, product_manager):
    for _ in range(27):
        PilotFactory()

    first = _page(client_for(product_manager).get("/pilots/"))
    second = _page(client_for(product_manager).get("/pilots/?page=2"))

    assert "27 pilots" in first
    assert first.count('<th scope="row">') == 25
    assert second.count('<th scope="row">') == 2


def test_htmx_asks_for_the_rows_alone(client_for, product_manager):
    PilotFactory(title="Offline sync")

    response = client_for(product_manager).get("/pilots/?state=recruiting", HTTP_HX_REQUEST="true")

    assert "Offline sync" in _page(response)
    assert "<h1>" not in _page(response)


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    response = client.get("/pilots/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/pilots/"


def test_the_list_runs_the_same_queries_for_few_and_many_pilots(
    client_for, product_manager, django_assert_num_queries
):
    client = client_for(product_manager)
    for count in (3, 12):
        while Pilot.objects.count() < count:
            pilot = PilotFactory()
            Enrolment.objects.create(
                pilot=pilot, user=customer(AccountFactory()), account=AccountFactory()
            )
        # 1 session, 2 user with membership (none: internal), 3 gardens for the filter,
        # 4 paginator count, 5 permissions (own and groups'), 6 groups (navigation), 7 unread
        # notifications (bell), 8 the page of pilots with idea, garden and accounts taking part
        with django_assert_num_queries(8):
            response = client.get("/pilots/")
        assert _page(response).count('<th scope="row">') == count


def test_a_customers_list_runs_the_same_queries_for_few_and_many_pilots(
    client_for, member_a, account_a, django_assert_num_queries
):
    client = client_for(member_a)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")
    for count in (2, 8):
        while Pilot.objects.count() < count:
            PilotFactory(accounts=[account_a])
        # 1 session, 2 user with membership, 3 gardens for the filter, 4 paginator count,
        # 5 permissions (own and groups': may they manage pilots?), 6 unread notifications
        # (bell), 7 the page of pilots with idea, garden and accounts taking part
        with django_assert_num_queries(7):
            response = client.get("/pilots/")
        assert _page(response).count('<th scope="row">') == count


# --- The pilot page ----------------------------------------------------------------------------


def test_a_member_sees_what_to_expect_and_waits_for_the_admin_to_accept(
    client_for, member_a, pilot
):
    page = _page(client_for(member_a).get(f"/pilots/{pilot.pk}/"))

    assert "Sync within a minute of reconnecting." in page
    assert "We keep what we see confidential." in page  # the agreement text
    assert "Waiting for your admin to accept the agreement." in page
    assert f"/pilots/{pilot.pk}/agreement/accept/" not in page
    assert f"/pilots/{pilot.pk}/enrol/" not in page
    assert "Manage the pilot" not in page


def test_the_admin_sees_the_accept_button(client_for, admin_a, pilot):
    page = _page(client_for(admin_a).get(f"/pilots/{pilot.pk}/"))

    assert f"/pilots/{pilot.pk}/agreement/accept/" in page
    assert "Accept for Acme Industrial" in page


def test_once_accepted_a_member_sees_the_enrol_button(client_for, member_a, pilot, account_a):
    agreement_accepted(pilot, account_a)

    page = _page(client_for(member_a).get(f"/pilots/{pilot.pk}/"))

    assert "Accepted" in page
    assert f"/pilots/{pilot.pk}/enrol/" in page


def test_an_enrolled_member_sees_their_check_ins_but_no_other_account(
    client_for, member_a, pilot, account_a, account_b, member_b
):
    PilotInvitation.objects.create(pilot=pilot, account=account_b)
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    Enrolment.objects.create(pilot=pilot, user=member_b, account=account_b)

    page = _page(client_for(member_a).get(f"/pilots/{pilot.pk}/"))

    assert "You are enrolled" in page
    assert "Your expectations" in page and "Final check-in" in page
    assert "2 / 5" in page  # accounts taking part: a count only
    assert "Globex" not in page
    assert "Bob" not in page


def test_customers_see_the_decision_and_outcome_note_once_decided(client_for, member_a, account_a):
    pilot = PilotFactory(
        accounts=[account_a],
        state=PilotState.CLOSED,
        decision=PilotDecision.ADOPT,
        outcome_note="You asked for faster sync; it ships in May.",
        decided_at=timezone.now(),
    )

    page = _page(client_for(member_a).get(f"/pilots/{pilot.pk}/"))

    assert "You said, we did: adopt" in page
    assert "You asked for faster sync; it ships in May." in page


def test_customers_never_see_a_draft_pilot(client_for, member_a, account_a):
    pilot = PilotFactory(accounts=[account_a], state=PilotState.DRAFT)

    assert client_for(member_a).get(f"/pilots/{pilot.pk}/").status_code == 404


def test_a_customer_of_an_account_not_invited_cannot_find_the_pilot(client_for, member_b, pilot):
    assert client_for(member_b).get(f"/pilots/{pilot.pk}/").status_code == 404
    assert client_for(member_b).get("/pilots/999999/").status_code == 404


def test_a_product_manager_sees_the_management_panel_with_enrolments_by_account(
    client_for, product_manager, pilot, member_a, account_a, account_b
):
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    AccountFactory(name="Initech")  # a candidate to invite

    page = _page(client_for(product_manager).get(f"/pilots/{pilot.pk}/"))

    assert "Manage the pilot" in page
    assert "Move to running" in page and "Close the pilot" in page
    assert "Acme Industrial" in page and "Alice" in page
    assert '<option value="globex">Globex Logistics' in page
    assert "Initech" in page
    assert '<option value="acme">' not in page  # invited already
    assert "Invite the accounts that voted" in page
    assert "Publish version 2" in page


def test_an_account_manager_sees_the_pilot_but_not_the_panel(client_for, account_manager_a, pilot):
    page = _page(client_for(account_manager_a).get(f"/pilots/{pilot.pk}/"))

    assert pilot.title in page
    assert "Manage the pilot" not in page


def test_the_pilot_page_runs_the_same_queries_for_few_and_many_enrolments(
    client_for, product_manager, pilot, django_assert_num_queries
):
    client = client_for(product_manager)
    for accounts in (2, 7):  # Acme, invited by the fixture, has no one enrolled
        while PilotInvitation.objects.filter(pilot=pilot).count() < accounts:
            account = AccountFactory()
            PilotInvitation.objects.create(pilot=pilot, account=account)
            agreement_accepted(pilot, account)
            for _ in range(3):
                Enrolment.objects.create(pilot=pilot, user=customer(account), account=account)
        # 1 session, 2 user with membership (none: internal), 3 the pilot with idea and garden,
        # 4 permissions (own and groups'), 5 current agreement, 6 accounts taking part,
        # 7 check-ins, 8 invitations with accounts, 9 candidate accounts, 10 engagement
        # levels, 11 acceptances of the current agreement, 12 enrolments with users and
        # accounts, 13-16 the results summary (check-ins, enrolments, dimensions, submitted
        # answers: ideas.selectors.results.pilot_results), 17 groups (navigation),
        # 18 unread notifications (bell)
        with django_assert_num_queries(18):
            response = client.get(f"/pilots/{pilot.pk}/")
        assert response.status_code == 200
        assert f"{(accounts - 1) * 3} members enrolled" in _page(response)


def test_a_customers_pilot_page_runs_a_constant_number_of_queries(
    client_for, member_a, pilot, account_a, django_assert_num_queries
):
    agreement_accepted(pilot, account_a)
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    client = client_for(member_a)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")
    # 1 session, 2 user with membership, 3 the pilot, 4 permissions (own and groups': which
    # accounts may they see?), 5 current agreement, 6 accounts taking part, 7 check-ins,
    # 8 acceptance, 9 own enrolment, 10 own responses, 11 unread notifications (bell)
    with django_assert_num_queries(11):
        response = client.get(f"/pilots/{pilot.pk}/")
    assert "You are enrolled" in _page(response)


# --- Create and edit ---------------------------------------------------------------------------


def _form(**overrides):
    return {
        "title": "Offline sync",
        "description": "Four weeks with the offline build.",
        "what_to_expect": "Sync within a minute.",
        "recruiting_opens": TODAY.isoformat(),
        "runs_from": (TODAY + 7 * DAY).isoformat(),
        "runs_until": (TODAY + 35 * DAY).isoformat(),
        "capacity": "3",
        "eligible_segments": ["enterprise", "mid_market"],
        "min_engagement_level": "participating",
        "agreement_title": "Pilot NDA",
        "agreement_text": "Keep it confidential.",
    } | overrides


def test_a_product_manager_creates_a_pilot_for_a_planned_idea(client_for, product_manager):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)
    client = client_for(product_manager)
    assert client.get(f"/ideas/{idea.pk}/pilots/new/").status_code == 200

    response = client.post(f"/ideas/{idea.pk}/pilots/new/", _form())

    pilot = Pilot.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pilots/{pilot.pk}/"
    assert (pilot.state, pilot.capacity, pilot.min_engagement_level) == (
        "draft",
        3,
        "participating",
    )
    assert pilot.eligible_segments == ["enterprise", "mid_market"]
    assert Agreement.objects.get(pilot=pilot).title == "Pilot NDA"
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PILOTING


def test_a_schedule_out_of_order_gets_clear_errors_and_saves_nothing(client_for, product_manager):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)

    response = client_for(product_manager).post(
        f"/ideas/{idea.pk}/pilots/new/",
        _form(recruiting_opens=(TODAY + 10 * DAY).isoformat(), capacity="0", agreement_text=""),
    )

    assert response.status_code == 400
    page = _page(response)
    assert "Ensure this value is greater than or equal to 1." in page
    assert "This field is required." in page
    assert not Pilot.objects.exists()

    response = client_for(product_manager).post(
        f"/ideas/{idea.pk}/pilots/new/", _form(recruiting_opens=(TODAY + 10 * DAY).isoformat())
    )
    assert response.status_code == 400
    assert "The pilot cannot run before recruiting opens." in _page(response)
    assert not Pilot.objects.exists()


def test_a_pilot_for_a_proposed_idea_is_refused_on_the_form(client_for, product_manager):
    idea = IdeaFactory(status=IdeaStatus.PROPOSED)

    response = client_for(product_manager).post(f"/ideas/{idea.pk}/pilots/new/", _form())

    assert response.status_code == 400
    assert "Pilots are created for planned ideas; this one is proposed." in _page(response)
    assert not Pilot.objects.exists()


def test_only_product_managers_create_pilots(client_for, member_a, account_manager_a):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)

    for user in (member_a, account_manager_a):
        assert client_for(user).post(f"/ideas/{idea.pk}/pilots/new/", _form()).status_code == 403
    assert not Pilot.objects.exists()


def test_a_product_manager_edits_a_pilot(client_for, product_manager, pilot):
    client = client_for(product_manager)
    assert client.get(f"/pilots/{pilot.pk}/edit/").status_code == 200

    form = _form(title="Offline sync, round 2")
    response = client.post(f"/pilots/{pilot.pk}/edit/", form)

    assert response.status_code == 302
    pilot.refresh_from_db()
    assert (pilot.title, pilot.capacity) == ("Offline sync, round 2", 3)


def test_editing_refuses_a_bad_schedule(client_for, product_manager, pilot):
    response = client_for(product_manager).post(
        f"/pilots/{pilot.pk}/edit/", _form(runs_until=(TODAY + 7 * DAY).isoformat())
    )

    assert response.status_code == 400
    assert "The pilot must run until a later day than it starts." in _page(response)
    assert Pilot.objects.get(pk=pilot.pk).title == pilot.title


def test_outsiders_cannot_edit(client_for, member_a, member_b, account_manager_a, pilot):
    assert client_for(member_b).post(f"/pilots/{pilot.pk}/edit/", _form()).status_code == 404
    assert client_for(member_a).post(f"/pilots/{pilot.pk}/edit/", _form()).status_code == 403
    response = client_for(account_manager_a).post(f"/pilots/{pilot.pk}/edit/", _form())
    assert response.status_code == 403
    assert Pilot.objects.get(pk=pilot.pk).title == pilot.title


# --- States ------------------------------------------------------------------------------------


def test_a_product_manager_moves_the_pilot_forward(client_for, product_manager, pilot):
    response = client_for(product_manager).post(f"/pilots/{pilot.pk}/state/", {"state": "running"})

    assert response.status_code == 302
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RUNNING


def test_moving_backwards_is_refused_on_the_page(client_for, product_manager):
    pilot = PilotFactory(state=PilotState.RUNNING)

    response = client_for(product_manager).post(f"/pilots/{pilot.pk}/state/", {"state": "draft"})

    assert response.status_code == 400
    assert "A pilot only moves forward: it is running, so it can move to closed." in _page(response)
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RUNNING


def test_an_unknown_state_is_refused(client_for, product_manager, pilot):
    response = client_for(product_manager).post(f"/pilots/{pilot.pk}/state/", {"state": "done"})

    assert response.status_code == 400
    assert "Choose a state." in _page(response)


def test_read_only_roles_cannot_change_states(client_for, account_manager_a, member_a, pilot):
    for user in (account_manager_a, member_a):
        response = client_for(user).post(f"/pilots/{pilot.pk}/state/", {"state": "closed"})
        assert response.status_code == 403
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RECRUITING


def test_outsiders_cannot_find_the_pilots_actions(client_for, member_b, pilot):
    client = client_for(member_b)
    for action in (
        "state",
        "publish",
        "invitations",
        "invite-supporters",
        "agreements",
        "agreement/accept",
        "enrol",
        "decision",
    ):
        assert client.post(f"/pilots/{pilot.pk}/{action}/", {"state": "closed"}).status_code == 404
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RECRUITING


def test_publishing_lets_the_schedule_open_the_pilot(client_for, product_manager):
    pilot = PilotFactory(state=PilotState.DRAFT, published=False, recruiting_opens=TODAY)

    response = client_for(product_manager).post(f"/pilots/{pilot.pk}/publish/")

    assert response.status_code == 302
    pilot.refresh_from_db()
    assert (pilot.published, pilot.state) == (True, PilotState.RECRUITING)


# --- Invitations -------------------------------------------------------------------------------


def test_a_product_manager_invites_accounts(client_for, product_manager, pilot, member_b):
    response = client_for(product_manager).post(
        f"/pilots/{pilot.pk}/invitations/", {"accounts": ["globex"]}
    )

    assert response.status_code == 302
    assert set(PilotInvitation.objects.values_list("account__slug", flat=True)) == {
        "acme",
        "globex",
    }
    assert Notification.objects.filter(user=member_b, kind="pilot_invitation").count() == 1


def test_inviting_an_ineligible_or_unknown_account_is_refused(
    client_for, product_manager, account_a, account_b
):
    pilot = PilotFactory(eligible_segments=[Segment.ENTERPRISE])
    client = client_for(product_manager)

    ineligible = client.post(f"/pilots/{pilot.pk}/invitations/", {"accounts": ["globex"]})
    unknown = client.post(f"/pilots/{pilot.pk}/invitations/", {"accounts": ["nobody"]})
    empty = client.post(f"/pilots/{pilot.pk}/invitations/", {})

    assert ineligible.status_code == 400
    assert "Globex Logistics: the Mid-market segment is not eligible." in _page(ineligible)
    assert unknown.status_code == 400
    assert "There is no account “nobody”." in _page(unknown)
    assert empty.status_code == 400
    assert "This field is required." in _page(empty)
    assert not PilotInvitation.objects.exists()


def test_a_product_manager_invites_the_accounts_that_voted(
    client_for, product_manager, pilot, member_b, account_b
):
    Vote.objects.create(idea=pilot.idea, user=member_b, account=account_b)

    response = client_for(product_manager).post(
        f"/pilots/{pilot.pk}/invite-supporters/", follow=True
    )

    assert "1 account that voted invited." in _page(response)
    assert PilotInvitation.objects.filter(pilot=pilot, account=account_b).exists()


def test_read_only_roles_cannot_invite(client_for, account_manager_a, pilot):
    client = client_for(account_manager_a)

    assert (
        client.post(f"/pilots/{pilot.pk}/invitations/", {"accounts": ["globex"]}).status_code == 403
    )
    assert client.post(f"/pilots/{pilot.pk}/invite-supporters/").status_code == 403
    assert PilotInvitation.objects.count() == 1


# --- Agreements --------------------------------------------------------------------------------


def test_a_product_manager_publishes_a_new_agreement_version(client_for, product_manager, pilot):
    response = client_for(product_manager).post(
        f"/pilots/{pilot.pk}/agreements/", {"title": "Terms", "text": "Now with data sharing."}
    )

    assert response.status_code == 302
    assert list(pilot.agreements.values_list("version", "text")) == [
        (2, "Now with data sharing."),
        (1, "We keep what we see confidential."),
    ]


def test_an_agreement_version_without_text_is_refused(client_for, product_manager, pilot):
    response = client_for(product_manager).post(
        f"/pilots/{pilot.pk}/agreements/", {"title": "Terms", "text": ""}
    )

    assert response.status_code == 400
    assert "This field is required." in _page(response)
    assert pilot.agreements.count() == 1


def test_the_admin_accepts_the_agreement_on_the_page(client_for, admin_a, pilot, account_a):
    response = client_for(admin_a).post(f"/pilots/{pilot.pk}/agreement/accept/")

    assert response.status_code == 302
    acceptance = AgreementAcceptance.objects.get()
    assert (acceptance.account, acceptance.accepted_by) == (account_a, admin_a)

    again = client_for(admin_a).post(f"/pilots/{pilot.pk}/agreement/accept/")
    assert again.status_code == 400
    assert "Acme Industrial has accepted version 1 already." in _page(again)
    assert AgreementAcceptance.objects.count() == 1


def test_only_the_admin_accepts(client_for, member_a, product_manager, admin_b, pilot):
    assert client_for(member_a).post(f"/pilots/{pilot.pk}/agreement/accept/").status_code == 403
    assert (
        client_for(product_manager).post(f"/pilots/{pilot.pk}/agreement/accept/").status_code == 403
    )
    assert client_for(admin_b).post(f"/pilots/{pilot.pk}/agreement/accept/").status_code == 404
    assert not AgreementAcceptance.objects.exists()


def test_read_only_roles_cannot_publish_agreements(client_for, account_manager_a, pilot):
    response = client_for(account_manager_a).post(
        f"/pilots/{pilot.pk}/agreements/", {"title": "T", "text": "x"}
    )

    assert response.status_code == 403
    assert pilot.agreements.count() == 1


# --- Enrolment ---------------------------------------------------------------------------------


def test_a_member_enrols_on_the_page(client_for, member_a, pilot, account_a):
    agreement_accepted(pilot, account_a)

    response = client_for(member_a).post(f"/pilots/{pilot.pk}/enrol/")

    assert response.status_code == 302
    assert Enrolment.objects.filter(pilot=pilot, user=member_a, account=account_a).exists()


def test_enrolling_before_the_agreement_is_accepted_is_refused(client_for, member_a, pilot):
    response = client_for(member_a).post(f"/pilots/{pilot.pk}/enrol/")

    assert response.status_code == 400
    assert "The pilot agreement is waiting for your account admin to accept it." in _page(response)
    assert not Enrolment.objects.exists()


def test_internal_users_and_outsiders_cannot_enrol(client_for, product_manager, member_b, pilot):
    assert client_for(product_manager).post(f"/pilots/{pilot.pk}/enrol/").status_code == 403
    assert client_for(member_b).post(f"/pilots/{pilot.pk}/enrol/").status_code == 404
    assert not Enrolment.objects.exists()


# --- Closing the loop --------------------------------------------------------------------------


def test_a_product_manager_records_the_decision(client_for, product_manager, member_a, account_a):
    pilot = PilotFactory(accounts=[account_a], state=PilotState.CLOSED)
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    client = client_for(product_manager)
    assert "Record the decision" in _page(client.get(f"/pilots/{pilot.pk}/"))

    response = client.post(
        f"/pilots/{pilot.pk}/decision/", {"decision": "iterate", "outcome_note": "Round two."}
    )

    assert response.status_code == 302
    pilot.refresh_from_db()
    assert (pilot.decision, pilot.outcome_note) == ("iterate", "Round two.")
    assert Notification.objects.filter(user=member_a, kind="pilot_decision").count() == 1


def test_a_decision_on_an_open_pilot_or_without_a_note_is_refused(
    client_for, product_manager, pilot
):
    client = client_for(product_manager)

    early = client.post(f"/pilots/{pilot.pk}/decision/", {"decision": "adopt", "outcome_note": "x"})
    no_note = client.post(f"/pilots/{pilot.pk}/decision/", {"decision": "adopt"})

    assert early.status_code == 400
    assert "Close the pilot before recording the decision." in _page(early)
    assert no_note.status_code == 400
    assert Pilot.objects.get(pk=pilot.pk).decision == ""


def test_read_only_roles_cannot_decide(client_for, account_manager_a, account_a):
    pilot = PilotFactory(accounts=[account_a], state=PilotState.CLOSED)

    response = client_for(account_manager_a).post(
        f"/pilots/{pilot.pk}/decision/", {"decision": "adopt", "outcome_note": "x"}
    )

    assert response.status_code == 403
    assert Pilot.objects.get(pk=pilot.pk).decision == ""


def test_a_second_decision_is_refused_on_the_page(client_for, product_manager):
    pilot = PilotFactory(state=PilotState.CLOSED, decision="adopt", outcome_note="Shipped.")

    response = client_for(product_manager).post(
        f"/pilots/{pilot.pk}/decision/", {"decision": "decline", "outcome_note": "Changed."}
    )

    assert response.status_code == 400
    assert "The decision (adopt) is recorded." in _page(response)
    assert Pilot.objects.get(pk=pilot.pk).decision == "adopt"


def test_a_closed_pilot_refuses_invitations_and_agreements_on_the_page(
    client_for, product_manager, account_a, account_b
):
    pilot = PilotFactory(state=PilotState.CLOSED, accounts=[account_a])
    client = client_for(product_manager)

    invite = client.post(f"/pilots/{pilot.pk}/invitations/", {"accounts": ["globex"]})
    agreement = client.post(f"/pilots/{pilot.pk}/agreements/", {"title": "T", "text": "New."})

    assert invite.status_code == 400
    assert "This pilot is closed; it takes no more invitations." in _page(invite)
    assert agreement.status_code == 400
    assert "This pilot is closed; its agreement can no longer change." in _page(agreement)
    assert PilotInvitation.objects.count() == 1
    assert pilot.agreements.count() == 1
