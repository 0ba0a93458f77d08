"""The Django admin of accounts, users, memberships, account teams, invitations and API tokens
(programme admins); roles, removals and deactivation go through the services."""

from django import forms
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from accounts import services
from accounts.forms import AdminLoginForm
from accounts.models import (
    Account,
    AccountTeamAssignment,
    ApiToken,
    Invitation,
    MemberRole,
    Membership,
    ScimToken,
    User,
)
from accounts.views import LoginView


class MembershipInline(admin.TabularInline):
    """Shown, not edited: roles and removals go through the services (last-admin rule)."""

    model = Membership
    extra = 0
    max_num = 0
    can_delete = False
    readonly_fields = ["account", "role", "created_at"]


class TeamInline(admin.TabularInline):
    model = AccountTeamAssignment
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "segment",
        "tier",
        "annual_contract_value",
        "currency",
        "renewal_date",
    ]
    list_filter = ["segment", "tier", "currency"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "job_title"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser makes superusers; programme admins manage roles through groups.
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields.append("is_superuser")
        return fields

    def save_model(self, request, obj, form, change):
        """The "Active" box goes through the service (a member's account repairs its engagement
        history); the other fields are saved as the admin saves them."""
        active = obj.is_active
        if change and "is_active" in form.changed_data:
            obj.is_active = not active  # as stored: the service changes it
            super().save_model(request, obj, form, change)
            services.user_active_set(user=obj, active=active)
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "account", "role"]

    def clean_role(self):
        role = self.cleaned_data["role"]
        stored = Membership.objects.filter(pk=self.instance.pk).first()
        if stored and stored.role == MemberRole.ADMIN and role != MemberRole.ADMIN:
            try:
                services.membership_ensure_another_admin(membership=stored)
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return role


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Changes go through the services, so the last-admin rule holds here too. People are
    removed on the account page (which also deactivates their login), not here."""

    form = MembershipAdminForm
    list_display = ["user", "account", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "account__name"]
    raw_id_fields = ["user", "account"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "account"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            stored = Membership.objects.get(pk=obj.pk)
            services.membership_set_role(membership=stored, role=form.cleaned_data["role"])
        else:
            services.membership_create(user=obj.user, account=obj.account, role=obj.role)


@admin.register(AccountTeamAssignment)
class AccountTeamAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role"]
    list_filter = ["role"]
    raw_id_fields = ["user", "account"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations; an email that could not be sent shows why (filter "email failed at")."""

    list_display = [
        "email",
        "account",
        "role",
        "status",
        "expires_at",
        "accepted_at",
        "send_failed_at",
        "send_error",
    ]
    list_filter = [("send_failed_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "account__name"]
    raw_id_fields = ["account", "invited_by", "accepted_by"]
    readonly_fields = [
        "sent_at",
        "send_failed_at",
        "send_error",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    ]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who holds which tokens, to revoke a leaked one (delete); tokens are made by their owners,
    and nobody, here or anywhere, can read a token back."""

    list_display = ["name", "user", "token_key", "created", "last_used_at", "expiry"]
    search_fields = ["user__email", "name", "token_key"]
    readonly_fields = ["name", "user", "token_key", "created", "last_used_at", "expiry"]
    exclude = ["digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.api_token_revoke(token=obj)

    def delete_queryset(self, request, queryset):
        for token in queryset:
            services.api_token_revoke(token=token)


@admin.register(ScimToken)
class ScimTokenAdmin(admin.ModelAdmin):
    """Every account's SCIM tokens, with who issued and who revoked them (the record stays);
    tokens are made and revoked on the account's page, and nobody can read one back."""

    list_display = ["name", "account", "prefix", "created_by", "created_at", "last_used_at"]
    list_display += ["revoked_at", "revoked_by"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["account__name", "name", "prefix"]
    readonly_fields = list_display
    exclude = ["digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The admin's login checks passwords one at a time per login, as ours does (accounts.lockout).
admin.site.login_form = AdminLoginForm


def _admin_login(request, extra_context=None):
    """The admin's login page, through our login flow: a second factor is asked for here too
    (Django's own admin login would log the session in after the password alone)."""
    if request.method == "GET" and admin.site.has_permission(request):
        return redirect("admin:index")
    context = {
        **admin.site.each_context(request),
        "title": "Log in",
        "subtitle": None,
        "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index")
    context.update(extra_context or {})
    request.current_app = admin.site.name
    return LoginView.as_view(
        authentication_form=AdminLoginForm,
        template_name="admin/login.html",
        extra_context=context,
        redirect_authenticated_user=False,
    )(request)


admin.site.login = _admin_login
