"""The profile page: everyone edits their own name and job title, and only that. (The API tokens
made there: test_api_tokens_pages.py.)"""

from __future__ import annotations

import pytest

from accounts.models import User


def test_anonymous_visitors_are_sent_to_login_from_the_profile(client, db):
    assert client.get("/profile/")["Location"] == "/login/?next=/profile/"
    response = client.post("/profile/", {"first_name": "Eve"})

    assert response.status_code == 302
    assert not User.objects.filter(first_name="Eve").exists()


def test_a_member_sees_their_email_role_and_account(client_for, member_a):
    response = client_for(member_a).get("/profile/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "alice@acme.example" in page
    assert 'Member of <a href="/accounts/acme/">Acme Industrial</a>' in page
    assert 'value="Alice"' in page


@pytest.mark.parametrize(
    ("persona", "label"),
    [
        ("admin_a", "Account admin of"),
        ("account_manager_a", "Account manager"),
        ("product_manager", "Product manager"),
        ("programme_admin", "Programme admin"),
    ],
)
def test_the_profile_names_the_persons_role(request, client_for, persona, label):
    page = client_for(request.getfixturevalue(persona)).get("/profile/").content.decode()

    assert label in page


def test_a_member_updates_their_name_and_job_title(client_for, member_a):
    client = client_for(member_a)

    response = client.post(
        "/profile/", {"first_name": " Alicia ", "last_name": "Ames", "job_title": "Plant lead"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    member_a.refresh_from_db()
    assert (member_a.first_name, member_a.last_name, member_a.job_title) == (
        "Alicia",
        "Ames",
        "Plant lead",
    )
    page = client.get("/profile/").content.decode()
    assert "Your profile is saved." in page
    assert 'value="Alicia"' in page


def test_a_first_name_is_required(client_for, member_a):
    before = (member_a.first_name, member_a.last_name)

    response = client_for(member_a).post(
        "/profile/", {"first_name": "", "last_name": "Never-Saved"}
    )

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    member_a.refresh_from_db()
    assert (member_a.first_name, member_a.last_name) == before


@pytest.mark.parametrize("field", ["first_name", "last_name", "job_title"])
def test_a_name_or_title_on_two_lines_shows_the_error_and_changes_nothing(
    client_for, member_a, field
):
    before = (member_a.first_name, member_a.last_name, member_a.job_title)
    data = {"first_name": "Alice", "last_name": "Ames", "job_title": "Lead"}

    response = client_for(member_a).post("/profile/", {**data, field: "Plant\nlead\x1b"})

    assert response.status_code == 400
    assert "Keep this to one line" in response.content.decode()
    member_a.refresh_from_db()
    assert (member_a.first_name, member_a.last_name, member_a.job_title) == before


def test_the_profile_changes_nothing_but_the_persons_own_name_and_title(
    client_for, member_a, admin_a
):
    email, other_name = member_a.email, admin_a.first_name

    client_for(member_a).post(
        "/profile/",
        {
            "first_name": "Alice",
            "email": "eve@example.com",
            "is_staff": "on",
            "is_superuser": "on",
            "id": admin_a.pk,
        },
    )

    member_a.refresh_from_db()
    admin_a.refresh_from_db()
    assert member_a.email == email
    assert not member_a.is_staff and not member_a.is_superuser
    assert admin_a.first_name == other_name
