from rest_framework import serializers

from community.models import Garden


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
