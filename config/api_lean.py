"""Serializers that read as DRF's do, with less work per request and per row (issue 16, item 4).

Every API serializer is built on these two (through config.api_serializers' `Serializer` and
`ModelSerializer`); what they answer is DRF's, byte for byte:

- **Fields built once per class.** DRF builds a serializer's fields again for every serializer
  object, i.e. on every request: a ModelSerializer reads its model's fields, chooses a field class
  for each, works out its arguments and builds its validators (0.3–0.8 ms for one of 14 to 17
  fields, per request). Here the fields a class's `get_fields()` returns are built by DRF's code
  the first time and kept; every serializer object gets a copy of them, made as DRF copies a
  serializer's declared fields (`copy.deepcopy`, which builds each field again from its
  arguments): about half the time, and fields of its own that it may change, as DRF's are.
  A subclass that overrides `get_fields` still calls `super().get_fields()` and changes that
  copy, so what it adds per request (from its context, say) is added per request.
- **Readable fields listed once per serializer object.** DRF's `to_representation` walks the
  serializer's field mapping afresh for each row (a generator over a Python mapping's values);
  here the readable fields are listed once, on the first row, and each row reads them as DRF does.
  A list's rows share one child serializer, so that is once per list.
- **A plain attribute read plainly.** For a field that reads one attribute of the row
  (`source` a plain name, DRF's own `Field.get_attribute`), the value is `getattr(row, name)`
  (a dict row: `row[name]`); whenever DRF would do more than that (the value is callable, the
  read fails, the row is another kind of mapping), the field's own `get_attribute` reads it, so
  that the outcome (the call, the default, None, the skipped field, the error) is DRF's.
- **A method's signature read once.** When that attribute is a method of the row
  (`source="get_absolute_url"`, or Django's `get_reason_display`, a `functools.partial` of a
  bound method), DRF reads its signature on every row to decide whether to call it
  (`is_simple_callable`, some 10 µs a row); here DRF's answer is kept per function and shape (a
  bound method's signature is its function's less `self`; a partial's is its function's less
  the arguments it binds, by their number and names, whatever their values), and the method is
  called as DRF calls it, its AttributeError or KeyError made DRF's ValueError.

- **The time zone looked up once per serializer object.** DRF's DateTimeField looks up the active
  time zone for every value it shows (a context-local read, ~3 µs, for each date-time of each
  row); a field that names no zone of its own is given the active one when its serializer object
  first shows a row, which is the request's zone for all its rows.

Neither keeps anything that depends on a request: a class's fields are what its declaration and
model say; the fields of each serializer object are its own.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import partial
from types import FunctionType, MethodType

from django.core.exceptions import ObjectDoesNotExist
from rest_framework import serializers
from rest_framework.fields import DateTimeField, Field, SkipField, is_simple_callable
from rest_framework.relations import PKOnlyObject


# (No docstrings on these classes: drf-spectacular would print them on every serializer's
# schema that has none of its own.)
class _LeanRead:
    # The fields `get_fields()` of DRF's class returned, built once per class (keyed by the
    # class itself in its own __dict__: a subclass builds its own).
    _fields_built: dict | None = None

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return copy.deepcopy(built)

    def _readable_list(self) -> list[tuple[Field, str | None]]:
        """(field, the one attribute it reads plainly, else None) of each readable field. A
        date-time field of DRF's that names no time zone of its own is given the one DRF would
        look up for each of its values (the active zone: the request's, for every row)."""
        readable = self.__dict__.get("_readable")
        if readable is None:
            readable = self.__dict__["_readable"] = [
                (field, _plain_attribute(field))
                for field in self.fields.values()
                if not field.write_only
            ]
            for field, _name in readable:
                if _zone_looked_up(field):
                    field.timezone = field.default_timezone()
        return readable

    def to_representation(self, instance):
        # DRF's Serializer.to_representation, reading the fields listed once.
        ret = {}
        plain_row = type(instance) is dict or not isinstance(instance, Mapping)
        for field, name in self._readable_list():
            try:
                if name is None or not plain_row:
                    attribute = field.get_attribute(instance)
                else:
                    attribute = _read(field, instance, name)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            if check_for_none is None:
                ret[field.field_name] = None
            else:
                ret[field.field_name] = field.to_representation(attribute)
        return ret


def _zone_looked_up(field: Field) -> bool:
    """Whether DRF's DateTimeField would look up the active time zone for each value it shows
    (`enforce_timezone` without a `timezone` of the field's own)."""
    cls = type(field)
    return (
        isinstance(field, DateTimeField)
        and not hasattr(field, "timezone")
        and cls.enforce_timezone is DateTimeField.enforce_timezone
        and cls.default_timezone is DateTimeField.default_timezone
    )


def _plain_attribute(field: Field) -> str | None:
    if type(field).get_attribute is Field.get_attribute and len(field.source_attrs) == 1:
        return field.source_attrs[0]
    return None


_NOT_READ = (AttributeError, KeyError, ObjectDoesNotExist)
# A callable's shape (_shape) → whether DRF calls it (is_simple_callable: no required argument).
_CALLED: dict = {}
_CALLED_MOST = 4096


def _read(field: Field, instance, name: str):
    """`field.get_attribute(instance)` for a field whose source is the plain `name`."""
    try:
        value = instance[name] if type(instance) is dict else getattr(instance, name)
    except _NOT_READ:
        return field.get_attribute(instance)  # DRF's answer to a failed read
    if callable(value):
        if _called(value):
            try:
                return value()
            except (AttributeError, KeyError) as exc:  # as rest_framework.fields.get_attribute
                raise ValueError(
                    f'Exception raised in callable attribute "{name}"; '
                    f"original exception was: {exc}"
                ) from exc
        return field.get_attribute(instance)  # DRF calls it, or refuses it
    return value


def _called(value) -> bool:
    """Whether DRF calls `value` (is_simple_callable), known without reading its signature
    again for a bound method or a partial of one (or of a function); False for anything
    else, which the field's own get_attribute then reads."""
    key = _shape(value)
    if key is None:
        return False
    called = _CALLED.get(key)
    if called is None:
        called = is_simple_callable(value)
        if len(_CALLED) < _CALLED_MOST:  # functions made per row are not kept without end
            _CALLED[key] = called
    return called


def _shape(value):
    """What a callable's signature depends on: its function, and for a partial whether that
    is bound, how many positional arguments and which keywords the partial binds."""
    if type(value) is MethodType:
        return value.__func__
    if type(value) is partial:
        func = value.func
        bound = type(func) is MethodType
        inner = func.__func__ if bound else func
        if type(inner) is FunctionType:
            return (inner, bound, len(value.args), frozenset(value.keywords))
    return None


class LeanSerializer(_LeanRead, serializers.Serializer):
    pass


class LeanModelSerializer(_LeanRead, serializers.ModelSerializer):
    pass
