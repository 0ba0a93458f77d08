"""The OpenAPI schema: it validates, the committed docs/openapi.yaml is the one the code
generates, and every operation documents the errors the API really answers with."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command

# One worker makes the module's fixture once, not each worker its own.
pytestmark = pytest.mark.xdist_group("schema_committed")

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> str:
    """The schema as `make schema` writes it (validated, warnings are errors)."""
    path = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", validate=True, fail_on_warn=True, file=str(path))
    return path.read_text()


def _operations(schema: dict):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_the_committed_schema_is_the_generated_one(generated):
    assert COMMITTED.exists(), "docs/openapi.yaml is missing: run `make schema` and commit it"
    assert COMMITTED.read_text() == generated, (
        "docs/openapi.yaml is out of date with the API: run `make schema` and commit the result"
    )


def test_every_operation_documents_401_and_403(generated):
    schema = yaml.safe_load(generated)
    missing = [
        f"{method.upper()} {path}: {code}"
        for path, method, operation in _operations(schema)
        for code in ("401", "403")
        if code not in operation["responses"]
    ]
    assert not missing, missing


def test_every_operation_with_a_path_parameter_documents_404(generated):
    schema = yaml.safe_load(generated)
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(schema)
        if "{" in path and "404" not in operation["responses"]
    ]
    assert not missing, missing


def test_every_operation_taking_input_documents_400(generated):
    schema = yaml.safe_load(generated)
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(schema)
        if (
            operation.get("requestBody")
            or any(p["in"] == "query" for p in operation.get("parameters", []))
        )
        and "400" not in operation["responses"]
    ]
    assert not missing, missing


def test_the_schema_has_operations_to_check(generated):
    schema = yaml.safe_load(generated)
    assert sum(1 for _ in _operations(schema)) > 100
