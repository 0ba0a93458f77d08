"""Alerts for account teams: raised after each engagement recompute, told to the account team (in
the app, by email or in their own daily digest, in the account's chat channels, and to the
webhooks), acknowledged and resolved by a person.

Raising is set-based, per chunk of account ids (community.services.engagement's
`engagement_recompute` calls `alerts_raise` once the chunk's snapshots have committed): one
query reads every figure the rules need, one reads the situations already resolved, one inserts
(ON CONFLICT DO NOTHING: the partial unique constraint keeps one open alert per account and
reason, so re-runs and parallel runs never duplicate), one reads back the rows this call
inserted, one reads their account teams; then each new alert is told to its account team (in the
app, and by email as each person chose): one query for their preferences and one insert for all
the chunk's notifications.

The rules, as of the end of `day`:

- level dropped: the day's snapshot sits at a lower level than the snapshot before it;
- score fell: the day's score is `SCORE_FALL_POINTS` or more below the highest score of the
  `SCORE_FALL_DAYS` days before;
- silent before renewal: no customer activity (support events do not count) for
  `SILENT_DAYS` days while the renewal date is within the next `RENEWAL_WINDOW_DAYS` days.

Before raising, the same call resolves the chunk's open alerts whose condition no longer holds
(`alerts_no_longer_true_resolve`, by community.selectors.alerts.alert_status, the rule the inbox
shows): "no longer true", with the reason in words, and told to no one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, OuterRef, Subquery, TextField, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, AccountTeamAssignment, User
from community.access.alerts import visible_alerts
from community.models import (
    Alert,
    AlertDigestMark,
    AlertReason,
    EngagementLevel,
    EngagementSnapshot,
    NotificationPreference,
)
from community.models.alerts import AlertResolution
from community.models.notifications import Delivery, NotifyKind
from community.selectors.alerts import (
    RENEWAL_WINDOW_DAYS,
    SCORE_FALL_DAYS,
    SCORE_FALL_POINTS,
    SILENT_DAYS,
    alert_status,
    with_alert_figures,
)
from community.selectors.engagement import last_customer_activity
from community.selectors.engagement_figures import day_end
from community.services.chat_deliveries import ChatNotice, chat_notices_post
from community.services.notification_emails import email_build
from community.services.notifications import (
    NotificationMessage,
    notification_preference_set,
    notify_many,
    unsubscribe_url,
)
from community.services.webhook_events import alerts_raised_emit, alerts_resolved_emit

NOTE_MAX_LENGTH = 2000


def _figures(*, account_ids: Sequence[int], day: dt.date) -> list[dict]:
    """Per account: the day's snapshot, the one before it, the peak of the score window, the
    last customer activity and the renewal date: one query (correlated subqueries on the
    (account, day) and (account, occurred_at) indexes)."""
    snapshots = EngagementSnapshot.objects.filter(account=OuterRef("pk"))
    today = snapshots.filter(day=day)
    previous = snapshots.filter(day__lt=day).order_by("-day")
    peak = snapshots.filter(
        day__gte=day - dt.timedelta(days=SCORE_FALL_DAYS), day__lt=day
    ).order_by("-score", "-day")
    return list(
        Account.objects.filter(pk__in=list(account_ids))
        .annotate(
            score=Subquery(today.values("score")[:1]),
            level=Subquery(today.values("level")[:1]),
            previous_level=Subquery(previous.values("level")[:1]),
            previous_day=Subquery(previous.values("day")[:1]),
            peak_score=Subquery(peak.values("score")[:1]),
            peak_day=Subquery(peak.values("day")[:1]),
            last_activity=last_customer_activity(before=day_end(day)),
        )
        .order_by("pk")
        .values(
            "pk",
            "renewal_date",
            "score",
            "level",
            "previous_level",
            "previous_day",
            "peak_score",
            "peak_day",
            "last_activity",
        )
    )


def _candidates(row: dict, *, day: dt.date) -> list[Alert]:
    """The alerts one account's figures call for (unsaved): one rule each."""
    rules = (_level_dropped, _score_fell, _silent_before_renewal)
    return [alert for rule in rules if (alert := rule(row, day=day)) is not None]


def _level_dropped(row: dict, *, day: dt.date) -> Alert | None:
    """The level of `day` is below the level of the snapshot before it."""
    if not (
        row["level"]
        and row["previous_level"]
        and EngagementLevel.rank(row["level"]) < EngagementLevel.rank(row["previous_level"])
    ):
        return None
    return Alert(
        account_id=row["pk"],
        reason=AlertReason.LEVEL_DROPPED,
        fingerprint=f"{day.isoformat()}:{row['previous_level']}>{row['level']}",
        details={
            "day": day.isoformat(),
            "from_level": row["previous_level"],
            "to_level": row["level"],
            "previous_day": _iso(row["previous_day"]),
            "score": _number(row["score"]),
        },
    )


def _score_fell(row: dict, *, day: dt.date) -> Alert | None:
    """The score is SCORE_FALL_POINTS or more below its peak of the last SCORE_FALL_DAYS."""
    if row["score"] is None or row["peak_score"] is None:
        return None
    fall = Decimal(row["peak_score"]) - Decimal(row["score"])
    if fall < SCORE_FALL_POINTS:
        return None
    return Alert(
        account_id=row["pk"],
        reason=AlertReason.SCORE_FELL,
        fingerprint=f"peak:{_iso(row['peak_day'])}",
        details={
            "day": day.isoformat(),
            "points": _number(fall),
            "days": SCORE_FALL_DAYS,
            "peak_score": _number(row["peak_score"]),
            "peak_day": _iso(row["peak_day"]),
            "score": _number(row["score"]),
        },
    )


def _silent_before_renewal(row: dict, *, day: dt.date) -> Alert | None:
    """No customer activity for SILENT_DAYS with the renewal within RENEWAL_WINDOW_DAYS."""
    renewal = row["renewal_date"]
    last = row["last_activity"]
    silent_since = day_end(day) - dt.timedelta(days=SILENT_DAYS)
    if not (
        renewal is not None
        and day <= renewal <= day + dt.timedelta(days=RENEWAL_WINDOW_DAYS)
        and (last is None or last < silent_since)
    ):
        return None
    last_day = timezone.localtime(last).date().isoformat() if last else None
    return Alert(
        account_id=row["pk"],
        reason=AlertReason.SILENT_BEFORE_RENEWAL,
        fingerprint=f"renewal:{renewal.isoformat()}:last:{last_day or 'never'}",
        details={
            "day": day.isoformat(),
            "silent_days": SILENT_DAYS,
            "last_activity": last_day,
            "renewal_date": renewal.isoformat(),
            "days_to_renewal": (renewal - day).days,
        },
    )


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _number(value) -> float | None:
    return None if value is None else float(value)


@transaction.atomic
def alerts_raise(*, account_ids: Sequence[int], day: dt.date | None = None) -> list[Alert]:
    """Resolve these accounts' open alerts that no longer hold as of `day` (default today),
    then raise the alerts their figures for `day` call for, and tell each new one to the
    account's team. Returns the alerts this call raised: an account and reason with an open
    alert already, or whose situation (fingerprint) was already resolved, gets none. Safe to
    run twice, and in parallel."""
    day = day or timezone.localdate()
    if not account_ids:
        return []
    alerts_no_longer_true_resolve(account_ids=account_ids, day=day)
    candidates = [
        alert
        for row in _figures(account_ids=account_ids, day=day)
        for alert in _candidates(row, day=day)
    ]
    if not candidates:
        return []
    resolved = set(
        Alert.objects.filter(
            account_id__in={c.account_id for c in candidates},
            resolved_at__isnull=False,
            fingerprint__in={c.fingerprint for c in candidates},
        ).values_list("account_id", "reason", "fingerprint")
    )
    stamp = timezone.now()
    fresh = [c for c in candidates if (c.account_id, c.reason, c.fingerprint) not in resolved]
    for alert in fresh:
        alert.raised_at = stamp
    if not fresh:
        return []
    Alert.objects.bulk_create(fresh, ignore_conflicts=True)
    # The rows this call inserted carry its timestamp; a conflicting (already open) alert or a
    # parallel run's row carries another.
    raised = list(
        Alert.objects.filter(
            account_id__in={c.account_id for c in fresh}, resolved_at__isnull=True, raised_at=stamp
        ).select_related("account")
    )
    _tell_account_teams(raised)
    chat_notices_post(notices=[_chat_notice(alert) for alert in raised])
    alerts_raised_emit(alerts=raised)
    return raised


def alerts_no_longer_true_resolve(*, account_ids: Sequence[int], day: dt.date) -> int:
    """Resolve the open alerts of these accounts whose condition no longer holds as of the end
    of `day` (community.selectors.alerts.alert_status: back at the level, the score back near
    its peak, active again, the renewal passed or moved, or a repaired history that no longer
    shows the drop), as "no longer true" with the reason in words as the note. No one is told
    (no notification, no webhook). One read and, when some ended, one UPDATE of the rows still
    open (a person resolving one at the same moment keeps theirs): a re-run resolves nothing.
    Returns how many it resolved."""
    open_alerts = with_alert_figures(
        Alert.objects.filter(
            account_id__in=list(account_ids), resolved_at__isnull=True
        ).select_related("account"),
        day=day,
    )
    ended: dict[int, str] = {}
    for alert in open_alerts:
        status = alert_status(alert)
        if status.holds is False:
            ended[alert.pk] = status.words
    if not ended:
        return 0
    stamp = timezone.now()
    resolved = Alert.objects.filter(pk__in=list(ended), resolved_at__isnull=True).update(
        resolved_at=stamp,
        resolution=AlertResolution.NO_LONGER_TRUE,
        resolution_note=Case(
            *[When(pk=pk, then=Value(words)) for pk, words in ended.items()],
            output_field=TextField(),
        ),
    )
    # Those this UPDATE resolved (a person's resolution at the same moment carries another).
    alerts_resolved_emit(
        alerts=Alert.objects.filter(
            pk__in=list(ended), resolved_at=stamp, resolution=AlertResolution.NO_LONGER_TRUE
        ).select_related("account")
    )
    return resolved


def _tell_account_teams(alerts: list[Alert]) -> None:
    """One in-app notification per alert and team member, emailed as each person chose for
    engagement alerts: one query for the teams, then `notify_many` (one for the preferences,
    one insert for all the chunk's notifications)."""
    if not alerts:
        return
    teams: dict[int, list[User]] = defaultdict(list)
    assignments = AccountTeamAssignment.objects.filter(
        account_id__in={a.account_id for a in alerts}, user__is_active=True
    ).select_related("user")
    for assignment in assignments:
        teams[assignment.account_id].append(assignment.user)
    notify_many(
        messages=[
            NotificationMessage(
                users=teams[alert.account_id],
                kind=NotifyKind.ENGAGEMENT_ALERT,
                title=_alert_title(alert),
                body=f"{alert.summary}\nAcknowledge and resolve it in the alerts inbox.",
                url=_alert_url(alert),
            )
            for alert in alerts
            if teams[alert.account_id]
        ]
    )


def _alert_title(alert: Alert) -> str:
    return f"{alert.account.name}: {alert.get_reason_display().lower()}"


def _alert_url(alert: Alert) -> str:
    return reverse("community:account-engagement", kwargs={"slug": alert.account.slug})


def _chat_notice(alert: Alert) -> ChatNotice:
    """The alert for its account's chat channels (community.services.chat_deliveries)."""
    return ChatNotice(
        kind=NotifyKind.ENGAGEMENT_ALERT,
        subject=f"alert:{alert.pk}",
        title=_alert_title(alert),
        body=alert.summary,
        url=_alert_url(alert),
        account_ids=[alert.account_id],
        alert_id=alert.pk,
    )


# --- The daily digest ------------------------------------------------------------------------


def alert_subscription_set(*, user: User, daily_digest: bool) -> NotificationPreference:
    """The alerts inbox's switch: one daily digest email (True) or one email per new alert
    (False). It sets the person's preference for engagement alerts, the one store of that
    choice (the notification settings page sets the same row, and offers "off" as well)."""
    return notification_preference_set(
        user=user,
        kind=NotifyKind.ENGAGEMENT_ALERT,
        delivery=Delivery.DAILY if daily_digest else Delivery.IMMEDIATELY,
    )


def alert_digests_send() -> int:
    """Email each person whose preference for engagement alerts is the daily digest the alerts
    of their accounts raised since their last digest (the last day for a first one), or since
    they chose the digest if that came later (nothing when there are none), but those already
    resolved as no longer true. Each person's
    digest is one transaction that locks their AlertDigestMark and moves it on, so a re-run
    sends nothing twice. Returns the number of emails sent."""
    user_ids = list(
        NotificationPreference.objects.filter(
            kind=NotifyKind.ENGAGEMENT_ALERT, delivery=Delivery.DAILY, user__is_active=True
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    # The marks of people on their first digest (a second or parallel run: they exist).
    AlertDigestMark.objects.bulk_create(
        [AlertDigestMark(user_id=user_id) for user_id in user_ids], ignore_conflicts=True
    )
    sent = 0
    for user_id in user_ids:
        sent += _alert_digest_send(user_id=user_id)
    return sent


@transaction.atomic
def _alert_digest_send(*, user_id: int) -> int:
    mark = (
        AlertDigestMark.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(user_id=user_id)
    )
    chosen_at = (
        NotificationPreference.objects.filter(
            user_id=user_id, kind=NotifyKind.ENGAGEMENT_ALERT, delivery=Delivery.DAILY
        )
        .values_list("updated_at", flat=True)
        .first()
    )
    if chosen_at is None:  # switched to another delivery since the list was read
        return 0
    now = timezone.now()
    # Since the last digest (a first one: the last day), and never from before the choice.
    since = max(mark.last_digest_at or now - dt.timedelta(days=1), chosen_at)
    raised = list(
        visible_alerts(mark.user)
        .filter(raised_at__gt=since, raised_at__lte=now)
        .exclude(resolution=AlertResolution.NO_LONGER_TRUE)  # over before anyone was told
        .select_related("account")
        .order_by("account__name", "reason")
    )
    mark.last_digest_at = now
    mark.save(update_fields=["last_digest_at", "updated_at"])
    if not raised:
        return 0
    user = mark.user
    unsubscribe = unsubscribe_url(user=user, kinds=[NotifyKind.ENGAGEMENT_ALERT])
    context = {
        "alerts": raised,
        "user": user,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe,
    }
    message = email_build(
        user=user,
        subject=f"{len(raised)} new engagement alert{'s' if len(raised) != 1 else ''}",
        text=render_to_string("community/email/alert_digest.txt", context),
        html=None,  # plain text only
        kinds=[NotifyKind.ENGAGEMENT_ALERT],
        unsubscribe=unsubscribe,
    )
    transaction.on_commit(message.send)
    return 1


@transaction.atomic
def alert_acknowledge(*, alert: Alert, user: User) -> Alert:
    """ "Seen, on it." Acknowledging twice keeps the first acknowledgement; a resolved alert
    cannot be acknowledged."""
    alert = Alert.objects.select_for_update(of=("self",)).select_related("account").get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise ValidationError("This alert is already resolved.")
    if alert.acknowledged_at is None:
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = user
        alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return alert


@transaction.atomic
def alert_resolve(*, alert: Alert, user: User, note: str) -> Alert:
    """Close the alert with a note saying what was done (required). It counts as acknowledged
    too. The same account and reason may then be raised again for a new situation."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Say what was done about it: a note is required."})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Keep the note to {NOTE_MAX_LENGTH} characters."})
    alert = Alert.objects.select_for_update(of=("self",)).select_related("account").get(pk=alert.pk)
    if alert.resolved_at is not None:
        raise ValidationError("This alert is already resolved.")
    now = timezone.now()
    if alert.acknowledged_at is None:
        alert.acknowledged_at = now
        alert.acknowledged_by = user
    alert.resolved_at = now
    alert.resolved_by = user
    alert.resolution_note = note
    alert.resolution = AlertResolution.BY_PERSON
    alert.save(
        update_fields=[
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "resolution_note",
            "resolution",
        ]
    )
    alerts_resolved_emit(alerts=[alert])
    return alert
