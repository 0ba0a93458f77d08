"""What the ideas app knows of an account's bad times (docs/product.md, "Robustness after bad
times"): the pilots that fell short of an account's expectations, and the ideas declined.

An account-pilot's gap is the one of perception next to outcomes (ideas.selectors.perception,
`PooledPerception.gap_mean`: the mean of experienced − expected over every member of the
account and dimension rated both ways); a pilot fell short for the account when that gap is
below 0. An account without a paired rating has no gap and no bad time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Min
from django.utils import timezone

from ideas.models import Idea, IdeaStatus, IdeaTransition, Pilot
from ideas.selectors.perception import PooledPerception, people_perception


def pilot_account_gaps(*, pilot_ids: Iterable[int]) -> dict[tuple[int, int], float]:
    """(pilot id, account id) → the account's gap in the pilot, for every account of those
    pilots with at least one paired rating. One query."""
    pooled: dict[tuple[int, int], PooledPerception] = {}
    people = people_perception(
        by=("response__enrolment__pilot_id", "response__enrolment__account_id"),
        response__enrolment__pilot_id__in=list(pilot_ids),
    )
    for (_, pilot_id, account_id), person in people.items():
        pooled.setdefault((pilot_id, account_id), PooledPerception()).add(person)
    return {key: p.gap_mean for key, p in pooled.items() if p.gap_mean is not None}


def pilots_fallen_short(*, pilots: Iterable[Pilot]) -> list[tuple[Pilot, int, float]]:
    """(pilot, account id, gap) for every account whose gap in one of `pilots` is below 0."""
    by_id = {pilot.pk: pilot for pilot in pilots}
    gaps = pilot_account_gaps(pilot_ids=by_id)
    return [
        (by_id[pilot_id], account_id, gap)
        for (pilot_id, account_id), gap in sorted(gaps.items())
        if gap < 0
    ]


def ideas_declined_days() -> list[tuple[Idea, dt.date]]:
    """Every idea of a customer account that was ever declined, with the day of its first
    decline (for the backfill of bad times)."""
    firsts = dict(
        IdeaTransition.objects.filter(to_status=IdeaStatus.DECLINED)
        .values("idea_id")
        .annotate(first=Min("created_at"))
        .values_list("idea_id", "first")
    )
    ideas = Idea.objects.filter(pk__in=firsts, author_account__isnull=False).order_by("pk")
    return [(idea, timezone.localdate(firsts[idea.pk])) for idea in ideas]
