"""The audit trail's pages: the whole trail for programme admins (/settings/audit/, its filters,
its pages and its CSV) and an account's membership history for those who manage the account's
people (/accounts/<slug>/history/). Outsiders see nothing of it; people are named by the naming
rule; a page costs the same queries whatever its number of rows."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.utils import timezone

from accounts import services
from accounts.models import AuditEntry, MemberRole
from accounts.models.audit import audit_acting
from tests.accounts.factories import AccountFactory, customer

pytestmark = pytest.mark.django_db

TRAIL = "/settings/audit/"
HISTORY = "/accounts/acme/history/"


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def changes(client_for, programme_admin, admin_a, member_a, account_a, account_b, member_b):
    """A role changed by A's admin, a contract value and a renewal date changed by the programme
    admin, a member of B made an admin by B's admin."""
    client_for(admin_a).post(f"/members/{member_a.membership.pk}/role/", {"role": "admin"})
    with audit_acting(actor=programme_admin):
        services.account_update(
            account=account_a, annual_contract_value=250_000, renewal_date=dt.date(2027, 3, 1)
        )
    b_admin = customer(account_b, role=MemberRole.ADMIN, first_name="Bea", last_name="Bergman")
    with audit_acting(actor=b_admin):
        services.membership_set_role(membership=member_b.membership, role=MemberRole.ADMIN)


# --- Who may read it --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "account_manager_a", "product_manager", "admin_b"]
)
def test_only_programme_admins_read_the_whole_trail(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(TRAIL).status_code == 403
    assert client.get(TRAIL + "?export=csv").status_code == 403


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_a", 200),
        ("account_manager_a", 200),
        ("programme_admin", 200),
        ("member_a", 403),
        ("product_manager", 403),
        ("admin_b", 404),
        ("member_b", 404),
    ],
)
def test_an_accounts_history_is_for_those_who_manage_its_people(
    request, client_for, account_a, persona, status
):
    assert client_for(request.getfixturevalue(persona)).get(HISTORY).status_code == status


def test_the_account_page_links_its_admin_to_the_history(client_for, admin_a, member_a):
    assert 'href="/accounts/acme/history/"' in client_for(admin_a).get("/accounts/acme/").text
    assert "/history/" not in client_for(member_a).get("/accounts/acme/").text


# --- What it shows ----------------------------------------------------------------------------


def test_an_admin_reads_her_accounts_role_changes_and_nothing_of_another_account(
    client_for, admin_a, member_b, changes
):
    page = client_for(admin_a).get(HISTORY, REMOTE_ADDR="203.0.113.9").text

    assert "Membership of Alice" in page
    assert "Anna" in page  # who made the change: her own colleague
    assert "Member</del> → <ins>Account admin" in page
    # B's people by their whole names (a made-up surname such as "Beasley" may hold "Bea")
    assert f"Bob {member_b.last_name}" not in page and "Bea Bergman" not in page
    assert "Globex" not in page
    assert "€250,000" not in page  # the account's own record is not membership history


def test_people_of_another_account_are_not_named_to_a_customer(
    client_for, programme_admin, admin_a, member_a, member_b
):
    """A change in A's history made by someone of account B (here by hand) names them as the
    naming rule says: not to A's admin, but to a programme admin."""
    with audit_acting(actor=member_b):
        services.membership_set_role(membership=member_a.membership, role=MemberRole.ADMIN)

    to_admin_a = client_for(admin_a).get(HISTORY).text
    to_programme_admin = client_for(programme_admin).get(HISTORY).text

    assert "A member of another account" in to_admin_a
    assert f"Bob {member_b.last_name}" not in to_admin_a
    assert f"Bob {member_b.last_name}" in to_programme_admin


def test_the_trail_filters_by_kind_account_who_action_and_days(
    client_for, programme_admin, changes
):
    client = client_for(programme_admin)

    everything = client.get(TRAIL).text
    memberships = client.get(TRAIL, {"kind": "Membership", "action": "1"}).text
    # by her address: a name part like "ada" may also be in a colleague's random surname
    of_acme = client.get(TRAIL, {"account": "acme", "who": "ada@garden.example"}).text
    by_system = client.get(TRAIL, {"who": "system", "kind": "Account"}).text
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    later = client.get(TRAIL, {"since": tomorrow.isoformat()}).text

    assert "Annual contract value" in everything and "Membership of Bob" in everything
    assert "Membership of Alice" in memberships and "Membership of Bob" in memberships
    assert "Annual contract value" not in memberships
    assert "€250,000" in of_acme and "Membership of" not in of_acme
    assert "1 Mar 2027" in of_acme  # amounts and days as every page writes them
    assert "Account “Globex Logistics”" in by_system  # made by a fixture: the system's
    assert "€250,000" not in by_system  # Ada's change
    assert "No changes match these filters." in later


def test_a_filter_that_does_not_read_is_a_form_error(client_for, programme_admin):
    response = client_for(programme_admin).get(
        TRAIL, {"since": "2026-12-05", "until": "2026-12-01"}
    )

    assert response.status_code == 400
    assert "The last day comes on or after the first." in response.text


def test_an_unknown_account_in_the_filter_is_404(client_for, programme_admin):
    assert client_for(programme_admin).get(TRAIL, {"account": "no-such"}).status_code == 404


def test_the_csv_holds_the_filtered_trail_and_guards_formulas(client_for, programme_admin):
    with audit_acting(actor=programme_admin):
        AccountFactory(name="=HYPERLINK(1)", slug="formula")

    rows = _csv(client_for(programme_admin).get(TRAIL, {"kind": "Account", "export": "csv"}))

    assert rows[0] == ["When", "Who", "From", "What", "Account", "Action", "Changes"]
    made = [row for row in rows[1:] if row[4] == "'=HYPERLINK(1)"]
    assert len(made) == 1
    assert made[0][1] == programme_admin.full_name
    assert made[0][3] == "Account “=HYPERLINK(1)”"
    assert "Name: — → =HYPERLINK(1)" in made[0][6]


def test_a_page_of_the_trail_costs_the_same_queries_however_many_rows(
    client_for, programme_admin, django_assert_num_queries
):
    client = client_for(programme_admin)
    AccountFactory.create_batch(2)
    client.get(TRAIL)  # the session and the permissions, loaded once

    # The session (read twice: the session and its time limits), the person with their
    # membership (the naming rule), their permissions (own and groups', one query), their roles
    # and the header's counts (navigation), the count, the page of rows with their kind and
    # actor, the people and the accounts they name (one query on PostgreSQL, two elsewhere).
    queries = 8 if connection.vendor == "postgresql" else 9
    with django_assert_num_queries(queries):
        small = client.get(TRAIL)
    AccountFactory.create_batch(30)
    with django_assert_num_queries(queries):
        large = client.get(TRAIL)

    assert small.text.count("<tr>") < large.text.count("<tr>")
    assert AuditEntry.objects.count() > 30


def test_the_django_admin_lists_the_trail_and_changes_none_of_it(
    client_for, programme_admin, changes
):
    client = client_for(programme_admin)
    entry = AuditEntry.objects.filter(actor=programme_admin).first()

    listed = client.get("/admin/accounts/auditentry/")
    deleted = client.post(f"/admin/accounts/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert listed.status_code == 200
    assert "Acme Industrial" in listed.text
    assert deleted.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
