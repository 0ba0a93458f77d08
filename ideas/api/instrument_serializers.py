"""Serializers of the instrument designer's API: instruments, their questions and dimensions,
and the edits product managers make."""

from __future__ import annotations

from config import api_serializers as serializers
from config.single_line import validate_single_line
from ideas.models import KIND_RANGES, Dimension, Phase, Question, QuestionKind, QuestionRole
from ideas.models.instrument import TARGET_RANGE, validate_target
from ideas.services.instrument_checks import MAX_OPTION_LENGTH, MAX_OPTIONS

_TARGET_HELP = (
    f"The target experience: the experienced rating ({TARGET_RANGE[0]}–{TARGET_RANGE[1]}, one "
    "decimal) the product team aims for; null: none. Pilot results compare participants' "
    "expectations with it."
)


def _target_field(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=4,  # room for an out-of-range 10.5 to get validate_target's message; a huge
        decimal_places=1,  # number is refused for its digits instead of failing to round
        coerce_to_string=False,
        allow_null=True,
        validators=[validate_target],
        help_text=_TARGET_HELP,
        **kwargs,
    )


class DimensionSerializer(serializers.ModelSerializer):
    target = serializers.FloatField(allow_null=True, read_only=True, help_text=_TARGET_HELP)

    class Meta:
        model = Dimension
        fields = ["id", "key", "label", "description", "target", "position"]
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
    prompt = serializers.CharField(max_length=300, validators=[validate_single_line])
    help_text = serializers.CharField(
        max_length=300, allow_blank=True, default="", validators=[validate_single_line]
    )
    required = serializers.BooleanField(default=True)
    choices = serializers.ListField(
        child=serializers.CharField(
            max_length=MAX_OPTION_LENGTH, validators=[validate_single_line]
        ),
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

    prompt = serializers.CharField(
        max_length=300, required=False, validators=[validate_single_line]
    )
    help_text = serializers.CharField(
        max_length=300, allow_blank=True, required=False, validators=[validate_single_line]
    )
    required = serializers.BooleanField(required=False)
    choices = serializers.ListField(
        child=serializers.CharField(
            max_length=MAX_OPTION_LENGTH, validators=[validate_single_line]
        ),
        max_length=MAX_OPTIONS,
        required=False,
    )


class DimensionCreateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, validators=[validate_single_line])
    description = serializers.CharField(
        max_length=300, allow_blank=True, default="", validators=[validate_single_line]
    )
    target = _target_field(default=None)


class DimensionUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False, validators=[validate_single_line])
    description = serializers.CharField(
        max_length=300, allow_blank=True, required=False, validators=[validate_single_line]
    )
    target = _target_field(required=False)  # absent: unchanged; null: no target


class MoveSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
