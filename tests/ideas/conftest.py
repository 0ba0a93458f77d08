"""Fixtures the ideas modules share. A module that needs a different `pilot` (or `garden`, `idea`)
defines its own, which takes the place of this one for that module."""

from __future__ import annotations

import pytest

from ideas.models import Phase
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
