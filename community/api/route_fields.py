"""A list's `url` field (the row's get_absolute_url()) with its route reversed once per list
instead of once per row: the route is reversed with stand-in values, then filled in with each
row's slug and id. A value that reverse() would quote or refuse (anything but a plain slug or
a whole number) takes the model's own get_absolute_url(). RouteAddresses does the same for a
list read as plain values."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse

from config import api_serializers as serializers

_PLAIN = re.compile(r"[-a-zA-Z0-9_]+")  # the slug and int converters' characters: not quoted
_MARKS = ("routemarkslug", "987654321")  # a slug and an id no row has


class RouteField(serializers.CharField):
    """`url`: the row's get_absolute_url() (a CharField, read-only), from `route` reversed once
    per serializer with the keyword arguments `values(row)` gives (at most one slug, read as
    `slug`, and one id, `pk`)."""

    def __init__(self, *, route: str, values: Callable[[object], dict], **kwargs) -> None:
        self._route, self._values = route, values
        kwargs.update(source="get_absolute_url", read_only=True)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        address = _filled(self.__dict__, self._route, self._values(instance))
        return instance.get_absolute_url() if address is None else address


class RouteAddresses:
    """A route's addresses for plain values (a list's rows read as values), as RouteField
    makes them: reversed once (per object: make one per list) with stand-in values, filled in
    with each row's; a value that reverse() would quote or refuse is reversed as it is."""

    def __init__(self, route: str) -> None:
        self._route = route

    def __call__(self, **values) -> str:
        address = _filled(self.__dict__, self._route, values)
        return reverse(self._route, kwargs=values) if address is None else address


def _filled(kept: dict, route: str, values: dict) -> str | None:
    """`route`'s address for `values` (at most one slug, `slug`, and one id, `pk`), from its
    address with stand-ins reversed once and kept in `kept`; None where the values must be
    reversed themselves."""
    slug, pk = values.get("slug"), values.get("pk")
    if (slug is not None and not (isinstance(slug, str) and _PLAIN.fullmatch(slug))) or (
        pk is not None and type(pk) is not int
    ):
        return None
    parts = kept.get("_parts")
    if parts is None:
        marks = {name: _MARKS[name == "pk"] for name in values}
        address = reverse(route, kwargs=marks)
        if any(address.count(mark) != 1 for mark in marks.values()):
            return None
        parts = kept["_parts"] = (address, marks)
    address, marks = parts
    for name in sorted(marks, key=lambda name: name != "pk"):  # the id first: only digits
        address = address.replace(marks[name], str(values[name]))
    return address
