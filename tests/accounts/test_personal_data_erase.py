"""A programme admin erases a person: the personal fields are anonymised and the person can no
longer log in; their contributions stay, shown as a former member's, so counts, results and
other people's threads are unchanged. Nobody else may erase; erasing twice is harmless."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import Invitation, Membership, User
from community.models import (
    ActivityEvent,
    GardenMembership,
    Notification,
    NotificationPreference,
    Post,
    Reaction,
    Thread,
)
from ideas.models import Comment, FeedbackResponse, Follow, Idea, Vote
from tests.accounts.factories import (
    ALICE_EMAIL,
    ALICE_LAST_NAME,
    ALICE_TEXTS,
    PASSWORD,
    InvitationFactory,
    contributions_of,
)
from tests.api_helpers import api_login

FORMER = "Former member"


@pytest.fixture
def contributions(member_a, admin_a, member_b):
    return contributions_of(member_a, admin_a, member_b)


def _figures(contributions) -> dict:
    """What other people see counted: the aggregates the erasure must leave alone."""
    thread = Thread.objects.get(pk=contributions.thread.pk)
    return {
        "votes": Vote.objects.filter(idea=contributions.colleagues_idea).count(),
        "comments": Comment.objects.filter(idea=contributions.colleagues_idea).count(),
        "ideas": Idea.objects.filter(garden=contributions.garden).count(),
        "thread_posts": thread.post_count,
        "posts": Post.objects.filter(thread=thread).count(),
        "reactions": Reaction.objects.count(),
        "responses": FeedbackResponse.objects.filter(check_in__pilot=contributions.pilot).count(),
        "activity_events": ActivityEvent.objects.count(),
    }


def _assert_no_trace(page: str) -> None:
    # The reply form's help shows how to mention someone, with this very address as its example.
    page = page.replace("(@alice@acme.example)", "")
    assert "Alice" not in page
    assert ALICE_LAST_NAME not in page
    assert ALICE_EMAIL not in page
    assert "Site lead" not in page


# --- What the erasure does -------------------------------------------------------------------


def test_the_persons_fields_are_anonymised_and_their_own_things_removed(
    member_a, programme_admin, contributions
):
    InvitationFactory(account=member_a.membership.account, email=ALICE_EMAIL)

    services.person_erase(user=member_a, by=programme_admin)

    person = User.objects.get(pk=member_a.pk)
    assert person.full_name == FORMER and person.first_name == FORMER and person.last_name == ""
    assert person.email == f"former-member-{person.pk}@erased.invalid"
    assert person.job_title == ""
    assert not person.has_usable_password()
    assert person.is_active is False
    assert person.erased_at is not None and person.erased_by == programme_admin
    assert not Membership.objects.filter(user=person).exists()
    assert not GardenMembership.objects.filter(user=person).exists()
    assert not Notification.objects.filter(user=person).exists()
    assert not NotificationPreference.objects.filter(user=person).exists()
    assert not Follow.objects.filter(user=person).exists()
    assert not Invitation.objects.filter(email__iexact=ALICE_EMAIL).exists()
    # Their contributions stay, still theirs:
    assert Comment.objects.get(pk=contributions.comment.pk).author_id == person.pk
    assert Post.objects.get(pk=contributions.reply.pk).author_id == person.pk
    assert Idea.objects.get(pk=contributions.own_idea.pk).author_id == person.pk
    assert Vote.objects.filter(user=person).count() == 1


def test_counts_and_results_are_unchanged(member_a, programme_admin, contributions):
    before = _figures(contributions)

    services.person_erase(user=member_a, by=programme_admin)

    assert _figures(contributions) == before


def test_the_person_cannot_log_in_any_more(client, member_a, programme_admin, contributions):
    erased_email = f"former-member-{member_a.pk}@erased.invalid"
    services.person_erase(user=member_a, by=programme_admin)

    for email in (ALICE_EMAIL, erased_email):
        response = client.post("/login/", {"username": email, "password": PASSWORD})
        assert response.status_code == 200  # the form again, with its error
        assert SESSION_KEY not in client.session


def test_a_session_open_at_the_erasure_ends(client_for, member_a, programme_admin, contributions):
    client = client_for(member_a)
    assert client.get("/profile/").status_code == 200

    services.person_erase(user=member_a, by=programme_admin)

    response = client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_erasing_twice_is_harmless(member_a, programme_admin, product_manager, contributions):
    first = services.person_erase(user=member_a, by=programme_admin)
    figures = _figures(contributions)

    second = services.person_erase(user=first, by=product_manager)

    assert second.erased_at == first.erased_at and second.erased_by == programme_admin
    assert second.email == first.email and second.full_name == FORMER
    assert _figures(contributions) == figures


def test_an_admin_cannot_erase_themselves(programme_admin):
    with pytest.raises(ValidationError):
        services.person_erase(user=programme_admin, by=programme_admin)

    assert User.objects.get(pk=programme_admin.pk).erased_at is None


# --- Pages that showed the person ------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["admin_a", "product_manager"])
def test_the_idea_pages_show_a_former_member(
    client_for, request, member_a, programme_admin, contributions, viewer
):
    client = client_for(request.getfixturevalue(viewer))
    before = client.get(contributions.colleagues_idea.get_absolute_url()).content.decode()
    assert "Alice" in before  # the page did name her

    services.person_erase(user=member_a, by=programme_admin)

    for idea in (contributions.colleagues_idea, contributions.own_idea):
        response = client.get(idea.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 200
        _assert_no_trace(page)
        assert FORMER in page
    commented = client.get(contributions.colleagues_idea.get_absolute_url()).content.decode()
    assert ALICE_TEXTS["comment"] in commented  # the comment stays


@pytest.mark.parametrize("viewer", ["admin_a", "member_b", "product_manager"])
def test_the_thread_page_keeps_the_post_and_names_a_former_member(
    client_for, request, member_a, programme_admin, contributions, viewer
):
    services.person_erase(user=member_a, by=programme_admin)

    response = client_for(request.getfixturevalue(viewer)).get(
        contributions.thread.get_absolute_url()
    )

    page = response.content.decode()
    assert response.status_code == 200
    _assert_no_trace(page)
    assert ALICE_TEXTS["reply"] in page and "The outsider's reply." in page
    assert FORMER in page


def test_the_results_page_and_csv_keep_the_response_without_the_person(
    client_for, member_a, programme_admin, product_manager, contributions
):
    services.person_erase(user=member_a, by=programme_admin)
    client = client_for(product_manager)

    page = client.get(f"/pilots/{contributions.pilot.pk}/results/").content.decode()
    export = client.get(f"/pilots/{contributions.pilot.pk}/results/responses.csv")
    csv_text = b"".join(export.streaming_content).decode()

    _assert_no_trace(page)
    _assert_no_trace(csv_text)
    assert ALICE_TEXTS["verbatim"] in page and ALICE_TEXTS["verbatim"] in csv_text


def test_the_account_page_no_longer_lists_them(client_for, member_a, admin_a, programme_admin):
    services.person_erase(user=member_a, by=programme_admin)

    page = client_for(admin_a).get("/accounts/acme/").content.decode()

    _assert_no_trace(page)


# --- The erase page --------------------------------------------------------------------------


def test_a_programme_admin_sees_the_erase_link_on_the_account_page(
    client_for, member_a, programme_admin
):
    page = client_for(programme_admin).get("/accounts/acme/").content.decode()

    assert f'href="/people/{member_a.pk}/erase/"' in page


def test_the_account_admin_sees_no_erase_link(client_for, member_a, admin_a):
    page = client_for(admin_a).get("/accounts/acme/").content.decode()

    assert "/erase/" not in page


def test_a_programme_admin_confirms_and_erases_on_the_page(
    client_for, member_a, programme_admin, contributions
):
    client = client_for(programme_admin)
    confirm = client.get(f"/people/{member_a.pk}/erase/")
    assert confirm.status_code == 200
    assert ALICE_EMAIL in confirm.content.decode()

    response = client.post(f"/people/{member_a.pk}/erase/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/acme/"
    assert User.objects.get(pk=member_a.pk).erased_at is not None
    again = client.get(f"/people/{member_a.pk}/erase/").content.decode()
    assert "was erased on" in again and ALICE_EMAIL not in again


def test_a_programme_admin_erasing_themselves_on_the_page_is_refused(client_for, programme_admin):
    response = client_for(programme_admin).post(f"/people/{programme_admin.pk}/erase/")

    assert response.status_code == 400
    assert "You cannot erase yourself." in response.content.decode()
    assert User.objects.get(pk=programme_admin.pk).erased_at is None


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member_b", 404),  # another account's member: the person does not exist for them
        ("admin_b", 404),
        ("admin_a", 403),  # sees their colleague, may not erase
        ("account_manager_a", 403),
        ("product_manager", 403),
        ("member_a", 403),  # not even themselves: erasure is the programme admins' act
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_but_a_programme_admin_may_erase_on_the_page(
    client_for, request, member_a, persona, status, method
):
    client = client_for(request.getfixturevalue(persona))

    response = getattr(client, method)(f"/people/{member_a.pk}/erase/")

    assert response.status_code == status
    person = User.objects.get(pk=member_a.pk)
    assert person.erased_at is None and person.email == ALICE_EMAIL and person.is_active


def test_an_anonymous_visitor_is_sent_to_the_login(client, member_a):
    response = client.post(f"/people/{member_a.pk}/erase/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert User.objects.get(pk=member_a.pk).erased_at is None


def test_an_unknown_person_is_a_404(client_for, programme_admin):
    assert client_for(programme_admin).get("/people/999999/erase/").status_code == 404


# --- The API ---------------------------------------------------------------------------------


def test_a_programme_admin_erases_through_the_api(api, member_a, programme_admin, contributions):
    api_login(api, programme_admin)
    before = _figures(contributions)

    response = api.post(f"/api/v1/people/{member_a.pk}/erase/")
    again = api.post(f"/api/v1/people/{member_a.pk}/erase/")

    assert response.status_code == 200 and again.status_code == 200
    assert response.json()["name"] == FORMER
    assert again.json()["erased_at"] == response.json()["erased_at"]
    assert User.objects.get(pk=member_a.pk).is_active is False
    assert _figures(contributions) == before


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("member_b", 404),
        ("admin_a", 403),
        ("account_manager_a", 403),
        ("product_manager", 403),
        ("member_a", 403),
    ],
)
def test_nobody_but_a_programme_admin_may_erase_through_the_api(
    api, request, member_a, persona, status
):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(f"/api/v1/people/{member_a.pk}/erase/")

    assert response.status_code == status
    assert User.objects.get(pk=member_a.pk).erased_at is None


def test_the_api_refuses_an_anonymous_caller(api, member_a):
    assert api.post(f"/api/v1/people/{member_a.pk}/erase/").status_code in {401, 403}
    assert User.objects.get(pk=member_a.pk).erased_at is None


def test_the_api_refuses_self_erasure_with_a_400(api, programme_admin):
    api_login(api, programme_admin)

    response = api.post(f"/api/v1/people/{programme_admin.pk}/erase/")

    assert response.status_code == 400
    assert User.objects.get(pk=programme_admin.pk).erased_at is None


def test_an_internal_person_loses_roles_team_and_stewardships(
    account_manager_a, programme_admin, contributions
):
    contributions.garden.stewards.add(account_manager_a)

    services.person_erase(user=account_manager_a, by=programme_admin)

    person = User.objects.get(pk=account_manager_a.pk)
    assert person.internal_roles == [] and person.is_staff is False
    assert not person.team_assignments.exists()
    assert not contributions.garden.stewards.filter(pk=person.pk).exists()
    assert person.full_name == FORMER
