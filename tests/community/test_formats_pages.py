"""Dates and money as pages write them (accounts/formats.py, docs/formats.md): "22 Nov 2026",
never an ISO date, on the alerts and outcomes pages; contract values and outcome amounts in the
account's currency; the API, CSV exports and imports carry the currency as an ISO 4217 code;
a name that ends in a full stop ends a sentence once."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest

from accounts.models import Account, Currency
from community.models import Alert, AlertReason, ImportKind, LoyaltyOutcome, OutcomeKind
from community.services import outcome_imports
from community.services.outcomes import outcome_record
from tests.api_helpers import api_login

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _visible_text(html: str) -> str:
    """What a reader sees: no scripts (json_script data), no tags and so no attributes (the
    `datetime` of a <time>, the value of a date input keep ISO dates on purpose)."""
    html = re.sub(r"<script\b.*?</script>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _alerts(account) -> None:
    for reason, details in (
        (
            AlertReason.LEVEL_DROPPED,
            {"day": "2026-06-30", "from_level": "participating", "to_level": "observing"},
        ),
        (
            AlertReason.SCORE_FELL,
            {"peak_score": 70, "peak_day": "2026-06-20", "points": 20, "days": 14},
        ),
        (
            AlertReason.SILENT_BEFORE_RENEWAL,
            {"renewal_date": "2027-01-31", "silent_days": 40, "last_activity": "2026-05-26"},
        ),
    ):
        Alert.objects.create(account=account, reason=reason, details=details)


def test_the_alerts_page_shows_no_iso_date(client_for, programme_admin, account_a):
    _alerts(account_a)

    page = client_for(programme_admin).get("/alerts/").content.decode()

    text = _visible_text(page)
    assert "30 Jun 2026" in text  # the level drop's day, from the alert's details
    assert "31 Jan 2027" in text  # the renewal day of the silent account
    assert ISO_DATE.findall(text) == []


def test_the_outcomes_page_shows_days_and_amounts_in_the_accounts_currency(
    client_for, programme_admin, account_a
):
    account_a.currency = Currency.GBP
    account_a.save()
    outcome_record(
        account=account_a,
        kind=OutcomeKind.EXPANDED,
        occurred_on=dt.date(2026, 11, 22),
        amount=Decimal("12541.50"),
        recorded_by=None,
    )

    text = _visible_text(client_for(programme_admin).get("/outcomes/").content.decode())

    assert "22 Nov 2026" in text
    assert "£12,541.50" in text
    assert not ISO_DATE.search(text)
    assert "12541.50" not in text


def test_the_outcomes_csv_keeps_the_plain_amount_and_adds_its_currency(
    client_for, programme_admin, account_a
):
    account_a.currency = Currency.USD
    account_a.save()
    outcome_record(
        account=account_a,
        kind=OutcomeKind.EXPANDED,
        occurred_on=dt.date(2026, 11, 22),
        amount=Decimal("12541.50"),
        recorded_by=None,
    )

    response = client_for(programme_admin).get("/outcomes/", {"export": "csv"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["occurred_on"], r["amount"], r["currency"]) for r in rows] == [
        ("2026-11-22", "12541.50", "USD")
    ]


# --- Contract values --------------------------------------------------------------------------


@pytest.fixture
def dollar_account(account_a) -> Account:
    account_a.currency = Currency.USD
    account_a.annual_contract_value = Decimal("50589.40")
    account_a.renewal_date = dt.date(2027, 3, 14)
    account_a.save()
    return account_a


def test_the_account_list_shows_contract_values_in_each_accounts_currency(
    client_for, programme_admin, dollar_account, account_b
):
    account_b.annual_contract_value = Decimal("239000")
    account_b.save()  # in euros, the default

    text = _visible_text(client_for(programme_admin).get("/accounts/").content.decode())

    assert "$50,589" in text
    assert "€239,000" in text
    assert "50589" not in text


def test_the_account_page_shows_its_contract_value_in_its_currency(
    client_for, account_manager_a, dollar_account
):
    text = _visible_text(client_for(account_manager_a).get("/accounts/acme/").content.decode())

    assert "$50,589" in text
    assert "14 Mar 2027" in text


def test_the_accounts_csv_keeps_the_plain_number_and_adds_the_currency(
    client_for, programme_admin, dollar_account
):
    response = client_for(programme_admin).get("/accounts/", {"export": "csv"})

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["annual_contract_value"], r["currency"]) for r in rows] == [("50589.40", "USD")]


def test_the_api_shows_and_changes_an_accounts_currency(api, programme_admin, dollar_account):
    api_login(api, programme_admin)

    assert api.get("/api/v1/accounts/acme/").json()["currency"] == "USD"
    response = api.patch("/api/v1/accounts/acme/", {"currency": "CHF"})

    assert response.status_code == 200
    assert response.json()["currency"] == "CHF"
    dollar_account.refresh_from_db()
    assert dollar_account.currency == "CHF"


def test_the_api_refuses_a_currency_that_is_no_iso_code_we_know(
    api, programme_admin, dollar_account
):
    api_login(api, programme_admin)

    response = api.patch("/api/v1/accounts/acme/", {"currency": "XYZ"})

    assert response.status_code == 400
    dollar_account.refresh_from_db()
    assert dollar_account.currency == "USD"


def test_an_accounts_import_sets_the_currency_of_each_account(programme_admin, account_a):
    rows = (
        "name,slug,segment,tier,annual_contract_value,currency,customer_since,renewal_date\n"
        "Acme Industrial,acme,,,1000,gbp,,\n"
        "Redwood Energy B.V.,,,,2000,,,\n"
        "Bad Money,,,,3000,DOGE,,\n"
    )

    batch = outcome_imports.csv_import(
        kind=ImportKind.ACCOUNTS,
        file=io.BytesIO(rows.encode()),
        file_name="crm.csv",
        uploaded_by=programme_admin,
    )

    assert [e["column"] for e in batch.errors] == ["currency"]  # DOGE: nothing is imported
    assert not Account.objects.filter(name="Redwood Energy B.V.").exists()
    fixed = rows.replace("Bad Money,,,,3000,DOGE,,\n", "")
    outcome_imports.csv_import(
        kind=ImportKind.ACCOUNTS,
        file=io.BytesIO(fixed.encode()),
        file_name="crm-fixed.csv",
        uploaded_by=programme_admin,
    )
    account_a.refresh_from_db()
    assert account_a.currency == "GBP"
    assert Account.objects.get(name="Redwood Energy B.V.").currency == "EUR"  # the default


# --- A name that ends in a full stop ----------------------------------------------------------


def test_recording_an_outcome_for_a_bv_says_so_with_one_full_stop(client_for, programme_admin):
    Account.objects.create(name="Redwood Energy B.V.", slug="redwood")

    response = client_for(programme_admin).post(
        "/accounts/redwood/outcomes/new/",
        {"kind": "renewed", "occurred_on": "2026-11-22"},
        follow=True,
    )

    page = response.content.decode()
    assert LoyaltyOutcome.objects.filter(account__slug="redwood").exists()
    assert "Renewed recorded for Redwood Energy B.V." in page
    assert "B.V.." not in page
