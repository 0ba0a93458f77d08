"""config.html's `html_format` and `html_rows` give what Django's `format_html` and
`format_html_join` give, for every kind of value a page writes: text with markup and quotes,
safe strings, lazy translations, numbers, None, dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils.functional import lazystr
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from config.html import html_format, html_rows

VALUES = [
    "plain",
    "<script>alert('x')</script> & \"quoted\"",
    mark_safe("<b>already safe</b> & kept"),
    lazystr("<i>lazy</i> & 'text'"),
    gettext_lazy("Ideas"),
    42,
    -3.5,
    Decimal("63.250"),
    None,
    dt.date(2026, 12, 6),
    "",
    "émoji 🌱 < >",
]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_html_format_escapes_each_value_as_format_html_does(value):
    mine = html_format('<td title="{}">{}</td>', value, value)

    assert mine == format_html('<td title="{}">{}</td>', value, value)
    assert isinstance(mine, SafeString)


def test_html_rows_writes_what_format_html_join_writes():
    rows = [(a, b) for a in VALUES for b in VALUES[:4]]
    mine = html_rows("\n<tr><td>{}</td><td>{}</td></tr>", rows)

    assert mine == format_html_join("", "\n<tr><td>{}</td><td>{}</td></tr>", rows)
    assert isinstance(mine, SafeString)
    assert "<script>" not in mine and "&lt;script&gt;" in mine


def test_html_rows_of_nothing_is_empty_and_safe():
    assert html_rows("<li>{}</li>", []) == format_html_join("", "<li>{}</li>", [])
    assert isinstance(html_rows("<li>{}</li>", []), SafeString)
