"""Guards: every single-line text field refuses control characters through the one validator
(config.single_line.validate_single_line), on the models, the HTML forms and the API's request
bodies. A new single-line field without it fails here; a field that may hold several lines,
or needs no validator, is named below with the reason."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django import forms
from django.apps import apps
from django.db import models
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from config.single_line import single_line, validate_single_line

PRODUCT_APPS = ("accounts", "community", "ideas")

# Model CharFields that need no validator. Fields with choices (checked against a fixed list)
# and SlugFields (a slug's own pattern refuses every control character) are left out by rule.
MODEL_FIELDS_ALLOWED = {
    "accounts.User.password": "a password hash, written by Django",
    "accounts.OutboxTask.task": "a task's dotted name, written by the code",
    "accounts.ApiToken.digest": "a token's hash, computed by knox",
    "accounts.ApiToken.token_key": "a token's first characters, written by knox",
    "accounts.ScimToken.digest": "a SCIM token's hash, computed by the code",
    "accounts.ScimToken.prefix": "a SCIM token's first characters, written by the code",
    "accounts.OutboxTask.claim": "a relay run's uuid hex, written by the code",
    "accounts.AuditEntry.object_pk": "a row's key, written by django-auditlog",
    "accounts.AuditEntry.cid": "django-auditlog's correlation id (not used), never typed",
    "accounts.AuditEntry.actor_email": "django-auditlog's; never written (people are kept by id)",
    "accounts.FormSubmission.token": "a form's token, taken only as [A-Za-z0-9_-] (submissions)",
    "accounts.FormSubmission.path": "the path a form was posted to, written by the code",
    "accounts.FormSubmission.url": "where the form's view redirected, written by the code",
    "accounts.FormSubmission.message": "one of the code's own messages",
    "accounts.IdempotentRequest.caller": "a person's id or a hex digest, written by the code",
    "accounts.IdempotentRequest.key": "an Idempotency-Key, taken only as printable ASCII",
    "accounts.IdempotentRequest.fingerprint": "a hex digest, computed by the code",
    "accounts.IdempotentRequest.content_type": "an answer's content type, written by the code",
    "accounts.IdempotentRequest.location": "an answer's Location header, written by the code",
    "community.ActivityEvent.object_type": "a model's name, written by the code",
    "community.ActivityEvent.object_id": "a row's id, written by the code",
    "community.Alert.fingerprint": "the situation's key, computed by the code",
    "community.Harvest.summary": "a short paragraph (a textarea), shown as a paragraph",
    "community.Notification.kind": "a registered kind's key (community.models.notifications)",
    "community.NotificationPreference.kind": "a registered kind's key, checked against them",
    "community.ImportBatch.file_sha256": "a hex digest, computed by the code",
    "community.WebhookDelivery.subject": "ids and a day, written by the code",
    "community.WebhookDelivery.summary": "written by the code from single-line names and titles",
    "community.ChatChannelPreference.kind": "a registered kind's key, checked against them",
    "community.ChatDelivery.kind": "a registered kind's key, written by the code",
    "community.ChatDelivery.subject": "a kind of object and its id, written by the code",
}

# Plain form fields (forms.Form) that need no validator: textareas and passwords are left out
# by rule; these are typed, never stored.
FORM_FIELDS_ALLOWED = {
    "LoginForm.username": "the address typed to log in",
    "AdminLoginForm.username": "the address typed to log in (the Django admin)",
    "MfaAuthenticateForm.code": "a second factor's code typed at login, checked, never stored",
}
SEARCH_FIELD = "q"  # every list's search box: read, never stored or shown as a heading

# API request fields that may hold several lines (the page's form has a textarea for each).
API_MULTI_LINE = {
    "OfflineEventWrite.note",
    "AlertResolve.note",
    "GardenWrite.description",
    "GardenWrite.charter",
    "HarvestWrite.summary",
    "HarvestWrite.body",
    "IdeaWrite.job_to_be_done",
    "IdeaWrite.proposal",
    "CommentWrite.body",
    "MergeWrite.reason",
    "TransitionWrite.reason",
    "OutcomeWrite.note",
    "IncidentWrite.note",
    "PilotCreate.description",
    "PilotCreate.what_to_expect",
    "PilotCreate.agreement_text",
    "PilotWrite.description",
    "PilotWrite.what_to_expect",
    "AgreementWrite.text",
    "Decision.outcome_note",
    "ThreadWrite.body",
    "Body.body",
    "IdentityProvider.x509cert",  # a PEM certificate (the page has a textarea)
}
API_FIELDS_ALLOWED = {
    "NotificationPreferenceWrite.kind": "a registered kind's key, checked against them",
}


def _has_validator(field) -> bool:
    return validate_single_line in field.validators


def _model_fields_without_validator() -> list[str]:
    missing = []
    for app in PRODUCT_APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.CharField) or field.choices:
                    continue
                if isinstance(field, models.SlugField) or _has_validator(field):
                    continue
                name = f"{model._meta.label}.{field.name}"
                if name not in MODEL_FIELDS_ALLOWED:
                    missing.append(name)
    return missing


def test_every_single_line_model_field_refuses_control_characters():
    assert _model_fields_without_validator() == []


def test_the_model_allow_list_names_only_fields_that_exist_without_the_validator():
    for name in MODEL_FIELDS_ALLOWED:
        label, field_name = name.rsplit(".", 1)
        field = apps.get_model(label)._meta.get_field(field_name)
        assert not _has_validator(field), f"{name} has the validator: take it off the list"


def _product_forms() -> list[type[forms.Form]]:
    for app in PRODUCT_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and not module.name.endswith(".tasks"):
                importlib.import_module(module.name)
    found, todo = [], [forms.Form]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PRODUCT_APPS:
            found.append(cls)
    return found


def _form_fields_without_validator() -> list[str]:
    missing = []
    for form in _product_forms():
        for name, field in form.base_fields.items():
            if not isinstance(field, forms.CharField) or isinstance(field, forms.SlugField):
                continue
            if isinstance(field.widget, forms.Textarea | forms.PasswordInput):
                continue
            key = f"{form.__name__}.{name}"
            if name == SEARCH_FIELD or key in FORM_FIELDS_ALLOWED or _has_validator(field):
                continue
            missing.append(key)
    return missing


def test_every_single_line_form_field_refuses_control_characters():
    assert _product_forms(), "no forms found: the walk is broken"
    assert _form_fields_without_validator() == []


def _request_components():
    generator = SchemaGenerator()
    generator.get_schema(request=None, public=True)
    for (name, _), component in generator.registry._components.items():
        if name.endswith("Request") and hasattr(component.object, "fields"):
            yield name.removeprefix("Patched").removesuffix("Request"), component.object


def _api_fields_without_validator() -> list[str]:
    missing = []
    for component, serializer in _request_components():
        for name, field in serializer.fields.items():
            if field.read_only:
                continue
            field = field.child if isinstance(field, serializers.ListField) else field
            if not isinstance(field, serializers.CharField) or _has_validator(field):
                continue
            if isinstance(field, serializers.SlugField):
                continue
            key = f"{component}.{name}"
            if key not in API_MULTI_LINE and key not in API_FIELDS_ALLOWED:
                missing.append(key)
    return missing


def test_every_single_line_api_field_refuses_control_characters():
    assert _api_fields_without_validator() == []


@pytest.mark.parametrize(
    "text",
    [
        "a\rb",
        "a\nb",
        "a\tb",
        "a\x00b",
        "a\x1bb",
        "a\x7fb",
        "a\x85b",
        "a\x9fb",
        "a\u2028b",
        "a\u2029b",
    ],
)
def test_the_validator_refuses_every_line_breaking_or_control_character(text):
    with pytest.raises(Exception, match="one line") as error:
        validate_single_line(text)
    assert error.value.code == "single_line"


def test_the_validator_lets_ordinary_text_through():
    validate_single_line("Offline mode: “sync” — 100 % (café, 東京) ✓ ")


def test_a_subject_collapses_each_run_of_control_characters_to_one_space():
    assert single_line(" Offline \r\n\r\n mode\u2028planned\t!\x85") == "Offline mode planned !"
