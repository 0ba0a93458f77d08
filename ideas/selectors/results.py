"""Pilot results: what the members of a pilot expected, what they experienced, what they would
do next — overall, by segment or by engagement level. (Every response as a table, the results
page's CSV export, is ideas/selectors/feedback.py's `pilot_response_table`.)

`pilot_results` reads a fixed handful of queries (check-ins, enrolments, dimensions, all
submitted answers, and the accounts' levels when split by level) and computes everything in one
pass in Python, so its cost does not grow in queries with the number of responses.

Which answers count, and the pairing, are ideas/selectors/perception.py's: for each member,
the expected rating is their latest submitted answer in an expectation check-in; experienced
rating, sacrifice, job done, likelihood to adopt and to recommend are their latest submitted
answers in an experience check-in. A member counts towards a figure only if they gave what it
needs; the gap, the met-or-exceeded share and perceived experience need both the expectation
and the experience of the same member (paired).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import TextChoices

from accounts.models import Segment, segment_label
from community.models import EngagementLevel
from community.selectors.engagement import account_levels
from community.statistics import Interval, mean, round_half_up, sample_sd, t_interval
from ideas.models import (
    CheckIn,
    Dimension,
    Enrolment,
    Pilot,
    QuestionKind,
)
from ideas.selectors.perception import (
    Nps,
    PersonPerception,
    submitted_responses,
)

# Under this many participants a figure is an anecdote, not a result.
MIN_PARTICIPANTS = 5

NOT_COMPUTED_KEY = "not_computed"
NOT_COMPUTED_LABEL = "Not computed yet"

JOB_DONE_KEYS = ("yes", "partly", "no")


class ResultSplit(TextChoices):
    SEGMENT = "segment", "By segment"
    LEVEL = "level", "By engagement level"


# --- Shares ---------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(share: float | None) -> int | None:
    return None if share is None else round_half_up(100 * share)


# --- The results -------------------------------------------------------------------------------


@dataclass
class DimensionResult:
    key: str
    label: str
    expected_mean: float | None = None
    expected_n: int = 0
    experienced_mean: float | None = None
    experienced_n: int = 0
    gap_mean: float | None = None
    gap_sd: float | None = None
    gap_interval: Interval | None = None  # 95% t-interval; None under two pairs
    paired_n: int = 0  # members with both an expected and an experienced rating
    met_count: int = 0  # of the paired members, those whose experience ≥ expectation
    met_share: float | None = None
    sacrifice_mean: float | None = None
    sacrifice_n: int = 0
    perceived_mean: float | None = None  # mean of each member's expected − sacrifice
    perceived_n: int = 0

    @property
    def met_percent(self) -> int | None:
        return _percent(self.met_share)


@dataclass
class NpsResult(Nps):
    """The NPS of a group (ideas.selectors.perception.Nps), as the results page shows it."""

    @property
    def too_small(self) -> bool:
        return self.n < MIN_PARTICIPANTS

    @property
    def promoters_percent(self) -> int | None:
        return _percent(_share(self.promoters, self.n))

    @property
    def passives_percent(self) -> int | None:
        return _percent(_share(self.passives, self.n))

    @property
    def detractors_percent(self) -> int | None:
        return _percent(_share(self.detractors, self.n))

    @property
    def bars(self) -> list[tuple[int, int]]:
        return list(enumerate(self.distribution))


@dataclass
class ChoiceCount:
    key: str
    label: str
    count: int
    share: float | None

    @property
    def percent(self) -> int | None:
        return _percent(self.share)


@dataclass
class JobDoneResult:
    n: int = 0
    choices: list[ChoiceCount] = field(default_factory=list)

    @property
    def too_small(self) -> bool:
        return self.n < MIN_PARTICIPANTS


@dataclass
class MeanResult:
    mean: float | None = None
    n: int = 0

    @property
    def too_small(self) -> bool:
        return self.n < MIN_PARTICIPANTS


@dataclass
class CheckInRate:
    check_in_id: int
    title: str
    phase: str
    submitted: int
    enrolled: int
    rate: float | None

    @property
    def percent(self) -> int | None:
        return _percent(self.rate)


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
    response_rate: float | None  # all submitted responses ÷ (members × check-ins)

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
    def response_percent(self) -> int | None:
        return _percent(self.response_rate)

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

    @property
    def min_participants(self) -> int:
        return MIN_PARTICIPANTS


# --- One pass over the answers -------------------------------------------------------------


@dataclass
class _Member:
    account_id: int
    segment: str
    group: str = ""
    check_ins: set[int] = field(default_factory=set)  # check-ins with a submitted response
    perception: PersonPerception = field(default_factory=PersonPerception)  # latest answers


def pilot_results(*, pilot: Pilot, split: str | None = None) -> PilotResults:
    """Every figure of a pilot's results page, overall and per group of `split` ("segment" or
    "level"; None for no split). Queries: check-ins, enrolments, dimensions, submitted answers,
    and (split by level) the accounts' levels."""
    if split not in (None, *ResultSplit.values):
        raise ValueError(f"Unknown split {split!r}.")
    check_ins = list(
        CheckIn.objects.filter(pilot=pilot)
        .order_by("position", "pk")
        .values_list("pk", "title", "phase")
    )
    members = {
        pk: _Member(account_id=account_id, segment=segment)
        for pk, account_id, segment in Enrolment.objects.filter(pilot=pilot).values_list(
            "pk", "account_id", "account__segment"
        )
    }
    dimensions = _dimension_labels(pilot)
    titles = {pk: title for pk, title, _ in check_ins}
    verbatims = _answers_read(pilot, members, titles)
    for member in members.values():
        for key in member.perception.rated_dimensions:
            dimensions.setdefault(key, key)  # answered on a dimension since removed
    overall = _group("overall", "All participants", list(members.values()), dimensions, check_ins)
    groups = _split(split, members, dimensions, check_ins) if split else []
    return PilotResults(
        pilot=pilot, split=split, overall=overall, groups=groups, verbatims=verbatims
    )


def _answers_read(
    pilot: Pilot, members: dict[int, _Member], check_in_titles: dict[int, str]
) -> list[Verbatim]:
    """Every submitted answer of the pilot, in one query and the order of
    ideas.selectors.perception (so each member keeps their latest): the members' check-ins
    and perception, and the free texts as verbatims, newest first."""
    rows = (
        submitted_responses()
        .filter(enrolment__pilot=pilot)
        .values_list(
            "pk",
            "enrolment_id",
            "enrolment__account__name",
            "enrolment__account__segment",
            "check_in_id",
            "check_in__phase",
            "submitted_at",
            "answers__question__role",
            "answers__question__kind",
            "answers__question__prompt",
            "answers__dimension__key",
            "answers__value_int",
            "answers__value_text",
            "answers__value_choices",
        )
    )
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
        account_name,
        segment,
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
            value_choices=value_choices,
        )
        return None
    if not (value_text and value_text.strip()):
        return None
    return Verbatim(
        response_id=response_id,
        account_name=account_name,
        segment=segment,
        segment_label=segment_label(segment),
        check_in=check_in_titles.get(check_in_id, ""),
        question=prompt,
        text=value_text.strip(),
        submitted_at=submitted_at,
    )


def _dimension_labels(pilot: Pilot) -> dict[str, str]:
    """Dimension key → label in the order of the newest instrument; keys only older versions
    had come after, with their last label."""
    labels: dict[str, str] = {}
    for key, label in (
        Dimension.objects.filter(instrument__pilot=pilot)
        .order_by("-instrument__version", "position", "pk")
        .values_list("key", "label")
    ):
        labels.setdefault(key, label)
    return labels


def _split(
    split: str,
    members: dict[int, _Member],
    dimensions: dict[str, str],
    check_ins: list[tuple[int, str, str]],
) -> list[ResultGroup]:
    if split == ResultSplit.SEGMENT:
        order = [(value, label) for value, label in Segment.choices]
        for member in members.values():
            member.group = member.segment
    else:
        levels = account_levels(account_ids={m.account_id for m in members.values()})
        order = [*EngagementLevel.choices, (NOT_COMPUTED_KEY, NOT_COMPUTED_LABEL)]
        for member in members.values():
            member.group = levels.get(member.account_id, NOT_COMPUTED_KEY)
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
    check_ins: list[tuple[int, str, str]],
) -> ResultGroup:
    rates = []
    for check_in_id, title, phase in check_ins:
        submitted = sum(1 for m in members if check_in_id in m.check_ins)
        rates.append(
            CheckInRate(
                check_in_id=check_in_id,
                title=title,
                phase=phase,
                submitted=submitted,
                enrolled=len(members),
                rate=_share(submitted, len(members)),
            )
        )
    people = [m.perception for m in members]
    adopt = [p.adopt for p in people if p.adopt is not None]
    return ResultGroup(
        key=key,
        label=label,
        enrolled=len(members),
        respondents=sum(1 for m in members if m.check_ins),
        dimensions=[_dimension(k, lbl, people) for k, lbl in dimensions.items()],
        nps=NpsResult.of(p.recommend for p in people if p.recommend is not None),
        job_done=_job_done([p.job_done for p in people if p.job_done]),
        adopt=MeanResult(mean=mean(adopt), n=len(adopt)),
        check_ins=rates,
        response_rate=_share(sum(r.submitted for r in rates), len(members) * len(check_ins)),
    )


def _dimension(key: str, label: str, people: list[PersonPerception]) -> DimensionResult:
    expected = [p.expected[key] for p in people if key in p.expected]
    experienced = [p.experienced[key] for p in people if key in p.experienced]
    sacrifice = [p.sacrifice[key] for p in people if key in p.sacrifice]
    gaps = [gap for p in people if (gap := p.gap(key)) is not None]
    perceived = [value for p in people if (value := p.perceived(key)) is not None]
    met = sum(1 for gap in gaps if gap >= 0)
    return DimensionResult(
        key=key,
        label=label,
        expected_mean=mean(expected),
        expected_n=len(expected),
        experienced_mean=mean(experienced),
        experienced_n=len(experienced),
        gap_mean=mean(gaps),
        gap_sd=sample_sd(gaps),
        gap_interval=t_interval(gaps),
        paired_n=len(gaps),
        met_count=met,
        met_share=_share(met, len(gaps)),
        sacrifice_mean=mean(sacrifice),
        sacrifice_n=len(sacrifice),
        perceived_mean=mean(perceived),
        perceived_n=len(perceived),
    )


def _job_done(answers: list[str]) -> JobDoneResult:
    counts: dict[str, int] = dict.fromkeys(JOB_DONE_KEYS, 0)
    labels = {key: key.capitalize() for key in JOB_DONE_KEYS}
    for answer in answers:
        key = answer.strip().lower()
        counts[key] = counts.get(key, 0) + 1
        labels.setdefault(key, answer.strip())
    return JobDoneResult(
        n=len(answers),
        choices=[
            ChoiceCount(key=key, label=labels[key], count=count, share=_share(count, len(answers)))
            for key, count in counts.items()
        ],
    )
