"""Expectation drift in the demo (docs/product.md, "Expectation calibration", per account), for
`manage.py seed_demo`: two short trials in which the members of the same two accounts said what
they expected, so that an account's pilots section has a drift to show, and one to show flat.

- *Video walkthroughs on the set-up screens* promised "you will not need the manual or a call
  with us": usability expectations came in above the product team's target (flagged), and the
  trial was declined.
- *Glove mode for the mobile app*, two months later, promised little. The rising account's
  members, told last time that they would not need the manual, expected more of it: their
  usability and speed expectations rose by more than a point, an interval clear of zero. The
  steady account's members expected about what they had expected of the videos: a flat drift.

The two accounts have at least MIN_PARTICIPANTS members, none of whose people has given
experience feedback in a pilot, the first account manager's (the one the demo prints) before
the others', and not the demo logins' own (too few members): both trials collect expectations
only (like the route trial of demo/data/pilot_effects.py), so their co-creation stays as it
was. Each trial's idea is found by title and left as its own story has it (the videos were
declined on their idea's own day; the gloves are still under review). Call it after the
loyalty history and before the badges (seed_demo does): its events are dated in the past, and
the engagement history is repaired after it. Deterministic: drawn from its own
`random.Random`, seeded by the demo's seed, so the rest of the demo is drawn as without it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from accounts.models import (
    Account,
    AccountTeamAssignment,
    InternalRole,
    MemberRole,
    Membership,
    User,
)
from demo.data.ideas import DEMO_PRODUCT_MANAGER
from demo.data.people import INTERNAL_DOMAIN
from demo.data.timeline import PILOT, Timeline, history_not_emailed
from ideas.models import (
    Agreement,
    Enrolment,
    FeedbackResponse,
    Idea,
    Pilot,
    PilotDecision,
    PilotState,
)
from ideas.selectors.instrument import instrument_current
from ideas.selectors.results_figures import MIN_PARTICIPANTS
from ideas.services import enrolment as enrolment_services
from ideas.services import feedback as feedback_services
from ideas.services import pilots as pilot_services
from ideas.services.feedback import check_ins_create_default
from ideas.services.instrument import instrument_create_default, instrument_dimension_update


@dataclass(frozen=True)
class TrialSpec:
    """A short trial in which the drift accounts' members said what they expected (days ago;
    its idea is found by title and left as its own story has it)."""

    key: str
    idea: str
    title: str
    description: str
    what_to_expect: str
    created: float
    opens: float
    runs_from: float
    runs_until: float
    decided: float
    decision: str
    note: str
    targets: dict[str, str]
    expected: dict[str, float]  # the mean expectation of a steady account's members (1–7)
    rise: dict[str, float]  # what the rising account's members expect more (or less)


DRIFT_TRIALS: tuple[TrialSpec, ...] = (
    TrialSpec(
        key="videos",
        idea="Short video walkthroughs on every screen",
        title="Video walkthroughs on the set-up screens",
        description="Two weeks with a short video on each set-up screen, showing the task from "
        "start to finish.",
        what_to_expect="A two-minute video on every set-up screen that shows the whole task: "
        "you will not need the manual or a call with us. Videos are in English only.",
        created=142,
        opens=-138,
        runs_from=-132,
        runs_until=-118,
        decided=110,
        decision=PilotDecision.DECLINE,
        note="You told us the videos were watched once and then skipped, and that the manual "
        "was still needed for your own roles. We will not film every screen: the set-up wizard "
        "explains each step in a sentence instead.",
        targets={"useful": "5.5", "usable": "4.5", "speed": "5.0", "trust": "5.5"},
        expected={"useful": 5.0, "usable": 4.8, "delightful": 4.0, "speed": 4.5, "trust": 5.0},
        rise={},
    ),
    TrialSpec(
        key="gloves",
        idea="Bigger buttons for use with work gloves",
        title="Glove mode for the mobile app",
        description="Three weeks with a glove mode: bigger buttons, fewer per screen, and a "
        "confirm step moved to the bottom of the screen.",
        what_to_expect="Bigger buttons on the job screens when glove mode is on, switched in the "
        "settings. The office screens and the photo notes are unchanged.",
        created=68,
        opens=-64,
        runs_from=-58,
        runs_until=-44,
        decided=38,
        decision=PilotDecision.ITERATE,
        note="You told us the buttons are big enough now, but that the keyboard is still too "
        "small for gloves. We will try a larger keyboard and number pad before we decide.",
        targets={"useful": "6.0", "usable": "6.0", "speed": "5.5", "trust": "6.0"},
        expected={"useful": 5.0, "usable": 4.8, "delightful": 4.0, "speed": 4.5, "trust": 5.0},
        # After the videos' "you will not need the manual", a rising account expects more.
        rise={"useful": 0.4, "usable": 1.3, "delightful": 0.3, "speed": 1.1, "trust": 0.2},
    ),
)
# Members of the rising and of the steady account in each trial (fewer if it has fewer, but at
# least MIN_PARTICIPANTS: the drift's "enough answers").
DRIFT_MEMBERS = (7, 6)


def demo_expectation_drift_create(*, seed: int, today: dt.date | None = None) -> list[Account]:
    """The two trials (DRIFT_TRIALS) with the drift accounts' members' expectations; returns the
    accounts, the rising one first (none when the demo has no two such accounts, or the
    trials' ideas are not seeded). Draws from a generator of its own (from `seed`)."""
    today = today or timezone.localdate()
    rng = random.Random(f"expectation-drift-{seed}")  # noqa: S311 (demo data, not secrets)
    ideas = {i.title: i for i in Idea.objects.filter(title__in=[t.idea for t in DRIFT_TRIALS])}
    accounts = drift_accounts()
    if len(accounts) < 2 or len(ideas) < len(DRIFT_TRIALS):
        return []
    pm = User.objects.get(email=DEMO_PRODUCT_MANAGER)
    timeline = Timeline(now=timezone.now())
    # The same people take part in both trials, each with their own leaning (some expect more
    # of everything than others), which they keep from one trial to the next.
    cast = [
        (account, admin, rng.sample(members, min(count, len(members))))
        for (account, admin, members), count in zip(accounts, DRIFT_MEMBERS, strict=True)
    ]
    leaning = {m.pk: rng.gauss(0, 0.4) for _, _, members in cast for m in members}
    for spec in DRIFT_TRIALS:
        taking_part = [
            (account, admin, members, spec.rise if i == 0 else {})
            for i, (account, admin, members) in enumerate(cast)
        ]
        _trial_schedule(
            timeline=timeline,
            rng=rng,
            spec=spec,
            idea=ideas[spec.idea],
            pm=pm,
            taking_part=taking_part,
            leaning=leaning,
            today=today,
        )
    with history_not_emailed():
        timeline.run()
    return [account for account, _, _ in accounts]


def drift_accounts() -> list[tuple[Account, User, list[User]]]:
    """Two accounts with at least MIN_PARTICIPANTS members whose people have given no experience
    feedback in any pilot (so that the trials leave their co-creation as it was), not the demo
    logins' own: the first account manager's before the others', then accounts in no pilot
    first, by id. (account, its admin, its members)."""
    first = Account.objects.order_by("pk").first()
    manager = (
        User.objects.filter(
            groups__name=InternalRole.ACCOUNT_MANAGER.value, email__endswith=INTERNAL_DOMAIN
        )
        .order_by("pk")
        .first()
    )
    managed = set(
        AccountTeamAssignment.objects.filter(user=manager).values_list("account_id", flat=True)
    )
    gave_feedback = set(
        FeedbackResponse.objects.filter(check_in__position__gt=0).values_list(
            "enrolment__account_id", flat=True
        )
    )
    enrolled = set(Enrolment.objects.values_list("account_id", flat=True))
    candidates = Account.objects.exclude(pk__in=gave_feedback).exclude(pk=first.pk).order_by("pk")
    chosen = []
    for account in sorted(candidates, key=lambda a: (a.pk not in managed, a.pk in enrolled, a.pk)):
        people = list(
            Membership.objects.filter(account=account).select_related("user").order_by("pk")
        )
        admin = next((m.user for m in people if m.role == MemberRole.ADMIN), None)
        if admin is None or len(people) < MIN_PARTICIPANTS:
            continue
        chosen.append((account, admin, [m.user for m in people]))
        if len(chosen) == len(DRIFT_MEMBERS):
            break
    return chosen


def _trial_schedule(
    *,
    timeline: Timeline,
    rng: random.Random,
    spec: TrialSpec,
    idea: Idea,
    pm: User,
    taking_part: list[tuple[Account, User, list[User], dict[str, float]]],
    leaning: dict[int, float],
    today: dt.date,
) -> None:
    """The trial on the demo's timeline: made with its targets, opened, its accounts invited,
    accepting and enrolling with their expectations, running, closed and decided."""
    made: dict[str, Pilot] = {}

    def pilot() -> Pilot:
        return Pilot.objects.get(pk=made["pilot"].pk)

    def state(to: str):
        return lambda: pilot_services.pilot_set_state(pilot=pilot(), actor=pm, state=to)

    opens, starts, ends = -spec.opens, -spec.runs_from, -spec.runs_until
    timeline.at(
        spec.created,
        PILOT,
        lambda: made.setdefault("pilot", _trial_create(spec=spec, idea=idea, pm=pm, today=today)),
    )
    timeline.at(opens, PILOT, state(PilotState.RECRUITING))
    timeline.at(
        opens - 0.5,
        PILOT,
        lambda: enrolment_services.pilot_invite(
            pilot=pilot(), accounts=[a for a, _, _, _ in taking_part], invited_by=pm
        ),
    )
    for _, admin, members, rise in taking_part:
        accepted = opens - rng.uniform(1, 2.5)
        timeline.at(
            accepted,
            PILOT,
            lambda a=admin: enrolment_services.agreement_accept(pilot=pilot(), admin=a),
        )
        for member in members:
            expected = {
                key: max(
                    1, min(7, round(rng.gauss(mean + rise.get(key, 0.0) + leaning[member.pk], 0.5)))
                )
                for key, mean in spec.expected.items()
            }
            timeline.at(
                accepted - rng.uniform(0.2, 0.8) * (accepted - starts),
                PILOT,
                lambda m=member, e=expected: _enrol_expecting(pilot(), m, e),
            )
    timeline.at(starts, PILOT, state(PilotState.RUNNING))
    timeline.at(ends - 1, PILOT, state(PilotState.CLOSED))  # the day after its last
    timeline.at(
        spec.decided,
        PILOT,
        lambda: pilot_services.pilot_decide(
            pilot=pilot(), actor=pm, decision=spec.decision, outcome_note=spec.note
        ),
    )


def _trial_create(*, spec: TrialSpec, idea: Idea, pm: User, today: dt.date) -> Pilot:
    """The trial's row (its idea is not planned, so not by `pilot_create`), its default
    instrument with the product team's targets, check-ins and agreement."""
    pilot = Pilot.objects.create(
        idea=idea,
        created_by=pm,
        title=spec.title,
        description=spec.description,
        what_to_expect=spec.what_to_expect,
        recruiting_opens=today + dt.timedelta(days=spec.opens),
        runs_from=today + dt.timedelta(days=spec.runs_from),
        runs_until=today + dt.timedelta(days=spec.runs_until),
        capacity=len(DRIFT_MEMBERS),
        published=True,
    )
    instrument_create_default(pilot=pilot)
    check_ins_create_default(pilot=pilot)
    Agreement.objects.create(pilot=pilot, version=1, text="What you see is confidential.")
    for dimension in instrument_current(pilot=pilot).dimensions.order_by("position"):
        if dimension.key in spec.targets:
            instrument_dimension_update(
                dimension=dimension, target=Decimal(spec.targets[dimension.key])
            )
    return pilot


def _enrol_expecting(pilot: Pilot, member: User, expected: dict[str, int]) -> None:
    """Enrol, and say what one expects per dimension: no experience feedback."""
    enrolment = enrolment_services.pilot_enrol(pilot=pilot, member=member)
    check_in = pilot.check_ins.select_related("pilot").get(position=0)
    questions = instrument_current(pilot=pilot).questions.filter(phase=check_in.phase)
    question = next(q.pk for q in questions if q.role == "expected")
    feedback_services.response_save(
        check_in=check_in, enrolment=enrolment, answers={question: expected}, submit=True
    )
