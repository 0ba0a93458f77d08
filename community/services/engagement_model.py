"""Writes of the engagement model's versions: a programme admin creates a new version (weights,
half-life, component weights, level thresholds) and activates it; the active version is the one
every later recompute uses, and each snapshot names the version that computed it."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from accounts.outbox import enqueue
from community.models import (
    EngagementModel,
)
from community.models.engagement import MODEL_FIELDS
from community.selectors.engagement_model import engagement_model_active


# The fields a new version may set; everything else is bookkeeping.
@transaction.atomic
def engagement_model_create(
    *, created_by: User | None, note: str = "", activate: bool = True, **values
) -> EngagementModel:
    """A new version: the active version's numbers with `values` changed. Validated (field
    errors raise ValidationError and write nothing); active at once unless `activate=False`
    (a draft to preview)."""
    unknown = set(values) - set(MODEL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown engagement model fields: {', '.join(sorted(unknown))}")
    engagement_model_active()  # version 1 exists
    # Lock the active version's row: two versions saved at once get numbered one after the
    # other.
    base = EngagementModel.objects.select_for_update().get(is_active=True)
    latest = EngagementModel.objects.aggregate(v=Max("version"))["v"] or 0
    model = EngagementModel(
        **{name: getattr(base, name) for name in MODEL_FIELDS},
        version=latest + 1,
        note=note,
        created_by=created_by,
    )
    for name, value in values.items():
        setattr(model, name, value)
    model.full_clean(exclude=["version", "is_active"])
    if activate:
        # The version it replaces, saved as a row so that the audit trail records it.
        base.is_active = False
        base.save(update_fields=["is_active"])
        model.is_active = True
        model.activated_at = timezone.now()  # it computes the days from today on
    model.save()
    return model


@transaction.atomic
def engagement_model_activate(
    *, created_by: User | None, note: str = "", **values
) -> EngagementModel:
    """Save the draft as the new active version (the engine's `engagement_model_create`) and,
    once committed, recompute every account with it (a full run)."""

    model = engagement_model_create(created_by=created_by, note=note, activate=True, **values)
    enqueue("community.tasks.engagement_recompute_all_task")
    return model
