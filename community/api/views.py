import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from community import selectors, services
from community.access import access_garden, access_notification, visible_gardens
from community.api.serializers import (
    GardenSerializer,
    NotificationSerializer,
    NotificationsReadResultSerializer,
    NotificationsReadSerializer,
)
from community.models import Garden, Notification


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


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind"]


class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The caller's own notifications, newest first."""

    queryset = Notification.objects.none()  # for the schema; get_queryset scopes it
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)

    def get_object(self) -> Notification:
        pk = self.kwargs["pk"]
        return access_notification(self.request.user, int(pk) if str(pk).isdigit() else 0)

    @extend_schema(
        request=NotificationsReadSerializer, responses={200: NotificationsReadResultSerializer}
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        data = NotificationsReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(
            user=request.user, ids=data.validated_data.get("ids")
        )
        unread = selectors.notifications_unread_count(user=request.user)
        return Response({"marked": marked, "unread": unread})
