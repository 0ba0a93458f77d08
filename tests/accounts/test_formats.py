"""accounts/formats.py: how dates, money and sentence ends are written for people, and the
template filters that call it (docs/formats.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone

from accounts.formats import (
    end_sentence,
    format_date,
    format_date_range,
    format_datetime,
    format_decimal,
    format_money,
    format_month,
    format_relative,
)

# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (dt.date(2026, 11, 22), "22 Nov 2026"),
        (dt.date(2027, 1, 3), "3 Jan 2027"),
        ("2026-11-22", "22 Nov 2026"),  # as JSON details keep a day
        (None, "—"),
        ("", "—"),
    ],
)
def test_a_day_is_written_day_month_year(value, written):
    assert format_date(value) == written


def test_a_moment_gives_its_day_in_the_sites_time_zone(settings):
    settings.TIME_ZONE = "Europe/Amsterdam"
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)  # 1 Jan 2027, 00:30 in Amsterdam

    with timezone.override("Europe/Amsterdam"):
        assert format_date(late) == "1 Jan 2027"
        assert format_datetime(late) == "1 Jan 2027, 00:30"


def test_a_month_is_written_short():
    assert format_month(dt.date(2021, 4, 1)) == "Apr 2021"
    assert format_month(None) == "—"


@pytest.mark.parametrize(
    ("start", "end", "written"),
    [
        (dt.date(2026, 12, 15), dt.date(2027, 6, 13), "15 Dec 2026 – 13 Jun 2027"),
        (dt.date(2027, 3, 15), dt.date(2027, 6, 13), "15 Mar – 13 Jun 2027"),
        (dt.date(2027, 6, 13), dt.date(2027, 6, 13), "13 Jun 2027"),
        (dt.date(2026, 12, 15), None, "from 15 Dec 2026"),
        (None, dt.date(2027, 6, 13), "until 13 Jun 2027"),
        (None, None, "—"),
    ],
)
def test_a_range_keeps_both_years_when_they_differ(start, end, written):
    assert format_date_range(start, end) == written


# --- Money ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "written"),
    [
        (Decimal("50589.00"), "EUR", "€50,589"),
        (Decimal("12541.50"), "EUR", "€12,541.50"),
        (Decimal("12541.5"), "USD", "$12,541.50"),
        (Decimal("239000"), "GBP", "£239,000"),
        (Decimal("1200"), "CHF", "CHF\u00a01,200"),  # no clear symbol: the code
        (Decimal("1234.56"), "JPY", "¥1,235"),  # the yen has no cents
        (Decimal("0"), "EUR", "€0"),
        (Decimal("0.004"), "EUR", "€0"),
        (Decimal("-300"), "EUR", "−€300"),
        (Decimal("-1234.5"), "GBP", "−£1,234.50"),
        (Decimal("-0.001"), "EUR", "€0"),  # no minus before nothing
        (1234567, "EUR", "€1,234,567"),
        (None, "EUR", "—"),
    ],
)
def test_money_is_written_with_its_currency(amount, currency, written):
    assert format_money(amount, currency) == written


def test_contract_values_are_whole_units_rounded_half_up():
    assert format_money(Decimal("50589.49"), "EUR", whole=True) == "€50,589"
    assert format_money(Decimal("50589.50"), "EUR", whole=True) == "€50,590"
    assert format_money(Decimal("-50589.50"), "EUR", whole=True) == "−€50,590"


def test_an_amount_without_a_currency_is_the_grouped_number():
    assert format_money(Decimal("50589"), "") == "50,589"


# --- Sentence ends ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ended"),
    [
        ("Redwood Energy B.V.", "Redwood Energy B.V."),
        ("Acme Industrial", "Acme Industrial."),
        ("Globex Inc.", "Globex Inc."),
        ("Are we there?", "Are we there?"),
        ("Wait…", "Wait…"),
        ("Trailing space ", "Trailing space."),
    ],
)
def test_a_sentence_ends_with_one_full_stop(text, ended):
    assert end_sentence(text) == ended


# --- The template filters -------------------------------------------------------------------


def _render(source: str, **context) -> str:
    return Template("{% load formats %}" + source).render(Context(context))


def test_the_filters_write_dates_and_money_as_the_functions_do():
    rendered = _render(
        "{{ d|day }}|{% day_range a b %}|{{ v|contract_value:'EUR' }}|{{ m|money:'GBP' }}|"
        "{{ nothing|day }}",
        d=dt.date(2026, 11, 22),
        a=dt.date(2026, 12, 15),
        b=dt.date(2027, 6, 13),
        v=Decimal("50589.40"),
        m=Decimal("12541.50"),
        nothing=None,
    )

    assert rendered == "22 Nov 2026|15 Dec 2026 – 13 Jun 2027|€50,589|£12,541.50|—"


def test_end_sentence_escapes_the_name_and_does_not_double_the_full_stop():
    rendered = _render(
        "Accepted for {{ a|end_sentence }} Then {{ b|end_sentence }}",
        a="Redwood Energy B.V.",
        b="<b>Smith & Sons</b>",
    )

    assert rendered == (
        "Accepted for Redwood Energy B.V. Then &lt;b&gt;Smith &amp; Sons&lt;/b&gt;."
    )


def test_full_stop_ends_a_sentence_after_a_name_in_markup_once():
    rendered = _render(
        "for <strong>{{ a }}</strong>{{ a|full_stop }}"
        " for <strong>{{ b }}</strong>{{ b|full_stop }}",
        a="Redwood Energy B.V.",
        b="Acme",
    )

    assert rendered == "for <strong>Redwood Energy B.V.</strong> for <strong>Acme</strong>."


NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (NOW - dt.timedelta(seconds=20), "just now"),
        (NOW - dt.timedelta(minutes=1), "1 minute ago"),
        (NOW - dt.timedelta(minutes=45), "45 minutes ago"),
        (NOW - dt.timedelta(hours=12, minutes=45), "13 hours ago"),
        (NOW + dt.timedelta(hours=2), "in 2 hours"),
        (dt.date(2026, 12, 5), "today"),
        (dt.date(2026, 12, 4), "yesterday"),
        (dt.date(2026, 12, 6), "tomorrow"),
        (dt.date(2026, 11, 22), "13 days ago"),
        (dt.date(2026, 12, 30), "in 4 weeks"),
        (dt.date(2027, 2, 3), "in 2 months"),  # 60 days: not "1 month, 4 weeks"
        (dt.date(2024, 12, 1), "2 years ago"),
        (None, "—"),
    ],
)
def test_relative_is_one_rounded_unit_as_people_say_it(settings, value, said):
    settings.TIME_ZONE = "UTC"
    assert format_relative(value, now=NOW) == said


# --- Figures prepared in bulk -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        0.0,
        1.0,
        0.125,
        0.135,
        0.005,
        0.015,
        0.994999,
        0.995,
        0.5,
        1 / 3,
        2 / 3,
        -0.001,
        -0.25,
        12.345,
        99.995,
        Decimal("0.125"),
        Decimal("-0.004"),
        7,
    ],
)
@pytest.mark.parametrize("places", [1, 2])
def test_format_decimal_writes_what_floatformat_writes(value, places):
    template = Template(f"{{{{ value|floatformat:{places} }}}}")

    assert format_decimal(value, places) == template.render(Context({"value": value}))


def test_format_decimal_agrees_with_floatformat_on_a_run_of_fractions():
    template = Template("{% for v in values %}{{ v|floatformat:2 }} {% endfor %}")
    values = [n / 997 for n in range(-20, 998)]

    written = template.render(Context({"values": values})).split()

    assert written == [format_decimal(v, 2) for v in values]


def test_a_segment_is_named_by_its_label_and_anything_else_as_it_is():
    from accounts.models import Segment, segment_label

    assert [segment_label(segment.value) for segment in Segment] == [s.label for s in Segment]
    assert segment_label("mid_market") == "Mid-market"
    assert segment_label("") == "" and segment_label("no such segment") == "no such segment"
