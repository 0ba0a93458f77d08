"""Ideas: what to try with customers, its workflow log, votes, follows and comments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, TimeStamped
from community.models import Garden
from config.single_line import validate_single_line


class IdeaStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    UNDER_REVIEW = "under_review", "Under review"
    PLANNED = "planned", "Planned"
    PILOTING = "piloting", "Piloting"
    EVALUATED = "evaluated", "Evaluated"
    ADOPTED = "adopted", "Adopted"
    ITERATE = "iterate", "Iterate"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MERGED = "merged", "Merged into another idea"


class Idea(TimeStamped):
    """Something to try with customers: a feature, scenario, service or business model."""

    garden = models.ForeignKey(Garden, on_delete=models.PROTECT, related_name="ideas")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    job_to_be_done = models.TextField(help_text="The job this should do for the customer.")
    proposal = models.TextField()
    links = models.JSONField(default=list, blank=True, help_text="Related links (URLs).")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="ideas"
    )
    author_account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ideas",
        help_text="The author's account when they proposed it.",
    )
    status = models.CharField(
        max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.PROPOSED
    )
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["garden", "status"], name="idea_garden_status")]
        permissions = [
            ("moderate_idea", "Can move ideas through the workflow and merge duplicates"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(status="merged"),
                name="only_merged_ideas_point_elsewhere",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:idea-detail", kwargs={"pk": self.pk})


class IdeaTransition(models.Model):
    """One step of an idea's workflow: who moved it, when, and why."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=IdeaStatus.choices)
    to_status = models.CharField(max_length=20, choices=IdeaStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.idea}: {self.from_status} → {self.to_status}"


class Vote(models.Model):
    """One vote per person and idea; `account` is the voter's account (None for staff)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_votes"
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="idea_votes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_vote_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} supports {self.idea}"


class Follow(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idea_follows"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_follow_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.idea}"


class Comment(TimeStamped):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="idea_comments"
    )
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.idea}"
