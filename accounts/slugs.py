"""Slugs made from a name or title: the part of a URL that names a row (/accounts/acme/,
/gardens/offline-first/). Decides how a slug is made and kept unique, for every model that has
one: the slugified text, cut to a length; the model's name when nothing is left; "-2", "-3" …
appended until no other row has it; and a slug that a URL space keeps for a page of its own
("new") gets the model's name appended."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Model
from django.utils.text import slugify


def unique_slug(
    model: type[Model],
    text: str,
    *,
    field: str = "slug",
    max_length: int = 180,
    reserved: Collection[str] = (),
    exclude_pk: int | None = None,
) -> str:
    """A slug of `text` that no row of `model` has in `field` (except the row `exclude_pk`,
    when a row is renamed): "offline-first", else "offline-first-2", "offline-first-3" …
    The slugified text is cut to `max_length` characters; empty, it is the model's name
    ("account"); one of `reserved`, the model's name is appended ("new" → "new-garden")."""
    fallback = model._meta.model_name
    base = slugify(text)[:max_length] or fallback
    if base in reserved:
        base = f"{base}-{fallback}"
    rows = model._default_manager.all()
    if exclude_pk:
        rows = rows.exclude(pk=exclude_pk)
    slug, n = base, 2
    while rows.filter(**{field: slug}).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
