"""Pilots: time-boxed trials of an idea, their schedule, eligibility and decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts.formats import format_date
from accounts.models import Segment, TimeStamped
from community.models import EngagementLevel
from config.single_line import validate_single_line
from ideas.models.ideas import Idea


class PilotState(models.TextChoices):
    DRAFT = "draft", "Draft"
    RECRUITING = "recruiting", "Recruiting"
    RUNNING = "running", "Running"
    CLOSED = "closed", "Closed"


class PilotDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt"
    ITERATE = "iterate", "Iterate"
    DECLINE = "decline", "Decline"


# A closed pilot's decision, as "Closed — …" says it.
DECIDED_WORDS = {
    PilotDecision.ADOPT: "adopted",
    PilotDecision.ITERATE: "iterating",
    PilotDecision.DECLINE: "declined",
}


class Pilot(TimeStamped):
    """A time-boxed trial of an idea with selected accounts."""

    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="pilots")
    title = models.CharField(max_length=200, validators=[validate_single_line])
    description = models.TextField()
    what_to_expect = models.TextField(
        help_text="Said before the trial, so that expectations are set explicitly."
    )
    recruiting_opens = models.DateField()
    runs_from = models.DateField()
    runs_until = models.DateField()
    capacity = models.PositiveIntegerField(help_text="How many accounts can take part.")
    eligible_segments = models.JSONField(
        default=list, blank=True, help_text="Segments that may take part; empty means all."
    )
    min_engagement_level = models.CharField(
        max_length=20,
        choices=EngagementLevel.choices,
        blank=True,
        help_text="Accounts below this level are not eligible; blank means any level.",
    )
    state = models.CharField(max_length=20, choices=PilotState.choices, default=PilotState.DRAFT)
    published = models.BooleanField(
        default=False, help_text="Published pilots open and close on their dates."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=PilotDecision.choices, blank=True)
    outcome_note = models.TextField(blank=True, help_text='"You said, we did."')
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-runs_from", "-pk"]
        permissions = [
            ("manage_pilot", "Can create and run pilots and design their instruments"),
            ("view_pilot_results", "Can read pilot results and verbatims"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recruiting_opens__lte=models.F("runs_from"))
                & Q(runs_from__lt=models.F("runs_until")),
                name="pilot_schedule_in_order",
            ),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="pilot_capacity_positive"),
            models.CheckConstraint(
                condition=Q(decision="") | Q(state="closed"),
                name="pilot_decided_only_when_closed",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:pilot-detail", kwargs={"pk": self.pk})

    @property
    def state_label(self) -> str:
        """The state as people say it, the one wording of every page and export: "Draft",
        "Scheduled — recruiting opens 15 Dec 2026", "Recruiting", "Running", "Awaiting
        decision", "Closed — adopted" (docs/product.md, "Pilot states")."""
        if self.state == PilotState.DRAFT:
            if not self.published:
                return "Draft"
            return f"Scheduled — recruiting opens {format_date(self.recruiting_opens)}"
        if self.state == PilotState.CLOSED:
            if not self.decision:
                return "Awaiting decision"
            return f"Closed — {DECIDED_WORDS[self.decision]}"
        return PilotState(self.state).label

    @property
    def state_key(self) -> str:
        """The state as a CSS class suffix: the badge of `state_label`."""
        if self.state == PilotState.DRAFT and self.published:
            return "scheduled"
        if self.state == PilotState.CLOSED and not self.decision:
            return "awaiting-decision"
        return self.state

    def segment_allowed(self, segment: str) -> bool:
        return not self.eligible_segments or segment in self.eligible_segments

    @staticmethod
    def segment_choices():
        return Segment.choices
