"""SCIM 2.0's discovery documents (RFC 7643 §5–7): what our service provider supports, its two
resource types, and the schemas of the attributes it keeps (accounts/api/scim_resources.py)."""

from __future__ import annotations

from django.urls import reverse

from accounts.scim_filters import GROUP_SCHEMA, USER_SCHEMA

_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
_SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"


def service_provider_config(request, *, max_results: int) -> dict:
    return {
        "schemas": [_CONFIG_SCHEMA],
        "patch": {"supported": True},
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": max_results},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [
            {
                "type": "oauthbearertoken",
                "name": "Bearer token",
                "description": "The account's SCIM token, issued on the account's page.",
                "primary": True,
            }
        ],
        "meta": {
            "resourceType": "ServiceProviderConfig",
            "location": request.build_absolute_uri(reverse("scim:service-provider-config")),
        },
    }


def RESOURCE_TYPES(request) -> list[dict]:  # noqa: N802 (a document, named as the others)
    return [
        {
            "schemas": [_TYPE_SCHEMA],
            "id": name,
            "name": name,
            "endpoint": endpoint,
            "schema": schema,
            "meta": {
                "resourceType": "ResourceType",
                "location": request.build_absolute_uri(reverse("scim:resource-types")) + "/" + name,
            },
        }
        for name, endpoint, schema in (
            ("User", "/Users", USER_SCHEMA),
            ("Group", "/Groups", GROUP_SCHEMA),
        )
    ]


def _attribute(name: str, *, kind: str = "string", required: bool = False, **more) -> dict:
    return {
        "name": name,
        "type": kind,
        "multiValued": False,
        "required": required,
        "caseExact": False,
        "mutability": "readWrite",
        "returned": "default",
        "uniqueness": "none",
        **more,
    }


SCHEMAS = [
    {
        "schemas": [_SCHEMA_SCHEMA],
        "id": USER_SCHEMA,
        "name": "User",
        "description": "A person of the account; userName is their login address.",
        "attributes": [
            _attribute("userName", required=True, uniqueness="server"),
            _attribute(
                "name",
                kind="complex",
                subAttributes=[_attribute("givenName"), _attribute("familyName")],
            ),
            _attribute("title"),
            _attribute("externalId", caseExact=True),
            _attribute("active", kind="boolean"),
            _attribute("password", mutability="writeOnly", returned="never"),
            _attribute(
                "emails",
                kind="complex",
                multiValued=True,
                subAttributes=[_attribute("value"), _attribute("type")],
            ),
            _attribute(
                "groups",
                kind="complex",
                multiValued=True,
                mutability="readOnly",
                subAttributes=[_attribute("value"), _attribute("display")],
            ),
        ],
    },
    {
        "schemas": [_SCHEMA_SCHEMA],
        "id": GROUP_SCHEMA,
        "name": "Group",
        "description": "The account's two groups: Members (its people) and Admins (its "
        "account admins).",
        "attributes": [
            _attribute("displayName", required=True, mutability="readOnly"),
            _attribute(
                "members",
                kind="complex",
                multiValued=True,
                subAttributes=[_attribute("value"), _attribute("display")],
            ),
        ],
    },
]
