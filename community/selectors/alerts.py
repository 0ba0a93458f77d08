"""Reads of alerts: the inbox (HTML, CSV and API), the open count of the navigation, and
whether a person gets new alerts in the daily digest."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Q, QuerySet, Subquery

from accounts.models import Account, User
from community.access.alerts import visible_alerts
from community.models import Alert, Notification
from community.models.notifications import Delivery, NotifyKind
from community.selectors.notifications import notification_delivery

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


class _RowCount(Subquery):
    """The number of rows of a queryset, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) counted)"
    output_field = IntegerField()


def header_counts(*, user: User) -> tuple[int, int]:
    """(unread notifications, open alerts of the accounts an internal user sees; 0 for
    customers) for the page header, in one query. Cached on the user object, so the
    navigation and the notification bell share it."""
    if not hasattr(user, "_cg_header_counts"):
        unread = Notification.objects.filter(user=user, read_at__isnull=True)
        try:
            alerts = visible_alerts(user).filter(resolved_at__isnull=True)
        except PermissionDenied:
            alerts = Alert.objects.none()
        counts = (
            User.objects.filter(pk=user.pk)
            .annotate(
                unread=_RowCount(unread.order_by().values("pk")),
                alerts=_RowCount(alerts.order_by().values("pk")),
            )
            .values_list("unread", "alerts")
            .first()
        )
        user._cg_header_counts = counts or (0, 0)
    return user._cg_header_counts


def open_alert_count(*, user: User) -> int:
    """The open alerts of the accounts an internal user sees (0 for customers)."""
    return header_counts(user=user)[1]


def alert_daily_digest(*, user: User) -> bool:
    """Whether the person chose the daily digest over one email per alert (their preference
    for engagement alerts, the same one the notification settings page shows)."""
    return notification_delivery(user=user, kind=NotifyKind.ENGAGEMENT_ALERT) == Delivery.DAILY
