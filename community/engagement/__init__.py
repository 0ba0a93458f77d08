"""The engagement engine: versions of the engagement model, and the recompute of snapshots.

Writes go through these functions (the Celery tasks, the admin and the demo call them):

- `engagement_model_active()` / `engagement_model_create(...)`: the versioned model;
- `engagement_snapshots_compute(account_ids=, day=)`: one chunk, one transaction, one
  aggregate query, one upsert;
- `engagement_run_start(kind=, day=)`: records a run and splits its accounts into chunks
  (full: every account; incremental: accounts with customer events recorded since the
  previous run started, with a small overlap for events committed late);
- `engagement_history_compute(days=)`: every day of the last `days`, in order (demo history).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import Account, User
from community.engagement.compute import figures_for_accounts, snapshots_for
from community.models import (
    ActivityEvent,
    EngagementModel,
    EngagementRun,
    EngagementRunKind,
    EngagementSnapshot,
)

_SNAPSHOT_FIELDS = [
    "score",
    "level",
    "level_since",
    "activity",
    "breadth",
    "co_creation",
    "model_version",
]

# Events committed a little after a run started may carry an earlier `created_at`: the
# incremental run looks back this far before the previous run's start (re-computing an
# account twice is harmless, missing one is not).
INCREMENTAL_OVERLAP = dt.timedelta(minutes=5)

# The fields a new version may set; everything else is bookkeeping.
MODEL_FIELDS = [
    "weights",
    "half_life_days",
    "window_days",
    "activity_scale",
    "breadth_window_days",
    "breadth_min_members",
    "breadth_share",
    "co_creation_window_days",
    "weight_activity",
    "weight_breadth",
    "weight_co_creation",
    "threshold_observing",
    "threshold_participating",
    "threshold_contributing",
    "threshold_co_creating",
    "low_water_ratio",
    "hold_days",
]


def chunk_size() -> int:
    return int(getattr(settings, "ENGAGEMENT_CHUNK_SIZE", 1000))


def engagement_model_active() -> EngagementModel:
    """The active version (version 1 with the defaults of docs/product.md is made by a
    migration; it is made again here should the table have been emptied)."""
    model = EngagementModel.objects.filter(is_active=True).first()
    if model is None:
        model, _ = EngagementModel.objects.get_or_create(
            version=1, defaults={"is_active": True, "note": "PRODUCT.md's defaults."}
        )
    return model


@transaction.atomic
def engagement_model_create(
    *, created_by: User | None, note: str = "", activate: bool = True, **values
) -> EngagementModel:
    """A new version: the active version's numbers with `values` changed. Validated (field
    errors raise ValidationError and write nothing); active at once unless `activate=False`
    (a draft to preview)."""
    unknown = set(values) - set(MODEL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown engagement model fields: {', '.join(sorted(unknown))}")
    engagement_model_active()  # version 1 exists
    # Lock the active version's row: two versions saved at once get numbered one after the
    # other.
    base = EngagementModel.objects.select_for_update().get(is_active=True)
    latest = EngagementModel.objects.aggregate(v=Max("version"))["v"] or 0
    model = EngagementModel(
        **{name: getattr(base, name) for name in MODEL_FIELDS},
        version=latest + 1,
        note=note,
        created_by=created_by,
    )
    for name, value in values.items():
        setattr(model, name, value)
    model.full_clean(exclude=["version", "is_active"])
    if activate:
        EngagementModel.objects.filter(is_active=True).update(is_active=False)
        model.is_active = True
    model.save()
    return model


@transaction.atomic
def engagement_snapshots_compute(
    *,
    account_ids: Sequence[int],
    day: dt.date | None = None,
    model: EngagementModel | None = None,
) -> int:
    """Compute and upsert one snapshot per account for `day` (default today): one aggregate
    query and one upsert, in one transaction, so a killed worker leaves the chunk untouched.
    Re-running gives the same rows."""
    day = day or timezone.localdate()
    model = model or engagement_model_active()
    figures = figures_for_accounts(account_ids=account_ids, day=day, model=model)
    snapshots = snapshots_for(figures, day=day, model=model)
    EngagementSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=_SNAPSHOT_FIELDS,
    )
    return len(snapshots)


def chunks_of(account_ids: Iterable[int], *, size: int | None = None) -> list[list[int]]:
    ids = sorted(set(account_ids))
    size = size or chunk_size()
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def accounts_changed_since(since: dt.datetime | None) -> list[int]:
    """Accounts with customer events recorded after `since` (all with events if None)."""
    events = ActivityEvent.objects.filter(is_support=False)
    if since is not None:
        events = events.filter(created_at__gt=since)
    return list(events.order_by().values_list("account_id", flat=True).distinct())


@transaction.atomic
def engagement_run_start(
    *,
    kind: str,
    day: dt.date | None = None,
    account_ids: Sequence[int] | None = None,
    size: int | None = None,
) -> tuple[EngagementRun, list[list[int]]]:
    """Record a run and return its chunks of account ids (the caller computes or enqueues
    them). Full: every account. Incremental: accounts with new customer events since the
    previous run started. Accounts: the ones given."""
    day = day or timezone.localdate()
    started_at = timezone.now()
    if kind == EngagementRunKind.FULL:
        ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    elif kind == EngagementRunKind.INCREMENTAL:
        # Since the previous incremental run, or a full run for the same day (a run of chosen
        # accounts, or a full run settling another day, covered not every event of today).
        previous = (
            EngagementRun.objects.filter(
                Q(kind=EngagementRunKind.INCREMENTAL) | Q(kind=EngagementRunKind.FULL, day=day)
            )
            .order_by("-started_at")
            .first()
        )
        since = previous.started_at - INCREMENTAL_OVERLAP if previous else None
        ids = accounts_changed_since(since)
    elif kind == EngagementRunKind.ACCOUNTS:
        ids = list(Account.objects.filter(pk__in=account_ids or []).values_list("pk", flat=True))
    else:
        raise ValueError(f"Unknown run kind {kind!r}")
    chunks = chunks_of(ids, size=size)
    run = EngagementRun.objects.create(
        kind=kind, day=day, accounts=len(ids), chunks=len(chunks), started_at=started_at
    )
    return run, chunks


def engagement_history_compute(
    *, days: int, until: dt.date | None = None, size: int | None = None
) -> int:
    """Snapshots for every day of the last `days` up to `until` (default today), oldest first
    so that each day's hysteresis reads the day before. For the demo and for backfills."""
    until = until or timezone.localdate()
    model = engagement_model_active()
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for offset in range(days - 1, -1, -1):
        day = until - dt.timedelta(days=offset)
        for chunk in chunks_of(ids, size=size):
            written += engagement_snapshots_compute(account_ids=chunk, day=day, model=model)
    return written
