"""Tried as an outsider on the seeded demo: a customer (a member, and their account's admin)
reads their home, the gardens they may see with their discussions and ideas, the ideas list
and its CSV, their notifications (page, CSV, API, each email), the API lists and their
personal-data download, and learns no surname, full name or address of another account's
people. (tests/test_naming_crawl.py walks every route on a small world; this walks the demo.)"""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Q

from accounts.models import MemberRole, Membership, User
from community.access.gardens import visible_gardens
from community.models import Notification, Thread
from community.models.notifications import KINDS, Delivery
from community.services.notification_emails import notification_email_send
from community.services.notifications import notification_preferences_set
from ideas.access import visible_ideas
from tests.api_helpers import api_login

API_LISTS = ("/api/v1/ideas/", "/api/v1/threads/", "/api/v1/notifications/", "/api/v1/gardens/")


@pytest.fixture
def reader(db):
    call_command("seed_demo", stdout=io.StringIO(), accounts=6, members=4.0, days=20)
    told = Notification.objects.filter(names_actor=True, user__membership__isnull=False)
    return told.order_by("pk").first().user


def _secrets(reader: User) -> list[re.Pattern]:
    """Other accounts' people: surnames, full names and addresses (as words), leaving out any
    that one of the reader's colleagues or an internal person shares."""
    account_id = reader.membership.account_id
    allowed = set()
    for person in User.objects.filter(
        Q(membership__isnull=True) | Q(membership__account_id=account_id)
    ):
        allowed |= {person.last_name, person.full_name, person.email}
    secrets = set()
    others = User.objects.filter(membership__isnull=False).exclude(
        membership__account_id=account_id
    )
    for person in others:
        secrets |= {person.last_name, person.full_name, person.email}
    return [re.compile(rf"\b{re.escape(s)}\b") for s in sorted(secrets - allowed) if s]


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _urls(reader: User) -> list[str]:
    urls = ["/", "/gardens/", "/ideas/", "/ideas/?export=csv", "/notifications/"]
    urls += ["/notifications/?export=csv", "/profile/data/", "/people/me/"]
    for garden in visible_gardens(reader):
        urls += [garden.get_absolute_url(), f"/gardens/{garden.slug}/threads/"]
        urls += [f"/gardens/{garden.slug}/ideas/", f"/gardens/{garden.slug}/pilots/"]
        urls += [t.get_absolute_url() for t in Thread.objects.filter(garden=garden)[:5]]
    urls += [idea.get_absolute_url() for idea in visible_ideas(reader).order_by("-pk")[:15]]
    return urls


def _problems(reader: User, client, api) -> list[str]:
    secrets = _secrets(reader)
    assert secrets
    client.force_login(reader)
    texts = {url: _text(client.get(url)) for url in _urls(reader)}
    api_login(api, reader)
    texts |= {url: _text(api.get(url)) for url in API_LISTS}
    notification_preferences_set(
        user=reader, preferences={kind.key: kind.deliveries[0] for kind in KINDS.values()}
    )
    told = Notification.objects.filter(user=reader)
    told.update(emailed_at=None, email_claimed_at=None, email_delivery=Delivery.IMMEDIATELY)
    mail.outbox.clear()
    for pk in told.values_list("pk", flat=True):
        notification_email_send(notification_id=pk)
    assert mail.outbox
    for message in mail.outbox:
        texts[f"email {message.subject}"] = message.subject + "\n" + message.body
    return [
        f"{reader.email} {where}: {secret.pattern}"
        for where, text in texts.items()
        for secret in secrets
        if secret.search(text)
    ]


def test_a_demo_customer_learns_no_name_of_another_accounts_people(reader, client, api):
    admin = (
        Membership.objects.filter(account_id=reader.membership.account_id, role=MemberRole.ADMIN)
        .order_by("pk")
        .first()
        .user
    )
    assert reader != admin
    assert _problems(reader, client, api) + _problems(admin, client, api) == []
