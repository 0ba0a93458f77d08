"""The insights page, /insights/: outcome rates by engagement level at the time for internal
users (the account team over its accounts, product managers and programme admins over all),
with counts, 95% intervals, a chart, filters and a CSV export. Customers get 403 (like the
loyalty outcomes it is made of); anonymous visitors are sent to log in.

The figures themselves are checked in test_insights_rates.py; here: who sees what, the page,
the CSV, the filters and the query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from django.utils import timezone

from accounts.models import Account, Segment
from community.models import EngagementLevel, OutcomeKind
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory
from tests.community.factories import EngagementSnapshotFactory

URL = "/insights/"
L = EngagementLevel
K = OutcomeKind


def _days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _renewed_while(account, level, *, kind=K.RENEWED, days_ago=30, today_level=None):
    """`account` was at `level` 100 days ago, had `kind` `days_ago` days ago, and is at
    `today_level` (default: still `level`) since yesterday."""
    EngagementSnapshotFactory(account=account, day=_days_ago(100), level=level)
    EngagementSnapshotFactory(account=account, day=_days_ago(1), level=today_level or level)
    amount = 500 if kind in (K.EXPANDED, K.CONTRACTED) else None
    outcome_record(
        account=account, kind=kind, occurred_on=_days_ago(days_ago), recorded_by=None,
        amount=amount,
    )  # fmt: skip


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _html_cell(page: str, row: str, level: str) -> str:
    """The inside of the rates table's cell of an outcome (or count: decided, held) row and a
    level."""
    match = re.search(rf'<tr data-(?:kind|count)="{row}">(.*?)</tr>', page, re.S)
    cell = re.search(rf'<td data-level="{level}">(.*?)</td>', match.group(1), re.S)
    return cell.group(1)


def _cell(rows, level, outcome) -> dict[str, str]:
    return next(r for r in rows if r["level"] == level and r["outcome"] == outcome)


# --- Who sees the page -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
@pytest.mark.parametrize("export", [{}, {"export": "csv"}])
def test_customers_are_refused_the_page_and_its_export(
    request, client_for, persona, export, account_a
):
    _renewed_while(account_a, L.CONTRIBUTING)

    response = client_for(request.getfixturevalue(persona)).get(URL, export)

    assert response.status_code == 403


def test_customers_have_no_insights_link_and_internal_users_do(
    client_for, member_a, account_manager_a
):
    assert 'href="/insights/"' not in client_for(member_a).get("/").content.decode()
    assert 'href="/insights/"' in client_for(account_manager_a).get("/").content.decode()


def test_the_account_team_counts_only_its_own_accounts(
    client_for, account_manager_a, account_a, account_b
):
    _renewed_while(account_a, L.CONTRIBUTING)
    _renewed_while(account_b, L.CONTRIBUTING, kind=K.CHURNED)

    rows = _csv(client_for(account_manager_a).get(URL, {"export": "csv"}))

    assert _cell(rows, "contributing", "renewed")["accounts"] == "1"
    assert _cell(rows, "contributing", "renewed")["of_accounts"] == "1"
    assert _cell(rows, "contributing", "churned")["accounts"] == "0"


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_count_every_account(
    request, client_for, persona, account_a, account_b
):
    _renewed_while(account_a, L.CONTRIBUTING)
    _renewed_while(account_b, L.CONTRIBUTING, kind=K.CHURNED)

    response = client_for(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 200
    renewed = response.context["rates"].rate(kind=K.RENEWED, level=L.CONTRIBUTING)
    assert (renewed.accounts, renewed.of) == (1, 2)


# --- The page --------------------------------------------------------------------------------


def test_it_counts_an_account_at_its_level_when_it_renewed_not_today(
    client_for, programme_admin, account_a
):
    _renewed_while(account_a, L.CONTRIBUTING, today_level=L.DORMANT)

    response = client_for(programme_admin).get(URL)

    page = response.content.decode()
    contributing = _html_cell(page, "renewed", "contributing")
    assert "<strong>100%</strong>" in contributing
    assert "(1 of 1)" in contributing
    assert "95%: 21–100%" in contributing  # Wilson, 1 of 1: 0.2065 … 1
    assert "of" not in _html_cell(page, "renewed", "dormant")  # "—": no account decided there
    assert _html_cell(page, "decided", "contributing").startswith("1<br>")
    assert _html_cell(page, "decided", "dormant").startswith("0<br>")


def test_small_groups_are_flagged_with_their_figures_shown(client_for, programme_admin):
    for _ in range(5):
        _renewed_while(AccountFactory(), L.CO_CREATING)
    _renewed_while(AccountFactory(), L.OBSERVING, kind=K.CHURNED)

    page = client_for(programme_admin).get(URL).content.decode()

    assert "(5 of 5)" in _html_cell(page, "renewed", "co_creating")
    assert "few accounts" not in _html_cell(page, "renewed", "co_creating")
    assert _html_cell(page, "decided", "co_creating") == "5"
    assert "(1 of 1)" in _html_cell(page, "churned", "observing")  # shown …
    assert "few accounts: read with care" in _html_cell(page, "churned", "observing")  # … flagged
    assert "few accounts: read with care" in _html_cell(page, "decided", "observing")


def test_the_chart_gets_every_outcome_per_level_from_a_json_script(client_for, programme_admin):
    _renewed_while(AccountFactory(), L.PARTICIPATING, kind=K.EXPANDED)

    response = client_for(programme_admin).get(URL, {"chart": "expanded"})

    page = response.content.decode()
    assert '<script id="insights-chart-data" type="application/json">' in page
    assert "js/insights-chart.js" in page
    data = response.context["chart_data"]
    assert data["selected"] == "expanded"
    assert data["levels"] == [
        "Dormant",
        "Observing",
        "Participating",
        "Contributing",
        "Co-creating",
    ]
    assert data["level_keys"] == [
        "dormant",
        "observing",
        "participating",
        "contributing",
        "co_creating",
    ]
    expanded = data["kinds"]["expanded"]
    assert expanded["rates"] == [None, None, 100, None, None]
    assert expanded["accounts"] == [0, 0, 1, 0, 0]
    assert expanded["few"] == [True, True, True, True, True]
    assert expanded["low"][2] == 21  # Wilson, 1 of 1: 20.65%, as the table shows it
    json.dumps(data)  # what json_script writes


def test_it_loads_the_pilot_perception_fragment_with_the_same_period_and_segment(
    client_for, programme_admin
):
    response = client_for(programme_admin).get(
        URL, {"period_from": "2026-01-01", "period_to": "2026-06-30", "segment": "enterprise"}
    )

    assert (
        'hx-get="/pilots/perception-outcomes/?period_from=2026-01-01&amp;period_to=2026-06-30'
        '&amp;segment=enterprise"' in response.content.decode()
    )


# --- Filters and CSV -------------------------------------------------------------------------


def test_the_period_and_segment_filter_the_outcomes(client_for, programme_admin):
    enterprise = AccountFactory(segment=Segment.ENTERPRISE)
    _renewed_while(enterprise, L.CONTRIBUTING, days_ago=10)
    _renewed_while(AccountFactory(segment=Segment.SMB), L.CONTRIBUTING, days_ago=10)
    _renewed_while(AccountFactory(segment=Segment.SMB), L.CONTRIBUTING, days_ago=60)
    client = client_for(programme_admin)

    def renewed(**query) -> tuple[int, int]:
        rate = client.get(URL, query).context["rates"].rate(kind=K.RENEWED, level=L.CONTRIBUTING)
        return rate.accounts, rate.of

    assert renewed() == (3, 3)  # default: the last year
    assert renewed(segment="enterprise") == (1, 1)
    assert renewed(period_from=_days_ago(30).isoformat()) == (2, 2)
    assert renewed(period_to=_days_ago(30).isoformat()) == (1, 1)  # a year back from there


def test_the_filters_show_the_default_period_of_the_last_year(client_for, programme_admin):
    page = client_for(programme_admin).get(URL).content.decode()

    today = timezone.localdate()
    assert f'name="period_from" value="{today - dt.timedelta(days=365)}"' in page
    assert f'name="period_to" value="{today}"' in page


def test_a_period_that_ends_before_it_starts_is_a_form_error(client_for, programme_admin):
    response = client_for(programme_admin).get(
        URL, {"period_from": "2026-05-01", "period_to": "2026-04-01", "export": "csv"}
    )

    assert response.status_code == 400
    assert "The period must not end before it starts." in response.content.decode()
    assert response["Content-Type"].startswith("text/html")  # no CSV of a broken filter


def test_the_csv_has_a_row_per_level_and_outcome_with_counts_and_intervals(
    client_for, programme_admin
):
    for _ in range(3):
        _renewed_while(AccountFactory(), L.PARTICIPATING)
    _renewed_while(AccountFactory(), L.PARTICIPATING, kind=K.CHURNED)

    response = client_for(programme_admin).get(URL, {"export": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate()
    assert (
        f'filename="outcome-rates-{today - dt.timedelta(days=365)}-{today}.csv"'
        in response["Content-Disposition"]
    )
    rows = _csv(response)
    assert len(rows) == 5 * 6  # five levels, six outcomes (no outcome before a snapshot)
    assert _cell(rows, "participating", "renewed") == {
        "level": "participating",
        "level_label": "Participating",
        "outcome": "renewed",
        "outcome_label": "Renewed",
        "accounts": "3",
        "of_accounts": "4",
        "denominator": "accounts deciding",
        "rate_percent": "75",
        "interval_low_percent": "30",  # Wilson, 3 of 4: 0.3006 … 0.9544
        "interval_high_percent": "95",
        "few_accounts": "yes",
    }
    referred = _cell(rows, "participating", "referred")
    assert (referred["accounts"], referred["of_accounts"]) == ("0", "4")
    assert referred["denominator"] == "accounts at the level"
    assert _cell(rows, "dormant", "renewed")["rate_percent"] == ""


def test_the_page_the_csv_and_the_api_show_the_same_whole_percentages(
    client_for, programme_admin, api
):
    """3 of 55 churned (5.45%) and the Wilson high end of 1 in 14 expanded (31.469%): rounded
    once, 5% and 31%; rounded to one decimal first and then to a whole number, 6% and 32%."""
    for n in range(55):
        _renewed_while(AccountFactory(), L.PARTICIPATING, kind=K.CHURNED if n < 3 else K.RENEWED)
    for n in range(14):
        _renewed_while(AccountFactory(), L.CONTRIBUTING, kind=K.EXPANDED if n < 1 else K.RENEWED)

    page = client_for(programme_admin).get(URL).content.decode()
    rows = _csv(client_for(programme_admin).get(URL, {"export": "csv"}))
    api.force_authenticate(programme_admin)
    body = api.get("/api/v1/insights/outcome-rates/").json()

    churned = _html_cell(page, "churned", "participating")
    assert "<strong>5%</strong> <small>(3 of 55)</small>" in churned
    assert "95%: 2–15%" in churned  # Wilson, 3 of 55: 0.01872 … 0.14853
    expanded = _html_cell(page, "expanded", "contributing")
    assert "<strong>7%</strong> <small>(1 of 14)</small>" in expanded
    assert "95%: 1–31%" in expanded  # Wilson, 1 of 14: 0.01272 … 0.31469
    csv_churned = _cell(rows, "participating", "churned")
    csv_expanded = _cell(rows, "contributing", "expanded")
    assert [csv_churned[f] for f in ("rate_percent", "interval_low_percent")] == ["5", "2"]
    assert [csv_expanded[f] for f in ("rate_percent", "interval_high_percent")] == ["7", "31"]
    levels = {row["level"]: {r["outcome"]: r for r in row["rates"]} for row in body["levels"]}
    api_churned, api_expanded = (
        levels["participating"]["churned"],
        levels["contributing"]["expanded"],
    )
    assert (api_churned["rate_percent"], api_churned["interval_high_percent"]) == (5, 15)
    assert (api_expanded["rate_percent"], api_expanded["interval_high_percent"]) == (7, 31)
    assert api_churned["rate"] == 3 / 55  # the unrounded share, besides


# --- Query count -----------------------------------------------------------------------------


def test_the_page_reads_the_same_number_of_queries_whatever_the_number_of_accounts(
    client_for, programme_admin, django_assert_num_queries
):
    client = client_for(programme_admin)
    levels = L.values

    def page_with(accounts: int) -> None:
        while Account.objects.count() < accounts:
            n = Account.objects.count()
            _renewed_while(AccountFactory(), levels[n % 5], kind=K.values[n % 6])
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'),
        # 4-6 the fingerprints the rates are remembered under (accounts, days of level change,
        # outcomes), 7 outcomes per level at the time and kind, 8 renewal decisions per level
        # at the time, 9 accounts per level held in the period, 10 the header's
        # unread-notification and open-alert counts, 11 groups (navigation), 12 the bad times
        # of the period (none: the robustness table reads no snapshot)
        with django_assert_num_queries(12):
            response = client.get(URL)
        with django_assert_num_queries(9):  # the rates remembered: 7-9 are not asked again
            client.get(URL)
        rates = response.context["rates"]
        assert sum(rates.rate(kind=K.RENEWED, level=level).of for level in levels) == sum(
            1
            for n in range(accounts)
            if n % 6 < 4  # the accounts with a renewal decision
        )

    page_with(3)
    page_with(24)
