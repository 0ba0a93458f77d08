"""/imports/: programme admins import loyalty outcomes and accounts from CSV files.

Every import is all or nothing: one bad row and nothing is written, and the page lists each
problem by row and column (row 1 is the header) with a downloadable error report. The rules of
the files are in community/services/outcome_imports.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Account, Segment, Tier
from community.models import ImportBatch, LoyaltyOutcome, OutcomeKind, OutcomeSource
from tests.accounts.factories import AccountFactory
from tests.community.factories import outcomes_file_of_bad_rows

URL = "/imports/"
OUTCOMES_HEADER = "account,kind,occurred_on,amount,note,external_id\n"
ACCOUNTS_HEADER = "name,segment,tier,annual_contract_value,customer_since,renewal_date\n"


def _upload(client, text: str | bytes, *, kind: str = "outcomes", name: str = "export.csv"):
    content = text.encode() if isinstance(text, str) else text
    return client.post(
        URL, {"kind": kind, "file": SimpleUploadedFile(name, content, content_type="text/csv")}
    )


def _problems(response) -> list[tuple[int, str, str]]:
    batch = response.context["batch"]
    return [(p["row"], p["column"], p["problem"]) for p in batch.errors]


def _nothing_imported() -> None:
    assert not LoyaltyOutcome.objects.exists()


@pytest.fixture
def admin_client(client_for, programme_admin, account_a, account_b):
    return client_for(programme_admin)


# --- Who may import -------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/imports/"


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "member_b", "account_manager_a", "product_manager"]
)
def test_only_programme_admins_may_import(request, client_for, persona, account_a):
    client = client_for(request.getfixturevalue(persona))

    page = client.get(URL)
    upload = _upload(client, OUTCOMES_HEADER + "acme,renewed,2026-01-15,,,\n")

    assert page.status_code == 403
    assert upload.status_code == 403
    assert not LoyaltyOutcome.objects.exists()
    assert not ImportBatch.objects.exists()


def test_an_import_report_and_its_errors_are_for_programme_admins_only(
    admin_client, client_for, account_manager_a, member_b
):
    rejected = _upload(admin_client, OUTCOMES_HEADER + "nobody,renewed,2026-01-15,,,\n")
    batch = rejected.context["batch"]

    for user in (account_manager_a, member_b):
        client = client_for(user)
        assert client.get(f"/imports/{batch.pk}/").status_code == 403
        assert client.get(f"/imports/{batch.pk}/errors.csv").status_code == 403


def test_the_upload_page_explains_the_files(admin_client):
    response = admin_client.get(URL)

    assert response.status_code == 200
    assert b"<code>31/03/2026</code> (day first)" in response.content
    assert b"5.0\xc2\xa0MB" in response.content


# --- Outcomes: the happy path and re-import ------------------------------------------------


def test_a_programme_admin_imports_outcomes(admin_client, programme_admin, account_a, account_b):
    response = _upload(
        admin_client,
        OUTCOMES_HEADER
        + "acme,renewed,2026-01-15,,Three more years,CRM-1\n"
        + "Globex Logistics,expanded,15/02/2026,25000.50,,CRM-2\n"
        + "\n"
        + "ACME,Advocated,2026-03-01,,Case study,\n",
    )

    assert response.status_code == 200
    assert b"Imported 3 rows: 3 new, 0 updated, 0 unchanged." in response.content
    rows = {
        (o.account.slug, o.kind, o.occurred_on, o.amount, o.note, o.external_id)
        for o in LoyaltyOutcome.objects.select_related("account")
    }
    assert rows == {
        ("acme", "renewed", dt.date(2026, 1, 15), None, "Three more years", "CRM-1"),
        ("globex", "expanded", dt.date(2026, 2, 15), Decimal("25000.50"), "", "CRM-2"),
        ("acme", "advocated", dt.date(2026, 3, 1), None, "Case study", ""),
    }
    assert set(LoyaltyOutcome.objects.values_list("source", "recorded_by")) == {
        (OutcomeSource.IMPORT, programme_admin.pk)
    }
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.rows, batch.created) == ("imported", 3, 3)


def test_a_file_with_a_byte_order_mark_and_only_the_required_columns_is_fine(admin_client):
    response = _upload(admin_client, "\ufeffAccount , KIND,occurred_on\nacme,churned,2026-01-15\n")

    assert response.status_code == 200
    assert LoyaltyOutcome.objects.get().kind == OutcomeKind.CHURNED


def test_importing_the_same_file_again_changes_nothing_and_says_so(admin_client):
    text = OUTCOMES_HEADER + "acme,renewed,2026-01-15,,,CRM-1\nglobex,referred,2026-01-20,,,\n"
    _upload(admin_client, text)
    before = list(LoyaltyOutcome.objects.values_list("pk", "updated_at"))

    response = _upload(admin_client, text)

    assert response.status_code == 200
    assert b"0 new, 0 updated, 2 unchanged" in response.content
    assert b"Nothing changed: every row was already imported." in response.content
    assert b"This same file was already imported on" in response.content
    assert list(LoyaltyOutcome.objects.values_list("pk", "updated_at")) == before


def test_a_corrected_file_updates_the_amount_and_note_of_the_same_outcome(admin_client):
    _upload(admin_client, OUTCOMES_HEADER + "acme,expanded,2026-01-15,1000,,CRM-1\n")

    response = _upload(
        admin_client, OUTCOMES_HEADER + "acme,expanded,2026-01-15,1500,Fixed,CRM-1\n"
    )

    assert b"0 new, 1 updated, 0 unchanged" in response.content
    outcome = LoyaltyOutcome.objects.get()
    assert (outcome.amount, outcome.note) == (Decimal("1500.00"), "Fixed")


# --- Outcomes: bad files import nothing and say why ----------------------------------------


def test_missing_and_unknown_columns_are_reported_on_the_header_row(admin_client):
    response = _upload(admin_client, "account,when,kind\nacme,2026-01-15,renewed\n")

    assert response.status_code == 400
    assert b"Rejected: nothing was imported." in response.content
    assert _problems(response) == [
        (1, "occurred_on", "The column 'occurred_on' is missing."),
        (
            1,
            "when",
            "Unknown column 'when'; the columns are account, kind, occurred_on, amount, note, "
            "external_id.",
        ),
    ]
    _nothing_imported()


def test_bad_dates_are_reported_per_row_and_nothing_is_imported(admin_client):
    response = _upload(
        admin_client,
        OUTCOMES_HEADER
        + "acme,renewed,2026-01-15,,,\n"  # a good row: not imported either
        + "acme,churned,01/15/2026,,,\n"
        + "acme,referred,yesterday,,,\n"
        + "acme,advocated,2999-01-01,,,\n",
    )

    assert response.status_code == 400
    assert _problems(response) == [
        (3, "occurred_on", "'01/15/2026' is not a date: use YYYY-MM-DD (or DD/MM/YYYY)."),
        (4, "occurred_on", "'yesterday' is not a date: use YYYY-MM-DD (or DD/MM/YYYY)."),
        (5, "occurred_on", "2999-01-01 is in the future."),
    ]
    _nothing_imported()


def test_unknown_and_ambiguous_accounts_are_reported(admin_client):
    AccountFactory(name="Twin", slug="twin-1")
    AccountFactory(name="twin", slug="twin-2")

    response = _upload(
        admin_client,
        OUTCOMES_HEADER
        + "acme,renewed,2026-01-15,,,\n"
        + "Initech,renewed,2026-01-15,,,\n"
        + "Twin,renewed,2026-01-15,,,\n"
        + ",renewed,2026-01-15,,,\n",
    )

    assert response.status_code == 400
    assert _problems(response) == [
        (3, "account", "No account has the slug or name 'Initech'."),
        (4, "account", "2 accounts are named 'Twin'; use the account's slug."),
        (5, "account", "Give the account's slug or name."),
    ]
    _nothing_imported()


def test_kinds_and_amounts_are_checked(admin_client):
    response = _upload(
        admin_client,
        OUTCOMES_HEADER
        + "acme,upsold,2026-01-15,,,\n"
        + "acme,expanded,2026-01-15,,,\n"
        + 'acme,contracted,2026-01-15,"1,000",,\n'
        + "acme,renewed,2026-01-15,500,,\n"
        + "acme,contracted,2026-01-16,-5,,\n",
    )

    assert response.status_code == 400
    assert _problems(response) == [
        (
            2,
            "kind",
            "Unknown kind 'upsold'; use one of renewed, expanded, contracted, churned, "
            "referred, advocated.",
        ),
        (3, "amount", "Give the amount of the expanded outcome."),
        (4, "amount", "'1,000' is not an amount: write it like 1234.50."),
        (5, "amount", "A renewed outcome has no amount; leave it empty."),
        (6, "amount", "The amount must be more than 0 (and under 10¹²)."),
    ]
    _nothing_imported()


def test_duplicate_rows_within_the_file_are_refused(admin_client):
    response = _upload(
        admin_client,
        OUTCOMES_HEADER
        + "acme,renewed,2026-01-15,,,CRM-1\n"
        + "Acme Industrial,renewed,15/01/2026,,again,CRM-1\n"
        + "acme,renewed,2026-01-15,,,CRM-2\n",  # another CRM id: another outcome
    )

    assert response.status_code == 400
    assert _problems(response) == [(3, "", "The same outcome as row 2.")]
    _nothing_imported()


def test_a_row_with_the_wrong_number_of_cells_is_reported(admin_client):
    response = _upload(admin_client, "account,kind,occurred_on\nacme,renewed\n")

    assert response.status_code == 400
    assert _problems(response) == [(2, "", "The row has 2 cells; the header has 3.")]
    _nothing_imported()


def test_a_file_that_is_not_utf8_is_refused_with_the_row(admin_client):
    text = OUTCOMES_HEADER + "acme,renewed,2026-01-15,,,\nacme,churned,2026-01-16,,Müller left,\n"

    response = _upload(admin_client, text.encode("cp1252"))

    assert response.status_code == 400
    assert _problems(response) == [
        (
            3,
            "",
            "The file is not UTF-8 text (it may be Windows-1252 or Latin-1). "
            'Save it as "CSV UTF-8" and upload it again.',
        )
    ]
    _nothing_imported()


def test_an_empty_file_is_refused(admin_client):
    response = _upload(admin_client, "")

    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["The submitted file is empty."]
    assert not ImportBatch.objects.exists()


def test_a_file_with_only_a_header_is_refused(admin_client):
    response = _upload(admin_client, OUTCOMES_HEADER)

    assert response.status_code == 400
    assert _problems(response) == [(2, "", "The file has a header but no data rows.")]


def test_a_50_mb_upload_is_refused_before_it_is_read(admin_client):
    big = OUTCOMES_HEADER.encode() + b"acme,renewed,2026-01-15,,,\n" * (50 * 1024 * 1024 // 27)

    response = _upload(admin_client, big)

    assert response.status_code == 413
    assert "more than the limit of 5.0 MB" in response.content.decode()
    _nothing_imported()
    assert not ImportBatch.objects.exists()  # refused before the form was even read


def test_a_50_mb_upload_is_refused_before_the_csrf_check_reads_it(programme_admin, account_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(programme_admin)
    big = OUTCOMES_HEADER.encode() + b"acme,renewed,2026-01-15,,,\n" * (50 * 1024 * 1024 // 27)

    response = _upload(client, big)

    assert response.status_code == 413
    assert not ImportBatch.objects.exists()


def test_an_upload_still_needs_the_csrf_token(programme_admin, account_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(programme_admin)

    response = _upload(client, OUTCOMES_HEADER + "acme,renewed,2026-01-15,,,\n")

    assert response.status_code == 403
    assert not LoyaltyOutcome.objects.exists()


def test_a_file_just_over_the_limit_is_refused_unread(admin_client, settings):
    settings.IMPORT_MAX_BYTES = 100

    text = OUTCOMES_HEADER + "acme,renewed,2026-01-15,,,\n" * 5

    response = _upload(admin_client, text)

    assert response.status_code == 400
    assert _problems(response) == [
        (
            0,
            "",
            f"The file is {len(text)} bytes, more than the limit of 100 bytes. "
            "Split it into smaller files.",
        )
    ]
    _nothing_imported()


def test_a_missing_file_or_kind_is_a_form_error(admin_client):
    response = admin_client.post(URL, {"kind": "invoices"})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"kind", "file"}
    assert not ImportBatch.objects.exists()


def test_the_error_report_downloads_as_csv(admin_client):
    rejected = _upload(admin_client, OUTCOMES_HEADER + "nobody,renewed,2026-13-01,,,\n")
    batch = rejected.context["batch"]

    response = admin_client.get(f"/imports/{batch.pk}/errors.csv")

    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [
        ["row", "column", "problem"],
        ["2", "account", "No account has the slug or name 'nobody'."],
        ["2", "occurred_on", "'2026-13-01' is not a date: use YYYY-MM-DD (or DD/MM/YYYY)."],
    ]
    assert f"/imports/{batch.pk}/errors.csv".encode() in rejected.content


def test_a_file_of_many_bad_rows_gets_a_small_page_and_error_report_with_the_exact_count(
    admin_client,
):
    response = _upload(admin_client, outcomes_file_of_bad_rows(45_000))  # three problems a row

    assert response.status_code == 400
    assert len(response.content) < 150_000
    summary = "1,000 of 135,000 problems shown; fix these and upload the file again."
    assert summary in response.content.decode()
    batch = ImportBatch.objects.get()
    assert (batch.error_count, len(batch.errors), batch.rows) == (135_000, 1000, 45_000)
    assert batch.problems_summary == summary
    report = admin_client.get(f"/imports/{batch.pk}/errors.csv")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert len(rows) == 1 + 1000 + 1  # the header, the problems kept, and what is not listed
    assert rows[-1] == ["0", "", summary]
    assert summary in admin_client.get(f"/imports/{batch.pk}/").content.decode()


def test_a_name_or_external_id_on_two_lines_is_a_problem_of_its_row(admin_client, account_a):
    accounts = _upload(
        admin_client,
        ACCOUNTS_HEADER + '"Initech\nLabs",smb,growth,1200,2020-01-01,2027-03-31\n',
        kind="accounts",
    )
    outcomes = _upload(admin_client, OUTCOMES_HEADER + "acme,renewed,2026-01-15,,,CRM\t42\n")

    one_line = "Keep this to one line: no line breaks, tabs or other control characters."
    assert (accounts.status_code, _problems(accounts)) == (400, [(2, "name", one_line)])
    assert (outcomes.status_code, _problems(outcomes)) == (400, [(2, "external_id", one_line)])
    assert not Account.objects.filter(name__startswith="Initech").exists()
    _nothing_imported()


def test_an_import_report_can_be_opened_again(admin_client):
    _upload(admin_client, OUTCOMES_HEADER + "acme,renewed,2026-01-15,,,\n")
    batch = ImportBatch.objects.get()

    response = admin_client.get(f"/imports/{batch.pk}/")

    assert response.status_code == 200
    assert b"1 new, 0 updated, 0 unchanged" in response.content
    assert admin_client.get("/imports/999999/").status_code == 404


# --- Accounts from a CRM export -------------------------------------------------------------


def test_an_accounts_import_creates_and_updates_accounts(admin_client, account_a):
    response = _upload(
        admin_client,
        ACCOUNTS_HEADER
        + "ACME industrial,enterprise,Strategic,250000,2019-05-01,31/12/2026\n"
        + "Initech,Small business,,1200.50,,2027-03-31\n",
        kind="accounts",
    )

    assert response.status_code == 200
    assert b"1 new, 1 updated, 0 unchanged" in response.content
    account_a.refresh_from_db()
    assert (account_a.name, account_a.segment, account_a.tier) == (
        "ACME industrial",
        Segment.ENTERPRISE,
        Tier.STRATEGIC,
    )
    assert account_a.annual_contract_value == Decimal("250000")
    assert (account_a.customer_since, account_a.renewal_date) == (
        dt.date(2019, 5, 1),
        dt.date(2026, 12, 31),
    )
    initech = Account.objects.get(slug="initech")
    assert (initech.segment, initech.tier, initech.annual_contract_value) == (
        Segment.SMB,
        Tier.STANDARD,
        Decimal("1200.50"),
    )
    assert initech.renewal_date == dt.date(2027, 3, 31)


def test_an_accounts_import_matches_by_slug_when_given(admin_client, account_a):
    response = _upload(
        admin_client,
        "slug," + ACCOUNTS_HEADER + "acme,Acme Renamed,,,,,\nnew-co,New Co,,,,,\n",
        kind="accounts",
    )

    assert response.status_code == 200
    account_a.refresh_from_db()
    assert account_a.name == "Acme Renamed"
    assert Account.objects.get(slug="new-co").name == "New Co"


def test_importing_the_same_accounts_again_changes_nothing(admin_client):
    text = ACCOUNTS_HEADER + "Initech,smb,growth,1200,2020-01-01,2027-03-31\n"
    _upload(admin_client, text, kind="accounts")
    before = Account.objects.get(slug="initech").updated_at

    response = _upload(admin_client, text, kind="accounts")

    assert b"0 new, 0 updated, 1 unchanged" in response.content
    assert Account.objects.get(slug="initech").updated_at == before


def test_a_bad_accounts_file_imports_nothing(admin_client, account_a):
    response = _upload(
        admin_client,
        ACCOUNTS_HEADER
        + "Initech,smb,growth,1200,2020-01-01,2027-03-31\n"  # good, but not imported
        + "Acme Industrial,galactic,,,,\n"
        + "Umbrella,,,lots,2020-02-30,\n"
        + "initech,,,,,\n"
        + ",,,,,2027-01-01\n",
        kind="accounts",
    )

    assert response.status_code == 400
    assert _problems(response) == [
        (
            3,
            "segment",
            "Unknown segment 'galactic'; use one of enterprise, mid_market, smb, public_sector.",
        ),
        (
            4,
            "annual_contract_value",
            "'lots' is not an amount of 0 or more: write it like 1234.50.",
        ),
        (4, "customer_since", "'2020-02-30' is not a date: use YYYY-MM-DD (or DD/MM/YYYY)."),
        (5, "name", "The same account as row 2."),
        (6, "name", "Give the account's name."),
    ]
    assert not Account.objects.filter(slug__in=["initech", "umbrella"]).exists()
    account_a.refresh_from_db()
    assert account_a.segment == Segment.MID_MARKET


def test_an_accounts_file_needs_every_column(admin_client):
    response = _upload(admin_client, "name,segment\nInitech,smb\n", kind="accounts")

    assert response.status_code == 400
    assert [p[1] for p in _problems(response)] == [
        "tier",
        "annual_contract_value",
        "customer_since",
        "renewal_date",
    ]
    assert not Account.objects.filter(slug="initech").exists()


def test_a_problem_found_while_writing_undoes_the_rows_already_written(admin_client):
    # The slug is only checked by the account service (full_clean), after the first row was
    # created: the whole import is rolled back.
    response = _upload(
        admin_client,
        "slug," + ACCOUNTS_HEADER + "initech,Initech,,,,,\nnot a slug!,Umbrella,,,,,\n",
        kind="accounts",
    )

    assert response.status_code == 400
    problems = _problems(response)
    assert [(row, column) for row, column, _ in problems] == [(3, "slug")]
    assert not Account.objects.filter(name__in=["Initech", "Umbrella"]).exists()
    assert ImportBatch.objects.get().created == 0
