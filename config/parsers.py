"""The API's request parsers (REST_FRAMEWORK's DEFAULT_PARSER_CLASSES).

Apart from config.api, which DRF imports while its views are still loading."""

from __future__ import annotations

from rest_framework import exceptions, parsers


def _has_nul(data: object) -> bool:
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_has_nul(key) or _has_nul(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_has_nul(item) for item in data)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing NUL characters anywhere in the body (keys, nested values):
    PostgreSQL stores no NUL in text or jsonb, so such a body is a 400, never a failing query.
    DRF's CharField checks its own value; this covers JSON fields and anything else."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise exceptions.ParseError("JSON strings may not contain NUL (\\u0000) characters.")
        return data
