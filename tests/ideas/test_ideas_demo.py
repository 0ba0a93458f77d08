"""`manage.py seed_demo` gives a demo that is alive: ideas all along the workflow with support
from many accounts, a pilot the demo logins can join, one with results worth reading, one
closed with its decision — dated in the past, in order, and the same on every run.

Seeding takes a moment, so the tests of `TestTheSeededDemo` read one small demo seeded once for
the class (inside a transaction rolled back after its last test); each test still runs in its
own savepoint. The tests of the command itself start from an empty database.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from accounts.models import Account, MemberRole, Membership, User
from community.models import ActivityEvent, ActivityKind, Notification
from community.models.notifications import NotifyKind
from community.selectors.engagement import activity_timeline
from demo.data.activity import PILOT_KINDS
from demo.data.ideas import DEMO_PRODUCT_MANAGER, IDEA_COUNT, MIN_IDEAS
from ideas.models import (
    AgreementAcceptance,
    Answer,
    Comment,
    Enrolment,
    FeedbackResponse,
    Follow,
    Idea,
    IdeaStatus,
    IdeaTransition,
    Phase,
    Pilot,
    PilotDecision,
    PilotState,
    ResponseStatus,
    Vote,
)
from ideas.models.instrument import DEFAULT_DIMENSIONS
from ideas.selectors.account_pilots import account_pilots
from ideas.selectors.enrolment import enrolment_refusal, pilot_current_agreement
from ideas.selectors.results import pilot_results
from ideas.services.enrolment import agreement_accept, pilot_enrol
from ideas.services.feedback import response_save
from ideas.services.pilots import pilots_advance_schedule

SMALL = {"accounts": 12, "members": 5.0, "days": 30}


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()


@pytest.fixture(scope="class")
def _seeded_once(django_db_setup, django_db_blocker):
    """One small demo for a class of tests, rolled back after the last of them."""
    with django_db_blocker.unblock(), transaction.atomic():
        started = timezone.now()
        output = _seed()
        yield {"started": started, "output": output}
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    return _seeded_once


def _pilot(state: str) -> Pilot:
    return Pilot.objects.select_related("idea").get(state=state, decision="")


def _demo_logins() -> tuple[User, User]:
    """The first account's admin and member: the customer logins seed_demo prints."""
    first = Account.objects.order_by("pk").first()
    memberships = Membership.objects.filter(account=first).order_by("pk").select_related("user")
    admin = memberships.filter(role=MemberRole.ADMIN).first().user
    member = memberships.filter(role=MemberRole.MEMBER).first().user
    return admin, member


def _answers_by_role(pilot: Pilot, phase: str, values: dict) -> dict:
    instrument = pilot.instruments.order_by("-version").first()
    by_role = {q.role: q.pk for q in instrument.questions.filter(phase=phase)}
    return {by_role[role]: value for role, value in values.items()}


class TestTheSeededDemo:
    """A small demo (12 accounts), seeded once for these tests."""

    # --- Ideas ------------------------------------------------------------------------------------

    def test_it_seeds_ideas_in_every_part_of_the_workflow(self, seeded):
        statuses = set(Idea.objects.values_list("status", flat=True))

        assert Idea.objects.count() == IDEA_COUNT
        assert statuses >= {
            IdeaStatus.PROPOSED,
            IdeaStatus.UNDER_REVIEW,
            IdeaStatus.PLANNED,
            IdeaStatus.PILOTING,
            IdeaStatus.EVALUATED,
            IdeaStatus.ADOPTED,
            IdeaStatus.DECLINED,
            IdeaStatus.WITHDRAWN,
            IdeaStatus.MERGED,
        }
        assert Idea.objects.filter(garden__visibility="open").count() == IDEA_COUNT

    def test_the_ideas_have_support_from_many_accounts_and_a_few_are_popular(self, seeded):
        votes = sorted(
            Idea.objects.annotate(n=Count("votes")).values_list("n", flat=True), reverse=True
        )
        accounts = Vote.objects.exclude(account=None).values("account").distinct().count()

        assert accounts >= 8  # of the 12
        assert votes[0] >= 3 * votes[len(votes) // 2]  # skewed: the top idea far above the median
        # Customers' votes count for their account's engagement (a merge may have folded two
        # votes of one person into one), and voters follow what they support.
        assert not Vote.objects.filter(account=None).exists()
        voted = ActivityEvent.objects.filter(kind=ActivityKind.VOTE, object_type="ideas.idea")
        assert voted.count() >= Vote.objects.count()
        for vote in Vote.objects.all():
            assert Follow.objects.filter(idea=vote.idea_id, user=vote.user_id).exists()

    def test_product_managers_moved_the_ideas_and_said_why(self, seeded):
        pat = User.objects.get(email=DEMO_PRODUCT_MANAGER)
        moves = IdeaTransition.objects.exclude(to_status__in=[IdeaStatus.WITHDRAWN])

        assert moves.exists()
        assert not moves.filter(reason="").exists()
        # Pat made every move but those of the schedule (a pilot closing on its date: no actor).
        assert set(moves.exclude(actor=None).values_list("actor", flat=True)) == {pat.pk}
        withdrawn = Idea.objects.get(status=IdeaStatus.WITHDRAWN)
        assert withdrawn.transitions.get().actor_id == withdrawn.author_id

    def test_the_duplicate_was_merged_into_the_original_with_its_support(self, seeded):
        duplicate = Idea.objects.get(status=IdeaStatus.MERGED)
        original = duplicate.merged_into

        assert original.status == IdeaStatus.PROPOSED
        assert not duplicate.votes.exists()
        assert original.votes.exists()
        assert duplicate.transitions.get().to_status == IdeaStatus.MERGED
        assert Comment.objects.filter(idea__in=[duplicate, original]).exists()

    def test_the_product_managers_likely_duplicates_pair_an_idea_proposed_again(self, seeded):
        from ideas.selectors.similar import likely_duplicates

        pm = User.objects.get(email=DEMO_PRODUCT_MANAGER)
        pairs = [(p.newer.title, p.older.title) for p in likely_duplicates(user=pm)]

        assert ("A dark mode for the night shift", "Dark mode for night shifts") in pairs

    def test_customers_and_product_managers_proposed_ideas(self, seeded):
        internal = Idea.objects.filter(author_account=None)
        customers = Idea.objects.exclude(author_account=None)

        assert internal.filter(author__email__endswith="@customergarden.example").count() >= 3
        assert customers.values("author_account").distinct().count() >= 5
        assert (
            ActivityEvent.objects.filter(
                kind=ActivityKind.IDEA_PROPOSED, object_type="ideas.idea"
            ).count()
            == customers.count()
        )

    # --- Pilots -----------------------------------------------------------------------------------

    def test_the_recruiting_pilot_waits_for_the_demo_accounts_admin(self, seeded):
        pilot = _pilot(PilotState.RECRUITING)
        admin, member = _demo_logins()
        account = admin.membership.account
        agreement = pilot_current_agreement(pilot=pilot)

        assert pilot.published
        assert pilot.invitations.filter(account=account).exists()
        assert not AgreementAcceptance.objects.filter(agreement=agreement, account=account).exists()
        assert enrolment_refusal(pilot=pilot, user=member).code == "agreement_not_accepted"
        # Other accounts have joined already.
        assert pilot.enrolments.values("account").distinct().count() >= 2

    def test_the_demo_admin_can_accept_and_the_demo_member_can_then_enrol(self, seeded):
        pilot = _pilot(PilotState.RECRUITING)
        admin, member = _demo_logins()

        agreement_accept(pilot=pilot, admin=admin)
        enrolment = pilot_enrol(pilot=pilot, member=member)
        expectation = pilot.check_ins.get(phase=Phase.EXPECTATION)
        response_save(
            check_in=expectation,
            enrolment=enrolment,
            answers=_answers_by_role(
                pilot, Phase.EXPECTATION, {"expected": {k: 5 for k, _, _ in DEFAULT_DIMENSIONS}}
            ),
            submit=True,
        )

        assert Enrolment.objects.filter(pilot=pilot, user=member).exists()
        assert FeedbackResponse.objects.get(enrolment=enrolment).status == ResponseStatus.SUBMITTED

    def test_the_demo_member_can_join_the_running_pilot_and_answer_a_check_in(self, seeded):
        pilot = _pilot(PilotState.RUNNING)
        _, member = _demo_logins()

        enrolment = pilot_enrol(pilot=pilot, member=member)
        check_in = pilot.check_ins.filter(phase=Phase.EXPERIENCE).order_by("position").first()
        response = response_save(
            check_in=check_in,
            enrolment=enrolment,
            answers=_answers_by_role(
                pilot,
                Phase.EXPERIENCE,
                {
                    "experienced": {k: 4 for k, _, _ in DEFAULT_DIMENSIONS},
                    "sacrifice": {k: 2 for k, _, _ in DEFAULT_DIMENSIONS},
                    "job_done": "Partly",
                    "adopt": 6,
                    "recommend": 7,
                },
            ),
            submit=True,
        )

        assert response.status == ResponseStatus.SUBMITTED

    def test_the_running_pilot_has_results_worth_reading(self, seeded):
        pilot = _pilot(PilotState.RUNNING)
        results = pilot_results(pilot=pilot, split="segment")
        dimensions = {d.key: d for d in results.overall.dimensions}

        assert pilot.enrolments.count() >= 8
        assert pilot.enrolments.values("account").distinct().count() >= 4
        for key, _, _ in DEFAULT_DIMENSIONS:
            assert dimensions[key].paired_n >= 5
            assert dimensions[key].gap_interval is not None
        gaps = [d.gap_mean for d in dimensions.values()]
        assert min(gaps) < 0 < max(gaps)  # some expectations met, some not
        assert results.overall.nps.n >= 5
        assert results.overall.nps.score is not None
        scores_given = [score for score, n in enumerate(results.overall.nps.distribution) if n]
        assert len(scores_given) > 2  # answers spread over the scale
        assert results.verbatims
        assert len(results.groups) >= 2  # split by segment
        # Some members have not answered the mid-pilot check-in yet (the reminders have work).
        assert FeedbackResponse.objects.filter(
            check_in__pilot=pilot, status=ResponseStatus.DRAFT
        ).exists()

    def test_the_demo_product_manager_sees_the_running_pilots_results(self, seeded, client_for):
        pilot = _pilot(PilotState.RUNNING)
        pat = User.objects.get(email=DEMO_PRODUCT_MANAGER)

        response = client_for(pat).get(f"/pilots/{pilot.pk}/results/")

        assert response.status_code == 200
        assert pilot.title in response.content.decode()

    def test_the_closed_pilot_has_its_decision_and_its_idea_was_adopted(self, seeded):
        pilot = Pilot.objects.select_related("idea").get(decision=PilotDecision.ADOPT)

        assert pilot.state == PilotState.CLOSED
        assert pilot.outcome_note.startswith("You said")
        assert pilot.decided_by.email == DEMO_PRODUCT_MANAGER
        assert pilot.idea.status == IdeaStatus.ADOPTED
        assert pilot_results(pilot=pilot).overall.respondents >= 5
        # The participants were told what was decided.
        told = Notification.objects.filter(kind="pilot_decision", user__enrolments__pilot=pilot)
        assert told.values("user").distinct().count() == pilot.enrolments.count()

    def test_a_closed_pilot_waits_for_its_decision_with_too_few_responses(self, seeded):
        pilot = Pilot.objects.select_related("idea").get(state=PilotState.CLOSED, decision="")

        assert pilot.idea.status == IdeaStatus.EVALUATED
        assert pilot_results(pilot=pilot).overall.too_small

    def test_the_schedule_leaves_the_seeded_pilots_where_they_are(self, seeded):
        states = dict(Pilot.objects.values_list("pk", "state"))

        moved = pilots_advance_schedule()

        assert set(moved.values()) == {0}
        assert dict(Pilot.objects.values_list("pk", "state")) == states
        # The catalogue's four, the route trial of demo/data/pilot_effects.py and the two trials
        # of demo/data/expectation_drift.py.
        assert Pilot.objects.filter(published=True).count() == len(states) == 7

    # --- History ----------------------------------------------------------------------------------

    def test_the_history_is_dated_in_the_past_and_in_order(self, seeded):
        an_hour_before = seeded["started"] - dt.timedelta(hours=1)
        ideas = Idea.objects.all()

        # Alerts are raised as of today, so their notifications are the one thing that is new.
        history_notifications = Notification.objects.exclude(kind=NotifyKind.ENGAGEMENT_ALERT)
        for rows, stamp in [
            (Idea.objects.all(), "created_at"),
            (IdeaTransition.objects.all(), "created_at"),
            (Vote.objects.all(), "created_at"),
            (Comment.objects.all(), "created_at"),
            (history_notifications, "created_at"),
            (Enrolment.objects.all(), "created_at"),
            (FeedbackResponse.objects.all(), "submitted_at"),
        ]:
            latest = rows.aggregate(latest=Max(stamp))["latest"]
            assert latest < an_hour_before, rows.model
        assert ActivityEvent.objects.filter(occurred_at__gte=an_hour_before).count() == 0
        for idea in ideas.prefetch_related("transitions", "votes", "comments"):
            moments = [t.created_at for t in idea.transitions.all()]
            assert moments == sorted(moments)
            assert all(m > idea.created_at for m in moments)
            assert all(v.created_at > idea.created_at for v in idea.votes.all())
            assert all(c.created_at > idea.created_at for c in idea.comments.all())
        for response in FeedbackResponse.objects.select_related("check_in__pilot", "enrolment"):
            pilot = response.check_in.pilot
            assert response.created_at >= response.enrolment.created_at
            if response.check_in.phase == Phase.EXPERIENCE and response.submitted_at:
                assert timezone.localdate(response.submitted_at) >= pilot.runs_from

    def test_customers_actions_count_for_their_accounts_engagement(self, seeded):
        submitted = FeedbackResponse.objects.filter(status=ResponseStatus.SUBMITTED)

        assert (
            ActivityEvent.objects.filter(kind=ActivityKind.FEEDBACK_GIVEN)
            .exclude(object_type="")
            .count()
            == submitted.filter(check_in__phase=Phase.EXPERIENCE).count()
        )
        assert (
            ActivityEvent.objects.filter(kind=ActivityKind.PILOT_ENROLLED)
            .exclude(object_type="")
            .count()
            == Enrolment.objects.count()
        )
        assert Answer.objects.filter(response__in=submitted).exists()

    def test_every_pilot_event_names_a_pilot_its_account_takes_part_in(self, seeded):
        events = ActivityEvent.objects.filter(kind__in=PILOT_KINDS)
        enrolled = set(Enrolment.objects.values_list("account_id", "pilot_id"))
        answered = {
            (account, pilot, phase)
            for account, pilot, phase in FeedbackResponse.objects.filter(
                status=ResponseStatus.SUBMITTED
            ).values_list("enrolment__account_id", "check_in__pilot_id", "check_in__phase")
        }

        assert events.filter(kind=ActivityKind.FEEDBACK_GIVEN).exists()
        assert not events.filter(pilot_ref__isnull=True).exists()
        assert set(events.values_list("account_id", "pilot_ref")) == enrolled
        for account, pilot, kind in events.values_list("account_id", "pilot_ref", "kind"):
            if kind != ActivityKind.PILOT_ENROLLED:
                phase = (
                    Phase.EXPECTATION
                    if kind == ActivityKind.EXPECTATION_GIVEN
                    else Phase.EXPERIENCE
                )
                assert (account, pilot, phase) in answered

    def test_an_accounts_pilots_section_shows_the_pilots_its_activity_names(self, seeded):
        for account in Account.objects.order_by("pk"):
            timeline = activity_timeline(account=account, support=False)
            named = set(
                timeline.filter(kind=ActivityKind.PILOT_ENROLLED).values_list(
                    "pilot_ref", flat=True
                )
            )
            assert {row.pilot.pk for row in account_pilots(account=account)} == named

    def test_people_have_read_what_they_were_told_weeks_ago_but_not_lately(self, seeded):
        fortnight_ago = timezone.now() - dt.timedelta(days=14)

        assert Notification.objects.filter(created_at__gte=fortnight_ago, read_at=None).exists()
        assert not Notification.objects.filter(created_at__lt=fortnight_ago, read_at=None).exists()

    def test_running_it_again_with_if_empty_adds_nothing(self, seeded):
        counts = [m.objects.count() for m in (Idea, Vote, Pilot, FeedbackResponse, Notification)]

        output = _seed(if_empty=True)

        assert "exists already" in output
        assert [m.objects.count() for m in (Idea, Vote, Pilot, FeedbackResponse, Notification)] == (
            counts
        )

    def test_it_says_what_it_seeded(self, seeded):
        assert f"{IDEA_COUNT} ideas" in seeded["output"]
        assert f"{Pilot.objects.count()} pilots" in seeded["output"]  # all, not the ideas' four
        assert Pilot.objects.count() == 7
        assert "pat.okoye@customergarden.example" in seeded["output"]


# --- The command, from an empty database ----------------------------------------------------------


def test_it_queues_no_email_for_the_history(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _seed(accounts=3, days=5)

    assert Notification.objects.exists()
    assert callbacks == []


def _fingerprint() -> list:
    """What a visitor sees, without ids or times (which differ between databases and runs)."""
    ideas = [
        (i.title, i.status, i.author.email, i.n_votes, i.n_comments)
        for i in Idea.objects.select_related("author").annotate(
            n_votes=Count("votes", distinct=True), n_comments=Count("comments", distinct=True)
        )
    ]
    pilots = [
        (
            p.title,
            p.state,
            sorted(p.enrolments.values_list("user__email", flat=True)),
            sorted(
                Answer.objects.filter(response__check_in__pilot=p).values_list(
                    "response__enrolment__user__email",
                    "question__role",
                    "dimension__key",
                    "value_int",
                    "value_text",
                )
            ),
        )
        for p in Pilot.objects.all()
    ]
    return sorted(ideas) + sorted(pilots, key=lambda p: p[0])


def test_it_seeds_the_same_demo_every_time(db):
    fingerprints = []
    for _ in range(2):
        with transaction.atomic():
            _seed(accounts=6, days=10)
            fingerprints.append(_fingerprint())
            transaction.set_rollback(True)

    assert fingerprints[0] == fingerprints[1]
    assert len(fingerprints[0]) == IDEA_COUNT + 5  # four pilots and the route trial


def test_it_seeds_fewer_ideas_or_none_when_asked(db):
    with transaction.atomic():
        _seed(accounts=4, days=5, ideas=MIN_IDEAS)
        assert Idea.objects.count() == MIN_IDEAS
        assert Pilot.objects.count() == 4
        transaction.set_rollback(True)

    _seed(accounts=4, days=5, ideas=0)

    assert Account.objects.count() == 4
    assert not Idea.objects.exists()
    assert not Pilot.objects.exists()


@pytest.mark.parametrize("ideas", [1, MIN_IDEAS - 1, IDEA_COUNT + 1, -1])
def test_it_refuses_an_idea_count_it_cannot_seed_and_writes_nothing(db, ideas):
    with pytest.raises(CommandError, match="--ideas"):
        _seed(ideas=ideas)

    assert not Account.objects.exists()
