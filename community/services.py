"""Writes of the community app."""

from __future__ import annotations

from django.db import transaction
from django.utils.text import slugify

from community.models import ActivityEvent, Garden


@transaction.atomic
def garden_create(
    *,
    name: str,
    theme: str,
    description: str = "",
    visibility: str = "open",
    custom_theme: str = "",
    slug: str | None = None,
) -> Garden:
    garden = Garden(
        name=name,
        slug=slug or slugify(name),
        theme=theme,
        description=description,
        visibility=visibility,
        custom_theme=custom_theme,
    )
    garden.full_clean()
    garden.save()
    return garden


def activity_events_bulk_record(*, events: list[ActivityEvent], batch_size: int = 5000) -> int:
    """Store many already-built events at once (imports and demo history)."""
    ActivityEvent.objects.bulk_create(events, batch_size=batch_size)
    return len(events)
