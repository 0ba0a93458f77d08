"""Demo data of recognition (called by seed_demo last, once ideas, pilots, discussions and
harvests exist): the milestones everyone reached in the demo's history, awarded as the nightly
run would. They are history, so no one is told (no "You earned a badge" flood in the demo's
bells); a badge earned from then on is told as usual."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from community.services.recognition import milestones_award


@dataclass(frozen=True)
class DemoRecognition:
    milestones: int
    people: int
    by_kind: dict[str, int]


def demo_recognition_build() -> DemoRecognition:
    awarded = milestones_award(tell=False)
    return DemoRecognition(
        milestones=len(awarded),
        people=len({m.user_id for m in awarded}),
        by_kind=dict(Counter(m.kind for m in awarded)),
    )
