"""/api/v1/people/<id>/profile/: a person's contributions and badges, for the same readers as
the profile page — their own account's people and internal users who see that account. Members
of other accounts and customers asking for internal people get 404; anonymous callers 401."""

from __future__ import annotations

import pytest
import yaml
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind, Milestone, MilestoneKind
from tests.accounts.factories import customer
from tests.api_helpers import api_error, api_login
from tests.community.factories import EngagementSnapshotFactory, HarvestFactory
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.django_db


def _url(person) -> str:
    return f"/api/v1/people/{person.pk}/profile/"


@pytest.fixture
def alice(member_a, account_a):
    idea = IdeaFactory(title="Offline mode")
    ActivityEvent.objects.create(
        account=account_a,
        user=member_a,
        kind=ActivityKind.IDEA_PROPOSED,
        object_type="ideas.idea",
        object_id=str(idea.pk),
    )
    Milestone.objects.create(
        user=member_a,
        kind=MilestoneKind.FIRST_IDEA,
        account=account_a,
        awarded_at=timezone.now(),
    )
    HarvestFactory(title="Guided set-up", slug="guided-set-up").inspired_by.add(member_a)
    EngagementSnapshotFactory(account=account_a, level="co_creating")
    return member_a


@pytest.mark.parametrize("reader", ["member_a", "admin_a", "account_manager_a", "programme_admin"])
def test_their_account_and_internal_users_read_a_profile(request, api, alice, reader):
    api_login(api, request.getfixturevalue(reader))

    response = api.get(_url(alice))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == alice.pk
    assert (body["account"], body["is_internal"], body["garden_partner"]) == ("acme", False, True)
    assert [m["kind"] for m in body["milestones"]] == ["first_idea"]
    assert body["milestones"][0]["label"] == "First idea"
    assert body["contributions"] == [
        {
            "kind": "idea_proposed",
            "label": "Ideas proposed",
            "count": 1,
            "last_at": body["contributions"][0]["last_at"],
        }
    ]
    assert body["harvests_inspired"] == 1
    assert body["recent_harvests"][0]["slug"] == "guided-set-up"
    idea = IdeaFactory._meta.model.objects.get()
    assert body["recent"][0]["url"] == f"/ideas/{idea.pk}/"
    assert body["recent"][0]["title"] == "Offline mode"
    subject = "You" if request.getfixturevalue(reader) == alice else alice.full_name
    assert body["recent"][0]["label"] == f"{subject} proposed Offline mode"
    assert body["name"] == alice.full_name


@pytest.mark.parametrize("outsider", ["member_b", "admin_b"])
def test_members_of_another_account_get_404(request, api, alice, outsider):
    api_login(api, request.getfixturevalue(outsider))

    response = api.get(_url(alice))

    assert response.status_code == 404
    assert api_error(response)["code"] == "not_found"
    assert "first_idea" not in response.content.decode()


def test_an_unassigned_account_manager_gets_404(api, account_manager_a, member_b):
    api_login(api, account_manager_a)

    assert api.get(_url(member_b)).status_code == 404


def test_customers_do_not_read_internal_peoples_profiles(api, member_a, product_manager):
    api_login(api, member_a)

    assert api.get(_url(product_manager)).status_code == 404


def test_anonymous_callers_get_401(api, alice):
    assert api.get(_url(alice)).status_code == 401


def test_a_colleague_sees_only_the_harvests_they_may_read(api, account_a, alice):
    HarvestFactory(
        title="For the public sector", audience="segments", segments=["public_sector"]
    ).inspired_by.add(alice)
    account_a.segment = "enterprise"
    account_a.save(update_fields=["segment"])
    colleague = customer(account_a, email="ben@acme.example")
    api_login(api, colleague)

    body = api.get(_url(alice)).json()

    assert body["harvests_inspired"] == 2  # a count, not what it says
    assert [h["title"] for h in body["recent_harvests"]] == ["Guided set-up"]


def test_the_schema_documents_the_profile_route(api, programme_admin):
    api_login(api, programme_admin)

    schema = yaml.safe_load(api.get("/api/schema/").content)

    route = schema["paths"]["/api/v1/people/{id}/profile/"]["get"]
    assert set(route["responses"]) >= {"200", "404"}
