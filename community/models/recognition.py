"""Recognition: the milestones a person reaches, shown as badges on their profile.

Milestones are computed from what people did (activity events, posts, reactions, harvests) by
community.services.recognition.milestones_award; each is awarded at most once per person (a unique
constraint, not a check in Python: two runs at once cannot both award it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.models import Account


class MilestoneKind(models.TextChoices):
    # Customers' contributions
    FIRST_IDEA = "first_idea", "First idea"
    FIRST_VOTE = "first_vote", "First vote"
    FIRST_FEEDBACK = "first_feedback", "First pilot feedback"
    # Community cannot see whether a pilot closed (that lives in ideas): "completed" means the
    # person saw a pilot through from their side, expectation before and experience after.
    FIRST_PILOT_COMPLETED = "first_pilot_completed", "First pilot seen through"
    FIRST_DISCUSSION_POST = "first_discussion_post", "First discussion post"
    TEN_HELPFUL_ANSWERS = "ten_helpful_answers", "Ten helpful answers"
    FIRST_HARVEST_INSPIRED = "first_harvest_inspired", "First harvest inspired"
    # Internal people's support ("engagement support counts on all sides")
    FIRST_LOOP_CLOSED = "first_loop_closed", "First loop closed"
    FIRST_HARVEST_PUBLISHED = "first_harvest_published", "First harvest published"


MILESTONE_DESCRIPTIONS: dict[str, str] = {
    MilestoneKind.FIRST_IDEA: "Proposed an idea in a garden.",
    MilestoneKind.FIRST_VOTE: "Voted for an idea.",
    MilestoneKind.FIRST_FEEDBACK: "Told us how a pilot went: experience feedback given.",
    MilestoneKind.FIRST_PILOT_COMPLETED: "Saw a pilot through: said what they expected before "
    "it and how it went after.",
    MilestoneKind.FIRST_DISCUSSION_POST: "Wrote in a garden discussion.",
    MilestoneKind.TEN_HELPFUL_ANSWERS: "Others marked their posts helpful ten times.",
    MilestoneKind.FIRST_HARVEST_INSPIRED: "A harvest was published from their feedback or posts.",
    MilestoneKind.FIRST_LOOP_CLOSED: "Closed the loop on a customer's idea.",
    MilestoneKind.FIRST_HARVEST_PUBLISHED: "Published a harvest for customers.",
}


class Milestone(models.Model):
    """A milestone a person reached (a badge). `account` is the person's account when it was
    awarded (empty for internal people), so a badge earned for one company stays with it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(max_length=40, choices=MilestoneKind.choices)
    account = models.ForeignKey(
        Account,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        help_text="The person's account when it was awarded (empty for internal people).",
    )
    awarded_at = models.DateTimeField(
        default=timezone.now, help_text="When it was earned (the deciding action, if known)."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-awarded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="milestone_once_per_person"),
            models.CheckConstraint(
                condition=models.Q(kind__in=MilestoneKind.values), name="milestone_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"

    @property
    def description(self) -> str:
        return MILESTONE_DESCRIPTIONS.get(self.kind, "")
