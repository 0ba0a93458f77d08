"""How the API knows who calls with a token: django-rest-knox's `Authorization: Token …`, which
compares a hash of the token with the stored ones and refuses (401) one past its expiry, plus
the time each token was last used, which its owner sees on their profile. While
MFA_REQUIRED_FOR_STAFF is on, an internal user's token is refused (403 `mfa_required`) until
they have set up a second factor, as their session is (accounts/middleware.py). A token that
fails counts as a call by nobody against the "anon" rate (config.throttling), so guessing tokens
is throttled per IP address."""

from __future__ import annotations

import binascii
from datetime import timedelta
from hmac import compare_digest

from django.conf import settings
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import CONSTANTS, knox_settings
from knox.signals import token_expired
from rest_framework.exceptions import AuthenticationFailed, PermissionDenied

from accounts.mfa import SETUP_REQUIRED_MESSAGE, mfa_setup_required
from accounts.models import Account, ApiToken, Membership, User
from accounts.permission_backend import granted_ids, permissions_known
from config.sql_prepared import preparing
from config.throttling import anonymous_call_count

# A token's last use is written at most this often, so a busy script costs no write per call.
_LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token authentication, recording when each token was last used."""

    def authenticate(self, request):
        try:
            found = super().authenticate(request)
        except AuthenticationFailed:
            anonymous_call_count(request)  # 429 instead of 401 past the "anon" rate
            raise
        if found is not None:
            if mfa_setup_required(found[0]):
                # The token works again once its owner has set up a second factor.
                raise PermissionDenied(SETUP_REQUIRED_MESSAGE, code="mfa_required")
            _last_used_stamp(found[1])
        return found

    def authenticate_credentials(self, token: bytes):
        """knox's check of a token (its first characters find the candidates, the hash of the
        whole must match, an expired one is deleted and refused), reading the candidates with
        `tokens_with_owner` instead of the ORM."""
        token = token.decode("utf-8")
        for auth_token in tokens_with_owner(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as not_hex:
                raise AuthenticationFailed(_("Invalid token.")) from not_hex
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise AuthenticationFailed(_("Invalid token."))

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        """Whether the token met is past its expiry (then deleted, and refused). knox's own
        version also reads every other token of its owner on every call, to delete the expired
        ones: a query per API call for a tidy-up that the token list's own query does (expired
        tokens are neither listed nor accepted)."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class _TokenQuery:
    """The SELECT of `tokens_with_owner` for one database connection: the ORM's own SQL for
    `ApiToken.objects.filter(token_key=…)` (ApiTokenManager's select_related), written once per
    process, and what turns its rows into model instances. On PostgreSQL the same SELECT reads
    the owner's permissions' ids too (accounts.permission_backend.granted_ids)."""

    # Each row holds every concrete column of each, in this order (checked below).
    MODELS = (ApiToken, User, Membership, Account)

    def __init__(self, connection):
        tokens = ApiToken.objects.filter(token_key=_KEY_MARKER)
        if connection.vendor == "postgresql":
            tokens = tokens.annotate(owner_permission_ids=granted_ids("user_id"))
        compiler = tokens.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        if list(params).count(_KEY_MARKER) != 1:
            raise RuntimeError("The token query no longer takes its key once")
        self.params = list(params)
        self.key_at = self.params.index(_KEY_MARKER)
        # Where the permissions' array is in a row (None: not read), and the models' columns.
        self.ids_at = compiler.annotation_col_map.get("owner_permission_ids")
        self.columns = [i for i in range(len(compiler.select)) if i != self.ids_at]
        expected = [f for model in self.MODELS for f in model._meta.concrete_fields]
        if [compiler.select[i][0].target for i in self.columns] != expected:
            raise RuntimeError("ApiTokenManager no longer loads a token's owner as expected")
        self.parts, start = [], 0
        for model in self.MODELS:
            fields = model._meta.concrete_fields
            # As the ORM's compiler converts a column's values (none on PostgreSQL).
            converters = [
                (i, functions, f.cached_col)
                for i, f in enumerate(fields)
                if (
                    functions := [
                        *connection.ops.get_db_converters(f.cached_col),
                        *f.cached_col.get_db_converters(connection),
                    ]
                )
            ]
            pk = start + fields.index(model._meta.pk)
            self.parts.append((model, start, start + len(fields), pk, converters))
            start += len(fields)

    def instances(self, row, connection) -> list:
        """The row's token, user, membership and account (None for a user with no membership,
        and then no account)."""
        if self.ids_at is not None:
            row = [row[i] for i in self.columns]
        found = []
        for model, start, end, pk, converters in self.parts:
            if row[pk] is None:
                found.append(None)
                continue
            values = list(row[start:end])
            for i, functions, column in converters:
                for function in functions:
                    values[i] = function(values[i], column, connection)
            found.append(model.from_db(connection.alias, None, values))
        return found


# Stands for the token's key while the SQL is written: no key is ever this.
_KEY_MARKER = "\x00token key"
_token_queries: dict[tuple[str, str], _TokenQuery] = {}


def tokens_with_owner(token_key: str) -> list[ApiToken]:
    """The tokens starting with `token_key` (newest first, as the model orders them), each with
    its owner, the owner's membership and its account loaded as
    `select_related("user__membership__account")` loads them (ApiTokenManager), in one SELECT
    whose SQL is written once per process: the ORM spent about half of a cheap API call's
    time writing that SQL again on every call. On PostgreSQL the owner's permissions come in the
    same SELECT and are kept on the user for the request: their own query cost 4% of the CPU
    of the API's list calls. There the SELECT is prepared, as kept SQL is (config.sql_prepared):
    it runs on every API call, and planning its subqueries took about 40% of its time."""
    alias = router.db_for_read(ApiToken)
    connection = connections[alias]
    query = _token_queries.get((alias, connection.vendor))
    if query is None:
        query = _token_queries[alias, connection.vendor] = _TokenQuery(connection)
    params = list(query.params)
    params[query.key_at] = token_key
    prepared = connection.vendor == "postgresql" and settings.PREPARE_KEPT_SQL
    with (preparing(connection) if prepared else connection).cursor() as cursor:
        cursor.execute(query.sql, params)
        rows = cursor.fetchall()
    tokens = []
    user_field = ApiToken._meta.get_field("user")
    membership_user = Membership._meta.get_field("user")
    membership_account = Membership._meta.get_field("account")
    for row in rows:
        token, user, membership, account = query.instances(row, connection)
        if query.ids_at is not None:
            permissions_known(user, row[query.ids_at])
        user_field.set_cached_value(token, user)
        membership_user.remote_field.set_cached_value(user, membership)  # user.membership
        if membership is not None:
            membership_user.set_cached_value(membership, user)
            membership_account.set_cached_value(membership, account)
        tokens.append(token)
    return tokens


def _last_used_stamp(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= _LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (as before knox: `tokenAuth`)."""

    target_class = "accounts.api.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }
