"""Why an account's level stands where it does (`level_hold`: kept by the hysteresis although
the score is under its threshold) and why its score moved since its previous snapshot: how
much ageing alone did (the same events, a day older, the windows a day further on) and how much
the events recorded since then did. The account page says it in one line ("Since 4 Dec: −0.4
from ageing, +9.1 from 3 new events"), so that a score that moves between two page loads moves
for a visible reason.

Definition (docs/product.md, "Why the score moved"): with the latest snapshot of day D and the
previous one of day P, the *aged* score is the score of D computed (same formula, D's version)
from the events before the end of P only. Ageing = aged − score(P); new events = score(D) −
aged; both add up to the change shown. The events counted are the customer events dated after
P, up to the end of D, that were recorded by the time D's snapshot was computed (later ones
are not in its score yet).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from accounts.formats import format_date
from community.models import ActivityEvent, EngagementLevel, EngagementModel, EngagementSnapshot
from community.selectors.engagement_figures import components_for, day_end, figures_for_accounts


@dataclass(frozen=True)
class ScoreChange:
    since: EngagementSnapshot  # the previous snapshot
    ageing: Decimal
    new_events: Decimal
    events: int  # customer events dated after `since.day`
    model_changed: bool

    @property
    def total(self) -> Decimal:
        return self.ageing + self.new_events

    @property
    def sentence(self) -> str:
        ageing = "the new model version and ageing" if self.model_changed else "ageing"
        events = f"{self.events} new event{'' if self.events == 1 else 's'}"
        return (
            f"Since {format_date(self.since.day)}: {_signed(self.ageing)} from {ageing}, "
            f"{_signed(self.new_events)} from {events}."
        )


def _signed(value: Decimal) -> str:
    return f"{'+' if value >= 0 else '−'}{abs(value):.1f}"


_UNREAD = object()


def score_change(
    *,
    latest: EngagementSnapshot | None,
    before: EngagementSnapshot | None | object = _UNREAD,
    model: EngagementModel | None | object = _UNREAD,
) -> ScoreChange | None:
    """How the score of `latest` came from the account's snapshot before it (None for a first
    snapshot). Four queries: the previous snapshot, the model version that computed `latest`,
    the aged figures, the events counted; a caller that read the first two already passes them
    (`before`: the snapshot just before `latest`, None if there is none; `model`: the version
    named by `latest.model_version`, None if it is gone)."""
    if latest is None:
        return None
    previous = (
        before
        if before is not _UNREAD
        else EngagementSnapshot.objects.filter(account_id=latest.account_id, day__lt=latest.day)
        .order_by("-day")
        .first()
    )
    if previous is None:
        return None
    if model is _UNREAD:
        model = EngagementModel.objects.filter(version=latest.model_version).first()
    if model is None:
        return None
    since = day_end(previous.day)
    figures = figures_for_accounts(
        account_ids=[latest.account_id], day=latest.day, model=model, events_before=since
    )
    aged = components_for(figures[0], model=model).score
    events = ActivityEvent.objects.filter(  # the events the snapshot counted, no later ones
        account_id=latest.account_id,
        is_support=False,
        occurred_at__gte=since,
        occurred_at__lt=day_end(latest.day),
        created_at__lte=latest.computed_at,
    ).count()
    return ScoreChange(
        since=previous,
        ageing=aged - previous.score,
        new_events=latest.score - aged,
        events=events,
        model_changed=previous.model_version != latest.model_version,
    )


@dataclass(frozen=True)
class LevelHold:
    """A level kept by the hysteresis although the score is under its threshold."""

    label: str
    threshold: float  # the score at which the level starts
    low_water: float  # below this the level drops, once it has held `hold_days`
    hold_days: int
    since: dt.date  # the first day at this level


def level_hold(snapshot: EngagementSnapshot, model: EngagementModel | None) -> LevelHold | None:
    """Why the level stands above what the score alone reaches, if it does."""
    if model is None:
        return None
    rank = EngagementLevel.rank(snapshot.level)
    threshold = model.thresholds[rank]
    if float(snapshot.score) >= threshold:
        return None
    return LevelHold(
        label=EngagementLevel(snapshot.level).label,
        threshold=threshold,
        low_water=round(model.low_water_ratio * threshold, 1),
        hold_days=model.hold_days,
        since=snapshot.level_since or snapshot.day,
    )
