"""The naming crawl: no customer learns the name or address of another account's people.

Account A's people (distinctive names and addresses, tests/naming_crawl_world.py) author ideas,
comments, votes, threads, posts, mentions, reactions, pilot feedback and a harvest's sources
in a garden shared with account B, and cause a notification of every kind to B's people. Then
B's member and B's admin read everything: every page route of the URL resolver (its htmx
fragment when it varies on HX-Request, and every CSV its page links to), every GET operation
of the committed OpenAPI schema, their notifications in the app, the API and the CSV, each
notification's email (subject and body) and the digest, and their personal-data download
(a page route). With the garden's `shows_other_members` off no part of A's people's names may
show; with it on, their first names may ("Zelda (Acme Industrial)"), never a surname, a full
name or an address.

The URLs are the isolation matrix's (tests/test_isolation_matrix.py PAGES and API, which that
test keeps equal to the resolver and the schema), filled with the shared objects. A route or a
notification kind the crawl does not know fails `test_the_crawl_covers_every_route_and_kind`:
add it to the matrix (and here, to NOTIFICATION_KINDS) or to a SKIPPED list with the reason.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from django.core import mail
from django.db import transaction

from community.models import Notification
from community.models.notifications import KINDS, Delivery
from community.services.notification_emails import (
    notification_digests_send,
    notification_email_send,
)
from community.services.notifications import notification_preferences_set
from tests.api_helpers import api_login
from tests.naming_crawl_world import A_PEOPLE, build_naming_world
from tests.test_isolation_matrix import API, PAGES, routes, schema_operations

CUSTOMERS_OF_B = ("member_b", "admin_b")

# Page routes not fetched, each with why no name can be learned there.
SKIPPED_PAGES = {
    "api-docs": "the same static documents for every person; they hold no data",
    "api-schema": "the same generated schema for every person; it holds no data",
}
# How each notification kind reaches B's people in the world (every kind also gets one made
# through `notify` with Zelda as the actor, so its page, CSV, API, email and digest are read).
NOTIFICATION_KINDS = {
    "idea_status": "Zelda withdraws an idea B's people follow",
    "idea_comment": "Zelda comments on an idea B's people follow",
    "idea_merged": "a product manager merges Alice's idea into Zelda's",
    "pilot_invitation": "through notify, actor Zelda",
    "pilot_agreement": "through notify, actor Zelda",
    "pilot_closed": "through notify, actor Zelda",
    "pilot_decision": "through notify, actor Zelda",
    "feedback_reminder": "through notify, actor Zelda",
    "engagement_alert": "through notify, actor Zelda (customers never get it for real)",
    "garden_invitation": "through notify, actor Zelda",
    "mention": "Zelda mentions @bob and @bea in her thread",
    "reply": "Zelda replies in Bob's thread",
    "post_flagged": "through notify, actor Zelda (stewards only for real)",
    "harvest_published": "a steward publishes the harvest Zelda inspired",
    "badge_awarded": "through notify, actor Zelda",
}


def _secrets(world, *, first_names_shown: bool) -> list[str]:
    secrets = []
    for key, (first, last) in A_PEOPLE.items():
        secrets += [f"{first} {last}", last, world.people[key].email]
        if not first_names_shown:
            secrets.append(first)
    if not first_names_shown:  # other companies' names follow the garden's setting too
        secrets.append(world.people["member_a"].membership.account.name)
    return secrets


def test_the_crawl_covers_every_route_and_kind():
    pages, _ = routes()
    assert pages == set(PAGES)  # the matrix's rows are the crawl's URLs
    assert {key for key in PAGES if key not in SKIPPED_PAGES} | set(SKIPPED_PAGES) == pages
    assert set(SKIPPED_PAGES) <= pages, "a skipped route that no longer exists"
    gets = {op for op in schema_operations() if op.startswith("GET ")}
    assert gets <= set(API)
    assert set(NOTIFICATION_KINDS) == set(KINDS), "a notification kind the crawl does not know"
    # Writes are not crawled: their answers are the objects they made, named by the same
    # serializers as the GET operations read here.


@pytest.fixture(scope="module", params=[False, True], ids=["setting-off", "setting-on"])
def naming_world(request, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_naming_world(shows_other_members=request.param)
        yield world, request.param
        transaction.set_rollback(True)


def _fill(template: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _found(where: str, text: str, secrets: list[str]) -> list[str]:
    return [f"{where}: {secret!r}" for secret in secrets if secret in text]


def _page_texts(client, url: str):
    response = client.get(url)
    text = _text(response)
    yield url, response.status_code, text
    if "HX-Request" in response.get("Vary", ""):
        fragment = client.get(url, headers={"HX-Request": "true"})
        yield url + " (htmx)", fragment.status_code, _text(fragment)
    for link in sorted(set(re.findall(r'href="([^"]*export=csv[^"]*)"', text))):
        link = urljoin(url, link.replace("&amp;", "&"))  # "?export=csv": of this page
        export = client.get(link)
        yield link, export.status_code, _text(export)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", CUSTOMERS_OF_B)
def test_no_page_fragment_or_export_names_another_accounts_people(naming_world, client, persona):
    world, shown = naming_world
    secrets = _secrets(world, first_names_shown=shown)
    client.force_login(world.people[persona])
    problems, served, exports = [], 0, 0
    for key, case in PAGES.items():
        if key in SKIPPED_PAGES:
            continue
        for where, status, text in _page_texts(client, _fill(case.url, world.ids)):
            served += status == 200
            exports += "export=csv" in where and status == 200
            problems += [f"{persona} {p}" for p in _found(where, text, secrets)]
    assert served > 30  # the crawl saw real pages, not only refusals
    assert exports >= 2  # the ideas and notifications CSVs at least
    assert not problems


@pytest.mark.django_db
@pytest.mark.parametrize("persona", CUSTOMERS_OF_B)
def test_no_api_answer_names_another_accounts_people(naming_world, api, persona):
    world, shown = naming_world
    secrets = _secrets(world, first_names_shown=shown)
    api_login(api, world.people[persona])
    problems, served = [], 0
    for key in sorted(op for op in API if op.startswith("GET ")):
        url = _fill(API[key].url, world.ids)
        response = api.get(url)
        served += response.status_code == 200
        problems += [f"{persona} {p}" for p in _found(key, _text(response), secrets)]
    assert served > 20
    assert not problems


def _b_notifications(world):
    people = [world.people[p] for p in CUSTOMERS_OF_B]
    return Notification.objects.filter(user__in=people)


@pytest.mark.django_db
def test_b_was_told_of_every_kind_and_by_account_a_people(naming_world):
    world, _ = naming_world
    told = _b_notifications(world)
    assert set(told.values_list("kind", flat=True)) == set(KINDS)
    a_people = [world.people[key] for key in A_PEOPLE]
    real = told.filter(actor__in=a_people).exclude(title__contains="did something")
    assert {"idea_comment", "idea_status", "mention", "reply"} <= set(
        real.values_list("kind", flat=True)
    )


@pytest.mark.django_db
def test_no_notification_email_or_digest_names_another_accounts_people(naming_world):
    world, shown = naming_world
    secrets = _secrets(world, first_names_shown=shown)
    for persona in CUSTOMERS_OF_B:
        user = world.people[persona]
        notification_preferences_set(
            user=user, preferences={kind.key: kind.deliveries[0] for kind in KINDS.values()}
        )
    told = _b_notifications(world)
    told.update(
        emailed_at=None, email_claimed_at=None, email_delivery=Delivery.IMMEDIATELY, digest=None
    )
    mail.outbox.clear()
    for pk in told.values_list("pk", flat=True):
        notification_email_send(notification_id=pk)
    assert len(mail.outbox) == told.count()
    told.update(emailed_at=None, email_claimed_at=None, email_delivery=Delivery.WEEKLY)
    for persona in CUSTOMERS_OF_B:
        notification_preferences_set(
            user=world.people[persona],
            preferences={
                k.key: Delivery.WEEKLY for k in KINDS.values() if Delivery.WEEKLY in k.deliveries
            },
        )
    notification_digests_send(period="weekly")
    addresses = {world.people[persona].email for persona in CUSTOMERS_OF_B}
    to_b = [message for message in mail.outbox if set(message.to) <= addresses]
    assert len(to_b) == told.count() + len(CUSTOMERS_OF_B)  # each email, and two digests
    problems = []
    for message in to_b:
        texts = [message.subject, message.body, *(body for body, _ in message.alternatives)]
        problems += _found(f"email to {message.to}", "\n".join(texts), secrets)
    assert not problems
