"""The figures of pilot results, one function each, rounded once, here: the results page, the
results API and the figures CSV all show the values these functions return, as they are
(docs/product.md, "Pilot results", writes every definition out).

Who counts towards a figure is ideas/selectors/perception.py's (`PersonPerception`: each
member's latest answers, the pairing, the gap; `Nps`); whether a check-in is due is
ideas/selectors/feedback.py's `check_in_due`.

Rounding, once, halves away from zero (community.statistics.round_half_up):

- means (expected, experienced, gap, sacrifice, perceived experience, likelihood to adopt),
  the gap's standard deviation and its 95% interval: 2 decimals (`two_places`), as a Decimal
  that prints as it is (5.50); a mean of whole-number answers is rounded as the exact fraction
  it is, so 3/40 = 0.075 is 0.08 (the float 0.075 is 0.07499…);
- shares (met or exceeded, response rates, job done, NPS parts): whole percentages of the exact
  ratio (`percent_figure`); NPS itself is `Nps.score`, rounded the same way.

A figure without anyone to count is None (shown as "—"); a check-in not due yet has no rate.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from community.statistics import round_half_up, round_half_up_ratio, sample_sd, t_interval
from ideas.models.feedback import check_in_staff_title
from ideas.selectors.perception import Nps, PersonPerception

# Under this many participants a figure is an anecdote, not a result.
MIN_PARTICIPANTS = 5

# Decimal places of every mean, standard deviation and interval bound.
PLACES = 2

JOB_DONE_KEYS = ("yes", "partly", "no")


# --- Rounding ------------------------------------------------------------------------------


def two_places(value: Fraction | float) -> Decimal:
    """`value` to 2 decimals, halves away from zero (2.125 → 2.13, −0.125 → −0.13), as a
    Decimal that keeps its places. Give a mean as its Fraction: a tie (k + ½ hundredths) is
    then exactly a tie, and anything else is at least 1/(2 × n) hundredths from one (a
    Fraction is rounded in whole numbers, `_ratio_two_places`)."""
    if isinstance(value, Fraction):
        return _ratio_two_places(value.numerator, value.denominator)
    return Decimal(round_half_up(value * 100)).scaleb(-PLACES)


def _ratio_two_places(numerator: int, denominator: int) -> Decimal:
    """`two_places` of the exact fraction numerator ÷ denominator (denominator > 0)."""
    return Decimal(round_half_up_ratio(100 * numerator, denominator)).scaleb(-PLACES)


def mean_figure(values: Sequence[int]) -> Decimal | None:
    """The mean of whole-number answers, exact, to 2 decimals; None without values."""
    if not values:
        return None
    return _ratio_two_places(sum(values), len(values))


def percent_figure(part: int, whole: int) -> int | None:
    """part ÷ whole as a whole percentage of the exact ratio, halves away from zero (1 of 8 is
    13%, 29 of 200 is 15%: not 100 × 0.145 = 14.499…); None when whole is 0."""
    if not whole:
        return None
    return round_half_up_ratio(100 * part, whole)


@dataclass(frozen=True)
class IntervalFigure:
    low: Decimal
    high: Decimal


def interval_figure(values: Sequence[int]) -> IntervalFigure | None:
    """The 95% t-interval of the mean of `values` (community.statistics.t_interval), its
    bounds to 2 decimals; None under two values."""
    interval = t_interval(values)
    if interval is None:
        return None
    return IntervalFigure(low=two_places(interval.low), high=two_places(interval.high))


def sd_figure(values: Sequence[int]) -> Decimal | None:
    """The sample standard deviation (n − 1), to 2 decimals; None under two values."""
    sd = sample_sd(values)
    return None if sd is None else two_places(sd)


# --- Per dimension ---------------------------------------------------------------------------


@dataclass
class MeanResult:
    mean: Decimal | None = None
    n: int = 0

    @property
    def too_small(self) -> bool:
        return self.n < MIN_PARTICIPANTS


def _mean_result(values: list[int]) -> MeanResult:
    return MeanResult(mean=mean_figure(values), n=len(values))


def expected_figure(people: Iterable[PersonPerception], key: str) -> MeanResult:
    """Mean expected rating on `key`, over the members who gave one."""
    return _mean_result([p.expected[key] for p in people if key in p.expected])


def experienced_figure(people: Iterable[PersonPerception], key: str) -> MeanResult:
    """Mean experienced rating on `key`, over the members who gave one."""
    return _mean_result([p.experienced[key] for p in people if key in p.experienced])


def sacrifice_figure(people: Iterable[PersonPerception], key: str) -> MeanResult:
    """Mean sacrifice on `key`, over the members who gave one."""
    return _mean_result([p.sacrifice[key] for p in people if key in p.sacrifice])


def perceived_figure(people: Iterable[PersonPerception], key: str) -> MeanResult:
    """Perceived experience on `key`: the mean of each member's expected − sacrifice, over the
    members who gave both."""
    return _mean_result([v for p in people if (v := p.perceived(key)) is not None])


@dataclass(frozen=True)
class GapResult:
    mean: Decimal | None
    sd: Decimal | None
    interval: IntervalFigure | None
    n: int  # members with both an expected and an experienced rating (paired)
    met: int  # of them, those whose experience ≥ expectation

    @property
    def met_percent(self) -> int | None:
        return percent_figure(self.met, self.n)


def gap_figure(people: Iterable[PersonPerception], key: str) -> GapResult:
    """The gap on `key` over the paired members: the mean of experienced − expected, its
    standard deviation and 95% t-interval, and how many met or exceeded their expectation
    (gap ≥ 0) — the met-or-exceeded share is `GapResult.met_percent`."""
    gaps = [gap for p in people if (gap := p.gap(key)) is not None]
    return GapResult(
        mean=mean_figure(gaps),
        sd=sd_figure(gaps),
        interval=interval_figure(gaps),
        n=len(gaps),
        met=sum(1 for gap in gaps if gap >= 0),
    )


@dataclass
class DimensionResult:
    key: str
    label: str
    expected_mean: Decimal | None = None
    expected_n: int = 0
    experienced_mean: Decimal | None = None
    experienced_n: int = 0
    gap_mean: Decimal | None = None
    gap_sd: Decimal | None = None
    gap_interval: IntervalFigure | None = None  # 95% t-interval; None under two pairs
    paired_n: int = 0  # members with both an expected and an experienced rating
    met_count: int = 0  # of the paired members, those whose experience ≥ expectation
    met_percent: int | None = None
    sacrifice_mean: Decimal | None = None
    sacrifice_n: int = 0
    perceived_mean: Decimal | None = None  # mean of each member's expected − sacrifice
    perceived_n: int = 0


def dimension_result(key: str, label: str, people: list[PersonPerception]) -> DimensionResult:
    """Every figure of one dimension, from the functions above."""
    expected, experienced = expected_figure(people, key), experienced_figure(people, key)
    gap = gap_figure(people, key)
    sacrifice, perceived = sacrifice_figure(people, key), perceived_figure(people, key)
    return DimensionResult(
        key=key,
        label=label,
        expected_mean=expected.mean,
        expected_n=expected.n,
        experienced_mean=experienced.mean,
        experienced_n=experienced.n,
        gap_mean=gap.mean,
        gap_sd=gap.sd,
        gap_interval=gap.interval,
        paired_n=gap.n,
        met_count=gap.met,
        met_percent=gap.met_percent,
        sacrifice_mean=sacrifice.mean,
        sacrifice_n=sacrifice.n,
        perceived_mean=perceived.mean,
        perceived_n=perceived.n,
    )


# --- Besides the dimensions -------------------------------------------------------------------


@dataclass
class NpsResult(Nps):
    """The NPS of a group (ideas.selectors.perception.Nps, whose `score` is the NPS), with the
    shares of its parts."""

    @property
    def too_small(self) -> bool:
        return self.n < MIN_PARTICIPANTS

    @property
    def promoters_percent(self) -> int | None:
        return percent_figure(self.promoters, self.n)

    @property
    def passives_percent(self) -> int | None:
        return percent_figure(self.passives, self.n)

    @property
    def detractors_percent(self) -> int | None:
        return percent_figure(self.detractors, self.n)

    @property
    def bars(self) -> list[tuple[int, int]]:
        return list(enumerate(self.distribution))


def nps_figure(people: Iterable[PersonPerception]) -> NpsResult:
    """NPS over the members who answered the likelihood to recommend."""
    return NpsResult.of(p.recommend for p in people if p.recommend is not None)


def adopt_figure(people: Iterable[PersonPerception]) -> MeanResult:
    """Mean likelihood to adopt (0–10), over the members who answered it."""
    return _mean_result([p.adopt for p in people if p.adopt is not None])


@dataclass
class ChoiceCount:
    key: str
    label: str
    count: int
    percent: int | None


@dataclass
class JobDoneResult:
    n: int = 0
    choices: list[ChoiceCount] = field(default_factory=list)

    @property
    def too_small(self) -> bool:
        return self.n < MIN_PARTICIPANTS


def job_done_figure(people: Iterable[PersonPerception]) -> JobDoneResult:
    """Did it do the job: each answer's count and share of the members who answered; yes,
    partly and no always, other answers (an edited instrument's) after them."""
    answers = [p.job_done for p in people if p.job_done]
    counts: dict[str, int] = dict.fromkeys(JOB_DONE_KEYS, 0)
    labels = {key: key.capitalize() for key in JOB_DONE_KEYS}
    for answer in answers:
        key = answer.strip().lower()
        counts[key] = counts.get(key, 0) + 1
        labels.setdefault(key, answer.strip())
    return JobDoneResult(
        n=len(answers),
        choices=[
            ChoiceCount(
                key=key, label=labels[key], count=count, percent=percent_figure(count, len(answers))
            )
            for key, count in counts.items()
        ],
    )


# --- Response rates ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRate:
    """Due check-ins answered: `answered` submitted responses to due check-ins of the `due`
    owed (members × check-ins due)."""

    answered: int
    due: int

    @property
    def percent(self) -> int | None:
        return percent_figure(self.answered, self.due)

    @property
    def counts_text(self) -> str:
        """ "22 of 24 due check-ins answered" (the summary card shows the percentage apart)."""
        if not self.due:
            return "no check-in due yet"
        return f"{self.answered} of {self.due} due check-ins answered"

    @property
    def text(self) -> str:
        """ "22 of 24 due check-ins answered, 92%": what the page, the API and the CSV say."""
        return f"{self.counts_text}, {self.percent}%" if self.due else self.counts_text


@dataclass(frozen=True)
class CheckInRate:
    """One check-in in one group: how many of its members submitted it, and whether it is due."""

    check_in_id: int
    title: str
    phase: str
    due_on: dt.date | None
    due: bool
    submitted: int  # members who submitted it (early ones too, before it was due)
    enrolled: int

    @property
    def staff_title(self) -> str:
        return check_in_staff_title(self.title)

    @property
    def percent(self) -> int | None:
        """submitted ÷ enrolled once due; None (no rate) before."""
        return percent_figure(self.submitted, self.enrolled) if self.due else None

    @property
    def text(self) -> str:
        if not self.due:
            return "not due yet"
        if not self.enrolled:
            return "no one enrolled"
        return f"{self.submitted} of {self.enrolled} answered, {self.percent}%"


def response_rate_figure(check_ins: Iterable[CheckInRate]) -> ResponseRate:
    """The response rate of a group: responses submitted to its due check-ins ÷ (members ×
    due check-ins). Check-ins not due yet count in neither, even when answered early."""
    due = [c for c in check_ins if c.due]
    return ResponseRate(answered=sum(c.submitted for c in due), due=sum(c.enrolled for c in due))
