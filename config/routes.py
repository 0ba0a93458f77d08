"""The address of a route without arguments, reversed once per process: the frame (the
navigation's links and menus, the bell) asks the same dozen on every page, and each `reverse`
costs tens of microseconds (issue 16, item 3).

`route(name)` is `reverse(name)`, kept per script prefix and URL configuration (so another
prefix or ROOT_URLCONF, as some tests set, gets its own). In templates: `{% load frame %}
{% route 'logout' %}` for `{% url 'logout' %}`.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse


def route(name: str) -> str:
    """`reverse(name)`, kept (the same address)."""
    return _route(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@cache
def _route(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)
