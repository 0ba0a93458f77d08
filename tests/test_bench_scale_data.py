"""The full-size data set (`manage.py bench_scale_data`, `make bench-scale`), built tiny: its
counts follow the scale, it has the demo's shape (every level, skewed activity), every
constraint holds, a second run reuses it, and the app's screens answer on it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account, InternalRole, Membership, User
from community.models import (
    ActivityEvent,
    EngagementLevel,
    EngagementSnapshot,
    GardenMembership,
    Notification,
    Post,
    Thread,
)
from demo.benchmarks.scale_data import counts, data_ensure
from demo.benchmarks.scale_people import EMAIL_DOMAIN, SLUG_PREFIX
from demo.benchmarks.scale_sql import DAYS, targets
from ideas.models import Answer, Enrolment, Idea, Pilot, Vote

# One worker builds the module's data once (its fixture), not each worker its own copy.
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.needs_postgres,
    pytest.mark.xdist_group("bench_scale_data"),
]

SCALE = 0.002  # 40 accounts, 500 customer users, 40,000 events, 200 posts, 1,000 notifications
# More ideas, votes and pilots than the scale gives (the demo under it has 12 ideas and 4
# pilots), so that they are copied too.
SIZES = {"ideas": 20, "votes": 120, "comments": 60, "pilots": 9}


def _rows(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


@pytest.fixture(scope="module")
def scale_data(django_db_setup, django_db_blocker):
    """Built once for the module's tests, in a transaction rolled back after the last."""
    lines: list[str] = []
    with django_db_blocker.unblock(), transaction.atomic():
        built = data_ensure(scale=SCALE, rebuild=False, say=lines.append, sizes=SIZES)
        yield built, lines
        transaction.set_rollback(True)


def test_its_counts_follow_the_scale(scale_data):
    size = {**targets(SCALE), **SIZES}
    built, lines = scale_data
    assert not built.reused
    # Progress per table, with rows and rows per second.
    assert any(line.strip().startswith("activity events") and "rows/s" in line for line in lines)

    rows = counts()
    assert rows["accounts"] == size["accounts"] == 40
    assert rows["customer users"] == size["customers"] == 500
    assert rows["posts"] == size["posts"]
    assert rows["notifications"] == size["notifications"]
    assert rows["ideas"] == size["ideas"]
    assert rows["votes"] == size["votes"]
    assert rows["idea comments"] == size["comments"]
    assert rows["pilots"] == size["pilots"]
    # The bulk's events, and on top the pilot events of the copied pilots' enrolments and
    # submitted answers (as the ideas services record them).
    copied = Pilot.objects.order_by("pk")[4:]
    pilot_events = ActivityEvent.objects.filter(pilot_ref__in=[p.pk for p in copied]).count()
    assert pilot_events > 0
    assert rows["activity events"] == size["events"] + pilot_events
    # A year of daily snapshots for every account the bulk added.
    new = Account.objects.filter(slug__startswith=SLUG_PREFIX)
    assert EngagementSnapshot.objects.filter(account__in=new).count() == new.count() * DAYS
    # The copied pilots have people who answered.
    assert Enrolment.objects.filter(pilot__in=copied).exists()
    assert Answer.objects.filter(response__enrolment__pilot__in=copied).exists()


def test_it_has_every_level_and_skewed_activity(scale_data):
    today = timezone.localdate()
    levels = set(
        EngagementSnapshot.objects.filter(day=today).values_list("level", flat=True).distinct()
    )
    assert levels == set(EngagementLevel.values)
    history = set(EngagementSnapshot.objects.filter(day__lt=today).values_list("level", flat=True))
    assert history == set(EngagementLevel.values)

    per_account = sorted(
        (
            count
            for (count,) in _rows(
                f"SELECT count(*) FROM {ActivityEvent._meta.db_table} GROUP BY account_id"  # noqa: S608
            )
        ),
        reverse=True,
    )
    top = per_account[: max(1, len(per_account) // 10)]
    assert sum(top) > 0.4 * sum(per_account)
    # A year: the oldest event about a year ago, none in the future.
    oldest, newest = _rows(
        f"SELECT min(occurred_at), max(occurred_at) FROM {ActivityEvent._meta.db_table}"  # noqa: S608
    )[0]
    assert (timezone.now() - oldest).days >= DAYS - 10
    assert newest <= timezone.now()


def test_every_constraint_holds(scale_data):
    # Deferred foreign keys are checked now: any row pointing nowhere fails here.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # A thread's post count and last post are its visible posts'.
    assert not _rows(
        f"""
        SELECT t.id FROM {Thread._meta.db_table} t
        LEFT JOIN {Post._meta.db_table} p ON p.thread_id = t.id AND p.hidden_at IS NULL
        GROUP BY t.id HAVING t.post_count <> count(p.id) OR t.last_post_at <> max(p.created_at)
        """  # noqa: S608
    )
    # Garden members speak for their own account; posts, ideas and votes come from members.
    assert not _rows(
        f"""
        SELECT g.id FROM {GardenMembership._meta.db_table} g
        LEFT JOIN {Membership._meta.db_table} m
            ON m.user_id = g.user_id AND m.account_id = g.account_id
        WHERE m.id IS NULL
        """  # noqa: S608
    )
    voters = Vote.objects.filter(idea__in=Idea.objects.order_by("-pk")[:8])
    for vote in voters.select_related("idea")[:200]:
        assert GardenMembership.objects.filter(garden=vote.idea.garden, user=vote.user_id).exists()
    for enrolment in Enrolment.objects.all():
        assert Membership.objects.filter(
            user_id=enrolment.user_id, account_id=enrolment.account_id
        ).exists()
    # Every level's day is the start of its run: never after the day itself.
    assert not EngagementSnapshot.objects.filter(level_since__gt=F("day")).exists()
    # The bulk's notifications are to its own customer users (the demo's, about a quarter at
    # this size, to the demo's people).
    to_new = Notification.objects.filter(user__email__endswith=f"@{EMAIL_DOMAIN}").count()
    assert to_new >= 0.7 * targets(SCALE)["notifications"]


def test_a_second_run_reuses_it(scale_data):
    before = counts()
    out = io.StringIO()
    call_command("bench_scale_data", scale=SCALE, stdout=out)
    assert "Reusing the data set at scale 0.002" in out.getvalue()
    assert counts() == before
    # Another scale is not mixed into it.
    with pytest.raises(CommandError, match="holds the data set at scale 0.002: --rebuild"):
        call_command("bench_scale_data", scale=0.003, stdout=io.StringIO())
    assert counts() == before


def test_the_screens_answer_on_it(scale_data, client):
    manager = User.objects.filter(groups__name=InternalRole.ACCOUNT_MANAGER.value).order_by("pk")[0]
    client.force_login(manager)
    assert client.get(reverse("community:portfolio")).status_code == 200
    busiest = (
        Account.objects.filter(slug__startswith=SLUG_PREFIX, team_assignments__user=manager)
        .order_by("pk")
        .first()
    )
    assert busiest is not None  # she serves new accounts too
    page = reverse("community:account-engagement", kwargs={"slug": busiest.slug})
    assert client.get(page).status_code == 200

    customer = Membership.objects.filter(account=busiest).order_by("pk")[0].user
    client.force_login(customer)
    assert client.get("/").status_code == 200
    assert client.get(reverse("ideas:idea-list")).status_code == 200
