"""The landing page per persona, the navigation that fits the role, the admin and /healthz/."""

from __future__ import annotations

import pytest

from community.models import GardenVisibility
from tests.accounts.factories import PASSWORD, AccountFactory, TeamAssignmentFactory
from tests.community.factories import EngagementSnapshotFactory, GardenFactory


@pytest.fixture
def gardens(db):
    """One garden open to every customer account, one invite-only."""
    return (
        GardenFactory(name="Onboarding journeys"),
        GardenFactory(name="Secret roadmap", visibility=GardenVisibility.INVITE_ONLY),
    )


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_a_customer_lands_on_their_account_with_colleagues_team_and_gardens(
    client_for, member_a, admin_a, account_manager_a, member_b, gardens
):
    response = client_for(member_a).get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "community/home_customer.html"
    page = response.content.decode()
    assert "Welcome, Alice" in page
    assert "You take part for <strong>Acme Industrial</strong>." in page
    assert '<span class="figure">2</span> people from Acme Industrial taking part' in page
    assert '<span class="figure">0</span> gardens you joined' in page
    assert '<span class="figure">1</span> people in your account team' in page
    assert "Anna" in page  # a colleague, marked as the account's admin
    assert 'badge-admin">admin</span>' in page
    assert "Carol" in page and "carol@garden.example" in page  # the account team
    assert "Onboarding journeys" in page


def test_a_customer_sees_nothing_of_other_accounts_or_invite_only_gardens(
    client_for, member_a, member_b, admin_b, gardens
):
    page = client_for(member_a).get("/").content.decode()

    assert "Globex" not in page
    # B's people by their whole names (a made-up surname such as "Beasley" may hold "Bea")
    assert all(f"{p.first_name} {p.last_name}" not in page for p in (member_b, admin_b))
    assert "bob@globex.example" not in page
    assert "Secret roadmap" not in page


def test_the_account_admin_is_invited_to_manage_the_team(client_for, admin_a):
    page = client_for(admin_a).get("/").content.decode()

    assert "as its account admin" in page
    assert "Manage your team and invite colleagues" in page


def test_a_customer_navigation_links_to_their_account_and_not_to_the_account_list(
    client_for, member_a
):
    page = client_for(member_a).get("/").content.decode()

    assert 'href="/accounts/acme/">Our account</a>' in page
    assert 'href="/accounts/"' not in page
    assert 'href="/admin/"' not in page


def test_the_account_manager_lands_on_their_assigned_accounts_only(
    client_for, account_manager_a, account_a, account_b, gardens
):
    EngagementSnapshotFactory(account=account_a, level="contributing")
    response = client_for(account_manager_a).get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "community/home_internal.html"
    page = response.content.decode()
    assert "Account team" in page
    assert '<span class="figure">1</span> account assigned to you' in page
    assert '<span class="figure">1</span> account you can see' in page
    assert 'href="/accounts/acme/">Acme Industrial</a>' in page
    assert 'data-level="contributing"' in page  # Acme's latest level, as a badge
    assert "Globex" not in page
    assert 'href="/accounts/">My accounts</a>' in page
    assert 'href="/admin/"' not in page
    # Internal users see every garden, invite-only ones too.
    assert "Onboarding journeys" in page and "Secret roadmap" in page


def test_the_product_manager_sees_every_account_and_no_empty_assignment(
    client_for, product_manager, account_a, account_b
):
    page = client_for(product_manager).get("/").content.decode()

    assert "Product manager" in page
    assert "assigned to you" not in page  # not an account manager's dashboard
    assert '<span class="figure">2</span> accounts you can see' in page
    # Both renew within 90 days (the factory's renewal date is 60 days ahead).
    assert "Acme Industrial" in page and "Globex Logistics" in page
    assert 'href="/accounts/">All accounts</a>' in page
    assert 'href="/admin/"' not in page


def test_the_programme_admin_gets_links_to_the_admin(client_for, programme_admin, account_a):
    page = client_for(programme_admin).get("/").content.decode()

    assert "Programme admin" in page
    assert 'href="/admin/">Admin</a>' in page  # in the navigation
    assert 'href="/admin/" role="button" class="secondary outline">Open the admin</a>' in page


def test_the_account_team_home_costs_the_same_queries_for_3_or_12_accounts(
    client_for, account_manager_a, django_assert_num_queries
):
    client = client_for(account_manager_a)

    def page_with(accounts: int) -> None:
        for _ in range(accounts - account_manager_a.team_assignments.count()):
            TeamAssignmentFactory(user=account_manager_a, account=AccountFactory())
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and groups'),
        # 4 groups (persona), 5 assigned count, 6 visible count, 7 assigned rows, 8 their
        # levels, 9 renewing rows, 10 gardens
        # +1 the unread-notification count for the bell in the navigation
        # +5 "What needs you": open alerts on my accounts (rows, count), renewals at low
        # engagement (one query: the renewing accounts with their levels), silent accounts (one
        # query: the first rows with the count of all), the flag queue
        with django_assert_num_queries(16):
            response = client.get("/")
        assert response.content.decode().count('<th scope="row">') == accounts

    page_with(3)
    page_with(12)


def test_the_health_check_answers_without_login(client, db):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_admin_lets_programme_admins_in(client_for, programme_admin):
    client = client_for(programme_admin)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/account/").status_code == 200


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a", "product_manager"])
def test_the_admin_keeps_everyone_else_out(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))

    response = client.get("/admin/accounts/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_admin_login_refuses_a_customer_with_the_right_password(client, admin_a):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin_a.email, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    assert client.get("/admin/").status_code == 302
