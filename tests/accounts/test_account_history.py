"""An account's history (/accounts/<slug>/history/) as its own admin and as staff read it: the
address a change came from is staff detail (internal readers only: no column, no CSV cell for a
customer); filters by what changed, who changed it and when; and a CSV export with the same
rows, names and rule. Another account's admin reaches none of it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import AuditEntry, MemberRole
from accounts.models.audit import audit_acting

pytestmark = pytest.mark.django_db

HISTORY = "/accounts/acme/history/"
STAFF_ADDRESS = "198.51.100.7"
ADMIN_ADDRESS = "203.0.113.9"


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="acme-history.csv"'
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def history(client_for, admin_a, member_a, account_manager_a, admin_b, member_b):
    """In A: Alice made an admin by Anna (her colleague, from ADMIN_ADDRESS), then a member
    again by Carol (the account manager, from STAFF_ADDRESS), then an admin by a SCIM token. In
    B: Bob made an admin by Bea."""
    role = f"/members/{member_a.membership.pk}/role/"
    client_for(admin_a).post(role, {"role": "admin"}, REMOTE_ADDR=ADMIN_ADDRESS)
    client_for(account_manager_a).post(role, {"role": "member"}, REMOTE_ADDR=STAFF_ADDRESS)
    with audit_acting(label="SCIM token"):
        services.membership_set_role(membership=member_a.membership, role=MemberRole.ADMIN)
    with audit_acting(actor=admin_b):
        services.membership_set_role(membership=member_b.membership, role=MemberRole.ADMIN)
    assert AuditEntry.objects.filter(remote_addr=STAFF_ADDRESS).exists()


# --- Addresses: staff detail ------------------------------------------------------------------


def test_a_customer_admin_sees_no_address_column_and_no_address(client_for, admin_a, history):
    page = client_for(admin_a).get(HISTORY).text

    assert "Membership of Alice" in page
    assert '<th scope="col">From</th>' not in page
    assert STAFF_ADDRESS not in page
    assert ADMIN_ADDRESS not in page  # not even her own: the page has no such column


@pytest.mark.parametrize("persona", ["account_manager_a", "programme_admin"])
def test_internal_readers_see_where_each_change_came_from(request, client_for, persona, history):
    page = client_for(request.getfixturevalue(persona)).get(HISTORY).text

    assert '<th scope="col">From</th>' in page
    assert f"<code>{STAFF_ADDRESS}</code>" in page
    assert f"<code>{ADMIN_ADDRESS}</code>" in page


def test_a_customer_admins_csv_has_no_address_column(
    client_for, admin_a, admin_b, member_b, history
):
    rows = _csv(client_for(admin_a).get(HISTORY, {"export": "csv"}))

    assert rows[0] == ["When", "Who", "What", "Account", "Action", "Changes"]
    assert all(len(row) == 6 for row in rows)
    assert STAFF_ADDRESS not in str(rows) and ADMIN_ADDRESS not in str(rows)
    assert {row[1].split()[0] for row in rows[1:]} >= {"Anna", "Carol", "SCIM"}  # first words
    # B's people by their whole names (a made-up surname such as "Beasley" may hold "Bea")
    assert all(f"{p.first_name} {p.last_name}" not in str(rows) for p in (admin_b, member_b))


def test_an_internal_readers_csv_has_the_addresses(client_for, account_manager_a, history):
    rows = _csv(client_for(account_manager_a).get(HISTORY, {"export": "csv"}))

    assert rows[0] == ["When", "Who", "From", "What", "Account", "Action", "Changes"]
    assert {row[2] for row in rows[1:]} == {STAFF_ADDRESS, ADMIN_ADDRESS, ""}


@pytest.mark.parametrize(
    ("persona", "status"), [("admin_b", 404), ("member_b", 404), ("product_manager", 403)]
)
def test_no_one_else_exports_the_history(request, client_for, persona, status, history):
    response = client_for(request.getfixturevalue(persona)).get(HISTORY, {"export": "csv"})

    assert response.status_code == status
    assert STAFF_ADDRESS not in response.content.decode()


def test_a_customer_cannot_read_the_trail_through_the_api(api, admin_a, history):
    api.force_authenticate(admin_a)

    response = api.get("/api/v1/audit-entries/", {"account": "acme"})

    assert response.status_code == 403
    assert STAFF_ADDRESS not in response.content.decode()


# --- Filters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "shown", "hidden"),
    [
        ("", {"Anna", "Carol", "SCIM"}, set()),
        ("people", {"Anna"}, {"Carol", "SCIM"}),
        ("staff", {"Carol"}, {"Anna", "SCIM"}),
        ("automatic", {"SCIM"}, {"Anna", "Carol"}),  # and the fixtures' own rows, by no one
    ],
)
def test_the_history_filters_by_who_made_the_change(
    client_for, admin_a, history, actor, shown, hidden
):
    rows = _csv(client_for(admin_a).get(HISTORY, {"actor": actor, "export": "csv"}))

    who = {row[1].split()[0] for row in rows[1:]}  # first names, or "SCIM token"'s first word
    assert who >= shown
    assert not who & hidden
    if actor in ("people", "staff"):
        assert who == shown


def test_the_history_filters_by_what_changed_and_by_days(client_for, admin_a, history):
    client = client_for(admin_a)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    today = timezone.localdate().isoformat()

    memberships = client.get(HISTORY, {"kind": "Membership"}).text
    logins = client.get(HISTORY, {"kind": "Login"}).text
    later = client.get(HISTORY, {"since": tomorrow.isoformat()}).text
    within = _csv(client.get(HISTORY, {"since": today, "until": today, "export": "csv"}))
    every = _csv(client.get(HISTORY, {"export": "csv"}))

    assert "Membership of Alice" in memberships
    assert "Membership of Alice" not in logins
    assert "No changes match these filters." in later
    assert len(within) == len(every) > 4


def test_a_filter_that_does_not_read_is_a_form_error_and_no_export(client_for, admin_a):
    client = client_for(admin_a)

    page = client.get(HISTORY, {"since": "2026-12-05", "until": "2026-12-01"})
    export = client.get(HISTORY, {"actor": "everyone", "export": "csv"})

    assert page.status_code == 400
    assert "The last day comes on or after the first." in page.text
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/html")
