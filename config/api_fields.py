"""Serializer fields the API's schema promises more of than DRF's own do.

DRF's CharField turns a number into its digits (`"title": 11782882` is saved as "11782882"),
while the schema says a string: a request that breaks the schema should be refused, as
Schemathesis' negative checks ask (tests/api/test_fuzz_schemathesis.py). `StrictCharField`
refuses anything but a JSON string with a field error."""

from __future__ import annotations

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
