"""The landing page, gardens and notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from accounts import access as account_access
from accounts import selectors as account_selectors
from accounts.models import InternalRole
from community import selectors, services
from community.access import (
    access_garden,
    access_notification,
    visible_gardens,
)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after login, one per persona (full dashboards come later)."""
    user = request.user
    membership = account_access.customer_membership(user)
    gardens = visible_gardens(user)[:6]
    if membership is not None:
        account = membership.account
        return render(
            request,
            "community/home_customer.html",
            {
                "account": account,
                "membership": membership,
                "colleagues": account_selectors.account_members(account=account)[:12],
                "colleague_count": account.memberships.count(),
                "team": account_selectors.account_team(account=account),
                "gardens": gardens,
            },
        )
    accounts = account_access.visible_accounts(user)
    if user.has_role(InternalRole.PROGRAMME_ADMIN) or user.is_superuser:
        persona = "programme_admin"
    elif user.has_role(InternalRole.PRODUCT_MANAGER):
        persona = "product_manager"
    else:
        persona = "account_team"
    assigned = account_selectors.account_list(
        accounts=accounts.filter(team_assignments__user=user), sort="renewal_date"
    )
    return render(
        request,
        "community/home_internal.html",
        {
            "persona": persona,
            "assigned": assigned[:50],
            "assigned_count": assigned.count(),
            "visible_count": accounts.count(),
            "renewing": account_selectors.accounts_renewing(accounts=accounts)[:10],
            "gardens": gardens,
        },
    )


@login_required
def garden_list(request: HttpRequest) -> HttpResponse:
    return render(request, "community/garden_list.html", {"gardens": visible_gardens(request.user)})


@login_required
def garden_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request, "community/garden_detail.html", {"garden": access_garden(request.user, slug)}
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.notifications_for(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "community/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and follow its link (the user's own only)."""
    notification = access_notification(request.user, pk)
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(notification.url or "community:notification-list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{pluralize(count)} marked as read.")
    return redirect("community:notification-list")
