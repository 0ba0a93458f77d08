"""The page header's counts (community.selectors.alerts.header_counts): an internal user's
unread notifications, open alerts and flagged posts come from SQL written once per process for
each shape of their rules (config.sql_once), and equal the counts taken straight from the rows,
for every role and whatever changes between two reads."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import User
from community.models import Alert, AlertReason, Notification, Post, PostFlag
from community.selectors.alerts import header_counts
from tests.accounts.factories import AccountFactory
from tests.community.factories import garden_with, reply, start
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres


def _alert(account, **extra) -> Alert:
    details = {"day": "2026-06-30", "from_level": "participating", "to_level": "observing"}
    return Alert.objects.create(
        account=account, reason=AlertReason.LEVEL_DROPPED, details=details, **extra
    )


def _recount(user: User) -> tuple[int, int, int]:
    """The header's three counts from the rows, by the rules written out plainly."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    open_alerts = Alert.objects.filter(resolved_at__isnull=True)
    if not user.has_perm("accounts.view_all_accounts"):
        open_alerts = open_alerts.filter(account__team_assignments__user=user)
    flagged = Post.objects.filter(
        flags__pk__isnull=False, flags__handled_at__isnull=True
    ).distinct()
    if not (user.is_superuser or user.has_perm("accounts.manage_all_accounts")):
        flagged = flagged.filter(thread__garden__stewards=user)
    if not user.is_active:
        return unread, 0, 0
    return unread, open_alerts.count(), flagged.count()


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # nothing cached on it


@pytest.fixture
def world(account_a, member_a, member_b):
    """Alerts on an assigned and an unassigned account (one of them resolved), flagged posts in
    a garden the account manager stewards and in one they do not, a handled flag, and unread
    and read notifications."""
    _alert(account_a)
    _alert(account_a, resolved_at=timezone.now(), resolution="person", resolution_note="Called")
    _alert(AccountFactory())
    _alert(AccountFactory())
    stewarded = garden_with(member_a)
    elsewhere = garden_with(member_b, name="Field work", slug="field-work")
    posts = []
    for garden, author in ((stewarded, member_a), (elsewhere, member_b), (elsewhere, member_b)):
        post = reply(start(garden, author), author)
        PostFlag.objects.create(post=post, user=author, reason="Spam")
        posts.append(post)
    PostFlag.objects.filter(post=posts[2]).update(handled_at=timezone.now())
    return stewarded


@pytest.mark.parametrize(
    "persona", ["account_manager_a", "product_manager", "programme_admin", "superuser"]
)
def test_each_internal_role_reads_the_counts_the_rows_give(request, world, persona):
    if persona == "superuser":
        viewer = User.objects.create_superuser(email="root@garden.example", password="x-Long-1")
    else:
        viewer = request.getfixturevalue(persona)
    world.stewards.add(viewer)
    for n in range(3):
        Notification.objects.create(user=viewer, kind="mention", title=f"Note {n}")
    read = Notification.objects.filter(user=viewer).order_by("pk")[:1].values("pk")
    Notification.objects.filter(pk__in=read).update(read_at=timezone.now())

    first = header_counts(user=_fresh(viewer))
    assert tuple(first) == _recount(viewer)
    assert first.alerts > 0 and first.flagged_posts > 0 and first.unread == 2

    # The same kept SQL, read again after the rows changed, follows them.
    _alert(AccountFactory())
    Alert.objects.filter(resolved_at__isnull=True).order_by("pk").first().delete()
    PostFlag.objects.update(handled_at=None)
    Notification.objects.create(user=viewer, kind="mention", title="One more")
    assert tuple(header_counts(user=_fresh(viewer))) == _recount(viewer)


def test_an_account_manager_without_a_garden_or_account_counts_nothing_of_others(
    world, product_manager, account_manager_a
):
    account_manager_a.team_assignments.all().delete()
    counts = header_counts(user=_fresh(account_manager_a))
    assert tuple(counts) == (0, 0, 0) == _recount(account_manager_a)
    # and one who sees every account reads every open alert, not only their own
    assert header_counts(user=_fresh(product_manager)).alerts == 3


def test_an_inactive_internal_user_still_has_their_bell_and_no_badges(world, programme_admin):
    Notification.objects.create(user=programme_admin, kind="mention", title="Note")
    User.objects.filter(pk=programme_admin.pk).update(is_active=False)
    assert tuple(header_counts(user=_fresh(programme_admin))) == (1, 0, 0)


def test_one_query_and_no_sql_written_on_the_second_read(
    world, account_manager_a, django_assert_num_queries, monkeypatch
):
    header_counts(user=_fresh(account_manager_a))  # keeps its SQL
    compiled = compiles_counted(monkeypatch)
    viewer = _fresh(account_manager_a)
    viewer.get_all_permissions()  # the permissions and membership reads (their own), not the
    customer_membership(viewer)  # counts'
    compiled.clear()
    with django_assert_num_queries(1):
        header_counts(user=viewer)
    assert compiled == []
