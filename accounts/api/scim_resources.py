"""SCIM 2.0's documents (RFC 7643) as we serve them: a person as a User resource, the account's
two groups as Group resources, list responses and errors, and what a request body says of a
person (POST, PUT, and the PATCH operations Okta and Microsoft Entra send).

Attributes we keep: userName (the login address), name.givenName, name.familyName, title,
externalId, active, and a password when the provider sends one. `emails` shows the login
address as the one work email and is not written: a provider that maps another directory field
to it (Entra's `mail` beside `userPrincipalName`) must not move the login; userName does.
Attributes we do not keep (phone numbers, addresses, the enterprise extension, …) are accepted
and ignored, as Entra sends them whatever the mapping."""

from __future__ import annotations

from dataclasses import replace

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from rest_framework.exceptions import APIException

from accounts.models import Account, MemberRole, User
from accounts.provisioning import GROUPS, PersonFields
from accounts.scim_filters import GROUP_SCHEMA, USER_SCHEMA

ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ENTERPRISE_PREFIX = "urn:ietf:params:scim:schemas:extension:"
_TRUE, _FALSE = {"true", "1"}, {"false", "0"}


class ScimError(APIException):
    """An answer in SCIM's error format: its HTTP status and, for a 400 or 409, a scimType."""

    def __init__(self, detail: str, *, status_code: int = 400, scim_type: str | None = None):
        super().__init__(detail)
        self.status_code = status_code
        self.scim_type = scim_type


def error_document(status_code: int, detail: str, scim_type: str | None = None) -> dict:
    document = {"schemas": [ERROR_SCHEMA], "status": str(status_code), "detail": detail}
    if scim_type:
        document["scimType"] = scim_type
    return document


def list_document(resources: list[dict], *, total: int, start: int) -> dict:
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(resources),
        "Resources": resources,
    }


def _membership(person: User):
    try:
        return person.membership
    except ObjectDoesNotExist:
        return None


def person_fields(person: User, account: Account) -> PersonFields:
    """What we hold of the person, as a provider sets it."""
    try:
        external_id = person.scim_person.external_id
    except ObjectDoesNotExist:
        external_id = ""
    membership = _membership(person)
    return PersonFields(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        job_title=person.job_title,
        external_id=external_id,
        active=person.is_active and membership is not None and membership.account_id == account.pk,
    )


def _stamp(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def user_document(person: User, account: Account, request) -> dict:
    """One person as a SCIM User (its membership and link read with select_related)."""
    fields = person_fields(person, account)
    membership = _membership(person)
    groups = []
    if fields.active:
        groups.append({"value": "members", "display": GROUPS["members"]})
        if membership.role == MemberRole.ADMIN:
            groups.append({"value": "admins", "display": GROUPS["admins"]})
    document = {
        "schemas": [USER_SCHEMA],
        "id": str(person.pk),
        "userName": person.email,
        "name": {
            "givenName": person.first_name,
            "familyName": person.last_name,
            "formatted": person.full_name,
        },
        "displayName": person.full_name or person.email,
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        "active": fields.active,
        "groups": groups,
        "meta": {
            "resourceType": "User",
            "created": _stamp(person.date_joined),
            "lastModified": _stamp(person.updated_at),
            "location": request.build_absolute_uri(
                reverse("scim:user", kwargs={"pk": str(person.pk)})
            ),
        },
    }
    if person.job_title:
        document["title"] = person.job_title
    if fields.external_id:
        document["externalId"] = fields.external_id
    return document


def group_document(group: str, people: list[User], request, *, with_members: bool = True) -> dict:
    document = {
        "schemas": [GROUP_SCHEMA],
        "id": group,
        "displayName": GROUPS[group],
        "meta": {
            "resourceType": "Group",
            "location": request.build_absolute_uri(reverse("scim:group", kwargs={"pk": group})),
        },
    }
    if with_members:
        document["members"] = [
            {
                "value": str(person.pk),
                "display": person.email,
                "$ref": request.build_absolute_uri(
                    reverse("scim:user", kwargs={"pk": str(person.pk)})
                ),
            }
            for person in people
        ]
    return document


# --- Reading what a request says of a person --------------------------------------------------


def _text(value, attribute: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(f"{attribute} is a string.", scim_type="invalidValue")
    return value


def _boolean(value) -> bool:
    """Okta sends true/false; Entra sends "True"/"False" as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise ScimError("active is true or false.", scim_type="invalidValue")


class _Changes:
    """A person's fields as the operations leave them, and a password if one is set."""

    def __init__(self, fields: PersonFields) -> None:
        self.fields = fields
        self.password: str | None = None

    def set(self, path: str, value) -> None:  # noqa: C901 (one branch per attribute)
        attribute = path.strip()
        lowered = attribute.lower()
        if lowered.startswith(USER_SCHEMA.lower() + ":"):
            attribute = attribute[len(USER_SCHEMA) + 1 :]
            lowered = attribute.lower()
        if lowered.startswith(ENTERPRISE_PREFIX):
            return  # an extension we do not keep
        f = self.fields
        if lowered == "username":
            self.fields = replace(f, email=_text(value, "userName"))
        elif lowered == "name":
            if value is None:
                self.fields = replace(f, first_name="", last_name="")
            elif isinstance(value, dict):
                for key, part in value.items():
                    self.set(f"name.{key}", part)
            else:
                raise ScimError("name is an object.", scim_type="invalidValue")
        elif lowered == "name.givenname":
            self.fields = replace(f, first_name=_text(value, "name.givenName"))
        elif lowered == "name.familyname":
            self.fields = replace(f, last_name=_text(value, "name.familyName"))
        elif lowered == "title":
            self.fields = replace(f, job_title=_text(value, "title"))
        elif lowered == "externalid":
            self.fields = replace(f, external_id=_text(value, "externalId"))
        elif lowered == "active":
            if value is not None:
                self.fields = replace(f, active=_boolean(value))
        elif lowered == "password":
            self.password = _text(value, "password") or None
        # Anything else (displayName, phoneNumbers, addresses, locale…) we do not keep.


def fields_from_document(body) -> _Changes:
    """What a POST or PUT says of a person: the attributes it names, the rest as for a new
    person (a PUT replaces; an absent name is no name)."""
    if not isinstance(body, dict):
        raise ScimError("The body is a User resource.", scim_type="invalidSyntax")
    if not isinstance(body.get("userName"), str) or not body["userName"].strip():
        raise ScimError("userName is required.", scim_type="invalidValue")
    changes = _Changes(PersonFields(email="", active=True))
    for key, value in body.items():
        if key not in ("schemas", "id", "meta", "groups", "emails"):
            changes.set(key, value)
    changes.fields = replace(changes.fields, email=body["userName"])
    return changes


def fields_from_patch(body, *, current: PersonFields) -> _Changes:
    """The person's fields after a PatchOp's operations, in order. Okta sends
    `{"op": "replace", "value": {"active": false}}`; Entra sends
    `{"op": "Replace", "path": "active", "value": "False"}`."""
    changes = _Changes(current)
    for op, path, value in patch_operations(body):
        if op == "remove":
            if path is None:
                raise ScimError("A remove names its path.", scim_type="noTarget")
            changes.set(path, None)
        elif path is None:
            if not isinstance(value, dict):
                raise ScimError(
                    "An operation without a path has an object value.", scim_type="invalidValue"
                )
            for key, part in value.items():
                changes.set(key, part)
        else:
            changes.set(path, value)
    return changes


def patch_operations(body) -> list[tuple[str, str | None, object]]:
    """(op in lower case, path or None, value) of each operation of a PatchOp body."""
    operations = body.get("Operations") if isinstance(body, dict) else None
    if not isinstance(operations, list) or not operations:
        raise ScimError("A PatchOp lists its Operations.", scim_type="invalidSyntax")
    found = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError("Each operation is an object.", scim_type="invalidSyntax")
        op = operation.get("op")
        if not isinstance(op, str) or op.lower() not in ("add", "replace", "remove"):
            raise ScimError(
                "An operation's op is add, replace or remove.", scim_type="invalidSyntax"
            )
        path = operation.get("path")
        if path is not None and not isinstance(path, str):
            raise ScimError("An operation's path is a string.", scim_type="invalidPath")
        found.append((op.lower(), path or None, operation.get("value")))
    return found
