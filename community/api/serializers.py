from rest_framework import serializers

from community.models import Garden, Notification


class GardenSerializer(serializers.ModelSerializer):
    theme_label = serializers.CharField(read_only=True)

    class Meta:
        model = Garden
        fields = [
            "id",
            "name",
            "slug",
            "theme",
            "theme_label",
            "description",
            "visibility",
            "created_at",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationsReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=500,
        help_text="The notifications to mark as read; all unread ones when left out.",
    )


class NotificationsReadResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()
