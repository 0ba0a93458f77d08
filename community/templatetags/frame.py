"""The frame's template tags: the navigation's count badges and the breadcrumbs of deep pages
(docs/architecture.md, "The frame"). The navigation itself is built by
community/context_processors.py."""

from __future__ import annotations

from django import template
from django.urls import reverse

from config.routes import asset as _asset
from config.routes import route as _route

register = template.Library()


@register.simple_tag
def route(name: str) -> str:
    """`{% url name %}` for a route without arguments, reversed once per process
    (config/routes.py): the frame's links."""
    return _route(name)


@register.simple_tag
def asset(path: str) -> str:
    """`{% static path %}`, found once per process (config/routes.py): the page's head."""
    return _asset(path)


def _count(context, key: str) -> int:
    value = context.get(f"nav_count_{key}", 0)
    if callable(value):
        value = value()
    return int(value or 0)


@register.simple_tag(takes_context=True)
def nav_count(context, entry) -> int:
    """What needs attention under a navigation entry: an item's count, or the sum of its
    group's items' counts (from the context's `nav_count_<key>` variables)."""
    keys = getattr(entry, "count_keys", None)
    if keys is None:
        keys = [entry.count_key] if entry.count_key else []
    return sum(_count(context, key) for key in keys)


@register.inclusion_tag("frame/breadcrumbs.html")
def breadcrumbs(*trail):
    """`{% breadcrumbs "Accounts" accounts_url account.name account_url "History" %}`: pairs of
    (label, url) leading to the page, then the page's own label (not a link). An empty url
    shows its label as plain text (a group with no page of its own, such as Settings). Labels
    that name people must already have gone through `person_name`."""
    pairs = list(trail)
    current = pairs.pop() if len(pairs) % 2 else ""
    crumbs = [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]
    return {"crumbs": crumbs, "current": current}


@register.inclusion_tag("frame/breadcrumbs.html", takes_context=True)
def account_breadcrumbs(context, account, *trail):
    """Breadcrumbs of a page of one account: "Accounts › Acme › …" for internal users, "Our
    account › …" for the account's own people (their account page is a top-level page of
    their navigation, so it has none)."""
    if context.get("nav_persona") == "customer":
        root = ["Our account", account.get_absolute_url()]
    else:
        root = [
            "Accounts",
            reverse("accounts:account-list"),
            account.name,
            account.get_absolute_url(),
        ]
    if not trail:
        root = root[:-1]  # the account page itself: its name is the current step
        if len(root) == 1:
            return {"crumbs": [], "current": ""}
    return breadcrumbs(*root, *trail)
