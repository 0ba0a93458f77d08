"""An idea page's comments (templates/ideas/idea_detail.html).

Written by the template, each of a page's 50 comments cost some fifteen variable lookups, the
naming tag and two filters: the comment list was the larger part of an idea page's CPU, the
page customers open most (issue 16, item 3). Here each comment is one string formatted from
values prepared once: the same HTML (tests/ideas/test_idea_page_tags.py compares the two). The
author is named through `accounts.people.person_name`, as everywhere.

{% load idea_page_tags %}
{% comment_items page.comments idea.garden show_accounts %}   the <li> of each comment
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe

from accounts.formats import format_datetime
from accounts.people import FROM_MEMBERSHIP, person_name
from config.html import html_format, html_rows

register = template.Library()

_ITEM = (
    '\n    <li id="comment-{}"><strong>{}</strong>{}\n'
    '      <small class="muted">{}</small>\n'
    "      {}</li>\n  "
)
_NONE = mark_safe('<li class="muted">No comments yet.</li>')  # noqa: S308 (a constant)
_TEAM = mark_safe(' <span class="badge">Garden team</span>')  # noqa: S308 (a constant)


@register.simple_tag(takes_context=True)
def comment_items(context, comments, garden, show_accounts=False) -> SafeString:
    """The list items of `comments` (a page's, oldest first), their authors named to the
    request's user in `garden`; with `show_accounts`, a customer author's account after their
    name. No comment: the one item that says so."""
    viewer = context["request"].user
    items = html_rows(_ITEM, (_item(c, viewer, garden, show_accounts) for c in comments))
    return items or _NONE


def _item(comment, viewer, garden, show_accounts: bool) -> tuple:
    author = comment.author
    membership = getattr(author, "membership", None) if author is not None else None
    if author is not None and membership is None:
        after = _TEAM  # an internal author: no membership
    elif show_accounts and membership is not None:
        after = html_format(' <small class="muted">({})</small>', membership.account.name)
    else:
        after = ""
    return (
        comment.pk,
        person_name(viewer=viewer, person=author, person_account_id=FROM_MEMBERSHIP, garden=garden),
        after,
        format_datetime(comment.created_at),
        linebreaks_filter(comment.body),
    )
