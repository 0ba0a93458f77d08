"""Perception (the C of A → C → B): what each participant of a pilot expected, what they
experienced, and how likely they are to recommend it. The one place that decides which answers
count and how the gap and NPS are computed; the results page (selectors/results.py), an
account's pilots (selectors/account_pilots.py) and perception next to later outcomes
(selectors/perception_outcomes.py) all read their figures through it.

Which answers count
    The answers of submitted responses to a check-in of the pilot the person is enrolled in
    (a person is an enrolment: one member in one pilot). Per person and figure the latest
    answer counts: answers are read in the order of their response's submission (then the
    check-in's position, then the response), and a later answer replaces an earlier one.
    An expected rating counts from an expectation check-in only; the experienced rating,
    sacrifice, job done and the likelihoods to adopt and to recommend from an experience
    check-in only.

Paired figures (the same person, the same dimension)
    gap = experienced − expected; the expectation is met or exceeded when the gap is ≥ 0;
    perceived experience = expected − sacrifice.

NPS
    % promoters (9–10) − % detractors (0–6) of the people who answered, a whole number rounded
    half away from zero.

Pooled figures (an account's members in a pilot: their mean expected and experienced rating
and their gap) are shown to two decimals, rounded once, halves away from zero
(`pooled_shown`), on the account's page as next to its outcomes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Self

from django.db.models import F, QuerySet

from community.statistics import mean, round_half_up, round_half_up_to
from config.sql_once import SqlOnce
from ideas.models import Answer, FeedbackResponse, Phase, QuestionRole, ResponseStatus

# What the gap and NPS read.
GAP_AND_NPS_ROLES = (QuestionRole.EXPECTED, QuestionRole.EXPERIENCED, QuestionRole.RECOMMEND)

# A pooled figure is shown (pages, CSVs, the API) to this many decimals.
SHOWN_PLACES = 2

# Responses in the order in which a later answer replaces an earlier one.
RESPONSE_ORDER = ("submitted_at", "check_in__position", "pk")


def submitted_responses() -> QuerySet[FeedbackResponse]:
    """The responses whose answers count, oldest first (RESPONSE_ORDER)."""
    return FeedbackResponse.objects.filter(
        status=ResponseStatus.SUBMITTED, check_in__pilot_id=F("enrolment__pilot_id")
    ).order_by(*RESPONSE_ORDER)


def submitted_answers() -> QuerySet[Answer]:
    """The answers that count, oldest first: their responses in RESPONSE_ORDER."""
    return Answer.objects.filter(
        response__status=ResponseStatus.SUBMITTED,
        response__check_in__pilot_id=F("response__enrolment__pilot_id"),
    ).order_by(*(f"response__{name}" for name in RESPONSE_ORDER), "pk")


def pooled_shown(value: float | None) -> float | None:
    """A pooled figure (mean expected, mean experienced, gap) as every page, CSV and API field
    shows it: SHOWN_PLACES decimals, rounded once, halves away from zero."""
    return None if value is None else round_half_up_to(value, SHOWN_PLACES)


def _choice(text: str, choices: Sequence) -> str:
    """A single-choice answer, whether it was stored as text or as a one-item list."""
    if choices:
        return str(choices[0])
    return text or ""


@dataclass
class PersonPerception:
    """One person's latest answers in one pilot; feed them oldest first to `take`."""

    expected: dict[str, int] = field(default_factory=dict)  # dimension key → rating
    experienced: dict[str, int] = field(default_factory=dict)
    sacrifice: dict[str, int] = field(default_factory=dict)
    job_done: str | None = None
    adopt: int | None = None
    recommend: int | None = None

    def take(
        self,
        *,
        phase: str,
        role: str,
        dimension: str | None,
        value_int: int | None,
        value_text: str = "",
        value_choices: Sequence | None = None,
    ) -> None:
        """Count one answer, given in a check-in of `phase`, if it counts (see the module)."""
        if phase == Phase.EXPECTATION:
            if role == QuestionRole.EXPECTED and dimension and value_int is not None:
                self.expected[dimension] = value_int
            return
        if role == QuestionRole.EXPERIENCED and dimension and value_int is not None:
            self.experienced[dimension] = value_int
        elif role == QuestionRole.SACRIFICE and dimension and value_int is not None:
            self.sacrifice[dimension] = value_int
        elif role == QuestionRole.ADOPT and value_int is not None:
            self.adopt = value_int
        elif role == QuestionRole.RECOMMEND and value_int is not None:
            self.recommend = value_int
        elif role == QuestionRole.JOB_DONE:
            choice = _choice(value_text, value_choices or [])
            if choice:
                self.job_done = choice

    @property
    def rated_dimensions(self) -> list[str]:
        """The dimensions this person rated in any way (expected ones first, as answered)."""
        return [*self.expected, *self.experienced, *self.sacrifice]

    def gap(self, dimension: str) -> int | None:
        """Experienced − expected on `dimension`; None unless rated both ways."""
        if dimension in self.expected and dimension in self.experienced:
            return self.experienced[dimension] - self.expected[dimension]
        return None

    def perceived(self, dimension: str) -> int | None:
        """Perceived experience, expected − sacrifice; None unless both were given."""
        if dimension in self.expected and dimension in self.sacrifice:
            return self.expected[dimension] - self.sacrifice[dimension]
        return None

    @property
    def gaps(self) -> list[int]:
        """The gap on every dimension rated both ways."""
        return [
            value - self.expected[dimension]
            for dimension, value in self.experienced.items()
            if dimension in self.expected
        ]

    @property
    def answered(self) -> bool:
        """Whether any of the person's answers counts."""
        return bool(
            self.expected
            or self.experienced
            or self.sacrifice
            or self.job_done
            or self.adopt is not None
            or self.recommend is not None
        )


def _answers_of(responses: QuerySet[FeedbackResponse]) -> QuerySet[Answer]:
    """The answers that count of `responses` (`submitted_responses()` narrowed by the caller),
    oldest first, as `submitted_answers()` gives them: the responses' ids are read first (one
    query), then their answers by id. PostgreSQL's planner cannot estimate "the check-in's pilot
    is the enrolment's pilot" (it assumes one response in two hundred qualifies where all do)
    and, asked in one query, joins every answer to its question, dimension and enrolment by
    nested loops: at full size (20,000 answers) four times slower than the hash joins it
    chooses for a list of responses."""
    return _answers_by_ids(list(responses.order_by().values_list("pk", flat=True)))


def _answers_by_ids(ids: list[int]) -> QuerySet[Answer]:
    """The answers of the responses with these ids (submitted ones that count: `_answers_of`),
    oldest first. The ids are one parameter (`any_of`), so that the SQL can be kept."""
    return Answer.objects.filter(response_id__any_of=ids).order_by(
        *(f"response__{name}" for name in RESPONSE_ORDER), "pk"
    )


def _counted_rows(counted: QuerySet[Answer], by: Sequence[str], answers: dict) -> QuerySet:
    """The rows `people_perception` reads of the answers that count."""
    return counted.filter(
        question__role__in=GAP_AND_NPS_ROLES, value_int__isnull=False, **answers
    ).values_list(
        "response__enrolment_id",
        *by,
        "response__check_in__phase",
        "question__role",
        "dimension__key",
        "value_int",
    )


# `people_perception` of a list of responses, per `by` (a constant of its caller): its SQL is
# written once per process (config.sql_once).
_ROWS_OF_RESPONSES: dict[tuple[str, ...], SqlOnce] = {}


def _rows_of_responses(by: tuple[str, ...], ids: list[int]) -> list[tuple]:
    kept = _ROWS_OF_RESPONSES.get(by)
    if kept is None:
        kept = _ROWS_OF_RESPONSES[by] = SqlOnce(
            Answer, lambda ids: _counted_rows(_answers_by_ids(ids), by, {}), ids=list
        )
    return kept.all(ids=ids)


def people_perception(
    *,
    by: Sequence[str] = (),
    responses: QuerySet[FeedbackResponse] | None = None,
    response_ids: list[int] | None = None,
    **answers,
) -> dict[tuple, PersonPerception]:
    """Per person, the expected, experienced and recommend answers that count among the
    answers filtered by `answers` (Answer lookups): keyed by (enrolment id, *the values of the
    `by` fields). One query; two with `responses` (`submitted_responses()` narrowed: only their
    answers, read by `_answers_of`); one with `response_ids` (the ids of such responses, read
    by the caller)."""
    if response_ids is not None:
        if responses is not None or answers:
            raise TypeError("people_perception: response_ids are read alone")
        rows = _rows_of_responses(tuple(by), response_ids)
    else:
        counted = submitted_answers() if responses is None else _answers_of(responses)
        rows = _counted_rows(counted, by, answers)
    people: dict[tuple, PersonPerception] = {}
    for *key, phase, role, dimension, value in rows:
        key = tuple(key)
        person = people.get(key)
        if person is None:  # (a person made once, not for each of their answers)
            person = people[key] = PersonPerception()
        person.take(phase=phase, role=role, dimension=dimension, value_int=value)
    return people


@dataclass
class Nps:
    """Answers to "how likely are you to recommend it?" (0–10), counted for the NPS."""

    n: int = 0
    promoters: int = 0  # 9–10
    passives: int = 0  # 7–8
    detractors: int = 0  # 0–6
    distribution: list[int] = field(default_factory=lambda: [0] * 11)  # answers per 0 … 10

    @classmethod
    def of(cls, scores: Iterable[int]) -> Self:
        nps = cls()
        for score in scores:
            nps.add(score)
        return nps

    def add(self, score: int) -> None:
        self.n += 1
        if 0 <= score <= 10:
            self.distribution[score] += 1
        if score >= 9:
            self.promoters += 1
        elif score >= 7:
            self.passives += 1
        else:
            self.detractors += 1

    def add_nps(self, other: Nps) -> None:
        """Pool another group's answers with these."""
        self.n += other.n
        self.promoters += other.promoters
        self.passives += other.passives
        self.detractors += other.detractors
        self.distribution = [
            a + b for a, b in zip(self.distribution, other.distribution, strict=True)
        ]

    @property
    def score(self) -> int | None:
        """% promoters − % detractors, a whole number from −100 to 100; None without answers."""
        if not self.n:
            return None
        return round_half_up(100 * (self.promoters - self.detractors) / self.n)


@dataclass
class PooledPerception:
    """Several people's perception pooled (an account's members in a pilot): every rating of
    every person and dimension counts once."""

    people: int = 0  # people with an answer that counts
    expected: list[int] = field(default_factory=list)
    experienced: list[int] = field(default_factory=list)
    gaps: list[int] = field(default_factory=list)  # one per person and paired dimension
    paired_people: int = 0  # people with at least one gap
    nps: Nps = field(default_factory=Nps)

    def add(self, person: PersonPerception) -> None:
        if not person.answered:
            return
        self.people += 1
        self.expected += person.expected.values()
        self.experienced += person.experienced.values()
        gaps = person.gaps
        self.gaps += gaps
        self.paired_people += bool(gaps)
        if person.recommend is not None:
            self.nps.add(person.recommend)

    @property
    def expected_mean(self) -> float | None:
        return mean(self.expected)

    @property
    def experienced_mean(self) -> float | None:
        return mean(self.experienced)

    @property
    def gap_mean(self) -> float | None:
        return mean(self.gaps)
