"""Writes of engagement: recording activity events (the only input of the engine), visits and
offline events, and running the engine — a run per day and kind, chunks of accounts whose
snapshots are computed set-based, then the alerts those snapshots raise (`engagement_recompute`).

The figures themselves (activity, breadth, co-creation, score, level with hysteresis) are
computed in `community.selectors.engagement_figures`; this module stores what they give. Runs
are started by the tasks in community/tasks.py, which beat schedules (config/settings/base.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Min, Q, QuerySet
from django.utils import timezone

from accounts.models import Account, Membership, User
from community.models import (
    ActivityEvent,
    ActivityKind,
    EngagementModel,
    EngagementRepair,
    EngagementRun,
    EngagementRunKind,
    EngagementSnapshot,
    OfflineEvent,
)
from community.selectors.engagement_figures import (
    chunk_size,
    chunks_of,
    figures_for_accounts,
    snapshots_for,
)
from community.selectors.engagement_history import model_on, snapshots_history
from community.services.alerts import alerts_raise
from community.services.last_activity import (
    last_activity_raise,
    last_activity_refresh,
    latest_customer_moments,
)
from community.services.webhook_events import level_changes_emit


@transaction.atomic
def activity_events_bulk_record(*, events: list[ActivityEvent], batch_size: int = 5000) -> int:
    """Store many already-built events at once (imports and demo history). Events dated
    before today mark their accounts for a history repair from their earliest day."""
    ActivityEvent.objects.bulk_create(events, batch_size=batch_size)
    last_activity_raise(latest_by_account=latest_customer_moments(events))
    today = timezone.localdate()
    earliest: dict[int, dt.date] = {}
    for event in events:
        day = timezone.localdate(event.occurred_at)
        if day < today and day < earliest.get(event.account_id, today):
            earliest[event.account_id] = day
    engagement_repair_mark(since_by_account=earliest)
    return len(events)


@transaction.atomic
def activity_events_delete(*, events: QuerySet[ActivityEvent]) -> int:
    """Delete recorded events (a programme admin's correction): the days of their accounts from
    the earliest deleted customer event on no longer match, and are marked for a repair (today
    included: the repair recomputes today too). Returns how many events went."""
    earliest: dict[int, dt.date] = {}
    for account_id, occurred_at in events.filter(is_support=False).values_list(
        "account_id", "occurred_at"
    ):
        day = timezone.localdate(occurred_at)
        earliest[account_id] = min(day, earliest.get(account_id, day))
    _, deleted = ActivityEvent.objects.filter(pk__in=events.values("pk")).delete()
    last_activity_refresh(account_ids=list(earliest))  # the latest event may have gone
    engagement_repair_mark(since_by_account=earliest)
    return deleted.get(ActivityEvent._meta.label, 0)


_MARK_SQL = """
INSERT INTO {table} (account_id, since, marked_at) VALUES (%s, %s, %s)
ON CONFLICT (account_id) DO UPDATE
SET since = {least}({table}.since, excluded.since), marked_at = excluded.marked_at
"""


def engagement_repair_mark(*, since_by_account: dict[int, dt.date]) -> None:
    """Mark accounts whose snapshots from a day before today on no longer match their events
    (an upsert that keeps the earliest day). The scheduled runs repair them."""
    if not since_by_account:
        return
    ops = connection.ops
    sql = _MARK_SQL.format(
        table=EngagementRepair._meta.db_table,
        least="LEAST" if connection.vendor == "postgresql" else "MIN",
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (pk, ops.adapt_datefield_value(day), now) for pk, day in sorted(since_by_account.items())
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def engagement_member_changed(membership: Membership) -> None:
    """A person stops (or starts again) counting among the account's members on every day since
    the membership began: removed, erased, deactivated or let back in. The breadth of
    those days changes: repaired from the membership's first day, or from the account's first
    snapshot if that is later. (Registered with accounts, which calls it for each such
    membership: `accounts.services.membership_change_register`.)"""
    account_id = membership.account_id
    first = (
        EngagementSnapshot.objects.filter(account_id=account_id)
        .order_by("day")
        .values_list("day", flat=True)
        .first()
    )
    if first is None:
        return
    since = max(timezone.localdate(membership.created_at), first)
    if since < timezone.localdate():
        engagement_repair_mark(since_by_account={account_id: since})


def activity_record(
    *,
    account: Account | None,
    user: User | None,
    kind: ActivityKind,
    obj=None,
    occurred_at=None,
    is_support: bool = False,
    pilot_ref: int | None = None,
) -> ActivityEvent | None:
    """Record one meaningful action for the engagement engine.

    Actions of people without an account context (an internal user proposing an idea) record
    nothing; internal users acting *for* an account pass `is_support=True`. Pilot events pass
    the pilot's id as `pilot_ref` (co-creation counts pilots from these).
    """
    if account is None:
        return None
    event = ActivityEvent.objects.create(
        account=account,
        user=user,
        kind=kind,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        occurred_at=occurred_at or timezone.now(),
        is_support=is_support,
        pilot_ref=pilot_ref,
    )
    if not is_support:
        last_activity_raise(latest_by_account={account.pk: event.occurred_at})
    day = timezone.localdate(event.occurred_at)
    if day < timezone.localdate() and not is_support:  # late: the days since then change
        engagement_repair_mark(since_by_account={account.pk: day})
    return event


@transaction.atomic
def visit_record(*, user: User, account: Account) -> ActivityEvent | None:
    """The customer's visit of today (site time zone), unless one is recorded already: at most
    one per person and day. The person's membership row is locked first, so that two requests
    of the same person at the same moment record one visit, not two. Returns None when nothing
    was recorded (a visit of today exists, or `user` is not a member of `account`)."""
    locked = (
        Membership.objects.select_for_update()
        .filter(user=user, account=account)
        .order_by()  # not the default ordering's join: lock the membership row alone
        .values_list("pk", flat=True)
        .first()
    )
    if locked is None:
        return None
    now = timezone.now()
    day_start = timezone.localtime(now, timezone.get_default_timezone()).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    visited = ActivityEvent.objects.filter(
        account=account, user=user, kind=ActivityKind.VISIT, occurred_at__gte=day_start
    ).exists()
    if visited:
        return None
    return activity_record(account=account, user=user, kind=ActivityKind.VISIT, occurred_at=now)


# The kinds an account team may record by hand (the customer's own actions in the product are
# recorded by the product).
OFFLINE_KINDS = [
    ActivityKind.WORKSHOP_ATTENDED,
    ActivityKind.REFERENCE_CALL,
    ActivityKind.EXECUTIVE_MEETING,
    ActivityKind.REFERRAL,
]


OFFLINE_EVENT_MAX_AGE_DAYS = 365


OFFLINE_NOTE_MAX_LENGTH = OfflineEvent._meta.get_field("note").max_length


def offline_kind_choices() -> list[tuple[str, str]]:
    return [(kind.value, kind.label) for kind in OFFLINE_KINDS]


def _moment(day: dt.date) -> dt.datetime:
    """Noon of the day in the site's time zone, or now if that is still to come."""
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone())
    return min(noon, timezone.now())


def _kinds_in_words() -> str:
    labels = [kind.label.lower() for kind in OFFLINE_KINDS]
    return f"{', '.join(labels[:-1])} or {labels[-1]}"


@transaction.atomic
def offline_event_record(
    *,
    account: Account,
    kind: str,
    occurred_on: dt.date,
    note: str = "",
    recorded_by: User | None,
) -> OfflineEvent:
    """One customer event (not a support event: the customer did it) on `occurred_on`, which
    may be neither in the future nor older than a year, and its record: who on the account
    team recorded it (not the event's user, which would be the customer's person, unknown
    here) and their note. Both rows or neither."""
    today = timezone.localdate()
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in [k.value for k in OFFLINE_KINDS]:
        errors["kind"] = [f"Choose a {_kinds_in_words()}."]
    if occurred_on > today:
        errors["occurred_on"] = ["The date may not be in the future."]
    elif occurred_on < today - dt.timedelta(days=OFFLINE_EVENT_MAX_AGE_DAYS):
        errors["occurred_on"] = [f"The date may be at most {OFFLINE_EVENT_MAX_AGE_DAYS} days ago."]
    if len(note) > OFFLINE_NOTE_MAX_LENGTH:
        errors["note"] = [
            f"Keep the note under {OFFLINE_NOTE_MAX_LENGTH} characters ({len(note)} now)."
        ]
    if errors:
        raise ValidationError(errors)
    event = activity_record(
        account=account,
        user=None,
        kind=ActivityKind(kind),
        occurred_at=_moment(occurred_on),
        is_support=False,
    )
    if event is None:  # activity_record records nothing without an account
        raise ValueError("An offline event needs an account.")
    return OfflineEvent.objects.create(  # the event reaches it as `event.offline_record`
        account=account,
        event=event,
        kind=kind,
        occurred_on=occurred_on,
        note=note,
        recorded_by=recorded_by,
    )


_SNAPSHOT_FIELDS = [
    "computed_at",
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
    model = model or model_on(day)
    figures = figures_for_accounts(account_ids=account_ids, day=day, model=model)
    snapshots = snapshots_for(figures, day=day, model=model)
    EngagementSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=_SNAPSHOT_FIELDS,
    )
    if day == timezone.localdate():  # today's run also mends the stored last activity
        last_activity_refresh(account_ids=account_ids)
    return len(snapshots)


def engagement_recompute(*, account_ids: Sequence[int], day: dt.date | None = None) -> int:
    """Recompute one chunk of accounts for `day` (default today) and every later day up to
    today that holds snapshots of them already (their level chain builds on `day`: the
    nightly run settles yesterday, then today), in one transaction; then raise the alerts of
    the latest day written. The snapshots commit first, so the alert rules read the figures
    they are about; and post the level changes of that day (engagement.level_changed).
    Returns the number of snapshots written."""
    day = day or timezone.localdate()
    later = EngagementSnapshot.objects.filter(
        account_id__in=list(account_ids), day__gt=day, day__lte=timezone.localdate()
    )
    last = max(day, later.aggregate(last=Max("day"))["last"] or day)
    written = 0
    with transaction.atomic():
        for offset in range((last - day).days + 1):
            written += engagement_snapshots_compute(
                account_ids=account_ids, day=day + dt.timedelta(days=offset)
            )
    alerts_raise(account_ids=account_ids, day=last)
    level_changes_emit(account_ids=account_ids, day=last)
    return written


def engagement_repair(*, account_ids: Sequence[int]) -> int:
    """Repair the marked accounts among `account_ids`: recompute each from its marked day (or
    its first snapshot, if later) to today, oldest day first and carrying the level chain, in
    one transaction (a killed worker leaves the whole chunk as it was, still marked). Past
    snapshots change in place and keep the version that computed their day. Marks made again
    while this ran stay for the next run. Then the alerts and level changes of today, and only
    today: a repair never speaks about the past."""
    today = timezone.localdate()
    with transaction.atomic():
        marks = list(
            EngagementRepair.objects.filter(account_id__in=list(account_ids)).values_list(
                "account_id", "since", "marked_at"
            )
        )
        if not marks:
            return 0
        # A history starts at an account's first snapshot: days before it are not made up
        # (an account not computed yet gets its first snapshot, today's).
        starts = dict(
            EngagementSnapshot.objects.filter(account_id__in=[pk for pk, _, _ in marks])
            .values("account_id")
            .annotate(first=Min("day"))
            .values_list("account_id", "first")
        )
        first_by_account = {
            pk: min(max(since, starts.get(pk, today)), today) for pk, since, _ in marks
        }
        snapshots = snapshots_history(first_by_account=first_by_account, last=today)
        EngagementSnapshot.objects.bulk_create(
            snapshots,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["account", "day"],
            update_fields=_SNAPSHOT_FIELDS,
        )
        repaired = Q(pk__in=[])
        for pk, since, marked_at in marks:
            repaired |= Q(account_id=pk, since=since, marked_at=marked_at)
        EngagementRepair.objects.filter(repaired).delete()
        last_activity_refresh(account_ids=sorted(first_by_account))
    alerts_raise(account_ids=sorted(first_by_account), day=today)
    level_changes_emit(account_ids=sorted(first_by_account), day=today)
    return len(snapshots)


def engagement_repair_chunks(*, size: int | None = None) -> list[list[int]]:
    """The marked accounts, in chunks (smaller than a day's: each walks many days)."""
    ids = EngagementRepair.objects.order_by("account_id").values_list("account_id", flat=True)
    return chunks_of(ids, size=size or max(1, chunk_size() // 5))


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
    repaired: Sequence[int] = (),
) -> tuple[EngagementRun, list[list[int]]]:
    """Record a run and return its chunks of account ids (the caller computes or enqueues
    them). Full: every account. Incremental: accounts with new customer events since the
    previous run started. Accounts: the ones given. Accounts in `repaired` (the same run
    repairs them up to today) are left out, so that two tasks never write one account's
    days at once."""
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
    ids = sorted(set(ids) - set(repaired))
    chunks = chunks_of(ids, size=size)
    run = EngagementRun.objects.create(
        kind=kind, day=day, accounts=len(ids), chunks=len(chunks), started_at=started_at
    )
    return run, chunks


def engagement_history_compute(
    *, days: int, until: dt.date | None = None, size: int | None = None
) -> int:
    """Snapshots for every day of the last `days` up to `until` (default today), oldest first
    so that each day's hysteresis reads the day before, each day with the version active
    then. For the demo and for backfills: a backfill up to today settles the repair marks it
    covered (made before it started, from a day inside its range)."""
    started = timezone.now()
    until = until or timezone.localdate()
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    written = 0
    for offset in range(days - 1, -1, -1):
        day = until - dt.timedelta(days=offset)
        for chunk in chunks_of(ids, size=size):
            written += engagement_snapshots_compute(account_ids=chunk, day=day)
    first = until - dt.timedelta(days=days - 1)
    if until >= timezone.localdate():  # marks inside the range it computed are settled
        EngagementRepair.objects.filter(marked_at__lte=started, since__gte=first).delete()
    return written


def engagement_repairs_run() -> int:
    """Every pending repair, here and now (the demo's last step; the scheduled runs queue them
    as tasks instead). Returns the number of snapshots written."""
    return sum(engagement_repair(account_ids=chunk) for chunk in engagement_repair_chunks())
