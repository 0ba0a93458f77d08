"""The landing page (gardens: community/views/gardens.py; notifications:
community/views/notifications.py). Every home starts with "What needs you": the person's
to-dos from community/selectors/todos.py, then the persona's own content."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import access as account_access
from accounts import selectors as account_selectors
from accounts.models import Account, InternalRole, User
from community.access.gardens import visible_gardens
from community.selectors.account_levels import account_levels
from community.selectors.gardens import home_gardens
from community.selectors.harvests import harvest_home
from community.selectors.todos import todos_for


def internal_persona(user: User) -> str:
    """Which internal home a person gets: programme admin, product manager or account team."""
    if user.has_role(InternalRole.PROGRAMME_ADMIN) or user.is_superuser:
        return "programme_admin"
    if user.has_role(InternalRole.PRODUCT_MANAGER):
        return "product_manager"
    return "account_team"


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The landing page after login, one per persona, "What needs you" first."""
    user = request.user
    todos = todos_for(user=user)
    membership = account_access.customer_membership(user)
    if membership is not None:
        account = membership.account
        colleagues = account_selectors.account_members_shown(account_id=account.pk)
        return render(
            request,
            "community/home_customer.html",
            {
                "todos": todos,
                "account": account,
                "membership": membership,
                "colleagues": colleagues,
                # (a member's own home: the account has members, counted with the first)
                "colleague_count": colleagues[0].total if colleagues else 0,
                "team": account_selectors.account_team_list(account_id=account.pk),
                "gardens": home_gardens(user=user, account_id=account.pk),
                "harvests": harvest_home(user=user),  # the harvest feed
            },
        )
    accounts = account_access.visible_accounts(user)
    # Assigned among all accounts: an account team's visible ones are its assigned ones
    # already, and the same semi-join twice makes PostgreSQL misjudge the rows (a probe of
    # every account by its key instead of one pass). Visible ones are none only for a person
    # who may not sign in.
    assigned = account_access.assigned_accounts(
        user, accounts=Account.objects.all() if user.is_active else Account.objects.none()
    )
    rows = list(account_selectors.account_list(accounts=assigned, sort="renewal_date")[:50])
    levels = account_levels(account_ids=[a.pk for a in rows])  # one query for the badges
    for row in rows:
        row.engagement_level = levels.get(row.pk)
    return render(
        request,
        "community/home_internal.html",
        {
            "todos": todos,
            "persona": internal_persona(user),
            "assigned": rows,
            "assigned_count": assigned.count(),
            "visible_count": accounts.count(),
            "renewing": account_selectors.accounts_renewing(accounts=accounts)[:10],
            "gardens": visible_gardens(user)[:6],
        },
    )
