"""Every route of the site, found by walking the URL configuration, with sample values for its
parameters: the route tests (anonymous visitors, security headers) take their list from here."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

SAMPLES = {
    "slug": "acme",
    "pk": "1",
    "token": "not-a-token",
    "uidb64": "MQ",
    "question_id": "1",
    "dimension_id": "1",
    "kind": "mention",
    "post_pk": "1",
    "key": "0123456789abcde",  # an API token's first characters
    "token_key": "0123456789abcde",
    "provider_id": "account-1",  # allauth's name for an account's identity provider
    "organization_slug": "account-1",  # the same name in allauth's SAML URLs
    "domain": "acme.example",  # an account's email domain
}


def _routes(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), space)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"


def route_url(route: str) -> str:
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: SAMPLES[m.group(1)], route)  # regex
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES[m.group(1)], route)  # path()
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    return "/" + route


ALL_ROUTES = [
    (route, name)
    for route, name in _routes(get_resolver().url_patterns)
    if not route.startswith("admin/")  # the admin has its own login; see the last test
]
