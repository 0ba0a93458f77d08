"""A closed pilot's effect against matched accounts (ideas.selectors.pilot_effect): the matching
picks the expected neighbours, and the difference-in-differences of scores and renewals and
their 95% intervals equal an independent computation on a hand-built panel
(tests/ideas/pilot_effect_world.py); below the minimum sample it is too few to say."""

from __future__ import annotations

import datetime as dt

import pytest

from accounts.models import Account, Segment
from community.statistics import round_half_up, round_half_up_to
from ideas.selectors.pilot_effect import MIN_ACCOUNTS, pilot_effect
from ideas.selectors.pilot_effect_figures import PanelRow, did_estimate
from tests.accounts.factories import customer
from tests.ideas.factories import enrolled
from tests.ideas.pilot_effect_world import (
    PanelAccount,
    closed_pilot,
    expected_did,
    panel_build,
    renewal_rows,
    score_rows,
)

pytestmark = pytest.mark.django_db

RUNS_FROM, RUNS_UNTIL = dt.date(2025, 3, 3), dt.date(2025, 3, 30)
AFTER_A_YEAR = RUNS_UNTIL + dt.timedelta(days=400)  # every window has passed


def _pilot():
    return closed_pilot(runs_from=RUNS_FROM, runs_until=RUNS_UNTIL)


def _six_and_six() -> list[PanelAccount]:
    """Six participants whose scores rose by 6–14 points, six others by −2–4; renewals: four
    participants renewed after (two before), two others after (two before)."""
    participants = [
        PanelAccount(f"P{i} Participant", True, before=[40 + i, 42 + i], after=after)
        for i, after in enumerate(
            [[50, 52, 51], [55, 49], [48, 60, 57], [62, 58], [50, 50, 56], [59, 61]]
        )
    ]
    others = [
        PanelAccount(f"M{i} Other", False, before=[40 + i, 42 + i], after=after)
        for i, after in enumerate(
            [[42, 44, 40], [43, 47], [46, 40, 44], [48, 42], [40, 44, 45], [50, 46]]
        )
    ]
    for spec, (before, after) in zip(
        participants,
        [(True, True), (True, True), (False, True), (False, True), (False, False), (False, False)],
        strict=True,
    ):
        spec.renewed_before, spec.renewed_after = before, after
    for spec, (before, after) in zip(
        others,
        [
            (True, True),
            (False, True),
            (True, False),
            (False, False),
            (False, False),
            (False, False),
        ],
        strict=True,
    ):
        spec.renewed_before, spec.renewed_after = before, after
    return participants + others


def test_did_estimate_equals_the_four_means_and_the_written_out_cluster_interval():
    rows = [(True, 40.0, 51.0), (True, 41.5, 50.0), (True, 44.0, 60.5), (True, 39.0, 45.0),
            (False, 40.0, 42.0), (False, 42.5, 43.0), (False, 44.0, 48.5), (False, 38.0, 37.0),
            (False, 41.0, 44.0)]  # fmt: skip
    panel = [
        PanelRow(n, participant, after, value)
        for n, (participant, before, after_value) in enumerate(rows)
        for after, value in ((False, before), (True, after_value))
    ]

    did = did_estimate(panel)
    want = expected_did(rows)

    assert did.estimate == pytest.approx(want.estimate, abs=1e-9)
    assert (did.low, did.high) == (
        pytest.approx(want.low, abs=1e-9),
        pytest.approx(want.high, abs=1e-9),
    )
    assert (did.participants_n, did.matched_n) == (4, 5)
    assert did.participants_after == pytest.approx(want.participants_after)
    assert did.matched_before == pytest.approx(want.matched_before)


def test_the_score_figure_is_the_difference_of_the_four_means_with_its_interval():
    pilot = _pilot()
    accounts = panel_build(pilot, _six_and_six())

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=AFTER_A_YEAR)
    score = effect.figure("score")
    want = expected_did(score_rows(accounts))

    assert not score.too_few
    assert (score.participants_n, score.matched_n) == (6, 6)
    assert score.estimate == round_half_up_to(want.estimate, 1)
    assert score.low == round_half_up_to(want.low, 1)
    assert score.high == round_half_up_to(want.high, 1)
    assert score.participants_before == round_half_up_to(want.participants_before, 1)
    assert score.matched_after == round_half_up_to(want.matched_after, 1)
    assert 0 < score.low < score.estimate < score.high
    assert effect.reading.startswith(
        f"Participants' scores rose {score.estimate:g} points more than similar accounts' "
        f"(95% interval {score.low:g} to {score.high:g})"
    )


def test_the_renewal_figure_compares_the_years_before_and_after_in_percentage_points():
    pilot = _pilot()
    accounts = panel_build(pilot, _six_and_six())

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=AFTER_A_YEAR)
    renewal = effect.figure("renewal")
    want = expected_did(renewal_rows(accounts))

    # (4/6 − 2/6) − (2/6 − 2/6): a third more participants renewed after than before.
    assert want.estimate == pytest.approx(1 / 3)
    assert not renewal.too_few
    assert renewal.estimate == round_half_up(100 * want.estimate) == 33
    assert renewal.low == round_half_up(100 * want.low)
    assert renewal.high == round_half_up(100 * want.high)
    assert "participants renewed or expanded 33 percentage points more often" in effect.reading


def test_renewals_are_too_few_to_say_until_the_twelve_months_after_have_passed():
    pilot = _pilot()
    panel_build(pilot, _six_and_six())
    a_day_early = RUNS_UNTIL + dt.timedelta(days=364)

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=a_day_early)

    assert not effect.figure("score").too_few
    renewal = effect.figure("renewal")
    assert renewal.too_few and renewal.estimate is None and renewal.low is None
    assert "12 months after the pilot end on 30 Mar 2026" in renewal.why
    assert effect.reading.endswith("; too few renewals yet to say.")


def test_under_the_minimum_sample_the_score_is_too_few_to_say():
    pilot = _pilot()
    accounts = _six_and_six()
    keep = [a for a in accounts if not a.participant][: MIN_ACCOUNTS - 1]
    keep += [a for a in accounts if a.participant][: MIN_ACCOUNTS - 1]
    panel_build(pilot, keep)

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=AFTER_A_YEAR)
    score = effect.figure("score")

    assert score.too_few and score.estimate is None
    assert (score.participants_n, score.matched_n) == (MIN_ACCOUNTS - 1, MIN_ACCOUNTS - 1)
    assert effect.reading.startswith("Too few matched accounts yet to say how scores moved")


def test_a_pair_without_scores_after_the_pilot_does_not_count():
    pilot = _pilot()
    accounts = _six_and_six()
    accounts[0].after = []  # a participant with no snapshot after the pilot
    panel_build(pilot, accounts)

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=AFTER_A_YEAR)

    assert effect.figure("score").participants_n == 5
    assert effect.figure("renewal").participants_n == 6  # outcomes do not need scores


def test_matching_picks_the_nearest_account_of_the_same_segment_not_taken_yet():
    pilot = _pilot()
    after = [50.0]
    specs = [
        PanelAccount("Alpha", True, before=[35, 40], after=after),
        PanelAccount("Bravo", True, before=[36, 41], after=after),
        # Identical to Alpha before the pilot: Alpha's (first by name).
        PanelAccount("Cand one", False, before=[35, 40], after=after),
        # Bravo's nearest, once Alpha has taken "Cand one" (2 points of score away).
        PanelAccount("Cand two", False, before=[38, 43], after=after),
        # As near in score and trend, far in contract value.
        PanelAccount("Cand three", False, before=[36, 41], after=after, contract_value=2_000_000),
        # Identical to Bravo, but of another segment.
        PanelAccount(
            "Other segment", False, before=[36, 41], after=after, segment=Segment.ENTERPRISE
        ),
        # Identical to Bravo, but without a snapshot in the 90 days before the pilot.
        PanelAccount("No history", False, before=[], after=after),
        # Identical to Bravo, but in another pilot that ran within the 90 days after this one.
        PanelAccount("Elsewhere", False, before=[36, 41], after=after),
    ]
    panel_build(pilot, specs)
    elsewhere = closed_pilot(
        runs_from=RUNS_UNTIL + dt.timedelta(days=80), runs_until=RUNS_UNTIL + dt.timedelta(days=95)
    )
    enrolled(elsewhere, customer(specs[-1].account))

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=AFTER_A_YEAR)

    pairs = {p.participant.account.name: p.matched.account.name for p in effect.pairs}
    assert pairs == {"Alpha": "Cand one", "Bravo": "Cand two"}
    balance = {row.key: (row.participants, row.matched, row.difference) for row in effect.balance}
    assert balance["score"] == (40.5, 41.5, -1.0)
    assert balance["trend"] == (5.0, 5.0, 0.0)
    assert balance["contract_value"] == (100_000, 100_000, 0)
    shown = {row.key: row.shown for row in effect.balance}
    assert shown["contract_value"] == ("100,000", "100,000", "0")
    assert shown["score"] == ("40.5", "41.5", "-1.0")


def test_a_participant_without_history_or_candidates_is_listed_without_a_match():
    pilot = _pilot()
    panel_build(
        pilot,
        [
            PanelAccount("Alpha", True, before=[], after=[50]),
            PanelAccount("Bravo", True, before=[30], after=[50], segment=Segment.ENTERPRISE),
            PanelAccount("Cand", False, before=[30], after=[50]),
        ],
    )

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=AFTER_A_YEAR)

    notes = {p.participant.account.name: (p.matched, p.note) for p in effect.pairs}
    assert notes == {
        "Alpha": (None, "no score in the 90 days before"),
        "Bravo": (None, "no account of its segment left to match"),
    }
    assert effect.figure("score").too_few


def test_a_closed_pilot_nobody_took_part_in_says_too_few_to_say():
    """No participant, so no segment to match in: an empty comparison, not an error (the API
    fuzz found a 500 here)."""
    pilot = _pilot()
    panel_build(pilot, [PanelAccount("Cand", False, before=[30], after=[50])])

    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all(), today=AFTER_A_YEAR)

    assert effect.closed and effect.pairs == [] and effect.matched_pairs == 0
    assert all(figure.too_few for figure in effect.figures)


def test_only_the_readers_accounts_are_compared():
    pilot = _pilot()
    accounts = panel_build(pilot, _six_and_six())
    seen = Account.objects.exclude(pk=accounts[-1].account.pk)  # one other account unseen

    effect = pilot_effect(pilot=pilot, accounts=seen, today=AFTER_A_YEAR)

    matched = {p.matched.account.pk for p in effect.pairs if p.matched}
    assert accounts[-1].account.pk not in matched
    assert effect.matched_pairs == 5


def test_a_pilot_not_closed_has_no_effect_yet(pilot):
    effect = pilot_effect(pilot=pilot, accounts=Account.objects.all())

    assert not effect.closed and effect.pairs == [] and effect.figures == []
    assert effect.reading == "The effect is estimated once the pilot is closed."


def test_the_candidates_read_at_once_equal_the_account_by_account_lookup():
    """Accounts with a snapshot on both ends of the 90 days before (read by a join on each
    day), on one end only, on neither or none at all (looked up one by one): the same latest
    score and trend as the correlated lookup of every account, with one decimal."""
    from decimal import Decimal

    from community.models import EngagementSnapshot
    from ideas.selectors import pilot_effect as effect
    from tests.community.factories import EngagementSnapshotFactory

    pilot = _pilot()
    windows = effect.effect_windows(pilot, today=AFTER_A_YEAR)
    first, last = windows.before_from, windows.before_to
    middle = first + dt.timedelta(days=40)
    for name, days in {
        "both ends": [first, middle, last],
        "last only": [middle, last],
        "first only": [first, middle],
        "neither": [first + dt.timedelta(days=1), last - dt.timedelta(days=1)],
        "none": [],
        "outside": [first - dt.timedelta(days=1), last + dt.timedelta(days=1)],
    }.items():
        account = Account.objects.create(name=name, slug=name.replace(" ", "-"))
        for n, day in enumerate(days):
            score = Decimal("30.3") + Decimal("7.1") * n
            EngagementSnapshotFactory(account=account, day=day, score=score)
    names = ["both ends", "last only", "first only", "neither", "none", "outside"]
    pool = Account.objects.filter(name__in=names)

    candidates = effect._candidates(pilot, pool, windows, {a.segment for a in pool})

    lookup = {
        pk: (float(then), float(then - start))
        for pk, then, start in effect._with_match_variables(pool, windows).values_list(
            "pk", "score_then", "score_first"
        )
        if then is not None
    }
    assert {pk: (p.score, p.trend) for pk, p in candidates.items()} == lookup
    by_name = {Account.objects.get(pk=pk).name: p for pk, p in candidates.items()}
    assert (by_name["both ends"].score, by_name["both ends"].trend) == (44.5, 14.2)
    assert (by_name["last only"].score, by_name["last only"].trend) == (37.4, 7.1)
    assert (by_name["first only"].score, by_name["neither"].trend) == (37.4, 7.1)
    assert effect._stored(by_name["both ends"]) == (Decimal("44.5"), Decimal("14.2"))
    assert "none" not in by_name and "outside" not in by_name
    assert EngagementSnapshot.objects.count() == 11
