"""Feedback: the check-ins at which members answer, their responses (a draft, then submitted
once) and the answers."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.models import TimeStamped
from config.single_line import validate_single_line
from ideas.models.enrolment import Enrolment
from ideas.models.instrument import Dimension, Instrument, Phase, Question
from ideas.models.pilots import Pilot


class CheckIn(models.Model):
    """A moment at which members answer: the expectation at enrolment, experience check-ins."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="check_ins")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    title = models.CharField(max_length=200, validators=[validate_single_line])
    due_on = models.DateField(
        null=True, blank=True, help_text="When it is due; the expectation is due at enrolment."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pilot", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.pilot}: {self.title}"

    @property
    def staff_title(self) -> str:
        return check_in_staff_title(self.title)


def check_in_staff_title(title: str) -> str:
    """A check-in's title as internal users read it: a title speaks to the participants
    ("Your expectations"); staff read about them ("Participants’ expectations")."""
    if title[:5].lower() == "your ":
        return f"Participants’ {title[5:]}"
    return title


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"


class FeedbackResponse(TimeStamped):
    """A member's answers to one check-in: saved as a draft, submitted once."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="responses")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["check_in", "enrolment"], name="one_response_per_check_in"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", submitted_at__isnull=True)
                | Q(status="submitted", submitted_at__isnull=False),
                name="submitted_responses_have_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} — {self.check_in.title} ({self.status})"


class Answer(models.Model):
    response = models.ForeignKey(FeedbackResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )
    value_int = models.SmallIntegerField(null=True, blank=True)
    value_text = models.TextField(blank=True)
    value_choices = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["response", "question", "dimension"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "dimension"],
                name="one_answer_per_question_dimension",
            ),
            models.UniqueConstraint(
                fields=["response", "question"],
                condition=Q(dimension__isnull=True),
                name="one_answer_per_plain_question",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"
