"""Garden pages: customers see open gardens, internal users see every garden."""

from __future__ import annotations

import pytest

from accounts import services
from community.models import Garden, GardenTheme, GardenVisibility
from tests.community.factories import GardenFactory


@pytest.fixture
def open_garden(db):
    return GardenFactory(
        name="Onboarding journeys", slug="onboarding", description="Try the new first week."
    )


@pytest.fixture
def invite_only_garden(db):
    return GardenFactory(
        name="Secret roadmap",
        slug="roadmap",
        theme=GardenTheme.CUSTOM,
        custom_theme="Pricing experiments",
        visibility=GardenVisibility.INVITE_ONLY,
    )


@pytest.mark.parametrize("url", ["/gardens/", "/gardens/onboarding/"])
def test_anonymous_visitors_are_sent_to_login_from_gardens(client, open_garden, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("persona", ["member_a", "member_b"])
def test_a_customer_lists_open_gardens_only(
    request, client_for, open_garden, invite_only_garden, persona
):
    response = client_for(request.getfixturevalue(persona)).get("/gardens/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/gardens/onboarding/">Onboarding journeys</a>' in page
    assert "Secret roadmap" not in page
    assert "Pricing experiments" not in page


def test_a_customer_opens_an_open_garden(client_for, member_a, open_garden):
    response = client_for(member_a).get("/gardens/onboarding/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Onboarding journeys</h1>" in page
    assert "Customer journey" in page
    assert "Try the new first week." in page


@pytest.mark.parametrize("slug", ["roadmap", "no-such-garden"])
def test_a_garden_a_customer_may_not_see_is_not_found(
    client_for, member_a, invite_only_garden, slug
):
    response = client_for(member_a).get(f"/gardens/{slug}/")

    assert response.status_code == 404
    assert "Secret roadmap" not in response.content.decode()


@pytest.mark.parametrize("persona", ["account_manager_a", "product_manager", "programme_admin"])
def test_internal_users_see_every_garden(
    request, client_for, open_garden, invite_only_garden, persona
):
    client = client_for(request.getfixturevalue(persona))

    listed = client.get("/gardens/").content.decode()
    detail = client.get("/gardens/roadmap/")

    assert "Onboarding journeys" in listed and "Secret roadmap" in listed
    assert "Invite-only" in listed
    assert detail.status_code == 200
    assert "Pricing experiments" in detail.content.decode()


def test_a_removed_member_no_longer_sees_gardens(client_for, admin_a, member_a, open_garden):
    client = client_for(member_a)
    services.membership_remove(membership=member_a.membership)

    response = client.get("/gardens/onboarding/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_garden_list_costs_the_same_queries_for_3_or_12_gardens(
    client_for, member_a, django_assert_num_queries
):
    client = client_for(member_a)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")

    def page_with(gardens: int) -> None:
        while Garden.objects.count() < gardens:
            GardenFactory()
        # 1 session, 2 user, 3 membership (with account), 4 gardens (with member counts),
        # 5 the user's own memberships among them (prefetch)
        # +1 the unread-notification count for the bell in the navigation
        with django_assert_num_queries(6):
            response = client.get("/gardens/")
        assert response.content.decode().count("<article>") == gardens

    page_with(3)
    page_with(12)
