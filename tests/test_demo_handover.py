"""The demo's printed account manager takes over the account with the most open alerts when
none of hers has one (demo.data.todos.demo_key_account_handover), so that her home says what
needs her; an account manager with alerts of her own keeps her accounts."""

from __future__ import annotations

import pytest

from accounts.models import AccountTeamAssignment, InternalRole, TeamRole
from community.models import Alert, AlertReason
from demo.data.people import INTERNAL_DOMAIN
from demo.data.todos import demo_key_account_handover
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal

pytestmark = pytest.mark.django_db


def _alert(account, reason=AlertReason.LEVEL_DROPPED) -> Alert:
    details = {"day": "2026-11-30", "from_level": "participating", "to_level": "observing"}
    return Alert.objects.create(account=account, reason=reason, details=details)


@pytest.fixture
def team():
    carol = internal(InternalRole.ACCOUNT_MANAGER, email=f"carol.jensen@{INTERNAL_DOMAIN}")
    sven = internal(InternalRole.ACCOUNT_MANAGER, email=f"sven.holm@{INTERNAL_DOMAIN}")
    healthy = TeamAssignmentFactory(user=carol, account=AccountFactory(name="Healthy")).account
    once = TeamAssignmentFactory(user=sven, account=AccountFactory(name="Once")).account
    twice = TeamAssignmentFactory(user=sven, account=AccountFactory(name="Twice")).account
    _alert(once)
    _alert(twice)
    _alert(twice, reason=AlertReason.SCORE_FELL)
    resolved = _alert(healthy)
    Alert.objects.filter(pk=resolved.pk).update(
        resolved_at=resolved.raised_at, resolution="no_longer_true", resolution_note="Back up"
    )
    return carol, sven, healthy, once, twice


def _managers(account) -> list[str]:
    return list(
        AccountTeamAssignment.objects.filter(
            account=account, role=TeamRole.ACCOUNT_MANAGER
        ).values_list("user__email", flat=True)
    )


def test_the_printed_manager_takes_over_the_account_with_the_most_open_alerts(team):
    carol, sven, healthy, once, twice = team

    demo_key_account_handover()
    demo_key_account_handover()  # once is enough

    assert _managers(twice) == [carol.email]
    assert _managers(once) == [sven.email] and _managers(healthy) == [carol.email]


def test_a_manager_with_open_alerts_of_her_own_keeps_her_accounts(team):
    carol, sven, healthy, once, twice = team
    _alert(healthy, reason=AlertReason.SCORE_FELL)

    demo_key_account_handover()

    assert _managers(twice) == [sven.email] and _managers(healthy) == [carol.email]
