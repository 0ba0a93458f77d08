"""Loyalty outcomes: /outcomes/ (list, filters, CSV export) and
/accounts/<slug>/outcomes/new/ (record one).

Outcomes are internal: the account team sees and records its accounts' outcomes, product
managers see every account's (read-only), programme admins see and record all. Customers get
403 on the list and on their own account, 404 on another account."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from community.models import LoyaltyOutcome, OutcomeKind, OutcomeSource
from community.services.outcomes import outcome_record
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory

LIST = "/outcomes/"
NEW = "/accounts/acme/outcomes/new/"


def _outcome(account, kind=OutcomeKind.RENEWED, *, on=dt.date(2026, 1, 15), **fields):
    return outcome_record(account=account, kind=kind, occurred_on=on, recorded_by=None, **fields)


def _rows(response) -> list[tuple[str, str]]:
    return [(o.account.slug, o.kind) for o in response.context["page"]]


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- Who sees which outcomes -----------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    assert client.get(LIST)["Location"] == "/login/?next=/outcomes/"
    assert client.get(NEW)["Location"] == f"/login/?next={NEW}"


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
@pytest.mark.parametrize("export", [{}, {"export": "csv"}])
def test_customers_never_see_outcomes(request, client_for, persona, export, account_a):
    _outcome(account_a)

    response = client_for(request.getfixturevalue(persona)).get(LIST, export)

    assert response.status_code == 403


def test_the_account_team_sees_only_its_accounts_outcomes(
    client_for, account_manager_a, account_a, account_b
):
    _outcome(account_a)
    _outcome(account_b, OutcomeKind.CHURNED)

    response = client_for(account_manager_a).get(LIST)

    assert response.status_code == 200
    assert _rows(response) == [("acme", "renewed")]
    assert client_for(account_manager_a).get(LIST, {"account": "globex"}).status_code == 404


def test_a_contraction_reads_as_a_loss_and_an_expansion_as_a_gain(
    client_for, account_manager_a, account_a
):
    _outcome(account_a, OutcomeKind.CONTRACTED, amount=1500)
    _outcome(account_a, OutcomeKind.EXPANDED, amount=2000, on=dt.date(2026, 2, 1))

    page = client_for(account_manager_a).get(LIST).content.decode()

    assert "<td>\u2212€1,500</td>" in page
    assert "<td>€2,000</td>" in page


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_see_every_account(
    request, client_for, persona, account_a, account_b
):
    _outcome(account_a)
    _outcome(account_b, OutcomeKind.CHURNED, on=dt.date(2026, 2, 1))

    response = client_for(request.getfixturevalue(persona)).get(LIST)

    assert _rows(response) == [("globex", "churned"), ("acme", "renewed")]


def test_the_list_filters_by_account_kind_and_dates(
    client_for, programme_admin, account_a, account_b
):
    _outcome(account_a, on=dt.date(2025, 12, 31))
    _outcome(account_a, on=dt.date(2026, 1, 15))
    _outcome(account_a, OutcomeKind.REFERRED, on=dt.date(2026, 1, 20))
    _outcome(account_b, on=dt.date(2026, 1, 10))
    client = client_for(programme_admin)

    response = client.get(
        LIST,
        {
            "account": "acme",
            "kind": "renewed",
            "occurred_from": "2026-01-01",
            "occurred_to": "2026-01-31",
        },
    )

    assert response.status_code == 200
    assert [o.occurred_on for o in response.context["page"]] == [dt.date(2026, 1, 15)]


def test_bad_filters_are_field_errors(client_for, programme_admin, account_a):
    response = client_for(programme_admin).get(
        LIST, {"account": "not a slug", "kind": "won", "occurred_from": "soon"}
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"account", "kind", "occurred_from"}


def test_an_unknown_account_is_404_as_the_account_itself(client_for, programme_admin, account_a):
    assert client_for(programme_admin).get(LIST, {"account": "nobody"}).status_code == 404


def test_the_list_exports_the_filtered_outcomes_as_csv(
    client_for, programme_admin, account_a, account_b
):
    _outcome(account_a, OutcomeKind.EXPANDED, amount=Decimal("1200.50"), note="=SUM(A1)")
    _outcome(account_b, OutcomeKind.CHURNED)

    response = client_for(programme_admin).get(LIST, {"account": "acme", "export": "csv"})

    assert response["Content-Disposition"] == 'attachment; filename="outcomes.csv"'
    assert _csv(response) == [
        {
            "account": "acme",
            "account_name": "Acme Industrial",
            "kind": "expanded",
            "occurred_on": "2026-01-15",
            "amount": "1200.50",
            "currency": "EUR",
            "note": "'=SUM(A1)",
            "source": "manual",
            "external_id": "",
            "recorded_by": "",
        }
    ]


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_takes_the_same_number_of_queries_for_few_and_many_rows(
    client_for, programme_admin, account_a, count, django_assert_num_queries
):
    recorder = programme_admin
    for n in range(count):
        account = AccountFactory()
        outcome_record(
            account=account,
            kind=OutcomeKind.RENEWED,
            occurred_on=dt.date(2026, 1, 1) + dt.timedelta(days=n),
            recorded_by=recorder,
        )
    client = client_for(programme_admin)

    # 1 session, 2 user, 3 customer membership, 4 the user's permissions (own and groups'),
    # 5 count of the outcomes (paginator), 6 the menu's badges (unread notifications and open
    # alerts, one query), 7 the user's groups (internal roles, menu), 8 the page of outcomes
    # with account and recorder joined.
    with django_assert_num_queries(7):
        response = client.get(LIST)

    assert len(response.context["page"]) == count


# --- Recording an outcome --------------------------------------------------------------------


def test_the_account_team_records_an_outcome(client_for, account_manager_a, account_a):
    client = client_for(account_manager_a)
    assert client.get(NEW).status_code == 200

    response = client.post(
        NEW, {"kind": "expanded", "occurred_on": "2026-01-15", "amount": "5000", "note": " Seats "}
    )

    assert response.status_code == 302
    assert response["Location"] == "/outcomes/?account=acme"
    outcome = LoyaltyOutcome.objects.get()
    assert (outcome.account, outcome.kind, outcome.occurred_on, outcome.amount, outcome.note) == (
        account_a,
        "expanded",
        dt.date(2026, 1, 15),
        Decimal("5000.00"),
        "Seats",
    )
    assert (outcome.recorded_by, outcome.source) == (account_manager_a, OutcomeSource.MANUAL)


def test_a_programme_admin_records_for_any_account(client_for, programme_admin, account_a):
    response = client_for(programme_admin).post(
        NEW, {"kind": "renewed", "occurred_on": "2026-01-15"}
    )

    assert response.status_code == 302
    assert LoyaltyOutcome.objects.get().recorded_by == programme_admin


def test_a_product_manager_may_read_but_not_record(client_for, product_manager, account_a):
    response = client_for(product_manager).post(
        NEW, {"kind": "renewed", "occurred_on": "2026-01-15"}
    )

    assert response.status_code == 403
    assert not LoyaltyOutcome.objects.exists()


def test_another_accounts_team_may_not_record(client_for, account_a, account_b):
    globex_manager = TeamAssignmentFactory(account=account_b).user

    response = client_for(globex_manager).post(
        NEW, {"kind": "renewed", "occurred_on": "2026-01-15"}
    )

    assert response.status_code == 404
    assert not LoyaltyOutcome.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("member_a", 403), ("admin_a", 403), ("member_b", 404)]
)
def test_customers_may_not_record_outcomes(request, client_for, persona, status, account_a):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(NEW).status_code == status
    response = client.post(NEW, {"kind": "renewed", "occurred_on": "2026-01-15"})

    assert response.status_code == status
    assert not LoyaltyOutcome.objects.exists()


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "won", "occurred_on": "2026-01-15"}, {"kind"}),
        ({"kind": "renewed", "occurred_on": "15.01.2026"}, {"occurred_on"}),
        ({"kind": "expanded", "occurred_on": "2026-01-15"}, {"amount"}),
        ({"kind": "renewed", "occurred_on": "2026-01-15", "amount": "10"}, {"amount"}),
        ({"kind": "contracted", "occurred_on": "2026-01-15", "amount": "-10"}, {"amount"}),
    ],
)
def test_bad_input_is_a_field_error_and_records_nothing(
    client_for, account_manager_a, data, errors
):
    response = client_for(account_manager_a).post(NEW, data)

    assert response.status_code == 400
    assert set(response.context["form"].errors) == errors
    assert not LoyaltyOutcome.objects.exists()


def test_the_same_outcome_twice_on_one_day_is_refused(client_for, account_manager_a, account_a):
    _outcome(account_a)

    response = client_for(account_manager_a).post(
        NEW, {"kind": "renewed", "occurred_on": "2026-01-15"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["occurred_on"] == [
        "This outcome is already recorded for the account on that day."
    ]
    assert LoyaltyOutcome.objects.count() == 1


def test_the_service_refuses_an_amount_rule_break(account_a):
    with pytest.raises(ValidationError) as error:
        _outcome(account_a, OutcomeKind.CHURNED, amount=Decimal("10"))

    assert error.value.message_dict == {
        "amount": ["Only expansions and contractions have an amount."]
    }
    assert not LoyaltyOutcome.objects.exists()


def test_an_accounts_outcomes_link_to_recording_one_for_those_who_may(
    client_for, account_manager_a, product_manager, account_a
):
    manager_page = client_for(account_manager_a).get(LIST, {"account": "acme"})
    pm_page = client_for(product_manager).get(LIST, {"account": "acme"})

    assert f'href="{NEW}"'.encode() in manager_page.content
    assert f'href="{NEW}"'.encode() not in pm_page.content


def test_the_form_page_shows_the_accounts_recent_outcomes_only(
    client_for, account_manager_a, account_a, account_b
):
    _outcome(account_a, note="Acme renewed")
    _outcome(account_b, note="Globex renewed")

    response = client_for(account_manager_a).get(NEW)

    assert b"Acme renewed" in response.content
    assert b"Globex renewed" not in response.content
