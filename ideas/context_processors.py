"""Site-wide template context of ideas: the count of the navigation's "Board" badge (ideas
awaiting a product manager's review). The navigation itself is community's
(community/context_processors.py), which must not import ideas; it reads this count from the
context variable `nav_count_review`."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest

from ideas.selectors.ideas import ideas_awaiting_review_count


def navigation_counts(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: counted (one query, moderators only) when the navigation is drawn, not for fragments.
    return {"nav_count_review": cache(lambda: ideas_awaiting_review_count(user=user))}
