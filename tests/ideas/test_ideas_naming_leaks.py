"""Issue 13's two leaks: a customer learned the full name of another account's people from the
ideas CSV export and from idea notifications (in the app, the notifications CSV, the email and
the personal-data download). Both now name people by accounts/people.py, for the reader."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from community.models import Notification
from community.services.notification_emails import notification_email_send
from ideas.models import IdeaStatus
from ideas.services.ideas import idea_comment, idea_follow, idea_propose, idea_transition
from tests.accounts.factories import customer
from tests.community.factories import GardenFactory

ANOTHER = "A member of another account"
SURNAME = "Quillfeather"


@pytest.fixture
def zelda(account_a):
    return customer(account_a, first_name="Zelda", last_name=SURNAME, email="zelda.q@acme.example")


@pytest.fixture
def shared_idea(zelda, member_b):
    garden = GardenFactory(name="Shared Orchard", slug="shared-orchard")
    idea = idea_propose(
        garden=garden, author=zelda, title="Offline mode", job_to_be_done="j", proposal="p"
    )
    idea_follow(idea=idea, user=member_b)
    return idea


def _leaks(text: str) -> list[str]:
    return [secret for secret in (SURNAME, "Zelda", "zelda.q@") if secret in text]


def test_the_ideas_csv_export_names_another_accounts_author_anonymously(
    client_for, member_b, shared_idea
):
    for url in ("/ideas/?export=csv", f"/ideas/?export=csv&garden={shared_idea.garden.pk}"):
        response = client_for(member_b).get(url)
        csv = b"".join(response.streaming_content).decode()

        assert "Offline mode" in csv
        assert _leaks(csv) == []
        assert ANOTHER in csv


def test_the_ideas_csv_export_names_a_colleague(client_for, admin_a, shared_idea):
    response = client_for(admin_a).get("/ideas/?export=csv")

    assert f"Zelda {SURNAME}" in b"".join(response.streaming_content).decode()


@pytest.fixture
def told_by_zelda(zelda, member_b, shared_idea):
    """Zelda comments on her idea, then withdraws it: B's member, a follower, is told twice."""
    mail.outbox.clear()
    idea_comment(idea=shared_idea, author=zelda, body="Field teams need this.")
    idea_transition(
        idea=shared_idea, actor=zelda, to_status=IdeaStatus.WITHDRAWN, reason="Done elsewhere."
    )
    notifications = list(Notification.objects.filter(user=member_b))
    assert len(notifications) == 2
    return notifications


def test_idea_notifications_name_another_accounts_actor_anonymously_in_the_app(
    client_for, member_b, told_by_zelda
):
    page = client_for(member_b).get("/notifications/").content.decode()
    csv = client_for(member_b).get("/notifications/?export=csv")
    csv = b"".join(csv.streaming_content).decode()

    assert "Field teams need this." in page and "Done elsewhere." in page
    assert _leaks(page) == [] and _leaks(csv) == []
    assert ANOTHER in page and ANOTHER in csv


def test_idea_notifications_name_another_accounts_actor_anonymously_by_email(
    member_b, told_by_zelda
):
    for notification in told_by_zelda:
        notification_email_send(notification_id=notification.pk)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        texts = [message.subject, message.body, *(body for body, _ in message.alternatives)]
        assert _leaks("\n".join(texts)) == []


def test_the_personal_data_download_names_no_one_of_another_account(
    client_for, member_b, told_by_zelda
):
    response = client_for(member_b).get("/profile/data/")
    text = (
        b"".join(response.streaming_content).decode()
        if response.streaming
        else (response.content.decode())
    )

    assert "Field teams need this." in text
    assert _leaks(text) == []
    assert ANOTHER in json.dumps(json.loads(text))


def test_the_stored_notification_keeps_who_acted_not_their_name(zelda, told_by_zelda):
    for notification in told_by_zelda:
        assert notification.actor == zelda
        assert _leaks(notification.title + notification.body) == []
