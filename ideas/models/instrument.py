"""The feedback instrument of a pilot, versioned: its dimensions and questions, what each
question measures for the results (its role) and the shape a question of each role must have,
and the default instrument of docs/product.md.

The default instrument: before the trial, an expected rating (1–7) per dimension. During and
after: an experienced rating (1–7) and a sacrifice (0–6: how far short of what they wanted
exactly they had to settle) per dimension, job done (yes/partly/no), likelihood to adopt and to
recommend (0–10), and two free-text questions.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.single_line import validate_single_line
from ideas.models.pilots import Pilot


class Instrument(models.Model):
    """The questions of a pilot. Edited freely while the pilot is a draft; once responses exist,
    a change makes a new version and old responses keep theirs."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="instruments")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pilot", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "version"], name="one_instrument_version"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} instrument v{self.version}"


# A dimension's target is an experienced rating: the scale of the experienced question
# (ROLE_SHAPES[EXPERIENCED], a 1–7 scale), to one decimal.
TARGET_RANGE = (1, 7)


def validate_target(value: Decimal | None) -> None:
    """A target experience lies on the experienced rating's scale (TARGET_RANGE); the model,
    the designer's form, its API and its service all check it with this one message."""
    if value is not None and not TARGET_RANGE[0] <= value <= TARGET_RANGE[1]:
        raise ValidationError(
            f"Give a target from {TARGET_RANGE[0]} to {TARGET_RANGE[1]}, the scale of the "
            "experienced rating.",
            code="target_range",
        )


class Dimension(models.Model):
    """What customers judge: useful, usable, delightful, speed, trust — or the PM's own. The
    product team may set a target experience (docs/product.md, "Expectation calibration")."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=100, validators=[validate_single_line])
    description = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    position = models.PositiveIntegerField(default=0)
    target = models.DecimalField(
        max_digits=2,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[validate_target],
        help_text="The experienced rating (1–7) the product team aims for; empty: no target.",
    )

    class Meta:
        ordering = ["instrument", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="one_dimension_key"),
            models.CheckConstraint(
                condition=Q(target__isnull=True)
                | Q(target__gte=TARGET_RANGE[0], target__lte=TARGET_RANGE[1]),
                name="dimension_target_on_the_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Phase(models.TextChoices):
    EXPECTATION = "expectation", "Expectation (before the trial)"
    EXPERIENCE = "experience", "Experience (during and after)"


class QuestionKind(models.TextChoices):
    SCALE_1_7 = "scale_1_7", "Scale 1–7"
    SCALE_0_6 = "scale_0_6", "Scale 0–6"
    LIKELIHOOD_0_10 = "likelihood_0_10", "Likelihood 0–10"
    SINGLE_CHOICE = "single_choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    TEXT = "text", "Free text"


KIND_RANGES = {
    QuestionKind.SCALE_1_7: (1, 7),
    QuestionKind.SCALE_0_6: (0, 6),
    QuestionKind.LIKELIHOOD_0_10: (0, 10),
}


class QuestionRole(models.TextChoices):
    """What a question measures for the results, whatever its wording."""

    NONE = "", "Custom question"
    EXPECTED = "expected", "Expected rating per dimension"
    EXPERIENCED = "experienced", "Experienced rating per dimension"
    SACRIFICE = "sacrifice", "Sacrifice per dimension"
    JOB_DONE = "job_done", "Job done"
    ADOPT = "adopt", "Likelihood to adopt"
    RECOMMEND = "recommend", "Likelihood to recommend"
    UNMET = "unmet", "What did you expect that did not happen?"
    BETTER = "better", "What could we have done better?"


class Question(models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    kind = models.CharField(max_length=20, choices=QuestionKind.choices)
    role = models.CharField(max_length=20, choices=QuestionRole.choices, blank=True)
    per_dimension = models.BooleanField(default=False, help_text="Asked once for every dimension.")
    prompt = models.CharField(max_length=300, validators=[validate_single_line])
    help_text = models.CharField(max_length=300, blank=True, validators=[validate_single_line])
    required = models.BooleanField(default=True)
    choices = models.JSONField(
        default=list, blank=True, help_text="Options of a single or multiple choice question."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "phase", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(per_dimension=False)
                | Q(kind__in=["scale_1_7", "scale_0_6", "likelihood_0_10"]),
                name="per_dimension_questions_are_scales",
            ),
        ]

    def __str__(self) -> str:
        return self.prompt


# The shape a question must have for the results to read its role: (phase, kind, per dimension).
ROLE_SHAPES: dict[str, tuple[str, str, bool]] = {
    QuestionRole.EXPECTED: (Phase.EXPECTATION, QuestionKind.SCALE_1_7, True),
    QuestionRole.EXPERIENCED: (Phase.EXPERIENCE, QuestionKind.SCALE_1_7, True),
    QuestionRole.SACRIFICE: (Phase.EXPERIENCE, QuestionKind.SCALE_0_6, True),
    QuestionRole.JOB_DONE: (Phase.EXPERIENCE, QuestionKind.SINGLE_CHOICE, False),
    QuestionRole.ADOPT: (Phase.EXPERIENCE, QuestionKind.LIKELIHOOD_0_10, False),
    QuestionRole.RECOMMEND: (Phase.EXPERIENCE, QuestionKind.LIKELIHOOD_0_10, False),
    QuestionRole.UNMET: (Phase.EXPERIENCE, QuestionKind.TEXT, False),
    QuestionRole.BETTER: (Phase.EXPERIENCE, QuestionKind.TEXT, False),
}


# --- The default instrument ----------------------------------------------------------------------

DEFAULT_DIMENSIONS = [
    ("useful", "Useful", "Does the job it should do."),
    ("usable", "Usable", "Easy to learn and to use."),
    ("delightful", "Delightful", "Pleasant; evokes the senses."),
    ("speed", "Speed", "Fast enough for the job."),
    ("trust", "Trust", "Reliable, safe with your data."),
]

JOB_DONE_CHOICES = ["Yes", "Partly", "No"]

# (phase, kind, role, per_dimension, prompt, help_text, required, choices)
DEFAULT_QUESTIONS = [
    (
        Phase.EXPECTATION,
        QuestionKind.SCALE_1_7,
        QuestionRole.EXPECTED,
        True,
        "What do you expect?",
        "1 = very poor … 7 = excellent, for each aspect.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.SCALE_1_7,
        QuestionRole.EXPERIENCED,
        True,
        "How was it?",
        "1 = very poor … 7 = excellent, for each aspect.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.SCALE_0_6,
        QuestionRole.SACRIFICE,
        True,
        "How far short of what you wanted exactly did you have to settle?",
        "0 = not at all, it was exactly what we wanted … 6 = very far.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.SINGLE_CHOICE,
        QuestionRole.JOB_DONE,
        False,
        "Did it do the job?",
        "",
        True,
        JOB_DONE_CHOICES,
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.LIKELIHOOD_0_10,
        QuestionRole.ADOPT,
        False,
        "How likely are you to adopt it?",
        "0 = not at all likely … 10 = extremely likely.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.LIKELIHOOD_0_10,
        QuestionRole.RECOMMEND,
        False,
        "How likely are you to recommend it to a colleague or another company?",
        "0 = not at all likely … 10 = extremely likely.",
        True,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.TEXT,
        QuestionRole.UNMET,
        False,
        "What did you expect that did not happen?",
        "",
        False,
        [],
    ),
    (
        Phase.EXPERIENCE,
        QuestionKind.TEXT,
        QuestionRole.BETTER,
        False,
        "What could we have done better?",
        "",
        False,
        [],
    ),
]
