"""The engine's Celery tasks (run eagerly here), the beat schedule, the admin's recompute
actions and the demo's history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from community.models import (
    ActivityEvent,
    ActivityKind,
    EngagementModel,
    EngagementRepair,
    EngagementRun,
    EngagementRunKind,
    EngagementSnapshot,
)
from community.services.engagement import INCREMENTAL_OVERLAP
from community.tasks import (
    engagement_recompute_accounts_task,
    engagement_recompute_all_task,
    engagement_recompute_incremental_task,
    engagement_recompute_nightly_task,
    engagement_recompute_task,
)
from tests.accounts.factories import AccountFactory, customer

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30).isoformat()


def _visit(account, *, ago: dt.timedelta = dt.timedelta(hours=1)) -> ActivityEvent:
    moment = timezone.now() - ago
    return ActivityEvent.objects.create(
        account=account,
        user=customer(account),
        kind=ActivityKind.VISIT,
        occurred_at=moment,
        created_at=moment,
    )


def test_a_full_run_writes_one_snapshot_per_account_in_chunks(
    settings, django_capture_on_commit_callbacks
):
    settings.ENGAGEMENT_CHUNK_SIZE = 2
    accounts = AccountFactory.create_batch(5)
    _visit(accounts[0])

    with django_capture_on_commit_callbacks(execute=True):
        queued = engagement_recompute_all_task(TODAY)

    assert queued == 5
    assert EngagementSnapshot.objects.filter(day=TODAY).count() == 5
    run = EngagementRun.objects.get()
    assert (run.kind, run.day.isoformat(), run.accounts, run.chunks) == ("full", TODAY, 5, 3)


def test_running_the_same_chunk_twice_leaves_one_row_per_account():
    accounts = AccountFactory.create_batch(3)
    ids = [a.pk for a in accounts]

    assert engagement_recompute_task(ids, TODAY) == 3
    assert engagement_recompute_task(ids, TODAY) == 3

    assert EngagementSnapshot.objects.count() == 3


def test_the_incremental_run_takes_only_accounts_with_new_customer_events(
    django_capture_on_commit_callbacks,
):
    quiet, busy, supported = AccountFactory.create_batch(3)
    EngagementRun.objects.create(
        kind="full", day=timezone.localdate(), started_at=timezone.now() - dt.timedelta(hours=1)
    )
    _visit(quiet, ago=dt.timedelta(hours=2))  # recorded before the previous run started
    _visit(busy, ago=dt.timedelta(minutes=1))
    ActivityEvent.objects.create(account=supported, kind=ActivityKind.COMMENT, is_support=True)

    with django_capture_on_commit_callbacks(execute=True):
        queued = engagement_recompute_incremental_task()

    assert queued == 1
    assert list(EngagementSnapshot.objects.values_list("account_id", flat=True)) == [busy.pk]
    assert EngagementRun.objects.order_by("-started_at").first().kind == "incremental"


def test_the_incremental_run_looks_back_a_little_for_events_committed_late(
    django_capture_on_commit_callbacks,
):
    account = AccountFactory()
    started = timezone.now() - dt.timedelta(hours=1)
    EngagementRun.objects.create(kind="incremental", day=timezone.localdate(), started_at=started)
    _visit(account, ago=dt.timedelta(hours=1) + INCREMENTAL_OVERLAP / 2)

    with django_capture_on_commit_callbacks(execute=True):
        assert engagement_recompute_incremental_task() == 1


def test_the_incremental_run_ignores_runs_that_did_not_cover_today_for_everyone(
    django_capture_on_commit_callbacks,
):
    account = AccountFactory()
    earlier = timezone.now() - dt.timedelta(hours=2)
    today = timezone.localdate()
    EngagementRun.objects.create(kind="incremental", day=today, started_at=earlier)
    _visit(account, ago=dt.timedelta(hours=1))
    EngagementRun.objects.create(kind="accounts", day=today)  # another account, just now
    EngagementRun.objects.create(kind="full", day=today - dt.timedelta(days=1))  # nightly

    with django_capture_on_commit_callbacks(execute=True):
        assert engagement_recompute_incremental_task() == 1

    assert EngagementSnapshot.objects.get().account == account


def test_the_first_incremental_run_takes_every_account_with_events(
    django_capture_on_commit_callbacks,
):
    with_events, _without = AccountFactory.create_batch(2)
    _visit(with_events, ago=dt.timedelta(days=300))

    with django_capture_on_commit_callbacks(execute=True):
        assert engagement_recompute_incremental_task() == 1


def test_the_nightly_run_settles_yesterday(django_capture_on_commit_callbacks):
    AccountFactory()

    with django_capture_on_commit_callbacks(execute=True):
        engagement_recompute_nightly_task()

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert list(EngagementSnapshot.objects.values_list("day", flat=True)) == [yesterday]


def test_chosen_accounts_are_recomputed_and_unknown_ids_are_ignored(
    django_capture_on_commit_callbacks,
):
    chosen, other = AccountFactory.create_batch(2)

    with django_capture_on_commit_callbacks(execute=True):
        assert engagement_recompute_accounts_task([chosen.pk, 999_999], TODAY) == 1

    assert list(EngagementSnapshot.objects.values_list("account_id", flat=True)) == [chosen.pk]


def test_nothing_is_queued_before_the_run_commits():
    AccountFactory()

    engagement_recompute_all_task(TODAY)  # the test's transaction never commits

    assert EngagementRun.objects.count() == 1
    assert EngagementSnapshot.objects.count() == 0


def test_the_beat_runs_the_incremental_run_every_15_minutes_and_the_full_run_nightly():
    schedule = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }

    incremental = schedule["community.tasks.engagement_recompute_incremental_task"]
    nightly = schedule["community.tasks.engagement_recompute_nightly_task"]
    assert incremental.minute == {0, 15, 30, 45}
    assert len(nightly.hour) == 1 and len(nightly.minute) == 1


# --- Admin ----------------------------------------------------------------------------------


def test_a_programme_admin_makes_a_new_version_in_the_admin(client_for, programme_admin):
    client = client_for(programme_admin)
    form = client.get("/admin/community/engagementmodel/add/")
    assert form.status_code == 200
    initial = form.context["adminform"].form.initial
    data = {key: value for key, value in initial.items() if key != "weights"}
    data.update(
        weights='{"visit": 2, "referral": 12}', threshold_co_creating=75, note="Visits count more"
    )

    response = client.post("/admin/community/engagementmodel/add/", data)

    assert response.status_code == 302
    latest = EngagementModel.objects.get(is_active=True)
    assert (latest.version, latest.created_by, latest.note) == (2, programme_admin, data["note"])
    assert (latest.weights, latest.threshold_co_creating) == ({"visit": 2, "referral": 12}, 75)


def test_a_version_made_in_the_admin_recomputes_today_with_it_as_the_settings_page_does(
    client_for, programme_admin, account_a, django_capture_on_commit_callbacks
):
    from community.services.engagement import engagement_history_compute
    from tests.community.reference_engagement import differences

    engagement_history_compute(days=3)
    client = client_for(programme_admin)
    initial = client.get("/admin/community/engagementmodel/add/").context["adminform"].form.initial
    data = {key: value for key, value in initial.items() if key != "weights"}
    data.update(weights='{"visit": 2}', threshold_observing=5, note="A lower first level")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/community/engagementmodel/add/", data)

    assert response.status_code == 302
    run = EngagementRun.objects.get()
    assert (run.kind, run.day) == (EngagementRunKind.FULL, timezone.localdate())
    versions = dict(
        EngagementSnapshot.objects.filter(account=account_a).values_list("day", "model_version")
    )
    assert versions[timezone.localdate()] == 2
    assert set(versions.values()) == {1, 2}  # the days before keep the version of their day
    assert differences([account_a.pk]) == []


def test_activity_events_are_not_added_or_edited_in_the_admin(
    client_for, programme_admin, account_a
):
    event = ActivityEvent.objects.create(
        account=account_a, kind=ActivityKind.VISIT, occurred_at=timezone.now()
    )
    client = client_for(programme_admin)

    added = client.post(
        "/admin/community/activityevent/add/",
        {"account": account_a.pk, "kind": "referral", "occurred_at_0": "2026-01-01"},
    )
    changed = client.post(
        f"/admin/community/activityevent/{event.pk}/change/",
        {"account": account_a.pk, "kind": "referral", "occurred_at_0": "2026-01-01"},
    )

    assert (added.status_code, changed.status_code) == (403, 403)
    assert list(ActivityEvent.objects.values_list("kind", flat=True)) == [ActivityKind.VISIT]


def test_deleting_an_event_in_the_admin_repairs_its_accounts_history_from_its_day(
    client_for, programme_admin, account_a
):
    from community.services.engagement import engagement_history_compute, engagement_repair
    from tests.community.reference_engagement import differences

    member = customer(account_a)
    wrong, kept = (
        ActivityEvent.objects.create(
            account=account_a,
            user=member,
            kind=kind,
            occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        )
        for kind, days_ago in ((ActivityKind.REFERRAL, 6), (ActivityKind.VISIT, 2))
    )
    engagement_history_compute(days=10)
    EngagementRepair.objects.all().delete()

    response = client_for(programme_admin).post(
        f"/admin/community/activityevent/{wrong.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert list(ActivityEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    mark = EngagementRepair.objects.get(account=account_a)
    assert mark.since == timezone.localdate(wrong.occurred_at)
    assert differences([account_a.pk]) != []  # the days since still count the referral
    engagement_repair(account_ids=[account_a.pk])
    assert differences([account_a.pk]) == []


def test_the_admin_refuses_a_version_with_bad_thresholds_and_saves_nothing(
    client_for, programme_admin
):
    client = client_for(programme_admin)
    initial = client.get("/admin/community/engagementmodel/add/").context["adminform"].form.initial
    data = {key: value for key, value in initial.items() if key != "weights"}
    data.update(weights='{"visit": 1}', threshold_participating=60)

    response = client.post("/admin/community/engagementmodel/add/", data)

    assert response.status_code == 200
    assert "Level thresholds must increase" in response.content.decode()
    assert EngagementModel.objects.count() == 1


def test_versions_cannot_be_changed_or_deleted_in_the_admin(client_for, programme_admin):
    client = client_for(programme_admin)
    version = EngagementModel.objects.get()

    client.post(f"/admin/community/engagementmodel/{version.pk}/change/", {"hold_days": 1})
    response = client.post(
        f"/admin/community/engagementmodel/{version.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 403
    assert EngagementModel.objects.get().hold_days == 14


def test_the_admin_action_recomputes_every_account(
    client_for, programme_admin, account_a, account_b, django_capture_on_commit_callbacks
):
    version = EngagementModel.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(programme_admin).post(
            "/admin/community/engagementmodel/",
            {"action": "recompute_all_now", "_selected_action": [version.pk]},
        )

    assert response.status_code == 302
    assert set(EngagementSnapshot.objects.values_list("account_id", flat=True)) == {
        account_a.pk,
        account_b.pk,
    }


def test_the_admin_recomputes_the_accounts_of_chosen_snapshots(
    client_for, programme_admin, account_a, account_b, django_capture_on_commit_callbacks
):
    old = EngagementSnapshot.objects.create(
        account=account_a,
        day=dt.date(2026, 1, 1),
        score=5,
        level="dormant",
        activity=0,
        breadth=0,
        co_creation=0,
        model_version=1,
    )

    with django_capture_on_commit_callbacks(execute=True):
        client_for(programme_admin).post(
            "/admin/community/engagementsnapshot/",
            {"action": "recompute_accounts_now", "_selected_action": [old.pk]},
        )

    today = timezone.localdate()
    assert set(EngagementSnapshot.objects.values_list("account_id", "day")) == {
        (account_a.pk, old.day),
        (account_a.pk, today),
    }


def test_customers_and_account_managers_cannot_reach_the_engine_in_the_admin(
    client_for, member_a, account_manager_a
):
    for user in (member_a, account_manager_a):
        response = client_for(user).post(
            "/admin/community/engagementmodel/",
            {"action": "recompute_all_now", "_selected_action": ["1"]},
        )
        assert response.status_code == 302  # to the admin's login page
        assert "/admin/login/" in response.url
    assert EngagementRun.objects.count() == 0
