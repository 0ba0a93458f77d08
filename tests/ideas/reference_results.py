"""Pilot results worked out plainly from docs/product.md ("Pilot results"), for
tests/ideas/test_results_property.py to hold the product's figures against. Nothing here calls
the product: the input is the plan a test planted (who enrolled, who answered what and when, the
check-ins' dates, the accounts' snapshots), and every figure is computed from the written
definitions with exact fractions, the decimal module's ROUND_HALF_UP and a published t table.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# Student's t, the two-sided 95% quantile t(0.975, df), from published tables.
T_975 = {
    1: 12.706205,
    2: 4.302653,
    3: 3.182446,
    4: 2.776445,
    5: 2.570582,
    6: 2.446912,
    7: 2.364624,
    8: 2.306004,
    9: 2.262157,
    10: 2.228139,
    11: 2.200985,
    12: 2.178813,
    13: 2.160369,
    14: 2.144787,
    15: 2.131450,
}

NOT_KNOWN = "not_computed"  # the group of accounts without a level when the pilot started
PER_DIMENSION = ("expected", "experienced", "sacrifice")
JOB_DONE = ("yes", "partly", "no")


# --- What a test planted --------------------------------------------------------------------


@dataclass(frozen=True)
class CheckInPlan:
    position: int
    phase: str  # "expectation" or "experience"
    due_on: dt.date | None  # None: due at enrolment


@dataclass(frozen=True)
class ResponsePlan:
    position: int  # of its check-in
    submitted_at: dt.datetime | None  # None: a draft
    answers: dict  # role → value; expected/experienced/sacrifice: {dimension: value}


@dataclass(frozen=True)
class MemberPlan:
    account: int  # index into PilotPlan.accounts
    responses: tuple[ResponsePlan, ...]


@dataclass(frozen=True)
class AccountPlan:
    segment: str
    snapshots: tuple[tuple[dt.date, str], ...]  # (day, level)


@dataclass(frozen=True)
class PilotPlan:
    closed: bool
    runs_from: dt.date
    today: dt.date
    check_ins: tuple[CheckInPlan, ...]
    accounts: tuple[AccountPlan, ...]
    members: tuple[MemberPlan, ...]
    dimensions: tuple[str, ...]


# --- Rounding, as the docs say -------------------------------------------------------------


def half_up(value: Fraction | float, places: int) -> Decimal:
    """To `places` decimals, halves away from zero; never −0."""
    exact = Fraction(value)
    as_decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    rounded = as_decimal.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded


def percent(part: int, whole: int) -> int | None:
    return None if not whole else int(half_up(Fraction(100 * part, whole), 0))


def mean(values: list[int]) -> tuple[Decimal | None, int]:
    """(the mean to 2 decimals, n)."""
    if not values:
        return None, 0
    return half_up(Fraction(sum(values), len(values)), 2), len(values)


# --- Each member's latest answers ---------------------------------------------------------


def is_due(plan: PilotPlan, check_in: CheckInPlan) -> bool:
    """Due: every check-in of a closed pilot; one without a date at enrolment (at once);
    any other from its due date on, that day included."""
    return plan.closed or check_in.due_on is None or check_in.due_on <= plan.today


def latest_answers(plan: PilotPlan, member: MemberPlan) -> dict:
    """role → value (per-dimension roles: role → {dimension: value}), each the member's latest
    submitted answer: responses in order of submission, then of their check-in's position; the
    expected rating from an expectation check-in only, the others from experience ones only."""
    phases = {c.position: c.phase for c in plan.check_ins}
    latest: dict = {role: {} for role in PER_DIMENSION}
    submitted = [r for r in member.responses if r.submitted_at is not None]
    for response in sorted(submitted, key=lambda r: (r.submitted_at, r.position)):
        phase = phases[response.position]
        for role, value in response.answers.items():
            if (role == "expected") != (phase == "expectation"):
                continue
            if role in PER_DIMENSION:
                latest[role].update(value)
            else:
                latest[role] = value
    return latest


# --- The figures -----------------------------------------------------------------------------


def _dimension(people: list[dict], key: str) -> dict:
    expected = [p["expected"][key] for p in people if key in p["expected"]]
    experienced = [p["experienced"][key] for p in people if key in p["experienced"]]
    sacrifice = [p["sacrifice"][key] for p in people if key in p["sacrifice"]]
    gaps = [
        p["experienced"][key] - p["expected"][key]
        for p in people
        if key in p["expected"] and key in p["experienced"]
    ]
    perceived = [
        p["expected"][key] - p["sacrifice"][key]
        for p in people
        if key in p["expected"] and key in p["sacrifice"]
    ]
    met = sum(1 for gap in gaps if gap >= 0)
    sd = interval = None
    if len(gaps) >= 2:
        centre = sum(gaps) / len(gaps)
        sd = math.sqrt(sum((g - centre) ** 2 for g in gaps) / (len(gaps) - 1))
        half = T_975[len(gaps) - 1] * sd / math.sqrt(len(gaps))
        interval = (centre - half, centre + half)
    return {
        "expected": mean(expected),
        "experienced": mean(experienced),
        "gap": mean(gaps),
        "sd": sd,  # unrounded: the test rounds it (and the interval), minding near ties
        "interval": interval,
        "met": (met, percent(met, len(gaps))),
        "sacrifice": mean(sacrifice),
        "perceived": mean(perceived),
    }


def _nps(people: list[dict]) -> dict:
    scores = [p["recommend"] for p in people if "recommend" in p]
    promoters = sum(1 for s in scores if s >= 9)
    passives = sum(1 for s in scores if 7 <= s <= 8)
    detractors = sum(1 for s in scores if s <= 6)
    n = len(scores)
    return {
        "n": n,
        "score": None if not n else int(half_up(Fraction(100 * (promoters - detractors), n), 0)),
        "parts": (promoters, passives, detractors),
        "percents": (percent(promoters, n), percent(passives, n), percent(detractors, n)),
        "distribution": [sum(1 for s in scores if s == score) for score in range(11)],
    }


def _job_done(people: list[dict]) -> dict:
    answers = [p["job_done"].strip().lower() for p in people if p.get("job_done")]
    return {
        key: (answers.count(key), percent(answers.count(key), len(answers))) for key in JOB_DONE
    } | {"n": len(answers)}


def _group(plan: PilotPlan, members: list[MemberPlan]) -> dict:
    people = [latest_answers(plan, m) for m in members]
    answered = [{r.position for r in m.responses if r.submitted_at is not None} for m in members]
    check_ins, owed, given = [], 0, 0
    for check_in in sorted(plan.check_ins, key=lambda c: c.position):
        submitted = sum(1 for positions in answered if check_in.position in positions)
        due = is_due(plan, check_in)
        check_ins.append(
            (
                check_in.position,
                due,
                submitted,
                len(members),
                percent(submitted, len(members)) if due else None,
            )
        )
        if due:
            owed += len(members)
            given += submitted
    adopt = [p["adopt"] for p in people if "adopt" in p]
    return {
        "enrolled": len(members),
        "respondents": sum(1 for positions in answered if positions),
        "dimensions": {key: _dimension(people, key) for key in plan.dimensions},
        "nps": _nps(people),
        "job_done": _job_done(people),
        "adopt": mean(adopt),
        "check_ins": check_ins,
        "response_rate": (given, owed, percent(given, owed)),
    }


def level_when_started(plan: PilotPlan, account: AccountPlan) -> str:
    """The level of the account's snapshot on the pilot's first day, or of the latest before."""
    before = [(day, level) for day, level in account.snapshots if day <= plan.runs_from]
    return max(before)[1] if before else NOT_KNOWN


def reference_results(plan: PilotPlan, split: str | None) -> dict[str, dict]:
    """Group key → its figures: "overall", then one group per segment or per level when the
    pilot started (split "segment" or "level"), each only when it has members."""
    groups = {"overall": _group(plan, list(plan.members))}
    if split is None:
        return groups
    by_group: dict[str, list[MemberPlan]] = {}
    for member in plan.members:
        account = plan.accounts[member.account]
        key = account.segment if split == "segment" else level_when_started(plan, account)
        by_group.setdefault(key, []).append(member)
    return groups | {key: _group(plan, members) for key, members in by_group.items()}
