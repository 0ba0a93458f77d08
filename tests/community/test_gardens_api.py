"""/api/v1/gardens/: customers see open gardens, invite-only ones stay hidden from them; writes,
join/leave, members, and /api/v1/garden-invitations/: who may do what, and the privacy rules of
the member list.

Anonymous callers get 401 with `WWW-Authenticate: Token`: token authentication comes first,
and DRF answers 401 when the first authentication class names a challenge."""

from __future__ import annotations

import pytest

from accounts.models import User
from community.models import (
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
    Notification,
)
from community.services import gardens as garden_services
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_error, api_login
from tests.community.factories import GardenFactory

GARDENS = "/api/v1/gardens/"
INVITATIONS = "/api/v1/garden-invitations/"


@pytest.fixture
def open_garden(db):
    return GardenFactory(name="Onboarding journeys", slug="onboarding")


@pytest.fixture
def secret(db):
    return GardenFactory(
        name="Pricing experiments", slug="pricing", visibility=GardenVisibility.INVITE_ONLY
    )


@pytest.fixture
def invitation(secret, admin_a, programme_admin):
    return garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )


# --- Create and change -------------------------------------------------------------------------


def test_a_programme_admin_creates_a_garden(api, programme_admin, product_manager):
    api_login(api, programme_admin)

    response = api.post(
        GARDENS,
        {
            "name": "Robust operations",
            "theme": "robustness",
            "charter": "Stewards decide monthly.",
            "visibility": "invite_only",
            "stewards": [product_manager.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "robust-operations"
    assert body["stewards"] == [{"id": product_manager.pk, "name": product_manager.full_name}]
    garden = Garden.objects.get(slug="robust-operations")
    assert garden.visibility == "invite_only" and garden.created_by == programme_admin


def test_a_customer_steward_is_refused_with_a_field_error(api, programme_admin, member_a):
    api_login(api, programme_admin)

    response = api.post(
        GARDENS, {"name": "X", "theme": "robustness", "stewards": [member_a.pk]}, format="json"
    )

    assert response.status_code == 400
    assert api_error(response)["attr"] == "stewards"
    assert not Garden.objects.exists()


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "product_manager", "account_manager_a"])
def test_only_programme_admins_create_and_change_gardens(api, request, open_garden, persona):
    api_login(api, request.getfixturevalue(persona))

    created = api.post(GARDENS, {"name": "Sneaky", "theme": "robustness"}, format="json")
    changed = api.patch(f"{GARDENS}onboarding/", {"name": "Renamed"}, format="json")

    assert created.status_code == 403 and changed.status_code == 403
    assert list(Garden.objects.values_list("name", flat=True)) == ["Onboarding journeys"]


def test_a_programme_admin_changes_a_garden(api, programme_admin, open_garden):
    api_login(api, programme_admin)

    response = api.patch(
        f"{GARDENS}onboarding/",
        {"charter": "New rules.", "shows_other_members": True},
        format="json",
    )

    assert response.status_code == 200
    open_garden.refresh_from_db()
    assert open_garden.charter == "New rules." and open_garden.shows_other_members


def test_changing_an_invisible_garden_is_404(api, admin_b, secret):
    api_login(api, admin_b)

    assert api.patch(f"{GARDENS}pricing/", {"name": "X"}, format="json").status_code == 404


# --- Join, leave, members ----------------------------------------------------------------------


def test_a_customer_joins_and_leaves(api, member_a, open_garden):
    api_login(api, member_a)

    joined = api.post(f"{GARDENS}onboarding/join/")
    listed = api.get(GARDENS).json()["results"][0]
    left = api.post(f"{GARDENS}onboarding/leave/")

    assert joined.status_code == 201 and joined.json()["garden"] == "onboarding"
    assert listed["is_member"] is True and listed["member_count"] == 1
    assert left.status_code == 204
    assert not GardenMembership.objects.exists()


def test_joining_before_the_account_accepts_is_refused(api, member_a, admin_a, invitation):
    api_login(api, admin_a)

    response = api.post(f"{GARDENS}pricing/join/")

    assert response.status_code == 400
    assert not GardenMembership.objects.exists()


@pytest.mark.parametrize("action", ["join", "leave", "members"])
def test_an_uninvited_account_gets_404_on_an_invite_only_garden(
    api, member_b, admin_a, invitation, action
):
    garden_services.garden_invitation_accept(invitation=invitation, by=admin_a)
    api_login(api, member_b)

    response = getattr(api, "get" if action == "members" else "post")(f"{GARDENS}pricing/{action}/")

    assert response.status_code == 404
    assert not GardenMembership.objects.exists()


@pytest.mark.parametrize(
    "url", [f"{GARDENS}onboarding/join/", f"{GARDENS}onboarding/members/", INVITATIONS]
)
def test_anonymous_callers_are_refused(api, open_garden, url):
    response = api.get(url) if url.endswith("members/") or url == INVITATIONS else api.post(url)

    assert response.status_code == 401


def test_the_member_list_follows_the_privacy_rules(
    api, member_a, member_b, account_a, product_manager, open_garden
):
    colleague = customer(account_a, first_name="Cleo", last_name="Colleague")
    for person in (member_a, member_b, colleague):
        garden_services.garden_join(garden=open_garden, user=person)
    url = f"{GARDENS}onboarding/members/"

    api_login(api, member_a)
    hidden = {row["name"] for row in api.get(url).json()["results"]}
    open_garden.shows_other_members = True
    open_garden.save()
    shown = {row["name"] for row in api.get(url).json()["results"]}
    api_login(api, product_manager)
    internal = {row["name"] for row in api.get(url).json()["results"]}

    assert hidden == {member_a.full_name, "Cleo Colleague"}
    assert shown == {member_a.full_name, "Cleo Colleague", "Bob (Globex Logistics)"}
    assert internal == {member_a.full_name, "Cleo Colleague", member_b.full_name}


def test_a_non_member_customer_does_not_list_members(api, member_a, member_b, open_garden):
    garden_services.garden_join(garden=open_garden, user=member_b)
    api_login(api, member_a)

    assert api.get(f"{GARDENS}onboarding/members/").status_code == 403


def test_the_member_list_costs_the_same_queries_for_few_or_many(
    api, member_a, open_garden, django_assert_num_queries
):
    garden_services.garden_join(garden=open_garden, user=member_a)
    open_garden.shows_other_members = True
    open_garden.save()
    for total in (3, 12):
        while GardenMembership.objects.count() < total:
            garden_services.garden_join(garden=open_garden, user=customer(AccountFactory()))
        api_login(api, member_a)
        # 1 the caller's membership, 2 the garden (access_garden), 3 is the caller a member,
        # 4 the page of members with user and account (not full: it tells the count, no COUNT)
        with django_assert_num_queries(4):
            response = api.get(f"{GARDENS}onboarding/members/")
        assert response.json()["count"] == total


# --- Invitations -------------------------------------------------------------------------------


def test_a_programme_admin_invites_an_account(api, programme_admin, admin_a, secret):
    api_login(api, programme_admin)

    response = api.post(INVITATIONS, {"garden": "pricing", "account": "acme"}, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "invited" and response.json()["account"] == "acme"
    assert GardenAccount.objects.get().account == admin_a.membership.account
    assert Notification.objects.get(kind="garden_invitation").user == admin_a


def test_a_steward_invites_but_another_internal_user_may_not(
    api, product_manager, account_manager_a, secret
):
    secret.stewards.add(product_manager)

    api_login(api, account_manager_a)
    refused = api.post(INVITATIONS, {"garden": "pricing", "account": "acme"}, format="json")
    api_login(api, product_manager)
    allowed = api.post(INVITATIONS, {"garden": "pricing", "account": "acme"}, format="json")

    assert refused.status_code == 403
    assert allowed.status_code == 201
    assert GardenAccount.objects.count() == 1


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "admin_b"])
def test_customers_do_not_invite(api, request, secret, persona):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(INVITATIONS, {"garden": "pricing", "account": "acme"}, format="json")

    assert response.status_code == 400  # the garden is not theirs to see: no such garden
    assert api_error(response)["attr"] == "garden"
    assert not GardenAccount.objects.exists()


def test_inviting_to_an_open_garden_is_a_field_error(api, programme_admin, open_garden, admin_a):
    api_login(api, programme_admin)

    response = api.post(INVITATIONS, {"garden": "onboarding", "account": "acme"}, format="json")

    assert response.status_code == 400
    assert api_error(response)["attr"] == "account"


def test_the_accounts_admin_lists_and_accepts_the_invitation(api, admin_a, member_a, invitation):
    api_login(api, admin_a)

    listed = api.get(INVITATIONS).json()
    accepted = api.post(f"{INVITATIONS}{invitation.pk}/accept/")

    assert [row["garden"] for row in listed["results"]] == ["pricing"]
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    invitation.refresh_from_db()
    assert invitation.status == GardenAccountStatus.ACCEPTED and invitation.responded_by == admin_a
    api_login(api, member_a)
    assert api.get(f"{GARDENS}pricing/").status_code == 200


def test_the_accounts_admin_declines_the_invitation(api, admin_a, invitation):
    api_login(api, admin_a)

    response = api.post(f"{INVITATIONS}{invitation.pk}/decline/")

    assert response.status_code == 200 and response.json()["status"] == "declined"
    assert api.get(f"{GARDENS}pricing/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "code"), [("member_a", 404), ("admin_b", 404), ("member_b", 404)]
)
def test_only_the_invited_accounts_admin_sees_and_answers(api, request, invitation, persona, code):
    api_login(api, request.getfixturevalue(persona))

    assert api.get(INVITATIONS).json()["count"] == 0
    assert api.get(f"{INVITATIONS}{invitation.pk}/").status_code == code
    assert api.post(f"{INVITATIONS}{invitation.pk}/accept/").status_code == code
    invitation.refresh_from_db()
    assert invitation.status == GardenAccountStatus.INVITED


def test_a_programme_admin_does_not_answer_for_an_account(api, programme_admin, invitation):
    api_login(api, programme_admin)

    response = api.post(f"{INVITATIONS}{invitation.pk}/accept/")

    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == GardenAccountStatus.INVITED


def test_stewards_withdraw_an_invitation_and_the_accounts_admin_may_not(
    api, programme_admin, admin_a, invitation
):
    api_login(api, admin_a)
    refused = api.delete(f"{INVITATIONS}{invitation.pk}/")
    api_login(api, programme_admin)
    withdrawn = api.delete(f"{INVITATIONS}{invitation.pk}/")

    assert refused.status_code == 403
    assert withdrawn.status_code == 204
    assert not GardenAccount.objects.exists()


def test_invitations_filter_by_garden_and_status(
    api, programme_admin, admin_a, admin_b, invitation
):
    other = GardenFactory(slug="other", visibility=GardenVisibility.INVITE_ONLY)
    garden_services.garden_invite(
        garden=other, account=admin_b.membership.account, invited_by=programme_admin
    )
    garden_services.garden_invitation_accept(invitation=invitation, by=admin_a)
    api_login(api, programme_admin)

    by_garden = api.get(INVITATIONS, {"garden": "other"}).json()["results"]
    accepted = api.get(INVITATIONS, {"status": "accepted"}).json()["results"]

    assert [row["account"] for row in by_garden] == ["globex"]
    assert [row["account"] for row in accepted] == ["acme"]


# --- Reading gardens: open ones for customers, every one for internal users --------------------


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
def test_anonymous_callers_are_refused_the_list_and_a_garden(api, gardens, url):
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


def test_listing_gardens_costs_four_queries_however_many_there_are(
    api, member_a, django_assert_num_queries
):
    open_gardens = Garden.objects.filter(visibility=GardenVisibility.OPEN)
    for total in (3, 13):
        GardenFactory.create_batch(total - open_gardens.count())
        GardenFactory(visibility=GardenVisibility.INVITE_ONLY)  # hidden from the member
        api_login(api, member_a)

        # 1. the caller's membership (a customer sees open gardens only)
        # 2. the page of gardens (with member counts and whether the caller joined each, an
        # EXISTS: no prefetch of their memberships any more; not full: no COUNT),
        # 3. their stewards (prefetch)
        with django_assert_num_queries(3):
            response = api.get(GARDENS)

        assert response.json()["count"] == total
