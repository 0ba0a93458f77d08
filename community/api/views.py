from rest_framework import viewsets

from community.access import access_garden, visible_gardens
from community.api.serializers import GardenSerializer
from community.models import Garden


class GardenViewSet(viewsets.ReadOnlyModelViewSet):
    """Gardens the caller may see (writes come with the community issue)."""

    queryset = Garden.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = GardenSerializer
    lookup_field = "slug"
    filterset_fields = ["theme", "visibility"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        return visible_gardens(self.request.user)

    def get_object(self) -> Garden:
        return access_garden(self.request.user, self.kwargs["slug"])
