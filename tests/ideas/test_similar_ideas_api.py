"""The API of similar ideas and likely duplicates (issue 17, item 6): the same selectors as the
idea form's fragment and the duplicates page, scoped by what the caller may see."""

from __future__ import annotations

import pytest

from ideas.selectors.similar import likely_duplicates, similar_ideas
from tests.api_helpers import api_error, api_login
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

SIMILAR = "/api/v1/ideas/similar/"
DUPLICATES = "/api/v1/ideas/duplicates/"


@pytest.fixture
def garden(member_a):
    return GardenFactory(name="Field work", slug="field-work")


@pytest.fixture
def ideas(garden):
    older = IdeaFactory(garden=garden, title="Offline mode with automatic sync for the mobile app")
    unrelated = IdeaFactory(garden=garden, title="Carbon footprint report per site")
    newer = IdeaFactory(garden=garden, title="Offline mode with auto sync for the mobile app")
    return {"older": older, "unrelated": unrelated, "newer": newer}


def test_similar_answers_what_the_form_offers(api, member_a, ideas):
    api_login(api, member_a)
    response = api.get(SIMILAR, {"title": "Offline mode with sync", "job_to_be_done": "mobile"})
    assert response.status_code == 200
    body = response.json()
    expected = similar_ideas(user=member_a, text="Offline mode with sync mobile")
    assert [row["id"] for row in body] == [idea.pk for idea in expected]
    assert ideas["unrelated"].pk not in [row["id"] for row in body]
    first = body[0]
    assert set(first) == {"id", "garden", "title", "status", "created_at", "similarity"}
    assert first["garden"] == "field-work" and 0 < first["similarity"]
    assert [row["similarity"] for row in body] == sorted(
        (row["similarity"] for row in body), reverse=True
    )


def test_similar_needs_a_title(api, member_a):
    api_login(api, member_a)
    error = api_error(api.get(SIMILAR))
    assert error["attr"] == "title" and error["code"] == "required"
    too_long = api_error(api.get(SIMILAR, {"title": "x" * 201}))
    assert too_long["attr"] == "title" and too_long["code"] == "max_length"


def test_similar_offers_nothing_from_a_garden_the_caller_does_not_see(api, member_a):
    hidden = GardenFactory(visibility="invite_only", slug="hidden")
    IdeaFactory(garden=hidden, title="Offline mode with automatic sync everywhere")
    api_login(api, member_a)
    assert api.get(SIMILAR, {"title": "Offline mode with automatic sync"}).json() == []


def test_duplicates_are_the_queue_for_moderators_only(api, product_manager, member_a, ideas):
    api_login(api, product_manager)
    response = api.get(DUPLICATES)
    assert response.status_code == 200
    pairs = likely_duplicates(user=product_manager)
    assert [(row["newer"]["id"], row["older"]["id"]) for row in response.json()] == [
        (pair.newer.pk, pair.older.pk) for pair in pairs
    ]
    assert (ideas["newer"].pk, ideas["older"].pk) in {
        (row["newer"]["id"], row["older"]["id"]) for row in response.json()
    }
    assert 0 < response.json()[0]["likeness"] <= 1

    api_login(api, member_a)
    assert api.get(DUPLICATES).status_code == 403
    api_login(api, None)
    assert api.get(DUPLICATES).status_code == 401
    assert api.get(SIMILAR, {"title": "Offline mode"}).status_code == 401
