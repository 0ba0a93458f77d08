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
happened, and each is then dated back to its moment (the services stamp rows with the real
time, and a demo in which everything happened a second ago would not look alive). The
notifications are kept in the app but not emailed: they are history.

Deterministic: everything is drawn from the `random.Random` passed in.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Model
from django.utils import timezone

from accounts.demo_data import INTERNAL_DOMAIN
from accounts.models import Account, MemberRole, Membership, User
from community.models import ActivityEvent, Garden, Notification
from community.services import notification_emails_suppressed
from ideas.demo_data.catalogue import (
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
from ideas.models import (
    Agreement,
    AgreementAcceptance,
    Comment,
    Enrolment,
    FeedbackResponse,
    Follow,
    Idea,
    IdeaStatus,
    IdeaTransition,
    Instrument,
    Pilot,
    PilotInvitation,
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

# How much each engagement profile (community.demo_data) takes part: votes, proposals, pilots.
_PROFILE_WEIGHT = {
    "champion": 6.0,
    "rising": 3.5,
    "steady": 2.5,
    "fading": 1.5,
    "occasional": 0.7,
    "dormant": 0.005,  # gone quiet: almost never among the voters or pilot members
}


@dataclass(frozen=True)
class _Plan:
    """The people an idea's or a pilot's story needs, and how to put it on the timeline."""

    people: list[int]
    schedule: Callable[[], None]


@dataclass
class DemoIdeas:
    ideas: int = 0
    votes: int = 0
    comments: int = 0
    pilots: int = 0
    responses: int = 0


# --- Dating the actions ------------------------------------------------------------------------

# The timestamps the services set to "now", per model, that each action is dated back to.
_DATED: dict[type[Model], tuple[str, ...]] = {
    Idea: ("created_at", "updated_at"),
    IdeaTransition: ("created_at",),
    Vote: ("created_at",),
    Follow: ("created_at",),
    Comment: ("created_at", "updated_at"),
    ActivityEvent: ("occurred_at", "created_at"),
    Notification: ("created_at",),
    Pilot: ("created_at", "updated_at", "decided_at"),
    Instrument: ("created_at",),
    Agreement: ("created_at",),
    PilotInvitation: ("created_at",),
    AgreementAcceptance: ("accepted_at",),
    Enrolment: ("created_at",),
    FeedbackResponse: ("created_at", "updated_at", "submitted_at"),
}
_PROPOSE = (Idea, Follow, ActivityEvent)
_VOTE = (Vote, Follow, ActivityEvent)
_COMMENT = (Comment, ActivityEvent, Notification)
_MOVE = (Idea, IdeaTransition, Notification, ActivityEvent)  # a decision: a closed loop
_PILOT = tuple(_DATED)  # pilot actions touch many tables; there are few of them


class _Timeline:
    """The demo's actions, performed in the order they would have happened and dated back to
    their moment: after each, the rows it wrote (rows of this run whose timestamp is not older
    than the action's start) get the action's time. One UPDATE per timestamp it may have set."""

    def __init__(self, *, now: dt.datetime) -> None:
        self.now = now
        self._actions: list[tuple[float, int, Callable[[], Any], tuple[type[Model], ...]]] = []
        self._floors = {
            model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in _DATED
        }

    def at(self, days_ago: float, touches: tuple[type[Model], ...], action: Callable[[], Any]):
        self._actions.append((days_ago, len(self._actions), action, touches))

    def run(self) -> None:
        for days_ago, _, action, touches in sorted(self._actions, key=lambda a: (-a[0], a[1])):
            moment = self.now - dt.timedelta(days=days_ago)
            started = timezone.now()
            action()
            for model in touches:
                for name in _DATED[model]:
                    model.objects.filter(
                        pk__gt=self._floors[model], **{f"{name}__gte": started}
                    ).update(**{name: moment})

    def read_older_notifications(self, *, days: int) -> None:
        """People have read what they were told more than `days` ago."""
        Notification.objects.filter(
            pk__gt=self._floors[Notification],
            created_at__lt=self.now - dt.timedelta(days=days),
            read_at__isnull=True,
        ).update(read_at=F("created_at") + dt.timedelta(hours=5))


@contextmanager
def _history_not_emailed():
    """The demo's notifications are weeks old: keep them in the app, send no e-mail for them
    (a first `make demo` would otherwise print thousands of e-mails to the console)."""
    with notification_emails_suppressed():
        yield


# --- Who does what -----------------------------------------------------------------------------


class _People:
    """The customers who vote, propose and take part, drawn by their account's engagement."""

    def __init__(
        self,
        *,
        rng: random.Random,
        members_by_account: dict[int, list[int]],
        profiles: dict[int, str],
        demo_users: Iterable[int],
    ) -> None:
        self.rng = rng
        skip = set(demo_users)
        self.members = {
            account_id: [pk for pk in members if pk not in skip]
            for account_id, members in members_by_account.items()
        }
        self.accounts = [a for a, members in self.members.items() if members]
        weights = [_PROFILE_WEIGHT.get(profiles.get(a, ""), 1.0) for a in self.accounts]
        self.weight = dict(zip(self.accounts, weights, strict=True))
        self._cumulative = []
        total = 0.0
        for weight in weights:
            total += weight
            self._cumulative.append(total)
        self.customers = sum(len(m) for m in self.members.values())

    def one(self) -> int:
        account = self.rng.choices(self.accounts, cum_weights=self._cumulative)[0]
        return self.rng.choice(self.members[account])

    def some(self, count: int) -> list[int]:
        """`count` different people (fewer if there are not that many), engaged accounts first."""
        chosen: list[int] = []
        seen: set[int] = set()
        for _ in range(count * 8):
            if len(chosen) >= count:
                break
            pk = self.one()
            if pk not in seen:
                seen.add(pk)
                chosen.append(pk)
        return chosen

    def accounts_in_order(self, exclude: Iterable[int] = ()) -> list[int]:
        """Every account once, engaged ones more likely first (weighted random order)."""
        skip = set(exclude)
        keyed = [
            (self.rng.random() ** (1 / self.weight[a]), a) for a in self.accounts if a not in skip
        ]
        return [a for _, a in sorted(keyed, reverse=True)]


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
    with _history_not_emailed():
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
        self.people = _People(
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
        self.timeline = _Timeline(now=timezone.now())
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
            timeline.at(spec.days_ago, _PROPOSE, lambda: self._propose(spec, author))
            for pk, days in zip(voters, vote_days, strict=True):
                timeline.at(days, _VOTE, lambda pk=pk: self._vote(spec.key, pk))
            for (_, text), who, days in zip(spec.comments, commenters, comment_days, strict=True):
                timeline.at(days, _COMMENT, lambda t=text, w=who: self._comment(spec.key, w, t))
            for status, days, reason in spec.moves:
                timeline.at(
                    days, _MOVE, lambda s=status, r=reason: self._move(spec.key, self.pm, s, r)
                )
            if spec.withdrawn:
                days, reason = spec.withdrawn
                timeline.at(
                    days,
                    _MOVE,
                    lambda: self._move(spec.key, author, IdeaStatus.WITHDRAWN, reason),
                )
            if spec.merged_into:
                original, days, reason = spec.merged_into
                timeline.at(days, _MOVE, lambda: self._merge(spec.key, original, reason))

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
        rng = self.rng
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
            chosen = rng.sample(pool, min(len(pool), share, members_left))
            taking_part.append((account_id, chosen))
            members_left -= len(chosen)
        # The demo account has accepted: a colleague of the demo member (if it has one) takes
        # part, and the demo member may join and answer.
        if spec.demo_account == ACCEPTED:
            colleagues = self.people.members.get(self.first_account.pk, [])
            taking_part.append((self.first_account.pk, colleagues[:1]))
        feel = spec.feel
        answers = {
            pk: self._answers(feel, segments[account_id], final=False)
            for account_id, members in taking_part
            for pk in members
        }
        finals = {
            pk: self._answers(feel, segments[account_id], final=True, like=answers[pk])
            for account_id, members in taking_part
            for pk in members
        }
        # The schedule in days ago (negative: still to come).
        opens, starts, ends = -spec.recruiting_opens, -spec.runs_from, -spec.runs_until
        middle = (starts + ends) / 2  # the mid-pilot check-in is due then
        # While recruiting, each account accepts, then its members enrol and give expectations.
        recruiting_days = max(1.0, opens - max(starts, 0.5))
        accepted_at: dict[int, float] = {}
        enrolled_at: dict[int, tuple[float, float]] = {}  # member → (enrolled, expectation)
        for account_id, members in taking_part:
            accepted_at[account_id] = opens - rng.uniform(0.2, 0.45) * recruiting_days
            for pk in members:
                enrolled = accepted_at[account_id] - rng.uniform(0.05, 0.35) * recruiting_days
                expected = enrolled - rng.uniform(0.02, 0.15) * recruiting_days
                enrolled_at[pk] = (enrolled, expected)
        members_in_order = [pk for _, members in taking_part for pk in members]
        # Mid-pilot: nearly everyone answered (one left a draft, one has not started).
        mid_status = {pk: "submit" for pk in members_in_order}
        if ends < 0 and len(members_in_order) >= 8:
            mid_status[members_in_order[-2]] = "draft"
            mid_status[members_in_order[-1]] = "none"
        final_count = round(len(members_in_order) * spec.final_answers)
        final_members = set(rng.sample(members_in_order, final_count)) if ends > 0 else set()
        people = [admins[a] for a, _ in taking_part] + members_in_order

        def schedule() -> None:
            timeline, key = self.timeline, spec.key
            timeline.at(spec.created, _PILOT, lambda: self._pilot_create(spec))
            invited = [a for a, _ in taking_part]
            if spec.demo_account == INVITED:
                invited.append(self.first_account.pk)
            timeline.at(opens + 1.5, _PILOT, lambda: self._invite(spec, invited))
            if spec.runs_from <= 0:  # opened by hand on its day, so its history is real
                timeline.at(opens, _PILOT, lambda: self._set_state(key, PilotState.RECRUITING))
                timeline.at(starts, _PILOT, lambda: self._set_state(key, PilotState.RUNNING))
            else:  # published now: the schedule opened it
                timeline.at(opens, _PILOT, lambda: self._publish(key))
            for account_id, at in accepted_at.items():
                timeline.at(at, _PILOT, lambda a=account_id: self._accept(key, admins[a]))
            for pk, (enrolled, expected) in enrolled_at.items():
                timeline.at(enrolled, _PILOT, lambda pk=pk: self._enrol(key, pk))
                timeline.at(
                    expected,
                    _PILOT,
                    lambda pk=pk: self._respond(key, pk, 0, answers[pk]["expectation"]),
                )
            if starts <= 0:
                return  # not running yet: expectations only
            middle_span = (middle - max(ends, 0.3)) * 0.6
            for pk in members_in_order:
                status = mid_status[pk]
                if status == "none":
                    continue
                days = middle + rng.uniform(-0.3, 1.0) * middle_span
                timeline.at(
                    days,
                    _PILOT,
                    lambda pk=pk, s=status: self._respond(
                        key, pk, 1, answers[pk]["experience"], submit=s == "submit"
                    ),
                )
            if ends > 0:
                for pk in members_in_order:
                    if pk not in final_members:
                        continue
                    days = ends + rng.uniform(0.1, 2.0)
                    timeline.at(
                        days,
                        _PILOT,
                        lambda pk=pk: self._respond(key, pk, 2, finals[pk]["experience"]),
                    )
                # Published once it ran its course: the schedule closed it the next day.
                timeline.at(ends - 1.0, _PILOT, lambda: self._publish(key))
                if spec.decision:
                    decision, days, note = spec.decision
                    timeline.at(days, _PILOT, lambda: self._decide(key, decision, note))
            else:
                timeline.at(starts - 0.01, _PILOT, lambda: self._publish(key))

        return _Plan(people=people, schedule=schedule)

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
