"""`manage.py seed_demo` tells the robustness story: a robust account whose score dips after an
incident, is back within weeks and renews, and a fragile one whose score drops after an incident
and does not come back; the ideas' bad times are dated on their decline."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.models import BadTime, BadTimeKind
from community.selectors.robustness import account_robustness
from ideas.models import IdeaStatus, IdeaTransition


def _figures(reference: str):
    bad_time = BadTime.objects.get(reference=reference)
    return next(
        f for f in account_robustness(account=bad_time.account) if f.bad_time.pk == bad_time.pk
    )


@pytest.mark.django_db
def test_the_demo_has_a_robust_and_a_fragile_account():
    call_command("seed_demo", accounts=16, members=3.0, days=240, stdout=io.StringIO())

    robust, fragile = _figures("INC-1042"), _figures("INC-1077")

    assert robust.bad_time.account != fragile.bad_time.account
    assert robust.drop > 0 and 3 <= robust.recovered_in <= 45
    assert robust.renewal.state == "renewed"
    assert fragile.drop > 0 and fragile.recovered_in is None
    assert fragile.renewal.state != "renewed"
    for bad_time in BadTime.objects.filter(kind=BadTimeKind.IDEA_DECLINED):
        idea_id = int(bad_time.reference.removeprefix("idea:"))
        first = (
            IdeaTransition.objects.filter(idea_id=idea_id, to_status=IdeaStatus.DECLINED)
            .order_by("created_at")
            .first()
        )
        assert bad_time.occurred_on == timezone.localdate(first.created_at)
    assert BadTime.objects.filter(kind=BadTimeKind.INCIDENT).count() > 2
