"""The audit trail's rows, and how each row is filled when django-auditlog writes it.

django-auditlog (settings.AUDITLOG_LOGENTRY_MODEL) writes an `AuditEntry` on every save and
delete of a registered model (accounts/audit.py and community/audit.py say which models and
which of their fields): the action, the changed fields before and after (`changes`, JSON), the
time. Its manager adds what the library does not know:

- **who**: the signed-in person of the request being served (`actor`, with the account they
  acted for), or, with no person, who in words (`actor_label`): an account's SCIM token, single
  sign-on, or "System" for Celery tasks and management commands;
- **from where**: the client's IP address (config.throttling.client_address);
- **about what**: the account the change belongs to and the person it is about, as ids that
  outlive the rows (a deleted account's history stays), and a short name of the object that is
  never a person's name nor a secret (people are named when the row is read,
  accounts/audit_trail.py, by the naming rule).

The request is known through `audit_request` (accounts.middleware.AuditRequestMiddleware);
`audit_acting` names the actor where no signed-in person acts (an invitation accepted, a single
sign-on).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.encoding import smart_str

from accounts.models.core import Account, ApiToken, Membership
from accounts.models.scim import ScimToken
from config.single_line import validate_single_line
from config.throttling import client_address

SYSTEM = "System"
NOBODY_SIGNED_IN = "Someone not signed in"


@dataclass(frozen=True)
class AuditSpec:
    """How the rows of one audited model are filled (accounts.audit.audit_register)."""

    kind: str  # what the row is about, in words: "Membership"
    describe: Callable[[models.Model], str]  # a short name: never a person's, never a secret
    account_of: Callable[[models.Model], int | None]
    person_of: Callable[[models.Model], int | None]
    key_of: Callable[[models.Model], str] | None = None  # when the primary key is a secret


# Audited models (their concrete classes) → how their rows are filled.
AUDITED: dict[type[models.Model], AuditSpec] = {}


@dataclass(frozen=True)
class _Acting:
    actor_id: int | None
    label: str


_request: ContextVar = ContextVar("audit_request", default=None)
_acting: ContextVar = ContextVar("audit_acting", default=None)


@contextlib.contextmanager
def audit_request(request) -> Iterator[None]:
    """Changes made inside are the request's: its person (or SCIM token) and its address."""
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)


@contextlib.contextmanager
def audit_acting(*, actor=None, label: str = "") -> Iterator[None]:
    """Changes made inside are recorded as `actor`'s (a person), or, with no person, as made by
    `label` (in words); the request's address is kept."""
    token = _acting.set(_Acting(actor.pk if actor is not None else None, label))
    try:
        yield
    finally:
        _acting.reset(token)


def account_of_person(user_id: int | None) -> int | None:
    """The account a person is a member of now (None: staff, or no longer a member)."""
    if user_id is None:
        return None
    return Membership.objects.filter(user_id=user_id).values_list("account_id", flat=True).first()


def _who() -> dict:
    """Who is changing rows now, and from where."""
    request = _request.get()
    address = client_address(request) if request is not None else None
    acting = _acting.get()
    if acting is not None:
        return {
            "actor_id": acting.actor_id,
            "actor_label": acting.label,
            "actor_account_id": account_of_person(acting.actor_id),
            "remote_addr": address,
        }
    if request is None:
        return {"actor_label": SYSTEM}
    user, auth = getattr(request, "user", None), getattr(request, "auth", None)
    if isinstance(auth, ScimToken):
        return {
            "actor_label": f"SCIM token “{auth.name}”",
            "actor_account_id": auth.account_id,
            "remote_addr": address,
        }
    if user is not None and user.is_authenticated:
        return {
            "actor_id": user.pk,
            "actor_label": f"API token “{auth.name}”" if isinstance(auth, ApiToken) else "",
            "actor_account_id": account_of_person(user.pk),
            "remote_addr": address,
        }
    return {"actor_label": NOBODY_SIGNED_IN, "remote_addr": address}


class AuditEntryManager(LogEntryManager):
    """django-auditlog's manager, filling our columns from the model's AuditSpec."""

    def log_create(self, instance, force_log: bool = False, **kwargs):
        spec = AUDITED.get(instance._meta.concrete_model)
        if spec is not None:
            try:
                kwargs.setdefault("object_repr", spec.describe(instance))
            except ObjectDoesNotExist:
                kwargs.setdefault("object_repr", "")
            if spec.key_of is not None:
                kwargs.setdefault("object_pk", spec.key_of(instance))
            kwargs.setdefault("account_id", spec.account_of(instance))
            kwargs.setdefault("person_id", spec.person_of(instance))
        for name, value in _who().items():
            kwargs.setdefault(name, value)
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        """A many-to-many change of an audited model (stewards, groups): people by their id
        (named when read), other things by their name. A change seen from the other side of
        the relation (a group's people) is not the audited model's and is not recorded."""
        opts = instance._meta
        audited = opts.concrete_model in AUDITED
        if not audited or field_name not in {f.name for f in opts.many_to_many}:
            return None
        if not changed_queryset:
            return None
        people = settings.AUTH_USER_MODEL.lower()
        objects = [
            obj.pk if obj._meta.label_lower == people else smart_str(obj)
            for obj in changed_queryset
        ]
        changes = {field_name: {"type": "m2m", "operation": operation, "objects": objects}}
        kwargs.setdefault("action", AuditEntry.Action.UPDATE)
        return self.log_create(instance, changes=changes, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One change of an audited row: django-auditlog's log entry (content type, object, action,
    `changes` as {field: [before, after]}, `timestamp`, `actor`, `remote_addr`) with the account
    it belongs to, the person it is about and, when no person acted, who did in words.

    `account`, `person` and `actor_account` are kept as ids without a database constraint, so
    the history of a deleted account or person stays (their rows read as such)."""

    account = models.ForeignKey(
        Account,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # audit_account_time below starts with it
        help_text="The account the change belongs to (its own record, its people, settings).",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person the change is about (a membership's, a token's holder).",
    )
    actor_account = models.ForeignKey(
        Account,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        help_text="The account the actor was a member of when they acted (none: staff).",
    )
    actor_label = models.CharField(
        max_length=200,
        blank=True,
        validators=[validate_single_line],
        help_text="Who acted, in words, when no person did (a SCIM token, the system), or "
        "the API token the person used.",
    )

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        ordering = ["-timestamp", "-pk"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["account", "-timestamp"], name="audit_account_time"),
            models.Index(fields=["content_type", "-timestamp"], name="audit_kind_time"),
        ]
