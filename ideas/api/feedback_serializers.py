"""Serializers of the feedback API: instruments (for product managers), check-ins and members'
responses."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ideas.models import (
    KIND_RANGES,
    Dimension,
    FeedbackResponse,
    Phase,
    Question,
    QuestionKind,
    QuestionRole,
)
from ideas.services.feedback import MAX_OPTION_LENGTH, MAX_OPTIONS

ANSWERS_HELP = (
    "The answers keyed by question id. The value depends on the question's kind: a whole number "
    "for a scale (1–7, 0–6) or a 0–10 likelihood; for a question asked per dimension, an object "
    "of dimension key → whole number; one of the options (a string) for a single choice; a list "
    'of options for a multiple choice; a string for free text. A missing key, null, "" or [] '
    "means not answered. Errors name the field `answers.<question id>` or "
    "`answers.<question id>.<dimension key>`."
)

ANSWERS_SCHEMA = {
    "type": "object",
    "description": ANSWERS_HELP,
    "additionalProperties": {
        "nullable": True,
        "oneOf": [
            {"type": "integer", "description": "Scale or likelihood."},
            {"type": "string", "description": "Single choice option, or free text."},
            {
                "type": "array",
                "items": {"type": "string"},
                "description": "Multiple choice options.",
            },
            {
                "type": "object",
                "additionalProperties": {"type": "integer", "nullable": True},
                "description": "Per-dimension scale: dimension key → rating.",
            },
        ],
    },
    "example": {
        "12": {"useful": 6, "usable": 5, "delightful": 4, "speed": 6, "trust": 7},
        "15": "Partly",
        "16": 8,
        "18": "Sync took longer than a minute on the train.",
    },
}


@extend_schema_field(ANSWERS_SCHEMA)
class AnswersField(serializers.DictField):
    """Answers keyed by question id; checked against the instrument by the service."""

    child = serializers.JSONField(allow_null=True)


class DimensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Dimension
        fields = ["id", "key", "label", "description", "position"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer):
    choices = serializers.ListField(child=serializers.CharField(), read_only=True)
    min_value = serializers.SerializerMethodField(help_text="Lowest rating of a scale.")
    max_value = serializers.SerializerMethodField(help_text="Highest rating of a scale.")

    class Meta:
        model = Question
        fields = [
            "id",
            "phase",
            "kind",
            "role",
            "per_dimension",
            "prompt",
            "help_text",
            "required",
            "choices",
            "min_value",
            "max_value",
            "position",
        ]
        read_only_fields = fields

    def get_min_value(self, question: Question) -> int | None:
        return KIND_RANGES[question.kind][0] if question.kind in KIND_RANGES else None

    def get_max_value(self, question: Question) -> int | None:
        return KIND_RANGES[question.kind][1] if question.kind in KIND_RANGES else None


class InstrumentSerializer(serializers.Serializer):
    """The current version of a pilot's instrument (see selectors.feedback.InstrumentDesign)."""

    id = serializers.IntegerField(source="instrument.id")
    pilot = serializers.IntegerField(source="pilot.id")
    version = serializers.IntegerField(source="instrument.version")
    has_responses = serializers.BooleanField(
        help_text="Members have answered this version: the next edit makes a new version."
    )
    editable = serializers.BooleanField(help_text="False once the pilot is closed.")
    dimensions = DimensionSerializer(many=True)
    questions = QuestionSerializer(many=True)


class QuestionCreateSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Phase.choices)
    kind = serializers.ChoiceField(choices=QuestionKind.choices)
    prompt = serializers.CharField(max_length=300)
    help_text = serializers.CharField(max_length=300, allow_blank=True, default="")
    required = serializers.BooleanField(default=True)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=MAX_OPTION_LENGTH),
        max_length=MAX_OPTIONS,
        default=list,
        help_text="Options of a single or multiple choice question: at least two, all different.",
    )
    per_dimension = serializers.BooleanField(
        default=False, help_text="Ask once for every dimension (scales only)."
    )
    role = serializers.ChoiceField(
        choices=QuestionRole.choices,
        allow_blank=True,
        default="",
        help_text="What the results read it as; blank for a custom question. One per role.",
    )


class QuestionUpdateSerializer(serializers.Serializer):
    """Rewording; phase, kind, role and per-dimension are fixed once a question exists."""

    prompt = serializers.CharField(max_length=300, required=False)
    help_text = serializers.CharField(max_length=300, allow_blank=True, required=False)
    required = serializers.BooleanField(required=False)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=MAX_OPTION_LENGTH),
        max_length=MAX_OPTIONS,
        required=False,
    )


class DimensionCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=300, allow_blank=True, default="")


class DimensionUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False)
    description = serializers.CharField(max_length=300, allow_blank=True, required=False)


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class ResponseSerializer(serializers.ModelSerializer):
    """The caller's own response to a check-in."""

    instrument_version = serializers.IntegerField(source="instrument.version", read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackResponse
        fields = [
            "id",
            "check_in",
            "status",
            "instrument_version",
            "answers",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ANSWERS_SCHEMA)
    def get_answers(self, response: FeedbackResponse) -> dict:
        return self.context["answers"]


class ResponseWriteSerializer(serializers.Serializer):
    answers = AnswersField()


class ResponseSubmitSerializer(serializers.Serializer):
    answers = AnswersField(
        required=False,
        help_text="Leave out to submit the saved draft as it is. " + ANSWERS_HELP,
    )


class CheckInPilotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    what_to_expect = serializers.CharField()


class CheckInSheetSerializer(serializers.Serializer):
    """A check-in with the questions the caller answers (the version of their response, or
    the newest) and their own response, if any (see selectors.feedback.CheckInSheet)."""

    id = serializers.IntegerField(source="check_in.id")
    pilot = CheckInPilotSerializer(source="check_in.pilot")
    phase = serializers.ChoiceField(choices=Phase.choices, source="check_in.phase")
    title = serializers.CharField(source="check_in.title")
    due_on = serializers.DateField(
        source="check_in.due_on", allow_null=True, help_text="Null: due at enrolment."
    )
    closed_reason = serializers.CharField(
        help_text="Why it cannot be answered now; empty when it can."
    )
    instrument_version = serializers.IntegerField(source="instrument.version")
    dimensions = DimensionSerializer(many=True)
    questions = QuestionSerializer(many=True)
    response = ResponseSerializer(allow_null=True)
