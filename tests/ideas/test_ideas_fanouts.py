"""Closing the loop with an idea's thousands of followers: a status change, a comment, a merge
and a pilot's decision tell the first followers in the request and the rest by one task in chunks
(community.services.notification_fanouts); each follower once, never who acted, and the
pilot's participants only once (with the link to the pilot)."""

from __future__ import annotations

from collections import Counter

from community.models import Notification, NotificationFanout
from community.models.notifications import NotifyKind
from community.services import notification_fanouts as fanouts
from ideas.models import Enrolment, Follow, IdeaStatus, PilotState
from ideas.services import ideas as services
from ideas.services import pilots as pilot_services
from tests.accounts.factories import AccountFactory, crowd
from tests.ideas.factories import IdeaFactory, PilotFactory

AT_ONCE = fanouts.FANOUT_AT_ONCE


def _followed_by_a_crowd(idea, size: int):
    people = crowd(AccountFactory(), size)
    Follow.objects.bulk_create([Follow(idea=idea, user=person) for person in people])
    return people


def _told(kind: str) -> Counter:
    return Counter(Notification.objects.filter(kind=kind).values_list("user", flat=True))


def test_a_status_change_reaches_every_follower_once_the_rest_by_the_task(
    idea, member_a, product_manager
):
    people = _followed_by_a_crowd(idea, 2 * AT_ONCE + 7)
    Follow.objects.create(idea=idea, user=product_manager)  # who acts: never told

    services.idea_transition(
        idea=idea, actor=product_manager, to_status=IdeaStatus.UNDER_REVIEW, reason="This sprint."
    )
    assert sum(_told(NotifyKind.IDEA_STATUS).values()) == AT_ONCE  # in the request
    fanout = NotificationFanout.objects.get()
    fanouts.notification_fanout_run(fanout_id=fanout.pk, chunk=60)
    fanouts.notification_fanout_run(fanout_id=fanout.pk, chunk=60)  # redelivered: nothing

    told = _told(NotifyKind.IDEA_STATUS)
    assert told == Counter({member_a.pk: 1, **{p.pk: 1 for p in people}})
    note = Notification.objects.get(user=people[-1])
    assert note.shown_title == "“Offline inspections” is now under review"
    assert note.names_actor and note.actor == product_manager


def test_a_decision_tells_the_followers_once_and_the_participants_with_the_pilot_link(
    product_manager, account_a, member_a
):
    pilot = PilotFactory(accounts=[account_a])
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    people = _followed_by_a_crowd(pilot.idea, AT_ONCE + 40)
    Follow.objects.create(idea=pilot.idea, user=member_a)  # a participant who follows too
    pilot_services.pilot_set_state(pilot=pilot, actor=product_manager, state=PilotState.CLOSED)
    for fanout in NotificationFanout.objects.all():  # the closing's "now evaluated"
        fanouts.notification_fanout_run(fanout_id=fanout.pk)
    Notification.objects.all().delete()

    pilot_services.pilot_decide(
        pilot=pilot, actor=product_manager, decision="adopt", outcome_note="We did Y."
    )
    fanout = NotificationFanout.objects.get(kind=NotifyKind.PILOT_DECISION)
    fanouts.notification_fanout_run(fanout_id=fanout.pk, chunk=25)

    told = _told(NotifyKind.PILOT_DECISION)
    assert told == Counter({member_a.pk: 1, **{p.pk: 1 for p in people}})
    assert (
        Notification.objects.get(user=member_a, kind=NotifyKind.PILOT_DECISION).url
        == pilot.get_absolute_url()
    )
    assert (
        Notification.objects.get(user=people[0], kind=NotifyKind.PILOT_DECISION).url
        == pilot.idea.get_absolute_url()
    )


def test_a_comment_reaches_every_follower_once_the_rest_by_the_task(idea, member_a):
    people = _followed_by_a_crowd(idea, AT_ONCE + 30)  # and member_a, who proposed it

    services.idea_comment(idea=idea, author=member_a, body="Works offline here too.")
    assert sum(_told(NotifyKind.IDEA_COMMENT).values()) == AT_ONCE  # in the request
    fanout = NotificationFanout.objects.get(kind=NotifyKind.IDEA_COMMENT)
    fanouts.notification_fanout_run(fanout_id=fanout.pk, chunk=7)

    # Everyone once, but not who commented.
    assert _told(NotifyKind.IDEA_COMMENT) == Counter({p.pk: 1 for p in people})


def test_a_merge_tells_the_followers_of_both_ideas_once(idea, member_a, product_manager):
    duplicate = IdeaFactory(garden=idea.garden)
    of_original = _followed_by_a_crowd(idea, AT_ONCE)
    of_duplicate = _followed_by_a_crowd(duplicate, 20)
    Follow.objects.create(idea=duplicate, user=of_original[0])  # follows both: told once

    services.idea_merge(
        duplicate=duplicate, original=idea, actor=product_manager, reason="Same ask."
    )
    fanout = NotificationFanout.objects.get(kind=NotifyKind.IDEA_MERGED)
    fanouts.notification_fanout_run(fanout_id=fanout.pk)

    told = _told(NotifyKind.IDEA_MERGED)
    everyone = [member_a, *of_original, *of_duplicate]  # member_a proposed the original
    assert told == Counter({p.pk: 1 for p in everyone})
