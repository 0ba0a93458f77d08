"""The demo's harvests: kinds, audiences reaching beyond the garden, reads over the levels, and
a Dormant account's member who sees a recommendation with an invitation to join."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from community.models import Harvest, HarvestRead
from community.selectors.harvests import harvest_home, harvest_reach
from demo.data.harvests import _dormant_member


@pytest.mark.django_db
def test_the_demo_publishes_harvests_that_travel_and_recommends_one_to_a_dormant_member(
    client,
):
    call_command("seed_demo", accounts=30, members=4.0, days=60, stdout=io.StringIO())

    harvests = Harvest.objects.all()
    assert harvests.count() == 8
    assert set(harvests.values_list("kind", flat=True)) == {
        "you_said_we_did",
        "playbook",
        "result",
    }
    assert set(harvests.values_list("audience", flat=True)) == {"garden", "segments", "all"}
    assert not harvests.filter(published_at__isnull=True).exists()
    assert HarvestRead.objects.filter(outside_garden=True).exists()
    admin = User.objects.get(email="ada.lovelace@customergarden.example")
    levels = {r["level"] for h in harvests for r in harvest_reach(harvest=h, viewer=admin).rows}
    assert len(levels - {""}) >= 2  # read by accounts at several levels at the time

    member = _dormant_member()
    assert member is not None
    home = harvest_home(user=member)
    assert home.level == "dormant"
    assert any(h.can_join for h in home.recommended)
    client.force_login(member)
    page = client.get("/").content.decode()
    assert "Recommended for you" in page and "Join the garden" in page
