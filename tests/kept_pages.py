"""A page as the kept-SQL tests compare it (tests/*/test_*_kept.py): its status and its HTML with
the per-request tokens (CSRF, CSP nonce, htmx's CSRF header) blanked, so that the page a kept read
gave and the page the ORM gave compare byte for byte."""

from __future__ import annotations

import re

from tests.sql_compiles import compiles_counted

_TOKENS = re.compile(r'(csrfmiddlewaretoken" value="|nonce="|"X-CSRFToken": ")[^"]+')


def page_seen(client, user, path: str) -> tuple[int, str]:
    """`user`'s GET of `path`: (status, HTML with its tokens blanked)."""
    client.force_login(user)
    response = client.get(path)
    return response.status_code, _TOKENS.sub(r"\1", response.content.decode())


def compiled_as_it_opens(
    client, monkeypatch, *, path: str, users, opened: tuple, filtered: tuple, model, shown: str
) -> list:
    """Check that `path` with each of the `opened` queries compiles no SQL of `model` once its
    SQL is kept (for every one of `users`, each page showing `shown`), and that each of the
    `filtered` queries does (for the last user). Returns the list of compiled models, still
    counting (tests.sql_compiles), for further checks."""
    for user in users:
        page_seen(client, user, path)  # the first call keeps the SQL
    compiled = compiles_counted(monkeypatch)
    for user in users:
        for query in opened:
            status, html = page_seen(client, user, f"{path}{query}")
            assert status == 200 and shown in html
    assert model not in compiled
    for query in filtered:
        compiled.clear()
        page_seen(client, users[-1], f"{path}{query}")
        assert model in compiled, query
    return compiled
