"""Real clicks in Debian's Chromium: a product manager opens a closed pilot's results, follows
the link to its effect against matched accounts and reads it. Screenshot:
var/screenshots/pilot-effect.png (git-ignored)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from tests.accounts.factories import PASSWORD
from tests.ideas.pilot_effect_world import PanelAccount, closed_pilot, panel_build

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


@pytest.mark.django_db(transaction=True)
def test_a_product_manager_reads_a_pilots_effect_against_matched_accounts(
    page, live_server, product_manager
):
    today = timezone.localdate()
    pilot = closed_pilot(
        runs_from=today - dt.timedelta(days=130), runs_until=today - dt.timedelta(days=100)
    )
    pilot.title = "Set-up wizard"
    pilot.save(update_fields=["title"])
    names = ["Initech", "Hooli", "Umbrella", "Stark", "Wayne", "Tyrell"]
    specs = []
    for i, name in enumerate(names):
        specs.append(PanelAccount(name, True, [38 + 2 * i, 41 + 2 * i], [49 + 2 * i + i % 3] * 3))
        specs.append(
            PanelAccount(f"{name} Peer", False, [38 + 2 * i, 41 + 2 * i], [41 + 2 * i + i % 2] * 3)
        )
    panel_build(pilot, specs)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.goto(f"{live_server.url}/pilots/{pilot.pk}/results/")
    page.get_by_label("Email").fill(product_manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.get_by_role("link", name="Effect against matched accounts").click()

    page.get_by_role("heading", name="Effect against matched accounts: Set-up wizard").wait_for()
    reading = page.locator("#effect-reading").inner_text()
    assert reading.startswith("Participants' scores rose")
    assert reading.endswith("too few renewals yet to say.")
    score = page.locator('tr[data-figure="score"]')
    assert score.locator('[data-effect="interval"]').inner_text().count(" to ") == 1
    assert page.locator("#effect-pairs tbody tr").count() == 6
    assert page.locator('tr[data-balance="score"] td').first.inner_text() == "46.0"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "pilot-effect.png", full_page=True)
    assert problems == []  # no CSP violation or script error in the console
