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
- Names and external ids are single-line (config.single_line): a quoted cell holding a line
  break is refused.
- The report stays small (community.services.import_reading): the batch keeps the first 1,000
  problems and the count of all (`error_count`), and the answer says "1,000 of 48,213 problems
  shown" (`ImportBatch.problems_summary`).

Outcomes: columns account, kind, occurred_on (required), amount, note, external_id (optional).
`account` is the account's slug or, when no slug matches, its exact name (any case; a name that
several accounts share is refused: use the slug). A row is the same outcome as an existing one
when account, kind, occurred_on and external_id are equal; then its amount and note are
updated if they differ.

Bad times (incidents): columns account, occurred_on (required), reference, note (optional).
`account` as for outcomes; the reference is the incident's id in the ticket system, or, left
empty, its day (community.services.robustness.incident_reference). A row is the same incident as
an existing one when account and reference are equal; then its day and note are updated if they
differ. Dates as for outcomes, not in the future and at most a year back.

Accounts: columns name, segment, tier, annual_contract_value, customer_since, renewal_date
(all required as columns), slug and currency (optional; currency an ISO 4217 code such as
EUR). A row updates the account with that slug, else the account with that name (any case),
else creates one through accounts.services. An empty cell
keeps the account's current value (or the default for a new account).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Account, Currency, Segment, Tier, User
from community.models import (
    OUTCOME_KINDS_WITH_AMOUNT,
    BadTime,
    BadTimeKind,
    BadTimeSource,
    ImportBatch,
    ImportKind,
    ImportStatus,
    LoyaltyOutcome,
    OutcomeKind,
    OutcomeSource,
)
from community.services.import_reading import (
    ImportReport,
    choice,
    date_problem,
    parse_amount,
    parse_date,
    read_csv,
    shown,
)
from community.services.robustness import incident_problems, incident_reference
from community.services.webhook_events import outcomes_recorded_emit
from config.single_line import single_line, validate_single_line

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
ACCOUNT_OPTIONAL_COLUMNS = ("slug", "currency")
BAD_TIME_COLUMNS = ("account", "occurred_on")
BAD_TIME_OPTIONAL_COLUMNS = ("reference", "note")
# Each kind's required and optional columns.
_COLUMNS = {
    ImportKind.OUTCOMES: (OUTCOME_COLUMNS, OUTCOME_OPTIONAL_COLUMNS),
    ImportKind.ACCOUNTS: (ACCOUNT_COLUMNS, ACCOUNT_OPTIONAL_COLUMNS),
    ImportKind.BAD_TIMES: (BAD_TIME_COLUMNS, BAD_TIME_OPTIONAL_COLUMNS),
}
_MAX_AMOUNT = Decimal("1e12")  # 14 digits, 2 of them decimals


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
    report = ImportReport()
    content = file.read(import_max_bytes() + 1)  # never more than the limit in memory
    digest = hashlib.sha256(content).hexdigest()
    if len(content) > import_max_bytes():
        report.problem(0, "", too_large_problem(getattr(file, "size", None) or len(content)))
    else:
        required, optional = _COLUMNS[kind]
        records = read_csv(content, required=required, optional=optional, report=report)
        if records is not None and not report.total:
            importer = {
                ImportKind.OUTCOMES: _import_outcomes,
                ImportKind.ACCOUNTS: _import_accounts,
                ImportKind.BAD_TIMES: _import_bad_times,
            }[kind]
            _apply(importer, records, uploaded_by=uploaded_by, report=report)
    failed = report.total > 0
    return ImportBatch.objects.create(
        kind=kind,
        status=ImportStatus.REJECTED if failed else ImportStatus.IMPORTED,
        file_name=single_line(file_name)[:255],
        file_sha256=digest,
        rows=report.rows,
        created=0 if failed else report.created,
        updated=0 if failed else report.updated,
        unchanged=0 if failed else report.unchanged,
        errors=report.problems,
        error_count=report.total,
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


def _apply(importer: Callable, records, *, uploaded_by: User, report: ImportReport) -> None:
    """Write every row in one transaction; a problem found while writing undoes them all."""
    try:
        with transaction.atomic():
            importer(records, uploaded_by=uploaded_by, report=report)
            if report.total:
                transaction.set_rollback(True)
    except IntegrityError:  # another import wrote the same rows meanwhile
        report.problem(0, "", "Another import changed the same rows meanwhile; upload it again.")


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


def _import_outcomes(records, *, uploaded_by: User, report: ImportReport) -> None:
    """Check every row, then (only when all are good) create the new outcomes and update the
    amount and note of those imported before (same account, kind, date and external id)."""
    parsed = _outcomes_checked(records, report=report)
    if not report.total:
        _outcomes_store(parsed, uploaded_by=uploaded_by, report=report)


def _outcomes_checked(records, *, report: ImportReport) -> list[tuple[tuple, Decimal | None, str]]:
    """Each good row as (key, amount, note); each bad one's problems go to the report."""
    values = {r["account"] for _, r in records if r["account"]}
    by_slug, by_name = _accounts_by_key(slugs=values, names={v.lower() for v in values})
    today = timezone.localdate()
    parsed = []
    seen: dict[tuple, int] = {}
    for row, record in records:
        before = report.total
        account = _outcome_account(record["account"], by_slug, by_name, row=row, report=report)
        kind = choice(record["kind"], OutcomeKind)
        if kind is None:
            report.problem(
                row,
                "kind",
                f"Unknown kind {shown(record['kind'])}; "
                f"use one of {', '.join(OutcomeKind.values)}.",
            )
        occurred_on = parse_date(record["occurred_on"])
        if occurred_on is None:
            report.problem(row, "occurred_on", date_problem(record["occurred_on"]))
        elif occurred_on > today:
            report.problem(row, "occurred_on", f"{occurred_on} is in the future.")
        amount = _outcome_amount(record.get("amount", ""), kind, row=row, report=report)
        external_id = record.get("external_id", "")
        if len(external_id) > 100:
            report.problem(row, "external_id", "At most 100 characters.")
        _single_line(external_id, row=row, column="external_id", report=report)
        if report.total > before:
            continue
        key = (account.pk, kind, occurred_on, external_id)
        if key in seen:
            report.problem(row, "", f"The same outcome as row {seen[key]}.")
            continue
        seen[key] = row
        parsed.append((key, amount, record.get("note", "")))
    return parsed


def _outcomes_store(parsed, *, uploaded_by: User, report: ImportReport) -> None:
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
    LoyaltyOutcome.objects.bulk_create(new, batch_size=1000)  # sets their ids (RETURNING)
    report.created += len(new)
    # The new ones go to the webhooks once the import commits (an import undone sends none).
    outcomes_recorded_emit(
        outcomes=LoyaltyOutcome.objects.filter(pk__in=[o.pk for o in new]).select_related("account")
    )


def _outcome_account(value: str, by_slug, by_name, *, row: int, report: ImportReport):
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
            row,
            "account",
            f"{len(named)} accounts are named {shown(value)}; use the account's slug.",
        )
    else:
        report.problem(row, "account", f"No account has the slug or name {shown(value)}.")
    return None


def _outcome_amount(value: str, kind: str | None, *, row: int, report: ImportReport):
    if kind is None:
        return None
    if kind not in OUTCOME_KINDS_WITH_AMOUNT:
        if value:
            report.problem(row, "amount", f"A {kind} outcome has no amount; leave it empty.")
        return None
    if not value:
        report.problem(row, "amount", f"Give the amount of the {kind} outcome.")
        return None
    amount = parse_amount(value)
    if amount is None:
        report.problem(row, "amount", f"{shown(value)} is not an amount: write it like 1234.50.")
    elif not 0 < amount < _MAX_AMOUNT:
        report.problem(row, "amount", "The amount must be more than 0 (and under 10¹²).")
        amount = None
    return amount


def _single_line(value: str, *, row: int, column: str, report: ImportReport) -> bool:
    """True when the cell is one line (a quoted CSV cell may hold line breaks)."""
    try:
        validate_single_line(value)
    except ValidationError as error:
        report.problem(row, column, error.messages[0])
        return False
    return True


# --- Bad times (incidents) ---------------------------------------------------------------------


def _import_bad_times(records, *, uploaded_by: User, report: ImportReport) -> None:
    """Check every row, then (only when all are good) create the new incidents and update the
    day and note of those imported or recorded before (same account and reference)."""
    values = {r["account"] for _, r in records if r["account"]}
    by_slug, by_name = _accounts_by_key(slugs=values, names={v.lower() for v in values})
    parsed, seen = [], {}
    for row, record in records:
        before = report.total
        account = _outcome_account(record["account"], by_slug, by_name, row=row, report=report)
        occurred_on = parse_date(record["occurred_on"])
        reference, note = record.get("reference", ""), record.get("note", "")
        if occurred_on is None:
            report.problem(row, "occurred_on", date_problem(record["occurred_on"]))
        else:
            problems = incident_problems(occurred_on=occurred_on, reference=reference, note=note)
            for column, messages in problems.items():
                for message in messages:
                    report.problem(row, column, message)
        if report.total > before:
            continue
        key = (account.pk, incident_reference(reference=reference, occurred_on=occurred_on))
        if key in seen:
            report.problem(row, "reference", f"The same incident as row {seen[key]}.")
            continue
        seen[key] = row
        parsed.append((key, occurred_on, note))
    if not report.total:
        _bad_times_store(parsed, uploaded_by=uploaded_by, report=report)


def _bad_times_store(parsed, *, uploaded_by: User, report: ImportReport) -> None:
    existing = {
        (b.account_id, b.reference): b
        for b in BadTime.objects.filter(
            kind=BadTimeKind.INCIDENT,
            account_id__in={key[0] for key, _, _ in parsed},
            reference__in={key[1] for key, _, _ in parsed},
        )
    }
    new = []
    for (account_id, reference), occurred_on, note in parsed:
        found = existing.get((account_id, reference))
        if found is None:
            new.append(
                BadTime(
                    account_id=account_id,
                    kind=BadTimeKind.INCIDENT,
                    reference=reference,
                    occurred_on=occurred_on,
                    note=note,
                    source=BadTimeSource.IMPORT,
                    recorded_by=uploaded_by,
                )
            )
        elif (found.occurred_on, found.note) == (occurred_on, note):
            report.unchanged += 1
        else:
            found.occurred_on, found.note = occurred_on, note
            found.save(update_fields=["occurred_on", "note", "updated_at"])
            report.updated += 1
    BadTime.objects.bulk_create(new, batch_size=1000)
    report.created += len(new)


# --- Accounts ---------------------------------------------------------------------------------


def _import_accounts(records, *, uploaded_by: User, report: ImportReport) -> None:
    by_slug, by_name = _accounts_by_key(
        slugs={s for _, r in records if r.get("slug") for s in (r["slug"], r["slug"].lower())},
        names={r["name"].lower() for _, r in records if r["name"]},
    )
    parsed = []
    seen: dict[str, int] = {}
    for row, record in records:
        before = report.total
        fields = _account_fields(record, row=row, report=report)
        slug = record.get("slug", "")
        key = f"slug:{slug}" if slug else f"name:{record['name'].lower()}"
        if report.total > before:
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
    if report.total:
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


def _account_fields(record: dict, *, row: int, report: ImportReport) -> dict:
    """The row's non-empty values, parsed; empty cells are left out (kept as they are)."""
    fields: dict = {}
    if not record["name"]:
        report.problem(row, "name", "Give the account's name.")
    elif len(record["name"]) > 200:
        report.problem(row, "name", "At most 200 characters.")
    elif _single_line(record["name"], row=row, column="name", report=report):
        fields["name"] = record["name"]
    for column, choices in (("segment", Segment), ("tier", Tier), ("currency", Currency)):
        if record.get(column):
            value = choice(record[column], choices)
            if value is None:
                report.problem(
                    row,
                    column,
                    f"Unknown {column} {shown(record[column])}; "
                    f"use one of {', '.join(choices.values)}.",
                )
            fields[column] = value
    if record["annual_contract_value"]:
        value = parse_amount(record["annual_contract_value"])
        if value is None or not 0 <= value < _MAX_AMOUNT:
            report.problem(
                row,
                "annual_contract_value",
                f"{shown(record['annual_contract_value'])} is not an amount of 0 or more: "
                "write it like 1234.50.",
            )
        fields["annual_contract_value"] = value
    for column in ("customer_since", "renewal_date"):
        if record[column]:
            value = parse_date(record[column])
            if value is None:
                report.problem(row, column, date_problem(record[column]))
            fields[column] = value
    return fields
