"""Reads of the engagement model: the active version, the versions for the settings page, and a
draft and what it would do (the preview), without writing anything.

The settings page (community:engagement-model) lets a programme admin change the numbers of the
model; before activating them, the preview computes every account's level under the draft with
the engine's own per-chunk aggregate (`figures_for_accounts`, one query per chunk) and the same
hysteresis as a recompute of today, and compares it with the account's latest snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Account
from community.models import (
    EngagementLevel,
    EngagementModel,
    EngagementSnapshot,
)
from community.models.engagement import MODEL_FIELDS
from community.selectors.engagement_figures import chunks_of, figures_for_accounts, snapshots_for
from config.sql_once import KeptRows, SqlOnce


def engagement_model_active() -> EngagementModel:
    """The version every computation uses now (EngagementModel.objects.active)."""
    return EngagementModel.objects.active()


NOT_COMPUTED = ""  # the "from" level of an account without a snapshot yet


def engagement_model_draft(**values) -> EngagementModel:
    """An unsaved version: the active version's numbers with `values` changed, validated as
    `engagement_model_create` validates (ValidationError with field errors)."""
    unknown = set(values) - set(MODEL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown engagement model fields: {', '.join(sorted(unknown))}")
    base = engagement_model_active()
    draft = EngagementModel(**{name: getattr(base, name) for name in MODEL_FIELDS})
    for name, value in values.items():
        setattr(draft, name, value)
    draft.version = base.version + 1  # for display only; the service numbers the saved row
    draft.full_clean(exclude=["version", "is_active"])
    return draft


@dataclass
class LevelChange:
    from_level: str  # NOT_COMPUTED for an account without a snapshot
    to_level: str
    accounts: int

    @property
    def from_label(self) -> str:
        return _label(self.from_level)

    @property
    def to_label(self) -> str:
        return _label(self.to_level)


@dataclass
class EngagementPreview:
    day: dt.date
    accounts: int = 0
    changed: int = 0
    changes: list[LevelChange] = field(default_factory=list)  # from → to, changed ones only


def _label(level: str) -> str:
    return EngagementLevel(level).label if level in EngagementLevel.values else "Not computed"


def _latest_levels(account_ids: list[int]) -> dict[int, str]:
    """Each account's level in its latest snapshot (one query)."""
    latest = EngagementSnapshot.objects.filter(account=OuterRef("pk")).order_by("-day")
    rows = (
        Account.objects.filter(pk__in=account_ids)
        .annotate(latest_level=Subquery(latest.values("level")[:1]))
        .values_list("pk", "latest_level")
    )
    return {pk: level or NOT_COMPUTED for pk, level in rows}


def engagement_preview(
    *, model: EngagementModel, day: dt.date | None = None, size: int | None = None
) -> EngagementPreview:
    """How many accounts would change level under `model` (a draft) on `day` (default today)
    compared with their latest snapshot. Reads only: two queries per chunk of accounts."""
    day = day or timezone.localdate()
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    counts: Counter[tuple[str, str]] = Counter()
    for chunk in chunks_of(ids, size=size):
        before = _latest_levels(chunk)
        figures = figures_for_accounts(account_ids=chunk, day=day, model=model)
        for snapshot in snapshots_for(figures, day=day, model=model):
            old = before.get(snapshot.account_id, NOT_COMPUTED)
            if old != snapshot.level:
                counts[(old, snapshot.level)] += 1
    order = [NOT_COMPUTED, *EngagementLevel.values]
    changes = [
        LevelChange(from_level=old, to_level=new, accounts=n)
        for (old, new), n in sorted(
            counts.items(), key=lambda item: (order.index(item[0][0]), order.index(item[0][1]))
        )
    ]
    return EngagementPreview(
        day=day, accounts=len(ids), changed=sum(counts.values()), changes=changes
    )


def engagement_model_versions() -> QuerySet[EngagementModel]:
    """Every version, newest first, with who made it."""
    return EngagementModel.objects.select_related("created_by").order_by("-version")


_VERSIONS = SqlOnce(EngagementModel, engagement_model_versions)


def engagement_model_version_rows() -> KeptRows:
    """engagement_model_versions, a page at a time (its SQL kept: config.sql_once)."""
    return _VERSIONS.rows()
