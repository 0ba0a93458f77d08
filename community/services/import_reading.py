"""Reading an import's CSV file (for community.services.outcome_imports): its rows, its header,
its values, and the report of what is wrong with it.

The report stays small whatever the file: it keeps the first IMPORT_MAX_PROBLEMS problems
(1,000) and counts every one, so a file of bad rows answers "1,000 of 48,213 problems shown"
instead of a report larger than the file. A value quoted in a problem is cut to
SHOWN_VALUE_LENGTH characters, a problem to PROBLEM_LENGTH and a column name to COLUMN_LENGTH,
so each kept problem is small too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

IMPORT_MAX_PROBLEMS = 1000
SHOWN_VALUE_LENGTH = 60
PROBLEM_LENGTH = 300
COLUMN_LENGTH = 60
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


@dataclass
class ImportReport:
    """What an import found: the first IMPORT_MAX_PROBLEMS problems, `total` counting them all,
    and the rows read and written."""

    problems: list[dict] = field(default_factory=list)
    total: int = 0
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def problem(self, row: int, column: str, problem: str) -> None:
        self.total += 1
        if len(self.problems) < IMPORT_MAX_PROBLEMS:
            self.problems.append(
                {
                    "row": row,
                    "column": _clip(column, COLUMN_LENGTH),
                    "problem": _clip(problem, PROBLEM_LENGTH),
                }
            )


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def shown(value: str) -> str:
    """A value quoted in a problem: in quotes, cut to SHOWN_VALUE_LENGTH characters."""
    return repr(_clip(value, SHOWN_VALUE_LENGTH))


def read_csv(
    content: bytes, *, required: tuple[str, ...], optional: tuple[str, ...], report: ImportReport
) -> list[tuple[int, dict]] | None:
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
        if not _check_header(columns, required=required, optional=optional, report=report):
            return None
        records, skipped = _records(reader, columns, report=report)
    except csv.Error as error:
        report.problem(reader.line_num, "", f"The file is not valid CSV: {error}.")
        return None
    report.rows = len(records) + skipped
    if not records and not report.total:
        report.problem(2, "", "The file has a header but no data rows.")
    return records


def _records(reader, columns: list[str], *, report: ImportReport) -> tuple[list, int]:
    """The data rows, and how many were skipped for a wrong number of cells. A row's number is
    its place in the file as a spreadsheet shows it (the header is 1, a blank line counts, a
    quoted cell holding line breaks does not start new rows)."""
    records, skipped = [], 0
    for row, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(cells) != len(columns):
            report.problem(
                row, "", f"The row has {len(cells)} cells; the header has {len(columns)}."
            )
            skipped += 1
            continue
        records.append((row, {c: v.strip() for c, v in zip(columns, cells, strict=True) if c}))
    return records, skipped


def _check_header(
    columns: list[str], *, required: tuple[str, ...], optional: tuple[str, ...], report
) -> bool:
    known = set(required) | set(optional)
    before = report.total
    for name in required:
        if name not in columns:
            report.problem(1, name, f"The column {name!r} is missing.")
    seen: set[str] = set()
    for name in columns:
        if name and name not in known:
            report.problem(
                1,
                name,
                f"Unknown column {shown(name)}; the columns are {', '.join(required + optional)}.",
            )
        elif name in seen:
            report.problem(1, name, f"The column {name!r} appears twice.")
        seen.add(name)
    if "" in columns:
        report.problem(1, "", "A column has no name.")
    return report.total == before


def parse_date(value: str) -> dt.date | None:
    for date_format in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, date_format).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


def date_problem(value: str) -> str:
    return f"{shown(value)} is not a date: use YYYY-MM-DD (or DD/MM/YYYY)."


def parse_amount(value: str) -> Decimal | None:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        return None
    return amount


def choice(value: str, choices) -> str | None:
    wanted = value.strip().lower()
    for option in choices:
        if wanted in (option.value.lower(), option.label.lower()):
            return option.value
    return None
