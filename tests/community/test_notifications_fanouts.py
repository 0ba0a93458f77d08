"""Fan-outs (community.services.notification_fanouts): a harvest published to a large audience
tells the first people in the request and the rest by one task in chunks; everyone active is
told once, whoever acted and the inactive are not, and a task run again (retried, redelivered,
killed mid-way) tells nobody twice. The real worker over Redis: test_notifications_fanouts_worker.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import InternalRole, User
from community.models import Notification, NotificationFanout
from community.models.notifications import NotifyKind
from community.services import harvests
from community.services import notification_fanouts as fanouts
from tests.accounts.factories import crowd, internal
from tests.community.factories import GardenFactory, accept

AT_ONCE = fanouts.FANOUT_AT_ONCE


@pytest.fixture
def steward(db):
    return internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="sam@garden.example")


@pytest.fixture
def garden(steward, account_a):
    """An open garden account A takes part in (accepted)."""
    garden = GardenFactory(name="Onboarding journeys", slug="onboarding")
    garden.stewards.add(steward)
    accept(garden, account_a)
    return garden


def _draft(steward, garden, title="Faster onboarding"):
    return harvests.harvest_create(
        created_by=steward, title=title, summary="You said, we did.", kind="playbook", garden=garden
    )


def _told(**filters) -> dict[int, int]:
    """Person id -> how many harvest notifications they hold."""
    rows = (
        Notification.objects.filter(kind=NotifyKind.HARVEST_PUBLISHED, **filters)
        .values("user")
        .annotate(n=Count("pk"))
    )
    return {row["user"]: row["n"] for row in rows}


def test_a_large_audience_hears_the_first_people_at_once_and_the_rest_from_the_task_once_each(
    steward, garden, account_a, member_a, admin_a
):
    people = crowd(account_a, 3 * AT_ONCE)
    gone = people[AT_ONCE // 2]  # deactivated: not told, and the chunk goes on past them
    User.objects.filter(pk=gone.pk).update(is_active=False)
    audience = {member_a.pk, admin_a.pk} | {p.pk for p in people} - {gone.pk}

    harvests.harvest_publish(harvest=_draft(steward, garden), by=steward)

    fanout = NotificationFanout.objects.get()
    told_now = _told()
    assert len(told_now) == AT_ONCE  # the request told the first hundred, in id order
    assert set(told_now) == set(sorted(audience)[:AT_ONCE])
    assert fanout.finished_at is None and fanout.told_up_to == sorted(audience)[AT_ONCE - 1]

    told_by_task = fanouts.notification_fanout_run(fanout_id=fanout.pk, chunk=70)

    told = _told()
    assert told == dict.fromkeys(audience, 1)  # everyone active, once; not the steward
    assert gone.pk not in told and steward.pk not in told
    assert told_by_task == len(audience) - AT_ONCE  # 70 + 70 + 61: a short chunk finishes
    fanout.refresh_from_db()
    assert fanout.finished_at is not None and fanout.told_count == len(audience)
    note = Notification.objects.get(user=member_a)
    assert (note.title, note.fanout_id) == ("New harvest: Faster onboarding", fanout.pk)


def test_a_task_run_again_or_killed_mid_way_and_run_again_tells_nobody_twice(
    steward, garden, account_a
):
    people = crowd(account_a, 2 * AT_ONCE)
    harvests.harvest_publish(harvest=_draft(steward, garden), by=steward)
    fanout = NotificationFanout.objects.get()

    # A worker tells one chunk and dies before the next: its redelivered task starts again.
    assert fanouts.notification_fanout_continue(fanout_id=fanout.pk, chunk=50)
    fanouts.notification_fanout_run(fanout_id=fanout.pk, chunk=50)
    # A retry, or the outbox's relay publishing it once more, after everyone was told.
    assert fanouts.notification_fanout_run(fanout_id=fanout.pk) == 0

    told = _told()
    assert len(told) == len(people) and set(told.values()) == {1}


def test_a_chunk_that_fails_tells_nobody_and_the_next_run_tells_them(
    steward, garden, account_a, monkeypatch
):
    crowd(account_a, AT_ONCE + 30)
    harvests.harvest_publish(harvest=_draft(steward, garden), by=steward)
    fanout = NotificationFanout.objects.get()

    def database_gone(*args, **kwargs):
        raise ConnectionError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(fanouts, "notifications_store", database_gone)
        with pytest.raises(ConnectionError):
            fanouts.notification_fanout_run(fanout_id=fanout.pk)
    assert NotificationFanout.objects.get().told_count == AT_ONCE  # the mark did not move
    fanouts.notification_fanout_run(fanout_id=fanout.pk)

    assert len(_told()) == AT_ONCE + 30 and set(_told().values()) == {1}


def test_the_task_is_queued_through_the_outbox_and_tells_everyone_after_commit(
    steward, garden, account_a, django_capture_on_commit_callbacks
):
    people = crowd(account_a, AT_ONCE + 5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        harvests.harvest_publish(harvest=_draft(steward, garden), by=steward)

    assert callbacks  # eager in tests: the task ran once the transaction committed
    assert len(_told()) == len(people)
    assert NotificationFanout.objects.get().finished_at is not None


def test_a_small_audience_is_told_in_the_request_and_queues_no_task(
    steward, garden, member_a, admin_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        harvests.harvest_publish(harvest=_draft(steward, garden), by=steward)

    assert _told() == {member_a.pk: 1, admin_a.pk: 1}
    assert callbacks == []  # nothing left for a task
    assert NotificationFanout.objects.get().finished_at is not None


def test_the_person_who_acted_is_not_told_though_in_the_audience(steward, garden, account_a):
    people = crowd(account_a, AT_ONCE + 10)
    harvest = _draft(steward, garden)
    acting = people[AT_ONCE + 3]

    fanout = fanouts.notify_audience(
        audience=harvests.HARVEST_READERS,
        audience_args={"harvest": harvest.pk},
        kind=NotifyKind.HARVEST_PUBLISHED,
        title="Told",
        exclude=acting,
    )
    fanouts.notification_fanout_run(fanout_id=fanout.pk, chunk=4)

    told = _told()
    assert acting.pk not in told
    assert len(told) == len(people) - 1 and set(told.values()) == {1}


def test_one_fanout_never_holds_two_notifications_of_one_person(steward, garden, member_a):
    harvests.harvest_publish(harvest=_draft(steward, garden), by=steward)
    fanout = NotificationFanout.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(
            user=member_a, kind="harvest_published", title="Again", fanout=fanout
        )


def test_an_unknown_audience_is_refused_in_the_caller(db):
    with pytest.raises(ValueError, match="No audience"):
        fanouts.notify_audience(audience="nobody.knows", audience_args={}, kind="x", title="x")
    assert not NotificationFanout.objects.exists()


@pytest.mark.parametrize("size", [AT_ONCE + 50, 6 * AT_ONCE])
def test_publishing_costs_the_same_queries_whatever_the_audience(
    steward, garden, account_a, size, django_assert_num_queries
):
    crowd(account_a, size)
    harvest = _draft(steward, garden)

    # 1 savepoint, 2 the harvest locked with its garden, 3 is the steward one of the
    # garden's? 4 the harvest's update, 5 savepoint of the fan-out, 6 its row, 7 the harvest
    # of the audience, 8 the first hundred people's ids, 9 their preferences for the kind,
    # 10 their notifications, 11 the fan-out's mark, 12 release of its savepoint, 13 the
    # garden's chat channels, 14 release
    with django_assert_num_queries(14):
        harvests.harvest_publish(harvest=harvest, by=steward)

    assert len(_told()) == AT_ONCE


def test_the_publish_request_costs_the_same_queries_at_two_audience_sizes(
    client, steward, garden, account_a
):
    counts = []
    for size, title in ((AT_ONCE + 20, "Small"), (8 * AT_ONCE, "Large")):
        crowd(account_a, size, tag=title.lower())
        harvest = _draft(steward, garden, title=title)
        client.force_login(steward)
        with CaptureQueriesContext(transaction.get_connection()) as queries:
            response = client.post(reverse("community:harvest-publish", args=[harvest.slug]))
        assert response.status_code == 302
        counts.append(len(queries))

    assert counts[0] == counts[1]
    assert NotificationFanout.objects.filter(finished_at__isnull=True).count() == 2
