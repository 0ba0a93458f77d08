"""CSV imports from a CRM export: loyalty outcomes, and accounts.

Rules of every import (the page at /imports/ and POST /api/v1/imports/ say the same):

- All or nothing. Every row is checked first; one bad row and nothing is imported. The file's
  problems come back one per row and column (row 1 is the header, as in a spreadsheet), and as
  a downloadable CSV error report.
- The file is CSV in UTF-8 (a byte order mark, as Excel writes it, is fine); anything else is
  refused with the row where decoding failed. A file over settings.IMPORT_MAX_BYTES is refused
  before it is read.
- Column names are matched without regard to case or surrounding spaces; a missing required
  column or an unknown one is refused. Blank lines are skipped.
- Dates are YYYY-MM-DD (ISO) or DD/MM/YYYY (day first, as European CRMs export them).
- Amounts are plain numbers with a dot for decimals and no thousands separators (1234.50).
- The same row twice in one file is refused. Importing a file again changes nothing the second
  time, and the report says so ("unchanged").

Outcomes: columns account, kind, occurred_on (required), amount, note, external_id (optional).
`account` is the account's slug or, when no slug matches, its exact name (any case; a name that
several accounts share is refused: use the slug). A row is the same outcome as an existing one
when account, kind, occurred_on and external_id are equal; then its amount and note are
updated if they differ.

Accounts: columns name, segment, tier, annual_contract_value, customer_since, renewal_date
(all required as columns), slug (optional). A row updates the account with that slug, else the
account with that name (any case), else creates one through accounts.services. An empty cell
keeps the account's current value (or the default for a new account).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Account, Segment, Tier, User
from community.models import (
    OUTCOME_KINDS_WITH_AMOUNT,
    ImportBatch,
    ImportKind,
    ImportStatus,
    LoyaltyOutcome,
    OutcomeKind,
    OutcomeSource,
)

OUTCOME_COLUMNS = ("account", "kind", "occurred_on")
OUTCOME_OPTIONAL_COLUMNS = ("amount", "note", "external_id")
ACCOUNT_COLUMNS = (
    "name",
    "segment",
    "tier",
    "annual_contract_value",
    "customer_since",
    "renewal_date",
)
ACCOUNT_OPTIONAL_COLUMNS = ("slug",)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
_MAX_AMOUNT = Decimal("1e12")  # 14 digits, 2 of them decimals


@dataclass
class _Report:
    problems: list[dict] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def problem(self, row: int, column: str, problem: str) -> None:
        self.problems.append({"row": row, "column": column, "problem": problem})


def import_max_bytes() -> int:
    return settings.IMPORT_MAX_BYTES


def too_large_problem(size: int) -> str:
    return (
        f"The file is {_megabytes(size)}, more than the limit of "
        f"{_megabytes(import_max_bytes())}. Split it into smaller files."
    )


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size:,} bytes"
    return f"{size / (1024 * 1024):.1f} MB"


def csv_import(*, kind: str, file: IO[bytes], file_name: str, uploaded_by: User) -> ImportBatch:
    """Import a CSV file of `kind` all or nothing; returns the logged batch with its report."""
    if kind not in ImportKind.values:
        raise ValidationError({"kind": f"Unknown import kind {kind!r}."})
    report = _Report()
    content = file.read(import_max_bytes() + 1)  # never more than the limit in memory
    digest = hashlib.sha256(content).hexdigest()
    if len(content) > import_max_bytes():
        report.problem(0, "", too_large_problem(getattr(file, "size", None) or len(content)))
    else:
        records = _read_csv(content, kind=kind, report=report)
        if records is not None and not report.problems:
            importer = _import_outcomes if kind == ImportKind.OUTCOMES else _import_accounts
            _apply(importer, records, uploaded_by=uploaded_by, report=report)
    return ImportBatch.objects.create(
        kind=kind,
        status=ImportStatus.REJECTED if report.problems else ImportStatus.IMPORTED,
        file_name=file_name[:255],
        file_sha256=digest,
        rows=report.rows,
        created=0 if report.problems else report.created,
        updated=0 if report.problems else report.updated,
        unchanged=0 if report.problems else report.unchanged,
        errors=report.problems,
        uploaded_by=uploaded_by,
    )


def import_previous(*, batch: ImportBatch) -> ImportBatch | None:
    """The last earlier import of the very same file, if any (to say so on re-import)."""
    if not batch.file_sha256:
        return None
    return (
        ImportBatch.objects.filter(
            kind=batch.kind, file_sha256=batch.file_sha256, status=ImportStatus.IMPORTED
        )
        .exclude(pk=batch.pk)
        .filter(pk__lt=batch.pk)
        .select_related("uploaded_by")
        .first()
    )


def _apply(importer: Callable, records, *, uploaded_by: User, report: _Report) -> None:
    """Write every row in one transaction; a problem found while writing undoes them all."""
    try:
        with transaction.atomic():
            importer(records, uploaded_by=uploaded_by, report=report)
            if report.problems:
                transaction.set_rollback(True)
    except IntegrityError:  # another import wrote the same rows meanwhile
        report.problem(0, "", "Another import changed the same rows meanwhile; upload it again.")


# --- Reading ----------------------------------------------------------------------------------


def _read_csv(content: bytes, *, kind: str, report: _Report) -> list[tuple[int, dict]] | None:
    """The file's rows as (row number, {column: stripped value}), or None with a problem."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = content[: error.start].count(b"\n") + 1
        report.problem(
            row,
            "",
            "The file is not UTF-8 text (it may be Windows-1252 or Latin-1). "
            'Save it as "CSV UTF-8" and upload it again.',
        )
        return None
    if "\x00" in text:
        report.problem(0, "", "The file is not a CSV text file.")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            report.problem(1, "", "The file is empty: it needs a header row and data rows.")
            return None
        columns = [name.strip().lower() for name in header]
        if not _check_header(columns, kind=kind, report=report):
            return None
        records = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            row = reader.line_num
            if len(cells) != len(columns):
                report.problem(
                    row, "", f"The row has {len(cells)} cells; the header has {len(columns)}."
                )
                continue
            records.append((row, {c: v.strip() for c, v in zip(columns, cells, strict=True) if c}))
    except csv.Error as error:
        report.problem(reader.line_num, "", f"The file is not valid CSV: {error}.")
        return None
    report.rows = len(records) + sum(1 for p in report.problems if p["column"] == "")
    if not records and not report.problems:
        report.problem(2, "", "The file has a header but no data rows.")
    return records


def _check_header(columns: list[str], *, kind: str, report: _Report) -> bool:
    if kind == ImportKind.OUTCOMES:
        required, optional = OUTCOME_COLUMNS, OUTCOME_OPTIONAL_COLUMNS
    else:
        required, optional = ACCOUNT_COLUMNS, ACCOUNT_OPTIONAL_COLUMNS
    known = set(required) | set(optional)
    for name in required:
        if name not in columns:
            report.problem(1, name, f"The column {name!r} is missing.")
    seen: set[str] = set()
    for name in columns:
        if name and name not in known:
            report.problem(
                1,
                name,
                f"Unknown column {name!r}; the columns are {', '.join(required + optional)}.",
            )
        elif name in seen:
            report.problem(1, name, f"The column {name!r} appears twice.")
        seen.add(name)
    if "" in columns:
        report.problem(1, "", "A column has no name.")
    return not report.problems


def _parse_date(value: str) -> dt.date | None:
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, date_format).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


def _date_problem(value: str) -> str:
    return f"{value!r} is not a date: use YYYY-MM-DD (or DD/MM/YYYY)."


def _parse_amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        return None
    return amount


def _choice(value: str, choices) -> str | None:
    wanted = value.strip().lower()
    for choice in choices:
        if wanted in (choice.value, choice.label.lower()):
            return choice.value
    return None


def _accounts_by_key(*, slugs: set[str], names: set[str]) -> tuple[dict, dict]:
    """Existing accounts by slug and by lower-cased name (one query)."""
    by_slug: dict[str, Account] = {}
    by_name: dict[str, list[Account]] = {}
    accounts = Account.objects.annotate(lower_name=Lower("name")).filter(
        Q(slug__in=slugs) | Q(lower_name__in=names)
    )
    for account in accounts:
        by_slug[account.slug] = account
        by_name.setdefault(account.lower_name, []).append(account)
    return by_slug, by_name


# --- Outcomes ---------------------------------------------------------------------------------


def _import_outcomes(records, *, uploaded_by: User, report: _Report) -> None:
    """Check every row, then (only when all are good) create the new outcomes and update the
    amount and note of those imported before (same account, kind, date and external id)."""
    parsed = _outcomes_checked(records, report=report)
    if not report.problems:
        _outcomes_store(parsed, uploaded_by=uploaded_by, report=report)


def _outcomes_checked(records, *, report: _Report) -> list[tuple[tuple, Decimal | None, str]]:
    """Each good row as (key, amount, note); each bad one's problems go to the report."""
    values = {r["account"] for _, r in records if r["account"]}
    by_slug, by_name = _accounts_by_key(slugs=values, names={v.lower() for v in values})
    today = timezone.localdate()
    parsed = []
    seen: dict[tuple, int] = {}
    for row, record in records:
        before = len(report.problems)
        account = _outcome_account(record["account"], by_slug, by_name, row=row, report=report)
        kind = _choice(record["kind"], OutcomeKind)
        if kind is None:
            report.problem(
                row,
                "kind",
                f"Unknown kind {record['kind']!r}; use one of {', '.join(OutcomeKind.values)}.",
            )
        occurred_on = _parse_date(record["occurred_on"])
        if occurred_on is None:
            report.problem(row, "occurred_on", _date_problem(record["occurred_on"]))
        elif occurred_on > today:
            report.problem(row, "occurred_on", f"{occurred_on} is in the future.")
        amount = _outcome_amount(record.get("amount", ""), kind, row=row, report=report)
        external_id = record.get("external_id", "")
        if len(external_id) > 100:
            report.problem(row, "external_id", "At most 100 characters.")
        if len(report.problems) > before:
            continue
        key = (account.pk, kind, occurred_on, external_id)
        if key in seen:
            report.problem(row, "", f"The same outcome as row {seen[key]}.")
            continue
        seen[key] = row
        parsed.append((key, amount, record.get("note", "")))
    return parsed


def _outcomes_store(parsed, *, uploaded_by: User, report: _Report) -> None:
    """Create the new outcomes in bulk; update (or count as unchanged) the ones that exist."""
    existing = {
        (o.account_id, o.kind, o.occurred_on, o.external_id): o
        for o in LoyaltyOutcome.objects.filter(
            account_id__in={key[0] for key, _, _ in parsed},
            occurred_on__in={key[2] for key, _, _ in parsed},
        )
    }
    new = []
    for key, amount, note in parsed:
        outcome = existing.get(key)
        if outcome is None:
            account_id, kind, occurred_on, external_id = key
            new.append(
                LoyaltyOutcome(
                    account_id=account_id,
                    kind=kind,
                    occurred_on=occurred_on,
                    amount=amount,
                    note=note,
                    recorded_by=uploaded_by,
                    source=OutcomeSource.IMPORT,
                    external_id=external_id,
                )
            )
        elif outcome.amount == amount and outcome.note == note:
            report.unchanged += 1
        else:
            outcome.amount, outcome.note = amount, note
            outcome.save(update_fields=["amount", "note", "updated_at"])
            report.updated += 1
    LoyaltyOutcome.objects.bulk_create(new, batch_size=1000)
    report.created += len(new)


def _outcome_account(value: str, by_slug, by_name, *, row: int, report: _Report):
    if not value:
        report.problem(row, "account", "Give the account's slug or name.")
        return None
    account = by_slug.get(value) or by_slug.get(value.lower())
    if account is not None:
        return account
    named = by_name.get(value.lower(), [])
    if len(named) == 1:
        return named[0]
    if named:
        report.problem(
            row, "account", f"{len(named)} accounts are named {value!r}; use the account's slug."
        )
    else:
        report.problem(row, "account", f"No account has the slug or name {value!r}.")
    return None


def _outcome_amount(value: str, kind: str | None, *, row: int, report: _Report):
    if kind is None:
        return None
    if kind not in OUTCOME_KINDS_WITH_AMOUNT:
        if value:
            report.problem(row, "amount", f"A {kind} outcome has no amount; leave it empty.")
        return None
    if not value:
        report.problem(row, "amount", f"Give the amount of the {kind} outcome.")
        return None
    amount = _parse_amount(value)
    if amount is None:
        report.problem(row, "amount", f"{value!r} is not an amount: write it like 1234.50.")
    elif not 0 < amount < _MAX_AMOUNT:
        report.problem(row, "amount", "The amount must be more than 0 (and under 10¹²).")
        amount = None
    return amount


# --- Accounts ---------------------------------------------------------------------------------


def _import_accounts(records, *, uploaded_by: User, report: _Report) -> None:
    by_slug, by_name = _accounts_by_key(
        slugs={s for _, r in records if r.get("slug") for s in (r["slug"], r["slug"].lower())},
        names={r["name"].lower() for _, r in records if r["name"]},
    )
    parsed = []
    seen: dict[str, int] = {}
    for row, record in records:
        before = len(report.problems)
        fields = _account_fields(record, row=row, report=report)
        slug = record.get("slug", "")
        key = f"slug:{slug}" if slug else f"name:{record['name'].lower()}"
        if len(report.problems) > before:
            continue
        if key in seen:
            report.problem(row, "slug" if slug else "name", f"The same account as row {seen[key]}.")
            continue
        seen[key] = row
        account = (by_slug.get(slug) or by_slug.get(slug.lower())) if slug else None
        if account is None and not slug:
            named = by_name.get(record["name"].lower(), [])
            if len(named) > 1:
                report.problem(
                    row, "name", f"{len(named)} accounts have this name; add a slug column."
                )
                continue
            account = named[0] if named else None
        parsed.append((row, account, slug, fields))
    if report.problems:
        return
    for row, account, slug, fields in parsed:
        try:
            if account is None:
                account_services.account_create(**fields, **({"slug": slug} if slug else {}))
                report.created += 1
                continue
            changed = {k: v for k, v in fields.items() if getattr(account, k) != v}
            if not changed:
                report.unchanged += 1
                continue
            account_services.account_update(account=account, **changed)
            report.updated += 1
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                for message in messages:
                    report.problem(row, "" if column == "__all__" else column, message)


def _account_fields(record: dict, *, row: int, report: _Report) -> dict:
    """The row's non-empty values, parsed; empty cells are left out (kept as they are)."""
    fields: dict = {}
    if not record["name"]:
        report.problem(row, "name", "Give the account's name.")
    elif len(record["name"]) > 200:
        report.problem(row, "name", "At most 200 characters.")
    else:
        fields["name"] = record["name"]
    for column, choices in (("segment", Segment), ("tier", Tier)):
        if record[column]:
            value = _choice(record[column], choices)
            if value is None:
                report.problem(
                    row,
                    column,
                    f"Unknown {column} {record[column]!r}; use one of {', '.join(choices.values)}.",
                )
            fields[column] = value
    if record["annual_contract_value"]:
        value = _parse_amount(record["annual_contract_value"])
        if value is None or not 0 <= value < _MAX_AMOUNT:
            report.problem(
                row,
                "annual_contract_value",
                f"{record['annual_contract_value']!r} is not an amount of 0 or more: "
                "write it like 1234.50.",
            )
        fields["annual_contract_value"] = value
    for column in ("customer_since", "renewal_date"):
        if record[column]:
            value = _parse_date(record[column])
            if value is None:
                report.problem(row, column, _date_problem(record[column]))
            fields[column] = value
    return fields
