"""A pilot's effect against matched accounts as a CSV (`/pilots/<id>/effect/accounts.csv`): one
row per account of each pair, with its matching variables, means and outcomes, as the page
shows them (ideas.selectors.pilot_effect computes them)."""

from __future__ import annotations

from community.statistics import round_half_up_to
from ideas.selectors.pilot_effect import PilotEffect

CSV_HEADER = [
    "pair",
    "role",
    "account",
    "segment",
    "score_before_pilot",
    "trend_90_days_before",
    "annual_contract_value",
    "currency",
    "score_mean_before",
    "days_before",
    "score_mean_after",
    "days_after",
    "score_change",
    "renewed_or_expanded_before",
    "renewed_or_expanded_after",
    "expanded_before",
    "expanded_after",
    "note",
]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _two(value: float | None) -> object:
    return "" if value is None else round_half_up_to(value, 2)


def csv_rows(effect: PilotEffect) -> list[list[object]]:
    """One row per account of each pair (participant first), as the page lists them; means to
    two decimals, halves away from zero."""
    rows = []
    for number, pair in enumerate(effect.pairs, start=1):
        for role, row in (("participant", pair.participant), ("matched", pair.matched)):
            if row is None:
                continue
            rows.append(
                [
                    number,
                    role,
                    row.account.name,
                    row.segment_label,
                    "" if row.score is None else row.score,
                    "" if row.trend is None else row.trend,
                    row.account.annual_contract_value,
                    row.account.currency,
                    _two(row.before_mean),
                    row.before_days,
                    _two(row.after_mean),
                    row.after_days,
                    _two(row.change),
                    _yes(row.renewed_before),
                    _yes(row.renewed_after),
                    _yes(row.expanded_before),
                    _yes(row.expanded_after),
                    pair.note if role == "participant" else "",
                ]
            )
    return rows
