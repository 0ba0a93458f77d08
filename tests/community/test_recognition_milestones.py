"""Milestones (badges) are computed from what people did, awarded once per person and kind
(a unique constraint: a second run, or one racing the first, awards nothing twice), with the
person's account at the time, and told to the person (notification kind "badge_awarded")."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import InternalRole
from community.models import (
    ActivityEvent,
    ActivityKind,
    Milestone,
    MilestoneKind,
    Notification,
    Post,
    Reaction,
    ReactionKind,
    Thread,
)
from community.models.notifications import KINDS
from community.services import recognition
from community.services.recognition import milestone_people_active_since, milestones_award
from community.tasks import milestones_award_all_task, milestones_award_recent_task
from tests.accounts.factories import customer, internal
from tests.community.factories import GardenFactory, HarvestFactory

pytestmark = pytest.mark.django_db


def _event(user, kind, *, account=None, support=False, days_ago=1, **fields):
    return ActivityEvent.objects.create(
        account=account or user.membership.account,
        user=user,
        kind=kind,
        is_support=support,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        **fields,
    )


def _post(author, *, account=None, hidden=False):
    thread = Thread.objects.create(
        garden=GardenFactory(), title="First weeks", author=author, account=account
    )
    return Post.objects.create(
        thread=thread,
        author=author,
        account=account,
        body="Like this.",
        hidden_at=timezone.now() if hidden else None,
        hidden_reason="Off topic" if hidden else "",
    )


def _kinds(user) -> set[str]:
    return set(Milestone.objects.filter(user=user).values_list("kind", flat=True))


def test_a_first_idea_earns_its_badge_once_and_the_person_is_told(member_a, account_a):
    _event(member_a, ActivityKind.IDEA_PROPOSED, days_ago=3)
    _event(member_a, ActivityKind.IDEA_PROPOSED, days_ago=1)

    first = milestones_award()
    second = milestones_award()

    assert [(m.user, m.kind) for m in first] == [(member_a, MilestoneKind.FIRST_IDEA)]
    assert second == []
    milestone = Milestone.objects.get(user=member_a)
    assert milestone.account == account_a
    assert milestone.awarded_at.date() == (timezone.now() - dt.timedelta(days=3)).date()
    notification = Notification.objects.get(user=member_a)
    assert (notification.kind, notification.url) == ("badge_awarded", "/people/me/")
    assert notification.title == "You earned a badge: First idea"


def test_the_badge_kind_is_in_the_notification_registry():
    assert KINDS["badge_awarded"].label


def test_each_milestone_comes_from_what_was_done(member_a, admin_a, member_b, account_a):
    _event(member_a, ActivityKind.VOTE)
    _event(member_a, ActivityKind.EXPECTATION_GIVEN, pilot_ref=5, days_ago=20)
    _event(member_a, ActivityKind.FEEDBACK_GIVEN, pilot_ref=5, days_ago=2)
    _event(admin_a, ActivityKind.FEEDBACK_GIVEN, pilot_ref=6)  # no expectation before it
    _event(admin_a, ActivityKind.EXPECTATION_GIVEN, pilot_ref=5)  # …and not in that pilot
    _post(member_a, account=account_a)
    HarvestFactory().inspired_by.add(member_a)
    HarvestFactory(published_at=None).inspired_by.add(admin_a)  # a draft inspires no badge

    milestones_award()

    assert _kinds(member_a) == {
        MilestoneKind.FIRST_VOTE,
        MilestoneKind.FIRST_FEEDBACK,
        MilestoneKind.FIRST_PILOT_COMPLETED,
        MilestoneKind.FIRST_DISCUSSION_POST,
        MilestoneKind.FIRST_HARVEST_INSPIRED,
    }
    assert _kinds(admin_a) == {MilestoneKind.FIRST_FEEDBACK}
    assert _kinds(member_b) == set()


def test_ten_helpful_reactions_from_others_make_ten_helpful_answers(member_a, account_a):
    posts = [_post(member_a, account=account_a) for _ in range(2)]
    people = [customer(account_a, email=f"p{i}@acme.example") for i in range(10)]
    for person in people[:9]:
        Reaction.objects.create(post=posts[0], user=person, kind=ReactionKind.HELPFUL)
    Reaction.objects.create(post=posts[1], user=member_a, kind=ReactionKind.HELPFUL)  # own
    Reaction.objects.create(post=posts[1], user=people[9], kind=ReactionKind.LIKE)
    hidden = _post(member_a, account=account_a, hidden=True)
    Reaction.objects.create(post=hidden, user=people[9], kind=ReactionKind.HELPFUL)

    milestones_award()
    assert MilestoneKind.TEN_HELPFUL_ANSWERS not in _kinds(member_a)

    Reaction.objects.create(post=posts[1], user=people[9], kind=ReactionKind.HELPFUL)
    milestones_award()
    assert MilestoneKind.TEN_HELPFUL_ANSWERS in _kinds(member_a)


def test_a_hidden_post_earns_no_first_post_badge(member_a, account_a):
    _post(member_a, account=account_a, hidden=True)

    assert milestones_award() == []


def test_internal_people_earn_badges_for_the_support_they_give(account_a):
    steward = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="stella@garden.example")
    _event(steward, ActivityKind.LOOP_CLOSED, account=account_a, support=True)
    _event(steward, ActivityKind.IDEA_PROPOSED, account=account_a, support=True)  # not theirs
    HarvestFactory(published_by=steward)
    _post(steward)

    milestones_award()

    assert _kinds(steward) == {
        MilestoneKind.FIRST_LOOP_CLOSED,
        MilestoneKind.FIRST_HARVEST_PUBLISHED,
        MilestoneKind.FIRST_DISCUSSION_POST,
    }
    assert set(Milestone.objects.filter(user=steward).values_list("account", flat=True)) == {None}


def test_only_the_people_asked_for_are_looked_at(member_a, admin_a):
    _event(member_a, ActivityKind.VOTE)
    _event(admin_a, ActivityKind.VOTE)

    awarded = milestones_award(user_ids=[admin_a.pk])

    assert [m.user for m in awarded] == [admin_a]
    assert milestones_award(user_ids=[]) == []
    assert _kinds(member_a) == set()


def test_deactivated_people_get_no_badge(member_a):
    _event(member_a, ActivityKind.VOTE)
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])

    assert milestones_award() == []
    assert not Notification.objects.exists()


def test_the_insert_skips_a_badge_another_run_stored_meanwhile(member_a, admin_a):
    """What decides is the unique constraint: a row another run inserted after this run looked
    is left alone and not returned (so not told twice)."""
    Milestone.objects.create(user=member_a, kind=MilestoneKind.FIRST_VOTE)
    now = timezone.now()

    inserted = recognition._insert_once(
        [
            (member_a.pk, MilestoneKind.FIRST_VOTE, None, now),
            (admin_a.pk, MilestoneKind.FIRST_VOTE, None, now),
        ],
        now=now,
    )

    assert list(Milestone.objects.filter(pk__in=inserted).values_list("user", flat=True)) == [
        admin_a.pk
    ]
    assert Milestone.objects.count() == 2


@pytest.mark.needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_award_and_tell_each_badge_once(account_a):
    people = [customer(account_a, email=f"p{i}@acme.example") for i in range(40)]
    for person in people:
        _event(person, ActivityKind.VOTE)
        _event(person, ActivityKind.IDEA_PROPOSED)
    start = threading.Barrier(2)
    awarded: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            awarded.append(len(milestones_award()))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(awarded) == 80
    assert Milestone.objects.count() == 80
    assert Notification.objects.filter(kind="badge_awarded").count() == 80


# --- Scheduled runs --------------------------------------------------------------------------


def test_the_recent_run_looks_at_people_active_in_the_last_hour(
    member_a, admin_a, account_a, django_capture_on_commit_callbacks
):
    _event(member_a, ActivityKind.VOTE)  # recorded now (created_at), occurred yesterday
    old = _event(admin_a, ActivityKind.VOTE)
    ActivityEvent.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=3)
    )

    with django_capture_on_commit_callbacks(execute=True):  # its chunks go out through the outbox
        assert milestones_award_recent_task.delay().get() == 1

    assert _kinds(member_a) == {MilestoneKind.FIRST_VOTE}
    assert _kinds(admin_a) == set()


def test_the_nightly_run_looks_at_everyone(member_a, admin_a, django_capture_on_commit_callbacks):
    _event(member_a, ActivityKind.VOTE)
    _event(admin_a, ActivityKind.VOTE)
    ActivityEvent.objects.update(created_at=timezone.now() - dt.timedelta(days=3))

    with django_capture_on_commit_callbacks(execute=True):
        milestones_award_all_task.delay().get()

    assert Milestone.objects.count() == 2


def test_people_active_since_include_those_whose_posts_were_found_helpful(
    member_a, admin_a, account_a
):
    since = timezone.now() - dt.timedelta(hours=1)
    post = _post(member_a, account=account_a)
    Post.objects.filter(pk=post.pk).update(created_at=since - dt.timedelta(days=2))
    Reaction.objects.create(post=post, user=admin_a, kind=ReactionKind.HELPFUL)
    steward = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="stella@garden.example")
    HarvestFactory(published_by=steward).inspired_by.add(admin_a)

    assert set(milestone_people_active_since(since=since)) == {member_a.pk, admin_a.pk, steward.pk}
