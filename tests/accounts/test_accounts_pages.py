"""Account pages: the internal account list (filters, htmx, CSV), the account page, and the
admin's actions on members (change role, remove)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.utils.html import escape

from accounts import services
from accounts.models import Account, MemberRole, Membership, Segment, Tier
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, customer

# --- The account list ------------------------------------------------------------------------


@pytest.fixture
def portfolio(account_a, account_b):
    """Acme (mid-market, standard) and Globex plus two more, with distinct filters and sizes."""
    services.account_update(
        account=account_b,
        segment=Segment.ENTERPRISE,
        tier=Tier.STRATEGIC,
        annual_contract_value=900_000,
    )
    initech = AccountFactory(
        name="Initech", slug="initech", segment=Segment.SMB, annual_contract_value=15_000
    )
    umbrella = AccountFactory(
        name="Umbrella Health",
        slug="umbrella",
        segment=Segment.PUBLIC_SECTOR,
        tier=Tier.GROWTH,
        annual_contract_value=400_000,
    )
    for _ in range(3):
        customer(umbrella)
    return account_a, account_b, initech, umbrella


def _names(response) -> list[str]:
    """Account names in the table, in order."""
    page = response.content.decode()
    rows = page.split('<th scope="row">')[1:]
    return [row.split("</a>")[0].split(">")[-1] for row in rows]


def test_anonymous_visitors_are_sent_to_login_from_the_account_list(client, db):
    response = client.get("/accounts/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/"


@pytest.mark.parametrize(("persona", "own"), [("member_a", "acme"), ("member_b", "globex")])
def test_a_customer_opening_the_account_list_is_sent_to_their_own_account(
    request, client_for, persona, own
):
    response = client_for(request.getfixturevalue(persona)).get("/accounts/")

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{own}/"


def test_the_account_manager_lists_only_assigned_accounts(client_for, account_manager_a, portfolio):
    response = client_for(account_manager_a).get("/accounts/")

    assert response.status_code == 200
    assert _names(response) == ["Acme Industrial"]
    assert "Globex" not in response.content.decode()


def test_the_product_manager_lists_every_account_by_name(client_for, product_manager, portfolio):
    response = client_for(product_manager).get("/accounts/")

    assert _names(response) == ["Acme Industrial", "Globex Logistics", "Initech", "Umbrella Health"]
    assert "4 accounts" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=glob", ["Globex Logistics"]),
        ("q=ACME", ["Acme Industrial"]),
        ("segment=public_sector", ["Umbrella Health"]),
        ("tier=standard", ["Acme Industrial", "Initech"]),
        ("segment=smb&tier=strategic", []),
        (
            "sort=-annual_contract_value",
            ["Globex Logistics", "Umbrella Health", "Acme Industrial", "Initech"],
        ),
        ("sort=-members", ["Umbrella Health", "Acme Industrial", "Globex Logistics", "Initech"]),
    ],
)
def test_the_account_list_filters_and_sorts(
    client_for, product_manager, portfolio, member_a, query, expected
):
    response = client_for(product_manager).get(f"/accounts/?{query}")

    assert response.status_code == 200
    assert _names(response) == expected


def test_no_match_says_so(client_for, product_manager, portfolio):
    response = client_for(product_manager).get("/accounts/?q=nothing-like-this")

    assert "No account matches these filters." in response.content.decode()


def test_an_htmx_request_gets_only_the_rows(client_for, product_manager, portfolio):
    response = client_for(product_manager).get("/accounts/?q=glob", HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert [t.name for t in response.templates] == [
        "accounts/_account_rows.html",
        "_pagination.html",
    ]
    page = response.content.decode()
    assert "<html" not in page
    assert _names(response) == ["Globex Logistics"]


def test_a_history_restore_by_htmx_gets_the_whole_page(client_for, product_manager, portfolio):
    # After hx-push-url, "Back" with htmx's history cache missed asks for the URL with both
    # headers and swaps the answer in as the whole page.
    response = client_for(product_manager).get(
        "/accounts/?q=glob", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )

    assert response.templates[0].name == "accounts/account_list.html"
    assert "<html" in response.content.decode()


def test_the_account_list_tells_caches_it_varies_with_htmx(client_for, product_manager):
    client = client_for(product_manager)

    for response in (client.get("/accounts/"), client.get("/accounts/", HTTP_HX_REQUEST="true")):
        assert "HX-Request" in response["Vary"]


def test_the_account_list_is_paged_by_25_and_keeps_the_filters(client_for, product_manager):
    for n in range(27):
        AccountFactory(name=f"Northwind {n:02}", segment=Segment.SMB)
    AccountFactory(name="Contoso", segment=Segment.ENTERPRISE)
    client = client_for(product_manager)

    first = client.get("/accounts/?segment=smb")
    second = client.get("/accounts/?segment=smb&page=2")

    assert len(_names(first)) == 25
    assert _names(second) == ["Northwind 25", "Northwind 26"]
    assert 'href="?segment=smb&amp;page=2"' in first.content.decode()
    assert "Page 2 of 2" in second.content.decode()


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_the_csv_export_downloads_the_filtered_accounts(client_for, product_manager, portfolio):
    response = client_for(product_manager).get("/accounts/?segment=public_sector&export=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="accounts.csv"'
    header, *rows = _csv_rows(response)
    assert header == [
        "name",
        "segment",
        "tier",
        "annual_contract_value",
        "currency",
        "customer_since",
        "renewal_date",
        "members",
    ]
    umbrella = portfolio[3]
    assert rows == [
        [
            "Umbrella Health",
            "public_sector",
            "growth",
            "400000.00",
            "EUR",
            "2021-04-01",
            umbrella.renewal_date.isoformat(),
            "3",
        ]
    ]


def test_the_csv_export_holds_only_the_accounts_the_manager_may_see(
    client_for, account_manager_a, portfolio, member_a, admin_a
):
    response = client_for(account_manager_a).get("/accounts/?export=csv")

    _, *rows = _csv_rows(response)
    assert [(row[0], row[-1]) for row in rows] == [("Acme Industrial", "2")]


def test_a_customer_cannot_export_accounts(client_for, member_b, portfolio):
    response = client_for(member_b).get("/accounts/?export=csv")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/globex/"


def test_the_account_list_costs_the_same_queries_for_3_or_12_accounts(
    client_for, programme_admin, django_assert_num_queries
):
    client = client_for(programme_admin)

    def page_with(accounts: int) -> None:
        while Account.objects.count() < accounts:
            customer(AccountFactory())
        # 1 session, 2 user with membership (none: internal), 3 permissions (own and
        # groups'), 4 paginator count, 5 groups (navigation), 6 the page of accounts with
        # member counts, +1 the unread-notification count for the bell in the navigation
        with django_assert_num_queries(7):
            response = client.get("/accounts/")
        assert len(_names(response)) == accounts

    page_with(3)
    page_with(12)


# --- The account page ------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login_from_an_account_page(client, account_a):
    response = client.get("/accounts/acme/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/acme/"


@pytest.mark.parametrize(
    ("persona", "slug"),
    [
        ("member_b", "acme"),  # a customer of another account
        ("admin_b", "acme"),  # even its admin
        ("member_a", "globex"),
        ("account_manager_a", "globex"),  # an account not assigned to them
        ("programme_admin", "no-such-account"),
    ],
)
def test_an_account_that_is_not_visible_is_not_found(
    request, client_for, account_a, account_b, persona, slug
):
    response = client_for(request.getfixturevalue(persona)).get(f"/accounts/{slug}/")

    assert response.status_code == 404


def test_a_member_sees_colleagues_and_account_team_but_no_one_else(
    client_for, member_a, admin_a, account_manager_a, member_b, admin_b
):
    outsider = TeamAssignmentFactory(account=member_b.membership.account).user

    response = client_for(member_a).get("/accounts/acme/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Alice" in page and "Anna" in page
    assert "Carol" in page and "Account manager" in page
    # Full names: a random last name ("Beasley") may hold "Bea" or "Bob".
    assert member_b.full_name not in page and admin_b.full_name not in page
    assert "Globex" not in page
    # The full name and the address: a random first name alone may be a word on the page.
    assert outsider.get_full_name() not in page and outsider.email not in page


def test_a_member_sees_neither_contract_nor_management_controls(client_for, member_a, admin_a):
    page = client_for(member_a).get("/accounts/acme/").content.decode()

    assert "annual contract value" not in page
    assert "Invite a colleague" not in page
    assert "/members/" not in page
    assert "Open invitations" not in page


def test_the_account_admin_manages_everyone_but_themselves(client_for, member_a, admin_a):
    page = client_for(admin_a).get("/accounts/acme/").content.decode()

    assert "annual contract value" in page
    assert 'href="/accounts/acme/invite/"' in page
    assert f'action="/members/{member_a.membership.pk}/role/"' in page
    assert f'action="/members/{member_a.membership.pk}/remove/"' in page
    assert f'action="/members/{admin_a.membership.pk}/' not in page
    assert "Open invitations" in page
    assert "Mid-market" not in page  # the company's segment and tier are its own business


def test_the_account_team_reads_the_segment_and_tier(client_for, account_manager_a, account_a):
    page = client_for(account_manager_a).get("/accounts/acme/").content.decode()

    assert f'<span class="badge">{account_a.get_segment_display()}</span>' in page
    assert f'<span class="badge">{account_a.get_tier_display()}</span>' in page


def test_the_account_manager_manages_an_assigned_account(client_for, account_manager_a, member_a):
    page = client_for(account_manager_a).get("/accounts/acme/").content.decode()

    assert 'href="/accounts/acme/invite/"' in page
    assert f'action="/members/{member_a.membership.pk}/role/"' in page


def test_the_product_manager_sees_any_account_but_does_not_manage_it(
    client_for, product_manager, member_b
):
    response = client_for(product_manager).get("/accounts/globex/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Bob" in page and "annual contract value" in page
    assert "Invite a colleague" not in page and "/members/" not in page


def test_the_account_page_costs_the_same_queries_for_3_or_12_members(
    client_for, admin_a, account_a, account_manager_a, django_assert_num_queries
):
    client = client_for(admin_a)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")

    def page_with(members: int) -> None:
        while account_a.memberships.count() < members:
            customer(account_a)
        # 1 session, 2 user with membership, 3 permissions (own and groups'), 4 the account,
        # 5 members with users, 6 account team with users, 7 open invitations
        # +1 the unread-notification count for the bell in the navigation
        # +1 the account's latest engagement level (the "garden partner" mark)
        # +1 the account's SCIM tokens with who made them (its admins manage provisioning)
        with django_assert_num_queries(10):
            response = client.get("/accounts/acme/")
        assert response.content.decode().count('action="/members/') == 2 * (members - 1)

    page_with(3)
    page_with(12)


# --- Changing a member's role ----------------------------------------------------------------


def test_the_admin_makes_a_member_an_admin(client_for, admin_a, member_a):
    client = client_for(admin_a)

    response = client.post(f"/members/{member_a.membership.pk}/role/", {"role": "admin"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/acme/"
    assert Membership.objects.get(user=member_a).role == MemberRole.ADMIN
    assert f"{escape(member_a)} is now Account admin." in client.get("/").content.decode()


def test_the_account_manager_changes_roles_in_an_assigned_account(
    client_for, account_manager_a, admin_a, member_a
):
    response = client_for(account_manager_a).post(
        f"/members/{admin_a.membership.pk}/role/", {"role": "member"}
    )

    # Anna was the only admin: the account must keep one, so nothing changes.
    assert response.status_code == 302
    assert Membership.objects.get(user=admin_a).role == MemberRole.ADMIN

    client_for(account_manager_a).post(
        f"/members/{member_a.membership.pk}/role/", {"role": "admin"}
    )
    client_for(account_manager_a).post(
        f"/members/{admin_a.membership.pk}/role/", {"role": "member"}
    )

    assert Membership.objects.get(user=member_a).role == MemberRole.ADMIN
    assert Membership.objects.get(user=admin_a).role == MemberRole.MEMBER


def test_the_last_admin_cannot_step_down(client_for, admin_a):
    client = client_for(admin_a)

    response = client.post(
        f"/members/{admin_a.membership.pk}/role/", {"role": "member"}, follow=True
    )

    assert "An account needs at least one admin" in response.content.decode()
    assert Membership.objects.get(user=admin_a).role == MemberRole.ADMIN


def test_an_unknown_role_changes_nothing(client_for, admin_a, member_a):
    response = client_for(admin_a).post(
        f"/members/{member_a.membership.pk}/role/", {"role": "owner"}, follow=True
    )

    assert "Unknown role" in response.content.decode()
    assert Membership.objects.get(user=member_a).role == MemberRole.MEMBER


def test_changing_a_role_needs_a_post(client_for, admin_a, member_a):
    response = client_for(admin_a).get(f"/members/{member_a.membership.pk}/role/?role=admin")

    assert response.status_code == 405
    assert Membership.objects.get(user=member_a).role == MemberRole.MEMBER


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member_a", 403),  # sees the colleague, may not change them
        ("product_manager", 403),  # sees every account, manages none
        ("member_b", 404),  # another account's customer
        ("admin_b", 404),  # another account's admin
        ("account_manager_a", 404),  # not assigned to B (tried on B's member below)
    ],
)
def test_outsiders_cannot_change_roles(
    request, client_for, admin_a, member_a, member_b, persona, status
):
    target = member_b if persona == "account_manager_a" else member_a
    user = request.getfixturevalue(persona)

    response = client_for(user).post(f"/members/{target.membership.pk}/role/", {"role": "admin"})

    assert response.status_code == status
    assert Membership.objects.get(user=target).role == MemberRole.MEMBER


def test_anonymous_visitors_cannot_change_roles(client, member_a):
    response = client.post(f"/members/{member_a.membership.pk}/role/", {"role": "admin"})

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Membership.objects.get(user=member_a).role == MemberRole.MEMBER


# --- Removing a member -----------------------------------------------------------------------


def test_the_admin_removes_a_member_who_can_then_no_longer_log_in(client_for, admin_a, member_a):
    alice = Client()
    alice.force_login(member_a)
    pk = member_a.membership.pk

    client = client_for(admin_a)

    response = client.post(f"/members/{pk}/remove/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/acme/"
    assert not Membership.objects.filter(pk=pk).exists()
    member_a.refresh_from_db()
    assert not member_a.is_active
    page = client.get("/accounts/acme/").content.decode()
    assert f"{escape(member_a)} was removed from Acme Industrial." in page
    assert f"/members/{pk}/" not in page
    # Alice's open session ends with her membership.
    assert alice.get("/").status_code == 302


def test_an_admin_cannot_remove_themselves(client_for, admin_a, member_a):
    # A second admin, so only the rule against removing oneself applies.
    services.membership_set_role(membership=member_a.membership, role=MemberRole.ADMIN)

    response = client_for(admin_a).post(f"/members/{admin_a.membership.pk}/remove/", follow=True)

    assert "You cannot remove yourself." in response.content.decode()
    assert Membership.objects.filter(user=admin_a).exists()


def test_removing_needs_a_post(client_for, admin_a, member_a):
    response = client_for(admin_a).get(f"/members/{member_a.membership.pk}/remove/")

    assert response.status_code == 405
    assert Membership.objects.filter(user=member_a).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member_a", 403),
        ("product_manager", 403),
        ("member_b", 404),
        ("admin_b", 404),
        ("account_manager_a", 404),
    ],
)
def test_outsiders_cannot_remove_members(
    request, client_for, admin_a, member_a, member_b, persona, status
):
    target = member_b if persona == "account_manager_a" else admin_a
    user = request.getfixturevalue(persona)

    response = client_for(user).post(f"/members/{target.membership.pk}/remove/")

    assert response.status_code == status
    assert Membership.objects.filter(user=target).exists()
    target.refresh_from_db()
    assert target.is_active


def test_anonymous_visitors_cannot_remove_members(client, member_a):
    response = client.post(f"/members/{member_a.membership.pk}/remove/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert Membership.objects.filter(user=member_a).exists()
