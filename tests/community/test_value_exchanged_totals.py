"""What each account gave and got back over a period (the portfolio's "gave / got" and its CSV,
issue 16: the portfolio at full size) is its ledger's `gave` and `got`, counted without the
months; and on PostgreSQL the events the ledger counts are read from their own partial index
(community 0031), whose condition must stay the counter's."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from community.models import ActivityKind
from community.selectors import value_exchanged
from community.selectors.value_exchanged import (
    community_value_counts,
    value_ledgers,
    value_period,
    value_totals,
)
from ideas.models import Idea, IdeaStatus, PilotDecision
from tests.accounts.factories import AccountFactory, customer
from tests.community.test_value_exchanged import _enrol, _event, _idea, _pilot, at
from tests.ideas.factories import feedback_response

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 15)  # the default period: Dec 2025 … Nov 2026


def _busy(account, person, *, shift: int) -> None:
    """Something of every kind, on both sides, some of it just outside the period, some of it
    not counted at all (a customer's comment, a support referral, a withdrawn idea)."""
    for month in range(1, 12, 2):
        moment = at(2026, month, 1 + shift)
        _event(account, ActivityKind.REFERRAL, moment, user=person)
        _event(account, ActivityKind.WORKSHOP_ATTENDED, moment)
        _event(account, ActivityKind.COMMENT, moment, support=True)
        _event(account, ActivityKind.COMMENT, moment, user=person)  # not an answer
        _event(account, ActivityKind.REFERRAL, moment, support=True)  # not counted
    _event(account, ActivityKind.REFERENCE_CALL, at(2025, 12, 1, 0, 0))  # the first moment
    _event(account, ActivityKind.LOOP_CLOSED, at(2026, 11, 30, 23, 59), support=True)
    _event(account, ActivityKind.LOOP_CLOSED, at(2025, 11, 30, 23, 59), support=True)  # before
    _event(account, ActivityKind.REFERRAL, at(2026, 12, 1, 0, 0))  # after
    _idea(account, person, created=at(2026, 3, 10 + shift))
    _idea(account, person, created=at(2026, 3, 12), status=IdeaStatus.WITHDRAWN)
    adopted = _idea(account, person, created=at(2025, 6, 1), status=IdeaStatus.ADOPTED)
    Idea.objects.filter(pk=adopted.pk).update(updated_at=at(2026, 6, 1))
    pilot = _pilot(decision=PilotDecision.ADOPT, decided_at=at(2026, 8, 20))
    enrolment = _enrol(pilot, person, at(2026, 7, 1 + shift))
    feedback_response(enrolment, pilot.check_ins.order_by("position").first(), at=at(2026, 7, 9))


@pytest.mark.parametrize("months", [12, 3, 1, 36])
def test_the_totals_are_each_ledgers_gave_and_got(months):
    accounts = [AccountFactory() for _ in range(3)]
    for shift, account in enumerate(accounts[:2]):
        _busy(account, customer(account), shift=shift)  # the third has nothing at all

    totals = value_totals(accounts=accounts, months=months, today=TODAY)
    ledgers = value_ledgers(accounts=accounts, months=months, today=TODAY)

    assert set(totals) == {a.pk for a in accounts}
    for account in accounts:
        ledger = ledgers[account.pk]
        assert (totals[account.pk].gave, totals[account.pk].got) == (ledger.gave, ledger.got)
    assert (totals[accounts[2].pk].gave, totals[accounts[2].pk].got) == (0, 0)


def test_the_totals_count_what_the_ledger_defines():
    """Counted by hand: 6 referrals, 6 workshops, 1 reference call, 1 idea, 1 check-in and
    1 pilot given; 6 answers, 1 loop closed, 1 idea adopted and 1 early access got back."""
    account = AccountFactory()
    _busy(account, customer(account), shift=0)

    totals = value_totals(accounts=[account], today=TODAY)[account.pk]

    assert (totals.gave, totals.got) == (6 + 6 + 1 + 1 + 1 + 1, 6 + 1 + 1 + 1)


def test_no_accounts_cost_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert value_totals(accounts=[], today=TODAY) == {}


# --- The partial index ---------------------------------------------------------------------


def _migration():
    return importlib.import_module("community.migrations.0031_activity_value_exchanged_index")


def test_the_index_holds_exactly_the_events_the_counter_counts():
    migration = _migration()
    indexed = {(kind, False) for kind in migration.CUSTOMER_KINDS} | {
        (kind, True) for kind in migration.SUPPORT_KINDS
    }

    assert indexed == set(value_exchanged._EVENT_KINDS)


@pytest.mark.needs_postgres  # a PostgreSQL index
def test_postgresql_reads_the_counted_events_from_their_index():
    """Its condition is implied by the counter's query, or PostgreSQL could not use it."""
    account = AccountFactory()
    _busy(account, customer(account), shift=0)
    first, after = value_period(today=TODAY, months=12)
    with CaptureQueriesContext(connection) as queries:
        community_value_counts(
            [account.pk],
            dt.datetime.combine(first, dt.time.min, tzinfo=dt.UTC),
            dt.datetime.combine(after, dt.time.min, tzinfo=dt.UTC),
        )
    with connection.cursor() as cursor:
        # On a few rows any index would do: the other indexes of the events are set aside (in
        # the test's transaction, rolled back after it), so that only a condition the query
        # does not imply could leave PostgreSQL without this one (and with a table scan).
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'community_activityevent' "
            "AND indexname NOT IN ('activity_value_exchanged', 'community_activityevent_pkey')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "activity_value_exchanged" in plan
