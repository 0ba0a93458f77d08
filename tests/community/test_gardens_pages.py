"""Garden pages: the list (customers see open gardens, internal users every garden), create and
edit (programme admins), invitations (stewards), the account admin's answer, join and leave, and
the garden home with its privacy rules and query count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts import services
from community.models import (
    ActivityEvent,
    ActivityKind,
    Garden,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
)
from community.services import gardens as garden_services
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import EngagementSnapshotFactory, GardenFactory


@pytest.fixture
def open_garden(db):
    return GardenFactory(
        name="Onboarding journeys", slug="onboarding", charter="Ideas are **voted** monthly."
    )


@pytest.fixture
def secret(db):
    return GardenFactory(
        name="Pricing experiments", slug="pricing", visibility=GardenVisibility.INVITE_ONLY
    )


def _invite_and_accept(garden, admin, by):
    invitation = garden_services.garden_invite(
        garden=garden, account=admin.membership.account, invited_by=by
    )
    garden_services.garden_invitation_accept(invitation=invitation, by=admin)
    return invitation


# --- Outsiders -------------------------------------------------------------------------------

ROUTES = [
    ("get", "/gardens/new/"),
    ("get", "/gardens/pricing/"),
    ("get", "/gardens/pricing/edit/"),
    ("post", "/gardens/pricing/join/"),
    ("post", "/gardens/pricing/leave/"),
    ("get", "/gardens/pricing/invitations/"),
    ("get", "/gardens/pricing/invitation/"),
]


@pytest.mark.parametrize(("method", "url"), ROUTES)
def test_anonymous_visitors_are_sent_to_login(client, secret, method, url):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(("method", "url"), ROUTES[1:])
def test_an_uninvited_account_finds_nothing_of_an_invite_only_garden(
    client_for, admin_b, admin_a, programme_admin, secret, method, url
):
    _invite_and_accept(secret, admin_a, programme_admin)

    response = getattr(client_for(admin_b), method)(url)

    assert response.status_code == 404
    assert "Pricing experiments" not in response.content.decode()
    assert not GardenMembership.objects.exists()


def test_an_invite_only_garden_is_not_listed_or_searchable_for_an_uninvited_account(
    client_for, member_b, secret, open_garden
):
    client = client_for(member_b)

    listed = client.get("/gardens/", {"q": "pricing"}).content.decode()
    exported = b"".join(client.get("/gardens/", {"export": "csv"}).streaming_content).decode()

    assert "Pricing experiments" not in listed
    assert "Pricing experiments" not in exported and "onboarding" in exported


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "product_manager", "account_manager_a"])
def test_only_programme_admins_create_and_edit_gardens(request, client_for, open_garden, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/gardens/new/").status_code == 403
    response = client.post("/gardens/new/", {"name": "Sneaky", "theme": "adaptation"})
    assert response.status_code == 403
    assert client.post("/gardens/onboarding/edit/", {"name": "Renamed"}).status_code == 403
    assert list(Garden.objects.values_list("name", flat=True)) == ["Onboarding journeys"]


# --- Create and edit -------------------------------------------------------------------------


def test_a_programme_admin_creates_an_invite_only_garden(
    client_for, programme_admin, product_manager, member_a
):
    client = client_for(programme_admin)
    form = client.get("/gardens/new/").content.decode()
    assert "Pat" in form and "alice@acme.example" not in form  # stewards: internal users only

    response = client.post(
        "/gardens/new/",
        {
            "name": "Data supply circle",
            "theme": "data_supply",
            "description": "Sensor data together.",
            "charter": "We decide together.",
            "visibility": "invite_only",
            "shows_other_members": "on",
            "stewards": [product_manager.pk],
        },
    )

    garden = Garden.objects.get(slug="data-supply-circle")
    assert response.status_code == 302 and response["Location"] == "/gardens/data-supply-circle/"
    assert garden.visibility == GardenVisibility.INVITE_ONLY and garden.shows_other_members
    assert list(garden.stewards.all()) == [product_manager]
    assert garden.created_by == programme_admin


def test_a_custom_theme_without_a_name_is_refused_on_the_form(client_for, programme_admin):
    response = client_for(programme_admin).post(
        "/gardens/new/", {"name": "Odd", "theme": "custom", "visibility": "open"}
    )

    assert response.status_code == 400
    assert "Name the custom theme." in response.content.decode()
    assert not Garden.objects.exists()


def test_a_programme_admin_edits_a_garden(client_for, programme_admin, open_garden):
    client = client_for(programme_admin)
    assert "Onboarding journeys" in client.get("/gardens/onboarding/edit/").content.decode()

    response = client.post(
        "/gardens/onboarding/edit/",
        {
            "name": "First weeks",
            "theme": "custom",
            "custom_theme": "Week one",
            "charter": "New rules.",
            "visibility": "open",
        },
    )

    open_garden.refresh_from_db()
    assert response.status_code == 302
    assert (open_garden.name, open_garden.theme_label, open_garden.charter) == (
        "First weeks",
        "Week one",
        "New rules.",
    )
    assert open_garden.slug == "onboarding"


# --- Invitations -----------------------------------------------------------------------------


def test_a_steward_invites_an_account_and_its_admin_accepts(
    client_for, product_manager, admin_a, member_a, secret
):
    secret.stewards.add(product_manager)
    response = client_for(product_manager).post(
        "/gardens/pricing/invitations/", {"account": "acme"}
    )
    assert response.status_code == 302
    invitation = GardenAccount.objects.get()
    assert invitation.status == GardenAccountStatus.INVITED

    client = client_for(admin_a)
    page = client.get("/gardens/pricing/invitation/")
    assert page.status_code == 200 and "Accept for Acme Industrial" in page.content.decode()
    assert "Pricing experiments" in client.get("/gardens/").content.decode()
    answered = client.post("/gardens/pricing/invitation/", {"answer": "accept"})

    invitation.refresh_from_db()
    assert answered.status_code == 302 and answered["Location"] == "/gardens/pricing/"
    assert (invitation.status, invitation.responded_by) == (GardenAccountStatus.ACCEPTED, admin_a)


def test_a_member_does_not_answer_for_the_account(
    client_for, admin_a, member_a, programme_admin, secret
):
    invitation = garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )

    response = client_for(member_a).post("/gardens/pricing/invitation/", {"answer": "accept"})

    assert response.status_code == 404  # the garden stays invisible to members until accepted
    invitation.refresh_from_db()
    assert invitation.status == GardenAccountStatus.INVITED


def test_declining_hides_the_garden_from_the_admin(client_for, admin_a, programme_admin, secret):
    garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )
    client = client_for(admin_a)

    response = client.post("/gardens/pricing/invitation/", {"answer": "decline"})

    assert response.status_code == 302
    assert GardenAccount.objects.get().status == GardenAccountStatus.DECLINED
    assert client.get("/gardens/pricing/").status_code == 404


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a"])
def test_only_stewards_and_programme_admins_manage_invitations(
    request, client_for, admin_a, programme_admin, secret, persona
):
    _invite_and_accept(secret, admin_a, programme_admin)
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/gardens/pricing/invitations/").status_code == 403
    assert client.post("/gardens/pricing/invitations/", {"account": "globex"}).status_code == 403
    assert GardenAccount.objects.count() == 1


def test_inviting_an_unknown_or_already_invited_account_shows_an_error(
    client_for, programme_admin, admin_a, secret
):
    client = client_for(programme_admin)
    _invite_and_accept(secret, admin_a, programme_admin)

    unknown = client.post("/gardens/pricing/invitations/", {"account": "nobody"})
    again = client.post("/gardens/pricing/invitations/", {"account": "acme"})

    assert unknown.status_code == 400 and "No such account." in unknown.content.decode()
    assert again.status_code == 400 and "already takes part" in again.content.decode()
    assert GardenAccount.objects.count() == 1


def test_withdrawing_an_account_removes_its_members(
    client_for, programme_admin, admin_a, member_a, secret
):
    invitation = _invite_and_accept(secret, admin_a, programme_admin)
    garden_services.garden_join(garden=secret, user=member_a)

    response = client_for(programme_admin).post(
        f"/gardens/pricing/invitations/{invitation.pk}/remove/"
    )

    assert response.status_code == 302
    assert not GardenAccount.objects.exists() and not GardenMembership.objects.exists()


# --- Join and leave --------------------------------------------------------------------------


def test_a_customer_joins_and_leaves_an_open_garden(client_for, member_a, open_garden):
    client = client_for(member_a)
    before = client.get("/gardens/onboarding/").content.decode()
    assert "Join this garden" in before and "Who takes part" not in before
    assert "Ideas are <strong>voted</strong> monthly." in before  # the charter, for everyone

    joined = client.post("/gardens/onboarding/join/")
    assert joined.status_code == 302
    assert GardenMembership.objects.filter(user=member_a, garden=open_garden).exists()
    page = client.get("/gardens/onboarding/").content.decode()
    assert "Who takes part" in page and "Leave this garden" in page

    left = client.post("/gardens/onboarding/leave/")
    assert left.status_code == 302
    assert not GardenMembership.objects.exists()


def test_joining_an_invite_only_garden_before_acceptance_is_refused(
    client_for, admin_a, programme_admin, secret
):
    garden_services.garden_invite(
        garden=secret, account=admin_a.membership.account, invited_by=programme_admin
    )

    response = client_for(admin_a).post("/gardens/pricing/join/")

    assert response.status_code == 403
    assert not GardenMembership.objects.exists()


def test_joining_needs_a_post(client_for, member_a, open_garden):
    assert client_for(member_a).get("/gardens/onboarding/join/").status_code == 405
    assert not GardenMembership.objects.exists()


# --- The garden home: who takes part ---------------------------------------------------------


@pytest.fixture
def crowd(open_garden, member_a, member_b, account_a):
    colleague = customer(account_a, first_name="Cleo", last_name="Colleague")
    for person in (member_a, member_b, colleague):
        garden_services.garden_join(garden=open_garden, user=person)
    return colleague


def test_members_of_other_accounts_are_not_shown_unless_the_garden_allows_it(
    client_for, member_a, member_b, crowd, open_garden
):
    page = client_for(member_a).get("/gardens/onboarding/").content.decode()

    assert "Cleo Colleague" in page  # a colleague, by name
    assert "Bob" not in page  # another account's member: not at all
    assert "Globex Logistics" not in page  # nor their company (the same setting)

    member_b.last_name = "Zyworski"  # a surname no word of the page contains
    member_b.save(update_fields=["last_name"])
    open_garden.shows_other_members = True
    open_garden.save()
    page = client_for(member_a).get("/gardens/onboarding/").content.decode()
    assert "Bob (Globex Logistics)" in page
    assert "Zyworski" not in page
    assert "<li>Globex Logistics" in page  # the companies taking part, too


def test_the_garden_names_its_co_creating_accounts_garden_partners(
    client_for, member_a, member_b, crowd, open_garden
):
    open_garden.shows_other_members = True  # customers read the other companies' names
    open_garden.save()
    EngagementSnapshotFactory(account=member_b.membership.account, level="co_creating", score=75)
    EngagementSnapshotFactory(account=member_a.membership.account, level="observing", score=20)

    page = client_for(member_a).get("/gardens/onboarding/").content.decode()

    listed = page.split('<ul class="garden-accounts">', 1)[1].split("</ul>", 1)[0]
    items = {item.split("<small", 1)[0].strip(): item for item in listed.split("<li>")[1:]}
    assert set(items) == {"Globex Logistics", member_a.membership.account.name}
    assert "Garden partner" in items["Globex Logistics"]
    assert "Garden partner" not in items[member_a.membership.account.name]


def test_an_invite_only_garden_does_not_name_other_accounts_to_customers(
    client_for, admin_a, member_a, admin_b, member_b, programme_admin, secret
):
    _invite_and_accept(secret, admin_a, programme_admin)
    _invite_and_accept(secret, admin_b, programme_admin)
    garden_services.garden_join(garden=secret, user=member_a)
    garden_services.garden_join(garden=secret, user=member_b)

    customer_page = client_for(member_a).get("/gardens/pricing/").content.decode()
    internal_page = client_for(programme_admin).get("/gardens/pricing/").content.decode()

    assert "Globex Logistics" not in customer_page and "Bob" not in customer_page
    assert "Globex Logistics" in internal_page and member_b.full_name in internal_page


def test_the_activity_chart_counts_members_actions_since_they_joined(
    client_for, member_a, member_b, open_garden, account_a, account_b
):
    membership = garden_services.garden_join(garden=open_garden, user=member_a)
    now = timezone.now()
    GardenMembership.objects.filter(pk=membership.pk).update(joined_at=now - dt.timedelta(days=20))
    for days, user, account in [
        (1, member_a, account_a),
        (2, member_a, account_a),
        (30, member_a, account_a),  # before joining: not the garden's
        (1, member_b, account_b),  # not a member
    ]:
        ActivityEvent.objects.create(
            account=account,
            user=user,
            kind=ActivityKind.VOTE,
            occurred_at=now - dt.timedelta(days=days),
        )

    response = client_for(member_a).get("/gardens/onboarding/")

    chart = response.context["activity_chart"]
    assert sum(chart["events"]) == 2
    assert max(chart["active_members"]) == 1
    assert len(chart["labels"]) in (13, 14)
    assert 'id="garden-activity-data"' in response.content.decode()


def test_the_garden_home_costs_the_same_queries_for_few_or_many_members(
    client_for, member_a, open_garden, django_assert_num_queries
):
    garden_services.garden_join(garden=open_garden, user=member_a)
    open_garden.shows_other_members = True
    open_garden.save()
    client = client_for(member_a)
    client.get("/gardens/onboarding/")  # the day's visit is recorded once, on the first page

    def page_with(members: int) -> None:
        while GardenMembership.objects.count() < members:
            account = AccountFactory()
            person = customer(account)
            garden_services.garden_join(garden=open_garden, user=person)
            ActivityEvent.objects.create(account=account, user=person, kind=ActivityKind.VOTE)
        # 1 session, 2 user with membership (with account), 3 the garden (access_garden),
        # 4 is the user a member, 5 the stewards, 6 the activity per week,
        # 7 member and account counts, 8 the accounts taking part, 9 the members shown,
        # 10 the unread-notification count for the bell in the navigation,
        # 11 the active discussions (the slot templates/community/_garden_discussions.html),
        # 12 the latest harvests (the slot templates/community/_garden_harvests.html)
        with django_assert_num_queries(12):
            response = client.get("/gardens/onboarding/")
        assert response.status_code == 200
        assert response.content.decode().count("<li>") >= members

    page_with(3)
    page_with(15)


# --- The garden list: customers see open gardens, internal users every garden ----------------


@pytest.fixture
def open_garden_with_description(db):
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
def test_anonymous_visitors_are_sent_to_login_from_gardens(
    client, open_garden_with_description, url
):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("persona", ["member_a", "member_b"])
def test_a_customer_lists_open_gardens_only(
    request, client_for, open_garden_with_description, invite_only_garden, persona
):
    response = client_for(request.getfixturevalue(persona)).get("/gardens/")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/gardens/onboarding/">Onboarding journeys</a>' in page
    assert "Secret roadmap" not in page
    assert "Pricing experiments" not in page


def test_a_customer_opens_an_open_garden(client_for, member_a, open_garden_with_description):
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
    request, client_for, open_garden_with_description, invite_only_garden, persona
):
    client = client_for(request.getfixturevalue(persona))

    listed = client.get("/gardens/").content.decode()
    detail = client.get("/gardens/roadmap/")

    assert "Onboarding journeys" in listed and "Secret roadmap" in listed
    assert "Invite-only" in listed
    assert detail.status_code == 200
    assert "Pricing experiments" in detail.content.decode()


def test_a_removed_member_no_longer_sees_gardens(
    client_for, admin_a, member_a, open_garden_with_description
):
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
        # 1 session, 2 user with membership (with account), 3 gardens (with member counts and
        # whether the user joined each: an EXISTS, no prefetch of their memberships any more)
        # +1 the unread-notification count for the bell in the navigation
        with django_assert_num_queries(4):
            response = client.get("/gardens/")
        assert response.content.decode().count("<article>") == gardens

    page_with(3)
    page_with(12)


def test_activity_events_are_indexed_by_person_and_moment_with_support(db):
    """Migration community 0030: a garden's activity chart reads each member's events of the
    last 90 days from this index alone."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'activity_user_time'")
        [(definition,)] = cursor.fetchall()
    assert "(user_id, occurred_at) INCLUDE (is_support)" in definition
