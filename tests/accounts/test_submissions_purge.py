"""Form tokens and API idempotency keys are kept for their retention, then purged by an hourly
beat task (accounts.submissions.submissions_purge): tokens after FORM_TOKEN_RETENTION_DAYS,
keys after IDEMPOTENCY_KEY_RETENTION_HOURS; younger rows stay and still stop a repeat."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts import submissions
from accounts.models import FormSubmission, IdempotentRequest
from accounts.tasks import submissions_purge_task


def _token(user, name: str, *, age: timedelta) -> FormSubmission:
    row = FormSubmission.objects.create(user=user, token=name, path="/ideas/new/", url="/ideas/1/")
    FormSubmission.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    return row


def _key(name: str, *, age: timedelta) -> IdempotentRequest:
    row = IdempotentRequest.objects.create(caller="user:1", key=name, fingerprint="f" * 64)
    IdempotentRequest.objects.filter(pk=row.pk).update(created_at=timezone.now() - age)
    return row


def test_old_tokens_and_keys_go_and_young_ones_stay(member_a):
    days = timedelta(days=settings.FORM_TOKEN_RETENTION_DAYS)
    hours = timedelta(hours=settings.IDEMPOTENCY_KEY_RETENTION_HOURS)
    _token(member_a, "old", age=days + timedelta(minutes=1))
    _token(member_a, "young", age=days - timedelta(minutes=1))
    _key("old", age=hours + timedelta(minutes=1))
    _key("young", age=hours - timedelta(minutes=1))

    result = submissions_purge_task.delay().get()

    assert result == {"form_tokens": 1, "idempotency_keys": 1}
    assert list(FormSubmission.objects.values_list("token", flat=True)) == ["young"]
    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == ["young"]


def test_the_retention_follows_the_settings(settings, member_a):
    settings.FORM_TOKEN_RETENTION_DAYS = 30
    settings.IDEMPOTENCY_KEY_RETENTION_HOURS = 1
    _token(member_a, "ten-days", age=timedelta(days=10))
    _key("two-hours", age=timedelta(hours=2))

    assert submissions.submissions_purge() == (0, 1)
    assert FormSubmission.objects.filter(token="ten-days").exists()


def test_it_deletes_in_chunks_and_a_second_run_deletes_nothing(monkeypatch, member_a):
    monkeypatch.setattr(submissions, "PURGE_CHUNK", 2)
    for n in range(5):
        _token(member_a, f"old-{n}", age=timedelta(days=settings.FORM_TOKEN_RETENTION_DAYS + 1))

    assert submissions.submissions_purge() == (5, 0)
    assert submissions.submissions_purge() == (0, 0)
    assert not FormSubmission.objects.exists()


def test_beat_runs_the_purge_every_hour():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-old-submissions"]

    assert entry["task"] == submissions_purge_task.name
    assert entry["schedule"].hour == set(range(24))
    assert len(entry["schedule"].minute) == 1
