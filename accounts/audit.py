"""What the audit trail records (django-auditlog): each audited model, the fields whose changes
are kept, the secrets among them (masked: that they changed is kept, never their value), and
how each row finds its account and person (accounts/models/audit.py fills the rows).

Registered once per app from its ready(): `register` below for accounts' models,
community/audit.py for community's. Auditing one more model, or one more field, is one
`audit_register` call or one name in its `fields`.

Never recorded: password hashes, last logins, session generations, token digests, keys and
prefixes, when a token was last used, and people's names and addresses (people are kept by id
and named when a row is read, by the naming rule: accounts/audit_trail.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from auditlog.registry import auditlog
from django.db import models

from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    EmailDomain,
    IdentityProvider,
    Membership,
    ScimToken,
    User,
)
from accounts.models.audit import AUDITED, AuditSpec, account_of_person

# How a secret's value reads in the trail.
MASK = "(hidden)"


def secret_mask(value: str) -> str:
    """A secret in the trail: whether there is one, never what it is (django-auditlog's
    mask_callable; its own default keeps half of the value)."""
    return MASK if value not in ("", "None") else ""


def _no_account(instance: models.Model) -> None:
    return None


def _no_person(instance: models.Model) -> None:
    return None


def _no_name(instance: models.Model) -> str:
    return ""


def account_field(instance: models.Model) -> int | None:
    """The account of a row with an `account` key (memberships, tokens, settings)."""
    return instance.account_id


def user_field(instance: models.Model) -> int | None:
    """The person of a row with a `user` key (memberships, team assignments, API tokens)."""
    return instance.user_id


def audit_register(
    model: type[models.Model],
    *,
    kind: str,
    fields: Iterable[str],
    masked: Iterable[str] = (),
    m2m: Iterable[str] = (),
    describe: Callable[[models.Model], str] = _no_name,
    account: Callable[[models.Model], int | None] = _no_account,
    person: Callable[[models.Model], int | None] = _no_person,
    key: Callable[[models.Model], str] | None = None,
) -> None:
    """Audit `model`: its creation, deletion and the changes of `fields` (and of the secrets
    `masked`, without their values), and of the many-to-many `m2m`. `kind` names the model in
    the trail, `describe` an object (never by a person's name nor a secret), `account` and
    `person` find whose it is, `key` stands for a primary key that is itself a secret."""
    masked = list(masked)
    AUDITED[model] = AuditSpec(
        kind=kind, describe=describe, account_of=account, person_of=person, key_of=key
    )
    auditlog.register(
        model,
        include_fields=[*fields, *masked],
        mask_fields=masked,
        mask_callable="accounts.audit.secret_mask",
        m2m_fields=set(m2m),
    )


def _api_token_key(token: ApiToken) -> str:
    """An API token's primary key is its digest: the trail knows it by its holder and birth."""
    return f"{token.user_id}:{token.created:%Y%m%d%H%M%S%f}" if token.created else ""


def register() -> None:
    """accounts' audited models (from AccountsConfig.ready)."""
    _register_accounts_and_people()
    _register_tokens_and_sign_in()


def _register_accounts_and_people() -> None:
    audit_register(
        Account,
        kind="Account",
        fields=[
            "name",
            "slug",
            "segment",
            "tier",
            "annual_contract_value",
            "currency",
            "customer_since",
            "renewal_date",
        ],
        describe=lambda account: account.name,
        account=lambda account: account.pk,
    )
    for model, kind in ((Membership, "Membership"), (AccountTeamAssignment, "Account team")):
        audit_register(
            model,
            kind=kind,
            fields=["user", "account", "role"],
            account=account_field,
            person=user_field,
        )
    audit_register(
        User,
        kind="Login",
        fields=["is_active", "is_staff", "is_superuser", "erased_at"],
        m2m=["groups", "user_permissions"],
        account=lambda user: account_of_person(user.pk),
        person=lambda user: user.pk,
    )


def _register_tokens_and_sign_in() -> None:
    audit_register(
        ApiToken,
        kind="API token",
        fields=["name", "user", "expiry"],
        describe=lambda token: token.name,
        account=lambda token: account_of_person(token.user_id),
        person=user_field,
        key=_api_token_key,
    )
    audit_register(
        ScimToken,
        kind="SCIM token",
        fields=["name", "account", "created_by", "revoked_at", "revoked_by"],
        describe=lambda token: token.name,
        account=account_field,
    )
    audit_register(
        IdentityProvider,
        kind="Single sign-on",
        fields=[
            "account",
            "kind",
            "issuer",
            "client_id",
            "metadata_url",
            "entity_id",
            "sso_url",
            "x509cert",
            "sso_required",
        ],
        masked=["client_secret"],
        describe=lambda provider: provider.get_kind_display(),
        account=account_field,
    )
    audit_register(
        EmailDomain,
        kind="Email domain",
        fields=["account", "domain"],
        describe=lambda domain: domain.domain,
        account=account_field,
    )


def audited_kinds() -> dict[str, type[models.Model]]:
    """The audited models by the words that name them in the trail."""
    return {spec.kind: model for model, spec in AUDITED.items()}
