"""Markdown that people write (posts, harvests) rendered to HTML that is safe to show.

Two locks: markdown-it renders with raw HTML turned off (a `<script>` typed in a post comes
out as text) and refuses `javascript:`-style links; nh3 then keeps only the tags and
attributes below and links to http(s) and mailto, so nothing executable reaches the page
even if one lock fails.

Rendering is a pure function of the text, and the same bodies are shown again and again (a
harvest's body on every page of the feed, in the API's lists: a quarter of /api/v1/harvests/'s
CPU), so each process keeps the HTML of the last texts it rendered (up to
`_REMEMBERED` of them, each up to `_REMEMBERED_LENGTH` characters). A sanitiser fix still reaches
every old post: the next process renders them again.
"""

from __future__ import annotations

import functools
import html as html_entities
import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "del", "s", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


_REMEMBERED = 1024
_REMEMBERED_LENGTH = 20_000


def markdown_render(text: str) -> SafeString:
    """HTML for `text`, with links marked rel="nofollow noopener noreferrer ugc"."""
    text = text or ""
    if len(text) > _REMEMBERED_LENGTH:
        return _render(text)
    return _render_remembered(text)


@functools.lru_cache(maxsize=_REMEMBERED)
def _render_remembered(text: str) -> SafeString:
    return _render(text)


def _render(text: str) -> SafeString:
    html = _renderer.render(text)
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer ugc",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


def markdown_plain(text: str) -> str:
    """The words of `text` without its markup, on one line ("What does your **first week**
    look like?" → "What does your first week look like?"): for excerpts in notifications,
    emails and chat messages, which show text, never HTML."""
    stripped = nh3.clean(_renderer.render(text or ""), tags=set(), attributes={})
    return re.sub(r"\s+", " ", html_entities.unescape(stripped)).strip()
