"""A page as the kept-SQL tests compare it (tests/*/test_*_kept.py): its status and its HTML with
the per-request tokens (CSRF, CSP nonce, htmx's CSRF header) blanked, so that the page a kept read
gave and the page the ORM gave compare byte for byte."""

from __future__ import annotations

import re

_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|"X-CSRFToken": ")[^"]+')


def page_seen(client, user, path: str) -> tuple[int, str]:
    """`user`'s GET of `path`: (status, HTML with its tokens blanked)."""
    client.force_login(user)
    response = client.get(path)
    return response.status_code, _TOKENS.sub(r"\1", response.content.decode())
