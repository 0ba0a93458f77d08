"""The API's string fields: they take a JSON string and nothing else.

DRF's CharField turns a number into its digits (`"title": 11782882` is saved as "11782882"),
and so do the fields built on it (SlugField, EmailField, URLField, RegexField), while the
schema (docs/openapi.yaml) says a string: a request that breaks the schema is refused, as
Schemathesis' negative checks ask (tests/api/test_fuzz_schemathesis.py). Each field here refuses
anything but a string with the field error DRF gives a list or a boolean: code "invalid",
"Not a valid string.". A form's or a query string's values are strings already.

API modules do not use these names: they import config.api_serializers in DRF's place, whose
CharField … are these, and whose ModelSerializer maps a model's text fields to them.
tests/api/test_string_fields_api.py walks every request body of the schema for a string field
that still takes a number."""

from __future__ import annotations

from rest_framework import serializers

from config.api_lean import LeanModelSerializer

NOT_A_STRING = "Not a valid string."


class _StringOnly:
    """Refuses a value that is not a str before the field reads it (first in the bases)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(NOT_A_STRING, code="invalid")
        return super().to_internal_value(data)


class StrictCharField(_StringOnly, serializers.CharField):
    pass


class StrictSlugField(_StringOnly, serializers.SlugField):
    pass


class StrictEmailField(_StringOnly, serializers.EmailField):
    pass


class StrictURLField(_StringOnly, serializers.URLField):
    pass


class StrictRegexField(_StringOnly, serializers.RegexField):
    pass


STRICT = {
    serializers.CharField: StrictCharField,
    serializers.SlugField: StrictSlugField,
    serializers.EmailField: StrictEmailField,
    serializers.URLField: StrictURLField,
    serializers.RegexField: StrictRegexField,
}


# A ModelSerializer whose fields built from a model's CharField, TextField, SlugField, EmailField
# or URLField are the strict ones, built once per class and read as config.api_lean reads.
# (No docstring: drf-spectacular would print it on every model
# serializer's schema that has none of its own.)
class StrictModelSerializer(LeanModelSerializer):
    serializer_field_mapping = {
        model_field: STRICT.get(field, field)
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }
