"""Loyalty over time by engagement where people read it: the insights page's section
(/insights/loyalty/, loaded with htmx; a page of its own without), its CSV and
GET /api/v1/insights/loyalty/. Internal users only, each over the accounts they see, like the
insights page; customers get 403, anonymous visitors log in. The figures themselves are
checked in test_loyalty_levels.py and test_loyalty_estimates.py; here: who sees what, the
section, the CSV, the API, and the query count."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from accounts.models import Account
from community.models import EngagementLevel, EngagementSnapshot, OutcomeKind
from community.selectors.loyalty import MIN_ACCOUNTS
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory
from tests.api_helpers import api_error, api_login
from tests.community.factories import EngagementSnapshotFactory

URL = "/insights/loyalty/"
API = "/api/v1/insights/loyalty/"
PERIOD = "period_from=2026-01-01&period_to=2026-06-30"
L, K = EngagementLevel, OutcomeKind
HTMX = {"HTTP_HX_REQUEST": "true"}


def _account(level: str, *, churned: dt.date | None = None, account: Account | None = None):
    account = account or AccountFactory()
    EngagementSnapshotFactory(account=account, day=dt.date(2025, 12, 1), level=level)
    if churned:
        outcome_record(account=account, kind=K.CHURNED, occurred_on=churned, recorded_by=None)
    return account


def _portfolio(size: int = MIN_ACCOUNTS) -> None:
    """`size` Dormant accounts, 5 of them churned, and `size` Contributing ones, 3 churned."""
    for n in range(size):
        _account(L.DORMANT, churned=dt.date(2026, 2, 1 + n) if n < 5 else None)
        _account(L.CONTRIBUTING, churned=dt.date(2026, 4, 1 + n) if n < 3 else None)


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def _level(body: dict, outcome: str, level: str) -> dict:
    found = next(o for o in body["outcomes"] if o["outcome"] == outcome)
    return next(row for row in found["levels"] if row["level"] == level)


# --- Who sees it -------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login_and_api_callers_must_authenticate(client, api, db):
    assert client.get(URL).status_code == 302
    assert api.get(API).status_code == 401


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
def test_customers_are_refused_the_section_its_csv_and_the_api(
    request, client_for, api, persona, account_a
):
    _account(L.DORMANT, churned=dt.date(2026, 2, 1), account=account_a)
    user = request.getfixturevalue(persona)
    client = client_for(user)
    api_login(api, user)

    assert client.get(URL).status_code == 403
    assert client.get(URL, **HTMX).status_code == 403
    assert client.get(f"{URL}?{PERIOD}&export=csv").status_code == 403
    assert client.get(f"{URL}?{PERIOD}&export=csv&scope=company").status_code == 403
    for query in ("", "?scope=company"):
        response = api.get(f"{API}{query}")
        assert response.status_code == 403
        assert api_error(response)["code"] == "permission_denied"


def test_the_account_team_counts_only_its_own_accounts(client_for, api, account_manager_a):
    _account(L.DORMANT, churned=dt.date(2026, 2, 1), account=Account.objects.get(slug="acme"))
    _portfolio()  # not theirs
    api_login(api, account_manager_a)

    body = api.get(f"{API}?{PERIOD}").json()
    page = client_for(account_manager_a).get(f"{URL}?{PERIOD}", **HTMX)

    assert _level(body, "churned", "dormant")["accounts"] == 1
    assert _level(body, "churned", "dormant")["events"] == 1
    churn = page.context["result"].outcome(K.CHURNED)
    assert (churn.accounts, churn.events) == (1, 1)


def test_the_account_team_also_reads_the_whole_company_as_context_that_names_no_account(
    client_for, api, account_manager_a
):
    """Their few accounts make no curve; the company's do. The section shows both, each under
    its heading; the CSV and the API give the company's with scope=company."""
    acme = Account.objects.get(slug="acme")
    _account(L.DORMANT, churned=dt.date(2026, 2, 1), account=acme)
    _portfolio()  # not theirs
    others = list(Account.objects.exclude(pk=acme.pk).values_list("name", flat=True))
    client = client_for(account_manager_a)
    api_login(api, account_manager_a)

    response = client.get(f"{URL}?{PERIOD}", **HTMX)
    html = response.content.decode()
    mine, company = response.context["blocks"]
    company_csv = _csv(client.get(f"{URL}?{PERIOD}&export=csv&scope=company"))
    own_csv = _csv(client.get(f"{URL}?{PERIOD}&export=csv"))
    body = api.get(f"{API}?{PERIOD}&scope=company").json()

    everyone = Account.objects.count()
    assert (mine.scope, mine.result.outcome(K.CHURNED).accounts) == ("visible", 1)
    assert (company.scope, company.result.outcome(K.CHURNED).accounts) == ("company", everyone)
    assert company.result.outcome(K.CHURNED).events == 1 + 8
    assert '<h3 id="loyalty-scope-visible-h">Your accounts</h3>' in html
    assert '<h3 id="loyalty-scope-company-h">All accounts of the company, for context</h3>' in html
    assert 'id="loyalty-churned"' in html and 'id="loyalty-churned-company"' in html
    assert 'id="loyalty-chart-data-company"' in html
    contributing = html.split('id="loyalty-churned-company"')[1].split(
        'data-hazard="contributing">'
    )
    assert "too few to say" not in contributing[1].split("</td>")[0]  # a ratio, at last
    assert not [name for name in others if name in html]  # aggregates only
    assert next(r for r in own_csv if r["level"] == "dormant")["accounts"] == "1"
    assert next(r for r in company_csv if r["level"] == "dormant")["accounts"] == "11"
    assert body["scope"] == "company"
    assert (_level(body, "churned", "dormant")["accounts"], body["outcomes"][0]["events"]) == (
        11,
        9,
    )
    assert api.get(f"{API}?{PERIOD}").json()["scope"] == "visible"


def test_an_unknown_scope_is_a_field_error_in_the_api(api, account_manager_a):
    api_login(api, account_manager_a)

    response = api.get(f"{API}?{PERIOD}&scope=everyone")

    assert response.status_code == 400
    assert api_error(response)["attr"] == "scope"


def test_product_managers_count_every_account(api, product_manager):
    _portfolio()
    api_login(api, product_manager)

    body = api.get(f"{API}?{PERIOD}").json()

    churn = next(o for o in body["outcomes"] if o["outcome"] == "churned")
    assert (churn["accounts"], churn["events"]) == (2 * MIN_ACCOUNTS, 8)


# --- The section on the insights page -------------------------------------------------------


def test_the_insights_page_loads_the_section_with_its_period_and_segment(
    client_for, programme_admin
):
    page = client_for(programme_admin).get(f"/insights/?{PERIOD}&segment=smb").content.decode()

    assert (
        'hx-get="/insights/loyalty/?period_from=2026-01-01&amp;period_to=2026-06-30'
        '&amp;segment=smb"'
    ) in page
    assert "js/insights-loyalty-chart.js" in page


def test_the_section_shows_curves_hazard_ratios_and_too_few_to_say(client_for, programme_admin):
    _portfolio()
    _account(L.CO_CREATING)  # one account: too few to say

    response = client_for(programme_admin).get(f"{URL}?{PERIOD}", **HTMX)
    html = response.content.decode()

    assert response.status_code == 200
    assert response.templates[0].name == "community/_insights_loyalty.html"
    assert html.startswith('<div id="insights-loyalty"')
    assert "Hazard ratios from a Cox model over 20 accounts and 8 outcomes, against Dormant" in html
    contributing = html.split('<td data-hazard="contributing">')[1].split("</td>")[0]
    hazard = response.context["result"].outcome(K.CHURNED).levels[3].hazard
    assert f"<strong>{hazard.shown[0]:.2f}</strong>" in contributing
    assert f"95%: {hazard.shown[1]:.2f}–{hazard.shown[2]:.2f}" in contributing
    co_creating = html.split('<td data-hazard="co_creating">')[1].split("</td>")[0]
    assert "too few to say" in co_creating
    assert "1 <small" in html.split('<td data-hazard="dormant">')[1]  # the reference
    chart = json.loads(
        html.split('id="loyalty-chart-data" type="application/json">')[1].split("<")[0]
    )
    assert [level["key"] for level in chart["churned"]["levels"]] == ["dormant", "contributing"]
    assert chart["churned"]["levels"][0]["points"][:2] == [[0, 100.0], [32, 90.0]]


def test_without_htmx_it_is_a_page_of_its_own(client_for, product_manager):
    response = client_for(product_manager).get(f"{URL}?{PERIOD}")

    assert response.status_code == 200
    assert "<h1>Loyalty over time by engagement</h1>" in response.content.decode()
    # they see every account already: no second block for context
    assert [block.scope for block in response.context["blocks"]] == ["visible"]
    assert "All accounts of the company" not in response.content.decode()


def test_a_period_that_ends_before_it_starts_asks_to_fix_the_filters(client_for, product_manager):
    client = client_for(product_manager)
    wrong = "period_from=2026-06-30&period_to=2026-01-01"

    assert client.get(f"{URL}?{wrong}").status_code == 400
    fragment = client.get(f"{URL}?{wrong}", **HTMX)  # htmx swaps no 4xx: said with a 200
    assert fragment.status_code == 200
    assert "Fix the filters above" in fragment.content.decode()
    assert client.get(f"{API}?{wrong}").status_code == 400


def test_the_csv_has_a_row_per_outcome_and_level_as_the_api_gives_them(
    client_for, api, programme_admin
):
    _portfolio()
    api_login(api, programme_admin)

    rows = _csv(client_for(programme_admin).get(f"{URL}?{PERIOD}&export=csv"))
    body = api.get(f"{API}?{PERIOD}").json()

    assert len(rows) == 2 * 5
    dormant = next(r for r in rows if (r["outcome"], r["level"]) == ("churned", "dormant"))
    contributing = next(
        r for r in rows if (r["outcome"], r["level"]) == ("churned", "contributing")
    )
    api_contributing = _level(body, "churned", "contributing")
    assert (dormant["accounts"], dormant["events"], dormant["note"]) == (
        "10",
        "5",
        "reference level",
    )
    assert contributing["reference_level"] == "dormant"
    assert float(contributing["hazard_ratio"]) == pytest.approx(
        api_contributing["hazard_ratio"]["ratio"], abs=0.005
    )
    mark = api_contributing["landmarks"][0]
    assert (mark["day"], int(contributing["without_percent_day_90"])) == (
        90,
        mark["survival_percent"],
    )
    assert contributing["at_risk_day_90"] == str(mark["at_risk"])
    observing = next(r for r in rows if (r["outcome"], r["level"]) == ("churned", "observing"))
    assert (observing["accounts"], observing["without_percent_day_90"]) == ("0", "")
    assert observing["note"] == "too few to say"
    assert _level(body, "churned", "observing")["too_few"] is True
    assert _level(body, "expanded", "dormant")["hazard_ratio"] is None


# --- Query count -------------------------------------------------------------------------------


def test_the_section_reads_the_same_number_of_queries_whatever_the_number_of_accounts(
    client_for, programme_admin, django_assert_num_queries
):
    client = client_for(programme_admin)

    def section_with(size: int) -> None:
        _portfolio(size)
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups':
        # may they see every account?), 4–5 the fingerprints of the visible accounts' level
        # changes and of their outcomes (the cache key), 6 the level changes, 7 the churn and
        # expansion outcomes
        with django_assert_num_queries(7):
            response = client.get(f"{URL}?{PERIOD}", **HTMX)
        assert response.context["result"].outcome(K.CHURNED).accounts == Account.objects.count()
        with django_assert_num_queries(5):  # read again on the same rows: remembered
            again = client.get(f"{URL}?{PERIOD}", **HTMX)
        assert again.context["result"] == response.context["result"]

    section_with(MIN_ACCOUNTS)
    section_with(MIN_ACCOUNTS)  # twice as many


# --- Fitted ahead, off the request path ---------------------------------------------------------


def test_the_first_view_of_readers_who_see_every_account_is_fitted_ahead(
    client_for, product_manager, monkeypatch
):
    """The task fits the default view over every account; the page then fits nothing."""
    from community.selectors import insights, loyalty

    _portfolio()
    today = dt.date(2026, 7, 1)
    fits = []
    fit = loyalty.outcome_survival
    monkeypatch.setattr(
        loyalty, "outcome_survival", lambda **kwargs: fits.append(kwargs["kind"]) or fit(**kwargs)
    )
    ahead = loyalty.loyalty_over_time_ahead(today=today)
    assert sorted(fits) == sorted(loyalty.OUTCOMES) and ahead.outcome(K.CHURNED).accounts == 20

    period_from, period_to = insights.default_period(today=today)
    response = client_for(product_manager).get(
        URL, {"period_from": period_from.isoformat(), "period_to": period_to.isoformat()}, **HTMX
    )
    assert response.status_code == 200
    assert len(fits) == len(loyalty.OUTCOMES)  # nothing fitted again for the page
    assert response.context["result"] == ahead

    _account(L.DORMANT, churned=dt.date(2026, 3, 3))  # new data: a new fit, nothing stale
    client_for(product_manager).get(
        URL, {"period_from": period_from.isoformat(), "period_to": period_to.isoformat()}, **HTMX
    )
    assert len(fits) == 2 * len(loyalty.OUTCOMES)


# --- Remembered under a fingerprint of its rows ------------------------------------------------


def test_the_result_is_remembered_until_a_row_it_is_computed_from_changes(
    client_for, product_manager, monkeypatch
):
    """A view on the same rows builds no stretch and fits nothing; a level recomputed on a past
    day (late data), an outcome recorded or one removed is read at once: the page then equals a
    computation from the rows with nothing remembered."""
    from django.core.cache import caches

    from community.selectors import insights, loyalty

    _portfolio()
    built = []
    stretches = loyalty.account_stretches
    monkeypatch.setattr(
        loyalty,
        "account_stretches",
        lambda **kwargs: built.append(kwargs["account_id"]) or stretches(**kwargs),
    )
    period_from, period_to = insights.default_period(today=dt.date(2026, 7, 1))
    params = {"period_from": period_from.isoformat(), "period_to": period_to.isoformat()}
    client = client_for(product_manager)

    def page():
        built.clear()
        response = client.get(URL, params, **HTMX)
        assert response.status_code == 200
        return response.context["result"]

    def from_the_rows():
        caches["results"].clear()
        return loyalty.loyalty_over_time(
            accounts=Account.objects.all(), period_from=period_from, period_to=period_to
        )

    first = page()
    assert built and first == from_the_rows()
    assert page() == first and built == []  # remembered: no stretch built, nothing fitted

    snapshot = EngagementSnapshot.objects.filter(level=L.CONTRIBUTING).order_by("pk").first()
    EngagementSnapshot.objects.filter(pk=snapshot.pk).update(level=L.DORMANT)  # recomputed late
    changed = page()
    assert built and changed != first and changed == from_the_rows()
    dormant = next(row for row in changed.outcome(K.CHURNED).levels if row.level == L.DORMANT)
    assert dormant.accounts == MIN_ACCOUNTS + 1

    churned = _account(L.DORMANT, churned=dt.date(2026, 3, 3))
    with_outcome = page()
    assert built and with_outcome != changed and with_outcome == from_the_rows()

    churned.loyalty_outcomes.all().delete()
    without = page()
    assert built and without != with_outcome and without == from_the_rows()
