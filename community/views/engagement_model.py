"""The engagement model's settings page (programme admins)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from community.access.engagement import can_tune_engagement
from community.models import (
    DEFAULT_ACTIVITY_WEIGHTS,
    ActivityKind,
    EngagementModel,
)
from community.models.engagement import MODEL_FIELDS as ENGAGEMENT_MODEL_FIELDS
from community.selectors.engagement_model import (
    engagement_model_active,
    engagement_model_draft,
    engagement_model_versions,
    engagement_preview,
)
from community.services.engagement_model import engagement_model_activate

# The kinds a version weighs: every kind but the support-only ones (the engine never counts
# support events, so a weight for them would mean nothing).
WEIGHED_KINDS = [kind for kind in ActivityKind if kind != ActivityKind.LOOP_CLOSED]


# The numbers' names as the summary of the active version writes them
# (templates/community/engagement_model.html), not as the columns are called.
FIELD_LABELS = {
    "half_life_days": "Activity half-life (days)",
    "window_days": "Activity window (days)",
    "activity_scale": "Activity scale",
    "breadth_window_days": "Breadth: people active in (days)",
    "breadth_min_members": "Breadth: at least this many people",
    "breadth_share": "Breadth: share of the members",
    "co_creation_window_days": "Co-creation window (days)",
    "weight_activity": "Component weight: activity",
    "weight_breadth": "Component weight: breadth",
    "weight_co_creation": "Component weight: co-creation",
    "threshold_observing": "Level threshold: Observing",
    "threshold_participating": "Level threshold: Participating",
    "threshold_contributing": "Level threshold: Contributing",
    "threshold_co_creating": "Level threshold: Co-creating",
    "low_water_ratio": "Hysteresis: demote below this share of the threshold",
    "hold_days": "Hysteresis: after this many days at the level",
}


def _engagement_model_fields() -> dict[str, forms.Field]:
    """A form field per number of the model (weights apart: one field per activity kind)."""
    numbers = [name for name in ENGAGEMENT_MODEL_FIELDS if name != "weights"]
    fields = forms.fields_for_model(EngagementModel, fields=numbers, labels=FIELD_LABELS)
    for field in fields.values():
        field.required = True
    return fields


class EngagementModelForm(forms.Form):
    """The numbers of a new version, prefilled with the active one's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in WEIGHED_KINDS:
            self.fields[f"weight__{kind.value}"] = forms.FloatField(
                label=f"Weight: {kind.label}", min_value=0, max_value=1000
            )
        self.fields.update(_engagement_model_fields())
        self.fields["note"] = forms.CharField(
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Why this version (shown in the versions list).",
        )

    @classmethod
    def initial_for(cls, model: EngagementModel) -> dict:
        """The version's numbers. A kind it lacks (it weighs 0 there; kinds are added over
        time) is offered at its default weight, for the next version."""
        initial = {name: getattr(model, name) for name in ENGAGEMENT_MODEL_FIELDS}
        weights = initial.pop("weights") or {}
        for kind in WEIGHED_KINDS:
            initial[f"weight__{kind.value}"] = weights.get(
                kind.value, DEFAULT_ACTIVITY_WEIGHTS.get(kind, 0)
            )
        return initial

    def model_values(self) -> dict:
        """The cleaned numbers as the engine's keyword arguments."""
        data = dict(self.cleaned_data)
        data.pop("note", None)
        weights = {kind.value: data.pop(f"weight__{kind.value}") for kind in WEIGHED_KINDS}
        return {"weights": weights, **data}

    def add_model_errors(self, error: ValidationError) -> None:
        for name, errors in error.message_dict.items():
            self.add_error(name if name in self.fields else None, errors)


@login_required
def engagement_model_settings(request: HttpRequest) -> HttpResponse:
    """Programme admins: the active version's numbers, a form for a new version with a
    preview of the level changes it would make (nothing written), and activation."""
    if not can_tune_engagement(request.user):
        raise PermissionDenied("Only programme admins change the engagement model.")
    versions = list(engagement_model_versions())
    active = next((v for v in versions if v.is_active), None) or engagement_model_active()
    form = EngagementModelForm(
        request.POST or None, initial=EngagementModelForm.initial_for(active)
    )
    preview = draft = None
    if request.method == "POST" and form.is_valid():
        values = form.model_values()
        try:
            if request.POST.get("action") == "activate":
                model = engagement_model_activate(
                    created_by=request.user, note=form.cleaned_data["note"], **values
                )
            else:
                draft = engagement_model_draft(**values)
                preview = engagement_preview(model=draft)
        except ValidationError as error:
            form.add_model_errors(error)
        else:
            if draft is None:
                messages.success(
                    request, f"Version {model.version} is active; every account is recomputed."
                )
                return redirect("community:engagement-model")
    return render(
        request,
        "community/engagement_model.html",
        {
            "active": active,
            "weights": [  # what the active version weighs: 0 for a kind it lacks
                (kind.label, (active.weights or {}).get(kind.value, 0)) for kind in WEIGHED_KINDS
            ],
            "form": form,
            "preview": preview,
            "draft": draft,
            "versions": versions,
        },
        status=400 if form.is_bound and form.errors else 200,
    )
