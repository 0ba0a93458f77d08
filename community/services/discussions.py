"""Discussions' services: start a thread, reply, edit, react, flag, hide and unhide, mark a
thread seen. Callers fetched the thread or post through community.access (access_thread,
access_post); each service still checks what the acting person may do, so the API, the pages
and the demo share one set of rules.

Who may post: garden_can_post (customers who joined the garden, internal users). Who moderates:
garden_is_steward (the garden's stewards, programme admins, superusers).

Mentions: `@handle`, where the handle is the local part of the person's email address
(`@alice` for alice@acme.example). When two people who can see the garden share that local
part, `@alice` is ambiguous and tells nobody; the full address (`@alice@acme.example`) is always
unambiguous. Only people who can see the garden are ever told (its members whose account
still takes part, and internal users): a handle of anyone else is plain text.

Activity: a customer's post records DISCUSSION_POST for their account. An internal user's
post in a thread a customer started records DISCUSSION_POST as a support event
(is_support=True) for the account that started it; other internal posts record nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import Account, User
from community.access.gardens import garden_can_post, garden_is_steward
from community.markdown import markdown_plain
from community.models import (
    ActivityKind,
    Garden,
    Post,
    PostFlag,
    PostMention,
    PostRevision,
    Reaction,
    ReactionKind,
    Thread,
    ThreadVisit,
)
from community.models.notifications import NotifyKind, actor_text
from community.selectors.discussions import garden_audience
from community.services.engagement import activity_record
from community.services.notifications import notify

MAX_TITLE_LENGTH = 200
MAX_BODY_LENGTH = 20000
MAX_REASON_LENGTH = 300
MAX_MENTIONS = 20


# --- Checks ----------------------------------------------------------------------------------


def _account_of(user: User) -> Account | None:
    membership = customer_membership(user)
    return membership.account if membership is not None else None


def _require_can_post(user: User, garden: Garden) -> None:
    if not garden_can_post(user, garden):
        raise PermissionDenied("Join the garden to take part in its discussions.")


def _require_steward(user: User, garden: Garden) -> None:
    if not garden_is_steward(user, garden):
        raise PermissionDenied("Only the garden's stewards moderate its discussions.")


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something first."]})
    if len(body) > MAX_BODY_LENGTH:
        raise ValidationError(
            {"body": [f"Keep posts under {MAX_BODY_LENGTH} characters ({len(body)} now)."]}
        )
    return body


def _clean_reason(reason: str, *, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [f"Say why you {what}."]})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": [f"Keep the reason under {MAX_REASON_LENGTH} characters."]}
        )
    return reason


def _require_open_thread(thread: Thread) -> None:
    if thread.hidden_at is not None:
        raise ValidationError("This thread is hidden: nobody can reply until it is shown again.")


# --- Activity and notifications --------------------------------------------------------------


def _record_activity(*, post: Post, thread: Thread, author: User) -> None:
    if post.account_id is not None:
        activity_record(
            account=post.account, user=author, kind=ActivityKind.DISCUSSION_POST, obj=post
        )
    elif thread.account_id is not None:
        activity_record(
            account=thread.account,
            user=author,
            kind=ActivityKind.DISCUSSION_POST,
            obj=post,
            is_support=True,
        )


_MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9](?:[\w.+-]*[\w])?(?:@[\w-]+(?:\.[\w-]+)+)?)")


def mention_handles(body: str) -> list[str]:
    """The `@handles` in a post body, lower-cased, in order, at most MAX_MENTIONS."""
    handles: list[str] = []
    for match in _MENTION.finditer(body or ""):
        handle = match.group(1).lower()
        if handle not in handles:
            handles.append(handle)
    return handles[:MAX_MENTIONS]


def mentioned_people(*, garden: Garden, body: str) -> list[User]:
    """The people a body mentions unambiguously among those who can see the garden."""
    handles = mention_handles(body)
    if not handles:
        return []
    full = {h for h in handles if "@" in h}
    local = {h for h in handles if "@" not in h}
    by_local: dict[str, list[User]] = defaultdict(list)
    found: dict[int, User] = {}
    candidates = garden_audience(garden=garden).select_related("membership")
    for person in candidates:  # one query: the audience filtered by the handles
        email = person.email.lower()
        if email in full:
            found[person.pk] = person
        local_part = email.split("@", 1)[0]
        if local_part in local:
            by_local[local_part].append(person)
    for people in by_local.values():
        if len(people) == 1:  # ambiguous handles tell nobody
            found[people[0].pk] = people[0]
    return list(found.values())


def _notify_people(
    *, people: Iterable[User], kind: str, author: User, post: Post, thread: Thread, title: str
) -> None:
    """Notify `people` of the author's post; each reads the author's name as accounts/people.py
    names them to that reader in this garden, at read time (`names_actor`)."""
    notify(
        users=[person for person in people if person.pk != author.pk],
        kind=kind,
        title=actor_text(title, title=thread.title),
        body=actor_text("{excerpt}", excerpt=markdown_plain(post.body)[:300]),
        url=post_url(post=post, thread=thread),
        exclude=author,
        actor=author,
        garden=thread.garden,
        names_actor=True,
    )


def _notify_new_mentions(*, post: Post, thread: Thread, author: User) -> set[int]:
    """Tell the people newly mentioned in the post (once per post and person); their ids."""
    people = [p for p in mentioned_people(garden=thread.garden, body=post.body) if p != author]
    if not people:
        return set()
    already = set(PostMention.objects.filter(post=post).values_list("user_id", flat=True))
    new = [p for p in people if p.pk not in already]
    PostMention.objects.bulk_create(
        [PostMention(post=post, user=p) for p in new], ignore_conflicts=True
    )
    _notify_people(
        people=new,
        kind=NotifyKind.MENTION,
        author=author,
        post=post,
        thread=thread,
        title="{actor} mentioned you in “{title}”",
    )
    return {p.pk for p in people}


def post_url(*, post: Post, thread: Thread) -> str:
    """A stable link to the post: it redirects to the page of the thread that shows it."""
    return reverse(
        "community:post-link",
        kwargs={"slug": thread.garden.slug, "pk": thread.pk, "post_pk": post.pk},
    )


# --- Threads and posts -----------------------------------------------------------------------


@transaction.atomic
def thread_start(*, garden: Garden, author: User, title: str, body: str) -> Thread:
    """Open a thread in `garden` with its first post; mentioned people are told."""
    _require_can_post(author, garden)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["Give the thread a title."]
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = [f"Keep the title under {MAX_TITLE_LENGTH} characters."]
    try:
        body = _clean_body(body)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    account = _account_of(author)
    thread = Thread.objects.create(
        garden=garden,
        title=title,
        author=author,
        account=account,
        created_at=now,
        last_post_at=now,
        post_count=1,
    )
    post = Post.objects.create(
        thread=thread, author=author, account=account, body=body, created_at=now
    )
    _record_activity(post=post, thread=thread, author=author)
    _notify_new_mentions(post=post, thread=thread, author=author)
    thread_mark_seen(thread=thread, user=author, seen_at=now)
    thread.opening_post = post
    return thread


def _participants(thread: Thread) -> list[User]:
    """The thread's authors who can still see its garden (one query)."""
    author_ids = Post.objects.filter(thread=thread).values("author_id")
    return list(
        garden_audience(garden=thread.garden).filter(pk__in=author_ids).select_related("membership")
    )


@transaction.atomic
def post_reply(*, thread: Thread, author: User, body: str) -> Post:
    """Reply in `thread`: mentioned people are told of the mention, the other participants
    (everyone who posted in it) of the reply."""
    _require_can_post(author, thread.garden)
    _require_open_thread(thread)
    body = _clean_body(body)
    account = _account_of(author)
    post = Post.objects.create(thread=thread, author=author, account=account, body=body)
    Thread.objects.filter(pk=thread.pk).update(
        post_count=F("post_count") + 1, last_post_at=post.created_at, updated_at=timezone.now()
    )
    thread.refresh_from_db(fields=["post_count", "last_post_at", "updated_at"])
    _record_activity(post=post, thread=thread, author=author)
    thread_mark_seen(thread=thread, user=author, seen_at=post.created_at)
    mentioned = _notify_new_mentions(post=post, thread=thread, author=author)
    _notify_people(
        people=[p for p in _participants(thread) if p.pk not in mentioned],
        kind=NotifyKind.REPLY,
        author=author,
        post=post,
        thread=thread,
        title="{actor} replied in “{title}”",
    )
    return post


@transaction.atomic
def post_edit(*, post: Post, editor: User, body: str) -> Post:
    """The author changes their post while it is not hidden; the earlier text is kept as a
    revision. People mentioned for the first time are told; nobody is told twice."""
    if post.author_id != editor.pk:
        raise PermissionDenied("Only the author edits a post.")
    _require_can_post(editor, post.thread.garden)
    if post.hidden_at is not None:
        raise ValidationError("A hidden post cannot be edited.")
    body = _clean_body(body)
    if body == post.body:
        return post
    PostRevision.objects.create(post=post, body=post.body, edited_by=editor)
    post.body = body
    post.edited_at = timezone.now()
    post.save(update_fields=["body", "edited_at", "updated_at"])
    _notify_new_mentions(post=post, thread=post.thread, author=editor)
    return post


# --- Reactions and flags ---------------------------------------------------------------------


@transaction.atomic
def reaction_toggle(*, post: Post, user: User, kind: str) -> bool:
    """Add the reaction `kind`, or take it back; True if the person now reacts so. Nobody
    reacts to their own post (a "helpful" answer is one somebody else found helpful)."""
    if kind not in ReactionKind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(ReactionKind.values)}."]})
    _require_can_post(user, post.thread.garden)
    if post.author_id == user.pk:
        raise ValidationError("You cannot react to your own post.")
    if post.hidden_at is not None:
        raise ValidationError("A hidden post cannot get reactions.")
    deleted, _ = Reaction.objects.filter(post=post, user=user, kind=kind).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, user=user, kind=kind)
    except IntegrityError:  # the same reaction in a parallel request
        pass
    return True


@transaction.atomic
def post_flag(*, post: Post, user: User, reason: str) -> PostFlag:
    """A member asks the stewards to look at a post (once per person and post). The stewards
    are told of a post's first open flag."""
    _require_can_post(user, post.thread.garden)
    if post.author_id == user.pk:
        raise ValidationError("You cannot flag your own post.")
    if post.hidden_at is not None:
        raise ValidationError("This post is hidden already.")
    reason = _clean_reason(reason, what="flag this post")
    first = not PostFlag.objects.filter(post=post, handled_at__isnull=True).exists()
    try:
        with transaction.atomic():
            flag = PostFlag.objects.create(post=post, user=user, reason=reason)
    except IntegrityError as duplicate:
        raise ValidationError("You flagged this post already.") from duplicate
    if first:
        thread = post.thread
        notify(
            users=thread.garden.stewards.filter(is_active=True),
            kind=NotifyKind.POST_FLAGGED,
            title=f"A post in “{thread.title}” is flagged",
            body=reason,
            url=post_url(post=post, thread=thread),
            exclude=user,
        )
    return flag


@transaction.atomic
def post_flags_dismiss(*, post: Post, steward: User) -> int:
    """A steward looked at the flags and keeps the post: its open flags are handled."""
    _require_steward(steward, post.thread.garden)
    return PostFlag.objects.filter(post=post, handled_at__isnull=True).update(
        handled_at=timezone.now(), handled_by=steward
    )


# --- Moderation ------------------------------------------------------------------------------


def _thread_recount(thread: Thread) -> None:
    """Counters of the posts customers see, and the thread hidden with its opening post."""
    visible = Post.objects.filter(thread=thread, hidden_at__isnull=True)
    opening = Post.objects.filter(thread=thread).order_by("created_at", "pk").first()
    thread.post_count = visible.count()
    thread.last_post_at = visible.aggregate(last=Max("created_at"))["last"] or thread.created_at
    thread.hidden_at = opening.hidden_at if opening is not None else None
    thread.save(update_fields=["post_count", "last_post_at", "hidden_at", "updated_at"])


@transaction.atomic
def post_hide(*, post: Post, steward: User, reason: str) -> Post:
    """A steward hides a post with a reason: customers no longer see it (nor the whole
    thread when it is the opening post); stewards and internal users still do, marked.
    Its open flags are handled."""
    _require_steward(steward, post.thread.garden)
    reason = _clean_reason(reason, what="hide this post")
    post = Post.objects.select_for_update().select_related("thread__garden").get(pk=post.pk)
    if post.hidden_at is not None:
        raise ValidationError("This post is hidden already.")
    now = timezone.now()
    post.hidden_at = now
    post.hidden_by = steward
    post.hidden_reason = reason
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    PostFlag.objects.filter(post=post, handled_at__isnull=True).update(
        handled_at=now, handled_by=steward
    )
    _thread_recount(post.thread)
    return post


@transaction.atomic
def post_unhide(*, post: Post, steward: User) -> Post:
    """A steward shows a hidden post again."""
    _require_steward(steward, post.thread.garden)
    post = Post.objects.select_for_update().select_related("thread__garden").get(pk=post.pk)
    if post.hidden_at is None:
        raise ValidationError("This post is not hidden.")
    post.hidden_at = None
    post.hidden_by = None
    post.hidden_reason = ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    _thread_recount(post.thread)
    return post


# --- Visits ----------------------------------------------------------------------------------


def thread_mark_seen(*, thread: Thread, user: User, seen_at=None) -> None:
    """Remember that `user` saw `thread` now (one upsert)."""
    if not user.is_authenticated:
        return
    ThreadVisit.objects.bulk_create(
        [ThreadVisit(user=user, thread=thread, seen_at=seen_at or timezone.now())],
        update_conflicts=True,
        unique_fields=["user", "thread"],
        update_fields=["seen_at"],
    )
