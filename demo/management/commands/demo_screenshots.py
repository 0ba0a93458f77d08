"""`manage.py demo_screenshots` (`make screenshots`): a full-page screenshot of every demo
role's home and of every page its navigation offers, plus a few deep pages, at 1366 px and at
390 px, into var/screenshots/demo/<role>/ for a person to review.

Run it against the seeded demo database (`make seed` or `make demo` once). It starts its own
web server on a free loopback port with the same settings, logs in as the logins `seed_demo`
prints (Chromium: /usr/bin/chromium or CHROMIUM_PATH), and stops the server at the end.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from demo.data.people import DEMO_PASSWORD
from demo.management.commands.seed_demo import Command as SeedDemo

WIDTHS = {1366: 900, 390: 844}
NOT_OURS = ("/admin/", "/api/docs/")  # the Django admin and Swagger UI draw their own pages
ROLE_KEYS = {
    "Customer account admin": "customer-admin",
    "Customer member": "customer-member",
    "Programme admin": "programme-admin",
    "Product manager": "product-manager",
    "Account manager": "account-manager",
    "Customer success manager": "customer-success-manager",
}
# Deep pages: the first link on the page (left) matching the selector (right), per role. A left
# side of None is the page the entry before it found (a thread of the first garden).
DEEP_LINKS = [
    ("/gardens/", "main a[href^='/gardens/'][href$='/']:not([href='/gardens/new/'])"),
    (None, "main a[href*='/threads/'][href$='/']:not([href$='/threads/']):not([href$='/new/'])"),
    ("/ideas/", "main a[href^='/ideas/'][href$='/']:not([href='/ideas/new/'])"),
    ("/pilots/", "main a[href^='/pilots/'][href$='/']:not([href$='/results/'])"),
    (None, "main a[href$='/results/']"),  # its results, from the pilot's page
    (None, "main a[href$='/effect/']"),  # and its effect against matched accounts
    ("/pilots/", "main a[href^='/pilots/'][href$='/results/']"),
    ("/harvests/", "main a[href^='/harvests/'][href$='/']:not([href='/harvests/new/'])"),
    ("/portfolio/", "main a[href^='/accounts/'][href$='/engagement/']"),
    (None, "main a[href$='/value-exchanged/']"),  # what the account gave and got back
    ("/portfolio/", "main a[href^='/accounts/'][href$='/']:not([href$='/engagement/'])"),
    ("/alerts/", "main a[href^='/alerts/'][href$='/']:not([href='/alerts/'])"),
    ("/", "main a[href$='/value-exchanged/']"),  # the customer admin's own account's
    ("/ideas/board/", "main a[href='/ideas/duplicates/']"),  # the likely duplicates
]


class Command(BaseCommand):
    help = "Screenshots of every demo role's home and main pages at 1366 and 390 px."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.VAR_DIR) / "screenshots" / "demo"))
        parser.add_argument("--role", action="append", help="only this role (repeatable)")

    def handle(self, *args, **options):
        from playwright.sync_api import sync_playwright  # a development tool, not the product

        logins = [(label, email) for label, email, _ in SeedDemo()._existing_logins()]
        if not logins:
            raise CommandError("No demo data: run `make seed` (or `make demo`) first.")
        if options["role"]:
            logins = [(label, email) for label, email in logins if label in options["role"]]
        out = Path(options["out"])
        port = _free_port()
        server = _serve(port)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for(f"{base}/healthz/")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                    args=["--no-sandbox", "--disable-gpu", "--no-first-run"],
                )
                for label, email in logins:
                    folder = out / ROLE_KEYS.get(label, slugify(label))
                    count = self._role(browser, base, email, folder)
                    self.stdout.write(f"{label:<26} {count:>3} screenshots in {folder}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=20)

    def _role(self, browser, base: str, email: str, folder: Path) -> int:
        folder.mkdir(parents=True, exist_ok=True)
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{base}/")
        paths = ["/", *_nav_paths(page), *_deep_paths(page, base)]
        count = 0
        for width, height in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            for path in dict.fromkeys(paths):
                page.goto(f"{base}{path}")
                page.wait_for_function("() => !document.querySelector('.htmx-request')")
                name = slugify(path.strip("/").replace("/", "-")) or "home"
                page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
                count += 1
        if page.locator(".frame-menu-button").is_visible():  # the phone's menu, open
            page.goto(f"{base}/")
            page.locator(".frame-menu-button").click()
            page.locator("#frame-menu details.frame-group > summary").first.click()
            page.screenshot(path=folder / "menu-390.png", full_page=True)
            count += 1
        context.close()
        return count


def _nav_paths(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        'nav[aria-label="Main"] a[href^="/"]', "(links) => links.map((a) => a.getAttribute('href'))"
    )
    return [h for h in dict.fromkeys(hrefs) if h != "/" and not h.startswith(NOT_OURS)]


def _deep_paths(page, base: str) -> list[str]:
    """One object page of each list the role opens (the first garden and its first thread,
    idea, pilot and its results and effect, harvest, account and its engagement and value
    exchanged, alert; the customer admin's value exchanged; the likely duplicates)."""
    paths, found = [], None
    for list_path, selector in DEEP_LINKS:
        source = list_path or found
        found = None
        if source is None:
            continue
        page.goto(f"{base}{source}")
        if page.url.rstrip("/").endswith("/login"):
            continue
        link = page.locator(selector).first
        if link.count():
            href = link.get_attribute("href")
            if href and href != source:
                paths.append(href)
                found = href
    return paths


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    manage = Path(settings.BASE_DIR) / "manage.py"
    return subprocess.Popen(  # noqa: S603 (our own manage.py, on loopback)
        [sys.executable, str(manage), "runserver", f"127.0.0.1:{port}", "--noreload"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise CommandError(f"The web server did not answer at {url}")
