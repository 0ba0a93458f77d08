"""Forms of the pilot pages. They only parse input; the rules live in ideas/services/pilots.py,
whose ValidationErrors the views put back beside the fields (`form_add_service_errors`)."""

from __future__ import annotations

from django import forms

from accounts.models import Account, Segment
from community.models import EngagementLevel
from config.single_line import validate_single_line
from ideas.models import PilotDecision, PilotState


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PilotForm(forms.Form):
    """The pilot's description, schedule, capacity and eligibility."""

    title = forms.CharField(max_length=200, validators=[validate_single_line])
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    what_to_expect = forms.CharField(
        label="What to expect",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Said before the trial, so that participants know what they are judging.",
    )
    recruiting_opens = forms.DateField(widget=DateInput())
    runs_from = forms.DateField(widget=DateInput())
    runs_until = forms.DateField(widget=DateInput())
    capacity = forms.IntegerField(
        min_value=1, label="Capacity (accounts)", help_text="How many accounts can take part."
    )
    eligible_segments = forms.MultipleChoiceField(
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every segment.",
    )
    min_engagement_level = forms.ChoiceField(
        choices=[("", "Any level")] + list(EngagementLevel.choices),
        required=False,
        label="Minimum engagement level",
        help_text="Accounts whose level is not computed yet count as Dormant.",
    )


class PilotCreateForm(PilotForm):
    """A new pilot also gets version 1 of its agreement."""

    agreement_title = forms.CharField(
        max_length=200, initial="Pilot agreement", validators=[validate_single_line]
    )
    agreement_text = forms.CharField(
        label="Agreement text",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The NDA or terms; each account's admin accepts it once for the account.",
    )


class PilotStateForm(forms.Form):
    state = forms.ChoiceField(choices=PilotState.choices)


class InviteForm(forms.Form):
    accounts = forms.ModelMultipleChoiceField(
        queryset=Account.objects.none(),
        to_field_name="slug",
        error_messages={"invalid_choice": "There is no account “%(value)s”."},
    )

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = accounts


class AgreementForm(forms.Form):
    title = forms.CharField(
        max_length=200, initial="Pilot agreement", validators=[validate_single_line]
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=PilotDecision.choices, widget=forms.RadioSelect)
    outcome_note = forms.CharField(
        label="Outcome note (“you said, we did”)",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Participants and the idea's followers read this.",
    )


class PilotFilterForm(forms.Form):
    state = forms.ChoiceField(
        choices=[("", "Any state")] + list(PilotState.choices), required=False
    )
    garden = forms.ChoiceField(choices=[("", "Any garden")], required=False)
    idea = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, gardens: list[tuple[str, str]], **kwargs):
        """`gardens`: (slug, name) of each garden to choose from."""
        super().__init__(*args, **kwargs)
        self.fields["garden"].choices = [("", "Any garden"), *gardens]
