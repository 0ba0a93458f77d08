"""SCIM 2.0 provisioning (RFC 7644) at /scim/v2/: an account's identity provider (Okta,
Microsoft Entra) creates, changes, deactivates and deletes the account's people and sets who
is an account admin, with the account's SCIM token (`Authorization: Bearer …`). The token is the
only credential these views take, and its account the only tenant they reach: a person of
another account is 404, as one who does not exist, and is never listed.

Thin views: access (accounts.access.scim_people) → the body read (scim_resources) → one
service (accounts.provisioning) → the SCIM document. Answers are `application/scim+json`,
errors in SCIM's format, never cached (config.cache_control), and counted per token
(config.throttling.ScimThrottle); a wrong token counts against the "anon" rate of its address.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import JSONParser as PlainJSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import provisioning
from accounts.access import access_scim_person, scim_people
from accounts.api.scim_resources import (
    ScimError,
    error_document,
    fields_from_document,
    fields_from_patch,
    group_document,
    list_document,
    patch_operations,
    person_fields,
    user_document,
)
from accounts.api.scim_schemas import RESOURCE_TYPES, SCHEMAS, service_provider_config
from accounts.models import ScimToken, User
from accounts.scim_filters import FilterInvalid, group_filter_names, user_filter_q
from config.parsers import JSONParser
from config.throttling import ScimThrottle, anonymous_call_count

MAX_RESULTS = 200
MAX_START_INDEX = 10**9  # past any list; a larger one would overflow the database's offset


class ScimRenderer(JSONRenderer):
    media_type = "application/scim+json"
    format = "scim"


class ScimParser(JSONParser):
    media_type = "application/scim+json"


class PlainParser(JSONParser):
    media_type = PlainJSONParser.media_type


class ScimContentNegotiation(BaseContentNegotiation):
    """Always SCIM's JSON, whatever the client accepts (Okta asks for application/json)."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ScimTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>`: a working SCIM token (compared by its hash). The caller
    is no person (AnonymousUser); the token (`request.auth`) names the account."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            anonymous_call_count(request)
            raise exceptions.AuthenticationFailed("The Authorization header is Bearer <token>.")
        raw = header[1].decode("latin-1")
        token = (
            ScimToken.objects.select_related("account")
            .filter(digest=provisioning.scim_token_digest(raw), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            anonymous_call_count(request)  # 429 instead of 401 past the "anon" rate
            raise exceptions.AuthenticationFailed("This SCIM token is not valid.")
        provisioning.scim_token_used(token=token)
        return AnonymousUser(), token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="scim"'


class ScimTokenRequired(BasePermission):
    """Only a SCIM token passes (a session or an API token does not); a call without one is
    counted against the "anon" rate before it is refused with 401."""

    def has_permission(self, request, view) -> bool:
        if isinstance(request.auth, ScimToken):
            return True
        anonymous_call_count(request)
        return False


def scim_exception_handler(exc, context) -> Response | None:
    """Every refusal in SCIM's error format, with its status and, for bad input, its scimType."""
    headers = {}
    scim_type = None
    if isinstance(exc, ScimError):
        code, detail, scim_type = exc.status_code, str(exc.detail), exc.scim_type
    elif isinstance(exc, provisioning.ProvisioningConflict):
        code, detail, scim_type = 409, str(exc), "uniqueness"
    elif isinstance(exc, FilterInvalid):
        code, detail, scim_type = 400, str(exc), "invalidFilter"
    elif isinstance(exc, DjangoValidationError):
        code, scim_type = 400, "invalidValue"
        detail = " ".join(exc.messages)
    elif isinstance(exc, Http404 | exceptions.NotFound):
        code, detail = 404, str(exc) or "Not found."
    elif isinstance(exc, DjangoPermissionDenied):
        code, detail = 403, str(exc) or "Not allowed."
    elif isinstance(exc, exceptions.APIException):
        code, detail = exc.status_code, _detail_text(exc.detail)
        if isinstance(exc, exceptions.ParseError):
            scim_type = "invalidSyntax"
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait))
    else:
        return None  # a server error: Django's 500, logged as any other
    return Response(error_document(code, detail, scim_type), status=code, headers=headers)


def _detail_text(detail) -> str:
    if isinstance(detail, dict):
        return " ".join(_detail_text(value) for value in detail.values())
    if isinstance(detail, list):
        return " ".join(_detail_text(value) for value in detail)
    return str(detail)


class ScimView(APIView):
    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [ScimTokenRequired]
    throttle_classes = [ScimThrottle]
    renderer_classes = [ScimRenderer]
    parser_classes = [ScimParser, PlainParser]
    content_negotiation_class = ScimContentNegotiation
    schema = None  # not part of /api/v1/'s OpenAPI schema: SCIM's own documents describe it

    @property
    def account(self):
        return self.request.auth.account

    def get_exception_handler(self):
        return scim_exception_handler

    def _page(self) -> tuple[int, int]:
        """startIndex (1-based) and count, as RFC 7644 §3.4.2.4 reads them."""
        try:
            start = int(self.request.query_params.get("startIndex", 1))
            count = int(self.request.query_params.get("count", MAX_RESULTS))
        except ValueError:
            raise ScimError(
                "startIndex and count are integers.", scim_type="invalidValue"
            ) from None
        return min(max(start, 1), MAX_START_INDEX), min(max(count, 0), MAX_RESULTS)


class ServiceProviderConfigView(ScimView):
    def get(self, request):
        return Response(service_provider_config(request, max_results=MAX_RESULTS))


class ResourceTypesView(ScimView):
    def get(self, request):
        types = RESOURCE_TYPES(request)
        return Response(list_document(types, total=len(types), start=1))


class SchemasView(ScimView):
    def get(self, request):
        return Response(list_document(SCHEMAS, total=len(SCHEMAS), start=1))


class UsersView(ScimView):
    def get(self, request):
        people = scim_people(self.account).order_by("pk")
        text = request.query_params.get("filter")
        if text:
            people = people.filter(user_filter_q(text, account=self.account))
        start, count = self._page()
        total = people.count()
        page = list(people[start - 1 : start - 1 + count]) if count else []
        resources = [user_document(person, self.account, request) for person in page]
        return Response(list_document(resources, total=total, start=start))

    def post(self, request):
        changes = fields_from_document(request.data)
        person = provisioning.scim_person_create(
            account=self.account, fields=changes.fields, password=changes.password
        )
        return Response(_user_answer(self, person.pk), status=status.HTTP_201_CREATED)


def _user_answer(view: ScimView, pk: int) -> dict:
    """The person as they are now, read again after a write (with their membership)."""
    person = scim_people(view.account).get(pk=pk)
    return user_document(person, view.account, view.request)


class UserView(ScimView):
    def get(self, request, pk: str):
        return Response(_user_answer(self, access_scim_person(self.account, pk).pk))

    def put(self, request, pk: str):
        person = access_scim_person(self.account, pk)
        changes = fields_from_document(request.data)
        provisioning.scim_person_update(
            account=self.account, person=person, fields=changes.fields, password=changes.password
        )
        return Response(_user_answer(self, person.pk))

    def patch(self, request, pk: str):
        person = access_scim_person(self.account, pk)
        changes = fields_from_patch(request.data, current=person_fields(person, self.account))
        provisioning.scim_person_update(
            account=self.account, person=person, fields=changes.fields, password=changes.password
        )
        return Response(_user_answer(self, person.pk))

    def delete(self, request, pk: str):
        person = access_scim_person(self.account, pk)
        provisioning.scim_person_delete(account=self.account, person=person)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _group_or_404(pk: str) -> str:
    if pk not in provisioning.GROUPS:
        raise Http404("No such group.")
    return pk


class GroupsView(ScimView):
    def get(self, request):
        groups = list(provisioning.GROUPS)
        text = request.query_params.get("filter")
        if text:
            names = group_filter_names(text)
            groups = [g for g in groups if provisioning.GROUPS[g].lower() in names]
        start, count = self._page()
        page = groups[start - 1 : start - 1 + count]
        resources = [self._document(group) for group in page]
        return Response(list_document(resources, total=len(groups), start=start))

    def _document(self, group: str) -> dict:
        excluded = self.request.query_params.get("excludedAttributes", "").lower().split(",")
        with_members = "members" not in {e.strip() for e in excluded}
        people = []
        if with_members:
            ids = provisioning.group_member_ids(account=self.account, group=group)
            people = list(User.objects.filter(pk__in=ids).order_by("pk"))
        return group_document(group, people, self.request, with_members=with_members)


class GroupView(GroupsView):
    def get(self, request, pk: str):
        return Response(self._document(_group_or_404(pk)))

    def put(self, request, pk: str):
        group = _group_or_404(pk)
        body = request.data if isinstance(request.data, dict) else {}
        self._check_name(group, body.get("displayName"))
        people = self._people(body.get("members") or [])
        provisioning.scim_group_replace(account=self.account, group=group, members=people)
        return Response(self._document(group))

    @transaction.atomic
    def patch(self, request, pk: str):
        """Okta: add `{"path": "members", "value": [{"value": id}]}`, remove
        `{"path": "members[value eq \"id\"]"}`; Entra: Add/Remove with `path: members` and the
        values listed; a replace of `members` sets the whole group."""
        group = _group_or_404(pk)
        for op, path, value in patch_operations(request.data):
            target, selected = _members_path(path)
            if target is None:  # no path: {"members": [...]} and/or {"displayName": …}
                if not isinstance(value, dict):
                    raise ScimError(
                        "An operation without a path has an object value.", scim_type="invalidValue"
                    )
                self._check_name(group, value.get("displayName"))
                if "members" in value:
                    self._apply(group, op, self._people(value["members"] or []))
            elif target == "displayname":
                self._check_name(group, value)
            elif target == "members":
                people = self._people([{"value": selected}] if selected else value or [])
                self._apply(group, op, people)
            else:
                raise ScimError(f"A group has no attribute {path}.", scim_type="invalidPath")
        return Response(self._document(group))

    def _apply(self, group: str, op: str, people: list[User]) -> None:
        if op == "add":
            provisioning.scim_group_change(account=self.account, group=group, add=people)
        elif op == "remove":
            provisioning.scim_group_change(account=self.account, group=group, remove=people)
        else:
            provisioning.scim_group_replace(account=self.account, group=group, members=people)

    def _check_name(self, group: str, name) -> None:
        if name is not None and name != provisioning.GROUPS[group]:
            raise ScimError("The account's groups keep their names.", scim_type="mutability")

    def _people(self, members) -> list[User]:
        """The account's people a members list names; a value naming no one of the account is
        400, as one that does not exist."""
        if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
            raise ScimError('members is a list of {"value": id}.', scim_type="invalidValue")
        ids = [str(m.get("value", "")) for m in members]
        if not all(i.isascii() and i.isdigit() and len(i) <= 18 for i in ids):
            raise ScimError("A member's value is a user's id.", scim_type="invalidValue")
        people = list(scim_people(self.account).filter(pk__in=[int(i) for i in ids]))
        if len(people) != len(set(ids)):
            raise ScimError("A member names no user of this account.", scim_type="invalidValue")
        return people


def _members_path(path: str | None) -> tuple[str | None, str | None]:
    """("members", None) for `members`, ("members", id) for `members[value eq "id"]`,
    (attribute, None) for any other path, (None, None) without one."""
    if path is None:
        return None, None
    lowered = path.strip().lower()
    if lowered.startswith("members[") and lowered.endswith("]"):
        inner = path.strip()[len("members[") : -1].split()
        if len(inner) == 3 and inner[0].lower() == "value" and inner[1].lower() == "eq":
            return "members", inner[2].strip('"')
        raise ScimError('Members are selected by value eq "id".', scim_type="invalidFilter")
    return lowered, None
