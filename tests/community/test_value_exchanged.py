"""The value exchanged (docs/product.md "The value exchanged"): the ledger's counts on accounts
built by hand, each kind in its month, other accounts' rows and rows outside the period never
counted, withdrawn ideas and drafts left out, early access only for pilots adopted after the
account joined them.

The period is passed explicitly (`today`), so nothing here depends on the day the test runs."""

from __future__ import annotations

import datetime as dt

import pytest

from community.models import ActivityEvent, ActivityKind
from community.selectors.value_exchanged import (
    GAVE,
    GOT,
    month_of,
    months_add,
    value_kinds,
    value_ledger,
    value_ledgers,
)
from ideas.models import (
    Enrolment,
    Idea,
    IdeaStatus,
    IdeaTransition,
    PilotDecision,
    PilotState,
)
from tests.accounts.factories import customer
from tests.ideas.factories import IdeaFactory, PilotFactory, feedback_response

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 15)  # the period: Dec 2025 … Nov 2026


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def _idea(account, author, *, created, status=IdeaStatus.PROPOSED, **fields) -> Idea:
    idea = IdeaFactory(author=author, author_account=account, status=status, **fields)
    Idea.objects.filter(pk=idea.pk).update(created_at=created)
    return idea


def _event(account, kind, moment, *, support=False, user=None) -> ActivityEvent:
    return ActivityEvent.objects.create(
        account=account,
        user=user,
        kind=kind,
        occurred_at=moment,
        created_at=moment,
        is_support=support,
    )


def _pilot(*, decision="", decided_at=None):
    return PilotFactory(state=PilotState.CLOSED, decision=decision, decided_at=decided_at)


def _enrol(pilot, user, moment) -> Enrolment:
    return Enrolment.objects.create(
        pilot=pilot, user=user, account=user.membership.account, created_at=moment
    )


def _months_with(ledger, key: str) -> dict[str, int]:
    """The months (YYYY-MM) in which `key` counted, with their counts."""
    return {m.month.strftime("%Y-%m"): m.counts[key] for m in ledger.months if m.counts[key] != 0}


# --- The period -------------------------------------------------------------------------------


def test_the_period_is_whole_months_with_the_current_one_last(account_a):
    ledger = value_ledger(account=account_a, today=TODAY)

    assert [m.month for m in ledger.months][0] == dt.date(2025, 12, 1)
    assert [m.month for m in ledger.months][-1] == dt.date(2026, 11, 1)
    assert len(ledger.months) == 12
    assert ledger.period_from == dt.date(2025, 12, 1)
    assert ledger.period_to == dt.date(2026, 11, 30)
    assert value_ledger(account=account_a, months=3, today=TODAY).period_from == dt.date(2026, 9, 1)


def test_months_are_added_across_years_and_read_in_the_sites_time_zone():
    assert months_add(dt.date(2026, 11, 1), 2) == dt.date(2027, 1, 1)
    assert months_add(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)
    assert month_of(at(2026, 5, 31, 23, 59)) == dt.date(2026, 5, 1)
    assert month_of(dt.date(2026, 6, 17)) == dt.date(2026, 6, 1)


def test_the_database_dates_each_row_in_the_month_of_the_sites_time_zone(
    account_a, member_a, settings
):
    """The counters' months come from the database (month_trunc): a moment just after
    midnight UTC on the 1st is still the last day of the month before in New York."""
    settings.TIME_ZONE = "America/New_York"
    _event(account_a, ActivityKind.REFERRAL, at(2026, 6, 1, 2, 0))  # 31 May, 22:00 there
    _event(account_a, ActivityKind.REFERRAL, at(2026, 6, 1, 5, 0))  # 1 June, 01:00 there
    _idea(account_a, member_a, created=at(2026, 3, 1, 4, 59))  # 28 Feb, 23:59 there
    _idea(account_a, member_a, created=at(2026, 3, 1, 5, 0))  # 1 March, 00:00 there

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "referrals") == {"2026-05": 1, "2026-06": 1}
    assert _months_with(ledger, "ideas_proposed") == {"2026-02": 1, "2026-03": 1}
    assert all(type(m.month) is dt.date for m in ledger.months)


def test_every_kind_is_registered_once_on_its_side():
    kinds = value_kinds()
    keys = [k.key for k in kinds]

    assert len(keys) == len(set(keys))
    assert {k.key for k in kinds if k.side == GAVE} == {
        "ideas_proposed",
        "check_ins_answered",
        "pilots_joined",
        "referrals",
        "reference_calls",
        "workshops",
    }
    assert {k.key for k in kinds if k.side == GOT} == {
        "ideas_adopted",
        "loops_closed",
        "early_access",
        "answers",
    }
    assert all(k.definition for k in kinds)


# --- What the account gave ----------------------------------------------------------------------


def test_ideas_proposed_count_in_their_month_but_not_withdrawn_ones(account_a, member_a):
    _idea(account_a, member_a, created=at(2026, 3, 10))
    _idea(account_a, member_a, created=at(2026, 3, 12), status=IdeaStatus.WITHDRAWN)
    survivor = _idea(account_a, member_a, created=at(2026, 4, 1))
    _idea(
        account_a,
        member_a,
        created=at(2026, 4, 2),
        status=IdeaStatus.MERGED,
        merged_into=survivor,
        garden=survivor.garden,
    )
    _idea(account_a, member_a, created=at(2025, 11, 30, 23, 59))  # the month before the period

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "ideas_proposed") == {"2026-03": 1, "2026-04": 2}
    assert ledger.totals["ideas_proposed"] == 3


def test_feedback_given_counts_submitted_check_ins_in_the_month_submitted(
    account_a, member_a, admin_a
):
    pilot = _pilot()
    expectation, middle = pilot.check_ins.order_by("position")[:2]
    mine = _enrol(pilot, member_a, at(2026, 6, 20))
    admins = _enrol(pilot, admin_a, at(2026, 6, 21))
    feedback_response(mine, expectation, at=at(2026, 6, 30, 23, 59))
    feedback_response(mine, middle, at=at(2026, 7, 1, 0, 0))
    feedback_response(admins, expectation, at=at(2026, 7, 2))
    feedback_response(admins, middle, draft=True)  # a draft never counts

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "check_ins_answered") == {"2026-06": 1, "2026-07": 2}


def test_a_pilot_counts_once_in_the_month_of_the_accounts_first_enrolment(
    account_a, member_a, admin_a
):
    pilot = _pilot()
    _enrol(pilot, admin_a, at(2026, 7, 31, 22))
    _enrol(pilot, member_a, at(2026, 8, 3))  # the same pilot: not a second one
    later = _pilot()
    _enrol(later, member_a, at(2026, 9, 9))
    before = _pilot()
    _enrol(before, member_a, at(2025, 10, 1))  # first joined before the period
    _enrol(before, admin_a, at(2026, 2, 1))  # … so not in it either

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "pilots_joined") == {"2026-07": 1, "2026-09": 1}


def test_referrals_reference_calls_and_workshops_are_the_customers_events(account_a, member_a):
    _event(account_a, ActivityKind.REFERRAL, at(2026, 1, 15), user=member_a)
    _event(account_a, ActivityKind.REFERRAL, at(2026, 1, 20))  # offline: no person
    _event(account_a, ActivityKind.REFERENCE_CALL, at(2026, 2, 11))
    _event(account_a, ActivityKind.WORKSHOP_ATTENDED, at(2026, 2, 10))
    # A workshop the team held for the account is support, not something the account gave.
    _event(account_a, ActivityKind.WORKSHOP_ATTENDED, at(2026, 2, 12), support=True)
    _event(account_a, ActivityKind.VOTE, at(2026, 2, 13), user=member_a)  # not a ledger kind

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "referrals") == {"2026-01": 2}
    assert _months_with(ledger, "reference_calls") == {"2026-02": 1}
    assert _months_with(ledger, "workshops") == {"2026-02": 1}
    assert ledger.gave == 4


# --- What it got back ---------------------------------------------------------------------------


def test_ideas_adopted_count_in_the_month_of_their_move_to_adopted(account_a, member_a):
    old = _idea(account_a, member_a, created=at(2025, 6, 1), status=IdeaStatus.ADOPTED)
    IdeaTransition.objects.create(
        idea=old,
        from_status=IdeaStatus.EVALUATED,
        to_status=IdeaStatus.ADOPTED,
        reason="r",
        created_at=at(2026, 5, 5),
    )
    logless = _idea(account_a, member_a, created=at(2025, 7, 1), status=IdeaStatus.ADOPTED)
    Idea.objects.filter(pk=logless.pk).update(updated_at=at(2026, 6, 1))
    _idea(account_a, member_a, created=at(2026, 1, 1), status=IdeaStatus.DECLINED)

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "ideas_adopted") == {"2026-05": 1, "2026-06": 1}
    assert _months_with(ledger, "ideas_proposed") == {"2026-01": 1}  # the two older ones: before


def test_early_access_is_a_pilot_adopted_after_the_account_joined_it(account_a, member_a):
    adopted = _pilot(decision=PilotDecision.ADOPT, decided_at=at(2026, 8, 20))
    _enrol(adopted, member_a, at(2026, 7, 1))
    declined = _pilot(decision=PilotDecision.DECLINE, decided_at=at(2026, 8, 20))
    _enrol(declined, member_a, at(2026, 7, 2))
    undecided = _pilot()
    _enrol(undecided, member_a, at(2026, 7, 3))

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "early_access") == {"2026-07": 1}
    assert _months_with(ledger, "pilots_joined") == {"2026-07": 3}


def test_loops_closed_and_answers_are_support_events_for_the_account(account_a, member_a):
    colleague = customer(account_a)  # a customer's own comment is no answer
    _event(account_a, ActivityKind.LOOP_CLOSED, at(2026, 8, 20), support=True)
    _event(account_a, ActivityKind.DISCUSSION_POST, at(2026, 4, 10), support=True)
    _event(account_a, ActivityKind.COMMENT, at(2026, 4, 11), support=True)
    _event(account_a, ActivityKind.COMMENT, at(2026, 4, 12), user=colleague)
    _event(account_a, ActivityKind.DISCUSSION_POST, at(2026, 4, 13), user=member_a)

    ledger = value_ledger(account=account_a, today=TODAY)

    assert _months_with(ledger, "loops_closed") == {"2026-08": 1}
    assert _months_with(ledger, "answers") == {"2026-04": 2}
    assert ledger.got == 3
    assert ledger.gave == 0


# --- Only the account's own rows ----------------------------------------------------------------


def test_another_accounts_rows_never_count(account_a, member_a, account_b, member_b):
    pilot = _pilot(decision=PilotDecision.ADOPT, decided_at=at(2026, 8, 20))
    theirs = _enrol(pilot, member_b, at(2026, 7, 1))
    feedback_response(theirs, pilot.check_ins.order_by("position").first(), at=at(2026, 7, 5))
    adopted = _idea(account_b, member_b, created=at(2026, 3, 10), status=IdeaStatus.ADOPTED)
    Idea.objects.filter(pk=adopted.pk).update(updated_at=at(2026, 3, 20))
    for kind, support in (
        (ActivityKind.REFERRAL, False),
        (ActivityKind.WORKSHOP_ATTENDED, False),
        (ActivityKind.LOOP_CLOSED, True),
        (ActivityKind.DISCUSSION_POST, True),
    ):
        _event(account_b, kind, at(2026, 3, 3), support=support)

    ours = value_ledger(account=account_a, today=TODAY)
    both = value_ledgers(accounts=[account_a, account_b], today=TODAY)

    assert (ours.gave, ours.got) == (0, 0)
    assert both[account_a.pk].totals == ours.totals
    assert both[account_b.pk].totals == {
        **dict.fromkeys(ours.totals, 0),
        "ideas_proposed": 1,
        "check_ins_answered": 1,
        "pilots_joined": 1,
        "referrals": 1,
        "workshops": 1,
        "ideas_adopted": 1,
        "loops_closed": 1,
        "early_access": 1,
        "answers": 1,
    }


def test_the_months_add_up_to_the_totals(account_a, member_a):
    _event(account_a, ActivityKind.REFERRAL, at(2026, 1, 15))
    _event(account_a, ActivityKind.LOOP_CLOSED, at(2026, 1, 16), support=True)
    _event(account_a, ActivityKind.COMMENT, at(2026, 11, 15, 9), support=True)
    _idea(account_a, member_a, created=at(2026, 11, 1, 0, 0))

    ledger = value_ledger(account=account_a, today=TODAY)

    january = next(m for m in ledger.months if m.month == dt.date(2026, 1, 1))
    november = ledger.months[-1]
    assert (january.gave, january.got) == (1, 1)
    assert (november.gave, november.got) == (1, 1)
    assert ledger.gave == sum(m.gave for m in ledger.months) == 2
    assert ledger.got == sum(ledger.totals[k.key] for k in ledger.side(GOT)) == 2
    table = {side.key: side for side in ledger.table()}
    assert table[GAVE].total == 2
    assert [line.total for line in table[GOT].rows if line.total] == [1, 1]
