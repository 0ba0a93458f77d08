"""String fields take strings: the schema says "string", so a JSON number or boolean sent for a
text field is a 400 field error ("Not a valid string."), never saved as its digits (DRF's own
CharField would store `"title": 11782882` as "11782882"; config/api_fields.py).

Every request body of the schema is walked, nested serializers and list items included, so a
new serializer that declares DRF's CharField instead of importing config.api_serializers fails
here; then every operation is called with a number in each of its top-level string fields, from
the valid bodies of the mass-assignment cases."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers as drf

from accounts.models import Account
from community.models import GardenVisibility
from community.services.gardens import garden_join
from config import api_serializers as serializers
from config.api_fields import NOT_A_STRING
from ideas.models import Idea
from tests.api import test_mass_assignment as mass
from tests.api_helpers import api_error, api_login
from tests.community.factories import GardenFactory

CASES, OPERATIONS = mass.CASES, mass.OPERATIONS
w = mass.w  # the mass-assignment cases' world: account A's people, the foreign account

NUMBER = 11782882
NOT_STRINGS = (NUMBER, 2.5, True, ["a list"], {"an": "object"})


def _string_fields(serializer, prefix: str = ""):
    """(dotted path, field) of each writable field built on DRF's CharField, looking into
    nested serializers and the items of lists and dicts ("items" for an item)."""
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        path, inner = f"{prefix}{name}", field
        while isinstance(inner, drf.ListField | drf.DictField | drf.ListSerializer):
            path, inner = f"{path}.items", inner.child
        if isinstance(inner, drf.Serializer):
            yield from _string_fields(inner, f"{path}.")
        elif isinstance(inner, drf.CharField):
            yield path, inner


def _refusal(field, value) -> str:
    """How the field answers a value: "refused" for the one field error, else what it did."""
    try:
        taken = field.run_validation(value)
    except drf.ValidationError as error:
        detail = error.detail
        if detail == [NOT_A_STRING] and detail[0].code == "invalid":
            return "refused"
        return f"refused with {detail!r}"
    return f"taken as {taken!r}"


def _request_serializers() -> dict[str, drf.BaseSerializer]:
    """The schema's request bodies (COMPONENT_SPLIT_REQUEST names them "…Request")."""
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    return {
        name: force_instance(component.object)
        for (name, kind), component in generator.registry._components.items()
        if kind == "schemas"
        and name.endswith("Request")
        and isinstance(force_instance(component.object), drf.BaseSerializer)
    }


REQUEST_SERIALIZERS = _request_serializers()
REQUEST_STRING_FIELDS = {
    f"{name}.{path}": field
    for name, serializer in REQUEST_SERIALIZERS.items()
    for path, field in _string_fields(serializer)
}


def test_every_string_field_of_a_request_body_refuses_what_is_no_string():
    answers = {
        f"{name} {value!r}": _refusal(field, value)
        for name, field in REQUEST_STRING_FIELDS.items()
        for value in NOT_STRINGS
    }

    assert {name: answer for name, answer in answers.items() if answer != "refused"} == {}


def test_the_walk_reaches_declared_model_nested_and_list_fields():
    assert {
        "AgreementWriteRequest.title",  # declared
        "ThreadWriteRequest.garden",  # a SlugField
        "InvitationWriteRequest.email",  # an EmailField
        "IdentityProviderRequest.x509cert",  # built by the ModelSerializer from a TextField
        "IdentityProviderRequest.entity_id",  # … and from a CharField
        "HarvestWriteRequest.inspired_by.items",  # a list's items
        "NotificationPreferencesWriteRequest.preferences.items.kind",  # a nested serializer's
    } <= set(REQUEST_STRING_FIELDS)


def test_the_walk_finds_drfs_own_lenient_fields():
    """The guard can fail: a serializer declared with DRF's module takes a number."""

    class Forgetful(drf.Serializer):
        title = drf.CharField()
        emails = drf.ListField(child=drf.EmailField())
        kept = drf.CharField(read_only=True)

    fields = dict(_string_fields(Forgetful()))

    assert set(fields) == {"title", "emails.items"}
    assert _refusal(fields["title"], NUMBER) == f"taken as '{NUMBER}'"


def test_the_strict_fields_take_strings_as_drf_does():
    class Strict(serializers.Serializer):
        title = serializers.CharField(max_length=5)
        slug = serializers.SlugField()
        email = serializers.EmailField()
        url = serializers.URLField()
        code = serializers.RegexField(r"^[A-Z]+$")

    good = Strict(
        data={
            "title": " Ab ",
            "slug": "a-b",
            "email": "a@b.example",
            "url": "https://b.example/",
            "code": "AB",
        }  # fmt: skip
    )
    bad = Strict(data={"title": "Abcdef", "slug": "a b", "email": "a", "url": "b", "code": "a"})

    assert good.is_valid(), good.errors
    assert good.validated_data["title"] == "Ab"
    assert not bad.is_valid()
    assert {name: error.code for name, [error] in bad.errors.items()} == {
        "title": "max_length",
        "slug": "invalid",
        "email": "invalid",
        "url": "invalid",
        "code": "invalid",
    }
    assert bad.errors["email"] == ["Enter a valid email address."]  # its own message kept


def test_a_model_serializer_builds_strict_fields_from_model_text_fields():
    class AccountFields(serializers.ModelSerializer):
        class Meta:
            model = Account
            fields = ["name", "slug"]

    fields = AccountFields().fields

    assert _refusal(fields["name"], NUMBER) == _refusal(fields["slug"], NUMBER) == "refused"


def test_a_query_string_is_still_read(api, account_manager_a):
    """Query parameters are strings: a filter's SlugField reads them as before."""
    api_login(api, account_manager_a)

    response = api.get("/api/v1/outcomes/", {"account": "acme", "kind": "renewed"})
    refused = api.get("/api/v1/outcomes/", {"account": "no such account"})

    assert response.status_code == 200, response.content[:300]
    assert refused.status_code == 400


# --- Through the API -------------------------------------------------------------------------


@pytest.fixture
def garden_slug(member_a) -> str:
    garden = GardenFactory(visibility=GardenVisibility.OPEN)
    garden_join(garden=garden, user=member_a)
    return garden.slug


def test_an_idea_titled_with_a_number_is_a_400_and_no_idea(api, member_a, garden_slug):
    api_login(api, member_a)
    body = {
        "garden": garden_slug,
        "title": NUMBER,
        "job_to_be_done": "Record inspections without network.",
        "proposal": "Cache the forms.",
    }

    response = api.post("/api/v1/ideas/", body, format="json")

    assert response.status_code == 400
    assert api_error(response) == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "Not a valid string.",
        "attr": "title",
    }
    assert not Idea.objects.exists()


def test_a_link_that_is_a_number_names_its_item(api, member_a, garden_slug):
    api_login(api, member_a)
    body = {
        "garden": garden_slug,
        "title": "Offline mode",
        "job_to_be_done": "Record inspections without network.",
        "proposal": "Cache the forms.",
        "links": ["https://acme.example/a", 42],
    }

    response = api.post("/api/v1/ideas/", body, format="json")

    assert response.status_code == 400
    assert {**api_error(response), "detail": ""} == {
        "type": "validation_error",
        "code": "invalid",
        "detail": "",
        "attr": "links.1",
    }
    assert not Idea.objects.exists()


def _top_level_cases() -> list[tuple[str, str, str, object]]:
    cases = []
    for method, _path, operation in OPERATIONS:
        body = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in body:
            continue  # a form's values are strings (the CSV imports)
        ref = body["application/json"]["schema"].get("$ref", "")
        component = ref.rsplit("/", 1)[-1]
        for name in REQUEST_STRING_FIELDS:
            prefix, _, path = name.partition(".")
            if prefix == component and "." not in path:
                cases.append((method, operation["operationId"], path, NUMBER))
            elif prefix == component and path.count(".") == 1 and path.endswith(".items"):
                field = path.removesuffix(".items")
                cases.append((method, operation["operationId"], field, [NUMBER]))
    return cases


TOP_LEVEL_CASES = _top_level_cases()


def test_the_calls_cover_the_string_fields_of_the_api():
    covered = {(operation_id, field) for _, operation_id, field, _ in TOP_LEVEL_CASES}
    assert {
        ("v1_ideas_create", "title"),
        ("v1_ideas_create", "links"),
        ("v1_pilots_agreements_create", "title"),
        ("v1_accounts_identity_provider_update", "x509cert"),
        ("v1_harvests_partial_update", "inspired_by"),
        ("v1_outcomes_create", "external_id"),
    } <= covered


@pytest.mark.parametrize(
    ("method", "operation_id", "field", "value"),
    TOP_LEVEL_CASES,
    ids=[f"{operation_id} {field}" for _, operation_id, field, _ in TOP_LEVEL_CASES],
)
def test_a_number_in_a_string_field_is_a_400_naming_it_and_saves_nothing(
    api, w, django_capture_on_commit_callbacks, method, operation_id, field, value
):
    call = CASES[operation_id](w)
    api_login(api, call.actor)

    with django_capture_on_commit_callbacks(execute=call.on_commit):
        response = getattr(api, method)(call.url, {**call.body, field: value}, format=call.format)

    assert response.status_code == 400, response.content[:500]
    [error] = response.json()["errors"]
    assert error["attr"] in (field, f"{field}.0")
    assert (error["code"], error["detail"]) == ("invalid", NOT_A_STRING)
    assert _rows_holding(str(NUMBER)) == []


def _rows_holding(text: str) -> list[str]:
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in ("accounts", "community", "ideas"):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField | models.JSONField):
                lookup = "icontains" if isinstance(field, models.JSONField) else "contains"
                if model.objects.filter(**{f"{field.name}__{lookup}": text}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found
