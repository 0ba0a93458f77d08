"""{% garden_threads garden as threads %}: the garden home's active threads (one query)."""

from __future__ import annotations

from django import template

from community.selectors import discussions as selectors

register = template.Library()

GARDEN_HOME_THREADS = 5


@register.simple_tag(takes_context=True)
def garden_threads(context, garden) -> list:
    """The most active threads the reader sees, with `author_label` and `is_new`. One query:
    the threads with their authors, accounts and the reader's last visit (a subquery)."""
    user = context["request"].user
    threads = selectors.garden_active_threads(user=user, garden=garden, limit=GARDEN_HOME_THREADS)
    selectors.thread_author_labels(threads=threads, user=user, garden=garden)
    return threads
