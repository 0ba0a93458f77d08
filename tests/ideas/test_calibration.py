"""Expectation calibration (ideas.selectors.calibration, docs/product.md "Expectation
calibration"), checked on hand-built pilots against means worked out by hand and intervals
computed independently with scipy.

The pilot: six members of Acme (expected: the expectation check-in, 1–7; experienced: the final
check-in), targets set in the designer: useful 5.0, usable 5.5, speed 4.0, trust 6.0, none on
delightful.

    member  expected useful/usable/speed      experienced useful/usable
    m0      6 / 5 / 6                         5 / 4 (and "expected 1" on useful in
                                              the final check-in: does not count)
    m1      6 / 4 / 6                         4 / 5
    m2      5 / 5 / 5                         5 / 6
    m3      6 / 6 / 5                         6 / —
    m4      7 / 5 / —                         5 / —
    m5      5 / 5 / —                         — / —

    useful:  expected 35/6 = 5.83 (n 6) > 5.0 → above the target, by 0.83;
             experienced 25/5 = 5.00 (n 5), 0.00 against the target
    usable:  expected 30/6 = 5.00 (n 6) ≤ 5.5 → within, −0.50; experienced n 3 → too few
    speed:   expected n 4 → too few to say (no number)
    trust:   nobody answered → too few to say, n 0
    delightful: no target set
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.utils import timezone
from scipy import stats

from ideas.models import Enrolment, PilotState
from ideas.selectors.account_pilots import account_pilots
from ideas.selectors.calibration import (
    Verdict,
    account_expectation_drift,
    account_people_perception,
    pilot_calibration,
    pilot_calibration_table,
)
from ideas.selectors.instrument import instrument_current
from ideas.services.instrument import instrument_dimension_update
from tests.accounts.factories import AccountFactory, customer
from tests.ideas.factories import PilotFactory, feedback_response, running_pilot

pytestmark = pytest.mark.django_db

TARGETS = {"useful": "5.0", "usable": "5.5", "speed": "4.0", "trust": "6.0"}


def _targets_set(pilot, targets: dict[str, str]) -> None:
    for key, target in targets.items():
        dimension = instrument_current(pilot=pilot).dimensions.get(key=key)
        instrument_dimension_update(dimension=dimension, target=Decimal(target))


def _t_interval(values: list[int]) -> tuple[float, float]:
    """The 95% t-interval of the mean, by scipy (not the product's statistics)."""
    mean = sum(values) / len(values)
    return stats.t.interval(0.95, len(values) - 1, loc=mean, scale=stats.sem(values))


def _two(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@pytest.fixture
def calibrated_pilot(db):
    acme = AccountFactory(name="Acme", slug="acme-calibration")
    pilot = running_pilot(accounts=[acme], what_to_expect="Sync in seconds, never lose a job.")
    _targets_set(pilot, TARGETS)
    expectation, _, final = pilot.check_ins.order_by("position")
    expected = [
        {"useful": 6, "usable": 5, "speed": 6},
        {"useful": 6, "usable": 4, "speed": 6},
        {"useful": 5, "usable": 5, "speed": 5},
        {"useful": 6, "usable": 6, "speed": 5},
        {"useful": 7, "usable": 5},
        {"useful": 5, "usable": 5},
    ]
    experienced = [
        {"useful": 5, "usable": 4},
        {"useful": 4, "usable": 5},
        {"useful": 5, "usable": 6},
        {"useful": 6},
        {"useful": 5},
        None,
    ]
    for i, (before, after) in enumerate(zip(expected, experienced, strict=True)):
        enrolment = Enrolment.objects.create(
            pilot=pilot, user=customer(acme, first_name=f"M{i}"), account=acme
        )
        feedback_response(enrolment, expectation, expected=before)
        if i == 0:  # an expectation given after the trial does not count
            feedback_response(enrolment, final, experienced=after, expected={"useful": 1})
        elif after:
            feedback_response(enrolment, final, experienced=after)
    return pilot


def test_the_calibration_table_shows_targets_means_and_verdicts_computed_by_hand(
    calibrated_pilot,
):
    calibration = pilot_calibration(pilot=calibrated_pilot)

    assert calibration.promise == "Sync in seconds, never lose a job."
    by_key = {d.key: d for d in calibration.dimensions}
    assert list(by_key) == ["useful", "usable", "delightful", "speed", "trust"]
    useful, usable = by_key["useful"], by_key["usable"]
    assert useful.target == Decimal("5.0")
    assert (useful.expected.mean, useful.expected.n) == (Decimal("5.83"), 6)
    assert (useful.experienced.mean, useful.experienced.n) == (Decimal("5.00"), 5)
    assert useful.expected_over_target == Decimal("0.83")
    assert useful.experienced_over_target == Decimal("0.00")
    assert useful.verdict == Verdict.ABOVE_TARGET
    assert (usable.expected.mean, usable.expected.n) == (Decimal("5.00"), 6)
    assert usable.expected_over_target == Decimal("-0.50")
    assert usable.verdict == Verdict.WITHIN_TARGET
    assert (usable.experienced.mean, usable.experienced.n) == (None, 3)  # too few to say
    assert usable.experienced_over_target is None
    assert [d.key for d in calibration.flagged] == ["useful"]


def test_under_the_minimum_the_calibration_says_too_few_and_gives_no_number(calibrated_pilot):
    by_key = {d.key: d for d in pilot_calibration(pilot=calibrated_pilot).dimensions}

    speed, trust, delightful = by_key["speed"], by_key["trust"], by_key["delightful"]
    assert (speed.expected.n, speed.expected.mean, speed.expected.interval) == (4, None, None)
    assert speed.expected.too_few
    assert speed.verdict == Verdict.TOO_FEW
    assert speed.expected_over_target is None
    assert (trust.expected.n, trust.verdict) == (0, Verdict.TOO_FEW)
    assert (delightful.target, delightful.verdict) == (None, Verdict.NO_TARGET)
    assert (delightful.expected.n, delightful.expected.mean) == (0, None)


def test_the_intervals_equal_scipys_student_t_interval(calibrated_pilot):
    by_key = {d.key: d for d in pilot_calibration(pilot=calibrated_pilot).dimensions}

    low, high = _t_interval([6, 6, 5, 6, 7, 5])
    interval = by_key["useful"].expected.interval
    assert (interval.low, interval.high) == (_two(low), _two(high))
    low, high = _t_interval([5, 4, 5, 6, 5])
    interval = by_key["useful"].experienced.interval
    assert (interval.low, interval.high) == (_two(low), _two(high))


def test_the_calibration_csv_rows_carry_the_same_values(calibrated_pilot):
    calibration = pilot_calibration(pilot=calibrated_pilot)

    rows = {row[0]: row for row in pilot_calibration_table(calibration=calibration)}

    useful = rows["useful"]
    assert useful[:5] == ["useful", "Useful", Decimal("5.0"), Decimal("5.83"), 6]
    assert useful[-4:] == [
        Decimal("0.83"),
        Decimal("0.00"),
        "above_target",
        "The promise lifted expectations above the target",
    ]
    assert rows["speed"][3:5] == [None, 4]
    assert rows["speed"][-2] == "too_few"


# --- An account's expectation drift over three pilots ---------------------------------------

# Acme's members' expectations (the account has seven members; each pilot asks some of them).
# The pilots were made in the order late, early, middle: drift follows their first days.
#
#   pilot (first day)     useful                       usable
#   early (300 days ago)  4 4 5 4 4   → 21/5 = 4.20     5 5 5 5 6 → 26/5 = 5.20
#   middle (200)          5 5 6 5 4 6 → 31/6 = 5.17     5 6 7     → n 3: too few to say
#                         change 31/6 − 21/5 = 29/30 → 0.97
#   late (100)            6 6 5 7 6   → 30/5 = 6.00     4 5 4 4 5 → 22/5 = 4.40
#                         change 6 − 31/6 = 5/6 → 0.83  change from early: −0.80
#   drift (early → late)  6 − 4.2 = 1.80                −0.80
#
# Globex's members answer the same pilots (all 1s): they never count towards Acme's.
EARLY = {"useful": [4, 4, 5, 4, 4], "usable": [5, 5, 5, 5, 6]}
MIDDLE = {"useful": [5, 5, 6, 5, 4, 6], "usable": [5, 6, 7]}
LATE = {"useful": [6, 6, 5, 7, 6], "usable": [4, 5, 4, 4, 5]}


def _pilot_answered(title, days_ago, acme, globex, members, ratings) -> object:
    today = timezone.localdate()
    pilot = PilotFactory(
        accounts=[acme, globex],
        title=title,
        state=PilotState.CLOSED,
        recruiting_opens=today - dt.timedelta(days=days_ago + 14),
        runs_from=today - dt.timedelta(days=days_ago),
        runs_until=today - dt.timedelta(days=days_ago - 28),
    )
    expectation = pilot.check_ins.order_by("position").first()
    for i, member in enumerate(members):
        answers = {key: values[i] for key, values in ratings.items() if i < len(values)}
        enrolment = Enrolment.objects.create(pilot=pilot, user=member, account=acme)
        feedback_response(enrolment, expectation, expected=answers)
    outsider = Enrolment.objects.create(pilot=pilot, user=customer(globex), account=globex)
    feedback_response(outsider, expectation, expected={"useful": 1, "usable": 1})
    return pilot


@pytest.fixture
def acme_over_three_pilots(db):
    acme = AccountFactory(name="Acme", slug="acme-drift")
    globex = AccountFactory(name="Globex", slug="globex-drift")
    members = [customer(acme, first_name=f"A{i}") for i in range(7)]
    late = _pilot_answered("Late", 100, acme, globex, members[1:6], LATE)
    early = _pilot_answered("Early", 300, acme, globex, members[:5], EARLY)
    middle = _pilot_answered("Middle", 200, acme, globex, members[:6], MIDDLE)
    return acme, early, middle, late


def _welch(before: list[int], after: list[int]) -> tuple[float, float]:
    """Welch's 95% interval of mean(after) − mean(before), written out with scipy's t."""
    va, vb = stats.tvar(after) / len(after), stats.tvar(before) / len(before)
    df = (va + vb) ** 2 / (va**2 / (len(after) - 1) + vb**2 / (len(before) - 1))
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    diff = sum(after) / len(after) - sum(before) / len(before)
    return diff - half, diff + half


def test_drift_follows_the_pilots_first_days_and_changes_are_computed_by_hand(
    acme_over_three_pilots,
):
    acme, early, middle, late = acme_over_three_pilots

    drift = account_expectation_drift(account=acme)

    assert [p.pk for p in drift.pilots] == [early.pk, middle.pk, late.pk]
    useful, usable = drift.dimensions[:2]
    assert (useful.key, usable.key) == ("useful", "usable")
    assert [(p.expected.mean, p.expected.n) for p in useful.points] == [
        (Decimal("4.20"), 5),
        (Decimal("5.17"), 6),
        (Decimal("6.00"), 5),
    ]
    assert [p.change for p in useful.points] == [None, Decimal("0.97"), Decimal("0.83")]
    assert useful.drift == Decimal("1.80")
    assert [(p.expected.mean, p.expected.n) for p in usable.points] == [
        (Decimal("5.20"), 5),
        (None, 3),  # too few to say: takes no part in a change
        (Decimal("4.40"), 5),
    ]
    assert [p.change for p in usable.points] == [None, None, Decimal("-0.80")]
    assert usable.drift == Decimal("-0.80")
    assert not useful.too_few and not usable.too_few


def test_the_drift_intervals_equal_welchs_interval_written_out(acme_over_three_pilots):
    acme, *_ = acme_over_three_pilots

    useful, usable = account_expectation_drift(account=acme).dimensions[:2]

    low, high = _welch(EARLY["useful"], MIDDLE["useful"])
    assert useful.points[1].change_interval.low == _two(low)
    assert useful.points[1].change_interval.high == _two(high)
    low, high = _welch(EARLY["useful"], LATE["useful"])
    assert (useful.drift_interval.low, useful.drift_interval.high) == (_two(low), _two(high))
    low, high = _welch(EARLY["usable"], LATE["usable"])
    assert (usable.drift_interval.low, usable.drift_interval.high) == (_two(low), _two(high))


def test_an_account_with_one_counted_pilot_has_no_drift_to_speak_of(db):
    acme = AccountFactory(name="Acme", slug="acme-one")
    globex = AccountFactory(name="Globex", slug="globex-one")
    members = [customer(acme) for _ in range(5)]
    _pilot_answered("Only", 50, acme, globex, members, {"useful": [5, 5, 6, 6, 7]})
    _pilot_answered("Small", 20, acme, globex, members[:2], {"useful": [7, 7]})

    [useful] = account_expectation_drift(account=acme).dimensions

    assert useful.too_few
    assert useful.drift is None
    assert [p.change for p in useful.points] == [None, None]
    assert account_expectation_drift(account=AccountFactory()).pilots == []


def test_the_pilots_fragment_reads_the_drift_from_its_own_rows_with_the_same_result(
    acme_over_three_pilots, django_assert_num_queries
):
    """The account's pilots fragment reads its members' answers once for the pilots' figures
    and the drift, and gives the drift the pilots it read: the same drift and figures as each
    read alone."""
    acme, early, middle, late = acme_over_three_pilots
    alone = account_expectation_drift(account=acme)
    rows_alone = account_pilots(account=acme, perception=True)

    people = account_people_perception(account=acme)
    # 1 the pilots with the account's enrolment counts, 2 their check-ins, 3 the submitted
    # responses (the perception answers are given)
    with django_assert_num_queries(3):
        rows = account_pilots(account=acme, perception=True, people=people)
    with django_assert_num_queries(1):  # the dimension labels: the pilots are the rows'
        shared = account_expectation_drift(
            account=acme, people=people, pilots_read=[row.pilot for row in rows]
        )

    assert rows == rows_alone
    assert shared == alone
    assert [p.pk for p in shared.pilots] == [early.pk, middle.pk, late.pk]
    # Pilots the caller did not read are read, not left out.
    assert account_expectation_drift(account=acme, people=people, pilots_read=[late]) == alone
