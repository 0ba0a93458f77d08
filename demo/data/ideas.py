"""Demo ideas, pilots and feedback for `manage.py seed_demo`: a garden that is alive.

Thirty ideas across the open gardens, proposed by customers of many accounts and by product
managers, with votes (a few ideas are popular, most are not), comments, a merged duplicate and
statuses all along the workflow; and four pilots:

- *Quarterly service benchmark*, recruiting: the first demo account is invited and its admin
  has not accepted the agreement yet, so that a visitor can accept it as the admin and then
  enrol as the member;
- *Offline mode for the mobile app*, running: about ten members of several accounts gave their
  expectations and a mid-pilot check-in, so that its results page has something to say (and
  the first demo account's admin has accepted its agreement: the demo member can join it and
  answer a check-in);
- *Set-up wizard for new sites*, closed, adopted, with its "you said, we did" note (the first
  demo account took part, so the demo logins see it);
- *Status page and SMS alerts*, closed and waiting for the product manager's decision, with
  too few responses for results (the page says so).

Everything goes through the services, so follows, transitions, activity events and
notifications are the real ones. The actions are performed in the order they would have
happened, and each is then dated back to its moment on the timeline (demo.data.timeline: the
services stamp rows with the real time, and a demo in which everything happened a second ago
would not look alive). The notifications are kept in the app but not emailed: they are history.

Deterministic: everything is drawn from the `random.Random` passed in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, MemberRole, Membership, User
from community.models import Garden
from demo.data.calibration import demo_targets_set
from demo.data.catalogue import (
    ACCEPTED,
    AUTHOR,
    CUSTOMER,
    DEMO_MEMBER,
    DEMO_MEMBER_SUPPORTS,
    IDEA_COUNT,
    IDEAS,
    INVITED,
    MIN_IDEAS,
    PILOTS,
    REFERENCE_CUSTOMERS,
    REQUIRED_IDEAS,
    Feel,
    IdeaSpec,
    PilotSpec,
)
from demo.data.participants import Participants
from demo.data.people import INTERNAL_DOMAIN
from demo.data.timeline import COMMENT, MOVE, PILOT, PROPOSE, VOTE, Timeline, history_not_emailed
from ideas.models import (
    Comment,
    Enrolment,
    FeedbackResponse,
    Idea,
    IdeaStatus,
    Pilot,
    PilotState,
    ResponseStatus,
    Vote,
)
from ideas.models.instrument import DEFAULT_DIMENSIONS
from ideas.selectors.instrument import instrument_current
from ideas.services import enrolment as enrolment_services
from ideas.services import feedback as feedback_services
from ideas.services import ideas as idea_services
from ideas.services import pilots as pilot_services

DEMO_PRODUCT_MANAGER = f"pat.okoye@{INTERNAL_DOMAIN}"
_OTHER_PRODUCT_MANAGERS = {
    "raj": f"raj.mehta@{INTERNAL_DOMAIN}",
    "lucia": f"lucia.herrera@{INTERNAL_DOMAIN}",
}


@dataclass(frozen=True)
class _Plan:
    """The people an idea's or a pilot's story needs, and how to put it on the timeline."""

    people: list[int]
    schedule: Callable[[], None]


@dataclass(frozen=True)
class _PilotCast:
    """Who takes part in a pilot, what they answer and when they act (in days ago)."""

    taking_part: list[tuple[int, list[int]]]  # (account, its members taking part)
    members_in_order: list[int]
    answers: dict[int, dict]  # member → expectation and mid-pilot experience
    finals: dict[int, dict]  # member → the final check-in's experience
    accepted_at: dict[int, float]  # account → when its admin accepted the agreement
    enrolled_at: dict[int, tuple[float, float]]  # member → (enrolled, expectation given)
    mid_status: dict[int, str]  # member → "submit", "draft" or "none" at mid-pilot
    final_members: set[int]  # members who answer the final check-in


@dataclass
class DemoIdeas:
    ideas: int = 0
    votes: int = 0
    comments: int = 0
    pilots: int = 0
    responses: int = 0


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


# --- The builder -------------------------------------------------------------------------------


@transaction.atomic
def demo_ideas_create(
    *,
    rng: random.Random,
    members_by_account: dict[int, list[int]],
    profiles: dict[int, str],
    gardens: Sequence[Garden],
    ideas: int = IDEA_COUNT,
    today: dt.date | None = None,
) -> DemoIdeas:
    """Seed `ideas` of the catalogue (its pilots' ideas always among them) and the pilots."""
    if not MIN_IDEAS <= ideas <= IDEA_COUNT:
        raise ValueError(f"Seed from {MIN_IDEAS} to {IDEA_COUNT} ideas.")
    with history_not_emailed():
        builder = _Builder(
            rng=rng,
            members_by_account=members_by_account,
            profiles=profiles,
            gardens=gardens,
            today=today or timezone.localdate(),
        )
        return builder.build(ideas)


class _Builder:
    def __init__(
        self,
        *,
        rng: random.Random,
        members_by_account: dict[int, list[int]],
        profiles: dict[int, str],
        gardens: Sequence[Garden],
        today: dt.date,
    ) -> None:
        self.rng = rng
        self.today = today
        self.gardens = {g.slug: g for g in gardens}
        self.first_account = Account.objects.order_by("pk").first()
        first = Membership.objects.filter(account=self.first_account).order_by("pk")
        self.demo_admin_id = first.filter(role=MemberRole.ADMIN).values_list("user", flat=True)[0]
        demo_member = first.filter(role=MemberRole.MEMBER).values_list("user", flat=True).first()
        self.demo_member_id = demo_member or self.demo_admin_id
        self.people = Participants(
            rng=rng,
            members_by_account=members_by_account,
            profiles=profiles,
            demo_users=(self.demo_admin_id, self.demo_member_id),
        )
        self.segments = dict(Account.objects.values_list("pk", "segment"))
        self.admins = dict(
            Membership.objects.filter(role=MemberRole.ADMIN)
            .order_by("pk")
            .values_list("account", "user")
        )
        self.timeline = Timeline(now=timezone.now())
        self.users: dict[int, User] = {}
        self.staff = {
            u.email: u
            for u in User.objects.filter(
                email__in=[DEMO_PRODUCT_MANAGER, *_OTHER_PRODUCT_MANAGERS.values()]
            )
        }
        self.pm = self.staff[DEMO_PRODUCT_MANAGER]
        self.ideas: dict[str, Idea] = {}
        self.pilots: dict[str, Pilot] = {}
        self.enrolments: dict[tuple[str, int], Enrolment] = {}

    # -- Helpers --

    def user(self, pk: int) -> User:
        """The same User object for a person throughout (their membership is cached on it)."""
        return self.users[pk]

    def _load_users(self, ids: Iterable[int]) -> None:
        wanted = [pk for pk in set(ids) if pk not in self.users]
        self.users.update(User.objects.in_bulk(wanted))

    def _author(self, spec: IdeaSpec) -> int | User:
        if spec.author == CUSTOMER:
            return self.people.one()
        if spec.author == DEMO_MEMBER:
            return self.demo_member_id
        if spec.author == "pat":
            return self.pm
        return self.staff[_OTHER_PRODUCT_MANAGERS[spec.author]]

    def _person(self, who: int | User) -> User:
        return who if isinstance(who, User) else self.user(who)

    # -- Build --

    def build(self, count: int) -> DemoIdeas:
        chosen = [s for s in IDEAS if s.key in REQUIRED_IDEAS]
        chosen += [s for s in IDEAS if s.key not in REQUIRED_IDEAS][: count - len(chosen)]
        chosen = [s for s in IDEAS if s in chosen]  # the catalogue's order
        plans = [self._plan_idea(spec) for spec in chosen]
        plans += [self._plan_pilot(spec) for spec in PILOTS]
        self._load_users(
            [self.demo_admin_id, self.demo_member_id, *(pk for p in plans for pk in p.people)]
        )
        for plan in plans:
            plan.schedule()
        self.timeline.run()
        self.timeline.read_older_notifications(days=14)
        ideas = Idea.objects.filter(pk__in=[i.pk for i in self.ideas.values()])
        return DemoIdeas(
            ideas=len(self.ideas),
            votes=Vote.objects.filter(idea__in=ideas).count(),
            comments=Comment.objects.filter(idea__in=ideas).count(),
            pilots=len(self.pilots),
            responses=FeedbackResponse.objects.filter(
                enrolment__pilot__in=self.pilots.values(), status=ResponseStatus.SUBMITTED
            ).count(),
        )

    # -- Ideas --

    def _closes_at(self, spec: IdeaSpec) -> float:
        """Days ago after which the idea takes no more votes or comments (0: still open)."""
        ends = [days for status, days, _ in spec.moves if status == IdeaStatus.DECLINED]
        if spec.withdrawn:
            ends.append(spec.withdrawn[0])
        if spec.merged_into:
            ends.append(spec.merged_into[1])
        for pilot in PILOTS:
            if pilot.idea == spec.key and pilot.decision:
                ends.append(pilot.decision[1])
        return max(ends, default=0.0)

    def _plan_idea(self, spec: IdeaSpec) -> _Plan:
        rng = self.rng
        author = self._author(spec)
        scale = min(1.0, self.people.customers / REFERENCE_CUSTOMERS)
        wanted = max(1, round(spec.votes * scale * rng.uniform(0.8, 1.2)))
        cap = max(1, self.people.customers // 2)
        voters = [pk for pk in self.people.some(min(wanted, cap)) if pk != author]
        if spec.key in DEMO_MEMBER_SUPPORTS:
            voters.append(self.demo_member_id)
        closes = self._closes_at(spec)
        start, end = spec.days_ago - 0.05, closes + 0.3
        # Most support comes soon after an idea is proposed, then a long tail.
        vote_days = [start - (start - end) * rng.random() ** 1.8 for _ in voters]
        comment_days = sorted((rng.uniform(end, start) for _ in spec.comments), reverse=True)
        commenters = []
        for who, _ in spec.comments:
            if who == CUSTOMER:
                pool = [v for v in voters if v != self.demo_member_id] or [self.people.one()]
                commenters.append(rng.choice(pool))
            elif who == AUTHOR:
                commenters.append(author)
            else:
                commenters.append(self.pm)

        def schedule() -> None:
            timeline = self.timeline
            timeline.at(spec.days_ago, PROPOSE, lambda: self._propose(spec, author))
            for pk, days in zip(voters, vote_days, strict=True):
                timeline.at(days, VOTE, lambda pk=pk: self._vote(spec.key, pk))
            for (_, text), who, days in zip(spec.comments, commenters, comment_days, strict=True):
                timeline.at(days, COMMENT, lambda t=text, w=who: self._comment(spec.key, w, t))
            for status, days, reason in spec.moves:
                timeline.at(
                    days, MOVE, lambda s=status, r=reason: self._move(spec.key, self.pm, s, r)
                )
            if spec.withdrawn:
                days, reason = spec.withdrawn
                timeline.at(
                    days,
                    MOVE,
                    lambda: self._move(spec.key, author, IdeaStatus.WITHDRAWN, reason),
                )
            if spec.merged_into:
                original, days, reason = spec.merged_into
                timeline.at(days, MOVE, lambda: self._merge(spec.key, original, reason))

        people = [p for p in (author, *voters, *commenters) if isinstance(p, int)]
        return _Plan(people=people, schedule=schedule)

    def _propose(self, spec: IdeaSpec, author: int | User) -> None:
        self.ideas[spec.key] = idea_services.idea_propose(
            garden=self.gardens[spec.garden],
            author=self._person(author),
            title=spec.title,
            job_to_be_done=spec.job_to_be_done,
            proposal=spec.proposal,
            links=spec.links,
        )

    def _vote(self, key: str, user_id: int) -> None:
        idea_services.idea_vote_toggle(idea=self.ideas[key], user=self.user(user_id))

    def _comment(self, key: str, who: int | User, text: str) -> None:
        idea_services.idea_comment(idea=self.ideas[key], author=self._person(who), body=text)

    def _move(self, key: str, actor: int | User, status: str, reason: str) -> None:
        idea_services.idea_transition(
            idea=self.ideas[key], actor=self._person(actor), to_status=status, reason=reason
        )

    def _merge(self, key: str, original: str, reason: str) -> None:
        idea_services.idea_merge(
            duplicate=self.ideas[key], original=self.ideas[original], actor=self.pm, reason=reason
        )

    # -- Pilots --

    def _eligible_segments(self, spec: PilotSpec) -> tuple[str, ...]:
        """The pilot's segments; with the demo account's, if the demo account is invited."""
        segments = spec.eligible_segments
        demo_segment = self.segments[self.first_account.pk]
        if segments and spec.demo_account and demo_segment not in segments:
            segments = (*segments, demo_segment)
        return segments

    def _plan_pilot(self, spec: PilotSpec) -> _Plan:
        """Who takes part (accounts, their admin, their members) and the pilot's timeline."""
        taking_part = self._pilot_participants(spec)
        members_in_order = [pk for _, members in taking_part for pk in members]
        answers = {
            pk: self._answers(spec.feel, self.segments[account_id], final=False)
            for account_id, members in taking_part
            for pk in members
        }
        finals = {
            pk: self._answers(spec.feel, self.segments[account_id], final=True, like=answers[pk])
            for account_id, members in taking_part
            for pk in members
        }
        accepted_at, enrolled_at = self._pilot_recruiting(spec, taking_part)
        cast = _PilotCast(
            taking_part=taking_part,
            members_in_order=members_in_order,
            answers=answers,
            finals=finals,
            accepted_at=accepted_at,
            enrolled_at=enrolled_at,
            **self._pilot_check_ins(spec, members_in_order),
        )
        people = [self.admins[a] for a, _ in taking_part] + members_in_order
        return _Plan(people=people, schedule=lambda: self._pilot_schedule(spec, cast))

    def _pilot_participants(self, spec: PilotSpec) -> list[tuple[int, list[int]]]:
        """The accounts taking part, engaged ones likelier, and the members each sends:
        (account, members)."""
        segments, admins = self.segments, self.admins
        eligible = self._eligible_segments(spec)
        taking_part: list[tuple[int, list[int]]] = []
        members_left = spec.members
        for account_id in self.people.accounts_in_order(exclude=[self.first_account.pk]):
            if len(taking_part) >= spec.accounts or members_left <= 0:
                break
            if (eligible and segments[account_id] not in eligible) or account_id not in admins:
                continue
            accounts_left = spec.accounts - len(taking_part)
            share = max(1, round(members_left / accounts_left))
            pool = self.people.members[account_id]
            chosen = self.rng.sample(pool, min(len(pool), share, members_left))
            taking_part.append((account_id, chosen))
            members_left -= len(chosen)
        # The demo account has accepted: a colleague of the demo member (if it has one) takes
        # part, and the demo member may join and answer.
        if spec.demo_account == ACCEPTED:
            colleagues = self.people.members.get(self.first_account.pk, [])
            taking_part.append((self.first_account.pk, colleagues[:1]))
        return taking_part

    def _pilot_recruiting(
        self, spec: PilotSpec, taking_part: list[tuple[int, list[int]]]
    ) -> tuple[dict[int, float], dict[int, tuple[float, float]]]:
        """While recruiting, each account accepts, then its members enrol and give expectations:
        (account → accepted, member → (enrolled, expectation)), in days ago."""
        rng = self.rng
        opens, starts = -spec.recruiting_opens, -spec.runs_from
        recruiting_days = max(1.0, opens - max(starts, 0.5))
        accepted_at: dict[int, float] = {}
        enrolled_at: dict[int, tuple[float, float]] = {}
        for account_id, members in taking_part:
            accepted_at[account_id] = opens - rng.uniform(0.2, 0.45) * recruiting_days
            for pk in members:
                enrolled = accepted_at[account_id] - rng.uniform(0.05, 0.35) * recruiting_days
                expected = enrolled - rng.uniform(0.02, 0.15) * recruiting_days
                enrolled_at[pk] = (enrolled, expected)
        return accepted_at, enrolled_at

    def _pilot_check_ins(self, spec: PilotSpec, members_in_order: list[int]) -> dict[str, Any]:
        """Who answers the check-ins: mid-pilot nearly everyone (one left a draft, one has not
        started), and once the pilot ended, its `final_answers` share."""
        ends = -spec.runs_until
        mid_status = {pk: "submit" for pk in members_in_order}
        if ends < 0 and len(members_in_order) >= 8:
            mid_status[members_in_order[-2]] = "draft"
            mid_status[members_in_order[-1]] = "none"
        final_count = round(len(members_in_order) * spec.final_answers)
        final_members = set(self.rng.sample(members_in_order, final_count)) if ends > 0 else set()
        return {"mid_status": mid_status, "final_members": final_members}

    def _pilot_schedule(self, spec: PilotSpec, cast: _PilotCast) -> None:
        """The pilot on the timeline: created, opened, accepted, enrolled, expectations given;
        once running, its check-ins."""
        timeline, key, admins = self.timeline, spec.key, self.admins
        # The schedule in days ago (negative: still to come).
        opens, starts = -spec.recruiting_opens, -spec.runs_from
        timeline.at(spec.created, PILOT, lambda: self._pilot_create(spec))
        invited = [a for a, _ in cast.taking_part]
        if spec.demo_account == INVITED:
            invited.append(self.first_account.pk)
        timeline.at(opens + 1.5, PILOT, lambda: self._invite(spec, invited))
        if spec.runs_from <= 0:  # opened by hand on its day, so its history is real
            timeline.at(opens, PILOT, lambda: self._set_state(key, PilotState.RECRUITING))
            timeline.at(starts, PILOT, lambda: self._set_state(key, PilotState.RUNNING))
        else:  # published now: the schedule opened it
            timeline.at(opens, PILOT, lambda: self._publish(key))
        for account_id, at in cast.accepted_at.items():
            timeline.at(at, PILOT, lambda a=account_id: self._accept(key, admins[a]))
        for pk, (enrolled, expected) in cast.enrolled_at.items():
            timeline.at(enrolled, PILOT, lambda pk=pk: self._enrol(key, pk))
            timeline.at(
                expected,
                PILOT,
                lambda pk=pk: self._respond(key, pk, 0, cast.answers[pk]["expectation"]),
            )
        if starts <= 0:
            return  # not running yet: expectations only
        self._pilot_check_ins_schedule(spec, cast)

    def _pilot_check_ins_schedule(self, spec: PilotSpec, cast: _PilotCast) -> None:
        """A running pilot's mid-pilot answers; once it ended, the final answers, its closing
        and the product manager's decision."""
        rng, timeline, key = self.rng, self.timeline, spec.key
        starts, ends = -spec.runs_from, -spec.runs_until
        middle = (starts + ends) / 2  # the mid-pilot check-in is due then
        middle_span = (middle - max(ends, 0.3)) * 0.6
        for pk in cast.members_in_order:
            status = cast.mid_status[pk]
            if status == "none":
                continue
            days = middle + rng.uniform(-0.3, 1.0) * middle_span
            timeline.at(
                days,
                PILOT,
                lambda pk=pk, s=status: self._respond(
                    key, pk, 1, cast.answers[pk]["experience"], submit=s == "submit"
                ),
            )
        if ends > 0:
            for pk in cast.members_in_order:
                if pk not in cast.final_members:
                    continue
                days = ends + rng.uniform(0.1, 2.0)
                timeline.at(
                    days,
                    PILOT,
                    lambda pk=pk: self._respond(key, pk, 2, cast.finals[pk]["experience"]),
                )
            # Published once it ran its course: the schedule closed it the next day.
            timeline.at(ends - 1.0, PILOT, lambda: self._publish(key))
            if spec.decision:
                decision, days, note = spec.decision
                timeline.at(days, PILOT, lambda: self._decide(key, decision, note))
        else:
            timeline.at(starts - 0.01, PILOT, lambda: self._publish(key))

    def _answers(
        self, feel: Feel, segment: str, *, final: bool, like: dict | None = None
    ) -> dict[str, dict]:
        """One member's answers, drawn around the pilot's feel: an expectation, and an
        experience (mid-pilot, or `final` — the same member's later view, `like` their first)."""
        rng = self.rng
        mood = like["mood"] if like else rng.gauss(0, 0.6)
        expected = (
            like["expectation"]["expected"]
            if like
            else {k: _clamp(rng.gauss(mean, 0.8), 1, 7) for k, mean in feel.expected.items()}
        )
        result: dict[str, Any] = {"mood": mood, "expectation": {"expected": expected}}
        if not feel.experienced:
            result["experience"] = {}
            return result
        shift = feel.segment_shift.get(segment, {})
        experienced, sacrifice = {}, {}
        for key, _, _ in DEFAULT_DIMENSIONS:
            mean = feel.experienced[key] + shift.get(key, 0) + mood
            if final:
                mean += feel.final_shift.get(key, 0)
            # People who expected more tend to rate a little higher too.
            mean += 0.3 * (expected[key] - feel.expected[key])
            experienced[key] = _clamp(rng.gauss(mean, 0.6), 1, 7)
            shortfall = max(0, expected[key] - experienced[key])
            sacrifice[key] = _clamp(0.8 * shortfall + abs(rng.gauss(0.5, 0.7)), 0, 6)
        job = (experienced["useful"] + experienced["usable"]) / 2 + rng.gauss(0, 0.5)
        experience: dict[str, Any] = {
            "experienced": experienced,
            "sacrifice": sacrifice,
            "job_done": "Yes" if job >= 5.3 else "Partly" if job >= 3.8 else "No",
            "adopt": _clamp(feel.adopt + 1.6 * mood + rng.gauss(0, 1.1), 0, 10),
            "recommend": _clamp(feel.recommend + 2.0 * mood + rng.gauss(0, 1.3), 0, 10),
        }
        if feel.unmet and rng.random() < 0.6:
            experience["unmet"] = rng.choice(feel.unmet)
        if feel.better and rng.random() < 0.75:
            experience["better"] = rng.choice(feel.better)
        result["experience"] = experience
        return result

    def _pilot(self, key: str) -> Pilot:
        return Pilot.objects.select_related("idea").get(pk=self.pilots[key].pk)

    def _pilot_create(self, spec: PilotSpec) -> None:
        today = self.today
        self.pilots[spec.key] = pilot_services.pilot_create(
            idea=self.ideas[spec.idea],
            created_by=self.pm,
            title=spec.title,
            description=spec.description,
            what_to_expect=spec.what_to_expect,
            recruiting_opens=today + dt.timedelta(days=spec.recruiting_opens),
            runs_from=today + dt.timedelta(days=spec.runs_from),
            runs_until=today + dt.timedelta(days=spec.runs_until),
            capacity=spec.capacity,
            agreement_title=spec.agreement_title,
            agreement_text=spec.agreement_text,
            eligible_segments=self._eligible_segments(spec),
        )
        demo_targets_set(pilot=self.pilots[spec.key], key=spec.key)  # expectation calibration

    def _invite(self, spec: PilotSpec, account_ids: list[int]) -> None:
        """The supporters of the idea who are eligible ("invite the accounts that voted"), and
        the accounts chosen to take part."""
        pilot = self._pilot(spec.key)
        enrolment_services.pilot_invite_supporters(pilot=pilot, invited_by=self.pm)
        accounts = list(Account.objects.filter(pk__in=account_ids).order_by("pk"))
        enrolment_services.pilot_invite(pilot=pilot, accounts=accounts, invited_by=self.pm)

    def _set_state(self, key: str, state: str) -> None:
        pilot_services.pilot_set_state(pilot=self._pilot(key), actor=self.pm, state=state)

    def _publish(self, key: str) -> None:
        pilot_services.pilot_publish(pilot=self._pilot(key), actor=self.pm)

    def _accept(self, key: str, admin_id: int) -> None:
        enrolment_services.agreement_accept(pilot=self._pilot(key), admin=self.user(admin_id))

    def _enrol(self, key: str, user_id: int) -> None:
        self.enrolments[key, user_id] = enrolment_services.pilot_enrol(
            pilot=self._pilot(key), member=self.user(user_id)
        )

    def _respond(
        self, key: str, user_id: int, position: int, values: dict, *, submit: bool = True
    ) -> None:
        """Answer the pilot's check-in at `position` (0: the expectation), by role."""
        pilot = self._pilot(key)
        check_in = pilot.check_ins.select_related("pilot").get(position=position)
        questions = instrument_current(pilot=pilot).questions.filter(phase=check_in.phase)
        by_role = {q.role: q.pk for q in questions if q.role}
        feedback_services.response_save(
            check_in=check_in,
            enrolment=self.enrolments[key, user_id],
            answers={by_role[role]: value for role, value in values.items()},
            submit=submit,
        )

    def _decide(self, key: str, decision: str, note: str) -> None:
        pilot_services.pilot_decide(
            pilot=self._pilot(key), actor=self.pm, decision=decision, outcome_note=note
        )
