"""Site-wide template context: the navigation that fits the role, grouped by job, and the
counts of what needs attention (the bell's unread notifications, open alerts, flagged posts).

The navigation (templates/frame/navigation.html; docs/architecture.md, "The frame"):

- **Customers** (members and their admins) get a short bar: Home, Gardens, Ideas, Pilots,
  Harvests, Our account (a menu for the account's admin: its sign-in and history).
- **Internal users** get Home and menus by job: *Accounts*, *Ideas & pilots*, *Community* and,
  for programme admins, *Settings*. Each holds only what the role may open.

The item of the page being shown is the one whose URL is the longest prefix of the path (Home
only on the home page itself); it is marked `aria-current="page"`, its menu as current too.
An item's `count_key` names its badge: the count is read from the context variable
`nav_count_<key>`, set here or by another app's context processor (ideas adds
`nav_count_review` without community importing ideas); `{% nav_count %}` reads it (a
callable is called, once: a count that costs a query is then only paid by pages that show the
navigation, not by htmx fragments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from accounts.access import (
    can_read_audit_trail,
    customer_membership,
    manages_all_accounts,
    sees_all_accounts,
)
from accounts.models import MemberRole
from community.selectors.alerts import header_counts
from config.routes import route


@dataclass
class NavItem:
    label: str
    url: str
    count_key: str = ""  # the badge's count is the context's nav_count_<count_key>
    count_words: str = ""  # what the count counts, read after it by screen readers
    exact: bool = False  # current only on this very path (Home)
    current: bool = False


@dataclass
class NavGroup:
    label: str
    items: list[NavItem] = field(default_factory=list)
    current: bool = False

    @property
    def count_keys(self) -> list[str]:
        return [item.count_key for item in self.items if item.count_key]


def notifications(request: HttpRequest) -> dict:
    """The unread count for the bell in the navigation (one query per page, shared with the
    navigation's open alert count). Lazy, as the counts below: an htmx fragment, which shows
    no bell, costs no query for it (templates call a callable when they read it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": cache(lambda: header_counts(user=user).unread)}


def navigation(request: HttpRequest) -> dict:
    """The main menu of the signed-in person, its current place marked, and community's counts
    (open alerts and flagged posts: read in the bell's one query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_entries": [], "nav_persona": None}
    membership = customer_membership(user)
    if membership is not None:
        entries = _customer_entries(user, membership)
        counts = {}
    else:
        entries = _internal_entries(user)
        # The bell's query, shared; read when the navigation is drawn (`{% nav_count %}` calls
        # them), not for fragments.
        counts = {
            "nav_count_alerts": cache(lambda: header_counts(user=user).alerts),
            "nav_count_flags": cache(lambda: header_counts(user=user).flagged_posts),
        }
    _mark_current(entries, request.path)
    return {
        "nav_entries": entries,
        "nav_persona": "customer" if membership is not None else "internal",
        "nav_membership": membership,
        # the demo's "sent emails" page (demo/views.py), in the user menu while it is on
        "nav_demo_emails": settings.DEMO_EMAILS and apps.is_installed("demo"),
        **counts,
    }


def _customer_entries(user, membership) -> list[NavItem | NavGroup]:
    account = membership.account
    entries: list[NavItem | NavGroup] = [
        NavItem("Home", route("community:home"), exact=True),
        NavItem("Gardens", route("community:garden-list")),
        NavItem("Ideas", route("ideas:idea-list")),
        NavItem("Pilots", route("ideas:pilot-list")),
        NavItem("Harvests", route("community:harvest-list")),
    ]
    overview = NavItem("Our account", account.get_absolute_url())
    if membership.role != MemberRole.ADMIN:
        return [*entries, overview]
    # An account's admin sets its sign-in and reads its history (accounts.access:
    # can_set_identity_provider, access_account_history): no permission query needed.
    slug = account.slug
    group = NavGroup(
        "Our account",
        [
            NavItem("Overview", overview.url),
            NavItem("Sign-in", reverse("accounts:sso-settings", args=[slug])),
            NavItem("Membership history", reverse("accounts:account-history", args=[slug])),
        ],
    )
    return [*entries, group]


def _internal_entries(user) -> list[NavItem | NavGroup]:
    admin = manages_all_accounts(user) or user.is_superuser
    accounts = NavGroup(
        "Accounts",
        [
            NavItem("Portfolio", route("community:portfolio")),
            NavItem("Alerts", route("community:alert-inbox"), "alerts", "open"),
            NavItem("Outcomes", route("community:outcome-list")),
            NavItem("Insights", route("community:insights")),
            NavItem(
                "All accounts" if sees_all_accounts(user) else "My accounts",
                route("accounts:account-list"),
            ),
        ],
    )
    if admin:
        accounts.items.append(NavItem("Imports", route("community:import")))
    ideas = NavGroup("Ideas & pilots", [NavItem("Ideas", route("ideas:idea-list"))])
    if user.has_perm("ideas.moderate_idea"):
        ideas.items.append(NavItem("Board", route("ideas:board"), "review", "to review"))
    ideas.items.append(NavItem("Pilots", route("ideas:pilot-list")))
    community = NavGroup(
        "Community",
        [
            NavItem("Gardens", route("community:garden-list"), "flags", "flagged posts"),
            NavItem("Harvests", route("community:harvest-list")),
        ],
    )
    entries: list[NavItem | NavGroup] = [
        NavItem("Home", route("community:home"), exact=True),
        accounts,
        ideas,
        community,
    ]
    if admin:
        settings = NavGroup(
            "Settings",
            [
                NavItem("Engagement model", route("community:engagement-model")),
                NavItem("Webhooks", route("community:webhooks")),
            ],
        )
        if can_read_audit_trail(user):
            settings.items.append(NavItem("Audit trail", route("accounts:audit-trail")))
        settings.items.append(NavItem("Admin", route("admin:index")))
        entries.append(settings)
    return entries


def _mark_current(entries: list[NavItem | NavGroup], path: str) -> None:
    """Mark the item whose URL is the longest prefix of `path` (exact items: equal only), and
    the group holding it."""
    best: tuple[int, NavItem | None, NavGroup | None] = (0, None, None)
    for entry in entries:
        group = entry if isinstance(entry, NavGroup) else None
        for item in entry.items if group else [entry]:
            matches = path == item.url if item.exact else path.startswith(item.url)
            if matches and len(item.url) > best[0]:
                best = (len(item.url), item, group)
    _, item, group = best
    if item is not None:
        item.current = True
    if group is not None:
        group.current = True
