"""Writes of ideas: propose, move through the workflow, vote, follow, comment, merge.

Every write that a customer makes records its activity event here (through
`community.services.engagement.activity_record`), and every change the followers care about is
told to its followers, never to the person who acted, through a fan-out
(`community.services.notification_fanouts.notify_audience`): the first followers in the
request, the rest by a task in chunks, so that an idea with thousands of followers answers as
fast as one with three.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Account, User
from community.models import ActivityEvent, ActivityKind, Garden, GardenVisibility
from community.models.notifications import NotifyKind, actor_text
from community.services.engagement import activity_record
from community.services.notification_fanouts import notify_audience
from ideas import workflow
from ideas.models import Comment, Follow, Idea, IdeaStatus, IdeaTransition, Vote
from ideas.selectors.ideas import IDEA_FOLLOWERS
from ideas.services.robustness import idea_declined_bad_time

MAX_LINKS = 5
MAX_LINK_LENGTH = 500
MAX_COMMENT_LENGTH = 5000

_validate_url = URLValidator(schemes=["http", "https"])


def _account_of(user: User) -> Account | None:
    membership = customer_membership(user)
    return membership.account if membership is not None else None


# Where an idea's workflow ends for now: the people who proposed it learn what was done with it.
DECIDED_STATUSES = frozenset({IdeaStatus.ADOPTED, IdeaStatus.ITERATE, IdeaStatus.DECLINED})


def idea_support_record(*, idea: Idea, actor: User, kind: ActivityKind, obj=None) -> None:
    """An internal user's own action on an idea that a customer account proposed (an answer in
    the comments, a closed loop) is *support* for that account: recorded apart from its
    engagement (`is_support`), which it never raises. Customers' actions record nothing here."""
    if idea.author_account_id is None or customer_membership(actor) is not None:
        return
    activity_record(
        account=idea.author_account,
        user=actor,
        kind=kind,
        obj=obj if obj is not None else idea,
        is_support=True,
    )


def _required(errors: dict, field: str, value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.setdefault(field, []).append(f"{label} is required.")
    return value


def _clean_links(links: Iterable[str] | None, errors: dict) -> list[str]:
    cleaned: list[str] = []
    for link in links or ():
        link = (link or "").strip()
        if not link or link in cleaned:
            continue
        if len(link) > MAX_LINK_LENGTH:
            errors.setdefault("links", []).append(
                f"“{link[:40]}…” is longer than {MAX_LINK_LENGTH} characters."
            )
            continue
        try:
            _validate_url(link)
        except ValidationError:
            errors.setdefault("links", []).append(
                f"“{link}” is not a web address (it must start with http:// or https://)."
            )
            continue
        cleaned.append(link)
    if len(cleaned) > MAX_LINKS:
        errors.setdefault("links", []).append(f"At most {MAX_LINKS} links, please.")
    return cleaned


def _follow(*, idea: Idea, user: User) -> bool:
    """Make `user` follow `idea`; True if they did not already (safe against a double click)."""
    if Follow.objects.filter(idea=idea, user=user).exists():
        return False
    try:
        with transaction.atomic():
            Follow.objects.create(idea=idea, user=user)
    except IntegrityError:  # followed in a parallel request
        return False
    return True


def _require_open(idea: Idea, action: str) -> None:
    if not workflow.is_open(idea):
        raise ValidationError(
            f"This idea is {idea.get_status_display().lower()}; it no longer takes {action}."
        )


def _lock(idea: Idea) -> Idea:
    """Lock the idea's row and refresh its status (two moderators, a vote during a merge)."""
    idea.status = (
        Idea.objects.select_for_update().filter(pk=idea.pk).values_list("status", flat=True).get()
    )
    return idea


# --- Propose -----------------------------------------------------------------------------------


@transaction.atomic
def idea_propose(
    *,
    garden: Garden,
    author: User,
    title: str,
    job_to_be_done: str,
    proposal: str,
    links: Iterable[str] | None = None,
) -> Idea:
    """A new idea in `garden` (which the caller has checked the author may see). The author
    follows it; a customer's proposal counts for their account's engagement."""
    errors: dict[str, list[str]] = {}
    title = _required(errors, "title", title, "A title")
    if len(title) > Idea._meta.get_field("title").max_length:
        errors.setdefault("title", []).append("Keep the title under 200 characters.")
    job_to_be_done = _required(errors, "job_to_be_done", job_to_be_done, "The job to be done")
    proposal = _required(errors, "proposal", proposal, "The proposal")
    cleaned_links = _clean_links(links, errors)
    if errors:
        raise ValidationError(errors)
    account = _account_of(author)
    idea = Idea.objects.create(
        garden=garden,
        title=title,
        job_to_be_done=job_to_be_done,
        proposal=proposal,
        links=cleaned_links,
        author=author,
        author_account=account,
        status=IdeaStatus.PROPOSED,
    )
    _follow(idea=idea, user=author)
    activity_record(account=account, user=author, kind=ActivityKind.IDEA_PROPOSED, obj=idea)
    return idea


# --- Workflow ----------------------------------------------------------------------------------


@transaction.atomic
def idea_transition(*, idea: Idea, actor: User, to_status: str, reason: str) -> Idea:
    """Move `idea` to `to_status` if the workflow lets `actor` do it now; log who, when and why,
    and tell the followers."""
    if not workflow.can_moderate(actor) and idea.author_id != actor.pk:
        raise PermissionDenied("Only product managers and programme admins move ideas.")
    reason = (reason or "").strip()
    _lock(idea)
    errors: dict[str, list[str]] = {}
    allowed = workflow.allowed_moves(actor, idea)
    if to_status not in allowed:
        if allowed:
            choices = ", ".join(IdeaStatus(s).label.lower() for s in allowed)
            message = f"From {idea.get_status_display().lower()} it can move to: {choices}."
        else:
            message = f"You cannot move an idea that is {idea.get_status_display().lower()}."
        errors["to_status"] = [message]
    if not reason:
        errors["reason"] = ["Say why: the people following the idea will read it."]
    if errors:
        raise ValidationError(errors)
    from_status = idea.status
    idea.status = to_status
    idea.save(update_fields=["status", "updated_at"])
    IdeaTransition.objects.create(
        idea=idea, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )
    if to_status in DECIDED_STATUSES:  # "you said, we did": the loop is closed
        idea_support_record(idea=idea, actor=actor, kind=ActivityKind.LOOP_CLOSED)
    if to_status == IdeaStatus.DECLINED:  # a bad time for the account that proposed it
        idea_declined_bad_time(idea=idea)
    notify_audience(  # the first followers now, the rest by a task in chunks
        audience=IDEA_FOLLOWERS,
        audience_args={"idea": idea.pk},
        kind=NotifyKind.IDEA_STATUS,
        title=actor_text(
            "“{title}” is now {status}", title=idea.title, status=idea.get_status_display().lower()
        ),
        body=actor_text(
            "{actor} moved it from {before} to {after}" + (": “{reason}”" if reason else "."),
            before=IdeaStatus(from_status).label.lower(),
            after=IdeaStatus(to_status).label.lower(),
            reason=reason,
        ),
        url=idea.get_absolute_url(),
        exclude=actor,
        actor=actor,
        garden=idea.garden,
        names_actor=True,
    )
    return idea


def ideas_move(
    *, ideas: list[Idea], from_status: str, to_status: str, actor: User | None, reason: str
) -> set[int]:
    """Move those of `ideas` still in `from_status` (one UPDATE), log a transition for each
    moved, and return their ids. No workflow check and no notification: this is what a
    pilot's closing and decision make of its idea (ideas/services/pilots.py), which the
    schedule may do with no person acting; a second run changes nothing."""
    ids = [i.pk for i in ideas if i.status == from_status]
    claimed = set(
        Idea.objects.select_for_update()
        .filter(pk__in=ids, status=from_status)
        .values_list("pk", flat=True)
    )
    if not claimed:
        return set()
    Idea.objects.filter(pk__in=claimed).update(status=to_status, updated_at=timezone.now())
    IdeaTransition.objects.bulk_create(
        [
            IdeaTransition(
                idea_id=pk, from_status=from_status, to_status=to_status, actor=actor, reason=reason
            )
            for pk in sorted(claimed)
        ]
    )
    for idea in ideas:
        if idea.pk in claimed:
            idea.status = to_status
            if to_status == IdeaStatus.DECLINED:  # a bad time for the account that proposed it
                idea_declined_bad_time(idea=idea)
    return claimed


# --- Votes, follows, comments ------------------------------------------------------------------


def _existing_vote(*, idea: Idea, user: User) -> Vote | None:
    return Vote.objects.filter(idea=idea, user=user).first()


@transaction.atomic
def idea_vote_toggle(*, idea: Idea, user: User) -> bool:
    """Vote for `idea`, or take the vote back; True if the person now supports it.

    One vote per person (a unique constraint): if a parallel request voted first, the vote
    stands and this one answers True without a second row. Voters follow the idea. The vote
    is recorded as activity the first time only: un-voting and voting again adds nothing.
    """
    _lock(idea)
    vote = _existing_vote(idea=idea, user=user)
    if vote is not None:
        vote.delete()  # taking a vote back is allowed whatever the status
        return False
    _require_open(idea, "votes")
    account = _account_of(user)
    try:
        with transaction.atomic():
            vote = Vote.objects.create(idea=idea, user=user, account=account)
    except IntegrityError:  # the same person voted in a parallel request
        return True
    _follow(idea=idea, user=user)
    if not _vote_recorded(idea=idea, user=user):
        activity_record(account=account, user=user, kind=ActivityKind.VOTE, obj=idea)
    return True


def _vote_recorded(*, idea: Idea, user: User) -> bool:
    """Has this person's vote for this idea been recorded as activity before? A vote taken
    back keeps its event (history stays as it happened), so voting again records none: one
    person's vote on one idea counts once towards engagement, however often it is toggled.
    (The idea's row lock, taken by the caller, makes the check and the insert one step.)"""
    return ActivityEvent.objects.filter(
        user=user,
        kind=ActivityKind.VOTE,
        object_type=idea._meta.label_lower,
        object_id=str(idea.pk),
    ).exists()


@transaction.atomic
def idea_follow(*, idea: Idea, user: User) -> bool:
    """Follow `idea` (be told of its changes and comments); True if newly followed."""
    _lock(idea)  # a merge moving this idea's followers waits, or is waited for
    if Follow.objects.filter(idea=idea, user=user).exists():
        return False
    _require_open(idea, "new followers")
    return _follow(idea=idea, user=user)


@transaction.atomic
def idea_unfollow(*, idea: Idea, user: User) -> bool:
    """Stop following `idea`; True if the person followed it."""
    deleted, _ = Follow.objects.filter(idea=idea, user=user).delete()
    return bool(deleted)


@transaction.atomic
def idea_comment(*, idea: Idea, author: User, body: str) -> Comment:
    """A plain-text comment on an open idea, told to its followers."""
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    if len(body) > MAX_COMMENT_LENGTH:
        raise ValidationError(
            {"body": [f"Keep comments under {MAX_COMMENT_LENGTH} characters ({len(body)} now)."]}
        )
    _require_open(idea, "comments")
    comment = Comment.objects.create(idea=idea, author=author, body=body)
    account = _account_of(author)
    if account is not None:
        activity_record(account=account, user=author, kind=ActivityKind.COMMENT, obj=idea)
    else:  # an internal user answering: support for the account that proposed the idea
        idea_support_record(idea=idea, actor=author, kind=ActivityKind.COMMENT)
    notify_audience(  # the followers may be thousands: the rest by a task in chunks
        audience=IDEA_FOLLOWERS,
        audience_args={"idea": idea.pk},
        kind=NotifyKind.IDEA_COMMENT,
        title=actor_text("New comment on “{title}”", title=idea.title),
        body=actor_text("{actor}: {body}", body=body[:300]),
        url=idea.get_absolute_url(),
        exclude=author,
        actor=author,
        garden=idea.garden,
        names_actor=True,
    )
    return comment


# --- Merge -------------------------------------------------------------------------------------


@transaction.atomic
def idea_merge(*, duplicate: Idea, original: Idea, actor: User, reason: str) -> Idea:
    """Fold `duplicate` into `original`: its votes and followers move (a person who supported
    both keeps one vote), it points to the original, and the followers of both are told.

    Across gardens only into an idea of an open garden, so that nobody's support moves to an
    idea they cannot see. The caller fetched both ideas through `access_idea`.
    """
    if not workflow.can_moderate(actor):
        raise PermissionDenied("Only product managers and programme admins merge ideas.")
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if duplicate.pk == original.pk:
        errors["into"] = ["An idea cannot be merged into itself."]
    else:
        # Lock both rows in a fixed order, so that two merges cannot deadlock.
        for idea in sorted((duplicate, original), key=lambda i: i.pk):
            _lock(idea)
        refusal = _merge_refusal(duplicate=duplicate, original=original)
        if refusal:
            errors["into"] = [refusal]
    if not reason:
        errors["reason"] = ["Say why: the people following both ideas will read it."]
    if errors:
        raise ValidationError(errors)
    _supporters_move(duplicate=duplicate, original=original)
    from_status = duplicate.status
    duplicate.status = IdeaStatus.MERGED
    duplicate.merged_into = original
    duplicate.save(update_fields=["status", "merged_into", "updated_at"])
    IdeaTransition.objects.create(
        idea=duplicate,
        from_status=from_status,
        to_status=IdeaStatus.MERGED,
        actor=actor,
        reason=reason,
    )
    notify_audience(  # now the followers of both, who may be thousands: see idea_comment
        audience=IDEA_FOLLOWERS,
        audience_args={"idea": original.pk},
        kind=NotifyKind.IDEA_MERGED,
        title=actor_text(
            "“{duplicate}” was merged into “{original}”",
            duplicate=duplicate.title,
            original=original.title,
        ),
        body=actor_text("{actor}: {reason}", reason=reason),
        url=original.get_absolute_url(),
        exclude=actor,
        actor=actor,
        garden=original.garden,
        names_actor=True,
    )
    return duplicate


def _merge_refusal(*, duplicate: Idea, original: Idea) -> str:
    """Why `duplicate` may not be merged into `original` (both locked, two different ideas),
    or "" when it may."""
    if duplicate.status in (IdeaStatus.MERGED, IdeaStatus.WITHDRAWN):
        return (
            f"This idea is {duplicate.get_status_display().lower()} already; "
            "there is nothing to merge."
        )
    if original.status in (IdeaStatus.MERGED, IdeaStatus.WITHDRAWN):
        where = (
            f" (merge into #{original.merged_into_id} instead)" if original.merged_into_id else ""
        )
        return (
            f"“{original.title}” is {original.get_status_display().lower()}; "
            f"merge into an idea that is still alive{where}."
        )
    if (
        original.garden_id != duplicate.garden_id
        and original.garden.visibility != GardenVisibility.OPEN
    ):
        return (
            "Across gardens, merge only into an idea of an open garden: its supporters "
            "could not see the other one."
        )
    return ""


def _supporters_move(*, duplicate: Idea, original: Idea) -> None:
    """The duplicate's votes and followers move to the original; a person who supported (or
    followed) both keeps the one on the original."""
    Vote.objects.filter(
        idea=duplicate, user__in=Vote.objects.filter(idea=original).values("user")
    ).delete()
    Vote.objects.filter(idea=duplicate).update(idea=original)
    Follow.objects.filter(
        idea=duplicate, user__in=Follow.objects.filter(idea=original).values("user")
    ).delete()
    Follow.objects.filter(idea=duplicate).update(idea=original)
