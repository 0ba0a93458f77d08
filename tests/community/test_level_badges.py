"""Engagement levels look the same on every page: one badge ({% level_badge %}), each level its
own colour and always its name (never colour alone), the colours' text readable (≥ 4.5:1)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

from accounts.models import Segment
from community.models import Alert, AlertReason, EngagementLevel
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory
from tests.community.factories import EngagementSnapshotFactory
from tests.ideas.factories import PilotFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"
GARDEN_CSS = Path(settings.BASE_DIR) / "static" / "css" / "garden.css"
LEVELS = EngagementLevel.choices


def _badge(value: str, label: str) -> str:
    return re.compile(
        rf'<span class="badge level level-{value}" data-level="{value}" data-rank="\d">'
        rf"{re.escape(label)}</span>"
    ).pattern


def _render(text: str, **context) -> str:
    return Template("{% load levels %}" + text).render(Context(context))


@pytest.mark.parametrize(("value", "label"), LEVELS)
def test_a_level_given_by_value_or_by_label_is_its_own_badge_with_its_name(value, label):
    by_value = _render("{% level_badge level %}", level=value)
    by_label = _render("{% level_badge level %}", level=label)

    assert re.fullmatch(_badge(value, label), by_value)
    assert by_label == by_value
    rank = EngagementLevel.values.index(value) + 1
    assert f'data-rank="{rank}"' in by_value


@pytest.mark.parametrize("level", [None, "", "not_computed", "none"])
def test_an_account_without_a_level_says_so_in_words(level):
    shown = _render("{% level_badge level %}", level=level)
    assert shown == (
        '<span class="badge level level-none" data-level="none">Not computed yet</span>'
    )
    assert ">Level not known yet<" in _render(
        '{% level_badge level empty="Level not known yet" %}', level=level
    )


def _tokens() -> dict[str, str]:
    return dict(re.findall(r"(--garden-[\w-]+):\s*(#[0-9a-fA-F]{6})", GARDEN_CSS.read_text()))


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("value", EngagementLevel.values)
def test_each_levels_text_is_readable_on_its_own_colour(value):
    tokens = _tokens()
    background = tokens[f"--garden-level-{value}-bg"]
    text = tokens[f"--garden-level-{value}-fg"]

    assert contrast(background, text) >= 4.5
    assert f".level-{value} {{" in GARDEN_CSS.read_text()


def test_the_levels_have_distinct_colours_and_the_focus_ring_stands_out():
    tokens = _tokens()
    solids = [tokens[f"--garden-level-{v}"] for v in EngagementLevel.values]
    backgrounds = [tokens[f"--garden-level-{v}-bg"] for v in EngagementLevel.values]

    assert len(set(solids)) == len(solids)
    assert len(set(backgrounds)) == len(backgrounds)
    assert contrast(tokens["--garden-focus"], "#ffffff") >= 3


# A level printed raw ({{ x.level_label }}, {{ s.get_level_display }}, …) instead of through the
# badge. Attribute values (data-level="{{ row.level }}") and plain-text emails are not shown
# as badges.
_RAW_LEVEL = re.compile(
    r'(?<!=")\{\{\s*[\w.]*(level_label|get_level_display|engagement_level|\.level|from_label'
    r"|to_label)\s*(\|[^}]*)?\}\}"
)


def test_no_page_template_prints_a_level_without_the_badge():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        if "email" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if _RAW_LEVEL.search(line):
                offenders.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert offenders == []


# --- The pages that show a level -------------------------------------------------------------


def _snapshot(account, level: str, days_ago: int = 0) -> None:
    EngagementSnapshotFactory(
        account=account,
        day=timezone.localdate() - dt.timedelta(days=days_ago),
        level=level,
        score=10 + 15 * EngagementLevel.values.index(level),
    )


def test_the_portfolio_shows_every_level_as_its_badge(client_for, account_manager_a):
    for value, _label in LEVELS:
        account = AccountFactory(name=f"Level {value}", segment=Segment.ENTERPRISE)
        TeamAssignmentFactory(account=account, user=account_manager_a)
        _snapshot(account, value)

    page = client_for(account_manager_a).get("/portfolio/").content.decode()

    for value, label in LEVELS:
        assert re.search(_badge(value, label), page), value
    assert 'data-level="none">Not computed yet</span>' in page  # account_a has no snapshot


def test_an_accounts_engagement_page_and_its_detail_page_show_its_level(
    client_for, account_manager_a, account_a
):
    _snapshot(account_a, "observing", days_ago=1)
    _snapshot(account_a, "contributing")
    client = client_for(account_manager_a)

    engagement = client.get(f"/accounts/{account_a.slug}/engagement/").content.decode()
    detail = client.get(f"/accounts/{account_a.slug}/").content.decode()

    current = re.search(r'id="current-level">(.*?)</span></span>', engagement).group(1)
    assert re.search(_badge("contributing", "Contributing"), current + "</span>")
    assert re.search(_badge("observing", "Observing"), engagement)  # the history's table
    level_line = re.search(r'<span id="account-level">(.*?</span>)</span>', detail).group(1)
    assert re.search(_badge("contributing", "Contributing"), level_line)


def test_an_alert_of_a_level_drop_shows_both_levels(client_for, account_manager_a, account_a):
    Alert.objects.create(
        account=account_a,
        reason=AlertReason.LEVEL_DROPPED,
        details={"day": "2026-06-30", "from_level": "participating", "to_level": "observing"},
    )

    page = client_for(account_manager_a).get("/alerts/?state=all").content.decode()

    change = re.search(r'<span class="level-change">(.*?)</span>\s*</td>', page, re.S).group(1)
    assert re.search(_badge("participating", "Participating"), change)
    assert re.search(_badge("observing", "Observing"), change)


def test_a_pilots_invited_accounts_show_their_levels(client_for, product_manager):
    enterprise = AccountFactory(name="Co-creators", segment=Segment.ENTERPRISE)
    newcomer = AccountFactory(name="Newcomers", segment=Segment.ENTERPRISE)
    _snapshot(enterprise, "co_creating")
    _snapshot(newcomer, "dormant")
    pilot = PilotFactory(accounts=[enterprise, newcomer])

    page = client_for(product_manager).get(f"/pilots/{pilot.pk}/").content.decode()

    assert re.search(_badge("co_creating", "Co-creating"), page)
    assert re.search(_badge("dormant", "Dormant"), page)
