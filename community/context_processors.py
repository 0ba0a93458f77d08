"""Site-wide template context: the navigation that fits the role, and the header counts."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from accounts.access import customer_membership, sees_all_accounts
from accounts.models import InternalRole
from community.selectors.alerts import header_counts, open_alert_count


def notifications(request: HttpRequest) -> dict:
    """The unread count for the bell in the navigation (one query per page, shared with the
    navigation's open alert count)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": header_counts(user=user)[0]}


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_persona": None}
    items = [("Home", reverse("community:home"))]
    membership = customer_membership(user)
    if membership is not None:
        persona = "customer"
        items.append(("Gardens", reverse("community:garden-list")))
        items.append(("Harvests", reverse("community:harvest-list")))
        items.append(("Ideas", reverse("ideas:idea-list")))
        items.append(("Our account", membership.account.get_absolute_url()))
    else:
        persona = "internal"
        items.append(("Portfolio", reverse("community:portfolio")))
        alerts = open_alert_count(user=user)  # one query
        items.append((f"Alerts ({alerts} open)", reverse("community:alert-inbox")))
        items.append(("Insights", reverse("community:insights")))
        label = "All accounts" if sees_all_accounts(user) else "My accounts"
        items.append((label, reverse("accounts:account-list")))
        items.append(("Gardens", reverse("community:garden-list")))
        items.append(("Harvests", reverse("community:harvest-list")))
        items.append(("Ideas", reverse("ideas:idea-list")))
        if user.has_perm("ideas.moderate_idea"):
            items.append(("Board", reverse("ideas:board")))
        if user.has_role(InternalRole.PROGRAMME_ADMIN) or user.is_superuser:
            items.append(("Engagement model", reverse("community:engagement-model")))
            items.append(("Webhooks", reverse("community:webhooks")))
            items.append(("Audit trail", reverse("accounts:audit-trail")))
            items.append(("Admin", reverse("admin:index")))
    items.append(("Pilots", reverse("ideas:pilot-list")))
    items.append(("API", reverse("api-docs")))
    return {
        "nav_items": items,
        "nav_persona": persona,
        "nav_membership": membership,
    }
