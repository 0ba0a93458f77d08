"""/api/v1/accounts/ and /api/v1/me/: who sees which customer account, and who may change it.

Anonymous callers get 401 with `WWW-Authenticate: Token`: token authentication comes first,
and DRF answers 401 when the first authentication class names a challenge.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts import services
from accounts.models import Account, InternalRole, Segment, Tier
from tests.accounts.factories import AccountFactory, TeamAssignmentFactory, internal
from tests.api_helpers import api_error, api_login

ACCOUNTS = "/api/v1/accounts/"
ACME = "/api/v1/accounts/acme/"


def _slugs(response) -> list[str]:
    return [row["slug"] for row in response.json()["results"]]


# --- List and detail: each persona sees exactly its accounts ----------------------------------


def test_a_member_lists_only_their_own_account(api, member_a, account_b):
    api_login(api, member_a)

    response = api.get(ACCOUNTS)

    assert response.status_code == 200
    assert _slugs(response) == ["acme"]
    assert response.json()["count"] == 1


def test_a_member_of_another_account_lists_nothing_of_acme(api, member_b, account_a):
    api_login(api, member_b)

    response = api.get(ACCOUNTS)

    assert _slugs(response) == ["globex"]


def test_an_outsider_gets_404_for_another_accounts_detail(api, member_b, account_a):
    api_login(api, member_b)

    response = api.get(ACME)

    assert response.status_code == 404
    assert api_error(response) == {
        "type": "client_error",
        "code": "not_found",
        "detail": "No such account.",
        "attr": None,
    }


def test_a_member_reads_their_own_account(api, member_a):
    api_login(api, member_a)

    response = api.get(ACME)

    assert response.status_code == 200
    assert response.json()["name"] == "Acme Industrial"
    assert response.json()["annual_contract_value"] == "120000.00"


def test_an_account_manager_sees_only_the_accounts_they_are_assigned_to(
    api, account_manager_a, account_b
):
    api_login(api, account_manager_a)

    assert _slugs(api.get(ACCOUNTS)) == ["acme"]
    assert api.get(ACME).status_code == 200
    assert api.get(f"{ACCOUNTS}globex/").status_code == 404


@pytest.mark.parametrize("persona", ["product_manager", "programme_admin"])
def test_product_managers_and_programme_admins_see_every_account(
    api, request, persona, account_a, account_b
):
    api_login(api, request.getfixturevalue(persona))

    assert _slugs(api.get(ACCOUNTS)) == ["acme", "globex"]
    assert api.get(f"{ACCOUNTS}globex/").status_code == 200


def test_an_internal_user_without_assignments_sees_no_account(api, account_a):
    success_manager = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER)
    api_login(api, success_manager)

    assert api.get(ACCOUNTS).json()["count"] == 0
    assert api.get(ACME).status_code == 404


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", ACCOUNTS), ("get", ACME), ("post", ACCOUNTS), ("patch", ACME)],
)
def test_anonymous_callers_are_refused_and_nothing_changes(api, account_a, method, url):
    response = getattr(api, method)(url, {"name": "Hijacked"})

    assert response.status_code == 401
    assert api_error(response)["code"] == "not_authenticated"
    assert list(Account.objects.values_list("name", flat=True)) == ["Acme Industrial"]


def test_an_api_token_logs_a_script_in_with_its_owners_scope(api, member_a, account_b):
    _, token = services.api_token_create(user=member_a, name="Script")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert _slugs(api.get(ACCOUNTS)) == ["acme"]
    assert api.get(f"{ACCOUNTS}globex/").status_code == 404


def test_a_wrong_token_is_refused(api, account_a):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = api.get(ACCOUNTS)

    assert response.status_code == 401
    assert api_error(response)["code"] == "authentication_failed"


def test_a_slug_made_only_of_digits_is_looked_up_as_a_slug_not_as_an_id(
    api, programme_admin, account_b
):
    # "1&1" slugifies to "11"; before the fix, /accounts/11/ fetched the account whose id is 11.
    # Giving the slug the id of Globex makes the mix-up certain.
    one_and_one = AccountFactory(name="1&1 Telecom", slug=str(account_b.pk))
    api_login(api, programme_admin)

    read = api.get(f"{ACCOUNTS}{one_and_one.slug}/")
    write = api.patch(f"{ACCOUNTS}{one_and_one.slug}/", {"tier": Tier.STRATEGIC})

    assert read.status_code == 200
    assert read.json()["name"] == "1&1 Telecom"
    assert write.status_code == 200
    one_and_one.refresh_from_db()
    account_b.refresh_from_db()
    assert one_and_one.tier == Tier.STRATEGIC
    assert account_b.tier == Tier.STANDARD


# --- Create: programme admins only -------------------------------------------------------------


def test_a_programme_admin_creates_an_account_with_a_slug_from_its_name(api, programme_admin):
    api_login(api, programme_admin)

    response = api.post(
        ACCOUNTS,
        {
            "name": "Initech Systems",
            "segment": Segment.ENTERPRISE,
            "tier": Tier.GROWTH,
            "annual_contract_value": "250000.00",
            "renewal_date": "2027-03-31",
        },
    )

    assert response.status_code == 201
    assert response.json()["slug"] == "initech-systems"
    account = Account.objects.get(slug="initech-systems")
    assert account.name == "Initech Systems"
    assert account.segment == Segment.ENTERPRISE
    assert account.tier == Tier.GROWTH
    assert account.annual_contract_value == Decimal("250000.00")
    assert account.renewal_date == dt.date(2027, 3, 31)
    assert response.json()["id"] == account.pk


def test_a_second_account_with_the_same_name_gets_its_own_slug(api, programme_admin, account_a):
    api_login(api, programme_admin)

    response = api.post(ACCOUNTS, {"name": "Acme"})

    assert response.status_code == 201
    assert response.json()["slug"] == "acme-2"
    assert Account.objects.filter(slug__startswith="acme").count() == 2


def test_creating_an_account_ignores_fields_the_caller_may_not_set(api, programme_admin):
    api_login(api, programme_admin)

    response = api.post(
        ACCOUNTS,
        {"name": "Umbrella", "slug": "hijack", "id": 4242, "created_at": "2000-01-01T00:00:00Z"},
    )

    assert response.status_code == 201
    account = Account.objects.get()
    assert account.slug == "umbrella"
    assert account.pk != 4242
    assert account.created_at.year > 2000


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "member_b", "account_manager_a", "product_manager"]
)
def test_only_programme_admins_create_accounts(api, request, persona):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(ACCOUNTS, {"name": "Shadow Corp"})

    assert response.status_code == 403
    assert api_error(response)["detail"] == "Only programme admins create accounts."
    assert not Account.objects.filter(name="Shadow Corp").exists()


@pytest.mark.parametrize(
    ("payload", "attr", "code"),
    [
        ({}, "name", "required"),
        ({"name": ""}, "name", "blank"),
        ({"name": "Neg", "annual_contract_value": "-1"}, "annual_contract_value", "min_value"),
        ({"name": "Seg", "segment": "galactic"}, "segment", "invalid_choice"),
        ({"name": "Date", "renewal_date": "next spring"}, "renewal_date", "invalid"),
    ],
)
def test_an_invalid_account_is_refused_with_a_field_error(
    api, programme_admin, payload, attr, code
):
    api_login(api, programme_admin)

    response = api.post(ACCOUNTS, payload)

    assert response.status_code == 400
    error = api_error(response)
    assert (error["type"], error["attr"], error["code"]) == ("validation_error", attr, code)
    assert not Account.objects.exists()


# --- Update: programme admins only; PUT is not offered ----------------------------------------


def test_a_programme_admin_changes_an_accounts_record(api, programme_admin, account_a):
    api_login(api, programme_admin)

    response = api.patch(ACME, {"tier": Tier.STRATEGIC, "renewal_date": "2027-06-30"})

    assert response.status_code == 200
    assert response.json()["tier"] == Tier.STRATEGIC
    account_a.refresh_from_db()
    assert account_a.tier == Tier.STRATEGIC
    assert account_a.renewal_date == dt.date(2027, 6, 30)
    assert account_a.name == "Acme Industrial"  # a partial update leaves the rest alone


def test_patching_an_account_cannot_change_its_slug_or_id(api, programme_admin, account_a):
    api_login(api, programme_admin)

    response = api.patch(ACME, {"name": "Acme Group", "slug": "acme-hijacked", "id": 999})

    assert response.status_code == 200
    account_a.refresh_from_db()
    assert (account_a.pk, account_a.slug, account_a.name) == (
        response.json()["id"],
        "acme",
        "Acme Group",
    )


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a", "product_manager"])
def test_people_who_see_an_account_but_may_not_edit_it_get_403(api, request, persona, account_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.patch(ACME, {"name": "Renamed", "annual_contract_value": "1.00"})

    assert response.status_code == 403
    assert api_error(response)["detail"] == "You may not change this account."
    account = Account.objects.get(slug="acme")
    assert (account.name, account.annual_contract_value) == ("Acme Industrial", 120_000)


@pytest.mark.parametrize("persona", ["member_b", "admin_b"])
def test_an_outsider_cannot_patch_another_account(api, request, persona, account_a):
    api_login(api, request.getfixturevalue(persona))

    response = api.patch(ACME, {"name": "Owned by Globex"})

    assert response.status_code == 404
    assert Account.objects.get(slug="acme").name == "Acme Industrial"


def test_an_invalid_patch_is_refused_and_changes_nothing(api, programme_admin, account_a):
    api_login(api, programme_admin)

    response = api.patch(ACME, {"tier": "platinum", "annual_contract_value": "-5"})

    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    assert {e["attr"] for e in body["errors"]} == {"tier", "annual_contract_value"}
    account_a.refresh_from_db()
    assert (account_a.tier, account_a.annual_contract_value) == (Tier.STANDARD, 120_000)


def test_put_is_not_offered(api, programme_admin, account_a):
    api_login(api, programme_admin)

    response = api.put(ACME, {"name": "Whole new record"})

    assert response.status_code == 405
    assert Account.objects.get(slug="acme").name == "Acme Industrial"


def test_accounts_cannot_be_deleted_through_the_api(api, programme_admin, account_a):
    api_login(api, programme_admin)

    response = api.delete(ACME)

    assert response.status_code == 405
    assert Account.objects.filter(slug="acme").exists()


# --- Filtering, search, ordering and pagination -----------------------------------------------


@pytest.fixture
def three_accounts(db):
    AccountFactory(name="Alpha Bank", slug="alpha", segment=Segment.ENTERPRISE, tier=Tier.GROWTH)
    AccountFactory(name="Beta Bakery", slug="beta", segment=Segment.SMB, annual_contract_value=5)
    AccountFactory(
        name="Gamma Council",
        slug="gamma",
        segment=Segment.PUBLIC_SECTOR,
        annual_contract_value=900_000,
        renewal_date=dt.date(2030, 1, 1),
    )


def test_accounts_filter_by_segment(api, product_manager, three_accounts):
    api_login(api, product_manager)

    assert _slugs(api.get(ACCOUNTS, {"segment": Segment.ENTERPRISE})) == ["alpha"]
    assert _slugs(api.get(ACCOUNTS, {"segment": Segment.SMB})) == ["beta"]
    assert _slugs(api.get(ACCOUNTS, {"tier": Tier.GROWTH})) == ["alpha"]
    assert _slugs(api.get(ACCOUNTS, {"renewal_after": "2029-12-31"})) == ["gamma"]


def test_an_unknown_segment_is_a_field_error_not_an_empty_list(api, product_manager):
    api_login(api, product_manager)

    response = api.get(ACCOUNTS, {"segment": "galactic"})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "segment"
    assert api_error(response)["code"] == "invalid_choice"


def test_accounts_search_by_name_ignoring_case(api, product_manager, three_accounts):
    api_login(api, product_manager)

    assert _slugs(api.get(ACCOUNTS, {"search": "BAKERY"})) == ["beta"]
    assert _slugs(api.get(ACCOUNTS, {"search": "a"})) == ["alpha", "beta", "gamma"]


def test_search_and_filters_never_reach_beyond_the_callers_accounts(
    api, member_a, account_b, three_accounts
):
    api_login(api, member_a)

    assert _slugs(api.get(ACCOUNTS, {"search": "globex"})) == []
    assert _slugs(api.get(ACCOUNTS, {"segment": Segment.ENTERPRISE})) == []


def test_accounts_order_by_contract_value(api, product_manager, three_accounts):
    api_login(api, product_manager)

    response = api.get(ACCOUNTS, {"ordering": "-annual_contract_value"})

    assert _slugs(response) == ["gamma", "alpha", "beta"]


def test_accounts_come_in_pages_of_the_requested_size(api, product_manager, three_accounts):
    api_login(api, product_manager)

    first = api.get(ACCOUNTS, {"page_size": 2}).json()
    second = api.get(ACCOUNTS, {"page_size": 2, "page": 2}).json()

    assert first["count"] == 3
    assert [row["slug"] for row in first["results"]] == ["alpha", "beta"]
    assert "page=2" in first["next"]
    assert [row["slug"] for row in second["results"]] == ["gamma"]
    assert second["next"] is None


def test_a_page_holds_25_accounts_by_default_and_never_more_than_200(api, product_manager):
    Account.objects.bulk_create(AccountFactory.build_batch(205))
    api_login(api, product_manager)

    default = api.get(ACCOUNTS).json()
    greedy = api.get(ACCOUNTS, {"page_size": 1000}).json()

    assert (default["count"], len(default["results"])) == (205, 25)
    assert (greedy["count"], len(greedy["results"])) == (205, 200)
    assert greedy["next"] is not None


# --- Query counts: lists cost the same however many rows they show ----------------------------


def test_listing_every_account_costs_two_queries_however_many_there_are(
    api, programme_admin, django_assert_num_queries
):
    for total in (3, 13):
        AccountFactory.create_batch(total - Account.objects.count())
        api_login(api, programme_admin)

        # 1. the caller's permissions, own and groups'  has_perm("accounts.view_all_accounts")
        # 2. the page of accounts (not full: it tells the count, no COUNT query)
        with django_assert_num_queries(2):
            response = api.get(ACCOUNTS)

        assert response.json()["count"] == total


def test_listing_assigned_accounts_costs_three_queries_however_many_there_are(
    api, account_manager_a, django_assert_num_queries
):
    assigned = account_manager_a.team_assignments
    for total in (3, 13):
        for account in AccountFactory.create_batch(total - assigned.count()):
            TeamAssignmentFactory(user=account_manager_a, account=account)
        AccountFactory()  # not assigned, so never listed
        api_login(api, account_manager_a)

        # 1. the caller's permissions, own and groups'  has_perm("accounts.view_all_accounts")
        # 2. the caller's customer membership (none: they are internal)
        # 3. the page of those accounts (not full: it tells the count, no COUNT query)
        with django_assert_num_queries(3):
            response = api.get(ACCOUNTS)

        assert response.json()["count"] == total


# --- /me/ -------------------------------------------------------------------------------------


def test_me_tells_a_member_their_account_and_role(api, admin_a):
    api_login(api, admin_a)

    response = api.get("/api/v1/me/")

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["email"] == "anna@acme.example"
    assert body["account"]["slug"] == "acme"
    assert body["account_role"] == "admin"
    assert body["internal_roles"] == []


def test_me_tells_an_internal_user_their_roles_and_no_account(api, programme_admin):
    api_login(api, programme_admin)

    body = api.get("/api/v1/me/").json()

    assert body["user"]["email"] == "ada@garden.example"
    assert body["account"] is None
    assert body["account_role"] is None
    assert body["internal_roles"] == ["programme_admin"]


def test_me_does_not_leak_the_password_hash(api, member_a):
    api_login(api, member_a)

    body = api.get("/api/v1/me/").json()

    assert "password" not in body["user"]
    assert "is_staff" not in body["user"]


def test_me_refuses_anonymous_callers(api):
    response = api.get("/api/v1/me/")

    assert response.status_code == 401
    assert api_error(response)["code"] == "not_authenticated"


def test_me_is_read_only(api, member_a):
    api_login(api, member_a)

    response = api.patch("/api/v1/me/", {"is_staff": True, "email": "root@example.com"})

    assert response.status_code == 405
    member_a.refresh_from_db()
    assert (member_a.is_staff, member_a.email) == (False, "alice@acme.example")
