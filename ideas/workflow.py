"""The idea workflow, in one place: which status may follow which, and who may move it.

    proposed → under review → planned → piloting → evaluated → adopted / iterate / declined

Product managers and programme admins (permission `ideas.moderate_idea`) move ideas; an author
may withdraw their own idea while it is proposed. Merging is its own action (`idea_merge`).
"""

from __future__ import annotations

from accounts.models import User
from ideas.models import Idea, IdeaStatus

S = IdeaStatus

# Moves a moderator may make, from each status.
MODERATOR_MOVES: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.UNDER_REVIEW, S.DECLINED),
    S.UNDER_REVIEW: (S.PLANNED, S.DECLINED, S.PROPOSED),
    S.PLANNED: (S.PILOTING, S.UNDER_REVIEW, S.DECLINED),
    S.PILOTING: (S.EVALUATED,),
    S.EVALUATED: (S.ADOPTED, S.ITERATE, S.DECLINED),
    S.ITERATE: (S.UNDER_REVIEW, S.PLANNED, S.DECLINED),
    S.DECLINED: (S.UNDER_REVIEW,),
    S.ADOPTED: (),
    S.WITHDRAWN: (),
    S.MERGED: (),
}

# Moves the idea's author may make on their own idea.
AUTHOR_MOVES: dict[str, tuple[str, ...]] = {S.PROPOSED: (S.WITHDRAWN,)}

# Statuses in which an idea takes votes, comments and follows.
OPEN_STATUSES = frozenset(
    {S.PROPOSED, S.UNDER_REVIEW, S.PLANNED, S.PILOTING, S.EVALUATED, S.ITERATE}
)

# Statuses shown as columns of the pipeline board, in order.
BOARD_COLUMNS = (
    S.PROPOSED,
    S.UNDER_REVIEW,
    S.PLANNED,
    S.PILOTING,
    S.EVALUATED,
    S.ADOPTED,
    S.ITERATE,
    S.DECLINED,
)


def can_moderate(user: User) -> bool:
    return user.is_authenticated and user.has_perm("ideas.moderate_idea")


def allowed_moves(user: User, idea: Idea) -> list[str]:
    """The statuses `user` may move `idea` to now."""
    moves: list[str] = []
    if can_moderate(user):
        moves += MODERATOR_MOVES.get(idea.status, ())
    if idea.author_id == user.pk:
        moves += [m for m in AUTHOR_MOVES.get(idea.status, ()) if m not in moves]
    return moves


def is_open(idea: Idea) -> bool:
    return idea.status in OPEN_STATUSES
