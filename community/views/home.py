"""The landing page (gardens: community/views/gardens.py; notifications:
community/views/notifications.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import access as account_access
from accounts import selectors as account_selectors
from accounts.models import InternalRole
from community.access.gardens import visible_gardens
from community.selectors.harvests import harvest_home


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
                "harvests": harvest_home(user=user),  # the harvest feed
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
