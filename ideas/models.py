"""Ideas, votes, pilots, agreements, feedback instruments, check-ins and responses."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, Segment, TimeStamped
from community.models import EngagementLevel, Garden

# --- Ideas -------------------------------------------------------------------------------------


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
    title = models.CharField(max_length=200)
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


# --- Pilots ------------------------------------------------------------------------------------


class PilotState(models.TextChoices):
    DRAFT = "draft", "Draft"
    RECRUITING = "recruiting", "Recruiting"
    RUNNING = "running", "Running"
    CLOSED = "closed", "Closed"


class PilotDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt"
    ITERATE = "iterate", "Iterate"
    DECLINE = "decline", "Decline"


class Pilot(TimeStamped):
    """A time-boxed trial of an idea with selected accounts."""

    idea = models.ForeignKey(Idea, on_delete=models.PROTECT, related_name="pilots")
    title = models.CharField(max_length=200)
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

    def segment_allowed(self, segment: str) -> bool:
        return not self.eligible_segments or segment in self.eligible_segments

    @staticmethod
    def segment_choices():
        return Segment.choices


class PilotInvitation(models.Model):
    """An account invited to a pilot; only invited accounts see and join it."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="invitations")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="pilot_invitations")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["account__name"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "account"], name="one_invitation_per_pilot"),
        ]

    def __str__(self) -> str:
        return f"{self.account} invited to {self.pilot}"


class Agreement(models.Model):
    """The NDA or terms of a pilot, versioned; each version is accepted once per account."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="agreements")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200, default="Pilot agreement")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pilot", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "version"], name="one_agreement_version"),
        ]

    def __str__(self) -> str:
        return f"{self.pilot} agreement v{self.version}"


class AgreementAcceptance(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="acceptances")
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="agreement_acceptances"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "account"], name="one_acceptance_per_account"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} accepted {self.agreement}"


class Enrolment(models.Model):
    """A member taking part in a pilot for their account."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="enrolments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="enrolments")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["pilot", "user"], name="one_enrolment_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.pilot}"


# --- Feedback instrument -----------------------------------------------------------------------


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


class Dimension(models.Model):
    """What customers judge: useful, usable, delightful, speed, trust — or the PM's own."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="dimensions")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["instrument", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "key"], name="one_dimension_key"),
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
    prompt = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
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


# --- Check-ins and responses -------------------------------------------------------------------


class CheckIn(models.Model):
    """A moment at which members answer: the expectation at enrolment, experience check-ins."""

    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="check_ins")
    phase = models.CharField(max_length=20, choices=Phase.choices)
    title = models.CharField(max_length=200)
    due_on = models.DateField(
        null=True, blank=True, help_text="When it is due; the expectation is due at enrolment."
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pilot", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.pilot}: {self.title}"


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


class Reminder(models.Model):
    """A reminder sent for a due check-in (for the 3-day spacing and the 30-day cap)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_reminders"
    )
    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["user", "sent_at"], name="reminder_user_time")]

    def __str__(self) -> str:
        return f"Reminder to {self.user} for {self.check_in_id}"
