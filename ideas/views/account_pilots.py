"""An account's pilots and feedback: the htmx fragment its engagement page loads
(community/account_engagement.html), since community does not import ideas; opened directly,
the same inside the frame."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from community.access.engagement import access_account_engagement, sees_engagement_details
from config.fragments import fragment_response
from ideas.selectors.account_pilots import account_pilots as account_pilots_list
from ideas.selectors.calibration import account_expectation_drift, account_people_perception


@login_required
@require_safe
def account_pilots(request: HttpRequest, slug: str) -> HttpResponse:
    """The pilots the account enrolled in, the check-ins its members gave and still owe, and
    for internal readers the account's own perception figures and its expectation drift. The
    same readers as the engagement page: another account's customers 404, its members who are
    not its admin 403."""
    account = access_account_engagement(request.user, slug)
    details = sees_engagement_details(request.user)
    # For internal readers the pilots' figures and the drift come from one read of the members'
    # answers, and the drift's pilots are the rows' own.
    people = account_people_perception(account=account) if details else None
    rows = account_pilots_list(account=account, perception=details, people=people)
    return fragment_response(
        request,
        "ideas/_account_pilots.html",
        {
            "account": account,
            "details": details,
            "rows": rows,
            # The account's expectation across its pilots: for its team (internal readers).
            "drift": account_expectation_drift(
                account=account, people=people, pilots_read=[row.pilot for row in rows]
            )
            if details
            else None,
        },
        title=f"Pilots and feedback of {account.name}",
        parent_url=reverse("community:account-engagement", args=[account.slug]),
        parent_label=f"{account.name}'s engagement",
    )
