"""Forms of the instrument designer (ideas/views/instrument.py). They parse the page's input;
the rules live in ideas/services/instrument.py, whose field errors come back onto the form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from config.forms import form_add_service_errors
from config.single_line import validate_single_line
from ideas.models import Phase, QuestionKind, QuestionRole
from ideas.models.instrument import TARGET_RANGE, validate_target
from ideas.services.instrument_checks import CHOICE_KINDS


def _lines(value: str) -> list[str]:
    """One option per line; each must be a single line (no tabs or other control characters)."""
    lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
    for line in lines:
        validate_single_line(line)
    return lines


class _ServiceErrors:
    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError on the fields it names (the rest on the form)."""
        form_add_service_errors(self, error)


class QuestionAddForm(_ServiceErrors, forms.Form):
    phase = forms.ChoiceField(label="When", choices=Phase.choices)
    kind = forms.ChoiceField(label="Kind", choices=QuestionKind.choices)
    prompt = forms.CharField(label="Question", max_length=300, validators=[validate_single_line])
    help_text = forms.CharField(
        label="Help for the member",
        max_length=300,
        required=False,
        validators=[validate_single_line],
    )
    choices = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For single and multiple choice questions: one option per line.",
    )
    per_dimension = forms.BooleanField(
        label="Ask once for every dimension (scales only)", required=False
    )
    required = forms.BooleanField(label="An answer is required", required=False, initial=True)
    role = forms.ChoiceField(
        label="Measures (for the results)",
        choices=QuestionRole.choices,
        required=False,
        help_text="Leave “Custom question” unless you restore a figure the results read.",
    )

    def clean_choices(self) -> list[str]:
        return _lines(self.cleaned_data.get("choices", ""))


class QuestionEditForm(_ServiceErrors, forms.Form):
    prompt = forms.CharField(label="Question", max_length=300, validators=[validate_single_line])
    help_text = forms.CharField(
        label="Help for the member",
        max_length=300,
        required=False,
        validators=[validate_single_line],
    )
    required = forms.BooleanField(label="An answer is required", required=False)
    choices = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One option per line; at least two, all different.",
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if kind not in CHOICE_KINDS:
            del self.fields["choices"]

    def clean_choices(self) -> list[str]:
        return _lines(self.cleaned_data.get("choices", ""))


class DimensionForm(_ServiceErrors, forms.Form):
    label = forms.CharField(label="Name", max_length=100, validators=[validate_single_line])
    description = forms.CharField(
        label="Description", max_length=300, required=False, validators=[validate_single_line]
    )
    target = forms.DecimalField(
        label="Target experience",
        required=False,
        max_digits=2,
        decimal_places=1,
        validators=[validate_target],
        help_text=f"The experienced rating ({TARGET_RANGE[0]}–{TARGET_RANGE[1]}) you aim for, "
        "to one decimal; leave empty for none. Results flag a promise that lifts participants' "
        "expectations above it. Members never see it.",
        widget=forms.NumberInput(
            attrs={"step": "0.1", "min": TARGET_RANGE[0], "max": TARGET_RANGE[1]}
        ),
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])
