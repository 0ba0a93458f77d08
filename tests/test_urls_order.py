"""The API's URLs come first in config/urls.py (Django tries patterns in order, and walking
past the pages' cost each API call a tenth of its time). That order may decide nothing: no
other pattern matches a path of the API."""

from __future__ import annotations

import re

from django.urls import Resolver404, URLResolver, get_resolver

API_PREFIX = "api/v1/"


def _routes(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        else:
            yield route


def _example(route: str) -> str:
    """A path the route matches: each converter filled with a value of its kind."""
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)  # the routers' groups: [^/.]+, [0-9]+
    path = re.sub(r"<uuid:[^>]+>", "12345678-1234-1234-1234-123456789012", path)
    path = re.sub(r"<[^>]+>", "1", path)  # an int, a slug, a str: 1 is each
    return path.replace("^", "").replace("$", "").replace("\\Z", "")


def _split():
    patterns = get_resolver().url_patterns
    api = [p for p in patterns if str(p.pattern) == API_PREFIX]
    return api, [p for p in patterns if str(p.pattern) != API_PREFIX]


def test_the_api_comes_first():
    assert str(get_resolver().url_patterns[0].pattern) == API_PREFIX


def test_no_other_pattern_matches_a_path_of_the_api():
    api, others = _split()
    routes = list(_routes(api))
    assert len(routes) > 50  # every API route, not a part of them

    shadowed = []
    for route in routes:
        path = _example(route)
        assert get_resolver().resolve("/" + path), route  # the example is a path of the route
        for other in others:
            try:
                match = other.resolve(path)  # a pattern answers None, an include raises
            except Resolver404:
                match = None
            if match:
                shadowed.append((route, str(other.pattern)))
    assert shadowed == []


def test_no_other_route_starts_with_the_api_prefix_or_a_converter():
    _api, others = _split()

    starts = [r for r in _routes(others) if r.startswith((API_PREFIX, "<", "^"))]

    assert starts == []
