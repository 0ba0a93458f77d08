"""Helpers of the API views that make a kept page's items themselves, from plain values or
rows, without their serializer (config.api.KeptPageList.kept_data; issue 16, item 4): what they
give is what the serializer's fields give, byte for byte once rendered."""

from __future__ import annotations

from collections.abc import Callable

from rest_framework.fields import DateTimeField


def moment_shown() -> Callable:
    """How a serializer's DateTimeField that names no format or zone of its own shows a moment
    (DRF's own field: the settings' format, in the time zone active now, i.e. the request's;
    looked up once, as config.api_lean does for a serializer's rows)."""
    field = DateTimeField(read_only=True)
    field.timezone = field.default_timezone()
    return field.to_representation
