"""Demo patterns for a pilot's effect against matched accounts (docs/product.md, "Pilot effect
against matched accounts"), for `manage.py seed_demo`: one closed pilot that lifted its
participants and one that did not, so that the effect page has both stories to tell.

- **Lifted**: the adopted pilot (*Set-up wizard for new sites*). Its accounts gave feedback
  (which the engagement model counts as co-creation for a year) and, once the wizard had set up
  their sites, their people kept coming back: every member visits about weekly in the 90 days
  after the pilot, and votes or comments now and then. Similar accounts get no such push.
- **Not lifted**: *Route suggestions for technicians*, a trial of the route-planning idea before
  it was declined (its accounts plan routes in their fleet tools). Accounts that took part in no
  other pilot enrolled and said what they expected; none gave experience feedback, and nothing
  changed in how they engage afterwards, so their scores move like those of similar accounts.
  The idea was declined on its own story's day, so the trial's row is written here (a pilot is
  created only for a planned idea); every other step goes through the services, on the
  demo's timeline.

Call it after the ideas and before the levels are computed (seed_demo does): the events are
dated in the past, and the engagement history is computed from them. Deterministic: drawn
from its own `random.Random`, seeded by the demo's seed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accounts.models import Account, MemberRole, Membership, User
from community.models import ActivityEvent, ActivityKind
from community.services.engagement import activity_events_bulk_record
from demo.data.ideas import DEMO_PRODUCT_MANAGER
from demo.data.timeline import PILOT, Timeline, history_not_emailed
from ideas.models import Agreement, Enrolment, Idea, Pilot, PilotDecision, PilotState
from ideas.models.instrument import DEFAULT_DIMENSIONS
from ideas.selectors.instrument import instrument_current
from ideas.services import enrolment as enrolment_services
from ideas.services import feedback as feedback_services
from ideas.services import pilots as pilot_services
from ideas.services.feedback import check_ins_create_default
from ideas.services.instrument import instrument_create_default

LIFT_DAYS = 90  # the pattern after the lifted pilot: its accounts' next 90 days
ROUTES_IDEA = "Plan the best route across today's jobs"
TRIAL_ACCOUNTS = 6
# The route trial, in days from today (negative: in the past).
TRIAL = {"created": 175, "opens": -172, "runs_from": -165, "runs_until": -137, "decided": 123}
TRIAL_NOTE = (
    "You told us your dispatch and fleet tools already plan your routes, and the suggestions "
    "did not change how your technicians drive. We will not build route planning: instead, "
    "today's jobs can be exported with their addresses for the tools you use."
)


def demo_pilot_effects_create(*, seed: int, today: dt.date | None = None) -> None:
    """The lift after the adopted pilot, and the route trial that lifted nobody. Draws from a
    generator of its own (from `seed`), so the rest of the demo is drawn as without it."""
    today = today or timezone.localdate()
    rng = random.Random(f"pilot-effects-{seed}")  # noqa: S311 (demo data, not secrets)
    lifted = Pilot.objects.filter(state=PilotState.CLOSED, decision=PilotDecision.ADOPT).first()
    if lifted is not None:
        _lift_after(rng=rng, pilot=lifted, today=today)
    idea = Idea.objects.filter(title=ROUTES_IDEA).first()
    if idea is not None:
        _route_trial(rng=rng, idea=idea, today=today)


def _lift_after(*, rng: random.Random, pilot: Pilot, today: dt.date) -> int:
    """Every member of the pilot's accounts visits about weekly over the 90 days after it (up
    to yesterday), with a vote or a comment one visit in four. Returns the events recorded."""
    accounts = Enrolment.objects.filter(pilot=pilot).values("account_id")
    members = Membership.objects.filter(account_id__in=accounts).values_list(
        "account_id", "user_id"
    )
    first = pilot.runs_until + dt.timedelta(days=1)
    last = min(pilot.runs_until + dt.timedelta(days=LIFT_DAYS), today - dt.timedelta(days=1))
    events = []
    for account_id, user_id in members.order_by("account_id", "user_id"):
        day = first + dt.timedelta(days=rng.randint(0, 6))
        while day <= last:
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randint(0, 8))))
            kinds = [ActivityKind.VISIT]
            if rng.random() < 0.25:
                kinds.append(rng.choice([ActivityKind.VOTE, ActivityKind.COMMENT]))
            events += [
                ActivityEvent(
                    account_id=account_id,
                    user_id=user_id,
                    kind=kind,
                    occurred_at=moment,
                    created_at=moment,
                )
                for kind in kinds
            ]
            day += dt.timedelta(days=rng.randint(5, 9))
    return activity_events_bulk_record(events=events)


def _trial_accounts() -> list[tuple[Account, User, User]]:
    """Accounts in no pilot yet (not the demo logins' own), with an admin and a member: (the
    account, its admin, the member who takes part), the first TRIAL_ACCOUNTS by id."""
    first = Account.objects.order_by("pk").first()
    taken = Enrolment.objects.values("account_id")
    chosen = []
    for account in Account.objects.exclude(pk__in=taken).exclude(pk=first.pk).order_by("pk"):
        people = Membership.objects.filter(account=account).select_related("user").order_by("pk")
        admin = next((m.user for m in people if m.role == MemberRole.ADMIN), None)
        member = next((m.user for m in people if m.role == MemberRole.MEMBER), None)
        if admin is not None and member is not None:
            chosen.append((account, admin, member))
        if len(chosen) == TRIAL_ACCOUNTS:
            break
    return chosen


def _trial_create(*, idea: Idea, pm: User, today: dt.date) -> Pilot:
    """The trial's row, its default instrument, check-ins and agreement (as `pilot_create`
    makes them, but for an idea that is no longer planned)."""
    pilot = Pilot.objects.create(
        idea=idea,
        created_by=pm,
        title="Route suggestions for technicians",
        description="Four weeks in which the mobile app suggested the order of the day's jobs "
        "and a route between them.",
        what_to_expect="Each morning the app suggests the order of your technician's jobs and "
        "the route, taking traffic into account. The technician may ignore it. It does not know "
        "your technicians' skills or your vans' stock yet.",
        recruiting_opens=today + dt.timedelta(days=TRIAL["opens"]),
        runs_from=today + dt.timedelta(days=TRIAL["runs_from"]),
        runs_until=today + dt.timedelta(days=TRIAL["runs_until"]),
        capacity=TRIAL_ACCOUNTS + 2,
        published=True,
    )
    instrument_create_default(pilot=pilot)
    check_ins_create_default(pilot=pilot)
    Agreement.objects.create(pilot=pilot, version=1, text="What you see is confidential.")
    return pilot


def _route_trial(*, rng: random.Random, idea: Idea, today: dt.date) -> None:
    """The trial on the demo's timeline: made, opened, its accounts invited, accepting and
    enrolling with their expectations, running, closed and declined."""
    pm = User.objects.get(email=DEMO_PRODUCT_MANAGER)
    timeline = Timeline(now=timezone.now())
    made: dict[str, Pilot] = {}

    def pilot() -> Pilot:
        return Pilot.objects.get(pk=made["pilot"].pk)

    def state(to: str):
        return lambda: pilot_services.pilot_set_state(pilot=pilot(), actor=pm, state=to)

    taking_part = _trial_accounts()
    opens, starts, ends = -TRIAL["opens"], -TRIAL["runs_from"], -TRIAL["runs_until"]
    timeline.at(
        TRIAL["created"],
        PILOT,
        lambda: made.setdefault("pilot", _trial_create(idea=idea, pm=pm, today=today)),
    )
    timeline.at(opens, PILOT, state(PilotState.RECRUITING))
    if taking_part:  # a small demo may have no account left that is in no pilot
        timeline.at(
            opens - 0.5,
            PILOT,
            lambda: enrolment_services.pilot_invite(
                pilot=pilot(), accounts=[a for a, _, _ in taking_part], invited_by=pm
            ),
        )
    for _, admin, member in taking_part:
        accepted = opens - rng.uniform(1, 3)
        timeline.at(
            accepted,
            PILOT,
            lambda a=admin: enrolment_services.agreement_accept(pilot=pilot(), admin=a),
        )
        timeline.at(accepted - rng.uniform(0.2, 2), PILOT, lambda m=member: _enrol(pilot(), m, rng))
    timeline.at(starts, PILOT, state(PilotState.RUNNING))
    timeline.at(ends - 1, PILOT, state(PilotState.CLOSED))  # the day after its last
    timeline.at(
        TRIAL["decided"],
        PILOT,
        lambda: pilot_services.pilot_decide(
            pilot=pilot(), actor=pm, decision=PilotDecision.DECLINE, outcome_note=TRIAL_NOTE
        ),
    )
    with history_not_emailed():
        timeline.run()


def _enrol(pilot: Pilot, member: User, rng: random.Random) -> None:
    """Enrol, and give an expectation per dimension (around 5 of 7): no experience feedback."""
    enrolment = enrolment_services.pilot_enrol(pilot=pilot, member=member)
    check_in = pilot.check_ins.select_related("pilot").get(position=0)
    questions = instrument_current(pilot=pilot).questions.filter(phase=check_in.phase)
    expected = next(q.pk for q in questions if q.role == "expected")
    feedback_services.response_save(
        check_in=check_in,
        enrolment=enrolment,
        answers={expected: {key: rng.randint(4, 6) for key, _, _ in DEFAULT_DIMENSIONS}},
        submit=True,
    )
