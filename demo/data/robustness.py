"""Demo bad times for `manage.py seed_demo` (docs/product.md, "Robustness after bad times"), over
the engagement history it computed: a robust account (its score dips after an incident, is back
within weeks, and it renews) and a fragile one (its score drops after an incident and does not
come back), found in the history where it shows them, plus an incident now and then for the
other accounts so that the insights' table by level has something to count. The bad times the
ideas app recorded while the demo's ideas were declined are dated back to their decline, as the
rest of the ideas' timeline (demo/data/timeline.py).

Run it last: it reads the repaired history and changes no snapshot (bad times are not activity).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import Account, AccountTeamAssignment, InternalRole, User
from community.models import (
    BadTime,
    BadTimeKind,
    BadTimeSource,
    EngagementSnapshot,
    LoyaltyOutcome,
    OutcomeKind,
    OutcomeSource,
)
from community.selectors.robustness import (
    BEFORE_DAYS,
    DECISIONS,
    RECOVERY_DAYS,
    days_to_recover,
    lowest_after,
    renewal_after,
    score_before,
    score_drop,
)
from community.services.outcomes import outcome_record
from community.services.robustness import BadTimeRow, bad_times_ensure
from demo.data.people import INTERNAL_DOMAIN
from ideas.models import IdeaStatus, IdeaTransition

ROBUST_NOTE = "Outage of the reporting module for two days; fixed, apology call with their team."
FRAGILE_NOTE = "Data sync failed during their quarter close; escalated, two weeks to fix."
OTHER_NOTES = (
    "Login problems after an update; fixed the same day.",
    "Invoice sent twice; corrected.",
    "Support answer took a week.",
    "A release broke an export they rely on; rolled back.",
)
_STEP = 3  # candidate days are every third day of the history
_OTHER_INCIDENT_CHANCE = 0.6


@dataclass(frozen=True)
class Candidate:
    account_id: int
    day: dt.date
    drop: float
    recovered_in: int | None


@transaction.atomic
def demo_robustness_build(*, today: dt.date | None = None, seed: int = 2026) -> dict[str, int]:
    """Date the ideas' bad times back, pick and record the robust and the fragile account's
    incidents (the robust one's renewal too, when the history has none), and a few others.
    Returns the ids of the robust and fragile accounts found (absent: the history shows none)."""
    today = today or timezone.localdate()
    _idea_bad_times_dated()
    scores = _scores()
    decisions = _decisions()
    chosen: dict[str, int] = {}
    # The printed account manager's accounts first: the demo's login sees the story.
    theirs = {pk: scores[pk] for pk in _printed_managers_accounts() if pk in scores}
    robust = _pick(theirs, decisions, today, robust=True) or _pick(
        scores, decisions, today, robust=True
    )
    if robust is not None:
        chosen["robust"] = robust.account_id
        _incident(robust, note=ROBUST_NOTE, reference="INC-1042")
        _renewal_ensure(robust, decisions, today)
    exclude = set(chosen.values())
    fragile = _pick(theirs, decisions, today, robust=False, exclude=exclude) or _pick(
        scores, decisions, today, robust=False, exclude=exclude
    )
    if fragile is not None:
        chosen["fragile"] = fragile.account_id
        _incident(fragile, note=FRAGILE_NOTE, reference="INC-1077")
    _other_incidents(scores, today=today, exclude=set(chosen.values()), seed=seed)
    return chosen


def _printed_managers_accounts() -> list[int]:
    """The accounts of the account manager whose login seed_demo prints (its first)."""
    manager = (
        User.objects.filter(
            groups__name=InternalRole.ACCOUNT_MANAGER.value, email__endswith=INTERNAL_DOMAIN
        )
        .order_by("pk")
        .first()
    )
    assigned = AccountTeamAssignment.objects.filter(user=manager).order_by("account_id")
    return list(assigned.values_list("account_id", flat=True))


def _idea_bad_times_dated() -> None:
    """An idea's bad time on the day of its first decline, as the timeline dated it."""
    firsts: dict[int, dt.datetime] = {}
    for idea_id, moment in IdeaTransition.objects.filter(to_status=IdeaStatus.DECLINED).values_list(
        "idea_id", "created_at"
    ):
        firsts[idea_id] = min(moment, firsts.get(idea_id, moment))
    for bad_time in BadTime.objects.filter(kind=BadTimeKind.IDEA_DECLINED):
        moment = firsts.get(int(bad_time.reference.removeprefix("idea:")))
        if moment is not None and timezone.localdate(moment) != bad_time.occurred_on:
            bad_time.occurred_on = timezone.localdate(moment)
            bad_time.save(update_fields=["occurred_on", "updated_at"])


def _scores() -> dict[int, dict[dt.date, float]]:
    scores: dict[int, dict[dt.date, float]] = defaultdict(dict)
    for account_id, day, score in EngagementSnapshot.objects.values_list(
        "account_id", "day", "score"
    ):
        scores[account_id][day] = float(score)
    return scores


def _decisions() -> dict[int, list[tuple[dt.date, str]]]:
    decisions: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for account_id, day, kind in (
        LoyaltyOutcome.objects.filter(kind__in=DECISIONS)
        .order_by("occurred_on", "pk")
        .values_list("account_id", "occurred_on", "kind")
    ):
        decisions[account_id].append((day, kind))
    return decisions


def _pick(scores, decisions, today, *, robust: bool, exclude=frozenset()) -> Candidate | None:
    """The account and day whose history tells the story best: for the robust one the deepest
    dip that was back within 45 days (and no renewal lost after it), for the fragile one the
    deepest drop never recovered (and no renewal after it); a milder one when none is found."""
    found = []
    for account_id in sorted(scores):
        if account_id in exclude:
            continue
        for candidate in _candidates(account_id, scores[account_id], today, robust=robust):
            renewal = renewal_after(decisions.get(account_id, []), candidate.day, today)
            if renewal.state != ("not_renewed" if robust else "renewed"):
                found.append(candidate)
    if robust:
        good = [c for c in found if c.recovered_in is not None and 3 <= c.recovered_in <= 45]
    else:
        good = [c for c in found if c.recovered_in is None]
    good = [c for c in good if c.drop > 0]
    return max(good, key=lambda c: (c.drop, -c.account_id, c.day), default=None)


def _candidates(account_id, scores, today, *, robust: bool):
    if not scores:
        return
    first, last = min(scores), max(scores)
    latest_day = min(last, today) - dt.timedelta(days=RECOVERY_DAYS if robust else 60)
    day = first + dt.timedelta(days=BEFORE_DAYS)
    while day <= latest_day:
        before = score_before(scores, day)
        drop = score_drop(before, lowest_after(scores, day))
        if drop is not None:
            yield Candidate(account_id, day, drop, days_to_recover(scores, day, before))
        day += dt.timedelta(days=_STEP)


def _incident(candidate: Candidate, *, note: str, reference: str) -> None:
    row = BadTimeRow(
        account_id=candidate.account_id,
        kind=BadTimeKind.INCIDENT,
        reference=reference,
        occurred_on=candidate.day,
        note=note,
    )
    bad_times_ensure(rows=[row], source=BadTimeSource.IMPORT)


def _renewal_ensure(candidate: Candidate, decisions, today: dt.date) -> None:
    """The robust account renews (early, for two years) once it is back, unless its history
    already has a renewal in the year after the incident."""
    renewal = renewal_after(decisions.get(candidate.account_id, []), candidate.day, today)
    if renewal.state == "renewed":
        return
    day = min(today, candidate.day + dt.timedelta(days=(candidate.recovered_in or 0) + 21))
    outcome_record(
        account=Account.objects.get(pk=candidate.account_id),
        kind=OutcomeKind.RENEWED,
        occurred_on=day,
        note="Renewed early, for two years, after the outage was handled well.",
        recorded_by=None,
        source=OutcomeSource.IMPORT,
        external_id=f"CRM-{candidate.account_id:04d}-ROBUST",
    )


def _other_incidents(scores, *, today: dt.date, exclude: set[int], seed: int) -> None:
    """Now and then an incident for the other accounts, on a day of their history."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    rows = []
    for account_id in sorted(scores):
        if account_id in exclude or rng.random() >= _OTHER_INCIDENT_CHANCE:
            continue
        first = min(scores[account_id]) + dt.timedelta(days=BEFORE_DAYS)
        span = (min(max(scores[account_id]), today) - first).days
        if span < 1:
            continue
        day = first + dt.timedelta(days=rng.randint(0, span))
        rows.append(
            BadTimeRow(
                account_id=account_id,
                kind=BadTimeKind.INCIDENT,
                reference=f"INC-{2000 + account_id}",
                occurred_on=day,
                note=rng.choice(OTHER_NOTES),
            )
        )
    bad_times_ensure(rows=rows, source=BadTimeSource.IMPORT)
