"""/api/v1/harvests/: the harvests aimed at the caller, writing and publishing for stewards,
reads, reach; an invite-only garden's harvest stays invisible to uninvited accounts."""

from __future__ import annotations

import pytest

from accounts.models import InternalRole, Segment
from community.models import (
    ActivityEvent,
    GardenVisibility,
    Harvest,
    HarvestAudience,
    HarvestRead,
    Notification,
)
from tests.accounts.factories import internal
from tests.api_helpers import api_error, api_login
from tests.community.factories import GardenFactory, HarvestFactory, accept, join

URL = "/api/v1/harvests/"


@pytest.fixture
def steward(db):
    return internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="sam@garden.example")


@pytest.fixture
def open_garden(steward):
    garden = GardenFactory(name="Onboarding journeys", slug="onboarding")
    garden.stewards.add(steward)
    return garden


@pytest.fixture
def secret_garden(steward, account_a):
    garden = GardenFactory(
        name="Secret roadmap", slug="secret", visibility=GardenVisibility.INVITE_ONLY
    )
    garden.stewards.add(steward)
    accept(garden, account_a)
    return garden


def test_a_customer_lists_only_the_harvests_aimed_at_their_account(
    api, member_a, member_b, open_garden, secret_garden
):
    join(open_garden, member_a)
    HarvestFactory(title="For all")
    HarvestFactory(title="Open garden", garden=open_garden, audience=HarvestAudience.GARDEN)
    HarvestFactory(title="Secret", garden=secret_garden, audience=HarvestAudience.GARDEN)
    HarvestFactory(title="Draft", published_at=None)
    HarvestFactory(title="SMB", audience=HarvestAudience.SEGMENTS, segments=["smb"])

    api_login(api, member_a)
    titles_a = {h["title"] for h in api.get(URL).json()["results"]}
    api_login(api, member_b)
    titles_b = {h["title"] for h in api.get(URL).json()["results"]}

    assert titles_a == {"For all", "Open garden", "Secret"}
    assert titles_b == {"For all"}


def test_the_list_filters_by_kind_and_garden(api, member_a, open_garden):
    HarvestFactory(title="A", garden=open_garden, kind="result")
    HarvestFactory(title="B", kind="result")
    HarvestFactory(title="C", garden=open_garden, kind="playbook")
    api_login(api, member_a)

    assert [
        h["title"] for h in api.get(f"{URL}?kind=result&garden=onboarding").json()["results"]
    ] == ["A"]
    assert api.get(f"{URL}?garden=secret").json()["results"] == []


def test_an_invite_only_gardens_harvest_is_invisible_to_outsiders_by_api(
    api, member_b, secret_garden
):
    harvest = HarvestFactory(garden=secret_garden, audience=HarvestAudience.GARDEN)
    api_login(api, member_b)

    assert api.get(f"{URL}{harvest.slug}/").status_code == 404
    assert api.post(f"{URL}{harvest.slug}/reads/").status_code == 404
    assert not HarvestRead.objects.exists()


def test_a_segment_harvest_of_an_invite_only_garden_comes_without_its_garden(
    api, member_a, member_b, secret_garden
):
    harvest = HarvestFactory(
        garden=secret_garden,
        audience=HarvestAudience.SEGMENTS,
        segments=[Segment.MID_MARKET],
        source_pilot_ref=4,
    )

    api_login(api, member_b)
    outsider = api.get(f"{URL}{harvest.slug}/").json()
    listed = api.get(URL).json()["results"][0]
    api_login(api, member_a)
    insider = api.get(f"{URL}{harvest.slug}/").json()

    assert outsider["garden"] is None and outsider["garden_name"] is None
    assert outsider["source"] is None and listed["garden"] is None
    assert "secret" not in str(outsider).lower()
    assert insider["garden"] == "secret" and insider["source"]["pilot"] == 4


def test_anonymous_callers_get_nothing(api, open_garden):
    harvest = HarvestFactory(garden=open_garden)

    assert api.get(URL).status_code in (401, 403)
    assert api.get(f"{URL}{harvest.slug}/").status_code in (401, 403)
    assert api.post(f"{URL}{harvest.slug}/reads/").status_code in (401, 403)


def test_reading_by_api_records_once(api, member_a, open_garden):
    harvest = HarvestFactory(garden=open_garden, body="**bold** <script>x</script>")
    api_login(api, member_a)

    first = api.post(f"{URL}{harvest.slug}/reads/")
    second = api.post(f"{URL}{harvest.slug}/reads/")
    detail = api.get(f"{URL}{harvest.slug}/").json()

    assert first.status_code == second.status_code == 200
    assert first.json()["read_at"] == second.json()["read_at"]
    assert HarvestRead.objects.filter(user=member_a).count() == 1
    assert ActivityEvent.objects.filter(kind="harvest_read").count() == 1
    assert detail["is_read"] is True
    assert "<strong>bold</strong>" in detail["body_html"] and "<script>" not in detail["body_html"]


def test_a_steward_creates_updates_and_publishes_by_api(api, steward, open_garden, member_a):
    join(open_garden, member_a)
    api_login(api, steward)

    created = api.post(
        URL,
        {
            "title": "Half the clicks",
            "summary": "You said it took too many clicks.",
            "kind": "you_said_we_did",
            "garden": "onboarding",
            "audience": "garden",
            "inspired_by": [member_a.email],
        },
        format="json",
    )
    slug = created.json()["slug"]
    patched = api.patch(f"{URL}{slug}/", {"title": "A third of the clicks"}, format="json")
    published = api.post(f"{URL}{slug}/publish/")

    assert created.status_code == 201, created.json()
    assert patched.status_code == 200 and patched.json()["title"] == "A third of the clicks"
    assert published.status_code == 200 and published.json()["published_at"]
    harvest = Harvest.objects.get(slug=slug)
    assert harvest.audience == "garden" and harvest.published_by == steward
    assert list(harvest.inspired_by.all()) == [member_a]
    assert Notification.objects.filter(user=member_a, kind="harvest_published").count() == 1


def test_writing_errors_come_back_as_field_errors(api, steward, open_garden):
    api_login(api, steward)

    response = api.post(
        URL,
        {
            "title": "T",
            "summary": "S",
            "kind": "result",
            "garden": "onboarding",
            "audience": "segments",
            "segments": [],
        },
        format="json",
    )

    assert response.status_code == 400
    assert api_error(response)["attr"] == "segments"


def test_a_steward_cannot_write_for_a_garden_they_do_not_steward(api, steward, open_garden):
    GardenFactory(slug="elsewhere")
    api_login(api, steward)

    response = api.post(
        URL,
        {"title": "T", "summary": "S", "kind": "result", "garden": "elsewhere"},
        format="json",
    )

    assert response.status_code == 400 and api_error(response)["attr"] == "garden"


def test_customers_and_account_managers_may_not_write_publish_or_see_the_reach(
    api, member_a, account_manager_a, open_garden
):
    harvest = HarvestFactory(garden=open_garden)
    for person in (member_a, account_manager_a):
        api_login(api, person)
        body = {"title": "T", "summary": "S", "kind": "result", "audience": "all"}
        assert api.post(URL, body, format="json").status_code == 403
        assert api.patch(f"{URL}{harvest.slug}/", {"title": "X"}, format="json").status_code == 403
        assert api.post(f"{URL}{harvest.slug}/publish/").status_code == 403
        assert api.get(f"{URL}{harvest.slug}/reach/").status_code == 403
    assert not Harvest.objects.exclude(pk=harvest.pk).exists()


def test_the_steward_gets_the_reach(api, steward, open_garden, member_a, member_b):
    from community.services.harvests import harvest_read

    join(open_garden, member_a)
    harvest = HarvestFactory(garden=open_garden)
    harvest_read(harvest=harvest, user=member_a)
    harvest_read(harvest=harvest, user=member_b)
    api_login(api, steward)

    reach = api.get(f"{URL}{harvest.slug}/reach/").json()

    assert (reach["accounts"], reach["readers"], reach["outside_garden"]) == (2, 2, 1)
    assert {r["level"]: r["accounts"] for r in reach["by_level"]}[""] == 2  # not computed yet


def test_the_list_runs_the_same_queries_whatever_the_number_of_harvests(
    api, programme_admin, open_garden, django_assert_num_queries
):
    HarvestFactory.create_batch(2, garden=open_garden)
    api_login(api, programme_admin)
    api.get(URL)
    HarvestFactory.create_batch(20, garden=open_garden)

    # The page's rows (garden joined, read and reach annotated; not a full page: they tell the
    # count, no COUNT query); the caller's permissions and membership are cached on the
    # (force-authenticated) user already.
    with django_assert_num_queries(1):
        response = api.get(URL)

    assert response.json()["count"] == 22
