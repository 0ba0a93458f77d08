"""The Django admin of community: gardens, activity events, engagement model versions, snapshots
and runs, alerts, loyalty outcomes, bad times, imports, notifications (and their failed
emails) and webhooks (programme admins)."""

from django import forms
from django.contrib import admin, messages

from accounts.outbox import enqueue
from community.models import (
    ActivityEvent,
    Alert,
    BadTime,
    EngagementModel,
    EngagementRepair,
    EngagementRun,
    EngagementSnapshot,
    Garden,
    GardenAccount,
    GardenMembership,
    ImportBatch,
    LoyaltyOutcome,
    Notification,
    WebhookDelivery,
    WebhookEndpoint,
)
from community.models.chat_channels import ChatChannel, ChatDelivery
from community.models.engagement import MODEL_FIELDS
from community.selectors.engagement_model import engagement_model_active
from community.services.engagement import activity_events_delete
from community.services.engagement_model import engagement_model_activate
from community.tasks import engagement_recompute_accounts_task, engagement_recompute_all_task


class GardenAccountInline(admin.TabularInline):
    """Invited accounts of an invite-only garden (answers go through the pages and the API)."""

    model = GardenAccount
    extra = 0
    raw_id_fields = ["account", "invited_by", "responded_by"]
    readonly_fields = ["responded_at"]


@admin.register(Garden)
class GardenAdmin(admin.ModelAdmin):
    list_display = ["name", "theme", "visibility", "shows_other_members", "created_at"]
    list_filter = ["theme", "visibility", "shows_other_members"]
    search_fields = ["name", "description", "custom_theme"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["created_by", "stewards"]  # (stewards: internal users; see the garden form)
    fields = [
        "name",
        "slug",
        ("theme", "custom_theme"),
        "description",
        "charter",
        ("visibility", "shows_other_members"),
        "stewards",
        "created_by",
    ]
    inlines = [GardenAccountInline]


@admin.register(GardenMembership)
class GardenMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "garden", "joined_at"]
    list_filter = ["garden"]
    search_fields = ["user__email", "account__name", "garden__name"]
    raw_id_fields = ["user", "account", "garden"]
    list_select_related = ["user", "account", "garden"]


@admin.register(ActivityEvent)
class ActivityEventAdmin(admin.ModelAdmin):
    """Recorded by the product (offline events on the account's page): shown, not added or
    edited here. Deleting one (a correction) goes through the engine's service, which marks
    the account's history for repair from the event's day."""

    list_display = ["kind", "account", "user", "occurred_at", "is_support"]
    list_filter = ["kind", "is_support"]
    raw_id_fields = ["account", "user"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        activity_events_delete(events=ActivityEvent.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        activity_events_delete(events=queryset)


# --- Engagement engine ---------------------------------------------------------------------


class EngagementModelForm(forms.ModelForm):
    """A new version: the active version's numbers to start from; saving activates it."""

    class Meta:
        model = EngagementModel
        fields = [*MODEL_FIELDS, "note"]


@admin.register(EngagementModel)
class EngagementModelAdmin(admin.ModelAdmin):
    """Versions are never edited: "Add" makes a new version and activates it, with its full
    recompute of today (the engine's service, as the settings page does); existing versions are
    shown read-only."""

    form = EngagementModelForm
    list_display = ["version", "is_active", "created_at", "created_by", "note"]
    actions = ["recompute_all_now"]

    def get_changeform_initial_data(self, request):
        active = engagement_model_active()
        return {name: getattr(active, name) for name in MODEL_FIELDS}

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # snapshots name their version

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in MODEL_FIELDS}
        created = engagement_model_activate(
            created_by=request.user, note=form.cleaned_data["note"], **values
        )
        obj.pk, obj.version, obj.is_active = created.pk, created.version, created.is_active

    @admin.action(
        description="Recompute every account now (whichever versions are ticked)",
        permissions=["add"],
    )
    def recompute_all_now(self, request, queryset):
        enqueue(engagement_recompute_all_task)
        self.message_user(
            request,
            "A full recompute for today has been queued; the workers run it in chunks.",
            messages.SUCCESS,
        )


@admin.register(EngagementSnapshot)
class EngagementSnapshotAdmin(admin.ModelAdmin):
    """Written by the engine only: shown, and recomputed on request."""

    list_display = ["account", "day", "score", "level", "level_since", "model_version"]
    list_filter = ["level", "model_version"]
    search_fields = ["account__name"]
    date_hierarchy = "day"
    list_select_related = ["account"]
    actions = ["recompute_accounts_now"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Recompute these accounts for today now", permissions=["view"])
    def recompute_accounts_now(self, request, queryset):
        account_ids = sorted(set(queryset.values_list("account_id", flat=True)))
        enqueue(engagement_recompute_accounts_task, account_ids)
        self.message_user(
            request,
            f"A recompute of {len(account_ids)} accounts has been queued.",
            messages.SUCCESS,
        )


@admin.register(EngagementRun)
class EngagementRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "kind", "day", "accounts", "chunks"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EngagementRepair)
class EngagementRepairAdmin(admin.ModelAdmin):
    """The accounts waiting for a history repair (the next scheduled run takes them)."""

    list_display = ["account", "since", "marked_at"]
    search_fields = ["account__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "reason",
        "raised_at",
        "acknowledged_at",
        "resolved_at",
        "resolution",
    ]
    list_filter = ["reason", "resolution"]
    raw_id_fields = ["account", "acknowledged_by", "resolved_by"]

    def has_change_permission(self, request, obj=None):
        return False  # acknowledged and resolved in the inbox, through the services


@admin.register(LoyaltyOutcome)
class LoyaltyOutcomeAdmin(admin.ModelAdmin):
    list_display = ["account", "kind", "occurred_on", "amount", "source"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["account", "recorded_by"]
    date_hierarchy = "occurred_on"


@admin.register(BadTime)
class BadTimeAdmin(admin.ModelAdmin):
    """Bad times, shown only: recorded through community.services.robustness (the account's
    page, the API, an import, the ideas app's hooks)."""

    list_display = ["account", "kind", "occurred_on", "reference", "source"]
    list_filter = ["kind", "source"]
    raw_id_fields = ["account", "recorded_by"]
    date_hierarchy = "occurred_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications, shown only. Filtered by "email failed at", the emails that could not be
    sent for good, with the reason (community.services.notification_emails)."""

    list_display = [
        "created_at",
        "user",
        "kind",
        "title",
        "email_delivery",
        "emailed_at",
        "email_failed_at",
        "email_error",
    ]
    list_filter = [("email_failed_at", admin.EmptyFieldListFilter), "email_delivery"]
    list_select_related = ["user"]
    search_fields = ["user__email", "email_error"]
    show_full_result_count = False  # a long table: no second COUNT(*) per page

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    """Shown only: endpoints are added, rotated and deactivated on /settings/webhooks/."""

    list_display = ["url", "active", "description", "rotation_ends_at"]
    exclude = ["secret", "previous_secret"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["endpoint", "event", "summary", "status", "attempts", "created_at"]
    list_filter = ["status", "event"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChatChannel)
class ChatChannelAdmin(admin.ModelAdmin):
    """Shown only, without its URL (a secret): channels are set on their settings pages."""

    list_display = ["name", "provider", "account", "garden", "last_posted_at", "last_result"]
    list_filter = ["provider", "last_succeeded"]
    exclude = ["url"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChatDelivery)
class ChatDeliveryAdmin(admin.ModelAdmin):
    """What was told to which channel, and how its post went (failures with the reason)."""

    list_display = [
        "channel",
        "kind",
        "shown_title",
        "delivery",
        "status",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "kind", "delivery"]
    exclude = ["title", "body"]  # they may hold the {actor} slot: `shown_title` names them
    readonly_fields = ["shown_title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
