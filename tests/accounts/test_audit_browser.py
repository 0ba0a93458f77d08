"""Real clicks in Chromium: a programme admin opens the audit trail from the menu and narrows it
with its filters (what, who), then an account's admin reads her account's history from its
page. Screenshots at a laptop's width (1366 px) and a phone's (390 px) go to var/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts import services
from accounts.models import MemberRole
from accounts.models.audit import audit_acting
from community.services.gardens import garden_create
from community.services.webhooks import webhook_endpoint_create, webhook_endpoint_rotate_secret
from tests.accounts.factories import PASSWORD
from tests.frame_nav import nav_click

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"
LAPTOP, PHONE = {"width": 1366, "height": 900}, {"width": 390, "height": 844}


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").wait_for()


def _shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, size in (("1366", LAPTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size(LAPTOP)


@pytest.mark.django_db(transaction=True)
def test_a_programme_admin_filters_the_trail_and_an_admin_reads_her_history(
    page, live_server, programme_admin, admin_a, member_a, account_a
):
    with audit_acting(actor=admin_a):
        services.membership_set_role(membership=member_a.membership, role=MemberRole.ADMIN)
    with audit_acting(actor=programme_admin):
        services.account_update(account=account_a, annual_contract_value=250_000)
        endpoint = webhook_endpoint_create(url="https://hooks.example/crm", created_by=admin_a)
        webhook_endpoint_rotate_secret(endpoint=endpoint)
        garden_create(
            name="Onboarding journeys",
            theme="customer_journey",
            created_by=programme_admin,
            stewards=[programme_admin],
        )
    page.set_viewport_size(LAPTOP)

    _log_in(page, live_server, programme_admin)
    nav_click(page, "Audit trail")
    page.get_by_role("heading", name="Audit trail").wait_for()
    table = page.locator("table.audit-trail")
    assert "Annual contract value" in table.inner_text()
    assert "Membership of Alice" in table.inner_text()
    assert "(hidden)" in table.inner_text()  # the webhook's secret changed; its value is not shown
    _shoot(page, "audit-trail-all")

    page.get_by_label("What").select_option("Membership")
    page.get_by_label("Who").fill(admin_a.first_name)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**kind=Membership**")
    rows = page.locator("table.audit-trail tbody tr")
    assert rows.count() == 1
    assert "Membership of Alice" in rows.first.inner_text()
    assert "Annual contract value" not in table.inner_text()
    _shoot(page, "audit-trail")

    page.context.clear_cookies()
    _log_in(page, live_server, admin_a)
    page.goto(f"{live_server.url}/accounts/acme/")
    page.get_by_role("link", name="History of memberships").click()
    page.get_by_role("heading", name="History of Acme Industrial").wait_for()
    assert "Account admin" in page.locator("table.audit-trail").inner_text()
    assert "250" not in page.locator("table.audit-trail").inner_text()
    _shoot(page, "account-history")
