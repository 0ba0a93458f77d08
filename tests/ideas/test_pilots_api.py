"""/api/v1/pilots/: the same rules as the pilot pages, in the API's one error format."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Segment
from community.models import ActivityEvent, Notification
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    Enrolment,
    IdeaStatus,
    Pilot,
    PilotInvitation,
    PilotState,
    Vote,
)
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_error, api_login
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory, agreement_accepted

PILOTS = "/api/v1/pilots/"
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture
def pilot(account_a):
    """Recruiting, published, capacity 5, Acme invited (agreement v1 not accepted yet)."""
    return PilotFactory(accounts=[account_a])


def _url(pilot, action="") -> str:
    return f"{PILOTS}{pilot.pk}/{action + '/' if action else ''}"


def _titles(response) -> list[str]:
    return sorted(row["title"] for row in response.json()["results"])


def _new(idea, **overrides) -> dict:
    return {
        "idea": idea.pk,
        "title": "Offline sync",
        "description": "Four weeks with the offline build.",
        "what_to_expect": "Sync within a minute.",
        "recruiting_opens": TODAY.isoformat(),
        "runs_from": (TODAY + 7 * DAY).isoformat(),
        "runs_until": (TODAY + 35 * DAY).isoformat(),
        "capacity": 3,
        "eligible_segments": ["enterprise"],
        "min_engagement_level": "observing",
        "agreement_text": "Keep it confidential.",
    } | overrides


# --- List and detail ---------------------------------------------------------------------------


def test_a_customer_lists_only_their_accounts_pilots_and_no_drafts(
    api, member_a, account_a, account_b
):
    PilotFactory(title="Ours", accounts=[account_a])
    PilotFactory(title="Our draft", accounts=[account_a], state=PilotState.DRAFT)
    PilotFactory(title="Globex only", accounts=[account_b])
    api_login(api, member_a)

    response = api.get(PILOTS)

    assert response.status_code == 200
    assert _titles(response) == ["Ours"]


def test_a_product_manager_lists_and_filters_every_pilot(api, product_manager):
    garden = GardenFactory(slug="journeys")
    idea = IdeaFactory(garden=garden, status=IdeaStatus.PILOTING)
    PilotFactory(title="Journey pilot", idea=idea, state=PilotState.RUNNING)
    PilotFactory(title="Draft", state=PilotState.DRAFT)
    api_login(api, product_manager)

    assert _titles(api.get(PILOTS)) == ["Draft", "Journey pilot"]
    assert _titles(api.get(PILOTS, {"state": "draft"})) == ["Draft"]
    assert _titles(api.get(PILOTS, {"garden": "journeys"})) == ["Journey pilot"]
    assert _titles(api.get(PILOTS, {"idea": idea.pk})) == ["Journey pilot"]
    assert api.get(PILOTS, {"state": "finished"}).status_code == 400


def test_the_list_runs_the_same_queries_for_few_and_many_pilots(
    api, product_manager, django_assert_num_queries
):
    for count in (2, 9):
        while Pilot.objects.count() < count:
            pilot = PilotFactory()
            Enrolment.objects.create(
                pilot=pilot, user=customer(AccountFactory()), account=AccountFactory()
            )
        api_login(api, product_manager)  # a fresh user, as each real request loads one
        # 1 membership (none: internal), 2 the page of pilots with idea, garden and accounts
        # taking part (not full: it tells the count, no COUNT query)
        with django_assert_num_queries(2):
            response = api.get(PILOTS)
        assert response.json()["count"] == count
        assert {row["accounts_taking_part"] for row in response.json()["results"]} == {1}


def test_a_member_reads_the_pilot_with_their_own_participation_only(
    api, member_a, pilot, account_a, account_b, member_b
):
    PilotInvitation.objects.create(pilot=pilot, account=account_b)
    Enrolment.objects.create(pilot=pilot, user=member_b, account=account_b)
    api_login(api, member_a)

    body = api.get(_url(pilot)).json()

    assert body["title"] == pilot.title
    assert body["accounts_taking_part"] == 1
    assert body["agreement"]["version"] == 1
    assert [c["title"] for c in body["check_ins"]] == [
        "Your expectations",
        "Mid-pilot check-in",
        "Final check-in",
    ]
    assert body["participation"] == {
        "account": "acme",
        "agreement_accepted": False,
        "enrolled": False,
        "enrolment_refusal": "The pilot agreement is waiting for your account admin to accept it.",
    }
    assert body["invitations"] is None
    assert "globex" not in str(body)


def test_a_product_manager_reads_the_invitations_and_enrolments(
    api, product_manager, pilot, member_a, account_a
):
    agreement_accepted(pilot, account_a)
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    api_login(api, product_manager)

    body = api.get(_url(pilot)).json()

    assert body["participation"] is None
    [row] = body["invitations"]
    assert (row["account"], row["agreement_accepted"], row["level"]) == ("acme", True, "Dormant")
    assert [e["email"] for e in row["enrolments"]] == ["alice@acme.example"]


def test_outsiders_cannot_find_a_pilot_they_are_not_invited_to(api, member_b, pilot, account_a):
    draft = PilotFactory(accounts=[account_a], state=PilotState.DRAFT)
    api_login(api, member_b)

    response = api.get(_url(pilot))

    assert response.status_code == 404
    assert api_error(response) == {
        "type": "client_error",
        "code": "not_found",
        "detail": "No such pilot.",
        "attr": None,
    }
    assert api.get(_url(draft)).status_code == 404


def test_customers_never_read_a_draft(api, member_a, account_a):
    draft = PilotFactory(accounts=[account_a], state=PilotState.DRAFT)
    api_login(api, member_a)

    assert api.get(_url(draft)).status_code == 404


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", ""),
        ("patch", ""),
        ("post", "state"),
        ("post", "publish"),
        ("post", "invitations"),
        ("post", "invite-supporters"),
        ("post", "agreements"),
        ("post", "agreement/accept"),
        ("post", "enrol"),
        ("post", "decision"),
    ],
)
def test_anonymous_callers_get_401_and_nothing_changes(api, pilot, method, action):
    response = getattr(api, method)(_url(pilot, action), {"state": "closed"})

    assert response.status_code == 401
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RECRUITING


@pytest.mark.parametrize(
    "action",
    [
        "state",
        "publish",
        "invitations",
        "invite-supporters",
        "agreements",
        "agreement/accept",
        "enrol",
        "decision",
    ],
)
def test_a_customer_of_another_account_gets_404_for_every_action(
    api, member_b, admin_b, pilot, action
):
    for outsider in (member_b, admin_b):
        api_login(api, outsider)
        response = api.post(_url(pilot, action), {"state": "closed", "accounts": ["globex"]})
        assert response.status_code == 404
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RECRUITING
    assert PilotInvitation.objects.count() == 1
    assert not Enrolment.objects.exists()
    assert not AgreementAcceptance.objects.exists()


# --- Create and edit ---------------------------------------------------------------------------


def test_a_product_manager_creates_a_pilot(api, product_manager):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)
    api_login(api, product_manager)

    response = api.post(PILOTS, _new(idea))

    assert response.status_code == 201
    pilot = Pilot.objects.get()
    assert response.json()["id"] == pilot.pk
    assert response.json()["state"] == "draft"
    assert (pilot.eligible_segments, pilot.min_engagement_level) == (["enterprise"], "observing")
    assert Agreement.objects.get(pilot=pilot).text == "Keep it confidential."
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PILOTING


def test_a_schedule_out_of_order_is_a_field_error(api, product_manager):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)
    api_login(api, product_manager)

    response = api.post(PILOTS, _new(idea, runs_until=(TODAY + 7 * DAY).isoformat()))

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "The pilot must run until a later day than it starts.",
        "attr": "runs_until",
    }
    assert not Pilot.objects.exists()


def test_bad_fields_are_refused_before_the_service(api, product_manager):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)
    api_login(api, product_manager)

    response = api.post(PILOTS, _new(idea, capacity=0, eligible_segments=["galactic"]))

    assert response.status_code == 400
    assert {e["attr"] for e in response.json()["errors"]} == {"capacity", "eligible_segments.0"}
    assert not Pilot.objects.exists()


def test_an_unknown_idea_is_a_field_error(api, product_manager):
    api_login(api, product_manager)

    response = api.post(PILOTS, _new(IdeaFactory.build(pk=999999)))

    assert response.status_code == 400
    assert api_error(response)["attr"] == "idea"
    assert not Pilot.objects.exists()


def test_only_product_managers_create_pilots(api, member_a, account_manager_a):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)
    for user in (member_a, account_manager_a):
        api_login(api, user)
        response = api.post(PILOTS, _new(idea))
        assert response.status_code == 403
    assert not Pilot.objects.exists()


def test_a_product_manager_edits_a_pilot(api, product_manager, pilot):
    api_login(api, product_manager)

    response = api.patch(_url(pilot), {"capacity": 9, "eligible_segments": ["smb"]})

    assert response.status_code == 200
    assert response.json()["capacity"] == 9
    pilot.refresh_from_db()
    assert (pilot.capacity, pilot.eligible_segments) == (9, ["smb"])


def test_the_capacity_cannot_fall_below_the_accounts_taking_part(
    api, product_manager, pilot, member_a, account_a, account_b
):
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    Enrolment.objects.create(pilot=pilot, user=customer(account_b), account=account_b)
    api_login(api, product_manager)

    response = api.patch(_url(pilot), {"capacity": 1})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "capacity"
    assert Pilot.objects.get(pk=pilot.pk).capacity == 5


def test_read_only_roles_cannot_edit(api, member_a, account_manager_a, pilot):
    for user in (member_a, account_manager_a):
        api_login(api, user)
        assert api.patch(_url(pilot), {"capacity": 1}).status_code == 403
    assert Pilot.objects.get(pk=pilot.pk).capacity == 5


# --- States ------------------------------------------------------------------------------------


def test_a_product_manager_moves_a_pilot_forward_but_never_back(api, product_manager, pilot):
    api_login(api, product_manager)

    forward = api.post(_url(pilot, "state"), {"state": "running"})
    back = api.post(_url(pilot, "state"), {"state": "recruiting"})

    assert forward.status_code == 200
    assert forward.json()["state"] == "running"
    assert back.status_code == 400
    assert api_error(back) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "A pilot only moves forward: it is running, so it can move to closed.",
        "attr": "state",
    }
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RUNNING


def test_read_only_roles_cannot_change_the_state(api, member_a, account_manager_a, pilot):
    for user in (member_a, account_manager_a):
        api_login(api, user)
        assert api.post(_url(pilot, "state"), {"state": "closed"}).status_code == 403
        assert api.post(_url(pilot, "publish")).status_code == 403
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RECRUITING


def test_publishing_applies_the_schedule(api, product_manager):
    pilot = PilotFactory(state=PilotState.DRAFT, published=False, recruiting_opens=TODAY)
    api_login(api, product_manager)

    response = api.post(_url(pilot, "publish"))

    assert response.status_code == 200
    assert (response.json()["published"], response.json()["state"]) == (True, "recruiting")


# --- Invitations -------------------------------------------------------------------------------


def test_a_product_manager_invites_accounts_by_slug(api, product_manager, pilot, member_b):
    api_login(api, product_manager)

    response = api.post(_url(pilot, "invitations"), {"accounts": ["globex", "acme"]})

    assert response.status_code == 201
    assert response.json() == {"invited": ["globex"]}
    assert PilotInvitation.objects.filter(pilot=pilot).count() == 2
    assert Notification.objects.filter(user=member_b, kind="pilot_invitation").count() == 1


def test_unknown_and_ineligible_accounts_are_refused_and_nobody_is_invited(
    api, product_manager, account_a, account_b
):
    pilot = PilotFactory(eligible_segments=[Segment.ENTERPRISE])
    api_login(api, product_manager)

    unknown = api.post(_url(pilot, "invitations"), {"accounts": ["globex", "nobody"]})
    ineligible = api.post(_url(pilot, "invitations"), {"accounts": ["globex"]})
    empty = api.post(_url(pilot, "invitations"), {"accounts": []})

    assert api_error(unknown)["detail"] == "There is no account “nobody”."
    assert api_error(ineligible) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "Globex Logistics: the Mid-market segment is not eligible.",
        "attr": "accounts",
    }
    assert empty.status_code == 400
    assert not PilotInvitation.objects.exists()


def test_a_product_manager_invites_the_accounts_that_voted(
    api, product_manager, pilot, member_a, member_b, account_a, account_b
):
    Vote.objects.create(idea=pilot.idea, user=member_a, account=account_a)
    Vote.objects.create(idea=pilot.idea, user=member_b, account=account_b)
    api_login(api, product_manager)

    response = api.post(_url(pilot, "invite-supporters"))

    assert response.status_code == 200
    assert response.json() == {
        "invited": 1,
        "already_invited": 1,
        "not_eligible": 0,
        "message": "1 account that voted invited; 1 invited already.",
    }
    assert PilotInvitation.objects.filter(pilot=pilot, account=account_b).exists()


def test_read_only_roles_cannot_invite(api, account_manager_a, pilot, account_b):
    api_login(api, account_manager_a)

    assert api.post(_url(pilot, "invitations"), {"accounts": ["globex"]}).status_code == 403
    assert api.post(_url(pilot, "invite-supporters")).status_code == 403
    assert PilotInvitation.objects.count() == 1


# --- Agreements --------------------------------------------------------------------------------


def test_a_new_agreement_version_is_published(api, product_manager, pilot):
    api_login(api, product_manager)

    response = api.post(_url(pilot, "agreements"), {"title": "Terms v2", "text": "More terms."})
    blank = api.post(_url(pilot, "agreements"), {"text": ""})

    assert response.status_code == 201
    assert response.json()["version"] == 2
    assert blank.status_code == 400
    assert api_error(blank)["attr"] == "text"
    assert pilot.agreements.count() == 2


def test_an_agreement_title_or_text_that_is_no_string_is_refused(api, product_manager, pilot):
    """The schema says strings: a number is not turned into its digits (as DRF would)."""
    api_login(api, product_manager)

    number = api.post(
        _url(pilot, "agreements"), {"title": 11782882, "text": "Terms."}, format="json"
    )
    listed = api.post(_url(pilot, "agreements"), {"text": ["Terms."]}, format="json")

    assert number.status_code == listed.status_code == 400
    assert api_error(number) == {**api_error(number), "attr": "title", "code": "invalid"}
    assert api_error(listed)["attr"] == "text"
    assert pilot.agreements.count() == 1


def test_the_admin_accepts_the_agreement_once(api, admin_a, pilot, account_a):
    api_login(api, admin_a)

    response = api.post(_url(pilot, "agreement/accept"))
    again = api.post(_url(pilot, "agreement/accept"))

    assert response.status_code == 201
    assert response.json()["account"] == "acme"
    assert response.json()["agreement_version"] == 1
    assert again.status_code == 400
    assert api_error(again)["detail"] == "Acme Industrial has accepted version 1 already."
    assert AgreementAcceptance.objects.get().account == account_a


def test_members_and_internal_users_cannot_accept(api, member_a, product_manager, pilot):
    for user in (member_a, product_manager):
        api_login(api, user)
        response = api.post(_url(pilot, "agreement/accept"))
        assert response.status_code == 403
    assert not AgreementAcceptance.objects.exists()


def test_read_only_roles_cannot_publish_agreements(api, account_manager_a, pilot):
    api_login(api, account_manager_a)

    assert api.post(_url(pilot, "agreements"), {"text": "x"}).status_code == 403
    assert pilot.agreements.count() == 1


# --- Enrolment ---------------------------------------------------------------------------------


def test_a_member_enrols_after_the_admin_accepted(api, member_a, pilot, account_a):
    agreement_accepted(pilot, account_a)
    api_login(api, member_a)

    response = api.post(_url(pilot, "enrol"))

    assert response.status_code == 201
    enrolment = Enrolment.objects.get()
    assert response.json() == {
        "id": enrolment.pk,
        "pilot": pilot.pk,
        "user": member_a.pk,
        "account": "acme",
        "created_at": response.json()["created_at"],
    }
    assert ActivityEvent.objects.get().kind == "pilot_enrolled"


@pytest.mark.parametrize(
    ("setup", "detail"),
    [
        ("no_agreement", "The pilot agreement is waiting for your account admin to accept it."),
        (
            "old_agreement",
            "The agreement changed (now version 2): waiting for your account admin to accept it.",
        ),
        ("full", "This pilot is full: all 1 place (accounts) are taken."),
        ("segment", "Not eligible — Acme Industrial: the Mid-market segment is not eligible."),
        ("closed", "This pilot is not open for enrolment: it is closed."),
        ("twice", "You are already enrolled in this pilot."),
    ],
)
def test_each_enrolment_refusal_is_a_clear_400_and_writes_nothing(
    api, member_a, account_a, account_b, setup, detail
):
    pilot = PilotFactory(accounts=[account_a, account_b])
    agreement_accepted(pilot, account_a)
    if setup == "no_agreement":
        AgreementAcceptance.objects.all().delete()
    elif setup == "old_agreement":
        Agreement.objects.create(pilot=pilot, version=2, text="New terms.")
    elif setup == "full":
        Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
        Enrolment.objects.create(pilot=pilot, user=customer(account_b), account=account_b)
    elif setup == "segment":
        Pilot.objects.filter(pk=pilot.pk).update(eligible_segments=[Segment.SMB])
    elif setup == "closed":
        Pilot.objects.filter(pk=pilot.pk).update(state=PilotState.CLOSED)
    elif setup == "twice":
        Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    enrolments = Enrolment.objects.count()
    api_login(api, member_a)

    response = api.post(_url(pilot, "enrol"))

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": detail,
        "attr": "non_field_errors",
    }
    assert Enrolment.objects.count() == enrolments
    assert not ActivityEvent.objects.exists()


def test_internal_users_cannot_enrol(api, product_manager, pilot):
    api_login(api, product_manager)

    assert api.post(_url(pilot, "enrol")).status_code == 403
    assert not Enrolment.objects.exists()


# --- Closing the loop --------------------------------------------------------------------------


def test_a_product_manager_records_the_decision_of_a_closed_pilot(
    api, product_manager, member_a, account_a
):
    pilot = PilotFactory(accounts=[account_a], state=PilotState.CLOSED)
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    api_login(api, product_manager)

    response = api.post(
        _url(pilot, "decision"), {"decision": "decline", "outcome_note": "Not this year."}
    )

    assert response.status_code == 200
    assert (response.json()["decision"], response.json()["outcome_note"]) == (
        "decline",
        "Not this year.",
    )
    pilot.idea.refresh_from_db()
    assert pilot.idea.status == IdeaStatus.DECLINED
    assert Notification.objects.filter(user=member_a, kind="pilot_decision").count() == 1


def test_deciding_an_open_pilot_or_with_a_bad_choice_is_refused(api, product_manager, pilot):
    api_login(api, product_manager)

    early = api.post(_url(pilot, "decision"), {"decision": "adopt", "outcome_note": "x"})
    bad = api.post(_url(pilot, "decision"), {"decision": "maybe", "outcome_note": "x"})

    assert api_error(early) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "Close the pilot before recording the decision.",
        "attr": "decision",
    }
    assert api_error(bad)["attr"] == "decision"
    assert Pilot.objects.get(pk=pilot.pk).decision == ""


def test_read_only_roles_cannot_decide(api, account_manager_a, member_a, account_a):
    pilot = PilotFactory(accounts=[account_a], state=PilotState.CLOSED)
    for user in (account_manager_a, member_a):
        api_login(api, user)
        response = api.post(_url(pilot, "decision"), {"decision": "adopt", "outcome_note": "x"})
        assert response.status_code == 403
    assert Pilot.objects.get(pk=pilot.pk).decision == ""
