"""What chat messages say, and whom they name: a pilot decision reaches the channels of the
accounts it concerns and of its garden, naming who decided; a person is named for the channel's
reader by accounts/people.py (an account team's channel is internal; a garden's is read by every
account in it, so another account's member is "A member of another account", or "Ana (Acme)"
where the garden's setting shows members to each other)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.people import in_sentence
from community.models import ChatDelivery
from community.models.notifications import NotifyKind, actor_text
from community.services import chat_channels, chat_deliveries
from ideas.models import Enrolment, PilotState
from ideas.services import pilots
from tests.accounts.factories import AccountFactory
from tests.community.factories import GardenFactory, a_steward
from tests.ideas.factories import PilotFactory

pytestmark = pytest.mark.django_db

DECISIONS = NotifyKind.PILOT_DECISION


def _channel(listener, by, **scope):
    return chat_channels.chat_channel_create(
        provider=listener.provider,
        name="#news",
        url=listener.url,
        deliveries={DECISIONS: "immediately"},
        created_by=by,
        **scope,
    )


def test_a_pilot_decision_reaches_the_accounts_and_the_gardens_channels_once_each(
    chat_listener,
    account_a,
    member_a,
    account_manager_a,
    product_manager,
    django_capture_on_commit_callbacks,
    settings,
):
    garden = GardenFactory(name="Field service")
    pilot = PilotFactory(state=PilotState.CLOSED, idea__garden=garden, title="Offline trial")
    Enrolment.objects.create(pilot=pilot, user=member_a, account=account_a)
    taking_part = chat_listener("slack")
    _channel(taking_part, account_manager_a, account=account_a)
    elsewhere = chat_listener("slack")
    _channel(elsewhere, account_manager_a, account=AccountFactory())
    in_garden = chat_listener("teams")
    _channel(in_garden, a_steward(), garden=garden)

    with django_capture_on_commit_callbacks(execute=True):
        pilots.pilot_decide(
            pilot=pilot, actor=product_manager, decision="adopt", outcome_note="We ship it <b>."
        )

    assert elsewhere.posts == []
    assert len(taking_part.posts) == 1 and len(in_garden.posts) == 1
    for listener in (taking_part, in_garden):
        assert listener.posts[0]["problems"] == []
        text = listener.text()
        assert f"Pilot decided: adopt “{pilot.idea.title}”" in text
        assert "Decided by Pat" in text  # internal: named to everyone
        assert settings.SITE_URL + pilot.get_absolute_url() in text
    assert "We ship it &lt;b&gt;." in taking_part.text()  # Slack: shown as written
    assert "We ship it <b>." in in_garden.text()  # Teams: a TextRun, never read as markup
    assert "Pilot decision · Acme Industrial" in taking_part.text()
    assert "Pilot decision · Field service" in in_garden.text()
    assert ChatDelivery.objects.filter(subject=f"pilot:{pilot.pk}").count() == 2


@pytest.mark.parametrize(
    ("scope", "shows_other_members", "named"),
    [
        ("account", False, "Alice Vexwood"),
        ("garden", False, "A member of another account"),
        ("garden", True, "Alice (Acme Industrial)"),
    ],
)
def test_a_person_is_named_as_the_channels_reader_may_see_them(
    chat_listener,
    account_a,
    member_a,
    account_manager_a,
    django_capture_on_commit_callbacks,
    scope,
    shows_other_members,
    named,
):
    member_a.last_name = "Vexwood"
    member_a.save(update_fields=["last_name"])
    garden = GardenFactory(shows_other_members=shows_other_members)
    listener = chat_listener("slack")
    _channel(
        listener,
        account_manager_a,
        **({"account": account_a} if scope == "account" else {"garden": garden}),
    )
    notice = chat_deliveries.ChatNotice(
        kind=DECISIONS,
        subject="pilot:1",
        title=actor_text("{actor} asked for it"),
        body=actor_text("Thanks to {actor} for the idea."),
        url=reverse("community:garden-detail", kwargs={"slug": garden.slug}),
        account_ids=[account_a.pk],
        garden_id=garden.pk,
        actor=member_a,
        names_actor=True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        chat_deliveries.chat_notices_post(notices=[notice])

    text = listener.text()
    assert f"{named} asked for it" in text
    # inside a sentence a description starts lower case: "Thanks to a member of another account"
    assert f"Thanks to {in_sentence(named)} for the idea." in text
    for secret in {"Vexwood", "alice@acme.example"} - set(named.split()):
        assert secret not in text
    delivery = ChatDelivery.objects.get()
    assert "Vexwood" not in delivery.title + delivery.body  # the name is never stored
