"""An account's pilots and feedback: the htmx fragment its engagement page loads
(community/account_engagement.html), since community does not import ideas."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from community.access.engagement import access_account_engagement, sees_engagement_details
from ideas.selectors.account_pilots import account_pilots as account_pilots_list


@login_required
@require_safe
def account_pilots(request: HttpRequest, slug: str) -> HttpResponse:
    """The pilots the account enrolled in, the check-ins its members gave and still owe, and
    for internal readers the account's own perception figures. The same readers as the
    engagement page: another account's customers 404, its members who are not its admin 403."""
    account = access_account_engagement(request.user, slug)
    details = sees_engagement_details(request.user)
    return render(
        request,
        "ideas/_account_pilots.html",
        {
            "account": account,
            "details": details,
            "rows": account_pilots_list(account=account, perception=details),
        },
    )
