"""Which permissions each internal role holds. `roles_sync` turns this into Django groups."""

from __future__ import annotations

from accounts.models import InternalRole

# App labels whose every model permission a programme admin holds (they run the programme and
# use the Django admin).
PROGRAMME_ADMIN_APPS = ("accounts", "community", "ideas", "django_celery_beat")

# Named permissions ("app_label.codename") per role, beyond the admin's app-wide ones.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    InternalRole.ACCOUNT_MANAGER: (),
    InternalRole.CUSTOMER_SUCCESS_MANAGER: (),
    InternalRole.PRODUCT_MANAGER: (
        "accounts.view_all_accounts",
        "ideas.moderate_idea",
        "ideas.manage_pilot",
        "ideas.view_pilot_results",
    ),
    InternalRole.PROGRAMME_ADMIN: (
        "accounts.view_all_accounts",
        "accounts.manage_all_accounts",
    ),
}

# Roles that come with access to the Django admin.
ADMIN_SITE_ROLES = frozenset({InternalRole.PROGRAMME_ADMIN})
