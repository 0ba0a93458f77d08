"""Pilot results are correct: a pilot with planted answers, every figure on the results page and
in the API checked against values worked out by hand below.

The planted pilot (default instrument; the check-ins are "Your expectations", "Mid-pilot
check-in" and "Final check-in"). Ratings are written useful/usable; delightful, speed and trust
repeat the useful ratings, so their rows equal useful's.

    member  account   segment     expect.  mid-pilot (day 10)          final (day 20)
                                  E        X    S    job  adopt rec    X    S    job    adopt rec
    m1      Acme      mid-market  5/3      —                           6/5  1/1  Yes    8     10
    m2      Acme      mid-market  6/4      3/6  4/0  No   2     2      5/4  2/2  Partly 6     7
    m3      Initech   enterprise  4/5      4/4  2/3  Yes  7     9      —
    m4      Initech   enterprise  6/2      —                           7/5  0/2  Yes    9     9
    m5      Umbrella  enterprise  5/6      —                           3/6  3/1  No     3     3
    m6      Umbrella  enterprise  7/5      (expectation only)
    m7      Umbrella  enterprise  enrolled; only a DRAFT expectation (useful 1): must not count

m2 answered two experience check-ins: the final one is their latest and the only one that
counts (the mid-pilot answers would change every figure, see the comments). The pilot runs from
12 days ago to 10 days ahead: the expectation and the mid-pilot check-in (due yesterday) are
due, the final one is not (answered early by four members). Engagement levels when the pilot
started: Acme Contributing, Initech Observing, Umbrella not known yet (Acme is Dormant today and
Umbrella got its first snapshot after the start: neither counts).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accounts.models import Segment
from community.models import EngagementLevel, EngagementSnapshot
from community.statistics import round_half_up, t_quantile_975
from ideas.models import Enrolment, PilotState
from ideas.selectors.results import pilot_results
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_login
from tests.ideas.factories import PilotFactory, engagement_level_set, feedback_response

BASE = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def _today() -> dt.date:
    return timezone.localdate()


def _day(n: int) -> dt.datetime:
    return BASE + dt.timedelta(days=n)


def _ratings(useful: int, usable: int) -> dict[str, int]:
    return {
        "useful": useful,
        "usable": usable,
        "delightful": useful,
        "speed": useful,
        "trust": useful,
    }


@pytest.fixture
def planted(account_a):
    acme = account_a
    acme.segment = Segment.MID_MARKET
    acme.save()
    initech = AccountFactory(name="Initech", segment=Segment.ENTERPRISE)
    umbrella = AccountFactory(name="Umbrella Corp", segment=Segment.ENTERPRISE)
    today = _today()
    pilot = PilotFactory(
        accounts=[acme, initech, umbrella],
        state=PilotState.RUNNING,
        recruiting_opens=today - dt.timedelta(days=20),
        runs_from=today - dt.timedelta(days=12),
        runs_until=today + dt.timedelta(days=10),  # the mid-pilot check-in was due yesterday
    )
    expectation, mid, final = pilot.check_ins.order_by("position")

    def enrol(account, name):
        user = customer(account, first_name=name)
        return Enrolment.objects.create(pilot=pilot, user=user, account=account)

    m1, m2 = enrol(acme, "Mia"), enrol(acme, "Max")
    m3, m4 = enrol(initech, "Ines"), enrol(initech, "Ivo")
    m5, m6, m7 = enrol(umbrella, "Uma"), enrol(umbrella, "Udo"), enrol(umbrella, "Ulf")

    for member, useful, usable in [(m1, 5, 3), (m2, 6, 4), (m3, 4, 5), (m4, 6, 2), (m5, 5, 6)]:
        feedback_response(member, expectation, at=_day(0), expected=_ratings(useful, usable))
    feedback_response(m6, expectation, at=_day(1), expected=_ratings(7, 5))
    feedback_response(m7, expectation, draft=True, expected=_ratings(1, 1), unmet="secret draft")

    feedback_response(
        m2, mid, at=_day(10), experienced=_ratings(3, 6), sacrifice=_ratings(4, 0),
        job_done="No", adopt=2, recommend=2, better="Onboarding took a whole afternoon.",
    )  # fmt: skip
    feedback_response(
        m3, mid, at=_day(11), experienced=_ratings(4, 4), sacrifice=_ratings(2, 3),
        job_done="Yes", adopt=7, recommend=9,
    )  # fmt: skip
    feedback_response(
        m1, final, at=_day(20), experienced=_ratings(6, 5), sacrifice=_ratings(1, 1),
        job_done="Yes", adopt=8, recommend=10, unmet="Sync took minutes, not seconds.",
    )  # fmt: skip
    feedback_response(
        m2, final, at=_day(21), experienced=_ratings(5, 4), sacrifice=_ratings(2, 2),
        job_done="Partly", adopt=6, recommend=7,
    )  # fmt: skip
    feedback_response(
        m4, final, at=_day(20), experienced=_ratings(7, 5), sacrifice=_ratings(0, 2),
        job_done="Yes", adopt=9, recommend=9,
    )  # fmt: skip
    feedback_response(
        m5, final, at=_day(22), experienced=_ratings(3, 6), sacrifice=_ratings(3, 1),
        job_done="No", adopt=3, recommend=3, better='=HYPERLINK("http://evil.example")',
    )  # fmt: skip

    for account, level, score in [
        (acme, EngagementLevel.CONTRIBUTING, 55),
        (initech, EngagementLevel.OBSERVING, 15),
    ]:
        EngagementSnapshot.objects.create(
            account=account, day=dt.date(2025, 3, 1), score=score, level=level,
            activity=0.5, breadth=0.5, co_creation=0.5, model_version=1,
        )  # fmt: skip
    # After the pilot started: not the level it started at.
    engagement_level_set(acme, EngagementLevel.DORMANT, day=today)
    engagement_level_set(umbrella, EngagementLevel.CO_CREATING, day=today - dt.timedelta(days=11))
    return pilot


# --- The hand-computed figures ------------------------------------------------------------
#
# t(0.975, df) from the table: df 1 → 12.706205, df 2 → 4.302653, df 4 → 2.776445.
# Interval = gap ± t · sd / √n.
#
# ALL PARTICIPANTS, useful (also delightful, speed, trust)
#   expected    m1..m6: 5+6+4+6+5+7 = 33 / 6 = 5.50 (n 6; m7's draft "1" does not count)
#   experienced latest: m1 6, m2 5 (final, not mid's 3), m3 4, m4 7, m5 3 = 25 / 5 = 5.00 (n 5)
#   gaps (X − E): m1 +1, m2 −1, m3 0, m4 +1, m5 −2 → sum −1, mean −0.20 (n 5)
#     deviations from −0.2: 1.2, −0.8, 0.2, 1.2, −1.8; squares 1.44+0.64+0.04+1.44+3.24 = 6.8
#     sd = √(6.8 / 4) = √1.7 = 1.303840; half = 2.776445 × 1.303840 / √5 = 1.618932
#     interval −0.2 ± 1.618932 = −1.818932 … 1.418932 → −1.82 to 1.42
#   met (gap ≥ 0): m1, m3, m4 = 3 of 5 = 60%
#   sacrifice latest: 1, 2, 2, 0, 3 = 8 / 5 = 1.60 (n 5)
#   perceived (E − S): 5−1=4, 6−2=4, 4−2=2, 6−0=6, 5−3=2 = 18 / 5 = 3.60 (n 5)
#   (with m2's mid-pilot answers instead: experienced 4.60, gap −0.60, sacrifice 2.00.)
#
# ALL PARTICIPANTS, usable
#   expected 3+4+5+2+6+5 = 25 / 6 = 4.1667 → 4.17 (n 6)
#   experienced 5+4+4+5+6 = 24 / 5 = 4.80 (n 5)
#   gaps: +2, 0, −1, +3, 0 → sum 4, mean 0.80
#     deviations 1.2, −0.8, −1.8, 2.2, −0.8; squares 1.44+0.64+3.24+4.84+0.64 = 10.8
#     sd = √(10.8 / 4) = √2.7 = 1.643168; half = 2.776445 × 1.643168 / √5 = 2.040262
#     interval 0.8 ± 2.040262 = −1.240262 … 2.840262 → −1.24 to 2.84
#   met: m1, m2, m4, m5 = 4 of 5 = 80%
#   sacrifice 1+2+3+2+1 = 9 / 5 = 1.80; perceived 2, 2, 2, 0, 5 = 11 / 5 = 2.20
#
# MID-MARKET (Acme: m1, m2), useful: E 5, 6 → 5.50; X 6, 5 → 5.50; gaps +1, −1 → 0.00,
#   sd = √((1 + 1) / 1) = 1.414214; half = 12.706205 × 1.414214 / √2 = 12.706205
#   → −12.71 to 12.71; met 1 of 2 = 50%; S 1, 2 → 1.50; perceived 4, 4 → 4.00
# MID-MARKET, usable: E 3, 4 → 3.50; X 5, 4 → 4.50; gaps +2, 0 → 1.00, sd 1.414214,
#   half 12.706205 → −11.71 to 13.71; met 2 of 2 = 100%; S 1, 2 → 1.50; perceived 2, 2 → 2.00
# ENTERPRISE (m3..m7), useful: E 4, 6, 5, 7 → 22 / 4 = 5.50; X 4, 7, 3 → 14 / 3 = 4.67;
#   gaps 0, +1, −2 → −1/3 = −0.33; deviations 1/3, 4/3, −5/3, squares sum 42/9,
#   sd = √(42/9 / 2) = 1.527525; half = 4.302653 × 1.527525 / √3 = 3.794583
#   → −4.127916 … 3.461250 → −4.13 to 3.46; met 2 of 3 = 67%; S 2, 0, 3 → 1.67;
#   perceived 2, 6, 2 → 3.33
# ENTERPRISE, usable: E 5, 2, 6, 5 → 4.50; X 4, 5, 6 → 5.00; gaps −1, +3, 0 → 0.67;
#   deviations −5/3, 7/3, −2/3, squares sum 78/9, sd = √(78/9 / 2) = 2.081666;
#   half = 4.302653 × 2.081666 / √3 = 5.171145 → −4.504479 … 5.837812 → −4.50 to 5.84;
#   met 2 of 3 = 67%; S 3, 2, 1 → 2.00; perceived 2, 0, 5 → 2.33

# Each: (mean, n) or interval (low, high) or met (count, n, percent).
OVERALL_USEFUL = {
    "expected": (5.50, 6),
    "experienced": (5.00, 5),
    "gap": (-0.20, 5),
    "interval": (-1.82, 1.42),
    "met": (3, 5, 60),
    "sacrifice": (1.60, 5),
    "perceived": (3.60, 5),
}
OVERALL_USABLE = {
    "expected": (4.17, 6),
    "experienced": (4.80, 5),
    "gap": (0.80, 5),
    "interval": (-1.24, 2.84),
    "met": (4, 5, 80),
    "sacrifice": (1.80, 5),
    "perceived": (2.20, 5),
}
MID_MARKET_USEFUL = {
    "expected": (5.50, 2),
    "experienced": (5.50, 2),
    "gap": (0.00, 2),
    "interval": (-12.71, 12.71),
    "met": (1, 2, 50),
    "sacrifice": (1.50, 2),
    "perceived": (4.00, 2),
}
MID_MARKET_USABLE = {
    "expected": (3.50, 2),
    "experienced": (4.50, 2),
    "gap": (1.00, 2),
    "interval": (-11.71, 13.71),
    "met": (2, 2, 100),
    "sacrifice": (1.50, 2),
    "perceived": (2.00, 2),
}
ENTERPRISE_USEFUL = {
    "expected": (5.50, 4),
    "experienced": (4.67, 3),
    "gap": (-0.33, 3),
    "interval": (-4.13, 3.46),
    "met": (2, 3, 67),
    "sacrifice": (1.67, 3),
    "perceived": (3.33, 3),
}
ENTERPRISE_USABLE = {
    "expected": (4.50, 4),
    "experienced": (5.00, 3),
    "gap": (0.67, 3),
    "interval": (-4.50, 5.84),
    "met": (2, 3, 67),
    "sacrifice": (2.00, 3),
    "perceived": (2.33, 3),
}

# NPS from each member's latest likelihood to recommend.
#   all: m1 10, m2 7 (final; mid's 2 would make them a detractor), m3 9, m4 9, m5 3
#        promoters 3 (60%), passives 1 (20%), detractors 1 (20%); NPS = 60 − 20 = 40 (n 5)
#        distribution: 3 → 1, 7 → 1, 9 → 2, 10 → 1
#   mid-market: 10, 7 → 1 promoter (50%), 1 passive (50%), 0 detractors; NPS 50
#   enterprise: 9, 9, 3 → 2 promoters (66.67% → 67%), 1 detractor (33.33% → 33%);
#        NPS = 100 × (2 − 1) / 3 = 33.33 → 33
#   by level: Observing (Initech) 9, 9 → 100; Contributing (Acme) 10, 7 → 50;
#        not computed yet (Umbrella) 3 → −100
# Job done (latest): all Yes 3 (60%), Partly 1 (20%), No 1 (20%); mid-market Yes 1 (50%),
#   Partly 1 (50%), No 0 (0%); enterprise Yes 2 (67%), Partly 0 (0%), No 1 (33%)
# Likelihood to adopt (latest): all 8+6+7+9+3 = 33 / 5 = 6.60; mid-market (8+6)/2 = 7.00;
#   enterprise (7+9+3)/3 = 6.33
# Response rates (submitted ÷ enrolled, due check-ins only; drafts do not count). Due: the
# expectation (at enrolment) and the mid-pilot check-in (yesterday); the final is not due yet.
#   all, 7 enrolled: expectations 6/7 = 85.7% → 86%, mid-pilot 2/7 = 28.6% → 29%,
#        final: 4 answered early, not due yet; all 8 of 7 × 2 = 14 due → 57.1% → 57%
#   mid-market, 2 enrolled: 2/2 100%, 1/2 50%, final not due; 3 of 4 due → 75%
#   enterprise, 5 enrolled: 4/5 80%, 1/5 20%, final not due; 5 of 10 due → 50%
#   once closed, every check-in is due: final 4/7 → 57%; all 12 of 21 → 57.1% → 57%


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _section(page: str, group: str) -> str:
    start = page.index(f'id="group-{group}"')
    return page[start : page.index("</section>", start)]


def _row(fragment: str, attribute: str) -> str:
    match = re.search(rf"<tr {attribute}>(.*?)</tr>", fragment, re.S)
    assert match, attribute
    return match.group(1)


def _dimension_cells(section: str, key: str) -> dict[str, str]:
    row = _row(section, f'data-dimension="{key}"')
    return {
        name: _text(cell)
        for name, cell in re.findall(r'<td data-figure="(\w+)">(.*?)</td>', row, re.S)
    }


def _figure(section: str, name: str) -> str:
    match = re.search(rf'<p data-figure="{name}">(.*?)</p>', section, re.S)
    assert match, name
    return _text(match.group(1))


def _as_page(hand: dict) -> dict[str, str]:
    """The hand values as the page prints them."""
    met_count, paired, percent = hand["met"]
    low, high = hand["interval"]
    cells = {
        name: f"{hand[name][0]:.2f} n = {hand[name][1]}"
        for name in ("expected", "experienced", "gap", "sacrifice", "perceived")
    }
    return {
        **cells,
        "interval": f"{low:.2f} to {high:.2f}",
        "met": f"{percent}% ({met_count} of {paired})",
    }


def _as_api(row: dict) -> dict:
    """An API dimension row in the shape of the hand values: the API rounds as the page does."""
    return {
        "expected": (row["expected_mean"], row["expected_n"]),
        "experienced": (row["experienced_mean"], row["experienced_n"]),
        "gap": (row["gap_mean"], row["paired_n"]),
        "interval": (row["gap_interval"]["low"], row["gap_interval"]["high"]),
        "met": (row["met_count"], row["paired_n"], row["met_percent"]),
        "sacrifice": (row["sacrifice_mean"], row["sacrifice_n"]),
        "perceived": (row["perceived_mean"], row["perceived_n"]),
    }


def _page(client_for, user, pilot, query: str = "") -> str:
    response = client_for(user).get(f"/pilots/{pilot.pk}/results/{query}")
    assert response.status_code == 200
    return response.content.decode()


def _api(api, user, pilot, query: str = "") -> dict:
    api_login(api, user)
    response = api.get(f"/api/v1/pilots/{pilot.pk}/results/{query}")
    assert response.status_code == 200
    return response.json()


def _by_key(rows: list[dict]) -> dict[str, dict]:
    return {row["key"]: row for row in rows}


# --- Statistics helpers ----------------------------------------------------------------------


def test_the_t_quantile_comes_from_the_table_up_to_30_degrees_of_freedom():
    assert t_quantile_975(1) == 12.706205
    assert t_quantile_975(4) == 2.776445
    assert t_quantile_975(30) == 2.042272


@pytest.mark.parametrize(
    ("df", "published"),
    [(31, 2.039513), (40, 2.021075), (60, 2.000298), (120, 1.979930), (1000, 1.962339)],
)
def test_the_t_quantile_above_30_follows_the_cornish_fisher_expansion(df, published):
    assert round(t_quantile_975(df), 6) == published


def test_rounding_takes_halves_away_from_zero():
    assert [round_half_up(x) for x in (33.5, 66.67, 2.5, -0.5, -33.33)] == [34, 67, 3, -1, -33]


# --- The page ---------------------------------------------------------------------------------


def test_the_page_shows_every_figure_per_dimension_as_computed_by_hand(
    client_for, product_manager, planted
):
    overall = _section(_page(client_for, product_manager, planted), "overall")

    assert _dimension_cells(overall, "useful") == _as_page(OVERALL_USEFUL)
    assert _dimension_cells(overall, "usable") == _as_page(OVERALL_USABLE)
    for key in ("delightful", "speed", "trust"):  # planted with useful's ratings
        assert _dimension_cells(overall, key) == _as_page(OVERALL_USEFUL)


def test_the_page_shows_nps_job_done_adoption_and_response_rates_as_computed_by_hand(
    client_for, product_manager, planted
):
    page = _page(client_for, product_manager, planted)
    overall = _section(page, "overall")
    expectation, mid, final = planted.check_ins.order_by("position")

    assert _figure(overall, "nps") == (
        "NPS 40 : 3 promoters (60%), 1 passive (20%), 1 detractor (20%); n = 5."
    )
    distribution = dict(re.findall(r'<td data-score="(\d+)">(\d+)</td>', overall))
    assert distribution == {
        **{str(score): "0" for score in range(11)},
        "3": "1",
        "7": "1",
        "9": "2",
        "10": "1",
    }
    assert _text(_row(overall, 'data-choice="yes"')) == "Yes 3 60%"
    assert _text(_row(overall, 'data-choice="partly"')) == "Partly 1 20%"
    assert _text(_row(overall, 'data-choice="no"')) == "No 1 20%"
    assert _figure(overall, "adopt") == "Mean likelihood to adopt (0–10): 6.60 , n = 5."
    mid_due, final_due = (f"{c.due_on:%-d %b %Y}" for c in (mid, final))
    assert _text(_row(overall, f'data-check-in="{expectation.pk}"')) == (
        "Participants’ expectations at enrolment 6 7 86%"
    )
    assert _text(_row(overall, f'data-check-in="{mid.pk}"')) == (
        f"Mid-pilot check-in {mid_due} 2 7 29%"
    )
    assert _text(_row(overall, f'data-check-in="{final.pk}"')) == (
        f"Final check-in {final_due} 4 7 not due yet"
    )
    assert _text(_row(overall, 'data-check-in="all"')) == (
        "All due check-ins 8 of 14 due check-ins answered, 57%"
    )


def test_the_summary_cards_repeat_the_headline_figures(client_for, product_manager, planted):
    page = _page(client_for, product_manager, planted)
    start = page.index('id="summary"')
    summary = _text(page[start : page.index("</section>", start)])

    assert "6 / 7 participants responded" in summary
    assert "57% response rate: 8 of 14 due check-ins answered" in summary
    assert "40 NPS (n = 5)" in summary
    assert "6.60 likelihood to adopt, 0–10 (n = 5)" in summary
    assert "60% say it did the job (n = 5)" in summary


def test_the_page_splits_by_segment_with_figures_computed_by_hand(
    client_for, product_manager, planted
):
    page = _page(client_for, product_manager, planted, "?split=segment")
    mid_market = _section(page, "mid_market")
    enterprise = _section(page, "enterprise")
    check_ins = list(planted.check_ins.order_by("position"))

    assert "Mid-market" in mid_market and "2 of 2 responded" in _text(mid_market)
    assert "Enterprise" in enterprise and "4 of 5 responded" in _text(enterprise)
    assert 'id="group-overall"' in page  # all participants stay on the page for comparison
    assert 'id="group-smb"' not in page  # no one enrolled from small businesses
    assert _dimension_cells(mid_market, "useful") == _as_page(MID_MARKET_USEFUL)
    assert _dimension_cells(mid_market, "usable") == _as_page(MID_MARKET_USABLE)
    assert _dimension_cells(enterprise, "useful") == _as_page(ENTERPRISE_USEFUL)
    assert _dimension_cells(enterprise, "usable") == _as_page(ENTERPRISE_USABLE)
    assert _figure(mid_market, "nps").startswith("NPS 50 : 1 promoter (50%), 1 passive (50%)")
    assert _figure(enterprise, "nps") == (
        "NPS 33 : 2 promoters (67%), 0 passives (0%), 1 detractor (33%); n = 3."
    )
    assert _text(_row(mid_market, 'data-choice="partly"')) == "Partly 1 50%"
    assert _text(_row(enterprise, 'data-choice="yes"')) == "Yes 2 67%"
    assert _text(_row(enterprise, 'data-choice="no"')) == "No 1 33%"
    assert _figure(mid_market, "adopt") == "Mean likelihood to adopt (0–10): 7.00 , n = 2."
    assert _figure(enterprise, "adopt") == "Mean likelihood to adopt (0–10): 6.33 , n = 3."
    rates = [_text(_row(enterprise, f'data-check-in="{c.pk}"')).split()[-1] for c in check_ins]
    assert rates == ["80%", "20%", "yet"]  # the final check-in: "not due yet"
    assert _text(_row(enterprise, 'data-check-in="all"')) == (
        "All due check-ins 5 of 10 due check-ins answered, 50%"
    )
    assert _text(_row(mid_market, 'data-check-in="all"')) == (
        "All due check-ins 3 of 4 due check-ins answered, 75%"
    )


def test_the_page_splits_by_engagement_level_when_the_pilot_started(
    client_for, product_manager, planted
):
    page = _page(client_for, product_manager, planted, "?split=level")

    order = re.findall(r'<section class="results-group" aria-labelledby="group-(\w+)-h"', page)
    # Acme is Dormant today and Umbrella Co-creating since after the start: neither counts.
    assert order == ["overall", "observing", "contributing", "not_computed"]
    assert "Level not known yet" in _section(page, "not_computed")
    assert "level <strong>when the pilot started</strong>" in page
    assert _figure(_section(page, "observing"), "nps").startswith("NPS 100 :")
    assert _figure(_section(page, "contributing"), "nps").startswith("NPS 50 :")
    assert _figure(_section(page, "not_computed"), "nps").startswith("NPS -100 :")
    assert "2 of 3 responded" in _text(_section(page, "not_computed"))


def test_verbatims_show_every_submitted_free_text_with_account_and_segment(
    client_for, product_manager, planted
):
    page = _page(client_for, product_manager, planted)
    verbatims = _text(page[page.index('id="verbatims"') :])

    assert (
        "Sync took minutes, not seconds. What did you expect that did not happen? "
        "Acme Industrial Mid-market Final check-in"
    ) in verbatims
    assert "Onboarding took a whole afternoon." in verbatims  # an earlier check-in counts too
    assert "Umbrella Corp Enterprise" in verbatims
    assert "secret draft" not in page  # drafts are not results


def test_once_the_pilot_is_closed_every_check_in_is_due(client_for, product_manager, planted):
    planted.state = PilotState.CLOSED  # closed early, before the final check-in's date
    planted.save()
    overall = _section(_page(client_for, product_manager, planted), "overall")
    final = planted.check_ins.get(position=2)

    assert _text(_row(overall, f'data-check-in="{final.pk}"')).endswith(" 4 7 57%")
    assert _text(_row(overall, 'data-check-in="all"')) == (
        "All due check-ins 12 of 21 due check-ins answered, 57%"
    )


def test_a_check_in_is_due_on_its_due_date_not_the_day_before(planted):
    mid = planted.check_ins.get(position=1)

    def mid_rate(today):
        results = pilot_results(pilot=planted, today=today)
        return next(c for c in results.overall.check_ins if c.check_in_id == mid.pk)

    assert mid_rate(mid.due_on).text == "2 of 7 answered, 29%"
    assert mid_rate(mid.due_on - dt.timedelta(days=1)).text == "not due yet"
    assert pilot_results(
        pilot=planted, today=mid.due_on - dt.timedelta(days=1)
    ).overall.response_rate.text == ("6 of 7 due check-ins answered, 86%")


# --- n too small -----------------------------------------------------------------------------


def test_no_n_too_small_warning_when_enough_participants_answered(
    client_for, product_manager, planted
):
    page = _page(client_for, product_manager, planted)

    assert "n too small" not in page


def test_each_group_under_five_participants_carries_the_n_too_small_warning(
    client_for, product_manager, planted
):
    page = _page(client_for, product_manager, planted, "?split=segment")

    assert "n too small" not in _section(page, "overall")
    assert "only 2 participants in this group responded" in _section(page, "mid_market")
    assert "only 4 participants in this group responded" in _section(page, "enterprise")
    assert "3 participants gave both an expectation and an experience" in _text(
        _section(page, "enterprise")
    )


def test_a_pilot_with_three_respondents_warns_that_n_is_too_small(
    client_for, product_manager, account_a
):
    pilot = PilotFactory(accounts=[account_a], state=PilotState.RUNNING)
    expectation, _, final = pilot.check_ins.order_by("position")
    for name in ("Ann", "Ben", "Cem"):
        enrolment = Enrolment.objects.create(
            pilot=pilot, user=customer(account_a, first_name=name), account=account_a
        )
        feedback_response(enrolment, expectation, expected=_ratings(5, 5))
        feedback_response(enrolment, final, experienced=_ratings(6, 6), recommend=9)

    page = _page(client_for, product_manager, pilot)

    assert "3 of 3 enrolled participants responded (all of them) — fewer than 5" in _text(page)
    assert "3 participants answered the likelihood to recommend" in _text(page)


# --- The API: the same figures ----------------------------------------------------------------


def test_the_api_gives_every_figure_as_computed_by_hand(api, product_manager, planted):
    body = _api(api, product_manager, planted)
    overall = body["overall"]
    dimensions = _by_key(overall["dimensions"])

    assert body["split"] is None
    assert body["groups"] == []
    assert [d["key"] for d in overall["dimensions"]] == [
        "useful",
        "usable",
        "delightful",
        "speed",
        "trust",
    ]
    assert _as_api(dimensions["useful"]) == OVERALL_USEFUL
    assert _as_api(dimensions["usable"]) == OVERALL_USABLE
    assert _as_api(dimensions["trust"]) == OVERALL_USEFUL
    assert dimensions["useful"]["gap_sd"] == 1.30  # 1.303840
    assert dimensions["usable"]["gap_sd"] == 1.64  # 1.643168
    assert overall["nps"] == {
        "n": 5,
        "promoters": 3,
        "passives": 1,
        "detractors": 1,
        "promoters_percent": 60,
        "passives_percent": 20,
        "detractors_percent": 20,
        "score": 40,
        "distribution": [0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 1],
        "too_small": False,
    }
    assert overall["job_done"]["n"] == 5
    assert [(c["key"], c["count"], c["percent"]) for c in overall["job_done"]["choices"]] == [
        ("yes", 3, 60),
        ("partly", 1, 20),
        ("no", 1, 20),
    ]
    assert overall["adopt"]["mean"] == 6.60
    assert overall["adopt"]["n"] == 5
    assert [
        (c["title"], c["due"], c["submitted"], c["enrolled"], c["percent"], c["text"])
        for c in overall["check_ins"]
    ] == [
        ("Your expectations", True, 6, 7, 86, "6 of 7 answered, 86%"),
        ("Mid-pilot check-in", True, 2, 7, 29, "2 of 7 answered, 29%"),
        ("Final check-in", False, 4, 7, None, "not due yet"),
    ]
    assert overall["response_rate"] == {
        "answered": 8,
        "due": 14,
        "percent": 57,
        "text": "8 of 14 due check-ins answered, 57%",
    }
    assert (overall["enrolled"], overall["respondents"], overall["paired_n"]) == (7, 6, 5)
    assert overall["too_small"] is False
    assert overall["dimensions_too_small"] is False


def test_the_api_splits_by_segment_with_figures_computed_by_hand(api, product_manager, planted):
    body = _api(api, product_manager, planted, "?split=segment")
    groups = _by_key(body["groups"])

    assert body["split"] == "segment"
    assert list(groups) == ["enterprise", "mid_market"]  # in the order of the segments
    enterprise, mid_market = groups["enterprise"], groups["mid_market"]
    assert _as_api(_by_key(mid_market["dimensions"])["useful"]) == MID_MARKET_USEFUL
    assert _as_api(_by_key(mid_market["dimensions"])["usable"]) == MID_MARKET_USABLE
    assert _as_api(_by_key(enterprise["dimensions"])["useful"]) == ENTERPRISE_USEFUL
    assert _as_api(_by_key(enterprise["dimensions"])["usable"]) == ENTERPRISE_USABLE
    assert (mid_market["nps"]["score"], enterprise["nps"]["score"]) == (50, 33)
    assert enterprise["adopt"]["mean"] == 6.33
    assert (enterprise["response_rate"]["answered"], enterprise["response_rate"]["due"]) == (5, 10)
    assert (mid_market["response_rate"]["answered"], mid_market["response_rate"]["due"]) == (3, 4)
    assert (enterprise["response_rate"]["percent"], mid_market["response_rate"]["percent"]) == (
        50,
        75,
    )
    assert (enterprise["too_small"], mid_market["too_small"]) == (True, True)
    assert body["overall"]["nps"]["score"] == 40


def test_the_api_splits_by_level(api, product_manager, planted):
    body = _api(api, product_manager, planted, "?split=level")

    assert [(g["key"], g["label"], g["nps"]["score"]) for g in body["groups"]] == [
        ("observing", "Observing", 100),
        ("contributing", "Contributing", 50),
        ("not_computed", "Level not known yet", -100),
    ]


def test_the_api_gives_internal_readers_the_verbatims(api, product_manager, planted):
    body = _api(api, product_manager, planted)

    assert [(v["text"], v["account_name"], v["segment"]) for v in body["verbatims"]] == [
        ('=HYPERLINK("http://evil.example")', "Umbrella Corp", "enterprise"),
        ("Sync took minutes, not seconds.", "Acme Industrial", "mid_market"),
        ("Onboarding took a whole afternoon.", "Acme Industrial", "mid_market"),
    ]
