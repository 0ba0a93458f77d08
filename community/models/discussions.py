"""Discussions: threads and replies inside a garden, with reactions, flags, edit history and
moderation. Writes go through community.services.discussions; reads through
community.selectors.discussions.

Markdown is stored as written (`Post.body`) and rendered on display through
community.markdown.markdown_render, so a sanitiser fix reaches every old post too.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, TimeStamped
from community.models.gardens import Garden
from config.single_line import validate_single_line


class Thread(TimeStamped):
    """A conversation in a garden, opened by its first post.

    `post_count` and `last_post_at` count the posts customers can see (not hidden); the
    services keep them up to date so lists need no aggregate per row.
    """

    garden = models.ForeignKey(Garden, on_delete=models.CASCADE, related_name="threads")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads_started",
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads_started",
        help_text="The author's account when they started it; empty for internal authors.",
    )
    last_post_at = models.DateTimeField(default=timezone.now)
    post_count = models.PositiveIntegerField(
        default=0, help_text="Visible (not hidden) posts, the opening post included."
    )
    hidden_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set while its opening post is hidden: the whole thread vanishes for customers.",
    )

    class Meta:
        ordering = ["-last_post_at", "-pk"]
        indexes = [
            # The garden's thread list, most active first.
            models.Index(fields=["garden", "-last_post_at"], name="thread_garden_active"),
            models.Index(fields=["author", "garden"], name="thread_author"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("community:thread-detail", kwargs={"slug": self.garden.slug, "pk": self.pk})

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)


class Post(TimeStamped):
    """One message in a thread: the opening post or a reply. Body is Markdown source."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
        help_text="The author's account when they posted; empty for internal authors.",
    )
    body = models.TextField(max_length=20000)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.CharField(max_length=300, blank=True, validators=[validate_single_line])

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="post_thread_time"),
            models.Index(
                fields=["thread", "created_at"],
                condition=Q(hidden_at__isnull=True),
                name="post_thread_visible",
            ),
            models.Index(fields=["author", "created_at"], name="post_author_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="post_hidden_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class PostRevision(models.Model):
    """An earlier version of a post's body, kept when its author edits it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField()
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["post", "created_at"], name="post_revision_time")]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id} at {self.created_at:%Y-%m-%d %H:%M}"


class ReactionKind(models.TextChoices):
    LIKE = "like", "Like"
    THANKS = "thanks", "Thanks"
    HELPFUL = "helpful", "Helpful"
    INSIGHTFUL = "insightful", "Insightful"


class Reaction(models.Model):
    """A person's reaction to a post; each kind at most once per person and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_reactions"
    )
    kind = models.CharField(max_length=20, choices=ReactionKind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "user", "kind"], name="reaction_once"),
            models.CheckConstraint(
                condition=Q(kind__in=ReactionKind.values), name="reaction_kind_known"
            ),
        ]
        indexes = [models.Index(fields=["user", "kind"], name="reaction_user_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} post {self.post_id}"


class PostFlag(models.Model):
    """A member's report that a post needs a steward's look; once per person and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_flags"
    )
    reason = models.CharField(max_length=300, validators=[validate_single_line])
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="post_flag_once")]
        indexes = [
            models.Index(
                fields=["post"], condition=Q(handled_at__isnull=True), name="post_flag_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} flagged post {self.post_id}"


class ThreadVisit(models.Model):
    """When a person last saw a thread: posts after it are "new since your last visit"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_visits"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="visits")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-seen_at"]
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="thread_visit_once")]

    def __str__(self) -> str:
        return f"{self.user} saw {self.thread_id} at {self.seen_at:%Y-%m-%d %H:%M}"


class PostMention(models.Model):
    """A person @mentioned in a post (and told so once: an edit does not notify again)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="post_mentions"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="post_mention_once")]

    def __str__(self) -> str:
        return f"{self.user} mentioned in post {self.post_id}"
