"""Every form that carries a one-time token saves once (accounts/submissions.py).

Per role of account A and of the garden programme, the crawl reads every page route of the
isolation matrix (tests/test_isolation_matrix.py PAGES, filled with its world), finds each POST
form with a `form_token`, fills it as a person would (the values the page shows, something
plausible in each empty field) and submits it; then it goes where the answer led, as Back and
submit again does, and submits the same form again. Each form is tried on the same world
(its changes are undone after). The repeat must change no row and lead to
the same place. A form whose filled-in data the crawl cannot make valid is listed in UNFILLED
with why; every other form must save on its first submission.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import transaction
from django.urls import resolve

from accounts.models import FormSubmission
from community.models import Garden
from ideas.models import Idea, IdeaStatus
from tests.isolation_cases import changes, snapshot
from tests.test_isolation_matrix import PAGES, TODAY, _fill, world  # noqa: F401 (the fixture)

PERSONAS = (
    "member_a",
    "admin_a",
    "account_manager_a",
    "product_manager",
    "programme_admin",
    "steward",
)
# Forms (by URL name of where they post) the crawl's filling cannot make valid, and why.
UNFILLED = {
    "accounts:person-erase": "asks for the person's email address typed out as confirmation",
    "community:import-upload": "wants a CSV file, not a text field",
    "community:import": "wants a CSV file (tests/accounts/test_submissions.py sends one twice)",
    "accounts:sso-settings": "fetches the identity provider's discovery document first",
    "accounts:sso-login": "signs in, saves nothing; wants an address of a single sign-on domain",
    "password_change": "wants the person's current password",
}
# Create forms each role must have saved (and then not saved again) in the crawl.
MUST_SAVE = {
    "member_a": {
        "ideas:idea-create",
        "ideas:idea-comment",
        "community:thread-create",
        "community:thread-reply",
        "ideas:check-in-answer",
        "accounts:api-token-create",
    },
    "admin_a": {"accounts:invitation-create", "accounts:scim-token-create", "community:post-flag"},
    "account_manager_a": {
        "community:offline-event-create",
        "community:bad-time-create",
        "community:outcome-create",
        "community:account-chat-channels",
    },
    "product_manager": {
        "ideas:pilot-create",
        "ideas:pilot-invite",
        "ideas:instrument-question-add",
        "community:harvest-create",
    },
    "programme_admin": {
        "community:garden-create",
        "community:garden-invitations",
        "community:garden-chat-channels",
        "community:webhooks",
        "community:engagement-model",
        "accounts:scim-token-create",
    },
    "steward": {"community:harvest-create", "community:garden-invitations"},
}
LATER = str(date.fromisoformat(TODAY) + timedelta(days=30))
# What a person would type where the crawl's filler is not valid, per form (by URL name).
TYPED = {
    "community:account-chat-channels": {"url": ["https://hooks.slack.com/services/T0/B0/once"]},
    "community:garden-chat-channels": {"url": ["https://hooks.slack.com/services/T0/B0/once"]},
    "community:webhooks": {"url": ["https://hooks.example.com/once"]},
    "community:garden-invitations": {"account": ["globex"]},
    "community:harvest-create": {"garden": ["{garden_pk}"], "source_thread": ["{thread}"]},
    "community:engagement-model": {"action": ["activate"]},  # the other button only previews
    "ideas:pilot-create": {"runs_until": [LATER]},
    "ideas:idea-merge": {"into": ["{duplicate}"]},
    "ideas:instrument-question-add": {"role": [""]},
}
FILLER = {
    "email": "once-{n}@acme.example",
    "url": "https://example.com/once-{n}",
    "number": "1",
    "date": TODAY,
    "datetime-local": TODAY + "T10:00",
    "password": "Once-{n}-passphrase!",
}


class _Forms(HTMLParser):
    """The POST forms of a page that carry a form token: (action, [(name, value)])."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._form: tuple[str, list] | None = None
        self._select: dict | None = None
        self._textarea: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = (a.get("action", ""), [])
        elif self._form is None or "name" not in a and tag != "option":
            return
        elif tag == "input":
            self._input(a)
        elif tag == "textarea":
            self._textarea = [a["name"], a.get("required") is not None, ""]
        elif tag == "select":
            self._select = {"name": a["name"], "chosen": None, "first": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if "selected" in a and self._select["chosen"] is None:
                self._select["chosen"] = value
            if value and self._select["first"] is None:
                self._select["first"] = value

    def _input(self, a: dict) -> None:
        kind, name, value = a.get("type", "text"), a["name"], a.get("value", "")
        fields = self._form[1]
        if kind == "radio":  # the checked one, else the first
            if "checked" in a:
                fields[:] = [(n, v) for n, v in fields if n != name]
            if "checked" in a or all(n != name for n, _ in fields):
                fields.append((name, value))
            return
        if kind == "checkbox":
            if "checked" in a:
                fields.append((name, value or "on"))
            return
        if kind in ("submit", "button", "file"):
            return
        if not value and "required" in a:
            value = FILLER.get(kind, "Once {n}")
        self._form[1].append((name, value))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[2] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, required, text = self._textarea
            text = text.removeprefix("\n")  # as a browser reads it
            self._form[1].append((name, text or ("Once {n}" if required else "")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            chosen = self._select["chosen"] or self._select["first"] or ""
            self._form[1].append((self._select["name"], chosen))
            self._select = None
        elif tag == "form" and self._form is not None:
            if any(name == "form_token" for name, _ in self._form[1]):
                self.forms.append(self._form)
            self._form = None


def _forms(page_url: str, html: str):
    parser = _Forms()
    parser.feed(html)
    for action, fields in parser.forms:
        yield urljoin(page_url, action or page_url), fields


def _data(view_name: str, fields, n: int, ids: dict) -> dict:
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value.replace("{n}", str(n)))
    for name, values in TYPED.get(view_name, {}).items():
        data[name] = [_fill(value, ids) for value in values]
    return data


def _saved(data: dict) -> bool:
    """Whether the submission was accepted: its token was kept (accounts/submissions.py)."""
    return FormSubmission.objects.filter(token=data["form_token"][0]).exists()


def _errors(response) -> str:
    text = response.content.decode(errors="replace")
    return "; ".join(re.findall(r"<li>([^<]*)</li>", text.split("<main", 1)[-1]))[:300]


def _submit_twice(client, action: str, data: dict) -> list[str]:
    """Submit, follow where it led (the page Back leaves), submit again: what went wrong."""
    before = snapshot()
    first = client.post(action, data)
    if not _saved(data):
        return [f"not saved ({first.status_code}: {_errors(first)}) {data}"]
    if first.get("Location"):
        client.get(first["Location"])
    between = snapshot()
    if not changes(before, between, allow_new=False):
        return ["the first submission saved nothing"]
    again = client.post(action, data)
    problems = [f"the repeat changed {c}" for c in changes(between, snapshot(), allow_new=False)]
    if again.status_code != 302 or again["Location"] != first.get("Location", again["Location"]):
        problems.append(f"the repeat answered {again.status_code} {again.get('Location')}")
    return problems


def _ids(world_of_a) -> dict:
    """The world's URL placeholders, and what the forms' choices need besides."""
    return {**world_of_a.ids, "garden_pk": Garden.objects.get(slug=world_of_a.ids["garden"]).pk}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_form_with_a_token_saves_once(world, client, persona):  # noqa: F811
    client.force_login(world.people[persona])
    seen, saved, problems, n, ids = set(), set(), [], 0, _ids(world)
    for key, case in PAGES.items():
        url = _fill(case.url, world.ids)
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        for action, fields in _forms(url, page.content.decode()):
            name = resolve(urlsplit(action).path).view_name
            if (name, tuple(f for f, _ in fields)) in seen or name in UNFILLED:
                continue
            seen.add((name, tuple(f for f, _ in fields)))
            n += 1
            with transaction.atomic():  # each form against the same world: undone after
                if name == "ideas:pilot-create":  # pilots are made for planned ideas
                    Idea.objects.filter(pk=world.ids["idea"]).update(status=IdeaStatus.PLANNED)
                found = _submit_twice(client, action, _data(name, fields, n, ids))
                transaction.set_rollback(True)
            saved |= {name} if not found or "repeat" in " ".join(found) else set()
            problems += [f"{persona} {key} → {name}: {p}" for p in found]
    assert len(seen) >= 5, "the crawl found (almost) no form"
    assert not problems
    assert MUST_SAVE[persona] <= saved, MUST_SAVE[persona] - saved
