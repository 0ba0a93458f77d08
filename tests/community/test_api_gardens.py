"""/api/v1/gardens/: customers see open gardens; invite-only ones stay hidden from them.

Anonymous callers get 401 with `WWW-Authenticate: Token`: token authentication comes first,
and DRF answers 401 when the first authentication class names a challenge.
"""

from __future__ import annotations

import pytest

from accounts.models import User
from community.models import Garden, GardenTheme, GardenVisibility
from tests.api_helpers import api_login
from tests.community.factories import GardenFactory

GARDENS = "/api/v1/gardens/"


def _slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


@pytest.fixture
def gardens(db):
    open_garden = GardenFactory(name="Onboarding journeys", slug="onboarding")
    secret = GardenFactory(
        name="Pricing experiments",
        slug="pricing",
        theme=GardenTheme.COST_AND_REVENUE,
        visibility=GardenVisibility.INVITE_ONLY,
    )
    return open_garden, secret


@pytest.mark.parametrize("persona", ["member_a", "admin_b"])
def test_customers_see_only_open_gardens(api, request, persona, gardens):
    api_login(api, request.getfixturevalue(persona))

    response = api.get(GARDENS)

    assert response.status_code == 200
    assert _slugs(response) == ["onboarding"]
    assert response.json()["results"][0]["theme_label"] == "Customer journey"


def test_an_invite_only_garden_is_404_for_a_customer(api, member_a, gardens):
    api_login(api, member_a)

    response = api.get(f"{GARDENS}pricing/")

    assert response.status_code == 404
    assert response.json()["errors"][0]["detail"] == "No such garden."
    assert api.get(f"{GARDENS}onboarding/").status_code == 200


def test_customers_cannot_find_invite_only_gardens_by_filtering(api, member_a, gardens):
    api_login(api, member_a)

    assert _slugs(api.get(GARDENS, {"visibility": GardenVisibility.INVITE_ONLY})) == []
    assert _slugs(api.get(GARDENS, {"search": "pricing"})) == []


@pytest.mark.parametrize("persona", ["account_manager_a", "product_manager", "programme_admin"])
def test_internal_users_see_every_garden(api, request, persona, gardens):
    api_login(api, request.getfixturevalue(persona))

    assert _slugs(api.get(GARDENS)) == ["onboarding", "pricing"]
    assert api.get(f"{GARDENS}pricing/").json()["visibility"] == "invite_only"


def test_gardens_filter_by_theme_and_search_by_description(api, product_manager, gardens):
    GardenFactory(slug="robust", theme=GardenTheme.ROBUSTNESS, description="When things break")
    api_login(api, product_manager)

    assert _slugs(api.get(GARDENS, {"theme": GardenTheme.COST_AND_REVENUE})) == ["pricing"]
    assert _slugs(api.get(GARDENS, {"search": "things break"})) == ["robust"]


@pytest.mark.parametrize("url", [GARDENS, f"{GARDENS}onboarding/"])
def test_anonymous_callers_are_refused(api, gardens, url):
    response = api.get(url)

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "not_authenticated"


def test_a_deactivated_member_sees_no_garden(api, member_a, gardens):
    User.objects.filter(pk=member_a.pk).update(is_active=False)
    api_login(api, member_a)

    assert api.get(GARDENS).json()["count"] == 0


@pytest.mark.parametrize(
    ("method", "url"),
    [("put", f"{GARDENS}pricing/"), ("delete", f"{GARDENS}pricing/")],
)
def test_gardens_are_not_replaced_or_deleted_through_the_api(
    api, programme_admin, gardens, method, url
):
    api_login(api, programme_admin)

    response = getattr(api, method)(url, {"name": "Renamed", "visibility": "open"})

    assert response.status_code == 405
    secret = Garden.objects.get(slug="pricing")
    assert (secret.name, secret.visibility) == ("Pricing experiments", "invite_only")
    assert Garden.objects.count() == 2


def test_listing_gardens_costs_five_queries_however_many_there_are(
    api, member_a, django_assert_num_queries
):
    open_gardens = Garden.objects.filter(visibility=GardenVisibility.OPEN)
    for total in (3, 13):
        GardenFactory.create_batch(total - open_gardens.count())
        GardenFactory(visibility=GardenVisibility.INVITE_ONLY)  # hidden from the member
        api_login(api, member_a)

        # 1. the caller's membership (a customer sees open gardens only)
        # 2. COUNT of the visible gardens, for the paginator
        # 3. the page of gardens (with member counts)
        # 4. the caller's own memberships among them, 5. their stewards (prefetches)
        with django_assert_num_queries(5):
            response = api.get(GARDENS)

        assert response.json()["count"] == total
