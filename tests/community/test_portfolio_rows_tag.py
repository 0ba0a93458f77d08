"""The portfolio's rows tag (community/templatetags/portfolio_tags.py) writes what the template's
loop wrote, byte for byte: rows with and without a score, a trend line, last activity, a
renewal date and open alerts; markup in names; no rows at all. The loop below is the one the
template had before the tag."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template, engines
from django.utils import timezone

from accounts.models import Account
from community.selectors.engagement import Sparkline
from community.selectors.portfolio import PortfolioRow

TEMPLATE_LOOP = (
    "{% load formats levels %}"
    "  {% for row in rows %}{% with a=row.account spark=row.sparkline %}"
    '\n    <tr>\n      <th scope="row"><a href="{% url \'community:account-engagement\' '
    'a.slug %}">{{ a.name }}</a></th>\n      <td>{% level_badge a.engagement_level %}</td>\n'
    '      <td>{{ a.engagement_score|floatformat:1|default:"—" }}</td>\n      <td class="trend">'
    '{% if spark.drawable %}<svg class="sparkline" width="{{ spark.width }}" '
    'height="{{ spark.height }}" viewBox="0 0 {{ spark.width }} {{ spark.height }}" '
    'aria-hidden="true" focusable="false"><polyline points="{{ spark.points }}" fill="none" '
    'stroke="currentColor" stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>'
    '</svg><br>{% endif %}<small class="trend-summary">{{ spark.summary }}</small></td>\n'
    "      <td>{% if a.last_activity_at %}<time datetime=\"{{ a.last_activity_at|date:'c' }}\">"
    '{{ a.last_activity_at|day }}</time> <small class="muted">({{ a.last_activity_at|relative }})'
    '</small>{% else %}<span class="muted">None yet</span>{% endif %}</td>\n'
    '      <td class="nowrap">{{ a.renewal_date|day }}</td>\n'
    "      <td>{% if a.open_alerts %}<a href=\"{% url 'community:alert-inbox' %}"
    '?account={{ a.slug }}">{{ a.open_alerts }}</a>{% else %}<span class="muted">0</span>'
    "{% endif %}</td>\n"
    '      <td class="nowrap" data-value="{{ row.gave }}/{{ row.got }}"><a href="{% url '
    "'community:account-value-exchanged' a.slug %}\">{{ row.gave }} / {{ row.got }}"
    '<span class="visually-hidden">: gave {{ row.gave }}, got {{ row.got }} back</span></a>'
    "</td>\n      <td>{{ a.get_segment_display }}</td>\n    </tr>\n  {% endwith %}{% empty %}"
    '\n    <tr><td colspan="9">No account matches these filters.</td></tr>\n  {% endfor %}'
)


def _row(name, slug, *, score, level, last, renewal, alerts, segment, spark, gave, got):
    account = Account(name=name, slug=slug, segment=segment, renewal_date=renewal)
    account.engagement_score, account.engagement_level = score, level
    account.last_activity_at, account.open_alerts = last, alerts
    return PortfolioRow(account=account, level_label="", sparkline=spark, gave=gave, got=got)


def _rows():
    now = timezone.now()
    line = Sparkline(points="0.0,27.0 60.0,10.5 120.0,1.0", summary="up 12 points in 90 days")
    point = Sparkline(points="120.0,14.0", summary="one snapshot so far")
    return [
        _row(
            "Redwood <Energy> & Sons",
            "redwood-energy",
            score=Decimal("63.25"),
            level="engaged",
            last=now - dt.timedelta(days=3, hours=2),
            renewal=dt.date(2027, 3, 31),
            alerts=12,
            segment="enterprise",
            spark=line,
            gave=1234,
            got=7,
        ),
        _row(
            'Quote "Co"',
            "quote-co",
            score=None,
            level=None,
            last=None,
            renewal=None,
            alerts=0,
            segment="mid_market",
            spark=point,
            gave=0,
            got=0,
        ),
        _row(
            "Zero score",
            "zero-score",
            score=Decimal("0"),
            level="at_risk",
            last=now - dt.timedelta(minutes=5),
            renewal=dt.date(2026, 1, 2),
            alerts=1,
            segment="",
            spark=line,
            gave=3,
            got=1000,
        ),
    ]


@pytest.mark.parametrize("rows", [_rows(), _rows()[1:2], []], ids=["three", "one", "none"])
def test_the_tag_writes_what_the_template_wrote(rows):
    old = Template(TEMPLATE_LOOP, engine=engines["django"].engine).render(Context({"rows": rows}))
    new = Template(
        "{% load portfolio_tags %}  {% portfolio_table_rows rows %}",
        engine=engines["django"].engine,
    ).render(Context({"rows": rows}))

    assert new == old
    assert ("&lt;Energy&gt; &amp; Sons" in new) is bool(rows and len(rows) == 3)
