import factory
from django.utils import timezone

from community.models import Garden, GardenTheme, GardenVisibility


class GardenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Garden

    name = factory.Sequence(lambda n: f"Garden {n}")
    slug = factory.Sequence(lambda n: f"garden-{n}")
    theme = GardenTheme.CUSTOMER_JOURNEY
    description = "Trying out new onboarding journeys together."
    visibility = GardenVisibility.OPEN


class EngagementSnapshotFactory(factory.django.DjangoModelFactory):
    """A day's engagement as the engine would store it (the portfolio and account page tests
    build histories with it; sets only the snapshot's own numbers)."""

    class Meta:
        model = "community.EngagementSnapshot"

    account = factory.SubFactory("tests.accounts.factories.AccountFactory")
    day = factory.LazyFunction(timezone.localdate)
    score = 35
    level = "participating"
    activity = 0.4
    breadth = 0.3
    co_creation = 0.2
    model_version = 1
