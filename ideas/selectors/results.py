"""Pilot results: what the members of a pilot expected, what they experienced, what they would
do next — overall, by segment or by engagement level when the pilot started. (Every response
as a table, the results page's CSV of responses, is ideas/selectors/feedback.py's
`pilot_response_table`; the figures as a table is `pilot_results_table` below.)

`pilot_results` reads a fixed handful of queries (check-ins, enrolments with the accounts'
levels when split by level, dimensions, all submitted answers) and computes everything in one
pass in Python, so its cost does not grow in queries with the number of responses.

Which answers count, and the pairing, are ideas/selectors/perception.py's: for each member,
the expected rating is their latest submitted answer in an expectation check-in; experienced
rating, sacrifice, job done, likelihood to adopt and to recommend are their latest submitted
answers in an experience check-in. A member counts towards a figure only if they gave what it
needs; the gap, the met-or-exceeded share and perceived experience need both the expectation
and the experience of the same member (paired). Each figure, and its rounding, is one function
of ideas/selectors/results_figures.py; which check-ins are due is
ideas/selectors/feedback.py's `check_in_due`.

Split by level, an account counts at its level when the pilot started (`runs_from`): its
engagement snapshot of that day, or the latest one before it
(community.selectors.insights.level_on, the level insights read at an outcome's date); an
account without one is in "Level not known yet".
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, F, QuerySet, TextChoices, TextField, When
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Segment, segment_label
from community.models import EngagementLevel
from community.selectors.insights import NOT_COMPUTED, level_on
from community.selectors.insights import NOT_COMPUTED_LABEL as LEVEL_NOT_KNOWN_LABEL
from config.sql_once import SqlOnce
from ideas.models import (
    CheckIn,
    Dimension,
    Enrolment,
    FeedbackResponse,
    Pilot,
    QuestionKind,
    QuestionRole,
)
from ideas.models.feedback import check_in_staff_title
from ideas.selectors.feedback import check_in_due
from ideas.selectors.perception import PersonPerception, submitted_responses
from ideas.selectors.results_figures import (
    MIN_PARTICIPANTS,
    CheckInRate,
    ChoiceCount,
    DimensionResult,
    JobDoneResult,
    MeanResult,
    NpsResult,
    ResponseRate,
    adopt_figure,
    dimension_result,
    job_done_figure,
    nps_figure,
    response_rate_figure,
)


class ResultSplit(TextChoices):
    SEGMENT = "segment", "By segment"
    LEVEL = "level", "By engagement level when the pilot started"


# --- The results -------------------------------------------------------------------------------


@dataclass
class Verbatim:
    response_id: int
    account_name: str
    segment: str
    segment_label: str
    check_in: str
    question: str
    text: str
    submitted_at: datetime

    @property
    def check_in_staff_title(self) -> str:
        """Verbatims are for internal readers: the check-in as staff read it."""
        return check_in_staff_title(self.check_in)


@dataclass
class ResultGroup:
    """The figures of one group of members: everyone, or one segment, or one level."""

    key: str
    label: str
    enrolled: int  # members enrolled
    respondents: int  # members with at least one submitted response
    dimensions: list[DimensionResult]
    nps: NpsResult
    job_done: JobDoneResult
    adopt: MeanResult
    check_ins: list[CheckInRate]
    response_rate: ResponseRate  # due check-ins answered ÷ members × check-ins due

    @property
    def too_small(self) -> bool:
        return self.respondents < MIN_PARTICIPANTS

    @property
    def paired_n(self) -> int:
        """Members whose expectation and experience can be compared (on any dimension)."""
        return max((d.paired_n for d in self.dimensions), default=0)

    @property
    def dimensions_too_small(self) -> bool:
        return self.paired_n < MIN_PARTICIPANTS

    @property
    def job_done_yes(self) -> ChoiceCount | None:
        return next((c for c in self.job_done.choices if c.key == "yes"), None)


@dataclass
class PilotResults:
    pilot: Pilot
    split: str | None
    overall: ResultGroup
    groups: list[ResultGroup]  # one per segment or level; empty when not split
    verbatims: list[Verbatim]  # newest first; for internal readers only
    today: dt.date  # the day check-ins were due by

    @property
    def min_participants(self) -> int:
        return MIN_PARTICIPANTS


# --- One pass over the answers -------------------------------------------------------------


@dataclass
class _Member:
    account_id: int
    segment: str
    account_name: str  # (its verbatims')
    group: str = ""
    check_ins: set[int] = field(default_factory=set)  # check-ins with a submitted response
    perception: PersonPerception = field(default_factory=PersonPerception)  # latest answers


@dataclass(frozen=True)
class _CheckIn:
    pk: int
    title: str
    phase: str
    due_on: dt.date | None
    due: bool


def results_today() -> dt.date:
    """The day a pilot's check-ins are due by when none is given: the site's today."""
    return timezone.localdate()


def pilot_results(
    *, pilot: Pilot, split: str | None = None, today: dt.date | None = None
) -> PilotResults:
    """Every figure of a pilot's results page, overall and per group of `split` ("segment" or
    "level"; None for no split), with check-ins due by `today` (default: the site's today).
    Queries: check-ins, enrolments (with the accounts' levels when split by level), dimensions,
    submitted answers."""
    if split not in (None, *ResultSplit.values):
        raise ValueError(f"Unknown split {split!r}.")
    today = today or results_today()
    check_ins = [
        _CheckIn(
            pk=pk,
            title=title,
            phase=phase,
            due_on=due_on,
            due=check_in_due(due_on=due_on, pilot_state=pilot.state, today=today),
        )
        for pk, title, phase, due_on in _CHECK_INS.all(pilot_id=pilot.pk)
    ]
    members = _members_read(pilot, by_level=split == ResultSplit.LEVEL)
    dimensions = _dimension_labels(pilot)
    verbatims = _answers_read(pilot, members, {c.pk: c.title for c in check_ins})
    for member in members.values():
        for key in member.perception.rated_dimensions:
            dimensions.setdefault(key, key)  # answered on a dimension since removed
    overall = _group("overall", "All participants", list(members.values()), dimensions, check_ins)
    groups = _split(split, members, dimensions, check_ins) if split else []
    return PilotResults(
        pilot=pilot,
        split=split,
        overall=overall,
        groups=groups,
        verbatims=verbatims,
        today=today,
    )


# The reads of `pilot_results`, by the pilot's id: their SQL is written once per process
# (config.sql_once), the ORM's building and compiling costing more than running them.
_CHECK_INS = SqlOnce(
    CheckIn,
    lambda pilot_id: (
        CheckIn.objects.filter(pilot_id=pilot_id)
        .order_by("position", "pk")
        .values_list("pk", "title", "phase", "due_on")
    ),
    pilot_id=int,
)


def _enrolments(pilot_id: int) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(pilot_id=pilot_id).order_by("pk")


_MEMBER_VALUES = ("pk", "account_id", "account__segment", "account__name")
_MEMBERS = SqlOnce(
    Enrolment,
    lambda pilot_id: _enrolments(pilot_id).values_list(*_MEMBER_VALUES),
    pilot_id=int,
)
_MEMBERS_WITH_LEVEL = SqlOnce(
    Enrolment,
    lambda pilot_id: (
        _enrolments(pilot_id)
        .annotate(level_then=level_on("pilot__runs_from", "account_id"))
        .values_list(*_MEMBER_VALUES, "level_then")
    ),
    pilot_id=int,
)


def _members_read(pilot: Pilot, *, by_level: bool) -> dict[int, _Member]:
    """The pilot's enrolled members by enrolment, with their account's segment and name;
    `by_level`: each in the group of their account's level when the pilot started (in the same
    query)."""
    if not by_level:
        return {
            pk: _Member(account_id=account_id, segment=segment, account_name=name, group=segment)
            for pk, account_id, segment, name in _MEMBERS.all(pilot_id=pilot.pk)
        }
    return {
        pk: _Member(
            account_id=account_id,
            segment=segment,
            account_name=name,
            group=level or NOT_COMPUTED,
        )
        for pk, account_id, segment, name, level in _MEMBERS_WITH_LEVEL.all(pilot_id=pilot.pk)
    }


_ANSWERS = SqlOnce(
    FeedbackResponse,
    lambda pilot_id: (
        submitted_responses()
        .filter(enrolment__pilot_id=pilot_id)
        .values_list(
            "pk",
            "enrolment_id",
            # (The enrolment's account, its name and segment, are the member's: `_members_read`.)
            "check_in_id",
            "check_in__phase",
            # Only a free text (a verbatim) shows it: the other rows' stay NULL, not read.
            Case(When(answers__question__kind=QuestionKind.TEXT, then=F("submitted_at"))),
            "answers__question__role",
            "answers__question__kind",
            "answers__question__prompt",
            "answers__dimension__key",
            "answers__value_int",
            "answers__value_text",
            # As its JSON text, read only for a job-done answer (`_answer_take`).
            Cast("answers__value_choices", TextField()),
        )
    ),
    pilot_id=int,
)


def _answers_read(
    pilot: Pilot, members: dict[int, _Member], check_in_titles: dict[int, str]
) -> list[Verbatim]:
    """Every submitted answer of the pilot, in one query and the order of
    ideas.selectors.perception (so each member keeps their latest): the members' check-ins
    and perception, and the free texts as verbatims, newest first."""
    rows = _ANSWERS.all(pilot_id=pilot.pk)
    verbatims: list[Verbatim] = []
    for row in rows:
        member = members.get(row[1])
        if member is None:
            continue
        verbatim = _answer_take(member, row, check_in_titles)
        if verbatim is not None:
            verbatims.append(verbatim)
    verbatims.reverse()
    return verbatims


def _answer_take(member: _Member, row: tuple, check_in_titles: dict[int, str]) -> Verbatim | None:
    """Count one row of `_answers_read` for `member`; a free text answer is a verbatim."""
    (
        response_id,
        _,
        check_in_id,
        phase,
        submitted_at,
        role,
        kind,
        prompt,
        dimension,
        value_int,
        value_text,
        value_choices,
    ) = row
    member.check_ins.add(check_in_id)
    if kind is None:  # a response without answers (LEFT JOIN)
        return None
    if kind != QuestionKind.TEXT:
        member.perception.take(
            phase=phase,
            role=role,
            dimension=dimension,
            value_int=value_int,
            value_text=value_text,
            # The choices only a job-done answer reads, from their JSON text.
            value_choices=json.loads(value_choices)
            if role == QuestionRole.JOB_DONE and value_choices
            else None,
        )
        return None
    if not (value_text and value_text.strip()):
        return None
    return Verbatim(
        response_id=response_id,
        account_name=member.account_name,
        segment=member.segment,
        segment_label=segment_label(member.segment),
        check_in=check_in_titles.get(check_in_id, ""),
        question=prompt,
        text=value_text.strip(),
        submitted_at=submitted_at,
    )


def _dimension_labels(pilot: Pilot) -> dict[str, str]:
    """Dimension key → label in the order of the newest instrument; keys only older versions
    had come after, with their last label."""
    labels: dict[str, str] = {}
    for key, label in _DIMENSION_LABELS.all(pilot_id=pilot.pk):
        labels.setdefault(key, label)
    return labels


_DIMENSION_LABELS = SqlOnce(
    Dimension,
    lambda pilot_id: (
        Dimension.objects.filter(instrument__pilot_id=pilot_id)
        .order_by("-instrument__version", "position", "pk")
        .values_list("key", "label")
    ),
    pilot_id=int,
)


def _split(
    split: str,
    members: dict[int, _Member],
    dimensions: dict[str, str],
    check_ins: list[_CheckIn],
) -> list[ResultGroup]:
    """One group per segment, or per level when the pilot started (and "Level not known yet"),
    in the order of their choices; only groups with members."""
    if split == ResultSplit.SEGMENT:
        order = list(Segment.choices)
    else:
        order = [*EngagementLevel.choices, (NOT_COMPUTED, LEVEL_NOT_KNOWN_LABEL)]
    known = {key for key, _ in order}
    order += sorted({(m.group, m.group) for m in members.values() if m.group not in known})
    by_group: dict[str, list[_Member]] = defaultdict(list)
    for member in members.values():
        by_group[member.group].append(member)
    return [
        _group(key, label, by_group[key], dimensions, check_ins)
        for key, label in order
        if by_group.get(key)
    ]


def _group(
    key: str,
    label: str,
    members: list[_Member],
    dimensions: dict[str, str],
    check_ins: list[_CheckIn],
) -> ResultGroup:
    rates = [
        CheckInRate(
            check_in_id=c.pk,
            title=c.title,
            phase=c.phase,
            due_on=c.due_on,
            due=c.due,
            submitted=sum(1 for m in members if c.pk in m.check_ins),
            enrolled=len(members),
        )
        for c in check_ins
    ]
    people = [m.perception for m in members]
    return ResultGroup(
        key=key,
        label=label,
        enrolled=len(members),
        respondents=sum(1 for m in members if m.check_ins),
        dimensions=[dimension_result(k, lbl, people) for k, lbl in dimensions.items()],
        nps=nps_figure(people),
        job_done=job_done_figure(people),
        adopt=adopt_figure(people),
        check_ins=rates,
        response_rate=response_rate_figure(rates),
    )


# --- The figures as a table (the figures CSV) ---------------------------------------------------


RESULTS_TABLE_HEADER = ["group", "group label", "figure", "of", "value", "n", "reads"]


def pilot_results_table(*, results: PilotResults) -> list[list[object]]:
    """Every figure of `results` (overall, then each group), one row each, with the very values
    the page and the API show (RESULTS_TABLE_HEADER): `of` names the dimension, check-in or
    answer a figure is of; `n` is how many it counts; `reads` says it in words."""
    rows: list[list[object]] = []
    for group in [results.overall, *results.groups]:
        rows += [[group.key, group.label, *row] for row in _group_table(group)]
    return rows


def _group_table(group: ResultGroup) -> list[list[object]]:
    rate = group.response_rate
    rows: list[list[object]] = [
        ["respondents", "", group.respondents, group.enrolled, "members who responded"],
        ["response_rate", "", rate.percent, rate.due, rate.text],
    ]
    rows += [["check_in_rate", c.title, c.percent, c.enrolled, c.text] for c in group.check_ins]
    for d in group.dimensions:
        interval = d.gap_interval
        rows += [
            ["expected_mean", d.label, d.expected_mean, d.expected_n, ""],
            ["experienced_mean", d.label, d.experienced_mean, d.experienced_n, ""],
            ["gap_mean", d.label, d.gap_mean, d.paired_n, ""],
            ["gap_sd", d.label, d.gap_sd, d.paired_n, ""],
            ["gap_interval_low", d.label, interval and interval.low, d.paired_n, ""],
            ["gap_interval_high", d.label, interval and interval.high, d.paired_n, ""],
            ["met_percent", d.label, d.met_percent, d.paired_n, _of(d.met_count, d.paired_n)],
            ["sacrifice_mean", d.label, d.sacrifice_mean, d.sacrifice_n, ""],
            ["perceived_mean", d.label, d.perceived_mean, d.perceived_n, ""],
        ]
    nps, job_done = group.nps, group.job_done
    rows += [
        ["nps", "", nps.score, nps.n, ""],
        ["nps_promoters_percent", "", nps.promoters_percent, nps.n, _of(nps.promoters, nps.n)],
        ["nps_passives_percent", "", nps.passives_percent, nps.n, _of(nps.passives, nps.n)],
        ["nps_detractors_percent", "", nps.detractors_percent, nps.n, _of(nps.detractors, nps.n)],
    ]
    rows += [
        ["job_done_percent", c.label, c.percent, job_done.n, _of(c.count, job_done.n)]
        for c in job_done.choices
    ]
    rows.append(["adopt_mean", "", group.adopt.mean, group.adopt.n, ""])
    return rows


def _of(part: int, whole: int) -> str:
    return f"{part} of {whole}" if whole else ""
