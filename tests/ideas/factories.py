from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from ideas.instrument import check_ins_create_default, instrument_create_default
from ideas.models import Agreement, Idea, IdeaStatus, Pilot, PilotInvitation, PilotState
from tests.accounts.factories import UserFactory
from tests.community.factories import GardenFactory


class IdeaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Idea

    garden = factory.SubFactory(GardenFactory)
    title = factory.Sequence(lambda n: f"Idea {n}: offline mode for field teams")
    job_to_be_done = "Record inspections where there is no network."
    proposal = "Let the mobile app queue work offline and sync later."
    author = factory.SubFactory(UserFactory)
    status = IdeaStatus.PROPOSED


def _today() -> dt.date:
    return timezone.localdate()


class PilotFactory(factory.django.DjangoModelFactory):
    """A pilot with the default instrument, check-ins and an agreement (version 1)."""

    class Meta:
        model = Pilot
        skip_postgeneration_save = True

    idea = factory.SubFactory(IdeaFactory, status=IdeaStatus.PILOTING)
    title = factory.Sequence(lambda n: f"Pilot {n}: offline sync")
    description = "Four weeks with the offline build of the mobile app."
    what_to_expect = "Sync within a minute of reconnecting; no data lost."
    recruiting_opens = factory.LazyFunction(lambda: _today() - dt.timedelta(days=7))
    runs_from = factory.LazyFunction(lambda: _today() + dt.timedelta(days=7))
    runs_until = factory.LazyFunction(lambda: _today() + dt.timedelta(days=35))
    capacity = 5
    state = PilotState.RECRUITING
    published = True

    @factory.post_generation
    def instrument(obj, create, extracted, **kwargs):
        if create:
            instrument_create_default(pilot=obj)
            check_ins_create_default(pilot=obj)
            Agreement.objects.create(pilot=obj, version=1, text="We keep what we see confidential.")

    @factory.post_generation
    def accounts(obj, create, extracted, **kwargs):
        """PilotFactory(accounts=[a, b]) invites those accounts."""
        for account in extracted or []:
            PilotInvitation.objects.create(pilot=obj, account=account)
