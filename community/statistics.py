"""How sure a figure is: the 95% interval shown beside a mean or a rate, and how a figure is
rounded to a whole number. Pilot results (ideas) and insights across accounts (community) both
read their means' and rates' intervals here. The model-based estimates have their own, from the
libraries that fit them: a pilot's effect (difference-in-differences, statsmodels:
ideas/selectors/pilot_effect_figures.py), expectation drift (Welch, ideas' calibration) and
loyalty over time (Kaplan–Meier and Cox, lifelines: community/survival.py).

- **A mean** (a pilot's expectation–experience gap: the mean of paired differences):
  Student's t-interval, mean ± t(0.975, n − 1) · s / √n with the sample standard deviation s
  (n − 1); none under two values.
- **A proportion** (an outcome rate, k of n accounts): the Wilson score interval, which stays
  within 0…1 and is not empty at 0 or n successes; none without trials.
- **Whole numbers** (percentages, NPS): halves are rounded away from zero, not to even.
  A percentage shown anywhere (page, API, CSV) is rounded once, by `whole_percent`, from the
  unrounded share: never a rounded figure rounded again.
- **Decimals** (a mean gap to two places): `round_half_up_to`, halves away from zero too, so
  that a page, its CSV and its API show the same digits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# The standard normal's 97.5% quantile: a two-sided 95% interval.
Z_975 = 1.959963984540054

# Two-sided 95% quantiles of Student's t, t(0.975, df), for df = 1 … 30.
# fmt: off
_T_975 = (
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582,  # df 1–5
    2.446912, 2.364624, 2.306004, 2.262157, 2.228139,  # df 6–10
    2.200985, 2.178813, 2.160369, 2.144787, 2.131450,  # df 11–15
    2.119905, 2.109816, 2.100922, 2.093024, 2.085963,  # df 16–20
    2.079614, 2.073873, 2.068658, 2.063899, 2.059539,  # df 21–25
    2.055529, 2.051831, 2.048407, 2.045230, 2.042272,  # df 26–30
)
# fmt: on


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None without values."""
    return sum(values) / len(values) if values else None


def sample_sd(values: Sequence[float]) -> float | None:
    """The sample standard deviation (n − 1); None under two values."""
    if len(values) < 2:
        return None
    centre = sum(values) / len(values)
    return math.sqrt(sum((v - centre) ** 2 for v in values) / (len(values) - 1))


def t_quantile_975(df: int) -> float:
    """t(0.975, df): the table above up to 30 degrees of freedom, then the Cornish-Fisher
    expansion around the normal quantile (Abramowitz & Stegun 26.7.5), exact to 6 decimals
    from df = 31 on."""
    if df < 1:
        raise ValueError("Student's t needs at least one degree of freedom.")
    if df <= len(_T_975):
        return _T_975[df - 1]
    z = Z_975
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def t_interval(values: Sequence[float]) -> Interval | None:
    """The 95% t-interval of the mean of `values`; None under two values."""
    centre, sd = mean(values), sample_sd(values)
    if centre is None or sd is None:
        return None
    half = t_quantile_975(len(values) - 1) * sd / math.sqrt(len(values))
    return Interval(low=centre - half, high=centre + half)


def wilson_interval(successes: int, trials: int, *, z: float = Z_975) -> Interval | None:
    """The Wilson score interval of successes/trials (Wilson 1927; no continuity correction):
    centre (p + z²/2n) / (1 + z²/n), half-width z·√(p(1 − p)/n + z²/4n²) / (1 + z²/n).
    Unlike p ± z·√(p(1 − p)/n) it stays within 0…1 and is not empty at 0 or n successes.
    None when there are no trials."""
    if trials < 0 or not 0 <= successes <= max(trials, 0):
        raise ValueError(f"{successes} successes of {trials} trials is not a proportion.")
    if trials == 0:
        return None
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(low=low, high=high)


def round_half_up(value: float) -> int:
    """Round to a whole number, halves away from zero (33.5 → 34, −0.5 → −1), unlike round()."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def round_half_up_ratio(numerator: int, denominator: int) -> int:
    """The exact fraction numerator ÷ denominator (whole numbers, denominator > 0) rounded to a
    whole number, halves away from zero, as `round_half_up` rounds it (7/2 → 4, −7/2 → −4,
    5/3 → 2), in whole numbers: no Fraction, no float."""
    if denominator <= 0:
        raise ValueError(f"A ratio of {numerator} to {denominator}: the denominator must be > 0.")
    rounded = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -rounded if numerator < 0 else rounded


def whole_percent(part: float, whole: float = 1) -> int:
    """part ÷ whole as a whole percentage, rounded once, halves up (3 of 55 = 5.45% → 5;
    a share of 0.31469 → 31; 1 of 8 = 12.5% → 13). Give a count's numerator and denominator
    rather than their quotient: 100 × 23 ÷ 40 is exactly 57.5 (→ 58), while 100 × (23 ÷ 40) is
    57.49999… in floating point."""
    return round_half_up(100 * part / whole)


def round_half_up_to(value: float, places: int) -> float:
    """`value` to `places` decimals, halves away from zero (0.125 → 0.13, −0.125 → −0.13),
    read from the shortest decimal that stands for the float (its repr), as a page's
    floatformat reads it; f"{x:.2f}" would round the binary value half to even (0.12)."""
    exponent = Decimal(1).scaleb(-places)
    return float(Decimal(repr(value)).quantize(exponent, rounding=ROUND_HALF_UP))
