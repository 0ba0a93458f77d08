"""Community's to-dos for the home page (the registry: community/selectors/todos.py).

- customer admin: garden invitations to answer for the account; colleagues' invitations sent
  and not accepted yet;
- every customer: unread mentions and replies;
- account team: open alerts on my accounts, renewals within RENEWAL_WINDOW_DAYS at low
  engagement, silent accounts;
- programme admin (and a garden's stewards for its flags): the flag queue, import batches that
  were rejected or had problems, failed webhook, chat and email deliveries.

Each reads through the access helpers and selectors, in a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, F, Max, Min, Q, QuerySet, Value, Window
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.access import assigned_accounts, manages_all_accounts, visible_invitations
from accounts.models import Account
from community.access.alerts import visible_alerts
from community.access.gardens import visible_gardens
from community.access.outcomes import can_import
from community.models import (
    ChatDelivery,
    ChatDigest,
    EngagementLevel,
    ImportBatch,
    ImportStatus,
    Notification,
    NotificationDigest,
    PostFlag,
    WebhookDelivery,
    WebhookDeliveryStatus,
)
from community.models.chat_channels import ChatPostStatus
from community.models.notifications import NotifyKind
from community.selectors.alerts import ALERT_STATES, RENEWAL_WINDOW_DAYS, SILENT_DAYS
from community.selectors.gardens import pending_invitations_for
from community.selectors.notifications import user_notifications
from community.selectors.portfolio import PORTFOLIO_SORTS, portfolio_list
from community.selectors.todos import TODO_LIMIT, ToDo, ToDoViewer, capped, more_item
from config.sql_once import SqlOnce

NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # stands for no activity at all

# Low engagement: an account at one of these levels (a score below 30, docs/product.md).
LOW_ENGAGEMENT_LEVELS = (EngagementLevel.DORMANT, EngagementLevel.OBSERVING)
# Failed deliveries and troubled imports are listed for this many days.
RECENT_DAYS = 7


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment else None


# --- Customer admin --------------------------------------------------------------------------


def garden_invitation_todos(viewer: ToDoViewer) -> list[ToDo]:
    """The gardens the admin's account is invited to and has not answered."""
    if not viewer.is_customer_admin:
        return []
    invitations, total = capped(pending_invitations_for(user=viewer.user))
    items = [
        ToDo(
            kind="garden_invitation",
            title=f"Answer the invitation to the garden {invitation.garden.name}",
            url=reverse("community:garden-invitation", args=[invitation.garden.slug]),
            day=_day(invitation.created_at),
            day_label="invited",
        )
        for invitation in invitations
    ]
    return items + more_item(
        kind="garden_invitation",
        shown=len(items),
        total=total,
        title="{n} more garden invitations to answer",
        url=reverse("community:garden-list"),
    )


def colleague_invitation_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Invitations to the admin's account that were sent and are not accepted yet."""
    if not viewer.is_customer_admin:
        return []
    account = viewer.membership.account
    pending = visible_invitations(viewer.user).pending().order_by("expires_at", "pk")
    invitations, total = capped(pending)
    url = f"{reverse('accounts:account-detail', args=[account.slug])}#invitations"
    items = [
        ToDo(
            kind="colleague_invitation",
            title=f"{invitation.email} has not accepted the invitation yet",
            url=url,
            day=_day(invitation.expires_at),
            day_label="expires",
            detail="the email could not be sent" if invitation.send_failed_at else "",
        )
        for invitation in invitations
    ]
    return items + more_item(
        kind="colleague_invitation",
        shown=len(items),
        total=total,
        title="{n} more invitations not accepted yet",
        url=url,
    )


# --- Every customer --------------------------------------------------------------------------


def _unread_mentions(user_id: int) -> QuerySet[Notification]:
    """A person's first TODO_LIMIT unread mentions and replies (notification_list's order),
    each with how many there are in all (`total`, a count over the whole window)."""
    return (
        user_notifications(user_id=user_id, unread=True)
        .filter(kind__in=[NotifyKind.MENTION, NotifyKind.REPLY])
        .annotate(total=Window(Count("*")))[:TODO_LIMIT]
    )


# A customer's mentions on every home: one query, its SQL written once per process.
_UNREAD_MENTIONS = SqlOnce(Notification, _unread_mentions, user_id=int)


def mention_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Unread mentions and replies, newest first (named as their reader reads them)."""
    if viewer.membership is None:
        return []
    notifications = _UNREAD_MENTIONS.all(user_id=viewer.user.pk)
    total = notifications[0].total if notifications else 0
    items = [
        ToDo(
            kind=notification.kind,
            title=notification.shown_title,
            url=notification.url or reverse("community:notification-list"),
            day=_day(notification.created_at),
            day_label="",
        )
        for notification in notifications
    ]
    return items + more_item(
        kind=NotifyKind.MENTION,
        shown=len(items),
        total=total,
        title="{n} more unread mentions and replies",
        url=reverse("community:notification-list") + "?state=unread",
    )


# --- Account team ----------------------------------------------------------------------------


def _my_accounts(viewer: ToDoViewer):
    """The accounts the internal viewer is on the team of (none for customers). Read from
    every account, not from the portfolio's (for an account team those are the assigned ones
    already: the same semi-join twice made PostgreSQL misjudge the rows and probe each account
    by its key); an internal user who may not sign in has none."""
    if viewer.membership is not None:
        return None
    if not viewer.user.is_active:
        return Account.objects.none()
    return assigned_accounts(viewer.user, accounts=Account.objects.all())


def alert_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Open alerts on the accounts the viewer is on the team of."""
    accounts = _my_accounts(viewer)
    if accounts is None:
        return []
    # The inbox's open alerts, in its order (community.selectors.alerts.alert_list), without
    # the figures it reads for each alert's status: the items show the account and reason.
    open_alerts = (
        visible_alerts(viewer.user)
        .filter(ALERT_STATES["open"][1], account__in=accounts)
        .select_related("account")
        .order_by("-raised_at", "-pk")
    )
    alerts, total = capped(open_alerts)
    inbox = reverse("community:alert-inbox")
    items = [
        ToDo(
            kind="alert",
            title=f"{alert.account.name}: {alert.get_reason_display().lower()}",
            url=f"{inbox}?{urlencode({'account': alert.account.slug})}",
            day=_day(alert.raised_at),
            day_label="raised",
        )
        for alert in alerts
    ]
    return items + more_item(
        kind="alert", shown=len(items), total=total, title="{n} more open alerts", url=inbox
    )


def renewal_todos(viewer: ToDoViewer) -> list[ToDo]:
    """My accounts renewing within RENEWAL_WINDOW_DAYS whose level is low (Dormant, Observing
    or not computed yet), soonest first."""
    accounts = _my_accounts(viewer)
    if accounts is None:
        return []
    # One query, whatever the accounts: my accounts renewing in the window, soonest first,
    # each with the columns its item shows and its latest level, which is read in the
    # select list and judged here. As a condition, PostgreSQL judged it before joining the
    # accounts to mine and probed every one of my accounts by its key (at full size 3,333
    # probes for 821 renewing accounts), and looked the level up twice for a NULL test.
    renewing = portfolio_list(
        accounts=accounts,
        renewal_within_days=RENEWAL_WINDOW_DAYS,
        sort="renewal_date",
        today=viewer.today,
    ).values_list("name", "slug", "renewal_date", "engagement_level", named=True)
    low = [account for account in renewing if _is_low(account.engagement_level)]
    items = [
        ToDo(
            kind="renewal",
            title=f"Prepare the renewal of {account.name}: engagement is "
            f"{_level_words(account.engagement_level)}",
            url=reverse("community:account-engagement", args=[account.slug]),
            day=account.renewal_date,
            day_label="renews",
        )
        for account in low[:TODO_LIMIT]
    ]
    return items + more_item(
        kind="renewal",
        shown=len(items),
        total=len(low),
        title="{n} more renewals at low engagement",
        url=reverse("community:portfolio")
        + f"?renewal_within={RENEWAL_WINDOW_DAYS}&mine=on&sort=renewal_date",
    )


def _is_low(level: str | None) -> bool:
    """Low engagement: Dormant or Observing, or not computed yet."""
    return level is None or level in LOW_ENGAGEMENT_LEVELS


def _level_words(level: str | None) -> str:
    return EngagementLevel(level).label if level else "not computed yet"


def silent_todos(viewer: ToDoViewer) -> list[ToDo]:
    """My accounts with no customer activity in the last SILENT_DAYS days (or none ever),
    longest silent first."""
    accounts = _my_accounts(viewer)
    if accounts is None:
        return []
    since = timezone.now() - dt.timedelta(days=SILENT_DAYS)
    # One query, whatever the accounts: my first few silent accounts, longest silent first,
    # with the columns their items show and how many there are in all (a count over the whole
    # window), from each account's stored last customer activity (community.services.
    # last_activity, the portfolio's column; a NULL, never active, reads as the oldest time).
    silent = list(
        accounts.alias(
            last_activity_at=F("last_customer_activity_at"),
            silent_since=Coalesce("last_activity_at", Value(NEVER)),
        )
        .filter(silent_since__lt=since)
        .annotate(total=Window(Count("*")))
        .order_by(*PORTFOLIO_SORTS["last_activity_at"][1], "pk")
        .values_list("name", "slug", "last_customer_activity_at", "total", named=True)[:TODO_LIMIT]
    )
    items = [
        ToDo(
            kind="silent",
            title=f"{account.name} is silent: no customer activity in {SILENT_DAYS} days"
            if account.last_customer_activity_at
            else f"{account.name} is silent: no customer activity yet",
            url=reverse("community:account-engagement", args=[account.slug]),
            day=_day(account.last_customer_activity_at),
            day_label="last active",
        )
        for account in silent
    ]
    return items + more_item(
        kind="silent",
        shown=len(items),
        total=silent[0].total if silent else 0,
        title="{n} more silent accounts",
        url=reverse("community:portfolio") + "?mine=on&sort=last_activity_at",
    )


# --- Programme admin -------------------------------------------------------------------------


def flag_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Gardens with posts flagged and not handled: for programme admins every garden, for a
    steward their gardens. One query (a row per garden)."""
    if viewer.membership is not None:
        return []
    user = viewer.user
    gardens = visible_gardens(user)
    if not manages_all_accounts(user):
        gardens = gardens.filter(stewards=user)
    rows = (
        PostFlag.objects.filter(handled_at__isnull=True, post__thread__garden__in=gardens)
        .values("post__thread__garden__slug", "post__thread__garden__name")
        .annotate(flags=Count("pk"), first=Min("created_at"))
        .order_by("first")
    )
    return [
        ToDo(
            kind="flags",
            title=f"{row['flags']} flagged post{'s' if row['flags'] != 1 else ''} to review "
            f"in {row['post__thread__garden__name']}",
            url=reverse("community:thread-flagged", args=[row["post__thread__garden__slug"]]),
            day=_day(row["first"]),
            day_label="first flagged",
            count=row["flags"],
        )
        for row in rows
    ]


def import_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Import batches of the last RECENT_DAYS days that were rejected or had problems."""
    if viewer.membership is not None or not can_import(viewer.user):
        return []
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    troubled = ImportBatch.objects.filter(
        Q(status=ImportStatus.REJECTED) | Q(error_count__gt=0), created_at__gte=since
    ).order_by("-created_at", "-pk")
    batches, total = capped(troubled)
    items = [
        ToDo(
            kind="import",
            title=f"Import of {batch.file_name or 'a file'} "
            + (
                "was rejected"
                if batch.status == ImportStatus.REJECTED
                else f"had {batch.error_count} problem{'s' if batch.error_count != 1 else ''}"
            ),
            url=reverse("community:import-detail", args=[batch.pk]),
            day=_day(batch.created_at),
            day_label="uploaded",
        )
        for batch in batches
    ]
    return items + more_item(
        kind="import",
        shown=len(items),
        total=total,
        title="{n} more imports with problems",
        url=reverse("community:import"),
    )


def delivery_todos(viewer: ToDoViewer) -> list[ToDo]:
    """Webhook posts, chat posts and emails that failed for good in the last RECENT_DAYS
    days: one item per channel kind, with the count. Five queries."""
    if viewer.membership is not None or not manages_all_accounts(viewer.user):
        return []
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    failed = {
        "webhooks": (
            WebhookDelivery.objects.filter(
                status=WebhookDeliveryStatus.FAILED, created_at__gte=since
            ).aggregate(n=Count("pk"), last=Max("created_at")),
            "webhook post",
            reverse("community:webhooks") + "?status=failed",
        ),
        "chat": (
            _chat_failures(since),
            "chat post",
            reverse("admin:community_chatdelivery_changelist") + "?status__exact=failed",
        ),
        "email": (
            _email_failures(since),
            "email",
            reverse("admin:community_notification_changelist") + "?email_failed_at__isempty=0",
        ),
    }
    return [
        ToDo(
            kind=f"failed_{key}",
            title=f"{figures['n']} {noun}{'s' if figures['n'] != 1 else ''} failed",
            url=url,
            day=_day(figures["last"]),
            day_label="last failed",
            count=figures["n"],
        )
        for key, (figures, noun, url) in failed.items()
        if figures["n"]
    ]


def _chat_failures(since: dt.datetime) -> dict:
    """Chat deliveries and digests that failed for good (two queries)."""
    return _summed(
        model.objects.filter(status=ChatPostStatus.FAILED, created_at__gte=since).aggregate(
            n=Count("pk"), last=Max("created_at")
        )
        for model in (ChatDelivery, ChatDigest)
    )


def _email_failures(since: dt.datetime) -> dict:
    """Notification emails and digests that could not be sent, for good (two queries)."""
    return _summed(
        [
            Notification.objects.filter(email_failed_at__gte=since).aggregate(
                n=Count("pk"), last=Max("email_failed_at")
            ),
            NotificationDigest.objects.filter(failed_at__gte=since).aggregate(
                n=Count("pk"), last=Max("failed_at")
            ),
        ]
    )


def _summed(figures) -> dict:
    figures = list(figures)
    lasts = [f["last"] for f in figures if f["last"]]
    return {"n": sum(f["n"] for f in figures), "last": max(lasts) if lasts else None}


def register() -> None:
    """Community's providers, in the order the home lists them (called from its ready)."""
    from community.selectors.todos import todo_provider_register

    for name, provider in (
        ("community.garden_invitations", garden_invitation_todos),
        ("community.colleague_invitations", colleague_invitation_todos),
        ("community.mentions", mention_todos),
        ("community.alerts", alert_todos),
        ("community.renewals", renewal_todos),
        ("community.silent", silent_todos),
        ("community.flags", flag_todos),
        ("community.imports", import_todos),
        ("community.deliveries", delivery_todos),
    ):
        todo_provider_register(name=name, provider=provider)
