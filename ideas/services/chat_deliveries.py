"""The chat channels' side of a pilot decision: one notice for the account channels of the
accounts it concerns (those that took part, and the one that proposed the idea) and for the
channels of the pilot's garden, through community.services.chat_deliveries."""

from __future__ import annotations

from accounts.models import User
from community.models.notifications import NotifyKind, actor_text
from community.services.chat_deliveries import ChatNotice, chat_notices_post
from ideas.models import Idea, Pilot
from ideas.selectors.pilots import pilot_accounts_enrolled


def pilot_decided_chat(*, pilot: Pilot, idea: Idea, actor: User) -> list[int]:
    """Tell the channels what was decided and who decided it (named for each channel's
    reader). Returns the ids of the deliveries made."""
    account_ids = set(pilot_accounts_enrolled(pilot=pilot).values_list("pk", flat=True))
    if idea.author_account_id is not None:
        account_ids.add(idea.author_account_id)
    decision = pilot.get_decision_display().lower()
    notice = ChatNotice(
        kind=NotifyKind.PILOT_DECISION,
        subject=f"pilot:{pilot.pk}",
        title=f"Pilot decided: {decision} “{idea.title}”",
        body=actor_text(
            "{note}\nDecided by {actor} after the pilot {pilot}.",
            note=pilot.outcome_note,
            pilot=pilot.title,
        ),
        url=pilot.get_absolute_url(),
        account_ids=sorted(account_ids),
        garden_id=idea.garden_id,
        actor=actor,
        names_actor=True,
    )
    return chat_notices_post(notices=[notice])
