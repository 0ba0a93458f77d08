"""Expectation calibration in the demo (docs/product.md, "Expectation calibration"): the
product team's target experience on each demo pilot's dimensions, set in the instrument
designer (`instrument_dimension_update`) as the pilot is created, a draft nobody has answered.

The targets tell the story with the pilots' feel (demo/data/catalogue.py):

- the set-up wizard promised "an admin can finish in about two hours": usability expectations
  (about 5.2) rose above the 4.5 the team aimed for, and its experience came in at the target,
  below what participants expected (flagged, closed);
- offline mode promised that sync "usually finishes within a few minutes": speed expectations
  (about 6.1) are above the target of 5 while the pilot still runs (flagged before anyone's
  experience is in);
- the status page promised an SMS "within ten minutes": the same story, but four participants
  are too few to say;
- the benchmark is recruiting: targets set, no expectations yet.

An account's expectation drift across its pilots has a story of its own, in two trials with
targets of their own: demo/data/expectation_drift.py.
"""

from __future__ import annotations

from decimal import Decimal

from ideas.models import Pilot
from ideas.selectors.instrument import instrument_current
from ideas.services.instrument import instrument_dimension_update

# Pilot key (demo/data/catalogue.py PILOTS) → dimension key → target experience (1–7).
DEMO_TARGETS: dict[str, dict[str, str]] = {
    "wizard": {
        "useful": "6.0",
        "usable": "4.5",
        "delightful": "5.0",
        "speed": "5.5",
        "trust": "6.0",
    },
    "offline": {
        "useful": "6.5",
        "usable": "6.0",
        "delightful": "5.0",
        "speed": "5.0",
        "trust": "6.5",
    },
    "benchmark": {"useful": "5.5", "usable": "5.0", "trust": "6.0"},
    "status": {"useful": "6.5", "usable": "6.5", "speed": "5.0", "trust": "6.5"},
}


def demo_targets_set(*, pilot: Pilot, key: str) -> None:
    """Set the demo pilot `key`'s targets, as its product manager does in the designer."""
    targets = DEMO_TARGETS.get(key, {})
    for dimension in instrument_current(pilot=pilot).dimensions.order_by("position"):
        if dimension.key in targets:
            instrument_dimension_update(dimension=dimension, target=Decimal(targets[dimension.key]))
