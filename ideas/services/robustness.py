"""Bad times the ideas app records for an account (docs/product.md, "Robustness after bad
times"), through community's service (community never imports ideas): one of its ideas
declined, and a pilot that fell short of its expectations (its gap below 0).

Every function here may run twice, or for a bad time already recorded: it adds what is missing
(`community.services.robustness.bad_times_ensure`: one bad time per account, kind and
reference, `idea:<id>` or `pilot:<id>`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from community.models import BadTimeKind
from community.services.robustness import BadTimeRow, bad_times_ensure
from ideas.models import Idea, Pilot, PilotState
from ideas.selectors.perception import pooled_shown
from ideas.selectors.robustness import ideas_declined_days, pilots_fallen_short


def idea_reference(idea: Idea) -> str:
    return f"idea:{idea.pk}"


def pilot_reference(pilot: Pilot) -> str:
    return f"pilot:{pilot.pk}"


def idea_declined_bad_time(*, idea: Idea, day: dt.date | None = None) -> int:
    """The author's account had one of its ideas declined (on `day`, default today); nothing
    for an idea no customer account proposed. Returns how many bad times were added (0 or 1)."""
    if idea.author_account_id is None:
        return 0
    row = BadTimeRow(
        account_id=idea.author_account_id,
        kind=BadTimeKind.IDEA_DECLINED,
        reference=idea_reference(idea),
        occurred_on=day or timezone.localdate(),
        note=f"Idea declined: {idea.title}"[:2000],
    )
    return bad_times_ensure(rows=[row])


def pilot_gap_bad_times(*, pilots: Iterable[Pilot]) -> int:
    """A bad time, dated the pilot's last day (today, when it closed earlier), for every account
    whose gap in one of `pilots` (closed ones: the caller's to say) is below 0. Returns how many
    were added."""
    today = timezone.localdate()
    rows = [
        BadTimeRow(
            account_id=account_id,
            kind=BadTimeKind.PILOT_GAP,
            reference=pilot_reference(pilot),
            occurred_on=min(pilot.runs_until, today),
            note=f"Pilot {pilot.title}: gap {pooled_shown(gap)} (experienced − expected)",
        )
        for pilot, account_id, gap in pilots_fallen_short(pilots=pilots)
    ]
    return bad_times_ensure(rows=rows)


def bad_times_backfill() -> tuple[int, int]:
    """The bad times of what happened before they were recorded: every idea ever declined (on
    its first decline's day) and every closed pilot that fell short for an account. Returns
    (ideas' bad times added, pilots' bad times added); a second run adds none."""
    ideas = sum(idea_declined_bad_time(idea=idea, day=day) for idea, day in ideas_declined_days())
    closed = Pilot.objects.filter(state=PilotState.CLOSED).order_by("pk")
    return ideas, pilot_gap_bad_times(pilots=closed)
