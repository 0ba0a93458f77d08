"""Demo data of discussions, built through the services (so mentions notify, activity is
recorded and the counters are right), then dated back over the last weeks. Called by seed_demo
right after the gardens builder (harvests link to these threads).

- every garden with members gets a few threads with replies by its members and stewards;
- in a garden the demo customer member joined, a colleague mentions them (a "mention"
  notification waits in their bell) and a steward answers;
- replies get reactions ("helpful" among them: recognition counts them);
- one post is flagged (the stewards' queue has it) and one is hidden by a steward.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Collection

from django.db import transaction
from django.utils import timezone

from accounts.models import MemberRole, Membership, User
from community.models import (
    ActivityEvent,
    Garden,
    GardenMembership,
    Notification,
    Post,
    PostFlag,
    ReactionKind,
    Thread,
    ThreadVisit,
)
from community.models.notifications import NotifyKind
from community.selectors import discussions as selectors
from community.selectors.discussions import garden_audience
from community.services import discussions as services
from community.services.notifications import notification_emails_suppressed

_THREADS = [
    (
        "How do you onboard a new site team?",
        "We roll out to a new site every month. What does your **first week** look like?",
        [
            "We pair every new planner with a buddy for two weeks. It halves the questions.",
            "A short checklist in the app helped us most:\n\n1. Log in\n2. First job\n3. Sync",
            "Thanks, the checklist idea is great. Did you build it yourselves?",
        ],
    ),
    (
        "Offline mode: what breaks for you?",
        "Our technicians lose signal in basements. Which actions **must** work offline?",
        [
            "Closing a job and taking photos. Everything else can wait for the sync.",
            "Signatures! Customers sign on the tablet, and that fails without a connection.",
        ],
    ),
    (
        "Sharing usage data for benchmarks",
        "Would you share anonymised usage data if you got a benchmark against peers in return?",
        [
            "Yes, if our admin approves each data set and we can withdraw it.",
            "Only aggregated by segment, never per account.",
            "We would want to see the benchmark method first.",
        ],
    ),
    (
        "Reporting templates you would reuse",
        "Which reports do you build by hand every month? Perhaps we can make them templates.",
        ["The monthly SLA report: it takes us a full day.", "Energy use per site, per quarter."],
    ),
]
_STEWARD_REPLY = "Thank you all, this helps. We will try it in the next pilot and report back."
_FLAG_REASON = "Mentions a customer's contract terms."
_HIDE_REASON = "Advertising an outside service."


def _demo_member() -> User | None:
    """The first account's first member: the demo customer member (README)."""
    membership = (
        Membership.objects.filter(role=MemberRole.MEMBER)
        .select_related("user", "account")
        .order_by("account_id", "pk")
        .first()
    )
    return membership.user if membership else None


def _handle(person: User, garden: Garden) -> str:
    """The @handle that names `person` unambiguously in `garden`."""
    local = person.email.split("@", 1)[0].lower()
    same = garden_audience(garden=garden).filter(email__istartswith=f"{local}@").count()
    return local if same == 1 else person.email.lower()


def _members(garden: Garden) -> list[User]:
    return [
        m.user
        for m in GardenMembership.objects.filter(garden=garden, user__is_active=True)
        .select_related("user__membership")
        .order_by("pk")
    ]


def _date_back(post: Post, when: dt.datetime) -> None:
    Post.objects.filter(pk=post.pk).update(created_at=when, updated_at=when)
    ActivityEvent.objects.filter(object_type="community.post", object_id=str(post.pk)).update(
        occurred_at=when
    )


@transaction.atomic
def demo_discussions_build(
    *, gardens: list[Garden], quiet_account_ids: Collection[int] = (), seed: int = 7
) -> dict[str, int]:
    """Threads, replies, mentions, reactions, a flag and a hidden post; counts for the summary.
    People of `quiet_account_ids` (the demo's dormant and occasional accounts) post nothing: a
    discussion would wake them up."""
    rng = random.Random(seed)  # noqa: S311 (demo data): its own, so other builders keep theirs
    now = timezone.now()
    first_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
    demo_member = _demo_member()
    counts = {"threads": 0, "posts": 0, "reactions": 0}
    threads: list[Thread] = []
    with notification_emails_suppressed():  # in the people's bells, not their email
        for index, garden in enumerate(gardens):
            members = [
                m for m in _members(garden) if m.membership.account_id not in quiet_account_ids
            ]
            stewards = list(garden.stewards.filter(is_active=True).order_by("pk"))
            if len(members) < 3:
                continue
            for number in range(2):
                title, body, replies = _THREADS[(index + number) % len(_THREADS)]
                started = now - dt.timedelta(days=rng.randint(8, 40), hours=rng.randint(0, 12))
                author = rng.choice(members)
                if demo_member and demo_member in members and index % 2 == 0 and number == 0:
                    author, body = _demo_member_asked(demo_member, members, garden, body)
                thread = services.thread_start(garden=garden, author=author, title=title, body=body)
                posts, when = _replies_post(
                    rng,
                    thread,
                    author,
                    replies,
                    members=members,
                    stewards=stewards,
                    started=started,
                )
                counts["reactions"] += _reactions_add(rng, posts[1:], members)
                Thread.objects.filter(pk=thread.pk).update(
                    created_at=started, last_post_at=when, updated_at=when
                )
                ThreadVisit.objects.filter(thread=thread).update(seen_at=when)
                threads.append(thread)
                counts["threads"] += 1
                counts["posts"] += len(posts)
    _demo_moderation(threads, rng)
    _date_back_notifications(after=first_notification or 0)
    return counts


def _demo_member_asked(
    demo_member: User, members: list[User], garden: Garden, body: str
) -> tuple[User, str]:
    """A colleague of the demo member (or another member) asks for their view: the thread's
    author, and its body with the @mention."""
    colleagues = [
        m
        for m in members
        if m != demo_member and m.membership.account_id == demo_member.membership.account_id
    ]
    author = colleagues[0] if colleagues else members[0]
    if author == demo_member:
        author = next(m for m in members if m != demo_member)
    return author, f"{body}\n\n@{_handle(demo_member, garden)}, how do you do it?"


def _replies_post(
    rng: random.Random,
    thread: Thread,
    author: User,
    replies: list[str],
    *,
    members: list[User],
    stewards: list[User],
    started: dt.datetime,
) -> tuple[list[Post], dt.datetime]:
    """The opening post (by `author`) dated `started`, the other members' replies and a
    steward's answer hours apart; returns the thread's posts and the time of the last."""
    posts = [selectors.opening_post(thread=thread)]
    _date_back(posts[0], started)
    when = started
    for text in replies:
        when += dt.timedelta(hours=rng.randint(2, 30))
        replier = rng.choice([m for m in members if m != author] or members)
        post = services.post_reply(thread=thread, author=replier, body=text)
        _date_back(post, when)
        posts.append(post)
    if stewards:
        when += dt.timedelta(hours=rng.randint(2, 20))
        post = services.post_reply(thread=thread, author=stewards[0], body=_STEWARD_REPLY)
        _date_back(post, when)
        posts.append(post)
    return posts, when


def _reactions_add(rng: random.Random, posts: list[Post], members: list[User]) -> int:
    """Up to three members react to each post (not their own); returns how many reacted."""
    count = 0
    for post in posts:
        for reactor in rng.sample(members, min(3, len(members))):
            if reactor.pk == post.author_id:
                continue
            kind = rng.choice([ReactionKind.HELPFUL, *ReactionKind.values])
            services.reaction_toggle(post=post, user=reactor, kind=kind)
            count += 1
    return count


_POST_IN_URL = re.compile(r"/posts/(\d+)/$")


def _date_back_notifications(*, after: int) -> None:
    """The builder's notifications (mentions, replies, flags) dated like the posts they tell of."""
    notifications = Notification.objects.filter(
        pk__gt=after, kind__in=[NotifyKind.MENTION, NotifyKind.REPLY, NotifyKind.POST_FLAGGED]
    )
    post_dates = {}
    for notification in notifications:
        match = _POST_IN_URL.search(notification.url)
        if match is None:
            continue
        post_id = int(match.group(1))
        if post_id not in post_dates:
            post_dates[post_id] = Post.objects.get(pk=post_id).created_at
        notification.created_at = post_dates[post_id] + dt.timedelta(minutes=1)
    Notification.objects.bulk_update(notifications, ["created_at"], batch_size=1000)


def _demo_moderation(threads: list[Thread], rng: random.Random) -> None:
    """One open flag for the stewards' queue and one post a steward hid."""
    with notification_emails_suppressed():
        for thread in threads:
            garden = thread.garden
            stewards = list(garden.stewards.order_by("pk"))
            members = _members(garden)
            if not stewards or len(members) < 3:
                continue
            reply = Post.objects.filter(thread=thread, account__isnull=False).order_by("-pk")
            target = reply.exclude(pk=selectors.opening_post(thread=thread).pk).first()
            if target is None:
                continue
            flagger = next(m for m in members if m.pk != target.author_id)
            flag = services.post_flag(post=target, user=flagger, reason=_FLAG_REASON)
            PostFlag.objects.filter(pk=flag.pk).update(
                created_at=target.created_at + dt.timedelta(hours=2)
            )
            break
        for thread in reversed(threads):
            stewards = list(thread.garden.stewards.order_by("pk"))
            if not stewards:
                continue
            spammer = Post.objects.filter(thread=thread, account__isnull=False).first()
            if spammer is None:
                continue
            post = services.post_reply(
                thread=thread,
                author=spammer.author,
                body="Cheap spare parts for every brand: visit our partner's shop!",
            )
            when = Thread.objects.get(pk=thread.pk).created_at + dt.timedelta(days=1)
            _date_back(post, when)
            post.refresh_from_db()
            services.post_hide(post=post, steward=stewards[0], reason=_HIDE_REASON)
            Post.objects.filter(pk=post.pk).update(hidden_at=when + dt.timedelta(hours=3))
            break
