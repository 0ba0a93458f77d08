"""The demo's last builder awards the milestones of the demo history (and tells no one of
history); running it again awards nothing more."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from community.models import Milestone, MilestoneKind, Notification
from demo.data.recognition import demo_recognition_build

pytestmark = pytest.mark.django_db


def test_the_demo_has_badges_and_a_second_run_adds_none():
    call_command("seed_demo", accounts=6, members=4.0, days=60, stdout=io.StringIO())

    kinds = set(Milestone.objects.values_list("kind", flat=True))
    assert {
        MilestoneKind.FIRST_IDEA,
        MilestoneKind.FIRST_VOTE,
        MilestoneKind.FIRST_FEEDBACK,
    } <= kinds
    assert MilestoneKind.FIRST_HARVEST_PUBLISHED in kinds
    assert not Notification.objects.filter(kind="badge_awarded").exists()
    assert demo_recognition_build().milestones == 0
