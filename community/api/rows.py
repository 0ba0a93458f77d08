"""Helpers of the community API lists that make a kept page's items from plain values, without
their serializers (issue 16, item 4): stand-ins of a person, an account and a garden for
accounts.people's naming rule (`person_name` reads of them what it reads of a User, an Account
and a Garden), and the serializer fields that show a value."""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace


class RowAccount(SimpleNamespace):
    """An account read as values: `pk`, `name`."""


class RowGarden(SimpleNamespace):
    """A garden's naming setting read as a value: `shows_other_members`."""


@cache
def fields_shown(serializer: type, names: str) -> tuple:
    """How the fields `names` (space-separated) of `serializer` show a value: each field's own
    to_representation, of one object of the serializer built once per process (for fields
    whose showing depends on nothing but the value: choices, dates, decimals)."""
    fields = serializer().fields
    return tuple(fields[name].to_representation for name in names.split())
