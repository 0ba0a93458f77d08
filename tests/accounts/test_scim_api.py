"""SCIM 2.0 provisioning at /scim/v2/, driven as Okta and Microsoft Entra drive it, against the
real views with an account's SCIM token."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import provisioning, services
from accounts.models import ApiToken, MemberRole, Membership, ScimPerson, ScimToken, User
from tests.accounts.factories import PASSWORD, UserFactory, customer
from tests.community.factories import EngagementSnapshotFactory

BASE = "/scim/v2"
SCIM_JSON = "application/scim+json"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def _scim(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _send(client, method: str, url: str, body=None):
    """A request as the providers send it: the body as application/scim+json."""
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, data=json.dumps(body), content_type=SCIM_JSON)


@pytest.fixture
def token_a(account_a, admin_a):
    _, raw = provisioning.scim_token_create(account=account_a, name="Okta", created_by=admin_a)
    return raw


@pytest.fixture
def token_b(account_b, admin_b):
    _, raw = provisioning.scim_token_create(account=account_b, name="Entra", created_by=admin_b)
    return raw


def _log_in(client, email: str):
    """A real login, through the login page (the password step and allauth's flow)."""
    return client.post("/login/", {"username": email, "password": PASSWORD})


def _new_user(email="dora@acme.example", **more) -> dict:
    return {
        "schemas": [USER],
        "userName": email,
        "name": {"givenName": "Dora", "familyName": "Diaz"},
        "emails": [{"primary": True, "value": email, "type": "work"}],
        "externalId": "00u1okta",
        "active": True,
        **more,
    }


# --- Okta's sequence --------------------------------------------------------------------------


def test_an_okta_sequence_creates_finds_deactivates_and_deletes_a_member(
    account_a, admin_a, token_a
):
    okta = _scim(token_a)
    filter_url = f'{BASE}/Users?filter=userName eq "dora@acme.example"&startIndex=1&count=100'

    # Okta first asks whether the person exists.
    before = _send(okta, "get", filter_url)
    assert before.status_code == 200
    assert before["Content-Type"] == SCIM_JSON
    assert before.json()["totalResults"] == 0

    created = _send(okta, "post", f"{BASE}/Users", _new_user())
    assert created.status_code == 201, created.content
    person_id = created.json()["id"]
    person = User.objects.get(pk=person_id)
    assert person.email == "dora@acme.example"
    assert (person.first_name, person.last_name, person.is_active) == ("Dora", "Diaz", True)
    assert Membership.objects.get(user=person).account == account_a
    assert Membership.objects.get(user=person).role == MemberRole.MEMBER
    assert ScimPerson.objects.get(user=person).external_id == "00u1okta"
    assert created.json()["active"] is True
    assert created.json()["groups"] == [{"value": "members", "display": "Members"}]

    found = _send(okta, "get", filter_url).json()
    assert found["totalResults"] == 1
    assert [r["id"] for r in found["Resources"]] == [person_id]

    deactivated = _send(
        okta,
        "patch",
        f"{BASE}/Users/{person_id}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]},
    )
    assert deactivated.status_code == 200, deactivated.content
    assert deactivated.json()["active"] is False
    assert not Membership.objects.filter(user=person).exists()
    person.refresh_from_db()
    assert person.is_active is False
    # Still the account's to read (and to reactivate) until the provider deletes them.
    assert _send(okta, "get", f"{BASE}/Users/{person_id}").json()["active"] is False

    deleted = _send(okta, "delete", f"{BASE}/Users/{person_id}")
    assert deleted.status_code == 204
    assert not ScimPerson.objects.filter(user=person).exists()
    assert _send(okta, "get", f"{BASE}/Users/{person_id}").status_code == 404
    assert _send(okta, "get", filter_url).json()["totalResults"] == 0
    assert User.objects.filter(pk=person_id, is_active=False).exists()  # contributions keep it
    assert list(Membership.objects.filter(account=account_a).values_list("user", flat=True)) == [
        admin_a.pk
    ]


def test_okta_reactivates_a_deactivated_person(account_a, token_a):
    okta = _scim(token_a)
    person_id = _send(okta, "post", f"{BASE}/Users", _new_user()).json()["id"]
    off = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": False}}]}
    on = {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]}
    _send(okta, "patch", f"{BASE}/Users/{person_id}", off)

    response = _send(okta, "patch", f"{BASE}/Users/{person_id}", on)

    assert response.status_code == 200
    assert response.json()["active"] is True
    assert Membership.objects.get(user_id=person_id).account == account_a
    assert User.objects.get(pk=person_id).is_active


def test_an_entra_patch_with_a_path_and_a_string_value_deactivates(account_a, token_a):
    entra = _scim(token_a)
    person_id = _send(entra, "post", f"{BASE}/Users", _new_user()).json()["id"]

    response = _send(
        entra,
        "patch",
        f"{BASE}/Users/{person_id}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "Add", "path": "title", "value": "Buyer"},
                {"op": "Replace", "path": "name.familyName", "value": "Díaz"},
                {
                    "op": "Add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                    "value": "Purchasing",
                },
            ],
        },
    )

    assert response.status_code == 200, response.content
    person = User.objects.get(pk=person_id)
    assert (person.is_active, person.job_title, person.last_name) == (False, "Buyer", "Díaz")
    assert not Membership.objects.filter(user=person).exists()


def test_an_entra_emails_mapping_does_not_move_the_login_but_user_name_does(member_a, token_a):
    url = f"{BASE}/Users/{member_a.pk}"
    client = _scim(token_a)
    mail = {
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "al@acme.example"}
        ]
    }
    login = {"Operations": [{"op": "Replace", "path": "userName", "value": "Alicia@acme.example"}]}

    kept = _send(client, "patch", url, mail)
    member_a.refresh_from_db()
    assert (kept.status_code, member_a.email) == (200, "alice@acme.example")

    moved = _send(client, "patch", url, login)
    member_a.refresh_from_db()
    assert (moved.status_code, member_a.email) == (200, "alicia@acme.example")
    assert moved.json()["emails"][0]["value"] == "alicia@acme.example"


def test_a_user_name_that_is_someone_elses_login_is_a_uniqueness_error(admin_a, member_a, token_a):
    response = _send(
        _scim(token_a),
        "patch",
        f"{BASE}/Users/{member_a.pk}",
        {"Operations": [{"op": "replace", "path": "userName", "value": "ANNA@acme.example"}]},
    )

    assert (response.status_code, response.json()["scimType"]) == (409, "uniqueness")
    member_a.refresh_from_db()
    assert member_a.email == "alice@acme.example"


def test_a_put_replaces_what_we_keep_of_a_person(account_a, token_a):
    client = _scim(token_a)
    person_id = _send(client, "post", f"{BASE}/Users", _new_user()).json()["id"]

    response = _send(
        client,
        "put",
        f"{BASE}/Users/{person_id}",
        _new_user("dora.diaz@acme.example", name={"givenName": "Dorothea"}, title="Lead"),
    )

    assert response.status_code == 200, response.content
    person = User.objects.get(pk=person_id)
    assert (person.email, person.first_name, person.last_name, person.job_title) == (
        "dora.diaz@acme.example",
        "Dorothea",
        "",
        "Lead",
    )


# --- Creation's refusals: nothing half-saved --------------------------------------------------


def test_an_address_of_another_accounts_member_is_a_uniqueness_error_and_nothing_is_made(
    account_a, member_b, token_a
):
    rows_before = (User.objects.count(), Membership.objects.count(), ScimPerson.objects.count())

    response = _send(_scim(token_a), "post", f"{BASE}/Users", _new_user("BOB@globex.example"))

    assert response.status_code == 409
    assert response.json() == {
        "schemas": [ERROR],
        "status": "409",
        "scimType": "uniqueness",
        "detail": "A user with this userName already exists.",
    }
    assert response["Content-Type"] == SCIM_JSON
    assert (
        User.objects.count(),
        Membership.objects.count(),
        ScimPerson.objects.count(),
    ) == rows_before
    assert Membership.objects.get(user=member_b).account.slug == "globex"


def test_an_internal_users_address_is_a_uniqueness_error(account_a, product_manager, token_a):
    response = _send(_scim(token_a), "post", f"{BASE}/Users", _new_user(product_manager.email))

    assert response.status_code == 409
    assert not Membership.objects.filter(user=product_manager).exists()


def test_a_former_members_login_is_linked_not_duplicated(account_a, token_a):
    former = UserFactory(email="fred@acme.example", is_active=False)

    response = _send(_scim(token_a), "post", f"{BASE}/Users", _new_user("fred@acme.example"))

    assert response.status_code == 201
    assert response.json()["id"] == str(former.pk)
    former.refresh_from_db()
    assert former.is_active
    assert Membership.objects.get(user=former).account == account_a


@pytest.mark.parametrize(
    ("body", "scim_type"),
    [
        ({"schemas": [USER]}, "invalidValue"),  # no userName
        (_new_user("not an address"), "invalidValue"),
        (_new_user(active="maybe"), "invalidValue"),
        (_new_user(name="Dora"), "invalidValue"),
        (_new_user("dora@acme.example", title="Line\nbreak"), "invalidValue"),
        ([1, 2], "invalidSyntax"),
        (_new_user(externalId="x" * 300), "invalidValue"),
        (_new_user(name={"givenName": "D" * 200}), "invalidValue"),
        (_new_user("d" * 250 + "@acme.example"), "invalidValue"),
    ],
)
def test_bad_input_is_a_scim_error_and_nothing_is_saved(account_a, token_a, body, scim_type):
    users = User.objects.count()

    response = _send(_scim(token_a), "post", f"{BASE}/Users", body)

    assert response.status_code == 400, response.content
    assert response.json()["schemas"] == [ERROR]
    assert response.json()["status"] == "400"
    assert response.json()["scimType"] == scim_type
    assert User.objects.count() == users


def test_a_body_that_is_no_json_is_invalid_syntax(token_a):
    response = _scim(token_a).post(f"{BASE}/Users", data="{nope", content_type=SCIM_JSON)

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"


def test_a_patch_without_operations_is_invalid_syntax_and_changes_nothing(member_a, token_a):
    response = _send(_scim(token_a), "patch", f"{BASE}/Users/{member_a.pk}", {"schemas": [PATCH]})

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"
    assert Membership.objects.filter(user=member_a).exists()


def test_the_last_admin_cannot_be_deactivated(admin_a, token_a):
    response = _send(
        _scim(token_a),
        "patch",
        f"{BASE}/Users/{admin_a.pk}",
        {"Operations": [{"op": "replace", "path": "active", "value": False}]},
    )

    assert response.status_code == 400
    assert "at least one admin" in response.json()["detail"]
    admin_a.refresh_from_db()
    assert admin_a.is_active
    assert Membership.objects.get(user=admin_a).role == MemberRole.ADMIN


# --- Lists: filters and pages -----------------------------------------------------------------


def test_the_list_pages_by_start_index_and_count(account_a, admin_a, member_a, token_a):
    more = [customer(account_a, email=f"p{i}@acme.example") for i in range(3)]
    ids = [str(pk) for pk in sorted(u.pk for u in [admin_a, member_a, *more])]
    client = _scim(token_a)

    first = _send(client, "get", f"{BASE}/Users?startIndex=1&count=2").json()
    second = _send(client, "get", f"{BASE}/Users?startIndex=3&count=2").json()
    last = _send(client, "get", f"{BASE}/Users?startIndex=5&count=2").json()
    counted = _send(client, "get", f"{BASE}/Users?count=0").json()

    assert first["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert (first["totalResults"], first["startIndex"], first["itemsPerPage"]) == (5, 1, 2)
    pages = [first, second, last]
    assert [r["id"] for page in pages for r in page["Resources"]] == ids
    assert (last["startIndex"], last["itemsPerPage"]) == (5, 1)
    assert (counted["totalResults"], counted["Resources"]) == (5, [])


def test_the_list_costs_the_same_queries_for_few_and_many(
    account_a, token_a, django_assert_num_queries
):
    client = _scim(token_a)
    for i in range(2):
        customer(account_a, email=f"few{i}@acme.example")
    _send(client, "get", f"{BASE}/Users")  # the token's last use is written once a minute

    # the token; the count; the page with each person's membership and link
    with django_assert_num_queries(3):
        few = _send(client, "get", f"{BASE}/Users")
    for i in range(6):
        customer(account_a, email=f"many{i}@acme.example")
    with django_assert_num_queries(3):
        many = _send(client, "get", f"{BASE}/Users")

    assert (few.json()["totalResults"], many.json()["totalResults"]) == (3, 9)  # and admin_a


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('userName eq "ALICE@acme.example"', ["alice@acme.example"]),
        ('emails[type eq "work"].value eq "anna@acme.example"', ["anna@acme.example"]),
        ('name.givenName sw "an"', ["anna@acme.example"]),
        ('userName co "@acme" and not (userName sw "anna")', ["alice@acme.example"]),
        (
            'userName eq "alice@acme.example" or userName eq "anna@acme.example"',
            ["alice@acme.example", "anna@acme.example"],
        ),
        ("active eq true", ["alice@acme.example", "anna@acme.example"]),
        ("active eq false", []),
        ("title pr", []),
        ('userName eq "bob@globex.example"', []),  # another account's member: never listed
    ],
)
def test_filters_find_the_accounts_people_only(
    admin_a, member_a, member_b, token_a, expression, expected
):
    response = _send(_scim(token_a), "get", f"{BASE}/Users?filter={expression}")

    assert response.status_code == 200, response.content
    assert sorted(r["userName"] for r in response.json()["Resources"]) == expected


@pytest.mark.parametrize(
    "expression", ["userName eq", 'nickName eq "x"', "userName gt", "active eq maybe"]
)
def test_a_filter_we_cannot_serve_is_invalid_filter(token_a, expression):
    response = _send(_scim(token_a), "get", f"{BASE}/Users?filter={expression}")

    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidFilter"


# --- Groups: the roles ------------------------------------------------------------------------


def test_okta_adds_and_removes_an_admin_through_the_admins_group(admin_a, member_a, token_a):
    client = _scim(token_a)
    url = f"{BASE}/Groups/admins"

    added = _send(
        client,
        "patch",
        url,
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": str(member_a.pk)}]}
            ],
        },
    )
    assert added.status_code == 200, added.content
    assert Membership.objects.get(user=member_a).role == MemberRole.ADMIN
    assert {m["value"] for m in added.json()["members"]} == {str(admin_a.pk), str(member_a.pk)}

    removed = _send(
        client,
        "patch",
        url,
        {
            "schemas": [PATCH],
            "Operations": [{"op": "remove", "path": f'members[value eq "{admin_a.pk}"]'}],
        },
    )
    assert removed.status_code == 200, removed.content
    assert Membership.objects.get(user=admin_a).role == MemberRole.MEMBER
    assert [m["value"] for m in removed.json()["members"]] == [str(member_a.pk)]


def test_entra_removes_a_member_from_the_members_group_which_deactivates_them(
    admin_a, member_a, token_a
):
    response = _send(
        _scim(token_a),
        "patch",
        f"{BASE}/Groups/members",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "Remove", "path": "members", "value": [{"value": str(member_a.pk)}]}
            ],
        },
    )

    assert response.status_code == 200, response.content
    assert not Membership.objects.filter(user=member_a).exists()
    member_a.refresh_from_db()
    assert member_a.is_active is False


def test_the_groups_list_and_its_filter(admin_a, member_a, token_a):
    client = _scim(token_a)

    every = _send(client, "get", f"{BASE}/Groups?excludedAttributes=members").json()
    admins = _send(client, "get", f'{BASE}/Groups?filter=displayName eq "Admins"').json()

    assert [g["displayName"] for g in every["Resources"]] == ["Members", "Admins"]
    assert "members" not in every["Resources"][0]
    assert admins["totalResults"] == 1
    assert admins["Resources"][0]["members"][0]["value"] == str(admin_a.pk)


def test_a_group_keeps_its_name_and_names_only_the_accounts_people(admin_a, member_b, token_a):
    client = _scim(token_a)
    rename = {"Operations": [{"op": "replace", "value": {"displayName": "Owners"}}]}
    foreign = {
        "Operations": [{"op": "add", "path": "members", "value": [{"value": str(member_b.pk)}]}]
    }

    renamed = _send(client, "patch", f"{BASE}/Groups/admins", rename)
    crossed = _send(client, "patch", f"{BASE}/Groups/admins", foreign)

    assert (renamed.status_code, renamed.json()["scimType"]) == (400, "mutability")
    assert (crossed.status_code, crossed.json()["scimType"]) == (400, "invalidValue")
    assert Membership.objects.get(user=member_b).account.slug == "globex"
    assert Membership.objects.get(user=member_b).role == MemberRole.MEMBER


# --- The token: its own account only ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("get", None),
        ("put", _new_user("bob@globex.example")),
        ("patch", {"Operations": [{"op": "replace", "value": {"active": False}}]}),
        ("delete", None),
    ],
)
def test_a_token_of_account_a_cannot_see_or_change_account_bs_people(
    member_b, token_a, method, body
):
    bob = User.objects.get(pk=member_b.pk)

    response = _send(_scim(token_a), method, f"{BASE}/Users/{member_b.pk}", body)
    missing = _send(_scim(token_a), method, f"{BASE}/Users/999999", body)

    assert response.status_code == 404
    assert response.json() == missing.json()  # exactly as for no one
    assert "globex" not in response.content.decode()
    member_b.refresh_from_db()
    assert (member_b.is_active, member_b.email, member_b.first_name) == (
        True,
        bob.email,
        bob.first_name,
    )
    assert Membership.objects.get(user=member_b).account.slug == "globex"


def test_a_token_lists_its_own_account_only(member_a, member_b, token_a, token_b):
    listed_a = _send(_scim(token_a), "get", f"{BASE}/Users").json()
    listed_b = _send(_scim(token_b), "get", f"{BASE}/Users").json()

    assert {r["userName"] for r in listed_a["Resources"]} == {
        "alice@acme.example",
        "anna@acme.example",
    }
    assert {r["userName"] for r in listed_b["Resources"]} == {
        "bob@globex.example",
        "bea@globex.example",
    }


def test_a_revoked_token_is_refused_with_401(account_a, admin_a, member_a):
    token, raw = provisioning.scim_token_create(account=account_a, name="Okta", created_by=admin_a)
    provisioning.scim_token_revoke(token=token, by=admin_a)

    response = _send(_scim(raw), "get", f"{BASE}/Users")

    assert response.status_code == 401
    assert response.json()["schemas"] == [ERROR]
    assert response["WWW-Authenticate"] == 'Bearer realm="scim"'
    token.refresh_from_db()
    assert (token.revoked_by, token.last_used_at) == (admin_a, None)


@pytest.mark.parametrize("credentials", ["", "Bearer not-a-token", "Token abc"])
def test_no_token_or_a_wrong_one_is_refused(member_a, credentials):
    client = APIClient()
    if credentials:
        client.credentials(HTTP_AUTHORIZATION=credentials)

    response = client.get(f"{BASE}/Users")

    assert response.status_code == 401
    assert response.json()["status"] == "401"


def test_a_session_or_an_api_token_is_no_way_in(client, admin_a):
    client.force_login(admin_a)
    _, api_token = services.api_token_create(user=admin_a, name="script")
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")

    assert client.get(f"{BASE}/Users").status_code == 401
    assert by_token.get(f"{BASE}/Users").status_code == 401


def test_the_token_records_its_last_use(account_a, admin_a):
    token, raw = provisioning.scim_token_create(account=account_a, name="Okta", created_by=admin_a)

    _send(_scim(raw), "get", f"{BASE}/ServiceProviderConfig")

    token.refresh_from_db()
    assert token.last_used_at is not None
    assert ScimToken.objects.get(pk=token.pk).digest != raw  # only a hash is kept
    assert raw.startswith(token.prefix)


# --- Deactivation ends sessions and API tokens at once ----------------------------------------


def test_a_deactivated_persons_session_is_gone_on_their_next_request(client, member_a, token_a):
    _log_in(client, member_a.email)
    assert client.get("/profile/").status_code == 200
    _, api_token = services.api_token_create(user=member_a, name="script")

    _send(
        _scim(token_a),
        "patch",
        f"{BASE}/Users/{member_a.pk}",
        {"Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )

    page = client.get("/profile/")
    assert page.status_code == 302
    assert page["Location"].startswith("/login/")
    assert not ApiToken.objects.filter(user=member_a).exists()
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")
    assert by_token.get("/api/v1/me/").status_code == 401


def test_a_reactivated_person_logs_in_again_but_the_old_session_stays_ended(
    client, member_a, token_a
):
    old = client
    _log_in(old, member_a.email)
    url = f"{BASE}/Users/{member_a.pk}"
    scim = _scim(token_a)
    _send(scim, "patch", url, {"Operations": [{"op": "replace", "value": {"active": False}}]})
    _send(scim, "patch", url, {"Operations": [{"op": "replace", "value": {"active": True}}]})

    assert old.get("/profile/").status_code == 302
    fresh = type(client)()
    assert _log_in(fresh, member_a.email).status_code == 302
    assert fresh.get("/profile/").status_code == 200


def test_deactivation_runs_the_membership_ending_hooks(account_a, member_a, token_a):
    from community.models import EngagementRepair

    EngagementSnapshotFactory(account=account_a, day=timezone.localdate() - dt.timedelta(days=20))

    _send(
        _scim(token_a),
        "delete",
        f"{BASE}/Users/{member_a.pk}",
    )

    assert EngagementRepair.objects.filter(account=account_a).exists()


# --- The service's own documents, content type, caching, throttling ---------------------------


@pytest.mark.parametrize("path", ["ServiceProviderConfig", "ResourceTypes", "Schemas"])
def test_discovery_documents_answer_in_scim_json_and_are_never_cached(token_a, path):
    response = _send(_scim(token_a), "get", f"{BASE}/{path}")

    assert response.status_code == 200
    assert response["Content-Type"] == SCIM_JSON
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_service_provider_config_says_what_is_supported(token_a):
    config = _send(_scim(token_a), "get", f"{BASE}/ServiceProviderConfig").json()

    assert config["patch"]["supported"] is True
    assert config["filter"] == {"supported": True, "maxResults": 200}
    assert config["bulk"]["supported"] is False
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"


def test_a_json_accepting_client_still_gets_scim_json(token_a):
    response = _scim(token_a).get(f"{BASE}/Users", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    assert response["Content-Type"] == SCIM_JSON


@override_settings(
    REST_FRAMEWORK={
        **__import__("django.conf").conf.settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **__import__("django.conf").conf.settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "scim": "2/minute",
        },
    }
)
def test_a_token_past_its_rate_gets_429_with_retry_after(token_a, token_b):
    from django.core.cache import caches

    caches["throttle"].clear()
    client = _scim(token_a)
    statuses = [_send(client, "get", f"{BASE}/Schemas").status_code for _ in range(3)]
    other = _send(_scim(token_b), "get", f"{BASE}/Schemas")

    assert statuses == [200, 200, 429]
    refused = _send(client, "get", f"{BASE}/Schemas")
    assert refused.json()["status"] == "429"
    assert int(refused["Retry-After"]) > 0
    assert other.status_code == 200  # counted per token


@pytest.mark.parametrize("path", ["Users/99999999999999999999999", "Users/x1", "Groups/owners"])
def test_an_id_that_names_nothing_is_404_in_scims_format(token_a, path):
    response = _send(_scim(token_a), "get", f"{BASE}/{path}")

    assert response.status_code == 404
    assert response.json()["schemas"] == [ERROR]


def test_a_start_index_past_everything_is_an_empty_page(member_a, token_a):
    response = _send(_scim(token_a), "get", f"{BASE}/Users?startIndex=99999999999999999999")

    assert response.status_code == 200
    assert response.json()["Resources"] == []
    assert response.json()["totalResults"] == 2
