"""Serializers of the feedback API: check-ins and members' responses (the questions and
dimensions of a check-in are the instrument's serializers)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field

from config import api_serializers as serializers
from ideas.api.instrument_serializers import DimensionSerializer, QuestionSerializer
from ideas.models import (
    FeedbackResponse,
    Phase,
)

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
