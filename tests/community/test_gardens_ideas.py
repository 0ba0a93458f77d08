"""An invite-only garden's ideas and pilots stay hidden from accounts not invited (the ideas
app filters by community.access.gardens.visible_gardens); the garden home's pilots fragment."""

from __future__ import annotations

import pytest

from community.models import GardenVisibility
from community.services import gardens as garden_services
from ideas.models import PilotState
from tests.api_helpers import api_login
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory


@pytest.fixture
def secret(db):
    return GardenFactory(
        name="Pricing experiments", slug="pricing", visibility=GardenVisibility.INVITE_ONLY
    )


@pytest.fixture
def secret_idea(secret):
    return IdeaFactory(garden=secret, title="Usage-based pricing for fleets")


@pytest.fixture
def accepted_a(secret, admin_a, programme_admin):
    invitation = garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )
    return garden_services.garden_invitation_accept(invitation=invitation, by=admin_a)


def test_the_ideas_of_an_invite_only_garden_are_not_listed_to_an_uninvited_account(
    client_for, api, member_b, member_a, accepted_a, secret_idea
):
    listed_b = client_for(member_b).get("/ideas/", {"q": "pricing"}).content.decode()
    api_login(api, member_b)
    api_b = api.get("/api/v1/ideas/").json()

    assert "Usage-based pricing" not in listed_b
    assert api_b["count"] == 0
    assert client_for(member_b).get(secret_idea.get_absolute_url()).status_code == 404
    assert api.get(f"/api/v1/ideas/{secret_idea.pk}/").status_code == 404


def test_the_ideas_of_an_invite_only_garden_are_listed_once_the_account_accepted(
    client_for, member_a, accepted_a, secret_idea
):
    listed = client_for(member_a).get("/ideas/").content.decode()

    assert "Usage-based pricing" in listed


def test_the_ideas_fragment_of_an_invite_only_garden_is_404_for_an_uninvited_account(
    client_for, member_b, secret_idea
):
    response = client_for(member_b).get("/gardens/pricing/ideas/")

    assert response.status_code == 404
    assert "Usage-based pricing" not in response.content.decode()


def test_the_pilots_fragment_shows_the_open_pilots_the_user_sees(
    client_for, member_a, account_a, accepted_a, secret_idea
):
    PilotFactory(idea=secret_idea, title="Fleet pricing trial", accounts=[account_a])
    PilotFactory(
        idea=secret_idea, title="Closed trial", accounts=[account_a], state=PilotState.CLOSED
    )
    PilotFactory(idea=secret_idea, title="Not for acme")

    page = client_for(member_a).get("/gardens/pricing/pilots/").content.decode()

    assert "Fleet pricing trial" in page
    assert "Closed trial" not in page and "Not for acme" not in page


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_the_pilots_fragment_of_an_invite_only_garden_is_404_for_an_uninvited_account(
    request, client_for, accepted_a, secret_idea, persona
):
    PilotFactory(idea=secret_idea, title="Fleet pricing trial")

    response = client_for(request.getfixturevalue(persona)).get("/gardens/pricing/pilots/")

    assert response.status_code == 404


def test_the_pilots_fragment_sends_anonymous_visitors_to_login(client, secret):
    response = client.get("/gardens/pricing/pilots/")

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_pilot_in_an_invite_only_garden_stays_hidden_even_from_an_invited_pilot_account(
    client_for, api, member_b, secret_idea
):
    # The pilot invited account B, but B's account was never let into the garden.
    pilot = PilotFactory(
        idea=secret_idea, state=PilotState.RECRUITING, accounts=[member_b.membership.account]
    )
    api_login(api, member_b)

    assert client_for(member_b).get(f"/pilots/{pilot.pk}/").status_code == 404
    assert api.get(f"/api/v1/pilots/{pilot.pk}/").status_code == 404
    assert "offline sync" not in client_for(member_b).get("/pilots/").content.decode()
