"""Single-line text through the API: every request field that carries the one validator
(config.single_line.validate_single_line; tests/test_single_line_fields.py makes sure each
single-line field does) is sent a line break or another control character in an otherwise valid
body, and the answer is a 400 naming that field, with nothing saved. The fields are read from
the schema generator and the valid bodies are the mass-assignment cases, so a new field or
operation is covered as soon as it exists."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from config.single_line import validate_single_line
from tests.api import test_mass_assignment as mass
from tests.api_helpers import api_login

CASES, OPERATIONS = mass.CASES, mass.OPERATIONS
w = mass.w  # the mass-assignment cases' world: account A's people, the foreign account

LINE_BREAK = "Line one\r\nLine two"
# An address Django's EmailValidator takes (a quoted local part may hold C0 controls): only the
# single-line validator refuses it.
CONTROL_IN_ADDRESS = '"line\x01break"@acme.example'
MARKERS = ("\r\n", "\x01")


def _single_line_fields_by_component() -> dict[str, list[tuple[str, object]]]:
    """Request component -> [(field, value to send)] for each field carrying the validator."""
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    found: dict[str, list[tuple[str, object]]] = {}
    for (name, _), component in generator.registry._components.items():
        for field_name, field in getattr(component.object, "fields", {}).items():
            is_list = isinstance(field, serializers.ListField)
            inner = field.child if is_list else field
            if field.read_only or validate_single_line not in inner.validators:
                continue
            value = CONTROL_IN_ADDRESS if isinstance(inner, serializers.EmailField) else LINE_BREAK
            found.setdefault(name, []).append((field_name, [value] if is_list else value))
    return found


def _cases() -> list[tuple[str, str, str, object]]:
    by_component = _single_line_fields_by_component()
    cases = []
    for method, _path, operation in OPERATIONS:
        body = operation.get("requestBody", {}).get("content", {})
        refs = {c["schema"].get("$ref", "") for c in body.values()}
        for ref in refs:
            for field_name, value in by_component.get(ref.rsplit("/", 1)[-1], []):
                cases.append((method, operation["operationId"], field_name, value))
    return cases


CASES_WITH_TEXT = _cases()


def _rows_holding_a_marker() -> list[str]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in ("accounts", "community", "ideas"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                for marker in MARKERS:
                    if model.objects.filter(**{f"{field.name}__contains": marker}).exists():
                        found.append(f"{model._meta.label}.{field.name}")
    return found


def test_the_cases_cover_the_titles_names_and_addresses_of_the_api():
    covered = {(operation_id, field) for _, operation_id, field, _ in CASES_WITH_TEXT}
    assert {
        ("v1_threads_create", "title"),
        ("v1_ideas_create", "title"),
        ("v1_ideas_create", "links"),
        ("v1_pilots_create", "title"),
        ("v1_gardens_create", "name"),
        ("v1_accounts_create", "name"),
        ("v1_harvests_partial_update", "title"),
        ("v1_webhooks_create", "description"),
        ("v1_invitations_create", "email"),
        ("v1_pilots_instrument_questions_create", "choices"),
    } <= covered


@pytest.mark.parametrize(
    ("method", "operation_id", "field", "value"),
    CASES_WITH_TEXT,
    ids=[f"{operation_id} {field}" for _, operation_id, field, _ in CASES_WITH_TEXT],
)
def test_a_control_character_in_a_single_line_field_is_a_400_naming_it_and_saves_nothing(
    api, w, django_capture_on_commit_callbacks, method, operation_id, field, value
):
    call = CASES[operation_id](w)
    api_login(api, call.actor)

    with django_capture_on_commit_callbacks(execute=call.on_commit):
        response = getattr(api, method)(call.url, {**call.body, field: value}, format=call.format)

    assert response.status_code == 400, response.content[:500]
    [error] = response.json()["errors"]
    assert error["attr"] in (field, f"{field}.0")
    assert error["code"] == "single_line"
    assert _rows_holding_a_marker() == []
