"""The ideas app's share of the value exchanged (the ledger and its registry:
community/selectors/value_exchanged.py; the definitions: docs/product.md "The value
exchanged"). Registered from ideas/apps.py, because community never imports ideas.

What an account gave: ideas its people proposed (not withdrawn), check-ins they answered,
pilots it took part in. What it got back: ideas of its own adopted, and early access (pilots
it took part in before what they tried was adopted for everyone).

Five grouped queries whatever the number of accounts, ideas, pilots or responses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import Count, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from community.selectors.value_exchanged import (
    GAVE,
    GOT,
    ValueKind,
    ValueRow,
    month_of,
    month_trunc,
    value_contributor_register,
)
from config.sql_once import SqlOnce
from ideas.models import (
    Enrolment,
    FeedbackResponse,
    Idea,
    IdeaStatus,
    IdeaTransition,
    PilotDecision,
    ResponseStatus,
)

IDEAS_KINDS = (
    ValueKind(
        "ideas_proposed",
        GAVE,
        "Ideas proposed",
        10,
        "Ideas its people proposed, in the month they proposed them; an idea its author "
        "withdrew does not count (one merged into another does: it was given).",
    ),
    ValueKind(
        "check_ins_answered",
        GAVE,
        "Feedback given",
        20,
        "Pilot check-ins its people answered (expectations and experience), in the month "
        "they submitted them; drafts do not count.",
    ),
    ValueKind(
        "pilots_joined",
        GAVE,
        "Pilots taken part in",
        30,
        "Pilots it took part in, once each, in the month its first person enrolled.",
    ),
    ValueKind(
        "ideas_adopted",
        GOT,
        "Ideas adopted",
        10,
        "Ideas its people proposed that are adopted now, in the month they were adopted.",
    ),
    ValueKind(
        "early_access",
        GOT,
        "Early access",
        30,
        "Pilots it took part in before what they tried was adopted for everyone (a pilot "
        "decided “adopt”, its first enrolment before the decision), in the month of that "
        "enrolment.",
    ),
)


def _grouped(rows, key: str) -> list[ValueRow]:
    return [(account_id, month_of(month), key, n) for account_id, month, n in rows]


# Each read's SQL is kept (config.sql_once): the ledger's counters run on every portfolio page,
# and building five grouped queries cost more Python than running them.


def _ideas_proposed(ids, start, end):
    return (
        Idea.objects.filter(
            author_account_id__any_of=ids, created_at__gte=start, created_at__lt=end
        )
        .exclude(status=IdeaStatus.WITHDRAWN)
        .annotate(month=month_trunc("created_at"))
        .order_by()
        .values_list("author_account_id", "month")
        .annotate(n=Count("pk"))
    )


def _check_ins_answered(ids, start, end):
    return (
        FeedbackResponse.objects.filter(
            enrolment__account_id__any_of=ids,
            status=ResponseStatus.SUBMITTED,
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .annotate(month=month_trunc("submitted_at"))
        .order_by()
        .values_list("enrolment__account_id", "month")
        .annotate(n=Count("pk"))
    )


def _first_enrolments(enrolments, start, end):
    """One row per account and pilot with its first enrolment, kept when that falls in the
    period."""
    return (
        enrolments.order_by()
        .values_list("account_id", "pilot_id")
        .annotate(first=Min("created_at"))
        .filter(first__gte=start, first__lt=end)
    )


def _pilots_joined(ids, start, end):
    return _first_enrolments(Enrolment.objects.filter(account_id__any_of=ids), start, end)


def _early_access(ids, start, end):
    return _first_enrolments(
        Enrolment.objects.filter(
            Q(created_at__lt=F("pilot__decided_at")),
            account_id__any_of=ids,
            pilot__decision=PilotDecision.ADOPT,
        ),
        start,
        end,
    )


def _ideas_adopted(ids, start, end):
    """Dated by the latest move to adopted (an idea adopted before the workflow log existed,
    by its last change)."""
    adopted_at = (
        IdeaTransition.objects.filter(idea=OuterRef("pk"), to_status=IdeaStatus.ADOPTED)
        .order_by()
        .values("idea")
        .annotate(at=Max("created_at"))
        .values("at")
    )
    return (
        Idea.objects.filter(author_account_id__any_of=ids, status=IdeaStatus.ADOPTED)
        .annotate(adopted_at=Coalesce(Subquery(adopted_at), F("updated_at")))
        .filter(adopted_at__gte=start, adopted_at__lt=end)
        .annotate(month=month_trunc("adopted_at"))
        .order_by()
        .values_list("author_account_id", "month")
        .annotate(n=Count("pk"))
    )


_PERIOD = {"ids": list, "start": dt.datetime, "end": dt.datetime}
_PROPOSED = SqlOnce(Idea, _ideas_proposed, **_PERIOD)
_ANSWERED = SqlOnce(FeedbackResponse, _check_ins_answered, **_PERIOD)
_JOINED = SqlOnce(Enrolment, _pilots_joined, **_PERIOD)
_ADOPTED = SqlOnce(Idea, _ideas_adopted, **_PERIOD)
_EARLY = SqlOnce(Enrolment, _early_access, **_PERIOD)


def _per_month(firsts, key: str) -> list[ValueRow]:
    """The (account, pilot, first enrolment) rows counted per account and month."""
    counts: dict[tuple[int, dt.date], int] = {}
    for account_id, _pilot_id, first in firsts:
        month = month_of(first)
        counts[(account_id, month)] = counts.get((account_id, month), 0) + 1
    return [(account_id, month, key, n) for (account_id, month), n in counts.items()]


def ideas_value_counts(
    account_ids: Sequence[int], start: dt.datetime, end: dt.datetime
) -> list[ValueRow]:
    """Every kind of the ideas app, per account and month, for the ledger."""
    period = {"ids": list(account_ids), "start": start, "end": end}
    return [
        *_grouped(_PROPOSED.all(**period), "ideas_proposed"),
        *_grouped(_ANSWERED.all(**period), "check_ins_answered"),
        *_per_month(_JOINED.all(**period), "pilots_joined"),
        *_grouped(_ADOPTED.all(**period), "ideas_adopted"),
        *_per_month(_EARLY.all(**period), "early_access"),
    ]


def register() -> None:
    """The ideas app's kinds of the ledger (called from its ready)."""
    value_contributor_register(name="ideas", kinds=IDEAS_KINDS, counter=ideas_value_counts)
