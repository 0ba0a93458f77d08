"""SCIM filters (RFC 7644 §3.4.2.2), such as `userName eq "ann@acme.example"`, as a query of the
account's people. scim2-filter-parser reads the filter into a tree; this module turns the tree
into a Django `Q` over the attributes we serve, so the filter is never SQL text of its own.

Attribute names are case-insensitive (`username`, `UserName`), may carry the core schema's URN,
and compare case-insensitively (userName, emails and names are `caseExact: false`). Supported:
eq, ne, co, sw, ew, pr, gt, ge, lt, le, and, or, not, and `emails[type eq "work"].value` (our
one address is the work one). Anything else is a `FilterInvalid`, answered 400 `invalidFilter`.
"""

from __future__ import annotations

from django.db.models import Q
from scim2_filter_parser.ast import AttrExpr, AttrPath, Filter, LogExpr
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser

from accounts.addresses import address_key
from accounts.models import Account

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"

# SCIM attribute (lower case) → the field of User it reads.
_USER_FIELDS = {
    "username": "email",
    "emails": "email",
    "emails.value": "email",
    "name.givenname": "first_name",
    "name.familyname": "last_name",
    "title": "job_title",
    "externalid": "scim_person__external_id",
    "id": "pk",
}
_LOOKUPS = {
    "eq": "iexact",
    "co": "icontains",
    "sw": "istartswith",
    "ew": "iendswith",
    "gt": "gt",
    "ge": "gte",
    "lt": "lt",
    "le": "lte",
}
_BOOLEANS = {"true": True, "false": False}


class FilterInvalid(ValueError):
    """The filter cannot be read, or names an attribute or operator we do not serve."""


def parse_filter(text: str) -> Filter:
    try:
        return SCIMParser().parse(SCIMLexer().tokenize(text))
    except Exception as error:  # the lexer and parser raise several kinds, all "unreadable"
        raise FilterInvalid(f"The filter cannot be read: {error}") from None


def user_filter_q(text: str, *, account: Account) -> Q:
    """The filter as a Q over User, for the people of `account` (accounts.access.scim_people)."""
    return _UserFilter(account).q(parse_filter(text))


def group_filter_names(text: str) -> set[str]:
    """The display names a groups filter asks for (`displayName eq "Admins"`), lower case.
    Groups are few, so only eq and or are served."""
    return _group_names(parse_filter(text))


def _attribute(path: AttrPath) -> str:
    if path.uri not in (None, USER_SCHEMA, GROUP_SCHEMA):
        raise FilterInvalid(f"Unknown schema {path.uri}.")
    name = path.attr_name
    if isinstance(name, Filter):  # emails[type eq "work"].value: our one address is "work"
        return _work_email(name)
    sub = path.sub_attr.value if path.sub_attr is not None else None
    return (f"{name}.{sub}" if sub else name).lower()


def _work_email(value_filter: Filter) -> str:
    namespace, inner = value_filter.namespace, value_filter.expr
    while isinstance(inner, Filter) and not inner.negated and inner.namespace is None:
        inner = inner.expr
    if not (
        isinstance(namespace, AttrPath)
        and str(namespace.attr_name).lower() == "emails"
        and isinstance(inner, AttrExpr)
        and str(inner.attr_path.attr_name).lower() == "type"
        and inner.value.lower() == "eq"
        and inner.comp_value is not None
        and str(inner.comp_value.value).lower() == "work"
    ):
        raise FilterInvalid('Of a sub-attribute\'s values, only emails[type eq "work"] is served.')
    sub = namespace.sub_attr.value if namespace.sub_attr is not None else None
    return f"emails.{sub}".lower() if sub else "emails"


class _UserFilter:
    def __init__(self, account: Account) -> None:
        self.account = account

    def q(self, node) -> Q:
        if isinstance(node, Filter):
            if node.namespace is not None:
                raise FilterInvalid("Filters on a sub-attribute's values are not served.")
            found = self.q(node.expr)
            return ~found if node.negated else found
        if isinstance(node, LogExpr):
            left, right = self.q(node.expr1), self.q(node.expr2)
            return left & right if node.op.lower() == "and" else left | right
        if isinstance(node, AttrExpr):
            return self._comparison(node)
        raise FilterInvalid("The filter cannot be read.")

    def _comparison(self, node: AttrExpr) -> Q:
        attribute, op = _attribute(node.attr_path), node.value.lower()
        value = node.comp_value.value if node.comp_value is not None else None
        if attribute == "active":
            return self._active(op, value)
        field = _USER_FIELDS.get(attribute)
        if field is None:
            raise FilterInvalid(f"Filtering by {attribute} is not served.")
        if op == "pr":
            return Q(**{f"{field}__isnull": False}) & ~Q(**{field: ""})
        if value is None or value == "null":
            raise FilterInvalid("Compare with a value, or ask whether it is present (pr).")
        if field == "pk":
            if op not in ("eq", "ne") or not (str(value).isdigit() and len(str(value)) <= 18):
                raise FilterInvalid("An id is compared with eq or ne.")
            found = Q(pk=int(value))
            return ~found if op == "ne" else found
        if field == "email" and op in ("eq", "ne"):
            # The login an address means, however it is spelled (accounts.addresses).
            found = Q(email__iexact=address_key(str(value))) | Q(email__iexact=str(value))
            return ~found if op == "ne" else found
        if op == "ne":
            return ~Q(**{f"{field}__iexact": value})
        lookup = _LOOKUPS.get(op)
        if lookup is None:
            raise FilterInvalid(f"Unknown operator {op}.")
        return Q(**{f"{field}__{lookup}": value})

    def _active(self, op: str, value) -> Q:
        if op not in ("eq", "ne") or str(value).lower() not in _BOOLEANS:
            raise FilterInvalid("active is compared with eq or ne, to true or false.")
        active = Q(is_active=True, membership__account=self.account)
        wanted = _BOOLEANS[str(value).lower()] != (op == "ne")
        return active if wanted else ~active


def _group_names(node) -> set[str]:
    if isinstance(node, Filter) and not node.negated and node.namespace is None:
        return _group_names(node.expr)
    if isinstance(node, LogExpr) and node.op.lower() == "or":
        return _group_names(node.expr1) | _group_names(node.expr2)
    if (
        isinstance(node, AttrExpr)
        and _attribute(node.attr_path) == "displayname"
        and node.value.lower() == "eq"
        and node.comp_value is not None
    ):
        return {str(node.comp_value.value).lower()}
    raise FilterInvalid('Groups are filtered by displayName eq "…" (or several, with or).')
