import factory

from community.models import Garden, GardenTheme, GardenVisibility


class GardenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Garden

    name = factory.Sequence(lambda n: f"Garden {n}")
    slug = factory.Sequence(lambda n: f"garden-{n}")
    theme = GardenTheme.CUSTOMER_JOURNEY
    description = "Trying out new onboarding journeys together."
    visibility = GardenVisibility.OPEN
