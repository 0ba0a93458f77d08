"""Factories and helpers for the harvest tests (tests/community/test_harvests*.py)."""

from __future__ import annotations

import factory
from django.utils import timezone

from community.models import (
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    Harvest,
    HarvestAudience,
    HarvestKind,
)


class HarvestFactory(factory.django.DjangoModelFactory):
    """A published harvest aimed at every customer (override audience/garden/published_at)."""

    class Meta:
        model = Harvest

    title = factory.Sequence(lambda n: f"Harvest {n}")
    slug = factory.Sequence(lambda n: f"harvest-{n}")
    summary = "What we learnt, in two sentences."
    body = "We tried it **together**."
    kind = HarvestKind.PLAYBOOK
    audience = HarvestAudience.ALL
    published_at = factory.LazyFunction(timezone.now)


def join(garden, user) -> GardenMembership:
    """`user` (a customer) joins `garden`, as garden_join would record it."""
    return GardenMembership.objects.create(
        garden=garden, user=user, account=user.membership.account
    )


def accept(garden, account) -> GardenAccount:
    """`account` accepted its invitation to the (invite-only) garden."""
    return GardenAccount.objects.create(
        garden=garden, account=account, status=GardenAccountStatus.ACCEPTED
    )
