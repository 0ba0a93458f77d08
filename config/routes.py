"""The addresses the frame writes on every page, found once per process: the routes without
arguments of the navigation's links and menus and the bell, and the static files of the page's
head. Each `reverse` costs tens of microseconds, each `static` a manifest lookup and a URL join
(issue 16, item 3).

`route(name)` is `reverse(name)`, kept per script prefix and URL configuration (so another
prefix or ROOT_URLCONF, as some tests set, gets its own); `asset(path)` is `static(path)`, kept
per static files storage (a change of STORAGES or STATIC_URL makes a new one). In templates,
`{% load frame %}`, then `{% route 'logout' %}` for `{% url 'logout' %}` and
`{% asset 'css/frame.css' %}` for `{% static 'css/frame.css' %}`.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.files.storage import storages
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse


def route(name: str) -> str:
    """`reverse(name)`, kept (the same address)."""
    return _route(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@cache
def _route(name: str, prefix: str, urlconf: str) -> str:
    return reverse(name, urlconf=urlconf)


def asset(path: str) -> str:
    """`static(path)`, kept (the same address)."""
    return _asset(path, storages["staticfiles"])


@cache
def _asset(path: str, storage) -> str:
    return static(path)
