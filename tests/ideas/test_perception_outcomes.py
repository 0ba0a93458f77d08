"""Pilot perception next to later outcomes: /pilots/perception-outcomes/ (the fragment the
insights page loads, a page of its own without htmx, CSV) and /api/v1/insights/pilot-perception/.

The planted pilot ended 60 days ago. Ratings are useful/usable (1–7); "rec." is the likelihood
to recommend (0–10) of an experience check-in; the latest submitted answers count.

    member  account   expected   mid (day −70)      final (day −61)    outcomes (days ago)
    m1      Acme      5/3                           6/5, rec. 10       churned −70 (before the
    m2      Acme      6/4        2/2, rec. 2        5/4, rec. 7          end), renewed −30,
                                                                         referred −20
    m3      Initech   6/6                           3/4, rec. 3        churned −10
    m4      Umbrella  4/4        (draft: 1/1, rec. 0: does not count)  —

    Acme:     gaps +1 +2 −1 0 → mean 0.50 (4 pairs); NPS: 10 promoter, 7 passive → 50 (2)
              after the pilot: renewed (30 days after its end), referred (40 days after)
    Initech:  gaps −3 −2 → −2.50 (2 pairs); NPS: 3 detractor → −100 (1); churned 50 days after
    Umbrella: no experience → no gap, no NPS; nothing after
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random

import pytest
from django.utils import timezone

from accounts.models import Account, Segment
from community.models import OutcomeKind
from community.services.outcomes import outcome_record
from demo.data.pilot_outcomes import demo_pilot_outcomes_create
from ideas.models import Enrolment, PilotState
from ideas.selectors.perception_outcomes import (
    ADVOCATES,
    KEPT_OR_GREW,
    NO_DECISION,
    SHRANK_OR_LEFT,
    pilot_perception_outcomes,
)
from ideas.views import perception_outcomes as perception_views
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_login
from tests.ideas.factories import PilotFactory, feedback_response

URL = "/pilots/perception-outcomes/"
API = "/api/v1/insights/pilot-perception/"
K = OutcomeKind


def _day(days_ago: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days_ago)


def _at(days_ago: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days_ago)


def _outcome(account, kind, days_ago):
    amount = 1000 if kind in (K.EXPANDED, K.CONTRACTED) else None
    outcome_record(
        account=account, kind=kind, occurred_on=_day(days_ago), recorded_by=None, amount=amount
    )


def _pilot(accounts, *, ended_days_ago=60, title="Offline sync"):
    return PilotFactory(
        title=title,
        accounts=accounts,
        state=PilotState.CLOSED,
        recruiting_opens=_day(ended_days_ago + 50),
        runs_from=_day(ended_days_ago + 40),
        runs_until=_day(ended_days_ago),
    )


def _enrol(pilot, account, name):
    user = customer(account, first_name=name)
    return Enrolment.objects.create(pilot=pilot, user=user, account=account)


@pytest.fixture
def planted(account_a):
    initech = AccountFactory(name="Initech", slug="initech", segment=Segment.ENTERPRISE)
    umbrella = AccountFactory(name="Umbrella", slug="umbrella")
    pilot = _pilot([account_a, initech, umbrella])
    expectation, mid, final = pilot.check_ins.order_by("position")
    m1, m2 = _enrol(pilot, account_a, "Mia"), _enrol(pilot, account_a, "Max")
    m3, m4 = _enrol(pilot, initech, "Ines"), _enrol(pilot, umbrella, "Uma")

    for member, useful, usable in [(m1, 5, 3), (m2, 6, 4), (m3, 6, 6), (m4, 4, 4)]:
        feedback_response(
            member, expectation, at=_at(100), expected={"useful": useful, "usable": usable}
        )
    feedback_response(m2, mid, at=_at(70), experienced={"useful": 2, "usable": 2}, recommend=2)
    feedback_response(m1, final, at=_at(61), experienced={"useful": 6, "usable": 5}, recommend=10)
    feedback_response(m2, final, at=_at(61), experienced={"useful": 5, "usable": 4}, recommend=7)
    feedback_response(m3, final, at=_at(61), experienced={"useful": 3, "usable": 4}, recommend=3)
    feedback_response(m4, final, draft=True, experienced={"useful": 1, "usable": 1}, recommend=0)

    _outcome(account_a, K.CHURNED, 70)  # before the pilot ended: not "after"
    _outcome(account_a, K.RENEWED, 30)
    _outcome(account_a, K.REFERRED, 20)
    _outcome(initech, K.CHURNED, 10)
    return pilot


def _result(**filters):
    return pilot_perception_outcomes(accounts=Account.objects.all(), **filters)


def _row(result, slug):
    return next(row for row in result.rows if row.account_slug == slug)


def _csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


# --- The figures -----------------------------------------------------------------------------


def test_each_account_gets_its_members_gap_and_nps_in_the_pilot(planted):
    result = _result()

    acme, initech, umbrella = (
        _row(result, "acme"),
        _row(result, "initech"),
        _row(result, "umbrella"),
    )
    assert (acme.members, acme.gap_mean, acme.gap_n, acme.nps, acme.nps_n) == (2, 0.5, 4, 50, 2)
    assert (initech.gap_mean, initech.gap_n, initech.nps, initech.nps_n) == (-2.5, 2, -100, 1)
    assert (umbrella.gap_mean, umbrella.nps, umbrella.nps_n) == (None, None, 0)  # draft only


def test_only_outcomes_after_the_pilot_and_within_the_window_count(planted):
    acme = _row(_result(), "acme")
    assert [(o.kind, o.occurred_on) for o in acme.outcomes] == [
        (K.RENEWED, _day(30)),
        (K.REFERRED, _day(20)),
    ]  # not the churn 70 days ago, before the pilot's end
    assert (acme.next_decision, acme.advocated) == (KEPT_OR_GREW, True)

    within_35_days = _row(_result(window_days=35), "acme")
    assert [o.kind for o in within_35_days.outcomes] == [K.RENEWED]
    assert within_35_days.advocated is False


def test_the_summary_groups_accounts_by_what_they_did_next_and_flags_small_groups(planted):
    groups = {group.key: group for group in _result().groups}

    kept, shrank = groups[KEPT_OR_GREW], groups[SHRANK_OR_LEFT]
    assert (kept.rows, kept.gap_mean, kept.nps, kept.nps_n, kept.few) == (1, 0.5, 50, 2, True)
    assert (shrank.rows, shrank.gap_mean, shrank.nps, shrank.nps_n) == (1, -2.5, -100, 1)
    assert (groups[NO_DECISION].rows, groups[NO_DECISION].gap_mean) == (1, None)  # Umbrella
    assert groups[ADVOCATES].rows == 1  # Acme, in its own group besides


def test_a_group_of_five_accounts_is_not_flagged_and_pools_its_members_nps(db):
    accounts = [AccountFactory() for _ in range(5)]
    pilot = _pilot(accounts)
    expectation, _, final = pilot.check_ins.order_by("position")
    for n, account in enumerate(accounts):
        member = _enrol(pilot, account, f"P{n}")
        feedback_response(member, expectation, at=_at(90), expected={"useful": 4})
        feedback_response(member, final, at=_at(61), experienced={"useful": 4 + n % 2}, recommend=9)
        _outcome(account, K.EXPANDED, 5)

    kept = next(group for group in _result().groups if group.key == KEPT_OR_GREW)

    assert (kept.rows, kept.few, kept.nps, kept.nps_n) == (5, False, 100, 5)
    assert kept.gap_mean == pytest.approx(0.4)  # gaps 0, 1, 0, 1, 0


def test_pilots_that_ended_outside_the_period_or_accounts_of_other_segments_are_left_out(planted):
    assert {row.account_slug for row in _result(segment=Segment.ENTERPRISE).rows} == {"initech"}
    assert _result(period_to=_day(61)).rows == []  # ended 60 days ago
    assert len(_result(period_from=_day(60), period_to=_day(60)).rows) == 3


# --- Who sees it -----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, db):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "member_b"])
@pytest.mark.parametrize("query", [{}, {"export": "csv"}])
def test_customers_are_refused_the_fragment_its_export_and_the_api(
    request, client_for, api, persona, query, planted
):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(URL, query, HTTP_HX_REQUEST="true").status_code == 403
    assert client_for(user).get(URL, query).status_code == 403
    api_login(api, user)
    assert api.get(API).status_code == 403


def test_the_api_asks_anonymous_callers_to_authenticate(api, db):
    assert api.get(API).status_code == 401


def test_the_account_team_sees_only_its_own_accounts(client_for, account_manager_a, planted):
    response = client_for(account_manager_a).get(URL, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert [row.account_slug for row in response.context["result"].rows] == ["acme"]
    assert "Initech" not in response.content.decode()


# --- The fragment, the page and the CSV ------------------------------------------------------


def test_htmx_gets_the_fragment_and_a_plain_request_a_whole_page(
    client_for, product_manager, planted
):
    client = client_for(product_manager)

    fragment = client.get(URL, HTTP_HX_REQUEST="true").content.decode()
    page = client.get(URL).content.decode()

    assert fragment.startswith('<div id="perception-outcomes"')
    assert "<html" not in fragment
    assert "<h1>Pilot perception and later outcomes</h1>" in page
    for html in (fragment, page):
        assert 'id="perception-groups"' in html
        assert "Renewed 30" not in html  # dates are written out
        assert "few accounts: read with care" in html
        assert "0.50" in html and "-2.50" in html


def test_a_bad_filter_is_a_form_error(client_for, product_manager, planted):
    client = client_for(product_manager)
    query = {"period_from": "2026-05-01", "period_to": "2026-04-01"}

    page = client.get(URL, query)
    fragment = client.get(URL, query, HTTP_HX_REQUEST="true")

    assert page.status_code == 400
    assert fragment.status_code == 200  # htmx swaps no 4xx: the errors show in the fragment
    assert "The period must not end before it starts." in fragment.content.decode()
    assert client.get(URL, {"window": "0"}).status_code == 400


def test_the_csv_has_a_row_per_account_and_pilot(client_for, programme_admin, planted):
    response = client_for(programme_admin).get(URL, {"export": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = {row["account"]: row for row in _csv(response)}
    assert set(rows) == {"acme", "initech", "umbrella"}
    assert rows["acme"] == {
        "pilot_id": str(planted.pk),
        "pilot": "Offline sync",
        "pilot_ended": _day(60).isoformat(),
        "account": "acme",
        "account_name": "Acme Industrial",
        "segment": Segment.MID_MARKET,
        "members_enrolled": "2",
        "gap_mean": "0.50",
        "gap_pairs": "4",
        "nps": "50",
        "nps_answers": "2",
        "next_decision": KEPT_OR_GREW,
        "referred_or_advocated": "yes",
        "outcomes_after": f"Renewed {_day(30).isoformat()}; Referred {_day(20).isoformat()}",
    }
    assert (rows["umbrella"]["gap_mean"], rows["umbrella"]["nps"]) == ("", "")


def test_the_page_the_csv_the_api_and_the_accounts_page_show_a_gap_rounded_the_same_way(
    client_for, programme_admin, api, account_a
):
    """Four members, two dimensions: one gap of −1 in eight pairs, −0.125. Rounded half away
    from zero, −0.13 everywhere (the CSV rounded the binary value half to even: −0.12, and the
    account's own page to one decimal: −0.1)."""
    pilot = _pilot([account_a])
    expectation, _, final = pilot.check_ins.order_by("position")
    for n in range(4):
        member = _enrol(pilot, account_a, f"P{n}")
        feedback_response(member, expectation, at=_at(100), expected={"useful": 5, "usable": 5})
        experienced = {"useful": 4 if n == 0 else 5, "usable": 5}
        feedback_response(member, final, at=_at(61), experienced=experienced, recommend=8)
    client = client_for(programme_admin)
    api_login(api, programme_admin)

    page = client.get(URL).content.decode()
    row = _csv(client.get(URL, {"export": "csv"}))[0]
    body = api.get(API).json()

    assert "-0.13 <small" in page
    assert "-0.12" not in page
    assert (row["gap_mean"], row["gap_pairs"]) == ("-0.13", "8")
    assert (body["results"][0]["gap_mean"], body["results"][0]["gap_shown"]) == (-0.125, -0.13)
    account_page = client.get(f"/accounts/{account_a.slug}/pilots/").content.decode()
    assert f'<tr data-pilot="{pilot.pk}">' in account_page
    assert '<td data-figure="gap">-0.13</td>' in account_page
    assert "<td>4.88</td>" in account_page  # experienced: 39 of 8 ratings, 4.875


def test_the_fragment_reads_the_same_number_of_queries_whatever_the_number_of_accounts(
    client_for, product_manager, django_assert_num_queries
):
    client = client_for(product_manager)
    pilots = [_pilot([], ended_days_ago=40, title="One"), _pilot([], ended_days_ago=90)]

    def fragment_with(accounts: int) -> None:
        while Account.objects.count() < accounts:
            account = AccountFactory()
            for pilot in pilots:
                expectation, _, final = pilot.check_ins.order_by("position")
                member = _enrol(pilot, account, "P")
                feedback_response(member, expectation, at=_at(120), expected={"useful": 4})
                feedback_response(member, final, at=_at(95), experienced={"useful": 5}, recommend=8)
            _outcome(account, K.RENEWED, 10)
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'),
        # 4 the account-pilots, 5 their members' responses that count, 6 those responses'
        # answers, 7 the outcomes after the pilots; the header's counts and the board's count
        # of ideas to review are lazy, read only by pages that draw the frame, not by a fragment
        with django_assert_num_queries(7):
            response = client.get(URL, HTTP_HX_REQUEST="true")
        assert len(response.context["result"].rows) == 2 * accounts

    fragment_with(2)
    fragment_with(12)


def test_the_rows_page_and_the_groups_and_the_csv_keep_every_row(
    client_for, product_manager, planted, monkeypatch
):
    monkeypatch.setattr(perception_views, "ROWS_PER_PAGE", 2)  # the planted pilot has 3 rows
    client = client_for(product_manager)

    first = client.get(URL, HTTP_HX_REQUEST="true")
    assert [r.account_slug for r in first.context["page"].object_list] == [
        r.account_slug for r in first.context["result"].rows[:2]
    ]
    html = first.content.decode()
    assert "Page 1 of 2" in html
    # The link leads to the perception page itself, also from inside the insights page.
    assert f'href="{URL}?page=2"' in html
    second = client.get(URL, {"page": 2})
    assert [r.account_slug for r in second.context["page"].object_list] == [
        first.context["result"].rows[2].account_slug
    ]
    # The groups are over all the rows, on every page; the CSV has them all.
    assert second.context["result"].groups == first.context["result"].groups
    assert len(_csv(client.get(URL, {"export": "csv"}))) == 3


# --- API -------------------------------------------------------------------------------------


def test_the_api_gives_the_same_figures_to_internal_users(api, programme_admin, planted):
    api_login(api, programme_admin)

    response = api.get(API)

    assert response.status_code == 200
    body = response.json()
    assert (body["window_days"], body["small_group"], body["segment"]) == (365, 5, "")
    acme = next(row for row in body["results"] if row["account"] == "acme")
    assert acme == {
        "pilot": planted.pk,
        "pilot_title": "Offline sync",
        "pilot_ended": _day(60).isoformat(),
        "account": "acme",
        "account_name": "Acme Industrial",
        "segment": Segment.MID_MARKET,
        "members": 2,
        "gap_mean": 0.5,
        "gap_shown": 0.5,
        "gap_pairs": 4,
        "nps": 50,
        "nps_answers": 2,
        "next_decision": KEPT_OR_GREW,
        "referred_or_advocated": True,
        "outcomes": [
            {"outcome": "renewed", "label": "Renewed", "occurred_on": _day(30).isoformat()},
            {"outcome": "referred", "label": "Referred", "occurred_on": _day(20).isoformat()},
        ],
    }
    within_35_days = api.get(API, {"window": 35}).json()
    assert within_35_days["window_days"] == 35
    assert [
        [o["outcome"] for o in row["outcomes"]]
        for row in within_35_days["results"]
        if row["account"] == "acme"
    ] == [["renewed"]]
    groups = {group["key"]: group for group in body["groups"]}
    assert groups[SHRANK_OR_LEFT] == {
        "key": SHRANK_OR_LEFT,
        "label": "Contracted or churned next",
        "accounts": 1,
        "gap_mean": -2.5,
        "gap_shown": -2.5,
        "gap_accounts": 1,
        "nps": -100,
        "nps_answers": 1,
        "few": True,
    }


def test_the_api_scopes_the_account_team_and_rejects_bad_filters(api, account_manager_a, planted):
    api_login(api, account_manager_a)

    assert [row["account"] for row in api.get(API).json()["results"]] == ["acme"]
    bad = api.get(API, {"period_from": "2026-05-01", "period_to": "2026-04-01"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["attr"] == "period_to"
    assert api.get(API, {"segment": "galactic"}).status_code == 400


# --- Demo ------------------------------------------------------------------------------------


def test_the_demo_gives_each_undecided_account_a_decision_after_a_closed_pilot(planted):
    recorded = demo_pilot_outcomes_create(rng=random.Random(7))

    rows = {row.account_slug: row for row in _result().rows}
    assert recorded == 1  # Umbrella: Acme and Initech decided already
    assert rows["umbrella"].next_decision in (KEPT_OR_GREW, SHRANK_OR_LEFT)
    (decision,) = rows["umbrella"].outcomes
    assert _day(60 - 14) <= decision.occurred_on <= _day(0)
    assert [o.kind for o in rows["acme"].outcomes] == [K.RENEWED, K.REFERRED]
