"""Real clicks in Chromium: the customer admin opens "What we gave, what we got back" from their
home and reads the month-by-month chart (drawn, no CSP violation or script error) and table;
the account manager reaches the same ledger from the portfolio's "gave / got" column.
The screenshot goes to var/screenshots/value-exchanged.png."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind
from community.selectors.value_exchanged import value_ledger
from tests.accounts.factories import PASSWORD
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def _history(account, author) -> None:
    """Some months of giving and getting back, dated back from now."""
    now = timezone.now()
    for days_ago, kind, support in (
        (10, ActivityKind.REFERRAL, False),
        (40, ActivityKind.WORKSHOP_ATTENDED, False),
        (45, ActivityKind.LOOP_CLOSED, True),
        (70, ActivityKind.DISCUSSION_POST, True),
        (100, ActivityKind.COMMENT, True),
        (130, ActivityKind.REFERENCE_CALL, False),
    ):
        moment = now - dt.timedelta(days=days_ago)
        ActivityEvent.objects.create(
            account=account, kind=kind, occurred_at=moment, created_at=moment, is_support=support
        )
    for days_ago in (15, 75, 160):
        IdeaFactory(
            author=author, author_account=account, created_at=now - dt.timedelta(days=days_ago)
        )


def _log_in(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_the_customer_admin_reads_what_the_account_gave_and_got_back(
    page, live_server, admin_a, member_a, account_a
):
    _history(account_a, member_a)
    ledger = value_ledger(account=account_a)
    problems: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    _log_in(page, live_server, admin_a)

    page.get_by_role(
        "button", name="What we gave, what we got back"
    ).click()  # a link styled as one
    page.get_by_role("heading", name="What we gave, what we got back").wait_for()
    canvas = "document.getElementById('value-exchanged-chart')"
    chart = f"window.Chart && window.Chart.getChart({canvas})"
    page.wait_for_function(f"() => {chart}")

    stacks = page.evaluate(f"{chart}.data.datasets.map((d) => d.stack)")
    assert set(stacks) == {"gave", "got"}
    assert page.evaluate(f"{chart}.data.labels.length") == 12
    drawn = page.evaluate(f"{chart}.data.datasets.flatMap((d) => d.data).reduce((a, b) => a + b)")
    assert drawn == ledger.gave + ledger.got == 9
    assert page.locator("#value-gave").inner_text() == str(ledger.gave)
    assert page.locator("#value-got").inner_text() == str(ledger.got)
    assert page.locator('#value-ledger tr[data-kind="ideas_proposed"] td').last.inner_text() == "3"
    assert problems == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "value-exchanged.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_account_manager_opens_it_from_the_portfolio(
    page, live_server, account_manager_a, member_a, account_a
):
    _history(account_a, member_a)
    ledger = value_ledger(account=account_a)
    _log_in(page, live_server, account_manager_a)

    page.goto(f"{live_server.url}/portfolio/")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Acme Industrial"))
    link = row.get_by_role("link", name=f"gave {ledger.gave}, got {ledger.got} back")
    assert link.inner_text().startswith(f"{ledger.gave} / {ledger.got}")  # what is shown
    link.click()
    page.get_by_role("heading", name="The value exchanged: Acme Industrial").wait_for()
    assert page.locator("#value-got").inner_text() == str(ledger.got)
