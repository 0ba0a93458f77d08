"""The seeded demo's discussions: threads with replies and reactions in the gardens, a mention
waiting in the demo member's bell, one flagged and one hidden post."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import Account, MemberRole, Membership
from community.models import Notification, Post, PostFlag, Reaction, Thread


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO(), accounts=12, members=5.0, days=30, ideas=0)
    account = Account.objects.order_by("pk").first()
    return Membership.objects.filter(account=account, role=MemberRole.MEMBER).order_by("pk")[0]


def test_the_demo_has_threads_with_replies_and_helpful_reactions(seeded):
    assert Thread.objects.count() >= 6
    assert all(t.post_count >= 2 for t in Thread.objects.filter(hidden_at__isnull=True))
    assert Reaction.objects.filter(kind="helpful").exists()
    # Threads are dated back: the garden lists show weeks of conversation, not one minute.
    oldest = Thread.objects.order_by("created_at").first()
    newest = Thread.objects.order_by("-created_at").first()
    assert (newest.created_at - oldest.created_at).days >= 3


def test_the_demo_member_is_mentioned_in_a_garden_they_joined(seeded):
    member = seeded.user

    mentions = list(Notification.objects.filter(user=member, kind="mention"))

    assert mentions
    for mention in mentions:
        assert mention.url.startswith("/gardens/")
        assert member.garden_memberships.filter(garden__slug=mention.url.split("/")[2]).exists()


def test_the_demo_has_one_flagged_and_one_hidden_post(seeded):
    assert PostFlag.objects.filter(handled_at__isnull=True).count() == 1
    hidden = Post.objects.get(hidden_at__isnull=False)
    assert hidden.hidden_reason
    assert hidden.hidden_by is not None
