"""How an audit row reads to the person reading it: who acted (named by the naming rule, or in
words when no person did), when, from which address, what it was about, and each change
before and after — the people in it named by the naming rule (accounts/people.py) for that
reader, choices by their labels, times in the site's time zone, secrets as "(hidden)".

The address a change came from is staff detail: internal readers see it (a column, a CSV
cell), a customer reader sees only the addresses of the changes they made themselves (their
personal-data download), and no column (`shows_addresses`).

The pages, their CSV and the personal-data download read the rows through here; the rows
themselves come from accounts.selectors (`audit_entries`, `account_history`). Names are looked
up for a whole page of rows at once: one query (the people and the accounts; two on SQLite),
however many rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from accounts.access import is_internal
from accounts.formats import format_date, format_datetime, format_money
from accounts.models import Account, AuditEntry, InternalRole, User
from accounts.models.audit import AUDITED
from accounts.people import FROM_MEMBERSHIP, person_name
from accounts.selectors import AUDIT_VALUES, people_and_accounts_by_id

ACTIONS = {
    AuditEntry.Action.CREATE: "Created",
    AuditEntry.Action.UPDATE: "Changed",
    AuditEntry.Action.DELETE: "Deleted",
}
DELETED_ACCOUNT = "A deleted account"
# Field names whose own label would not say what they are.
FIELD_LABELS = {"groups": "Internal roles", "user_permissions": "Own permissions"}
CSV_HEADER = ["When", "Who", "From", "What", "Account", "Action", "Changes"]
CSV_HEADER_WITHOUT_ADDRESSES = [column for column in CSV_HEADER if column != "From"]


def shows_addresses(viewer: User) -> bool:
    """The one answer to "does this reader see where changes came from?": internal users do;
    a customer's pages and CSV have no such column."""
    return is_internal(viewer)


def csv_header(viewer: User) -> list[str]:
    return CSV_HEADER if shows_addresses(viewer) else CSV_HEADER_WITHOUT_ADDRESSES


@dataclass(frozen=True)
class AuditChange:
    field: str
    before: str
    after: str
    many: bool = False  # a many-to-many change: `after` says what was added or removed

    @property
    def text(self) -> str:
        if self.many:
            return f"{self.field}: {self.after}"
        return f"{self.field}: {self.before or '—'} → {self.after or '—'}"


@dataclass(frozen=True)
class AuditRow:
    pk: int
    when: dt.datetime
    who: str
    address: str
    kind: str
    name: str  # the object's own short name ("" when the kind and the person say it all)
    person: str  # the person it is about, as the reader may know them ("" for none)
    account: str
    action: str
    changes: list[AuditChange]

    @property
    def what(self) -> str:
        parts = [self.kind]
        if self.name:
            parts.append(f"“{self.name}”")
        if self.person:
            parts.append(f"of {self.person}")
        return " ".join(parts)

    def csv_cells(self, *, addresses: bool = True) -> list[str]:
        """The row's cells under csv_header: with the address only for readers who see them."""
        return [
            timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M:%S"),
            self.who,
            *([self.address] if addresses else []),
            self.what,
            self.account,
            self.action,
            "; ".join(change.text for change in self.changes),
        ]


class _Kinds:
    """The kinds of a page's rows and their fields, each looked up once per page: a kind's
    model and name, a field, its label and its choices are the same for every row of the kind
    (kept for one page only: the labels are in the language of the request)."""

    def __init__(self) -> None:
        self._models: dict[int, type[models.Model] | None] = {}
        self._kinds: dict[int, str] = {}
        self._fields: dict[tuple, tuple] = {}
        self._choices: dict[models.Field, dict] = {}

    def model(self, entry: AuditEntry) -> type[models.Model] | None:
        """The entry's model, from Django's cache of content types (a query the first time
        only)."""
        pk = entry.content_type_id
        if pk not in self._models:
            self._models[pk] = ContentType.objects.get_for_id(pk).model_class()
        return self._models[pk]

    def kind(self, entry: AuditEntry) -> str:
        pk = entry.content_type_id
        if pk not in self._kinds:
            model = self.model(entry)
            spec = AUDITED.get(model) if model is not None else None
            self._kinds[pk] = (
                spec.kind if spec is not None else capfirst(ContentType.objects.get_for_id(pk).name)
            )
        return self._kinds[pk]

    def field(self, model: type[models.Model] | None, name: str) -> tuple:
        """(the model's field of that name or None, the change's label)."""
        key = (model, name)
        found = self._fields.get(key)
        if found is None:
            field = _field(model, name)
            label = FIELD_LABELS.get(name) or capfirst(str(getattr(field, "verbose_name", name)))
            found = self._fields[key] = (field, label)
        return found

    def choices(self, field: models.Field) -> dict:
        """The field's choices' labels by value."""
        found = self._choices.get(field)
        if found is None:
            found = self._choices[field] = dict(field.flatchoices)
        return found


def _field(model: type[models.Model] | None, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _ids(value) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [int(v) for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())]


class _Names:
    """The people and accounts a page of rows names, loaded at once, named for `viewer` (each
    person once per account they are named as of; each moment written once), and the page's
    kinds (`kinds`)."""

    def __init__(self, entries: list[AuditEntry], viewer: User) -> None:
        self.viewer = viewer
        self.kinds = kinds = _Kinds()
        self._named: dict[tuple, str] = {}
        self._moments: dict[str, str] = {}
        people, accounts = set(), set()
        for entry in entries:
            people.add(entry.person_id)
            accounts.add(entry.account_id)
            model = kinds.model(entry)
            for name, change in (entry.changes or {}).items():
                field = kinds.field(model, name)[0]
                if field is None or not field.is_relation:
                    continue
                values = change.get("objects", []) if isinstance(change, dict) else change
                target = people if field.related_model is User else accounts
                if field.related_model in (User, Account):
                    target.update(i for v in values for i in _ids(v))
        people.discard(None)
        accounts.discard(None)
        self.people, rows = people_and_accounts_by_id(sorted(people), sorted(accounts))
        self.accounts = {pk: name for pk, name, _ in rows}
        self.currencies = {pk: currency for pk, _, currency in rows}

    def person(self, pk, *, entry: AuditEntry) -> str:
        """A person in a row: the row's own person as of the row's account; anyone else as
        their membership says now."""
        if pk == entry.person_id and entry.account_id is not None:
            account_id = entry.account_id
        else:
            account_id = FROM_MEMBERSHIP
        key = ("person", pk, account_id)
        name = self._named.get(key)
        if name is None:
            name = self._named[key] = person_name(
                viewer=self.viewer, person=self.people.get(pk), person_account_id=account_id
            )
        return name

    def moment(self, value: str) -> str:
        """A moment of a change as `_time` writes it, once per page (an object's created and
        deleted rows show the same ones)."""
        shown = self._moments.get(value)
        if shown is None:
            shown = self._moments[value] = _time(value)
        return shown

    def account(self, pk) -> str:
        return self.accounts.get(pk, DELETED_ACCOUNT) if pk is not None else ""

    def actor(self, entry: AuditEntry) -> str:
        if entry.actor_id is None:
            return entry.actor_label or person_name(viewer=self.viewer, person=None)
        key = ("actor", entry.actor_id, entry.actor_account_id)
        name = self._named.get(key)
        if name is None:
            name = self._named[key] = person_name(
                viewer=self.viewer, person=entry.actor, person_account_id=entry.actor_account_id
            )
        return f"{name} ({entry.actor_label})" if entry.actor_label else name


def _time(value: str) -> str:
    """A moment as the formats write it ("22 Nov 2026, 14:05" in the site's time zone)."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, dt.UTC)  # django-auditlog keeps UTC, naive
    return format_datetime(moment)


# Amounts of money among the audited fields, written in their account's currency.
MONEY_FIELDS = {"annual_contract_value"}


def _value(field, value, names: _Names, entry: AuditEntry) -> str:
    if value is None or value == "":
        return ""
    if field is not None and field.is_relation:
        if field.related_model is User:
            return ", ".join(names.person(pk, entry=entry) for pk in _ids(value))
        if field.related_model is Account:
            return ", ".join(names.account(pk) for pk in _ids(value))
    if field is not None and field.choices:
        return str(names.kinds.choices(field).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in sorted(value.items()))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        return names.moment(value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        return format_date(value)
    if isinstance(field, models.DecimalField) and field.name in MONEY_FIELDS:
        return format_money(value, names.currencies.get(entry.account_id))
    return str(value)


def _many(field, change: dict, names: _Names, entry: AuditEntry) -> str:
    objects = change.get("objects", [])
    if field is not None and field.related_model is User:
        shown = [names.person(pk, entry=entry) for pk in _ids(objects)]
    elif field is not None and field.related_model is Group:
        roles = dict(InternalRole.choices)
        shown = [str(roles.get(name, name)) for name in objects]
    else:
        shown = [str(name) for name in objects]
    verb = "added" if change.get("operation") == "add" else "removed"
    return f"{verb} {', '.join(shown)}"


def _changes(entry: AuditEntry, names: _Names) -> list[AuditChange]:
    model = names.kinds.model(entry)
    found = []
    for name, change in sorted((entry.changes or {}).items()):
        field, label = names.kinds.field(model, name)
        if isinstance(change, dict):
            found.append(AuditChange(label, "", _many(field, change, names, entry), many=True))
        elif isinstance(change, (list, tuple)) and len(change) == 2:
            before = _value(field, change[0], names, entry)
            after = _value(field, change[1], names, entry)
            if before != after:  # none and empty read alike ("—"): no change to show
                found.append(AuditChange(label, before, after))
    return found


def _action(entry: AuditEntry) -> str:
    """The action in words ("Created"); another as its label (only then is the label read:
    Django's get_FOO_display hashes every choice's translated label on each call)."""
    action = ACTIONS.get(entry.action)
    return action if action is not None else str(entry.get_action_display())


def audit_rows(entries: Iterable[AuditEntry], *, viewer: User) -> list[AuditRow]:
    """Rows as `viewer` reads them (entries from accounts.selectors, their kind and actor
    loaded)."""
    entries = list(entries)
    names = _Names(entries, viewer)
    internal = shows_addresses(viewer)
    return [
        AuditRow(
            pk=entry.pk,
            when=entry.timestamp,
            who=names.actor(entry),
            # Staff detail: internal readers see every address, others only their own.
            address=(entry.remote_addr or "")
            if internal or (viewer.pk is not None and entry.actor_id == viewer.pk)
            else "",
            kind=names.kinds.kind(entry),
            name=entry.object_repr,
            person=names.person(entry.person_id, entry=entry) if entry.person_id else "",
            account=names.account(entry.account_id),
            action=_action(entry),
            changes=_changes(entry, names),
        )
        for entry in entries
    ]


class _Actor:
    """An entry's actor as the naming rule reads them: their names (a User's full name)."""

    __slots__ = ("first_name", "last_name")
    full_name = User.full_name

    def __init__(self, first_name: str, last_name: str) -> None:
        self.first_name, self.last_name = first_name, last_name


# An entry's own values in a row of AUDIT_VALUES; its actor's names come after them.
_OWN_VALUES = tuple(name for name in AUDIT_VALUES if not name.startswith("actor__"))


class EntryValues:
    """An audit entry as audit_rows reads it, made from a row of plain values
    (accounts.selectors.AUDIT_VALUES) instead of a model instance."""

    __slots__ = (*_OWN_VALUES, "actor", "pk")

    def __init__(self, row: tuple) -> None:
        *own, first_name, last_name = row
        for name, value in zip(_OWN_VALUES, own, strict=True):
            setattr(self, name, value)
        self.pk = self.id
        self.actor = None if self.actor_id is None else _Actor(first_name, last_name)

    def get_action_display(self) -> str:
        return AuditEntry(action=self.action).get_action_display()


def audit_rows_of_values(rows: Iterable[tuple], *, viewer: User) -> list[AuditRow]:
    """audit_rows of entries read as values (accounts.selectors.audit_trail_values): the same
    rows as of the entries themselves."""
    return audit_rows([EntryValues(row) for row in rows], viewer=viewer)


def audit_csv_rows(entries, *, viewer: User, chunk: int = 500) -> Iterator[list[str]]:
    """Every entry as a CSV line under `csv_header(viewer)`, named for `viewer`, read and
    named a chunk at a time."""
    addresses = shows_addresses(viewer)
    batch = []
    for entry in entries.iterator(chunk_size=chunk):
        batch.append(entry)
        if len(batch) == chunk:
            rows = audit_rows(batch, viewer=viewer)
            yield from (row.csv_cells(addresses=addresses) for row in rows)
            batch = []
    yield from (row.csv_cells(addresses=addresses) for row in audit_rows(batch, viewer=viewer))
