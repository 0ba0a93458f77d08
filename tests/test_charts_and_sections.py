"""Charts are readable (text of at least 12 px, set in one place) and each has its numbers in a
table on the page and an accessible name; the long pages (garden home, account, account
engagement) open with "On this page" links, each to a section that is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from community.models import EngagementSnapshot
from tests.community.factories import EngagementSnapshotFactory, garden_with

ROOT = Path(settings.BASE_DIR)
CHART_SCRIPTS = [
    "engagement-charts.js",
    "insights-chart.js",
    "insights-loyalty-chart.js",
    "pilot-results.js",
    "harvest-reach.js",
    "garden-activity.js",
    "value-exchanged-chart.js",
]


# --- Charts ---------------------------------------------------------------------------------


def test_the_shared_script_sets_every_charts_text_to_at_least_12_px():
    shared = (ROOT / "static/js/garden.js").read_text()

    size = re.search(r"const CHART_FONT_SIZE = (\d+);", shared)
    assert size is not None
    assert int(size.group(1)) >= 12
    assert "window.Chart.defaults.font.size = CHART_FONT_SIZE;" in shared


@pytest.mark.parametrize("script", CHART_SCRIPTS)
def test_no_chart_makes_its_text_smaller_than_12_px(script):
    source = (ROOT / "static/js" / script).read_text()

    sizes = [int(s) for s in re.findall(r"size\s*:\s*(\d+)", source)]
    assert all(size >= 12 for size in sizes), sizes
    assert "Chart.defaults.font" not in source  # set once, in garden.js


def _canvases() -> list[tuple[Path, str, str]]:
    """Each <canvas> of the templates: (template, the tag, what follows it up to the next canvas
    or the end of its section)."""
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        text = template.read_text()
        for match in re.finditer(r"<canvas\b[^>]*>", text, flags=re.S):
            after = text[match.end() :]
            end = min(
                (i for i in (after.find("<canvas"), after.find("</section>")) if i >= 0),
                default=len(after),
            )
            found.append((template, match.group(0), after[:end]))
    return found


def test_every_chart_template_is_found():
    names = {t.name for t, _, _ in _canvases()}

    assert {"garden_detail.html", "account_engagement.html", "insights.html"} <= names
    assert {"harvest_reach.html", "_results_group.html", "value_exchanged.html"} <= names


@pytest.mark.parametrize(
    ("template", "tag", "after"),
    _canvases(),
    ids=lambda v: v.name if isinstance(v, Path) else "",
)
def test_every_chart_has_a_name_and_its_numbers_in_a_table(template, tag, after):
    assert 'role="img"' in tag
    label = re.search(r'aria-label="([^"]+)"', tag)
    assert label is not None
    assert "table" in label.group(1)  # it tells a screen reader where the numbers are
    assert "<table" in after  # … and they are there, right after the chart


# --- Section links ----------------------------------------------------------------------------


def _section_links(page: str) -> list[str]:
    nav = re.search(r'<aside class="section-nav">(.*?)</aside>', page, flags=re.S)
    assert nav is not None, "the page has no section links"
    return re.findall(r'href="#([^"]+)"', nav.group(1))


def _assert_links_lead_to_sections(page: str, expected: set[str]) -> None:
    links = _section_links(page)
    assert expected <= set(links)
    missing = [anchor for anchor in links if f'id="{anchor}"' not in page]
    assert missing == []


def test_the_garden_homes_section_links_lead_to_its_sections(client_for, member_a):
    garden_with(member_a)

    page = client_for(member_a).get("/gardens/onboarding/").content.decode()

    _assert_links_lead_to_sections(
        page, {"garden-pilots", "garden-ideas", "garden-discussions", "garden-activity"}
    )


def test_the_account_pages_section_links_lead_to_its_sections(client_for, programme_admin, admin_a):
    page = client_for(programme_admin).get("/accounts/acme/").content.decode()

    _assert_links_lead_to_sections(page, {"contract", "members", "account-team", "invitations"})


def test_an_account_admin_sees_the_links_of_the_sections_they_see(client_for, admin_a):
    page = client_for(admin_a).get("/accounts/acme/").content.decode()

    _assert_links_lead_to_sections(page, {"members", "invitations"})


def test_a_members_short_account_page_has_no_section_links(client_for, member_a):
    page = client_for(member_a).get("/accounts/acme/").content.decode()

    assert 'id="members"' in page
    assert 'class="section-nav"' not in page


def test_the_engagement_pages_section_links_lead_to_its_sections(
    client_for, account_manager_a, account_a
):
    EngagementSnapshotFactory(account=account_a)
    assert EngagementSnapshot.objects.count() == 1

    page = client_for(account_manager_a).get("/accounts/acme/engagement/").content.decode()

    _assert_links_lead_to_sections(
        page,
        {
            "score-over-time",
            "why-this-level",
            "customer-activity-section",
            "account-pilots",
            "loyalty-outcomes",
        },
    )
