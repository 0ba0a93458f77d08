"""community.markdown: a text's HTML is rendered once per process and then remembered; what is
remembered is what rendering gives, and a very long text is rendered every time."""

from __future__ import annotations

from unittest import mock

import pytest

from community import markdown

TEXTS = [
    "",
    "Plain words.",
    "**Bold**, _italic_ and a [link](https://example.com/a?b=1&c=2).",
    "<script>alert(1)</script> and [bad](javascript:alert(1))",
    "| a | b |\n|---|:-:|\n| 1 | 2 |",
    "Ünïcödé — “quotes” and emoji 🌱\nsecond line",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_remembered_rendering_is_the_rendering(text):
    markdown._render_remembered.cache_clear()

    first, again = markdown.markdown_render(text), markdown.markdown_render(text)

    assert first == again == markdown._render(text)
    assert type(again) is type(markdown._render(text))  # still marked safe


def test_a_text_is_rendered_once_and_then_remembered():
    markdown._render_remembered.cache_clear()
    with mock.patch.object(markdown, "_render", wraps=markdown._render) as render:
        for _ in range(3):
            markdown.markdown_render("Said **three** times.")
        markdown.markdown_render("Another text.")

    assert render.call_count == 2


def test_nothing_is_rendered_for_none_but_the_empty_text():
    assert markdown.markdown_render(None) == markdown.markdown_render("") == ""


def test_a_very_long_text_is_rendered_every_time():
    long_text = "word " * (markdown._REMEMBERED_LENGTH // 5 + 1)
    with mock.patch.object(markdown, "_render", wraps=markdown._render) as render:
        markdown.markdown_render(long_text)
        markdown.markdown_render(long_text)

    assert render.call_count == 2
    assert markdown.markdown_render(long_text).startswith("<p>word word")
