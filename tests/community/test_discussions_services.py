"""Discussions' services: threads, replies, mentions, edits, reactions, flags, moderation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.people import ANOTHER_ACCOUNT
from community.models import (
    ActivityEvent,
    ActivityKind,
    GardenAccount,
    GardenAccountStatus,
    GardenVisibility,
    Notification,
    Post,
    PostFlag,
    PostMention,
    PostRevision,
    Reaction,
    Thread,
    ThreadVisit,
)
from community.services import discussions
from community.services.gardens import garden_join
from tests.accounts.factories import customer
from tests.community.factories import a_steward, garden_with, opening, reply, start


@pytest.fixture
def steward(db):
    return a_steward()


@pytest.fixture
def garden(member_a, admin_a, member_b, steward):
    return garden_with(member_a, admin_a, member_b, steward=steward)


def _notified(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind))


# --- Threads and replies ---------------------------------------------------------------------


def test_a_member_starts_a_thread_with_its_first_post(garden, member_a):
    thread = start(garden, member_a, "How do you *onboard* new staff?", title="First weeks")

    thread.refresh_from_db()
    assert (thread.title, thread.author, thread.account.slug) == ("First weeks", member_a, "acme")
    assert thread.post_count == 1
    post = opening(thread)
    assert post.body == "How do you *onboard* new staff?"
    assert post.account.slug == "acme"
    assert thread.last_post_at == post.created_at
    event = ActivityEvent.objects.get()
    assert (event.account.slug, event.user, event.kind, event.is_support) == (
        "acme",
        member_a,
        ActivityKind.DISCUSSION_POST,
        False,
    )
    assert ThreadVisit.objects.get(user=member_a, thread=thread).seen_at == post.created_at


def test_a_customer_who_did_not_join_cannot_start_a_thread(db, member_a, admin_b, steward):
    garden = garden_with(member_a, steward=steward)

    with pytest.raises(PermissionDenied):
        start(garden, admin_b)
    assert not Thread.objects.exists()


def test_a_thread_needs_a_title_and_a_body(garden, member_a):
    with pytest.raises(ValidationError) as error:
        discussions.thread_start(garden=garden, author=member_a, title=" ", body="  ")

    assert set(error.value.message_dict) == {"title", "body"}
    assert not Thread.objects.exists()


def test_an_internal_users_thread_records_no_activity(garden, steward):
    start(garden, steward)

    assert not ActivityEvent.objects.exists()
    assert Thread.objects.get().account is None


def test_an_internal_reply_in_a_customers_thread_is_a_support_event_for_that_account(
    garden, member_a, steward
):
    thread = start(garden, member_a)

    post = reply(thread, steward, "We ship it next week.")

    event = ActivityEvent.objects.get(user=steward)
    assert (event.account.slug, event.kind, event.is_support, event.object_id) == (
        "acme",
        ActivityKind.DISCUSSION_POST,
        True,
        str(post.pk),
    )


def test_a_reply_counts_and_tells_the_other_participants(garden, member_a, admin_a, member_b):
    thread = start(garden, member_a)
    reply(thread, member_b, "We start with a buddy.")

    third = reply(thread, admin_a, "We do a welcome call.")

    thread.refresh_from_db()
    assert thread.post_count == 3
    assert thread.reply_count == 2
    assert thread.last_post_at == third.created_at
    to_alice = _notified(member_a, "reply")
    assert len(to_alice) == 2
    assert to_alice[0].shown_title == f"{admin_a.full_name} replied in “First weeks”"  # by name
    assert to_alice[0].url == f"/gardens/onboarding/threads/{thread.pk}/posts/{third.pk}/"
    # Bob (another account, the garden does not show other members) reads no name.
    assert [n.shown_title for n in _notified(member_b, "reply")] == [
        f"{ANOTHER_ACCOUNT} replied in “First weeks”"
    ]
    assert _notified(admin_a, "reply") == []  # the author is not told of their own reply


def test_nobody_replies_in_a_hidden_thread(garden, member_a, member_b, steward):
    thread = start(garden, member_a)
    discussions.post_hide(post=opening(thread), steward=steward, reason="Off topic")

    with pytest.raises(ValidationError):
        reply(Thread.objects.get(pk=thread.pk), steward)


# --- Mentions --------------------------------------------------------------------------------


def test_a_notification_quotes_the_posts_words_without_its_markup(garden, member_a, admin_a):
    start(garden, member_a, "What does your **first week** look like, @anna?\n\n- *one*\n- two")

    [notification] = _notified(admin_a, "mention")
    assert notification.shown_body == "What does your first week look like, @anna? one two"


def test_a_mention_tells_the_garden_member_once(garden, member_a, admin_a):
    thread = start(garden, member_a, "What do you think, @anna?")

    [notification] = _notified(admin_a, "mention")
    assert notification.shown_title == f"{member_a.full_name} mentioned you in “First weeks”"
    assert notification.shown_body == "What do you think, @anna?"
    assert PostMention.objects.get().user == admin_a
    # An edit keeps the mention but does not tell her again.
    discussions.post_edit(post=opening(thread), editor=member_a, body="Any idea, @anna?")
    assert len(_notified(admin_a, "mention")) == 1


def test_an_edit_tells_only_the_newly_mentioned(garden, member_a, admin_a, steward):
    thread = start(garden, member_a, "Hi @anna")

    discussions.post_edit(post=opening(thread), editor=member_a, body="Hi @anna and @stella")

    assert len(_notified(admin_a, "mention")) == 1
    assert len(_notified(steward, "mention")) == 1  # internal users see every garden


def test_a_mentioned_participant_gets_the_mention_not_also_the_reply(
    garden, member_a, admin_a, member_b
):
    thread = start(garden, member_a)
    reply(thread, admin_a)

    reply(thread, member_b, "@anna?")

    assert len(_notified(admin_a, "mention")) == 1
    assert _notified(admin_a, "reply") == []
    assert len(_notified(member_a, "reply")) == 2  # Anna's reply and Bob's


def test_a_mention_never_reaches_someone_who_did_not_join(db, member_a, member_b, steward):
    garden = garden_with(member_a, steward=steward)  # Bob can see the open garden, not a member

    start(garden, member_a, "@bob, @bob@globex.example and @nobody: thoughts?")

    assert Notification.objects.filter(kind="mention").count() == 0
    assert not PostMention.objects.exists()


def test_a_mention_never_reaches_an_account_that_no_longer_takes_part(
    db, member_a, member_b, account_b, steward
):
    garden = garden_with(steward=steward, visibility=GardenVisibility.INVITE_ONLY)
    for account in (member_a.membership.account, account_b):
        GardenAccount.objects.create(
            garden=garden, account=account, status=GardenAccountStatus.ACCEPTED
        )
    for person in (member_a, member_b):
        garden_join(garden=garden, user=person)
    GardenAccount.objects.filter(account=account_b).update(status=GardenAccountStatus.DECLINED)

    start(garden, member_a, "@bob, have a look")

    assert _notified(member_b, "mention") == []


def test_an_ambiguous_handle_tells_nobody_and_the_full_address_tells_one(
    garden, member_a, member_b, account_b
):
    other_alice = customer(account_b, email="alice@globex.example", first_name="Alicia")
    garden_join(garden=garden, user=other_alice)

    start(garden, member_b, "@alice?", title="Ambiguous")
    assert Notification.objects.filter(kind="mention").count() == 0

    start(garden, member_b, "@alice@globex.example?", title="Exact")
    assert [n.user for n in Notification.objects.filter(kind="mention")] == [other_alice]


def test_mention_handles_are_read_from_markdown_text():
    assert discussions.mention_handles(
        "Hi @anna, @Bob.Smith! mail me at x@y.example; (@anna) @c@d.example."
    ) == ["anna", "bob.smith", "c@d.example"]


def test_a_mention_names_another_accounts_author_only_where_the_garden_shows_members(
    garden, member_a, member_b
):
    garden.shows_other_members = True
    garden.save()

    start(garden, member_b, "@alice what do you think?")

    assert _notified(member_a, "mention")[0].shown_title == (
        "Bob (Globex Logistics) mentioned you in “First weeks”"
    )


# --- Editing ---------------------------------------------------------------------------------


def test_the_author_edits_a_post_and_the_earlier_text_is_kept(garden, member_a):
    thread = start(garden, member_a, "First text")
    post = opening(thread)

    discussions.post_edit(post=post, editor=member_a, body="Second text")
    discussions.post_edit(post=post, editor=member_a, body="Third text")

    post.refresh_from_db()
    assert post.body == "Third text"
    assert post.edited_at is not None
    assert list(PostRevision.objects.filter(post=post).values_list("body", flat=True)) == [
        "Second text",
        "First text",
    ]


def test_only_the_author_edits_and_not_once_hidden(garden, member_a, admin_a, steward):
    post = opening(start(garden, member_a, "Mine"))

    with pytest.raises(PermissionDenied):
        discussions.post_edit(post=post, editor=admin_a, body="Not yours")
    with pytest.raises(PermissionDenied):
        discussions.post_edit(post=post, editor=steward, body="Not even a steward")
    discussions.post_hide(post=post, steward=steward, reason="Spam")
    post.refresh_from_db()
    with pytest.raises(ValidationError):
        discussions.post_edit(post=post, editor=member_a, body="Too late")
    assert Post.objects.get(pk=post.pk).body == "Mine"
    assert not PostRevision.objects.exists()


# --- Reactions and flags ---------------------------------------------------------------------


def test_a_reaction_toggles_on_and_off(garden, member_a, member_b):
    post = opening(start(garden, member_a))

    assert discussions.reaction_toggle(post=post, user=member_b, kind="helpful") is True
    assert discussions.reaction_toggle(post=post, user=member_b, kind="thanks") is True
    assert sorted(Reaction.objects.values_list("kind", flat=True)) == ["helpful", "thanks"]
    assert discussions.reaction_toggle(post=post, user=member_b, kind="helpful") is False
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["thanks"]


def test_nobody_reacts_to_their_own_post_or_with_an_unknown_kind(garden, member_a, member_b):
    post = opening(start(garden, member_a))

    with pytest.raises(ValidationError):
        discussions.reaction_toggle(post=post, user=member_a, kind="helpful")
    with pytest.raises(ValidationError) as error:
        discussions.reaction_toggle(post=post, user=member_b, kind="love")
    assert "kind" in error.value.message_dict
    assert not Reaction.objects.exists()


def test_a_member_flags_a_post_once_and_the_stewards_hear_of_it(
    garden, member_a, admin_a, member_b, steward
):
    post = opening(start(garden, member_a))

    discussions.post_flag(post=post, user=member_b, reason="Shares a customer's data")
    with pytest.raises(ValidationError):
        discussions.post_flag(post=post, user=member_b, reason="Again")
    discussions.post_flag(post=post, user=admin_a, reason="Agreed")

    assert PostFlag.objects.filter(post=post).count() == 2
    [told] = _notified(steward, "post_flagged")  # of the first open flag only
    assert told.body == "Shares a customer's data"


def test_a_flag_needs_a_reason_and_is_not_for_your_own_post(garden, member_a, member_b):
    post = opening(start(garden, member_a))

    with pytest.raises(ValidationError) as error:
        discussions.post_flag(post=post, user=member_b, reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        discussions.post_flag(post=post, user=member_a, reason="Oops")
    assert not PostFlag.objects.exists()


# --- Moderation ------------------------------------------------------------------------------


def test_a_steward_hides_a_reply_with_a_reason(garden, member_a, member_b, steward):
    thread = start(garden, member_a)
    first_reply = reply(thread, member_b, "Fine")
    spam = reply(thread, member_b, "Buy now")
    discussions.post_flag(post=spam, user=member_a, reason="Spam")

    discussions.post_hide(post=spam, steward=steward, reason="Advertising")

    spam.refresh_from_db()
    assert spam.hidden_by == steward
    assert spam.hidden_reason == "Advertising"
    thread.refresh_from_db()
    assert thread.post_count == 2
    assert thread.last_post_at == first_reply.created_at
    assert thread.hidden_at is None
    assert PostFlag.objects.get().handled_by == steward

    discussions.post_unhide(post=spam, steward=steward)
    thread.refresh_from_db()
    assert (thread.post_count, thread.last_post_at) == (3, spam.created_at)


def test_hiding_the_opening_post_hides_the_thread(garden, member_a, steward):
    thread = start(garden, member_a)

    discussions.post_hide(post=opening(thread), steward=steward, reason="Off topic")

    thread.refresh_from_db()
    assert thread.hidden_at is not None
    assert thread.post_count == 0
    discussions.post_unhide(post=opening(thread), steward=steward)
    thread.refresh_from_db()
    assert (thread.hidden_at, thread.post_count) == (None, 1)


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a"])
def test_only_stewards_hide_posts(request, garden, member_b, persona):
    post = opening(start(garden, member_b))

    with pytest.raises(PermissionDenied):
        discussions.post_hide(
            post=post, steward=request.getfixturevalue(persona), reason="Not mine to hide"
        )
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_a_programme_admin_moderates_every_garden(garden, member_b, programme_admin):
    post = opening(start(garden, member_b))

    discussions.post_hide(post=post, steward=programme_admin, reason="Duplicate")

    assert Post.objects.get(pk=post.pk).hidden_by == programme_admin


def test_hiding_needs_a_reason_and_a_visible_post(garden, member_b, steward):
    post = opening(start(garden, member_b))

    with pytest.raises(ValidationError):
        discussions.post_hide(post=post, steward=steward, reason="")
    discussions.post_hide(post=post, steward=steward, reason="Spam")
    with pytest.raises(ValidationError):
        discussions.post_hide(post=post, steward=steward, reason="Twice")


def test_a_steward_dismisses_the_flags_of_a_post_they_keep(garden, member_a, member_b, steward):
    post = opening(start(garden, member_a))
    discussions.post_flag(post=post, user=member_b, reason="Rude?")

    assert discussions.post_flags_dismiss(post=post, steward=steward) == 1

    assert PostFlag.objects.get().handled_at is not None
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_marking_a_thread_seen_keeps_one_row_per_person(garden, member_a, member_b):
    thread = start(garden, member_a)

    discussions.thread_mark_seen(thread=thread, user=member_b)
    discussions.thread_mark_seen(thread=thread, user=member_b)

    assert ThreadVisit.objects.filter(thread=thread).count() == 2  # Alice's and Bob's
