"""The pilot services: create and edit, states and the schedule, invitations, agreements,
enrolment (every refusal, with nothing written), and closing the loop."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import MemberRole, Segment
from community.models import ActivityEvent, ActivityKind, EngagementLevel, Notification
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    CheckIn,
    Enrolment,
    Follow,
    IdeaStatus,
    IdeaTransition,
    Instrument,
    Pilot,
    PilotDecision,
    PilotInvitation,
    PilotState,
    Vote,
)
from ideas.services import enrolment as enrolment_services
from ideas.services import pilots as services
from ideas.tasks import pilots_advance_schedule_task
from tests.accounts.factories import AccountFactory, customer
from tests.ideas.factories import (
    IdeaFactory,
    PilotFactory,
    agreement_accepted,
    engagement_level_set,
)

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def _create(idea, by, **overrides):
    fields = {
        "title": "Offline sync for field teams",
        "description": "Four weeks with the offline build.",
        "what_to_expect": "Sync within a minute of reconnecting.",
        "recruiting_opens": TODAY,
        "runs_from": TODAY + 7 * DAY,
        "runs_until": TODAY + 35 * DAY,
        "capacity": 3,
        "agreement_text": "We keep what we see confidential.",
    } | overrides
    return services.pilot_create(idea=idea, created_by=by, **fields)


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


def _notified(user, kind=None) -> list[str]:
    rows = Notification.objects.filter(user=user)
    if kind:
        rows = rows.filter(kind=kind)
    return list(rows.values_list("title", flat=True))


@pytest.fixture
def pilot(account_a):
    """Recruiting, published, capacity 5, Acme invited (agreement v1 not accepted yet)."""
    return PilotFactory(accounts=[account_a])


# --- Create ------------------------------------------------------------------------------------


def test_a_pilot_for_a_planned_idea_is_a_draft_with_instrument_check_ins_and_agreement(
    product_manager, member_a
):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)
    Follow.objects.create(idea=idea, user=member_a)

    pilot = _create(idea, product_manager, eligible_segments=["smb", "enterprise", "smb"])

    assert pilot.state == PilotState.DRAFT
    assert not pilot.published
    assert pilot.created_by == product_manager
    assert pilot.eligible_segments == ["enterprise", "smb"]
    assert Instrument.objects.get(pilot=pilot).version == 1
    assert pilot.instruments.get().dimensions.count() == 5
    assert list(CheckIn.objects.filter(pilot=pilot).values_list("title", flat=True)) == [
        "Your expectations",
        "Mid-pilot check-in",
        "Final check-in",
    ]
    agreement = Agreement.objects.get(pilot=pilot)
    assert (agreement.version, agreement.title) == (1, "Pilot agreement")
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PILOTING
    transition = IdeaTransition.objects.get(idea=idea)
    assert (transition.from_status, transition.to_status) == ("planned", "piloting")
    assert transition.reason == "Pilot Offline sync for field teams created"
    assert transition.actor == product_manager
    assert len(_notified(member_a, "idea_status")) == 1


def test_a_second_pilot_of_an_idea_already_piloting_leaves_the_idea_alone(product_manager):
    idea = IdeaFactory(status=IdeaStatus.PILOTING)

    _create(idea, product_manager)

    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PILOTING
    assert not IdeaTransition.objects.exists()


def test_a_pilot_is_not_created_for_an_idea_that_is_only_proposed(product_manager):
    idea = IdeaFactory(status=IdeaStatus.PROPOSED)

    with pytest.raises(ValidationError) as excinfo:
        _create(idea, product_manager)

    assert _errors(excinfo) == {
        "idea": ["Pilots are created for planned ideas; this one is proposed."]
    }
    assert not Pilot.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        (
            {"recruiting_opens": TODAY + 8 * DAY},
            {"runs_from": ["The pilot cannot run before recruiting opens."]},
        ),
        (
            {"runs_until": TODAY + 7 * DAY},
            {"runs_until": ["The pilot must run until a later day than it starts."]},
        ),
        ({"capacity": 0}, {"capacity": ["At least one account must be able to take part."]}),
        (
            {"eligible_segments": ["galactic"]},
            {"eligible_segments": ["Choose segments from the list."]},
        ),
        (
            {"min_engagement_level": "legendary"},
            {"min_engagement_level": ["Choose an engagement level from the list."]},
        ),
        (
            {"title": "  ", "what_to_expect": "", "agreement_text": ""},
            {
                "title": ["Give the pilot a title."],
                "what_to_expect": ["Say what participants should expect, before they join."],
                "agreement_text": ["Write the agreement (NDA or terms) accounts accept."],
            },
        ),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_saved(
    product_manager, overrides, errors
):
    idea = IdeaFactory(status=IdeaStatus.PLANNED)

    with pytest.raises(ValidationError) as excinfo:
        _create(idea, product_manager, **overrides)

    assert _errors(excinfo) == errors
    assert not Pilot.objects.exists()
    assert not Agreement.objects.exists()
    assert not Instrument.objects.exists()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.PLANNED


# --- Edit --------------------------------------------------------------------------------------


def test_a_product_manager_edits_the_pilot(product_manager, pilot):
    services.pilot_update(
        pilot=pilot, actor=product_manager, title="Offline sync, round 2", capacity=8
    )

    pilot.refresh_from_db()
    assert (pilot.title, pilot.capacity) == ("Offline sync, round 2", 8)


def test_the_capacity_cannot_fall_below_the_accounts_taking_part(
    product_manager, pilot, member_a, member_b, account_b
):
    PilotInvitation.objects.create(pilot=pilot, account=account_b)
    Enrolment.objects.create(pilot=pilot, user=member_a, account=member_a.membership.account)
    Enrolment.objects.create(pilot=pilot, user=member_b, account=account_b)

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_update(pilot=pilot, actor=product_manager, capacity=1)

    assert _errors(excinfo) == {
        "capacity": ["2 accounts take part already; the capacity cannot be lower."]
    }
    assert Pilot.objects.get(pk=pilot.pk).capacity == 5


def test_a_closed_pilot_cannot_be_edited(product_manager):
    pilot = PilotFactory(state=PilotState.CLOSED)

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_update(pilot=pilot, actor=product_manager, title="Too late")

    assert excinfo.value.messages == ["This pilot is closed; it can no longer be changed."]
    assert Pilot.objects.get(pk=pilot.pk).title != "Too late"


def test_only_the_editable_fields_can_be_changed(product_manager, pilot):
    with pytest.raises(ValidationError) as excinfo:
        services.pilot_update(pilot=pilot, actor=product_manager, state="closed")

    assert _errors(excinfo) == {"state": ["This cannot be changed here."]}
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RECRUITING


# --- States ------------------------------------------------------------------------------------


def test_a_pilot_moves_forward_and_steps_may_be_skipped(product_manager):
    pilot = PilotFactory(state=PilotState.DRAFT, published=False)

    services.pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.RUNNING)

    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RUNNING


def test_a_pilot_never_moves_backwards(product_manager):
    pilot = PilotFactory(state=PilotState.RUNNING)

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.RECRUITING)

    assert _errors(excinfo) == {
        "state": ["A pilot only moves forward: it is running, so it can move to closed."]
    }
    assert Pilot.objects.get(pk=pilot.pk).state == PilotState.RUNNING


def test_a_closed_pilot_has_nowhere_to_go(product_manager):
    pilot = PilotFactory(state=PilotState.CLOSED)

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.CLOSED)

    assert _errors(excinfo) == {
        "state": ["A pilot only moves forward, and this one is closed already."]
    }


def test_invited_members_hear_of_a_draft_pilot_only_when_it_opens(
    product_manager, member_a, admin_a, member_b
):
    pilot = PilotFactory(state=PilotState.DRAFT, published=False)
    enrolment_services.pilot_invite(
        pilot=pilot, accounts=[member_a.membership.account], invited_by=product_manager
    )
    assert not Notification.objects.exists()  # customers do not see drafts

    services.pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.RECRUITING)

    expected = [f"Your account is invited to the pilot “{pilot.title}”"]
    assert _notified(member_a) == expected
    assert _notified(admin_a) == expected
    assert _notified(member_b) == []
    assert _notified(product_manager) == []


def test_closing_a_pilot_evaluates_its_idea_and_tells_participants_and_followers_once(
    product_manager, pilot, member_a, account_a
):
    follower = customer(AccountFactory())
    Follow.objects.create(idea=pilot.idea, user=follower)
    Follow.objects.create(idea=pilot.idea, user=member_a)  # a participant who also follows
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)

    services.pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.CLOSED)

    pilot.idea.refresh_from_db()
    assert pilot.idea.status == IdeaStatus.EVALUATED
    transition = IdeaTransition.objects.get(idea=pilot.idea)
    assert (transition.from_status, transition.to_status, transition.actor) == (
        "piloting",
        "evaluated",
        product_manager,
    )
    assert _notified(member_a) == [f"The pilot “{pilot.title}” has closed"]
    assert _notified(follower) == [f"“{pilot.idea.title}” is now evaluated"]
    assert _notified(product_manager) == []


# --- The schedule ------------------------------------------------------------------------------


def _scheduled(state, opens, starts, ends, published=True):
    return PilotFactory(
        state=state,
        published=published,
        recruiting_opens=TODAY + opens * DAY,
        runs_from=TODAY + starts * DAY,
        runs_until=TODAY + ends * DAY,
    )


def test_the_schedule_moves_published_pilots_on_their_dates_and_a_second_run_changes_nothing(
    member_a, account_a
):
    opens_today = _scheduled(PilotState.DRAFT, 0, 3, 10)
    starts_today = _scheduled(PilotState.RECRUITING, -5, 0, 10)
    ended_yesterday = _scheduled(PilotState.RUNNING, -20, -10, -1)
    ends_today = _scheduled(PilotState.RUNNING, -20, -10, 0)
    late_draft = _scheduled(PilotState.DRAFT, -20, -10, 5)  # published late: straight to running
    not_published = _scheduled(PilotState.DRAFT, -20, -10, -1, published=False)
    future = _scheduled(PilotState.DRAFT, 2, 3, 10)
    PilotInvitation.objects.create(pilot=opens_today, account=account_a)
    Enrolment.objects.create(pilot=ended_yesterday, user=member_a, account=account_a)

    counts = services.pilots_advance_schedule(today=TODAY)  # the day the dates were set from

    assert counts == {"closed": 1, "running": 2, "recruiting": 1}
    states = dict(Pilot.objects.values_list("pk", "state"))
    assert states == {
        opens_today.pk: "recruiting",
        starts_today.pk: "running",
        ended_yesterday.pk: "closed",
        ends_today.pk: "running",
        late_draft.pk: "running",
        not_published.pk: "draft",
        future.pk: "draft",
    }
    ended_yesterday.idea.refresh_from_db()
    assert ended_yesterday.idea.status == IdeaStatus.EVALUATED
    transition = IdeaTransition.objects.get()
    assert (transition.idea, transition.actor) == (ended_yesterday.idea, None)
    assert sorted(_notified(member_a)) == sorted(
        [
            f"Your account is invited to the pilot “{opens_today.title}”",
            f"The pilot “{ended_yesterday.title}” has closed",
        ]
    )
    notifications = Notification.objects.count()

    assert services.pilots_advance_schedule(today=TODAY) == {
        "closed": 0,
        "running": 0,
        "recruiting": 0,
    }
    assert dict(Pilot.objects.values_list("pk", "state")) == states
    assert IdeaTransition.objects.count() == 1
    assert Notification.objects.count() == notifications


def test_the_schedule_task_runs_the_service_and_returns_its_counts(db):
    _scheduled(PilotState.RUNNING, -20, -10, -1)

    assert pilots_advance_schedule_task.delay().get() == {
        "closed": 1,
        "running": 0,
        "recruiting": 0,
    }
    assert pilots_advance_schedule_task.delay().get() == {
        "closed": 0,
        "running": 0,
        "recruiting": 0,
    }


def test_beat_runs_the_schedule_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["advance-pilot-schedules"]
    assert entry["task"] == "ideas.tasks.pilots_advance_schedule_task"
    assert entry["schedule"].hour == set(range(24))


def test_publishing_applies_todays_date_at_once(product_manager):
    pilot = _scheduled(PilotState.DRAFT, -1, 3, 10, published=False)

    services.pilot_publish(pilot=pilot, actor=product_manager)

    pilot.refresh_from_db()
    assert (pilot.published, pilot.state) == (True, PilotState.RECRUITING)


def test_a_closed_pilot_cannot_be_published(product_manager):
    pilot = PilotFactory(state=PilotState.CLOSED, published=False)

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_publish(pilot=pilot, actor=product_manager)

    assert excinfo.value.messages == ["This pilot is closed; there is nothing left to schedule."]
    assert not Pilot.objects.get(pk=pilot.pk).published


# --- Invitations -------------------------------------------------------------------------------


def test_invited_accounts_members_are_told(product_manager, account_a, member_a, admin_a, member_b):
    pilot = PilotFactory()

    created = enrolment_services.pilot_invite(
        pilot=pilot, accounts=[account_a], invited_by=product_manager
    )

    assert [i.account for i in created] == [account_a]
    invitation = PilotInvitation.objects.get(pilot=pilot)
    assert (invitation.account, invitation.invited_by) == (account_a, product_manager)
    assert len(_notified(member_a, "pilot_invitation")) == 1
    assert len(_notified(admin_a, "pilot_invitation")) == 1
    assert _notified(member_b) == []


def test_an_account_invited_already_is_skipped(product_manager, pilot, account_a, account_b):
    created = enrolment_services.pilot_invite(
        pilot=pilot, accounts=[account_a, account_b], invited_by=product_manager
    )

    assert [i.account for i in created] == [account_b]
    assert PilotInvitation.objects.filter(pilot=pilot).count() == 2


def test_an_account_of_a_segment_that_is_not_eligible_is_refused_and_nobody_is_invited(
    product_manager, account_a, account_b
):
    pilot = PilotFactory(eligible_segments=[Segment.ENTERPRISE])
    account_a.segment = Segment.ENTERPRISE
    account_a.save()

    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.pilot_invite(
            pilot=pilot, accounts=[account_a, account_b], invited_by=product_manager
        )

    assert _errors(excinfo) == {
        "accounts": ["Globex Logistics: the Mid-market segment is not eligible."]
    }
    assert not PilotInvitation.objects.exists()


def test_accounts_below_the_minimum_level_are_refused_and_unknown_levels_count_as_dormant(
    product_manager, account_a, account_b
):
    pilot = PilotFactory(min_engagement_level=EngagementLevel.PARTICIPATING)
    engagement_level_set(account_a, EngagementLevel.CONTRIBUTING)

    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.pilot_invite(
            pilot=pilot, accounts=[account_b], invited_by=product_manager
        )
    assert _errors(excinfo) == {
        "accounts": [
            "Globex Logistics: engagement level Dormant is below the minimum, Participating."
        ]
    }

    enrolment_services.pilot_invite(pilot=pilot, accounts=[account_a], invited_by=product_manager)
    assert list(PilotInvitation.objects.values_list("account__slug", flat=True)) == ["acme"]


def test_inviting_the_supporters_invites_eligible_voting_accounts_not_invited_yet(
    product_manager, member_a, member_b, account_a, account_b
):
    pilot = PilotFactory(eligible_segments=[Segment.MID_MARKET], accounts=[account_a])
    smb = AccountFactory(segment=Segment.SMB)
    third = AccountFactory(name="Initech")
    for user, account in [
        (member_a, account_a),
        (member_b, account_b),
        (customer(account_b), account_b),
        (customer(smb), smb),
        (customer(third), third),
    ]:
        Vote.objects.create(idea=pilot.idea, user=user, account=account)
    Vote.objects.create(idea=pilot.idea, user=product_manager, account=None)  # staff

    report = enrolment_services.pilot_invite_supporters(pilot=pilot, invited_by=product_manager)

    assert (report.invited, report.already_invited, report.not_eligible) == (2, 1, 1)
    assert str(report) == "2 accounts that voted invited; 1 invited already; 1 not eligible."
    assert set(PilotInvitation.objects.values_list("account__slug", flat=True)) == {
        "acme",
        "globex",
        third.slug,
    }
    assert len(_notified(member_b, "pilot_invitation")) == 1
    assert _notified(member_a) == []  # Acme was invited before


def test_a_closed_pilot_takes_no_invitations(product_manager, account_a):
    pilot = PilotFactory(state=PilotState.CLOSED)

    with pytest.raises(ValidationError):
        enrolment_services.pilot_invite(
            pilot=pilot, accounts=[account_a], invited_by=product_manager
        )
    with pytest.raises(ValidationError):
        enrolment_services.pilot_invite_supporters(pilot=pilot, invited_by=product_manager)

    assert not PilotInvitation.objects.exists()


# --- Agreements --------------------------------------------------------------------------------


def test_the_account_admin_accepts_the_agreement_once_for_the_whole_account(
    pilot, admin_a, member_a, account_a
):
    acceptance = enrolment_services.agreement_accept(pilot=pilot, admin=admin_a)

    assert (acceptance.account, acceptance.agreement.version, acceptance.accepted_by) == (
        account_a,
        1,
        admin_a,
    )
    assert _notified(member_a, "pilot_agreement") == [f"You can join the pilot “{pilot.title}”"]
    assert _notified(admin_a) == []

    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.agreement_accept(pilot=pilot, admin=admin_a)
    assert excinfo.value.messages == ["Acme Industrial has accepted version 1 already."]
    assert AgreementAcceptance.objects.count() == 1


def test_a_member_who_is_not_the_admin_cannot_accept(pilot, member_a):
    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.agreement_accept(pilot=pilot, admin=member_a)

    assert excinfo.value.messages == ["Only your account admin accepts the pilot agreement."]
    assert not AgreementAcceptance.objects.exists()


def test_an_admin_of_an_account_not_invited_cannot_accept(pilot, admin_b):
    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.agreement_accept(pilot=pilot, admin=admin_b)

    assert excinfo.value.messages == ["Globex Logistics is not invited to this pilot."]
    assert not AgreementAcceptance.objects.exists()


def test_a_new_agreement_version_must_be_accepted_again(
    product_manager, pilot, admin_a, member_a, account_a
):
    agreement_accepted(pilot, account_a)

    agreement = enrolment_services.agreement_publish(
        pilot=pilot, actor=product_manager, title="Pilot terms", text="Now with data sharing."
    )

    assert (agreement.version, agreement.title) == (2, "Pilot terms")
    assert _notified(admin_a, "pilot_agreement") == [
        f"New agreement for the pilot “{pilot.title}”: please accept version 2"
    ]
    assert _notified(member_a) == []  # only admins accept
    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.pilot_enrol(pilot=pilot, member=member_a)
    assert excinfo.value.messages == [
        "The agreement changed (now version 2): waiting for your account admin to accept it."
    ]

    enrolment_services.agreement_accept(pilot=pilot, admin=admin_a)
    assert enrolment_services.pilot_enrol(pilot=pilot, member=member_a).account == account_a


def test_an_agreement_version_needs_a_text(product_manager, pilot):
    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.agreement_publish(pilot=pilot, actor=product_manager, title="", text=" ")

    assert _errors(excinfo) == {
        "title": ["Give the agreement a title."],
        "text": ["Write the agreement (NDA or terms) accounts accept."],
    }
    assert Agreement.objects.filter(pilot=pilot).count() == 1


# --- Enrolment ---------------------------------------------------------------------------------


def test_a_member_enrols_records_the_activity_and_follows_the_idea(pilot, member_a, account_a):
    agreement_accepted(pilot, account_a)

    enrolment = enrolment_services.pilot_enrol(pilot=pilot, member=member_a)

    assert (enrolment.pilot, enrolment.user, enrolment.account) == (pilot, member_a, account_a)
    event = ActivityEvent.objects.get()
    assert (event.kind, event.account, event.user) == (
        ActivityKind.PILOT_ENROLLED,
        account_a,
        member_a,
    )
    assert (event.object_type, event.object_id) == ("ideas.enrolment", str(enrolment.pk))
    assert event.pilot_ref == pilot.pk  # a pilot event names its pilot
    assert Follow.objects.filter(idea=pilot.idea, user=member_a).exists()


def _refused(pilot, member) -> str:
    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.pilot_enrol(pilot=pilot, member=member)
    assert not Enrolment.objects.filter(user=member).exists()
    assert not ActivityEvent.objects.filter(user=member).exists()
    return " ".join(excinfo.value.messages)


def test_enrolment_waits_for_the_admin_to_accept_the_agreement(pilot, member_a):
    assert _refused(pilot, member_a) == (
        "The pilot agreement is waiting for your account admin to accept it."
    )


def test_enrolment_is_refused_to_an_account_not_invited(pilot, member_b):
    assert _refused(pilot, member_b) == "Globex Logistics is not invited to this pilot."


def test_enrolment_is_refused_to_an_account_whose_segment_is_not_eligible(
    pilot, member_a, account_a
):
    agreement_accepted(pilot, account_a)
    Pilot.objects.filter(pk=pilot.pk).update(eligible_segments=[Segment.ENTERPRISE])
    pilot.refresh_from_db()

    assert _refused(pilot, member_a) == (
        "Not eligible — Acme Industrial: the Mid-market segment is not eligible."
    )


def test_enrolment_is_refused_below_the_minimum_engagement_level(pilot, member_a, account_a):
    agreement_accepted(pilot, account_a)
    engagement_level_set(account_a, EngagementLevel.OBSERVING)
    Pilot.objects.filter(pk=pilot.pk).update(min_engagement_level=EngagementLevel.CONTRIBUTING)
    pilot.refresh_from_db()

    assert _refused(pilot, member_a) == (
        "Not eligible — Acme Industrial: engagement level Observing is below the minimum, "
        "Contributing."
    )


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (PilotState.DRAFT, "This pilot is not open for enrolment: it is draft."),
        (PilotState.CLOSED, "This pilot is not open for enrolment: it is closed."),
    ],
)
def test_enrolment_is_refused_unless_the_pilot_is_recruiting_or_running(
    member_a, account_a, state, message
):
    pilot = PilotFactory(state=state, accounts=[account_a])
    agreement_accepted(pilot, account_a)

    assert _refused(pilot, member_a) == message


def test_a_running_pilot_still_takes_members(member_a, account_a):
    pilot = PilotFactory(state=PilotState.RUNNING, accounts=[account_a])
    agreement_accepted(pilot, account_a)

    assert enrolment_services.pilot_enrol(pilot=pilot, member=member_a).pilot == pilot


def test_a_member_enrols_only_once(pilot, member_a, account_a):
    agreement_accepted(pilot, account_a)
    enrolment_services.pilot_enrol(pilot=pilot, member=member_a)

    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.pilot_enrol(pilot=pilot, member=member_a)

    assert excinfo.value.messages == ["You are already enrolled in this pilot."]
    assert Enrolment.objects.count() == 1
    assert ActivityEvent.objects.count() == 1


def test_no_account_enrols_beyond_the_capacity_but_colleagues_join_their_account(
    member_a, account_a, member_b, account_b
):
    pilot = PilotFactory(capacity=1, accounts=[account_a, account_b])
    agreement_accepted(pilot, account_a)
    agreement_accepted(pilot, account_b)
    enrolment_services.pilot_enrol(pilot=pilot, member=member_b)

    assert _refused(pilot, member_a) == ("This pilot is full: all 1 place (accounts) are taken.")
    colleague = customer(account_b)
    assert enrolment_services.pilot_enrol(pilot=pilot, member=colleague).account == account_b
    assert Enrolment.objects.filter(pilot=pilot).count() == 2


def test_internal_users_do_not_enrol(pilot, product_manager):
    with pytest.raises(ValidationError) as excinfo:
        enrolment_services.pilot_enrol(pilot=pilot, member=product_manager)

    assert excinfo.value.messages == ["Only customer members take part in pilots."]
    assert not Enrolment.objects.exists()


# --- Closing the loop --------------------------------------------------------------------------


def _closed_with_participants(account_a, member_a):
    pilot = PilotFactory(accounts=[account_a])
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    return pilot


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        (PilotDecision.ADOPT, IdeaStatus.ADOPTED),
        (PilotDecision.ITERATE, IdeaStatus.ITERATE),
        (PilotDecision.DECLINE, IdeaStatus.DECLINED),
    ],
)
def test_the_decision_moves_the_idea_and_tells_participants_and_followers_once(
    product_manager, account_a, member_a, decision, status
):
    pilot = _closed_with_participants(account_a, member_a)
    colleague = customer(account_a)
    Enrolment.objects.create(pilot=pilot, user=colleague, account=account_a)
    follower = customer(AccountFactory())
    for user in (member_a, follower, product_manager):
        Follow.objects.create(idea=pilot.idea, user=user)
    services.pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.CLOSED)
    Notification.objects.all().delete()

    services.pilot_decide(
        pilot=pilot, actor=product_manager, decision=decision, outcome_note="You said X; we did Y."
    )

    pilot.refresh_from_db()
    assert (pilot.decision, pilot.outcome_note, pilot.decided_by) == (
        decision,
        "You said X; we did Y.",
        product_manager,
    )
    assert pilot.decided_at is not None
    pilot.idea.refresh_from_db()
    assert pilot.idea.status == status
    last = IdeaTransition.objects.filter(idea=pilot.idea).last()
    assert (last.from_status, last.to_status) == ("evaluated", status)
    assert last.reason.startswith(f"Pilot {pilot.title}: ")
    for person in (member_a, colleague, follower):
        assert Notification.objects.filter(user=person, kind="pilot_decision").count() == 1
    assert Notification.objects.get(user=member_a).url == pilot.get_absolute_url()
    assert Notification.objects.get(user=follower).url == pilot.idea.get_absolute_url()
    assert Notification.objects.get(user=member_a).body == "You said X; we did Y."
    assert not Notification.objects.filter(user=product_manager).exists()


def test_the_decision_takes_an_idea_still_piloting_through_evaluated(
    product_manager, account_a, member_a
):
    pilot = PilotFactory(state=PilotState.CLOSED)  # closed without the service

    services.pilot_decide(
        pilot=pilot, actor=product_manager, decision=PilotDecision.ADOPT, outcome_note="Shipped."
    )

    moves = list(
        IdeaTransition.objects.filter(idea=pilot.idea).values_list("from_status", "to_status")
    )
    assert moves == [("piloting", "evaluated"), ("evaluated", "adopted")]


def test_a_pilot_still_running_cannot_be_decided(product_manager, account_a, member_a):
    pilot = _closed_with_participants(account_a, member_a)

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_decide(
            pilot=pilot, actor=product_manager, decision="adopt", outcome_note="Early."
        )

    assert _errors(excinfo) == {"decision": ["Close the pilot before recording the decision."]}
    pilot.refresh_from_db()
    assert pilot.decision == ""
    assert not Notification.objects.exists()


def test_a_decision_is_recorded_once(product_manager):
    pilot = PilotFactory(state=PilotState.CLOSED)
    services.pilot_decide(pilot=pilot, actor=product_manager, decision="adopt", outcome_note="A")

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_decide(
            pilot=pilot, actor=product_manager, decision="decline", outcome_note="B"
        )

    assert _errors(excinfo) == {"decision": ["The decision (adopt) is recorded."]}
    pilot.refresh_from_db()
    assert (pilot.decision, pilot.outcome_note) == ("adopt", "A")


def test_a_decision_needs_a_known_choice_and_an_outcome_note(product_manager):
    pilot = PilotFactory(state=PilotState.CLOSED)

    with pytest.raises(ValidationError) as excinfo:
        services.pilot_decide(pilot=pilot, actor=product_manager, decision="maybe", outcome_note="")

    assert _errors(excinfo) == {
        "decision": ["Choose adopt, iterate or decline."],
        "outcome_note": ["Tell the participants what you did with what they said."],
    }
    assert Pilot.objects.get(pk=pilot.pk).decision == ""


def test_only_admins_of_invited_accounts_hear_of_a_new_agreement(
    product_manager, pilot, admin_a, admin_b
):
    enrolment_services.agreement_publish(
        pilot=pilot, actor=product_manager, title="Terms", text="v2"
    )

    assert len(_notified(admin_a)) == 1
    assert _notified(admin_b) == []
    assert admin_a.membership.role == MemberRole.ADMIN


def test_invitation_emails_go_out_after_commit(
    product_manager, account_a, member_a, admin_a, django_capture_on_commit_callbacks
):
    pilot = PilotFactory()

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_services.pilot_invite(
            pilot=pilot, accounts=[account_a], invited_by=product_manager
        )

    assert sorted(m.to[0] for m in mail.outbox) == sorted([admin_a.email, member_a.email])
    assert mail.outbox[0].subject == f"Your account is invited to the pilot “{pilot.title}”"


def test_the_admin_is_told_that_the_agreement_waits_for_them(admin_a, account_a):
    from ideas.selectors.enrolment import enrolment_refusal
    from tests.ideas.factories import PilotFactory

    pilot = PilotFactory(accounts=[account_a])

    refusal = enrolment_refusal(pilot=pilot, user=admin_a)

    assert refusal.code == "agreement_not_accepted"
    assert refusal.message == (
        "The pilot agreement is waiting for you, as the account admin, to accept it for "
        "Acme Industrial."
    )
