"""The account engagement page's last two sections: "Pilots and feedback" (an htmx fragment
served by the ideas app at /accounts/<slug>/pilots/, since community must not import ideas)
and "Loyalty outcomes" (internal only: a customer admin never sees them, not even their own
account's)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from community.models import OutcomeKind
from community.services.outcomes import outcome_record
from ideas.models import PilotState
from tests.accounts.factories import customer
from tests.community.factories import EngagementSnapshotFactory
from tests.ideas.factories import PilotFactory, enrolled, feedback_response

PAGE = "/accounts/acme/engagement/"
FRAGMENT = "/accounts/acme/pilots/"
TODAY = timezone.localdate


def _running_pilot(title, *accounts, days_in=20):
    """A pilot that started `days_in` days ago and ends in a week: its expectation and mid-pilot
    check-ins are due by now (the mid-pilot one from day 17), the final one is not."""
    today = TODAY()
    return PilotFactory(
        title=title,
        recruiting_opens=today - dt.timedelta(days=days_in + 7),
        runs_from=today - dt.timedelta(days=days_in),
        runs_until=today + dt.timedelta(days=14),
        state=PilotState.RUNNING,
        accounts=list(accounts),
    )


def _check_ins(pilot):
    expectation, middle, final = pilot.check_ins.order_by("position")
    return expectation, middle, final


@pytest.fixture
def acme_pilots(account_a, account_b, member_a, admin_a, member_b):
    """Acme: two members in "Offline sync"; Alice gave both due check-ins, Anna only her
    expectation. Globex's Bob is in it too (his answers are not Acme's). "Route planner" is
    Globex's alone."""
    sync = _running_pilot("Offline sync", account_a, account_b)
    expectation, middle, _ = _check_ins(sync)
    alice, anna, bob = enrolled(sync, member_a), enrolled(sync, admin_a), enrolled(sync, member_b)
    feedback_response(alice, expectation, expected={"useful": 4, "usable": 5})
    feedback_response(alice, middle, experienced={"useful": 6, "usable": 6}, recommend=10)
    feedback_response(anna, expectation, expected={"useful": 6, "usable": 6})
    feedback_response(bob, expectation, expected={"useful": 1, "usable": 1})
    feedback_response(bob, middle, experienced={"useful": 1, "usable": 1}, recommend=0)
    planner = _running_pilot("Route planner", account_b)
    enrolled(planner, customer(account_b))
    return sync


# --- The fragment: who sees it -------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login_for_the_fragment(client, account_a):
    response = client.get(FRAGMENT)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={FRAGMENT}"


@pytest.mark.parametrize(
    ("persona", "slug", "status"),
    [
        ("member_b", "acme", 404),  # a customer of another account
        ("admin_b", "acme", 404),  # even its admin
        ("account_manager_a", "globex", 404),  # an account not assigned to them
        ("member_a", "acme", 403),  # their own account, but not its admin
    ],
)
def test_outsiders_do_not_see_an_accounts_pilots(
    request, client_for, acme_pilots, persona, slug, status
):
    response = client_for(request.getfixturevalue(persona)).get(f"/accounts/{slug}/pilots/")

    assert response.status_code == status
    assert b"Offline sync" not in response.content
    assert b"Route planner" not in response.content


def test_the_fragment_is_read_only(client_for, account_manager_a, account_a):
    assert client_for(account_manager_a).post(FRAGMENT).status_code == 405


# --- The fragment: what it shows -----------------------------------------------------------


def test_the_account_team_sees_the_accounts_pilots_check_ins_and_perception(
    client_for, account_manager_a, acme_pilots
):
    response = client_for(account_manager_a).get(FRAGMENT)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<h2 id="account-pilots-h">Pilots and feedback</h2>' in page
    assert "Route planner" not in page  # Globex's pilot only
    [row] = response.context["rows"]
    assert row.pilot == acme_pilots
    assert row.members == 2
    assert row.check_ins_due == 2  # the expectation and the mid-pilot check-in
    assert row.answered == 3  # Alice 2, Anna 1; Bob's are Globex's
    assert row.outstanding == 1  # Anna's mid-pilot check-in
    assert "3 of 4 due check-ins answered, 75%" in page  # the results page's words
    perception = row.perception
    assert perception.expected_mean == pytest.approx((4 + 5 + 6 + 6) / 4)
    assert perception.experienced_mean == 6
    assert perception.gap_mean == pytest.approx(((6 - 4) + (6 - 5)) / 2)  # Alice's, paired
    assert perception.nps == 100  # Alice's 10; Bob's 0 is Globex's
    assert perception.too_small
    assert "<td>5.25</td>" in page  # expected, to 2 decimals as everywhere
    assert '<td data-figure="gap">+1.50</td>' in page
    assert "(n = 2)" in page  # flagged, not hidden


def test_the_account_counts_due_check_ins_as_the_results_page_does(
    client_for, account_manager_a, account_a, member_a
):
    pilot = _running_pilot("Offline sync", account_a)
    expectation, middle, final = _check_ins(pilot)
    alice = enrolled(pilot, member_a)
    feedback_response(alice, expectation, expected={"useful": 3})
    feedback_response(alice, final, experienced={"useful": 4})  # early: not due yet

    [running] = client_for(account_manager_a).get(FRAGMENT).context["rows"]
    pilot.state = PilotState.CLOSED  # closed early: every check-in is due
    pilot.save()
    [closed] = client_for(account_manager_a).get(FRAGMENT).context["rows"]

    assert running.response_rate.text == "1 of 2 due check-ins answered, 50%"
    assert running.outstanding == 1  # the mid-pilot check-in
    assert closed.response_rate.text == "2 of 3 due check-ins answered, 67%"
    assert closed.outstanding == 1


def test_a_later_answer_replaces_the_members_earlier_one(
    client_for, account_manager_a, account_a, member_a
):
    pilot = _running_pilot("Offline sync", account_a)
    expectation, middle, _ = _check_ins(pilot)
    alice = enrolled(pilot, member_a)
    now = timezone.now()
    feedback_response(alice, expectation, expected={"useful": 3}, at=now - dt.timedelta(days=3))
    feedback_response(alice, middle, experienced={"useful": 4}, recommend=5, at=now)

    [row] = client_for(account_manager_a).get(FRAGMENT).context["rows"]

    assert row.perception.gap_mean == 1
    assert row.perception.nps == -100


def test_the_customer_admin_sees_the_pilots_and_check_ins_but_not_perception_figures(
    client_for, admin_a, acme_pilots
):
    response = client_for(admin_a).get(FRAGMENT)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Offline sync" in page
    assert "Due, not given" in page
    assert "NPS" not in page
    assert "Experienced" not in page
    assert response.context["rows"][0].perception.empty  # not even computed


def test_an_account_without_pilots_says_so(client_for, account_manager_a, account_a):
    response = client_for(account_manager_a).get(FRAGMENT)

    assert response.status_code == 200
    assert "Acme Industrial has not taken part in a pilot yet." in response.content.decode()


def test_the_fragment_reads_a_fixed_number_of_queries(
    client_for, account_manager_a, account_a, django_assert_num_queries
):
    client = client_for(account_manager_a)

    def fragment_with(pilots: int) -> None:
        while len(account_a.enrolments.values("pilot").distinct()) < pilots:
            pilot = _running_pilot(f"Pilot {pilots}", account_a)
            expectation, middle, _ = _check_ins(pilot)
            member = customer(account_a)
            enrolment = enrolled(pilot, member)
            feedback_response(enrolment, expectation, expected={"useful": 4})
            feedback_response(enrolment, middle, experienced={"useful": 5}, recommend=9)
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'), 4
        # the account (assigned), 5 the account's members' perception answers (read once for
        # the pilots' figures and the expectation drift), 6 the pilots with the account's
        # enrolment counts (the drift's pilots too), 7 their check-ins, 8 the account's
        # submitted responses per check-in, 9 the drift's dimension labels
        # (ideas.selectors.calibration), 10 the header counts (the context processors). Was 12:
        # the perception answers were read twice and the drift's pilots again.
        with django_assert_num_queries(10):
            response = client.get(FRAGMENT)
        assert len(response.context["rows"]) == pilots

    fragment_with(1)
    fragment_with(4)


# --- The page ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["account_manager_a", "admin_a"])
def test_the_page_loads_the_pilots_fragment(request, client_for, account_a, persona):
    EngagementSnapshotFactory(account=account_a, day=TODAY(), score=42, level="participating")

    page = client_for(request.getfixturevalue(persona)).get(PAGE).content.decode()

    assert f'hx-get="{FRAGMENT}" hx-trigger="load"' in page


@pytest.fixture
def acme_outcomes(account_a, account_b, programme_admin):
    outcome_record(
        account=account_a,
        kind=OutcomeKind.EXPANDED,
        occurred_on=TODAY() - dt.timedelta(days=10),
        amount=Decimal("123456.00"),
        note="Second plant",
        recorded_by=programme_admin,
    )
    outcome_record(
        account=account_a,
        kind=OutcomeKind.RENEWED,
        occurred_on=TODAY() - dt.timedelta(days=200),
        recorded_by=None,
        source="import",
    )
    outcome_record(
        account=account_b,
        kind=OutcomeKind.CHURNED,
        occurred_on=TODAY() - dt.timedelta(days=5),
        note="Globex left",
        recorded_by=programme_admin,
    )


@pytest.mark.parametrize(
    ("persona", "may_record"),
    [("account_manager_a", True), ("programme_admin", True), ("product_manager", False)],
)
def test_internal_readers_see_the_accounts_loyalty_outcomes(
    request, client_for, acme_outcomes, persona, may_record
):
    page = client_for(request.getfixturevalue(persona)).get(PAGE).content.decode()

    section = page[page.index('id="loyalty-outcomes"') :]
    assert "Loyalty outcomes" in section
    assert "Expanded" in section
    assert "€123,456" in section  # the account's currency, no cents when there are none
    assert "Second plant" in section
    assert "Renewed" in section
    assert "Imported" in section  # recorded by nobody: its source instead
    assert "Globex left" not in page  # another account's
    assert '<a href="/outcomes/?account=acme">All outcomes of Acme Industrial</a>' in section
    assert ('href="/accounts/acme/outcomes/new/"' in section) is may_record


def test_the_customer_admin_never_sees_loyalty_outcomes_not_even_their_own(
    client_for, admin_a, acme_outcomes
):
    response = client_for(admin_a).get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Loyalty outcomes" not in page
    assert "123,456" not in page
    assert "Second plant" not in page
    assert "/outcomes/" not in page
    assert "outcomes" not in response.context


def test_an_account_without_outcomes_says_so(client_for, account_manager_a, account_a):
    page = client_for(account_manager_a).get(PAGE).content.decode()

    assert "No loyalty outcome recorded for Acme Industrial yet." in page


def test_the_page_reads_the_outcomes_in_one_query_however_many(
    client_for, account_manager_a, account_a, programme_admin, django_assert_num_queries
):
    client = client_for(account_manager_a)

    def page_with(outcomes: int) -> None:
        for n in range(account_a.loyalty_outcomes.count(), outcomes):
            outcome_record(
                account=account_a,
                kind=OutcomeKind.REFERRED,
                occurred_on=TODAY() - dt.timedelta(days=n),
                recorded_by=programme_admin,
            )
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'), 4
        # the account, 5 the active engagement model, 6-7 the snapshots (the year's, the latest), 8
        # member count, 9 activity by kind and day, 10-11 customer timeline and support counts (no
        # events: no page read), 12 the unread-notification and alert counts, 13 the latest
        # outcomes with their recorders, 14 the account's bad times (none)
        with django_assert_num_queries(14):
            response = client.get(PAGE)
        assert response.content.decode().count("<td>Referred</td>") == min(outcomes, 10)

    page_with(1)
    page_with(12)
