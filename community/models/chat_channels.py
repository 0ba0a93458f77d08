"""Chat channels: a Slack or Microsoft Teams incoming webhook that an account's team or a garden's
stewards set up, which of the kinds of notification it receives and how (the email vocabulary:
`Delivery`, per kind, with the kinds' own choices), and what was posted to it: one delivery per
channel and thing told, and one digest per channel and period.

A channel belongs either to an account (for its account team: that account's engagement alerts,
and the decisions of the pilots it took part in or whose idea it proposed) or to a garden (the
harvests published from it, and the decisions of its pilots). An account's channel is internal;
a garden's is read by the members of every account in the garden, so people are named in it as
a member of another account reads them (`ChatChannel.reader`, accounts/people.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Account, User
from accounts.people import person_name, reader_standing_in
from community.models.alerts import Alert
from community.models.gardens import Garden
from community.models.notifications import Delivery, DigestPeriod, NotifyKind, actor_text_render
from config.field_encryption import EncryptedTextField
from config.single_line import validate_single_line


class ChatProvider(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


# The kinds each sort of channel can receive, with the label its settings show.
ACCOUNT_CHANNEL_KINDS = {
    NotifyKind.ENGAGEMENT_ALERT: "Engagement alerts on the account",
    NotifyKind.PILOT_DECISION: "Decisions of pilots the account took part in",
}
GARDEN_CHANNEL_KINDS = {
    NotifyKind.HARVEST_PUBLISHED: "Harvests published from the garden",
    NotifyKind.PILOT_DECISION: "Decisions of the garden's pilots",
}
# What one thing of a kind is called in a message ("Engagement alert · Acme").
KIND_NOUNS = {
    NotifyKind.ENGAGEMENT_ALERT: "Engagement alert",
    NotifyKind.PILOT_DECISION: "Pilot decision",
    NotifyKind.HARVEST_PUBLISHED: "New harvest",
}
# The email's delivery choices as a channel's settings say them (no "in the app" for a channel).
CHANNEL_DELIVERY_LABELS = {
    Delivery.IMMEDIATELY: "Immediately",
    Delivery.DAILY: "Daily digest",
    Delivery.WEEKLY: "Weekly digest",
    Delivery.OFF: "Off",
}
URL_SHOWN_TAIL = 4  # the characters of a saved URL shown back after its host


def kind_noun(kind: str) -> str:
    return KIND_NOUNS.get(kind, kind.replace("_", " ").capitalize())


class ChatChannel(models.Model):
    """An incoming-webhook URL of a Slack or Teams channel, for one account's team (`account`)
    or for one garden (`garden`): exactly one of the two.

    `url` holds the webhook's secret (whoever has it can post to the channel): it is stored
    encrypted and never shown back whole once saved (`url_shown`). `last_*` is the outcome of
    the latest post to it, a message or the "send test message" button."""

    provider = models.CharField(max_length=10, choices=ChatProvider.choices)
    name = models.CharField(
        max_length=100,
        validators=[validate_single_line],
        help_text="What the channel is called, such as #acme-account-team.",
    )
    url = EncryptedTextField(
        validators=[validate_single_line],
        help_text="Encrypted in the database (config/field_encryption.py).",
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="chat_channels"
    )
    garden = models.ForeignKey(
        Garden, on_delete=models.CASCADE, null=True, blank=True, related_name="chat_channels"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    last_posted_at = models.DateTimeField(null=True, blank=True)
    last_succeeded = models.BooleanField(null=True, blank=True)
    last_result = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_single_line],
        help_text="The latest post's outcome: HTTP 200, timed out…",
    )

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(account__isnull=False, garden__isnull=True)
                | Q(account__isnull=True, garden__isnull=False),
                name="chat_channel_of_account_or_garden",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.name}"

    @property
    def is_internal(self) -> bool:
        """An account team's channel (only internal people read it)."""
        return self.account_id is not None

    @property
    def kinds(self) -> dict[str, str]:
        """The kinds this sort of channel can receive, with their labels."""
        return ACCOUNT_CHANNEL_KINDS if self.is_internal else GARDEN_CHANNEL_KINDS

    @property
    def url_shown(self) -> str:
        """The saved URL as shown back: its host and its last characters, never its secret."""
        host = urlsplit(self.url).hostname or ""
        return f"{host}/…{self.url[-URL_SHOWN_TAIL:]}"

    @property
    def reader(self) -> User:
        """Who reads the channel, to the naming rule: internal (an account team's), or a
        customer to whom everyone named is a member of another account (a garden's)."""
        return reader_standing_in(internal=self.is_internal)


class ChatChannelPreference(models.Model):
    """How a channel receives one kind: immediately, in the daily or weekly digest, or off
    (the kind's choices of `community.models.notifications.KINDS`, as for email). No row: off."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="preferences")
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=12, choices=Delivery.choices)

    class Meta:
        ordering = ["channel", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "kind"], name="one_chat_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.kind} {self.delivery}"


class ChatPostStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for the digest"
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Posted"
    FAILED = "failed", "Failed"
    LEFT_OUT = "left_out", "Left out (no longer true)"


class ChatPost(models.Model):
    """What one post to a channel needs to be made once: its state, attempts and lease (a
    worker claims it with an UPDATE before each attempt, as webhook deliveries are claimed)."""

    status = models.CharField(
        max_length=10, choices=ChatPostStatus.choices, default=ChatPostStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, validators=[validate_single_line])
    locked_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class ChatDigest(ChatPost):
    """One digest post per channel, period and period start (the day, or the Monday of the
    week): the deliveries it holds are gathered once, so a post made again holds the same."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=10, choices=DigestPeriod.choices)
    period_start = models.DateField()

    class Meta:
        ordering = ["-period_start", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "period", "period_start"], name="one_chat_digest_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.get_period_display()} digest of {self.period_start}"


class ChatDelivery(ChatPost):
    """One thing told to one channel (an alert, a pilot decision, a harvest: `subject`), at
    most once per channel, kind and subject. Posted on its own (`delivery` immediately: pending
    until posted) or waiting for the channel's digest of its period (`digest` once gathered).

    Like a notification it keeps who acted, never their name: with `names_actor`, `title` and
    `body` hold the `{actor}` slot, filled for the channel's reader when it is posted."""

    channel = models.ForeignKey(ChatChannel, on_delete=models.CASCADE, related_name="deliveries")
    kind = models.CharField(max_length=40)
    subject = models.CharField(max_length=100, help_text="What it is about: alert:12, pilot:3…")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    body = models.TextField(blank=True)
    url = models.CharField(
        max_length=300, blank=True, validators=[validate_single_line], help_text="A site path."
    )
    delivery = models.CharField(max_length=12, choices=Delivery.choices)
    digest = models.ForeignKey(
        ChatDigest, on_delete=models.SET_NULL, null=True, blank=True, related_name="deliveries"
    )
    alert = models.ForeignKey(
        Alert, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    names_actor = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "kind", "subject"], name="one_chat_delivery_per_subject"
            )
        ]
        indexes = [
            models.Index(
                fields=["delivery", "channel"],
                condition=Q(status="waiting"),
                name="chat_delivery_waiting",
            ),
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="chat_delivery_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.title}"

    @property
    def actor_name(self) -> str:
        """Who acted, named for the channel's reader (accounts/people.py's rule)."""
        channel = self.channel
        return person_name(
            viewer=channel.reader,
            person=self.actor,
            person_account_id=self.actor_account_id,
            person_account=self.actor_account,
            garden=channel.garden,
        )

    @property
    def shown_title(self) -> str:
        return actor_text_render(self.title, self.actor_name) if self.names_actor else self.title

    @property
    def shown_body(self) -> str:
        return actor_text_render(self.body, self.actor_name) if self.names_actor else self.body
