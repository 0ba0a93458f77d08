"""The pages of an account's timelines (customer activity, the account team's support) on its
engagement page: `activity_timeline` paginated as `Paginator(…).get_page(number)` pages it,
with the first page's rows, the one nearly every visit shows, read by SQL written once per
process (`config.sql_once.SqlOnce`: building and compiling the query, three joins for the
people and the offline record, cost more than running it; docs/cpu-per-request.md)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from accounts.models import Account
from community.models import ActivityEvent
from community.selectors.engagement import TIMELINE_PAGE_SIZE, activity_timeline
from config.sql_once import SqlOnce


def _first_page(support: bool) -> SqlOnce:
    return SqlOnce(
        ActivityEvent,
        lambda account_id: activity_timeline(account=Account(pk=account_id), support=support)[
            :TIMELINE_PAGE_SIZE
        ],
        account_id=int,
    )


_FIRST_PAGES = {support: _first_page(support) for support in (False, True)}


def activity_timeline_page(*, account: Account, support: bool, number) -> Page:
    """Page `number` of the account's customer events or support events, newest first (an
    invalid number gives the first page, one past the end the last, as `get_page`)."""
    paginator = Paginator(activity_timeline(account=account, support=support), TIMELINE_PAGE_SIZE)
    page = paginator.get_page(number)
    if page.number == 1 and page.paginator.count:  # no events: no page read, as before
        page.object_list = _FIRST_PAGES[support].all(account_id=account.pk)
    return page
