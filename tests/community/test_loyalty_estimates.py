"""The estimates of loyalty over time (community/survival.py), against a published reference
and against computations written here by hand, with no product code:

- the Cox model on lifelines' own copy of the Rossi recidivism data reproduces the published
  coefficients and standard errors (Fox & Weisberg, "Cox proportional-hazards regression for
  survival data", appendix to An R Companion to Applied Regression; R's coxph, Efron's ties);
- on a small hand-built panel whose covariate changes over time, the coefficient and its
  standard error are those that maximise the partial likelihood written out below;
- the Kaplan–Meier curve of rows that join late is the product-limit estimate computed by hand,
  with the exponential Greenwood interval of the textbook.
"""

from __future__ import annotations

import math

import pytest
from lifelines.datasets import load_rossi

from community.statistics import Z_975
from community.survival import RiskSet, cox_time_varying, kaplan_meier
from tests.community.reference_survival import cox_by_hand

# --- Cox on the Rossi data ----------------------------------------------------------------

# coxph(Surv(week, arrest) ~ fin + age + race + wexp + mar + paro + prio, data = Rossi)
PUBLISHED = {
    "fin": (-0.37942, 0.19138),
    "age": (-0.05744, 0.02200),
    "race": (0.31390, 0.30799),
    "wexp": (-0.14980, 0.21222),
    "mar": (-0.43370, 0.38187),
    "paro": (-0.08487, 0.19576),
    "prio": (0.09150, 0.02865),
}


def test_cox_reproduces_the_published_rossi_coefficients_and_standard_errors():
    rossi = load_rossi()
    frame = rossi.assign(id=range(len(rossi)), start=0).rename(columns={"week": "stop"})

    fit = cox_time_varying(
        frame, id_col="id", start_col="start", stop_col="stop", event_col="arrest"
    )

    assert fit.converged
    assert set(fit.terms) == set(PUBLISHED)
    for name, (coef, se) in PUBLISHED.items():
        assert fit.terms[name].coef == pytest.approx(coef, abs=5e-5), name
        assert fit.terms[name].se == pytest.approx(se, abs=5e-5), name
    fin = fit.terms["fin"]
    assert fin.hazard_ratio == pytest.approx(0.68426, abs=5e-5)  # exp(coef), as published
    assert (fin.low, fin.high) == pytest.approx(
        (math.exp(-0.37942 - Z_975 * 0.19138), math.exp(-0.37942 + Z_975 * 0.19138)), abs=1e-4
    )


def test_splitting_a_subject_into_stretches_with_the_same_covariates_changes_nothing():
    import pandas as pd

    rossi = load_rossi()
    whole = rossi.assign(id=range(len(rossi)), start=0).rename(columns={"week": "stop"})
    # every subject observed past week 20 as two rows, (0, 20] censored and (20, week]
    early = whole[whole.stop > 20].assign(stop=20, arrest=0)
    late = whole[whole.stop > 20].assign(start=20)
    split = pd.concat([whole[whole.stop <= 20], early, late], ignore_index=True)

    kwargs = {"id_col": "id", "start_col": "start", "stop_col": "stop", "event_col": "arrest"}
    one, two = cox_time_varying(whole, **kwargs), cox_time_varying(split, **kwargs)

    for name in PUBLISHED:
        assert two.terms[name].coef == pytest.approx(one.terms[name].coef, abs=1e-7)
        assert two.terms[name].se == pytest.approx(one.terms[name].se, abs=1e-7)


# --- Cox with a covariate that changes over time -------------------------------------------

# (subject, start, stop, event, x): x changes for subjects 1, 3 and 5; no two events share a day
PANEL = [
    (1, 0, 4, 0, 0),
    (1, 4, 9, 1, 1),
    (2, 0, 3, 1, 0),
    (3, 0, 5, 0, 1),
    (3, 5, 12, 1, 0),
    (4, 0, 7, 1, 1),
    (5, 0, 2, 0, 0),
    (5, 2, 11, 0, 1),
    (6, 0, 6, 1, 0),
    (7, 0, 8, 0, 1),
    (8, 0, 10, 1, 1),
]


def test_cox_with_a_time_varying_covariate_maximises_the_partial_likelihood_by_hand():
    import pandas as pd

    frame = pd.DataFrame(PANEL, columns=["subject", "start", "stop", "event", "x"])
    coef, se = cox_by_hand([(start, stop, bool(event), x) for _, start, stop, event, x in PANEL])

    fit = cox_time_varying(
        frame, id_col="subject", start_col="start", stop_col="stop", event_col="event"
    )

    assert fit.converged
    assert fit.terms["x"].coef == pytest.approx(coef, abs=1e-5)
    assert fit.terms["x"].se == pytest.approx(se, abs=1e-4)
    assert 0.05 < abs(coef) < 4  # not a degenerate panel: x matters, in a finite way


def test_a_covariate_that_separates_the_events_is_no_fit():
    import pandas as pd

    # every event while x = 1, every censoring while x = 0: the coefficient runs to infinity
    rows = [(i, 0, 5 + i, 1, 1) for i in range(4)] + [(9 + i, 0, 20, 0, 0) for i in range(4)]
    frame = pd.DataFrame(rows, columns=["subject", "start", "stop", "event", "x"])

    fit = cox_time_varying(
        frame, id_col="subject", start_col="start", stop_col="stop", event_col="event"
    )

    assert not fit.converged
    assert fit.terms == {}


# --- Kaplan–Meier with late entry ------------------------------------------------------------

# (start, stop, event): D joins on day 2, E on day 4; C and D have their event on the same day
ROWS = [(0, 3, True), (0, 5, False), (0, 6, True), (2, 6, True), (4, 8, False), (0, 10, True)]


def _greenwood_exponential(survival: float, greenwood: float) -> tuple[float, float]:
    """The textbook 95% interval on the log(−log) scale: S^exp(±z·√(Σ d/(n(n−d))) / |log S|)."""
    spread = Z_975 * math.sqrt(greenwood) / abs(math.log(survival))
    return survival ** math.exp(spread), survival ** math.exp(-spread)


def test_kaplan_meier_with_late_entry_is_the_product_limit_by_hand():
    starts, stops, events = zip(*ROWS, strict=True)

    km = kaplan_meier(starts=starts, stops=stops, events=events)

    # day 1: A, B, C, F at risk (D joins on day 2)
    # day 3: at risk A, B, C, D (joined day 2; not E, who joins day 4) and F: 5, one event
    # day 6: C, D, E, F (A ended day 3, B day 5): 4 at risk, two events
    # day 10: F alone, one event
    assert [(p.day, p.at_risk) for p in km.points] == [(0, 4), (3, 5), (6, 4), (10, 1)]
    s3, s6 = 1 - 1 / 5, (1 - 1 / 5) * (1 - 2 / 4)
    assert [p.survival for p in km.points] == pytest.approx([1, s3, s6, 0])
    greenwood3 = 1 / (5 * 4)
    greenwood6 = greenwood3 + 2 / (4 * 2)
    assert (km.points[1].low, km.points[1].high) == pytest.approx(
        _greenwood_exponential(s3, greenwood3), abs=1e-9
    )
    assert (km.points[2].low, km.points[2].high) == pytest.approx(
        _greenwood_exponential(s6, greenwood6), abs=1e-9
    )
    assert km.at(5).survival == pytest.approx(s3)  # a step function: flat between events
    assert km.at(9).survival == pytest.approx(s6)


def test_a_row_that_joins_on_an_event_day_is_not_at_risk_on_it():
    # B joins on day 4, the day A has its event: A and C are at risk then, not B (with B the
    # first step would be 1 − 1/3)
    km = kaplan_meier(starts=[0, 4, 0], stops=[4, 9, 9], events=[True, True, False])

    assert [(p.day, p.at_risk) for p in km.points] == [(0, 2), (4, 2), (9, 2)]
    assert [p.survival for p in km.points] == pytest.approx([1, 1 / 2, 1 / 4])


def test_the_risk_set_counts_rows_with_start_before_and_stop_on_or_after_the_day():
    risk = RiskSet(starts=[0, 2, 4], stops=[3, 6, 8])

    assert [risk.on(day) for day in range(0, 10)] == [0, 1, 1, 2, 1, 2, 2, 1, 1, 0]
