"""Holding a pilot's results (ideas.selectors.results.pilot_results) against the reference of
tests/ideas/reference_results.py: the product's result groups put in the reference's shape, and
every figure compared (a standard deviation and an interval's ends within a hair of a half may
round either way, since two correct float computations may land on either side)."""

from __future__ import annotations

import math
from decimal import Decimal

from ideas.models import Pilot
from tests.ideas.reference_results import half_up


def rounds_to(shown: Decimal | None, exact: float | None) -> bool:
    """Whether `shown` is `exact` (a float: a standard deviation, an interval's end) to 2
    decimals, halves up; within a hair of a half either neighbour will do, since two correct
    float computations may land on either side."""
    if exact is None or shown is None:
        return exact is None and shown is None
    cents = exact * 100
    if abs(cents - math.floor(cents) - 0.5) < 1e-6:
        return abs(float(shown) - exact) <= 0.005 + 1e-9
    return shown == half_up(exact, 2)


def _product_group(group, positions: dict[int, int]) -> dict:
    """A ResultGroup in the reference's shape (standard deviation and interval apart)."""
    dimensions = {
        d.key: {
            "expected": (d.expected_mean, d.expected_n),
            "experienced": (d.experienced_mean, d.experienced_n),
            "gap": (d.gap_mean, d.paired_n),
            "met": (d.met_count, d.met_percent),
            "sacrifice": (d.sacrifice_mean, d.sacrifice_n),
            "perceived": (d.perceived_mean, d.perceived_n),
        }
        for d in group.dimensions
    }
    nps = group.nps
    return {
        "enrolled": group.enrolled,
        "respondents": group.respondents,
        "dimensions": dimensions,
        "nps": {
            "n": nps.n,
            "score": nps.score,
            "parts": (nps.promoters, nps.passives, nps.detractors),
            "percents": (nps.promoters_percent, nps.passives_percent, nps.detractors_percent),
            "distribution": nps.distribution,
        },
        "job_done": {c.key: (c.count, c.percent) for c in group.job_done.choices}
        | {"n": group.job_done.n},
        "adopt": (group.adopt.mean, group.adopt.n),
        "check_ins": [
            (positions[c.check_in_id], c.due, c.submitted, c.enrolled, c.percent)
            for c in group.check_ins
        ],
        "response_rate": (
            group.response_rate.answered,
            group.response_rate.due,
            group.response_rate.percent,
        ),
    }


def _without_floats(reference: dict) -> dict:
    dimensions = {
        key: {k: v for k, v in figures.items() if k not in ("sd", "interval")}
        for key, figures in reference["dimensions"].items()
    }
    return reference | {"dimensions": dimensions}


def assert_equal_to_reference(results, reference: dict[str, dict], pilot: Pilot) -> None:
    positions = dict(pilot.check_ins.values_list("pk", "position"))
    groups = [results.overall, *results.groups]
    assert [g.key for g in groups][0] == "overall"
    assert {g.key for g in groups} == set(reference)
    for group in groups:
        expected = reference[group.key]
        assert _product_group(group, positions) == _without_floats(expected), group.key
        for d in group.dimensions:
            figures = expected["dimensions"][d.key]
            interval = figures["interval"]
            assert rounds_to(d.gap_sd, figures["sd"]), (group.key, d.key)
            assert (d.gap_interval is None) == (interval is None), (group.key, d.key)
            if interval is not None:
                assert rounds_to(d.gap_interval.low, interval[0]), (group.key, d.key)
                assert rounds_to(d.gap_interval.high, interval[1]), (group.key, d.key)
        if group.key == "not_computed":
            assert group.label == "Level not known yet"
