"""Reads of alerts: the inbox (HTML, CSV and API), whether each open alert still holds, the
open count of the navigation, and whether a person gets new alerts in the daily digest.

**Whether an alert still holds** is decided by one function, `alert_status`, from the figures
`with_alert_figures` adds to each alert row in the list's own query: the account's latest
snapshot on or before the day, its level on the day of a drop and its score on the day of a
peak (as the history stands now: a repair may have rewritten them), its customer events of the
last SILENT_DAYS days and its renewal date. The inbox and the API show it for every open alert;
the engine resolves an open alert that no longer holds (community.services.alerts.alerts_raise).

- **Level dropped** from L on day D holds while the account's level is below L and its level on
  D (the snapshot of D, or the latest before it) is below L too. It stops when the account is
  back at L or above ("Back at Participating since 3 Dec 2026", the first day of that level),
  or when the history no longer shows the account below L on D.
- **Score fell** from a peak P holds while the latest score is SCORE_FALL_POINTS or more below
  the peak, the peak read again from the snapshot of its day. It stops when the score is back
  within SCORE_FALL_POINTS of it ("Score back to 48.0 on 5 Dec 2026, within 15 of its peak of
  61.2 on 3 Nov 2026").
- **Silent before renewal** holds while the account had no customer event in the last
  SILENT_DAYS days and its renewal date is the one the alert named and still ahead. It stops
  when the account is active again ("Active again: 4 events since 25 Nov 2026"), or the
  renewal date passed or moved.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from django.db.models import (
    Count,
    DateField,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.access import customer_membership, sees_all_accounts
from accounts.models import Account, User
from community.access.alerts import internal_alerts
from community.models import ActivityEvent, Alert, AlertReason, EngagementSnapshot, Notification
from community.models.alerts import alert_day_label, alert_level_label, alert_summary
from community.models.engagement import EngagementLevel
from community.models.notifications import Delivery, NotifyKind
from community.selectors.discussions import handles_every_flag, internal_flagged_posts
from community.selectors.engagement import last_customer_activity
from community.selectors.engagement_figures import day_end
from community.selectors.notifications import notification_delivery
from config.sql_once import KeptRows, SqlOnce

# The rules' thresholds, in one place (raised by community.services.alerts, held here).
SCORE_FALL_POINTS = Decimal("15")
SCORE_FALL_DAYS = 30
SILENT_DAYS = 30
RENEWAL_WINDOW_DAYS = 90

# The kind of notification that tells an account team of a new alert (its email: one per
# alert, the daily digest of community.services.alerts, or off).
# The inbox's states: open = new or acknowledged, not resolved.
ALERT_STATES = {
    "open": ("Open", Q(resolved_at__isnull=True)),
    "new": ("New (not acknowledged)", Q(resolved_at__isnull=True, acknowledged_at__isnull=True)),
    "acknowledged": (
        "Acknowledged, not resolved",
        Q(resolved_at__isnull=True, acknowledged_at__isnull=False),
    ),
    "resolved": ("Resolved", Q(resolved_at__isnull=False)),
    "all": ("All", Q()),
}
INBOX_PAGE_SIZE = 50


def alert_list(
    *,
    alerts: QuerySet[Alert],
    reason: str = "",
    state: str = "open",
    account: Account | None = None,
    q: str = "",
) -> QuerySet[Alert]:
    """`alerts` (already scoped by community.access.alerts.visible_alerts) filtered for the inbox —
    by one account (fetched through access_account: a foreign one is 404 before this) and by
    a search on the account's name or slug — newest first, with the account and the people who
    acted on them: one query."""
    return with_alert_figures(
        _listed(alerts=alerts, reason=reason, state=state, account=account, q=q)
    )


def _listed(
    *, alerts: QuerySet[Alert], reason: str, state: str, account: Account | None, q: str
) -> QuerySet[Alert]:
    """alert_list's rows without their figures."""
    _, condition = ALERT_STATES.get(state or "open", ALERT_STATES["open"])
    alerts = alerts.filter(condition)
    if reason:
        alerts = alerts.filter(reason=reason)
    if account is not None:
        alerts = alerts.filter(account=account)
    if q:
        alerts = alerts.filter(Q(account__slug=q) | Q(account__name__icontains=q))
    return alerts.select_related("account", "acknowledged_by", "resolved_by").order_by(
        "-raised_at", "-pk"
    )


def _open_internal_alerts(
    *,
    day: dt.date,
    until: dt.datetime,
    recent_from: dt.datetime,
    sees_all: bool,
    user_id: int | None = None,
) -> QuerySet[Alert]:
    """alert_list(state="open") of an active internal user's visible alerts (internal_alerts),
    its moments values of their own, with the API's columns: the build of a kept read."""
    alerts = _listed(
        alerts=internal_alerts(user_id, sees_all=sees_all),
        reason="",
        state="open",
        account=None,
        q="",
    )
    alerts = _with_figures(alerts, day=day, until=until, recent_from=recent_from)
    return alerts.only(*_API_COLUMNS)


# What the API's list shows of an alert (community.api.alerts.AlertSerializer, alert_status):
# not its fingerprint, nor the other columns of its account and people.
_PEOPLE_COLUMNS = ("email", "first_name", "last_name")
_API_COLUMNS = (
    *(f.name for f in Alert._meta.concrete_fields if f.name != "fingerprint"),
    "account__slug",
    "account__name",
    "account__renewal_date",
    *(f"acknowledged_by__{name}" for name in _PEOPLE_COLUMNS),
    *(f"resolved_by__{name}" for name in _PEOPLE_COLUMNS),
)

_MOMENTS = {"day": dt.date, "until": dt.datetime, "recent_from": dt.datetime}
# The open alerts of an active internal user, as the API's unfiltered list reads them: one kept
# SQL per branch of the visibility rule (every account, or those of their account teams).
_OPEN_ALERTS = {
    True: SqlOnce(Alert, partial(_open_internal_alerts, sees_all=True), **_MOMENTS),
    False: SqlOnce(Alert, partial(_open_internal_alerts, sees_all=False), user_id=int, **_MOMENTS),
}


def open_alert_rows(*, user: User) -> KeptRows | None:
    """alert_list(alerts=visible_alerts(user)) (the open ones, with their figures as of today;
    the columns the API shows) as kept rows to page (config.sql_once.KeptRows), for an active
    internal user; None for anyone else (their list is read as visible_alerts says: a 403, or
    none)."""
    read = open_alert_read(user=user)
    if read is None:
        return None
    sees_all, values = read
    return _OPEN_ALERTS[sees_all].rows(**values)


def open_alert_read(*, user: User) -> tuple[bool, dict] | None:
    """Which kept read of the open alerts is the user's (whether they see every account) and
    its values (today's moments, and the user unless they see every account); None for anyone
    but an active internal user."""
    if not (user.is_authenticated and user.is_active) or customer_membership(user) is not None:
        return None
    day = timezone.localdate()
    until = day_end(day)
    moments = {"day": day, "until": until, "recent_from": until - dt.timedelta(days=SILENT_DAYS)}
    if sees_all_accounts(user):
        return True, moments
    return False, {"user_id": user.pk, **moments}


# --- Whether an alert still holds -----------------------------------------------------------


@dataclass(frozen=True)
class AlertStatus:
    """Whether an open alert's condition still holds, in words and as of which day; for a
    resolved alert, how it was resolved."""

    holds: bool | None  # None: resolved
    words: str  # "Observing since 14 Sep 2026", "Back at Participating since 3 Dec 2026"
    since: dt.date | None  # the day the words are about
    summary: str  # what happened, "silent since" with the true last customer activity

    @property
    def label(self) -> str:
        if self.holds is None:
            return "Resolved"
        return "Still true" if self.holds else "No longer true"


def with_alert_figures(alerts: QuerySet[Alert], *, day: dt.date | None = None) -> QuerySet[Alert]:
    """`alerts` with what `alert_status` needs as of the end of `day` (default today), as
    correlated subqueries in the same query: no query per row."""
    day = day or timezone.localdate()
    until = day_end(day)
    return _with_figures(
        alerts, day=day, until=until, recent_from=until - dt.timedelta(days=SILENT_DAYS)
    )


def _with_figures(
    alerts: QuerySet[Alert], *, day: dt.date, until: dt.datetime, recent_from: dt.datetime
) -> QuerySet[Alert]:
    """with_alert_figures' annotations, each moment a value of its own (for a kept read)."""
    snapshots = EngagementSnapshot.objects.filter(account_id=OuterRef("account_id"))
    latest = snapshots.filter(day__lte=day).order_by("-day")
    recent = (
        ActivityEvent.objects.filter(
            account_id=OuterRef("account_id"),
            is_support=False,
            occurred_at__gte=recent_from,
            occurred_at__lt=until,
        )
        .order_by()
        .values("account_id")
    )
    return alerts.annotate(
        figures_day=Value(day, output_field=DateField()),
        alert_day=Cast(KeyTextTransform("day", "details"), DateField()),
        alert_peak_day=Cast(KeyTextTransform("peak_day", "details"), DateField()),
    ).annotate(
        now_day=Subquery(latest.values("day")[:1]),
        now_level=Subquery(latest.values("level")[:1]),
        now_level_since=Subquery(latest.values("level_since")[:1]),
        now_score=Subquery(latest.values("score")[:1]),
        level_then=Subquery(
            snapshots.filter(day__lte=OuterRef("alert_day")).order_by("-day").values("level")[:1]
        ),
        peak_then=Subquery(snapshots.filter(day=OuterRef("alert_peak_day")).values("score")[:1]),
        recent_events=Subquery(recent.annotate(n=Count("pk")).values("n")[:1]),
        recent_since=Subquery(recent.annotate(first=Min("occurred_at")).values("first")[:1]),
        last_activity_at=last_customer_activity(account="account_id", before=until),
    )


def alert_status(alert: Alert, *, day: dt.date | None = None) -> AlertStatus:
    """Whether `alert` still holds as of the end of `day` (default today), the one rule for
    the inbox, its CSV, the API and the engine's automatic resolution (see the module). Reads
    the figures of `with_alert_figures` (one query when the row does not carry them)."""
    if not hasattr(alert, "figures_day"):
        alert = with_alert_figures(
            Alert.objects.filter(pk=alert.pk).select_related("account"), day=day
        ).get()
    if alert.resolved_at is not None:
        return AlertStatus(holds=None, words="", since=None, summary=alert.summary)
    rule = {
        AlertReason.LEVEL_DROPPED: _level_dropped_status,
        AlertReason.SCORE_FELL: _score_fell_status,
        AlertReason.SILENT_BEFORE_RENEWAL: _silent_status,
    }[alert.reason]
    holds, words, since = rule(alert, alert.details or {})
    summary = alert.summary
    if alert.reason == AlertReason.SILENT_BEFORE_RENEWAL:  # "silent since" the true last event
        last = _local_day(alert.last_activity_at)
        details = {**alert.details, "last_activity": last.isoformat() if last else None}
        summary = alert_summary(reason=alert.reason, details=details)
    return AlertStatus(holds=holds, words=words, since=since, summary=summary)


_Verdict = tuple[bool, str, dt.date | None]
# The levels, read once (`EngagementLevel.values` builds its list again on every read).
_LEVELS = tuple(EngagementLevel.values)


def _level_dropped_status(alert: Alert, d: dict) -> _Verdict:
    rank, dropped_from = EngagementLevel.rank, d.get("from_level")
    if alert.now_level is None or dropped_from not in _LEVELS:
        return True, "No engagement computed since", None
    if alert.level_then is None or rank(alert.level_then) >= rank(dropped_from):
        day = _date(d.get("day"))
        return (
            False,
            f"The recomputed history shows no drop below {alert_level_label(dropped_from)} "
            f"by {alert_day_label(day)}",
            day,
        )
    now, since = alert_level_label(alert.now_level), alert.now_level_since
    if rank(alert.now_level) >= rank(dropped_from):
        return False, f"Back at {now} since {alert_day_label(since)}", since
    return True, f"{now} since {alert_day_label(since)}", since


def _score_fell_status(alert: Alert, d: dict) -> _Verdict:
    if alert.now_score is None or d.get("peak_score") is None:
        return True, "No engagement computed since", None
    peak = alert.peak_then if alert.peak_then is not None else Decimal(str(d["peak_score"]))
    score, day = Decimal(alert.now_score), alert.now_day
    peak_day = f" on {alert_day_label(d['peak_day'])}" if d.get("peak_day") else ""
    peak_words = f"its peak of {peak:.1f}{peak_day}"
    if peak - score < SCORE_FALL_POINTS:
        return (
            False,
            f"Score back to {score:.1f} on {alert_day_label(day)}, within "
            f"{SCORE_FALL_POINTS} of {peak_words}",
            day,
        )
    return (
        True,
        f"Score {score:.1f} on {alert_day_label(day)}, {peak - score:.1f} below {peak_words}",
        day,
    )


def _silent_status(alert: Alert, d: dict) -> _Verdict:
    named, renewal = _date(d.get("renewal_date")), alert.account.renewal_date
    if alert.recent_events:
        since = _local_day(alert.recent_since)
        events = f"{alert.recent_events} event{'s' if alert.recent_events != 1 else ''}"
        return False, f"Active again: {events} since {alert_day_label(since)}", since
    if renewal != named:
        moved = f"moved to {alert_day_label(renewal)}" if renewal else "was removed"
        return False, f"The renewal date {moved}", alert.figures_day
    if renewal is not None and renewal < alert.figures_day:
        return False, f"The renewal date passed ({alert_day_label(renewal)})", renewal
    last = _local_day(alert.last_activity_at)
    if last is None:
        return True, "No customer activity yet", None
    return True, f"Silent since {alert_day_label(last)}", last


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date) or value is None:
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _local_day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


class _RowCount(Subquery):
    """The number of rows of a queryset, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


class HeaderCounts(NamedTuple):
    unread: int  # the person's unread notifications (the bell)
    alerts: int  # open alerts of the accounts an internal user sees (0 for customers)
    flagged_posts: int  # posts with open flags in the gardens the user stewards


# A customer's unread notifications, asked on every page: its SQL is written once per process.
_UNREAD = SqlOnce(
    Notification,
    lambda user_id: (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(unread=Count("pk"))
        .values_list("unread", flat=True)
    ),
    user_id=int,
)


def _internal_counts(user_id: int, *, sees_all: bool, every_garden: bool) -> QuerySet[User]:
    """An active internal user's header counts as one row: (unread, alerts, flagged)."""
    unread = Notification.objects.filter(user_id=user_id, read_at__isnull=True)
    alerts = internal_alerts(user_id, sees_all=sees_all).filter(resolved_at__isnull=True)
    flagged = internal_flagged_posts(user_id, every_garden=every_garden)
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            unread=_RowCount(unread.order_by().values("pk")),
            alerts=_RowCount(alerts.order_by().values("pk")),
            flagged=_RowCount(flagged),
        )
        .values_list("unread", "alerts", "flagged")
    )


# An internal user's counts, asked on every page: one kept SQL per shape of their rules (whether
# they see every account; whether they handle every garden's flags).
_INTERNAL_COUNTS = {
    (sees_all, every_garden): SqlOnce(
        User, partial(_internal_counts, sees_all=sees_all, every_garden=every_garden), user_id=int
    )
    for sees_all in (False, True)
    for every_garden in (False, True)
}


def header_counts(*, user: User) -> HeaderCounts:
    """The counts of the page header (the bell and the navigation's badges), in one query.
    Cached on the user object, so the navigation and the notification bell share it."""
    if not hasattr(user, "_cg_header_counts"):
        if customer_membership(user) is not None:
            # Customers have no alerts (visible_alerts: 403) and handle no flags
            # (flagged_posts_to_handle: none): their bell alone, a plain count.
            counts = (_UNREAD.first(user_id=user.pk) or 0, 0, 0)
        elif not user.is_active:  # sees no account and handles no flag
            counts = (_UNREAD.first(user_id=user.pk) or 0, 0, 0)
        else:
            shape = (sees_all_accounts(user), handles_every_flag(user))
            counts = _INTERNAL_COUNTS[shape].first(user_id=user.pk) or (0, 0, 0)
        user._cg_header_counts = HeaderCounts(*counts)
    return user._cg_header_counts


def open_alert_count(*, user: User) -> int:
    """The open alerts of the accounts an internal user sees (0 for customers)."""
    return header_counts(user=user)[1]


def alert_daily_digest(*, user: User) -> bool:
    """Whether the person chose the daily digest over one email per alert (their preference
    for engagement alerts, the same one the notification settings page shows)."""
    return notification_delivery(user=user, kind=NotifyKind.ENGAGEMENT_ALERT) == Delivery.DAILY
