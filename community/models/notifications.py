"""Notifications: what a person is told, in the app and by email, how each person wants each
kind delivered, and the digests that gather the ones they asked to get in a daily or weekly email.

The kinds, their labels and default delivery are registered below (`KINDS`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Account
from accounts.people import in_sentence, person_name
from config.emails import FAILURE_REASON_LENGTH
from config.single_line import validate_single_line


class Delivery(models.TextChoices):
    """How the email of a kind reaches a person (the in-app notification comes in every case)."""

    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off (in the app only)"


DIGESTS = frozenset({Delivery.DAILY, Delivery.WEEKLY})


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str
    group: str
    default: str = Delivery.IMMEDIATELY
    description: str = ""
    # The deliveries a person may choose (a kind with a digest of its own offers only that one).
    deliveries: tuple[str, ...] = tuple(Delivery.values)
    # True: its digest is not the general one (engagement alerts: community.services.alerts).
    own_digest: bool = False
    # True: only internal users get it (customers do not see it on their settings page).
    internal_only: bool = False


class NotifyKind:
    """The key of every kind of notification: the one list the services send by. Rows and
    preferences store these keys, so they never change; each is registered below with its label."""

    IDEA_STATUS = "idea_status"
    IDEA_COMMENT = "idea_comment"
    IDEA_MERGED = "idea_merged"
    PILOT_INVITATION = "pilot_invitation"
    PILOT_AGREEMENT = "pilot_agreement"
    PILOT_CLOSED = "pilot_closed"
    PILOT_DECISION = "pilot_decision"
    FEEDBACK_REMINDER = "feedback_reminder"
    ENGAGEMENT_ALERT = "engagement_alert"
    GARDEN_INVITATION = "garden_invitation"
    MENTION = "mention"
    REPLY = "reply"
    POST_FLAGGED = "post_flagged"
    HARVEST_PUBLISHED = "harvest_published"
    BADGE_AWARDED = "badge_awarded"

    @classmethod
    def keys(cls) -> set[str]:
        return {value for name, value in vars(cls).items() if name.isupper()}


KINDS: dict[str, NotificationKind] = {}


def _kind(key: str, label: str, group: str, default: str = Delivery.IMMEDIATELY, **kw) -> None:
    KINDS[key] = NotificationKind(key=key, label=label, group=group, default=default, **kw)


# --- Ideas and pilots ------------------------------------------------------------------------
_kind(NotifyKind.IDEA_STATUS, "An idea you follow changes status", "Ideas")
_kind(NotifyKind.IDEA_COMMENT, "A comment on an idea you follow", "Ideas")
_kind(NotifyKind.IDEA_MERGED, "An idea you follow is merged into another", "Ideas")
_kind(NotifyKind.PILOT_INVITATION, "Your account is invited to a pilot", "Pilots")
_kind(NotifyKind.PILOT_AGREEMENT, "A pilot agreement awaits your acceptance", "Pilots")
_kind(NotifyKind.PILOT_CLOSED, "A pilot you take part in closes", "Pilots")
_kind(NotifyKind.PILOT_DECISION, "The decision on a pilot", "Pilots")
_kind(NotifyKind.FEEDBACK_REMINDER, "Reminders to answer a pilot check-in", "Pilots")

# --- Account teams ---------------------------------------------------------------------------
_kind(
    NotifyKind.ENGAGEMENT_ALERT,
    "Engagement alerts on your accounts",
    "Account teams",
    description="The daily digest lists every alert raised on your accounts that day.",
    deliveries=(Delivery.IMMEDIATELY, Delivery.DAILY, Delivery.OFF),
    own_digest=True,
    internal_only=True,
)

# --- Gardens ---------------------------------------------------------------------------------
_kind(NotifyKind.GARDEN_INVITATION, "Your account is invited to a garden", "Gardens")
_kind(NotifyKind.MENTION, "Someone mentions you in a discussion", "Gardens")
_kind(NotifyKind.REPLY, "A reply in a discussion you take part in", "Gardens", Delivery.DAILY)
_kind(
    NotifyKind.POST_FLAGGED,
    "A post in a garden you steward is flagged",
    "Gardens",
    internal_only=True,
)
_kind(NotifyKind.HARVEST_PUBLISHED, "A new harvest for you", "Gardens", Delivery.WEEKLY)
_kind(NotifyKind.BADGE_AWARDED, "You earn a badge", "Gardens")


def kind_label(key: str) -> str:
    known = KINDS.get(key)
    return known.label if known else key.replace("_", " ").capitalize()


def kind_default(key: str) -> str:
    known = KINDS.get(key)
    return known.default if known else Delivery.IMMEDIATELY


def kind_deliveries(key: str) -> tuple[str, ...]:
    known = KINDS.get(key)
    return known.deliveries if known else tuple(Delivery.values)


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in KINDS.values()]


def kinds_with_own_digest() -> list[str]:
    return [k.key for k in KINDS.values() if k.own_digest]


class DigestPeriod(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"


class NotificationDigest(models.Model):
    """One digest email per person and period (the day, or the week starting on Monday).

    The row is the claim: the jobs insert it (unique per user, period and start, so a second or
    a concurrent run inserts nothing), then the sender claims it by an UPDATE on `claimed_at`
    (fresh claims are left alone) and sets `sent_at` once the email is out; the notifications
    it holds point at it. `failed_at` and `error`: it could not be sent, for good (its
    notifications say so too) and is not tried again."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    period = models.CharField(max_length=10, choices=DigestPeriod.choices)
    period_start = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(
        max_length=FAILURE_REASON_LENGTH, blank=True, validators=[validate_single_line]
    )

    class Meta:
        ordering = ["-period_start", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "period_start"], name="one_digest_per_user_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_period_display()} digest of {self.period_start}"


# --- Naming who acted, at read time ----------------------------------------------------------

ACTOR_SLOT = "{actor}"
_SLOT_OR_BRACES = re.compile(r"\{\{|\}\}|\{actor\}")


def actor_text(template: str, **values: object) -> str:
    """The stored text of a notification that names who acted: `template` holds the `{actor}`
    slot and `{value}`s; each value is brace-escaped, so the slot is the only one left and a
    title or a comment that holds braces reads back as written."""
    escaped = {k: str(v).replace("{", "{{").replace("}", "}}") for k, v in values.items()}
    return template.format(actor=ACTOR_SLOT, **escaped)


def actor_text_render(text: str, name: str) -> str:
    """`text` (from `actor_text`) with the slot filled with `name` and the braces unescaped; a
    brace left alone by a cut (titles are cut at 200 characters) stays as it is. Inside a
    sentence a description is written lower case ("… by a member of another account")."""

    def _fill(match: re.Match) -> str:
        token = match.group(0)
        if token != ACTOR_SLOT:
            return token[0]
        before = text[: match.start()].rstrip()
        return name if not before or before.endswith((".", "!", "?", ":")) else in_sentence(name)

    return _SLOT_OR_BRACES.sub(_fill, text)


class NotificationFanout(models.Model):
    """One message to tell a large audience, told by a task in chunks off the request path
    (community.services.notification_fanouts). The audience is kept as a query, not as a list
    of people: `audience` names a registered query of people and `audience_args` its arguments
    (the harvest, the idea); `exclude` (who acted) is not told.

    `told_up_to` is the high-water mark: every person of the audience with a lower or equal id
    has been told. A chunk tells the next people above it and moves it in one transaction, so
    a task that is retried, redelivered or killed and run again tells nobody twice (the unique
    constraint on Notification's fanout and user says so too). `finished_at`: everyone told."""

    kind = models.CharField(max_length=40, validators=[validate_single_line])
    title = models.CharField(max_length=200, validators=[validate_single_line])
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    garden = models.ForeignKey(
        "community.Garden", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    names_actor = models.BooleanField(default=False)
    email = models.BooleanField(default=True, help_text="Email as each person chose for the kind.")
    audience = models.CharField(max_length=60, validators=[validate_single_line])
    audience_args = models.JSONField(default=dict, blank=True)
    exclude = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    told_up_to = models.BigIntegerField(default=0)
    told_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.audience} {self.audience_args}: {self.title}"


class Notification(models.Model):
    """Something a person is told, in the app and (unless turned off) by email.

    Who acted is kept as a person (`actor`, the account they acted for: `actor_account`, and
    the garden it happened in: `garden`), never as a name: when `names_actor` is set, `title`
    and `body` hold the `{actor}` slot (`actor_text`), and every reader of the notification
    (the page, the API, the CSV, the email, the digest, the personal-data download) reads
    `shown_title` and `shown_body`, named for its person by accounts/people.py at read time.

    `email_delivery` is how its email goes, decided when it is made (from the person's
    preference for its kind): immediately (one email task), daily or weekly (a digest job
    gathers it), off, or empty (no email wanted: the caller said so, or emails were suppressed).
    `email_claimed_at` is the sender's claim, so that two runs of the task never both send.
    `email_failed_at` and `email_error` say that its email could not be sent, for good (a
    failure no retry can mend, or the retries spent): never sent again, listed in the Django
    admin with the reason."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=200, validators=[validate_single_line])
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_delivery = models.CharField(
        max_length=12, choices=Delivery.choices, blank=True, default=""
    )
    email_claimed_at = models.DateTimeField(null=True, blank=True)
    email_failed_at = models.DateTimeField("email failed at", null=True, blank=True)
    email_error = models.CharField(
        max_length=FAILURE_REASON_LENGTH,
        blank=True,
        validators=[validate_single_line],
        help_text="Why its email could not be sent.",
    )
    digest = models.ForeignKey(
        NotificationDigest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who acted (None: no one, or a person since deleted).",
    )
    actor_account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The account the actor acted for (None: one of the company's people).",
    )
    garden = models.ForeignKey(
        "community.Garden",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where it happened: its setting may name other accounts' members.",
    )
    names_actor = models.BooleanField(
        default=False, help_text="The title and body hold the {actor} slot, filled at read time."
    )
    fanout = models.ForeignKey(
        NotificationFanout,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
        help_text="The fan-out that told it to a large audience (None: told directly).",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fanout", "user"],
                condition=models.Q(fanout__isnull=False),
                name="one_notification_per_fanout_user",
            )
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(
                fields=["email_delivery", "user"],
                condition=models.Q(emailed_at__isnull=True, email_delivery__in=["daily", "weekly"]),
                name="notification_digest_pending",
            ),
            # The admins' "emails that failed" to-do reads the few failed rows, not all of them.
            models.Index(
                fields=["email_failed_at"],
                condition=models.Q(email_failed_at__isnull=False),
                name="notification_email_failed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"

    @property
    def actor_name(self) -> str:
        """Who acted, named for the notification's person (accounts/people.py's rule)."""
        return person_name(
            viewer=self.user,
            person=self.actor,
            person_account_id=self.actor_account_id,
            person_account=self.actor_account,
            garden=self.garden,
        )

    @property
    def shown_title(self) -> str:
        if not self.names_actor:
            return self.title
        return actor_text_render(self.title, self.actor_name)

    @property
    def shown_body(self) -> str:
        if not self.names_actor:
            return self.body
        return actor_text_render(self.body, self.actor_name)


class NotificationPreference(models.Model):
    """How one person wants the emails of one kind: immediately, in the daily or weekly digest,
    or off (the in-app notification comes in every case). No row: the kind's default.

    The one store of that choice, for every page, API and email (the alerts inbox's digest
    switch included). A row is written only when its delivery changes, so `updated_at` is when
    the person chose it: the engagement alert digest starts from there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"
