"""REST API of discussions: threads, posts, reactions, flags, hiding; outsiders see nothing."""

from __future__ import annotations

import pytest

from accounts.people import ANOTHER_ACCOUNT
from community.models import GardenVisibility, Post, PostFlag, Reaction, Thread
from community.services import discussions
from tests.api_helpers import api_error, api_login
from tests.community.factories import a_steward, garden_with, opening, reply, start


@pytest.fixture
def steward(db):
    return a_steward()


@pytest.fixture
def garden(member_a, admin_a, member_b, steward):
    return garden_with(member_a, admin_a, member_b, steward=steward)


@pytest.fixture
def thread(garden, member_a):
    return start(garden, member_a, "How do you **onboard**?", title="First weeks")


def test_anonymous_callers_get_401(api, thread):
    assert api.get("/api/v1/threads/").status_code == 401
    assert api.get(f"/api/v1/posts/{opening(thread).pk}/").status_code == 401


def test_a_member_lists_a_gardens_threads(api, thread, member_b):
    api_login(api, member_b)

    response = api.get("/api/v1/threads/?garden=onboarding")

    assert response.status_code == 200
    [row] = response.json()["results"]
    assert row["title"] == "First weeks"
    assert row["author"] == ANOTHER_ACCOUNT  # Alice is of another account
    assert (row["garden"], row["post_count"], row["reply_count"]) == ("onboarding", 1, 0)


def test_a_member_starts_a_thread(api, garden, member_b):
    api_login(api, member_b)

    response = api.post(
        "/api/v1/threads/", {"garden": "onboarding", "title": "Pallets", "body": "Who uses RFID?"}
    )

    assert response.status_code == 201
    thread = Thread.objects.get()
    assert response.json()["id"] == thread.pk
    assert (thread.author, opening(thread).body) == (member_b, "Who uses RFID?")


def test_starting_a_thread_answers_field_errors(api, garden, member_b):
    api_login(api, member_b)

    response = api.post("/api/v1/threads/", {"garden": "onboarding", "title": "", "body": "x"})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "title"
    response = api.post("/api/v1/threads/", {"garden": "nowhere", "title": "T", "body": "x"})
    assert response.status_code == 400
    assert api_error(response)["attr"] == "garden"
    assert not Thread.objects.exists()


def test_a_customer_who_did_not_join_cannot_post(api, db, member_a, admin_b, steward):
    garden = garden_with(member_a, steward=steward)
    thread = start(garden, member_a)
    api_login(api, admin_b)

    created = api.post(
        "/api/v1/threads/", {"garden": garden.slug, "title": "Hi", "body": "Let me in"}
    )
    replied = api.post(f"/api/v1/threads/{thread.pk}/posts/", {"body": "Me too"})

    assert (created.status_code, replied.status_code) == (403, 403)
    assert Post.objects.count() == 1


def test_an_invite_only_gardens_threads_and_posts_do_not_exist_for_outsiders(
    api, member_b, steward
):
    garden = garden_with(steward=steward, visibility=GardenVisibility.INVITE_ONLY, slug="secret")
    thread = start(garden, steward, "Plans")
    post = opening(thread)
    api_login(api, member_b)

    assert api.get("/api/v1/threads/").json()["results"] == []
    assert api.get(f"/api/v1/threads/{thread.pk}/").status_code == 404
    assert api.get(f"/api/v1/threads/{thread.pk}/posts/").status_code == 404
    assert api.post(f"/api/v1/threads/{thread.pk}/posts/", {"body": "x"}).status_code == 404
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 404
    assert api.patch(f"/api/v1/posts/{post.pk}/", {"body": "x"}).status_code == 404
    assert api.post(f"/api/v1/posts/{post.pk}/reactions/", {"kind": "like"}).status_code == 404
    assert api.post(f"/api/v1/posts/{post.pk}/flag/", {"reason": "x"}).status_code == 404
    assert api.post(f"/api/v1/posts/{post.pk}/hide/", {"reason": "x"}).status_code == 404
    created = api.post("/api/v1/threads/", {"garden": "secret", "title": "T", "body": "x"})
    assert created.status_code == 400
    assert Post.objects.count() == 1


def test_a_member_replies_and_reads_the_posts_rendered_safely(api, thread, member_b):
    api_login(api, member_b)

    response = api.post(
        f"/api/v1/threads/{thread.pk}/posts/", {"body": "<script>x()</script> [a](javascript:y)"}
    )

    assert response.status_code == 201
    posts = api.get(f"/api/v1/threads/{thread.pk}/posts/").json()["results"]
    assert [p["body"] for p in posts][0] == "How do you **onboard**?"
    assert posts[0]["body_html"] == "<p>How do you <strong>onboard</strong>?</p>\n"
    assert "<script>" not in posts[1]["body_html"]
    assert 'href="javascript' not in posts[1]["body_html"]
    assert posts[1]["author"].startswith("Bob ")  # his own post: by name
    assert {r["kind"] for r in posts[0]["reactions"]} == {
        "like",
        "thanks",
        "helpful",
        "insightful",
    }


def test_the_author_edits_through_the_api_and_the_revision_is_listed(api, thread, member_a):
    post = opening(thread)
    api_login(api, member_a)

    response = api.patch(f"/api/v1/posts/{post.pk}/", {"body": "Changed"})

    assert response.status_code == 200
    assert response.json()["body"] == "Changed"
    assert response.json()["edited_at"] is not None
    revisions = api.get(f"/api/v1/posts/{post.pk}/revisions/").json()
    assert [r["body"] for r in revisions] == ["How do you **onboard**?"]


def test_nobody_else_edits_through_the_api(api, thread, admin_a):
    api_login(api, admin_a)

    response = api.patch(f"/api/v1/posts/{opening(thread).pk}/", {"body": "Mine"})

    assert response.status_code == 403
    assert Post.objects.get().body == "How do you **onboard**?"


def test_a_reaction_toggles_through_the_api(api, thread, member_b):
    api_login(api, member_b)
    url = f"/api/v1/posts/{opening(thread).pk}/reactions/"

    first = api.post(url, {"kind": "helpful"})
    second = api.post(url, {"kind": "helpful"})

    assert first.status_code == 200
    assert first.json()["reacted"] is True
    helpful = next(r for r in first.json()["reactions"] if r["kind"] == "helpful")
    assert (helpful["count"], helpful["mine"]) == (1, True)
    assert second.json()["reacted"] is False
    assert not Reaction.objects.exists()
    bad = api.post(url, {"kind": "love"})
    assert bad.status_code == 400
    assert api_error(bad)["attr"] == "kind"


def test_a_flag_is_accepted_once(api, thread, member_b):
    api_login(api, member_b)
    url = f"/api/v1/posts/{opening(thread).pk}/flag/"

    assert api.post(url, {"reason": "Off topic"}).status_code == 201
    again = api.post(url, {"reason": "Again"})

    assert again.status_code == 400
    assert PostFlag.objects.count() == 1
    missing = api.post(url, {})
    assert api_error(missing)["attr"] == "reason"


def test_a_steward_hides_and_shows_a_post_and_customers_lose_it_meanwhile(
    api, thread, member_a, member_b, steward
):
    post = reply(thread, member_b, "Spam")
    api_login(api, steward)

    hidden = api.post(f"/api/v1/posts/{post.pk}/hide/", {"reason": "Advertising"})

    assert hidden.status_code == 200
    assert (hidden.json()["hidden"], hidden.json()["hidden_reason"]) == (True, "Advertising")
    steward_posts = api.get(f"/api/v1/threads/{thread.pk}/posts/").json()["results"]
    assert [p["hidden"] for p in steward_posts] == [False, True]
    api_login(api, member_a)
    assert len(api.get(f"/api/v1/threads/{thread.pk}/posts/").json()["results"]) == 1
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 404
    assert api.get(f"/api/v1/threads/{thread.pk}/").json()["post_count"] == 1

    api_login(api, steward)
    shown = api.delete(f"/api/v1/posts/{post.pk}/hide/")
    assert shown.status_code == 200
    assert Post.objects.get(pk=post.pk).hidden_at is None


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a"])
def test_only_stewards_hide_through_the_api(request, api, thread, member_b, persona):
    post = reply(thread, member_b, "Borderline")
    api_login(api, request.getfixturevalue(persona))

    response = api.post(f"/api/v1/posts/{post.pk}/hide/", {"reason": "Mine to hide?"})

    assert response.status_code == 403
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_a_hide_needs_a_reason(api, thread, steward):
    api_login(api, steward)

    response = api.post(f"/api/v1/posts/{opening(thread).pk}/hide/", {"reason": ""})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "reason"


def test_the_api_list_of_posts_runs_a_constant_number_of_queries(
    api, django_assert_num_queries, thread, member_a, member_b, admin_a
):
    api_login(api, member_a)
    url = f"/api/v1/threads/{thread.pk}/posts/"
    # user's membership, the thread (with garden, author, account), the page of posts (not
    # full: it tells the count, no COUNT query), reactions of the page.
    with django_assert_num_queries(4):
        assert api.get(url).status_code == 200
    for i in range(10):
        post = reply(thread, [member_b, admin_a][i % 2], f"Reply {i}")
        discussions.reaction_toggle(post=post, user=member_a, kind="thanks")
    api_login(api, member_a)
    with django_assert_num_queries(4):
        assert len(api.get(url).json()["results"]) == 11
