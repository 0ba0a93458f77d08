from django.contrib import admin

from community.models import ActivityEvent, Garden


@admin.register(Garden)
class GardenAdmin(admin.ModelAdmin):
    list_display = ["name", "theme", "visibility", "created_at"]
    list_filter = ["theme", "visibility"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    list_display = ["kind", "account", "user", "occurred_at", "is_support"]
    list_filter = ["kind", "is_support"]
    raw_id_fields = ["account", "user"]
    date_hierarchy = "occurred_at"
