"""The load scenario of `make load` (tests/perf/load.py): three personas as locust users.

- a customer browses (home, ideas, an idea, gardens and their fragments, threads, harvests)
  and gives feedback: a vote, a comment or a reply in a thread, a draft of a pilot check-in
  when they take part in a running pilot. Writes go through the real forms, with the CSRF
  token from the page (htmx's header for the vote, as the browser sends it);
- an account manager reads the portfolio, their accounts' engagement pages (and the pilots
  fragment they load) and the alerts inbox;
- a product manager reads pilot results, insights, the perception page and the idea board.

Every user logs in once, through the real login form, in `on_start`. The logins come from the
JSON file named by LOAD_LOGINS ({"customer": [...], "account_manager": [...],
"product_manager": [...]}; tests/perf/load.py writes it from the seeded database), or else the
demo logins README prints. Users of a persona take its logins in turn, so they spread over
several people. Requests are named "<persona> <page>", so the report can sum per persona.

A request fails when it answers anything but the expected status, is sent to the login page, or
takes longer than LOAD_REQUEST_TIMEOUT seconds (10); see tests/perf/load.py for the checks.

The users are locust's FastHttpUser (geventhttpclient), not HttpUser (requests): locust runs on
the same two cores as the site, and FastHttpUser costs it about a third less CPU per request
(docs/cpu-per-request.md, "The 150-user run"). Redirects are not followed by the client: a
form that answers with a redirect is counted as its POST, and each page it sends the person to
as a GET of its own, as a browser sends them.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, between, task
from locust.exception import StopUser

from tests.perf.server import SiteError

PASSWORD = "garden-demo-2026"  # demo.data.people.DEMO_PASSWORD (not imported: no Django here)
REQUEST_TIMEOUT = float(os.environ.get("LOAD_REQUEST_TIMEOUT", "10"))
# Seconds a person spends on a page before the next click (reading an idea, a thread, a chart):
# before every click of a task (a page, a form sent) as between tasks. The fragments a page loads
# as it opens and the pages a form redirects to follow at once, as in a browser. LOAD_PACE=task
# thinks only between tasks (a task's clicks follow each other at once), as the scenario did
# until 7 Dec 2026: about twice the requests a second for the same users.
THINK_SECONDS = tuple(float(n) for n in os.environ.get("LOAD_THINK", "3-10").split("-"))
PACE = os.environ.get("LOAD_PACE", "page")
if PACE not in ("page", "task"):
    raise ValueError(f"LOAD_PACE is 'page' or 'task', not {PACE!r}")
_THINK = between(*THINK_SECONDS)
DEMO_LOGINS = {  # README's demo logins, when no LOAD_LOGINS file is given
    "customer": ["alice.schmidt@redwood-energy-bv.example"],
    "account_manager": ["carol.jensen@customergarden.example"],
    "product_manager": ["pat.okoye@customergarden.example"],
}

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_REDIRECTS = (301, 302, 303, 307, 308)
_HX_CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


def _logins() -> dict[str, list[str]]:
    path = os.environ.get("LOAD_LOGINS")
    if not path:
        return DEMO_LOGINS
    return {**DEMO_LOGINS, **json.loads(Path(path).read_text())}


_TURNS = {persona: itertools.cycle(emails) for persona, emails in _logins().items()}


def _found(pattern: str, html: str) -> list[str]:
    """Distinct matches of `pattern`'s group in `html`, in page order."""
    return list(dict.fromkeys(re.findall(pattern, html)))


class _Persona(FastHttpUser):
    abstract = True
    _on_a_page = False  # a click of the current task has opened a page
    thinks = 0  # pauses within tasks so far (the smoke run reports them)
    network_timeout = REQUEST_TIMEOUT
    connection_timeout = REQUEST_TIMEOUT
    persona = ""

    def wait_time(self) -> float:
        """Locust's wait after each task: the person reads the task's last page."""
        self._on_a_page = False
        return _THINK(self)

    def _click(self) -> None:
        """Before a click that opens a page or sends a form: the person reads the page they are
        on first (not before a task's first click: locust waited after the last task)."""
        if self._on_a_page and PACE == "page":
            self.thinks += 1
            gevent.sleep(self.wait_time())
        self._on_a_page = True

    def on_start(self) -> None:
        self.email = next(_TURNS[self.persona])
        with self.client.rename_request(f"{self.persona} /login/"):
            try:
                self._login()
            except SiteError as error:
                self.environment.events.request.fire(
                    request_type="POST",
                    name=f"{self.persona} /login/",
                    response_time=0,
                    response_length=0,
                    response=None,
                    context={},
                    exception=error,
                )
                raise StopUser() from error

    def _login(self) -> None:
        """Through the real login form, CSRF token and all; SiteError unless it lets them in."""
        page = self.client.get("/login/", allow_redirects=False)
        match = _CSRF.search(page.text or "") if page.status_code == 200 else None
        if not match:
            raise SiteError(f"No login form at /login/: HTTP {page.status_code}.")
        response = self.client.post(
            "/login/",
            data={
                "csrfmiddlewaretoken": match.group(1),
                "username": self.email,
                "password": PASSWORD,
            },
            headers={"Referer": self.host.rstrip("/") + "/login/"},
            allow_redirects=False,
        )
        if response.status_code != 302 or not any(
            cookie.name == "sessionid" for cookie in self.client.cookiejar
        ):
            raise SiteError(f"Login as {self.email} failed: HTTP {response.status_code}.")

    # --- Requests --------------------------------------------------------------------------

    def _get(self, path: str, name: str, *, fragment: bool = False) -> str:
        """GET a page (a click), or an htmx fragment of the page just opened (no click); ''
        when it failed (recorded as a failure)."""
        if fragment:
            return self._send("GET", path, name, headers={"HX-Request": "true"})
        self._click()
        return self._send("GET", path, name)

    def _post(
        self,
        path: str,
        name: str,
        *,
        page: str,
        data: dict,
        then: tuple[str, ...] = (),
        htmx: bool = False,
    ) -> str:
        """POST a form of `page` with its CSRF token, as the browser would (htmx sends the
        token in a header, a plain form in the body). A form that redirects is followed as the
        browser does: a GET for each name in `then`, the pages it sends the person through."""
        self._click()
        if htmx:
            token = _HX_CSRF.search(page)
            headers = {"HX-Request": "true", "X-CSRFToken": token.group(1) if token else ""}
        else:
            token = _CSRF.search(page)
            data = {"csrfmiddlewaretoken": token.group(1) if token else "", **data}
            headers = {}
        headers["Referer"] = self.host.rstrip("/") + path
        answer = self._send("POST", path, name, headers=headers, data=data, redirect=bool(then))
        for step, hop in enumerate(then):
            if not answer.startswith("/"):  # failed (recorded), or no redirect where one was due
                return answer
            answer = self._send("GET", answer, hop, redirect=step + 1 < len(then))
        return answer

    def _send(self, method: str, path: str, name: str, *, redirect: bool = False, **kwargs) -> str:
        """The page's text ('' when the request failed, recorded as a failure); with `redirect`,
        a redirect is the expected answer, and this returns its target's path (anything else is
        recorded as a failure)."""
        with self.client.request(
            method,
            path,
            name=f"{self.persona} {name}",
            catch_response=True,
            allow_redirects=False,
            **kwargs,
        ) as response:
            if response.status_code == 0:  # no answer: a timeout, a refused connection
                response.failure(repr(response.error))
                return ""
            location = response.headers.get("Location", "") if response.headers else ""
            if "/login/" in location:
                response.failure("sent to the login page")
                return ""
            if redirect:
                if response.status_code not in _REDIRECTS:
                    response.failure(f"HTTP {response.status_code}, not a redirect")
                    return ""
                response.success()
                target = urlsplit(location)
                return target.path + (f"?{target.query}" if target.query else "")
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
                return ""
            response.success()
            return response.text or ""


class CustomerUser(_Persona):
    """A member of a customer account: browses and gives feedback."""

    weight = 7
    persona = "customer"

    def _an_idea(self) -> tuple[str, str]:
        """The idea list, then one idea of it: (its address, its page)."""
        ideas = _found(r'href="(/ideas/\d+/)"', self._get("/ideas/", "/ideas/"))
        if not ideas:
            return "", ""
        path = random.choice(ideas)  # noqa: S311 (load, not secrets)
        return path, self._get(path, "/ideas/[id]/")

    def _a_garden(self) -> tuple[str, str]:
        """The garden list, then one garden's page and the fragments it loads: its slug and
        its page."""
        gardens = _found(r'href="/gardens/([\w-]+)/"', self._get("/gardens/", "/gardens/"))
        if not gardens:
            return "", ""
        slug = random.choice(gardens)  # noqa: S311
        page = self._get(f"/gardens/{slug}/", "/gardens/[slug]/")
        for fragment in _found(r'hx-get="(/gardens/[\w-]+/(?:ideas|pilots)/)"', page):
            name = "/gardens/[slug]/" + fragment.rstrip("/").rsplit("/", 1)[1] + "/"
            self._get(fragment, name, fragment=True)
        return slug, page

    def _a_thread(self) -> tuple[str, str]:
        slug, page = self._a_garden()
        # Only where the page offers them: an admin whose account is invited but has not
        # answered yet sees the garden, not its discussions (a 403 for them).
        if f'href="/gardens/{slug}/threads/"' not in page:
            return "", ""
        listing = self._get(f"/gardens/{slug}/threads/", "/gardens/[slug]/threads/")
        threads = _found(rf'href="(/gardens/{slug}/threads/\d+/)"', listing)
        if not threads:
            return "", ""
        path = random.choice(threads)  # noqa: S311
        return path, self._get(path, "/gardens/[slug]/threads/[id]/")

    @task(3)
    def home(self) -> None:
        self._get("/", "/")

    @task(3)
    def read_an_idea(self) -> None:
        self._an_idea()

    @task(2)
    def read_a_thread(self) -> None:
        self._a_thread()

    @task(2)
    def read_a_harvest(self) -> None:
        harvests = _found(r'href="(/harvests/[\w-]+/)"', self._get("/harvests/", "/harvests/"))
        if harvests:
            self._get(random.choice(harvests), "/harvests/[slug]/")  # noqa: S311

    @task(1)
    def vote(self) -> None:
        path, page = self._an_idea()
        if f'hx-post="{path}vote/"' in page:  # open, or their vote to take back
            self._post(f"{path}vote/", "/ideas/[id]/vote/", page=page, data={}, htmx=True)

    @task(1)
    def comment_or_reply(self) -> None:
        body = f"Load test note {random.randrange(10**6)}: this would help our team."  # noqa: S311
        if random.random() < 0.5:  # noqa: S311
            path, page = self._an_idea()
            if f'action="{path}comments/"' in page:
                self._post(
                    f"{path}comments/",
                    "/ideas/[id]/comments/",
                    page=page,
                    data={"body": body},
                    then=("/ideas/[id]/",),
                )
        else:
            path, page = self._a_thread()
            if f'action="{path}reply/"' in page:  # a member of the garden
                self._post(
                    f"{path}reply/",
                    "/gardens/[slug]/threads/[id]/reply/",
                    page=page,
                    data={"body": body},
                    # the post's own address, then the page of the thread that shows it
                    then=(
                        "/gardens/[slug]/threads/[id]/posts/[id]/",
                        "/gardens/[slug]/threads/[id]/",
                    ),
                )

    @task(1)
    def check_in(self) -> None:
        """A draft of a check-in of a pilot they take part in (drafts can be saved again and
        again, so the scenario never runs out of them)."""
        pilots = _found(r'href="(/pilots/\d+/)"', self._get("/pilots/", "/pilots/"))
        if not pilots:
            return
        pilot = self._get(random.choice(pilots), "/pilots/[id]/")  # noqa: S311
        check_ins = _found(r'href="(/check-ins/\d+/)"', pilot)
        if not check_ins:
            return
        path = random.choice(check_ins)  # noqa: S311
        sheet = self._get(path, "/check-ins/[id]/")
        if 'value="draft"' not in sheet:  # submitted already, or closed
            return
        answers: dict[str, str] = {}
        for name in _found(r'type="(?:radio|checkbox)" name="(q-[\w-]+)"', sheet):
            values = _found(rf'name="{re.escape(name)}" value="([^"]*)"', sheet)
            answers[name] = random.choice(values)  # noqa: S311
        for name in _found(r'<textarea name="(q-[\w-]+)"', sheet):
            answers[name] = "Works offline on site; syncing took a while."
        self._post(
            path,
            "/check-ins/[id]/",
            page=sheet,
            data={**answers, "action": "draft"},
            then=("/check-ins/[id]/",),
        )


class AccountManagerUser(_Persona):
    """An account manager: their portfolio, an account's engagement page, the alerts inbox."""

    weight = 2
    persona = "account_manager"

    @task(3)
    def portfolio(self) -> None:
        self._get("/portfolio/", "/portfolio/")

    @task(3)
    def account_engagement(self) -> None:
        page = self._get("/portfolio/", "/portfolio/")
        accounts = _found(r'href="(/accounts/[\w-]+/engagement/)"', page)
        if not accounts:
            return
        page = self._get(random.choice(accounts), "/accounts/[slug]/engagement/")  # noqa: S311
        for fragment in _found(r'hx-get="(/accounts/[\w-]+/pilots/)"', page):
            self._get(fragment, "/accounts/[slug]/pilots/", fragment=True)

    @task(2)
    def alerts(self) -> None:
        self._get("/alerts/", "/alerts/")

    @task(1)
    def home(self) -> None:
        self._get("/", "/")


class ProductManagerUser(_Persona):
    """A product manager: pilot results, insights, the idea board."""

    weight = 1
    persona = "product_manager"

    @task(3)
    def pilot_results(self) -> None:
        pilots = _found(r'href="(/pilots/\d+/)"', self._get("/pilots/", "/pilots/"))
        if pilots:
            self._get(f"{random.choice(pilots)}results/", "/pilots/[id]/results/")  # noqa: S311

    @task(2)
    def insights(self) -> None:
        self._get("/insights/", "/insights/")
        # …and the loyalty-over-time section, which the page loads with htmx as it opens
        self._get("/insights/loyalty/", "/insights/loyalty/", fragment=True)

    @task(1)
    def perception(self) -> None:
        self._get("/pilots/perception-outcomes/", "/pilots/perception-outcomes/")

    @task(2)
    def board(self) -> None:
        self._get("/ideas/board/", "/ideas/board/")
