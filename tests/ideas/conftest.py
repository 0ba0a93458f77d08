"""Fixtures the ideas modules share. A module that needs a different `pilot` (or `garden`, `idea`)
defines its own, which takes the place of this one for that module."""

from __future__ import annotations

import pytest

from ideas.models import Phase
from ideas.services import ideas as idea_services
from tests.community.factories import GardenFactory
from tests.ideas.factories import enrolled, running_pilot


@pytest.fixture
def pilot(account_a):
    """A running pilot account A is invited to: the experience check-ins are open."""
    return running_pilot(accounts=[account_a])


@pytest.fixture
def enrolment(pilot, member_a):
    return enrolled(pilot, member_a)


@pytest.fixture
def experience(pilot):
    """The pilot's first experience check-in."""
    return pilot.check_ins.filter(phase=Phase.EXPERIENCE).order_by("position").first()


@pytest.fixture
def garden(db):
    return GardenFactory(name="Field work", slug="field-work")


@pytest.fixture
def idea_text():
    """What `idea` asks for; a module that needs other text (or links) overrides this."""
    return {"job_to_be_done": "Inspect in basements.", "proposal": "Queue work and sync later."}


@pytest.fixture
def idea(garden, member_a, idea_text):
    """ "Offline inspections", proposed by member_a in `garden` through the service."""
    return idea_services.idea_propose(
        garden=garden, author=member_a, title="Offline inspections", **idea_text
    )
