"""/api/v1/ideas/: the same ideas, rules and errors as the pages, for scripts and integrations.

Follow is two verbs on one URL: POST follows, DELETE unfollows; both are idempotent and answer
{"following": …}. Vote is a toggle (POST) answering the caller's vote and the new support.
"""

from __future__ import annotations

import pytest

from community.models import ActivityEvent, ActivityKind, GardenVisibility, Notification
from ideas.models import Comment, Follow, Idea, IdeaStatus, IdeaTransition, PilotState, Vote
from ideas.services import ideas as services
from tests.accounts.factories import customer
from tests.api_helpers import api_error, api_login
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory

IDEAS = "/api/v1/ideas/"


def _url(idea: Idea, action: str = "") -> str:
    return f"{IDEAS}{idea.pk}/{action + '/' if action else ''}"


def _ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


def _errors(response) -> dict[str, list[str]]:
    return {e["attr"]: e["detail"] for e in response.json()["errors"]}


@pytest.fixture
def secret_idea(db):
    garden = GardenFactory(slug="skunkworks", visibility=GardenVisibility.INVITE_ONLY)
    return IdeaFactory(garden=garden, title="Secret roadmap item")


# --- Anonymous ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", ""),
        ("post", "vote"),
        ("post", "follow"),
        ("delete", "follow"),
        ("get", "comments"),
        ("post", "comments"),
        ("post", "transition"),
        ("post", "merge"),
    ],
)
def test_anonymous_callers_get_401_and_nothing_changes(api, idea, method, action):
    response = getattr(api, method)(_url(idea, action), {"body": "x", "to_status": "declined"})

    assert response.status_code == 401
    assert api_error(response)["code"] == "not_authenticated"
    assert Vote.objects.count() == Comment.objects.count() == IdeaTransition.objects.count() == 0


def test_anonymous_callers_cannot_list_or_propose(api, garden):
    assert api.get(IDEAS).status_code == 401
    assert api.post(IDEAS, {"garden": "field-work", "title": "x"}).status_code == 401
    assert Idea.objects.count() == 0


# --- List and detail ---------------------------------------------------------------------------


def test_a_customer_lists_the_ideas_of_open_gardens_only(
    api, idea, secret_idea, member_a, member_b
):
    api_login(api, member_b)

    response = api.get(IDEAS)

    assert response.status_code == 200
    assert _ids(response) == [idea.pk]
    row = response.json()["results"][0]
    assert row["garden"] == "field-work"
    # Another account's people are private: neither the person nor the account is named.
    assert row["author"] == "A member of another account"
    assert row["author_account"] is None
    assert (row["supporters"], row["supporting_accounts"]) == (0, 0)


def test_the_authors_colleagues_and_product_managers_see_the_authors_account(
    api, idea, admin_a, product_manager
):
    for persona in (admin_a, product_manager):
        api_login(api, persona)
        assert api.get(IDEAS).json()["results"][0]["author_account"] == "acme"


def test_a_product_manager_lists_invite_only_ideas_too(api, idea, secret_idea, product_manager):
    api_login(api, product_manager)

    assert sorted(_ids(api.get(IDEAS))) == sorted([idea.pk, secret_idea.pk])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("garden=field-work", ["idea", "planned"]),
        ("garden=billing", ["billing"]),
        ("garden=skunkworks", []),  # invisible to customers: simply empty
        ("status=planned", ["planned"]),
        ("search=basement", ["idea"]),
        ("ordering=-supporters", ["planned", "billing", "idea"]),
    ],
)
def test_the_list_filters_by_garden_status_and_search(
    api, idea, secret_idea, garden, member_b, query, expected
):
    planned = IdeaFactory(garden=garden, title="Planned", status=IdeaStatus.PLANNED)
    billing = IdeaFactory(garden=GardenFactory(slug="billing"), title="Billing")
    services.idea_vote_toggle(idea=planned, user=member_b)
    services.idea_vote_toggle(idea=planned, user=customer(member_b.membership.account))
    services.idea_vote_toggle(idea=billing, user=member_b)
    rows = {"idea": idea.pk, "planned": planned.pk, "billing": billing.pk}
    api_login(api, member_b)

    response = api.get(f"{IDEAS}?{query}")

    assert response.status_code == 200
    result = _ids(response)
    if not query.startswith("ordering"):
        result = sorted(result)
        expected = sorted(expected, key=lambda name: rows[name])
    assert result == [rows[name] for name in expected]


def test_an_unknown_status_filter_is_a_clear_400(api, idea, member_b):
    api_login(api, member_b)

    response = api.get(f"{IDEAS}?status=bogus")

    assert response.status_code == 400
    assert api_error(response)["attr"] == "status"


def test_the_list_costs_the_same_queries_for_3_or_12_ideas(
    api, member_b, garden, account_a, django_assert_num_queries
):
    voters = [customer(account_a) for _ in range(3)]

    def list_with(count: int) -> None:
        while Idea.objects.count() < count:
            new = IdeaFactory(garden=garden)
            for voter in voters[: Idea.objects.count() % 3]:
                Vote.objects.create(idea=new, user=voter, account=account_a)
        api_login(api, member_b)  # a fresh user per request, as with a real token
        # 1 membership (with account), 2 the page of ideas with gardens, authors, authors'
        # accounts and support (not full: it tells the count, no COUNT query)
        with django_assert_num_queries(2):
            response = api.get(IDEAS)
        assert response.json()["count"] == count

    list_with(3)
    list_with(12)


def test_the_detail_has_the_log_the_callers_vote_and_the_moves_they_may_make(
    api, idea, member_a, member_b, product_manager, account_a
):
    services.idea_vote_toggle(idea=idea, user=member_b)
    services.idea_transition(
        idea=idea, actor=product_manager, to_status=IdeaStatus.UNDER_REVIEW, reason="A look."
    )
    PilotFactory(idea=idea, title="Acme trial", accounts=[account_a])
    PilotFactory(idea=idea, title="Other trial", state=PilotState.RECRUITING)

    api_login(api, member_b)
    bob = api.get(_url(idea)).json()
    api_login(api, product_manager)
    pat = api.get(_url(idea)).json()

    assert (bob["voted"], bob["following"], bob["allowed_moves"]) == (True, True, [])
    assert bob["transitions"] == [
        {
            "from_status": "proposed",
            "to_status": "under_review",
            "actor": "Pat " + product_manager.last_name,
            "reason": "A look.",
            "created_at": bob["transitions"][0]["created_at"],
        }
    ]
    assert bob["pilots"] == []  # Globex is invited to neither pilot
    assert (pat["voted"], pat["allowed_moves"]) == (False, ["planned", "declined", "proposed"])
    assert sorted(p["title"] for p in pat["pilots"]) == ["Acme trial", "Other trial"]
    assert (pat["supporters"], pat["supporting_accounts"]) == (1, 1)


def test_an_outsider_gets_404_for_an_idea_of_an_invite_only_garden(api, member_b, secret_idea):
    api_login(api, member_b)

    response = api.get(_url(secret_idea))

    assert response.status_code == 404
    assert api_error(response)["detail"] == "No such idea."


# --- Propose -----------------------------------------------------------------------------------


def test_a_customer_proposes_an_idea(api, garden, member_b):
    api_login(api, member_b)

    response = api.post(
        IDEAS,
        {
            "garden": "field-work",
            "title": "Route planning",
            "job_to_be_done": "Plan the day's visits.",
            "proposal": "Suggest a route.",
            "links": ["https://example.com/map"],
        },
    )

    assert response.status_code == 201
    idea = Idea.objects.get()
    assert response.json()["id"] == idea.pk
    assert response.json()["following"] is True
    assert (idea.author, idea.author_account.slug, idea.links) == (
        member_b,
        "globex",
        ["https://example.com/map"],
    )
    assert ActivityEvent.objects.filter(kind=ActivityKind.IDEA_PROPOSED, user=member_b).exists()


@pytest.mark.parametrize(
    ("change", "attr", "detail"),
    [
        ({"title": ""}, "title", "This field may not be blank."),
        ({"garden": "skunkworks"}, "garden", "No such garden."),
        ({"garden": "nowhere"}, "garden", "No such garden."),
        ({"links": ["javascript:alert(1)"]}, "links", "is not a web address"),
        ({"links": [f"https://example.com/{n}" for n in range(6)]}, "links", "At most 5 links"),
        ({"job_to_be_done": "   "}, "job_to_be_done", "This field may not be blank."),
    ],
)
def test_bad_proposals_get_field_errors_and_nothing_is_saved(
    api, garden, secret_idea, member_b, change, attr, detail
):
    api_login(api, member_b)
    data = {
        "garden": "field-work",
        "title": "Route planning",
        "job_to_be_done": "Plan the day's visits.",
        "proposal": "Suggest a route.",
        **change,
    }

    response = api.post(IDEAS, data)

    assert response.status_code == 400
    error = api_error(response)
    assert (error["type"], error["attr"]) == ("validation_error", attr)
    assert detail in error["detail"]
    assert Idea.objects.exclude(pk=secret_idea.pk).count() == 0
    assert ActivityEvent.objects.count() == 0


# --- Vote and follow ---------------------------------------------------------------------------


def test_vote_toggles_and_answers_the_support(api, idea, member_b):
    api_login(api, member_b)

    voted = api.post(_url(idea, "vote"))
    assert voted.status_code == 200
    assert voted.json() == {"voted": True, "supporters": 1, "supporting_accounts": 1}
    assert Vote.objects.filter(idea=idea, user=member_b, account__slug="globex").exists()

    unvoted = api.post(_url(idea, "vote"))
    assert unvoted.json() == {"voted": False, "supporters": 0, "supporting_accounts": 0}
    assert Vote.objects.count() == 0


def test_a_vote_on_a_closed_idea_is_a_clear_400(api, garden, member_b):
    closed = IdeaFactory(garden=garden, status=IdeaStatus.ADOPTED)
    api_login(api, member_b)

    response = api.post(_url(closed, "vote"))

    assert response.status_code == 400
    assert api_error(response)["detail"] == "This idea is adopted; it no longer takes votes."
    assert Vote.objects.count() == 0


def test_follow_with_post_and_unfollow_with_delete_both_idempotent(api, idea, member_b):
    api_login(api, member_b)

    for _ in range(2):
        response = api.post(_url(idea, "follow"))
        assert (response.status_code, response.json()) == (200, {"following": True})
    assert Follow.objects.filter(idea=idea, user=member_b).count() == 1

    for _ in range(2):
        response = api.delete(_url(idea, "follow"))
        assert (response.status_code, response.json()) == (200, {"following": False})
    assert not Follow.objects.filter(idea=idea, user=member_b).exists()


@pytest.mark.parametrize(("method", "action"), [("post", "vote"), ("post", "follow")])
def test_an_outsider_cannot_vote_or_follow_an_idea_they_cannot_see(
    api, member_b, secret_idea, method, action
):
    api_login(api, member_b)

    response = getattr(api, method)(_url(secret_idea, action))

    assert response.status_code == 404
    assert Vote.objects.count() == Follow.objects.count() == 0


# --- Comments ----------------------------------------------------------------------------------


def test_comments_are_listed_oldest_first_and_added(
    api, idea, member_a, member_b, django_capture_on_commit_callbacks
):
    services.idea_comment(idea=idea, author=member_a, body="First")
    api_login(api, member_b)

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(_url(idea, "comments"), {"body": "Second"})
    listed = api.get(_url(idea, "comments"))

    assert created.status_code == 201
    assert created.json()["body"] == "Second"
    assert [c["body"] for c in listed.json()["results"]] == ["First", "Second"]
    assert listed.json()["results"][1]["author"] == member_b.full_name
    assert list(Notification.objects.values_list("user__email", flat=True)) == [
        "alice@acme.example"
    ]
    assert ActivityEvent.objects.filter(kind=ActivityKind.COMMENT, user=member_b).count() == 1


@pytest.mark.parametrize(
    ("body", "detail"),
    [("", "This field may not be blank."), ("x" * 5001, "no more than 5000 characters")],
)
def test_a_bad_comment_is_a_field_error(api, idea, member_b, body, detail):
    api_login(api, member_b)

    response = api.post(_url(idea, "comments"), {"body": body})

    assert response.status_code == 400
    assert api_error(response)["attr"] == "body"
    assert detail in api_error(response)["detail"]
    assert Comment.objects.count() == 0


def test_a_comment_on_a_closed_idea_is_refused(api, garden, member_b):
    closed = IdeaFactory(garden=garden, status=IdeaStatus.DECLINED)
    api_login(api, member_b)

    response = api.post(_url(closed, "comments"), {"body": "Late"})

    assert response.status_code == 400
    assert "no longer takes comments" in api_error(response)["detail"]
    assert Comment.objects.count() == 0


def test_an_outsider_cannot_read_or_add_comments_of_an_idea_they_cannot_see(
    api, member_b, secret_idea
):
    api_login(api, member_b)

    assert api.get(_url(secret_idea, "comments")).status_code == 404
    assert api.post(_url(secret_idea, "comments"), {"body": "Hi"}).status_code == 404
    assert Comment.objects.count() == 0


# --- Transition --------------------------------------------------------------------------------


def test_a_product_manager_moves_an_idea(api, idea, product_manager):
    api_login(api, product_manager)

    response = api.post(
        _url(idea, "transition"), {"to_status": "under_review", "reason": "Worth a look."}
    )

    assert response.status_code == 200
    assert response.json()["status"] == "under_review"
    assert response.json()["transitions"][0]["reason"] == "Worth a look."
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.UNDER_REVIEW


@pytest.mark.parametrize(
    ("data", "attr", "detail"),
    [
        ({"to_status": "under_review", "reason": ""}, "reason", "This field may not be blank."),
        ({"to_status": "bogus", "reason": "x"}, "to_status", '"bogus" is not a valid choice.'),
        ({"to_status": "adopted", "reason": "x"}, "to_status", "From proposed it can move to"),
    ],
)
def test_a_bad_move_gets_a_field_error_and_changes_nothing(
    api, idea, product_manager, data, attr, detail
):
    api_login(api, product_manager)

    response = api.post(_url(idea, "transition"), data)

    assert response.status_code == 400
    assert api_error(response)["attr"] == attr
    assert detail in api_error(response)["detail"]
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED
    assert IdeaTransition.objects.count() == 0


@pytest.mark.parametrize("persona", ["member_b", "admin_a", "account_manager_a"])
def test_readers_who_may_not_move_an_idea_get_403(api, request, idea, persona):
    api_login(api, request.getfixturevalue(persona))

    response = api.post(_url(idea, "transition"), {"to_status": "withdrawn", "reason": "x"})

    assert response.status_code == 403
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED


def test_the_author_withdraws_through_the_api(api, idea, member_a):
    api_login(api, member_a)

    response = api.post(_url(idea, "transition"), {"to_status": "withdrawn", "reason": "Moot."})

    assert response.status_code == 200
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.WITHDRAWN


def test_an_outsider_cannot_move_an_idea_they_cannot_see(api, member_b, secret_idea):
    api_login(api, member_b)

    response = api.post(_url(secret_idea, "transition"), {"to_status": "declined", "reason": "x"})

    assert response.status_code == 404
    assert IdeaTransition.objects.count() == 0


# --- Merge -------------------------------------------------------------------------------------


def test_a_product_manager_merges_a_duplicate(api, idea, garden, member_b, product_manager):
    duplicate = IdeaFactory(garden=garden)
    services.idea_vote_toggle(idea=duplicate, user=member_b)
    api_login(api, product_manager)

    response = api.post(_url(duplicate, "merge"), {"into": idea.pk, "reason": "Same need."})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["merged_into"]) == ("merged", idea.pk)
    assert list(Vote.objects.values_list("idea", flat=True)) == [idea.pk]
    assert Follow.objects.filter(idea=idea, user=member_b).exists()


@pytest.mark.parametrize(
    ("into", "detail"),
    [(999999, "No such idea."), ("self", "An idea cannot be merged into itself.")],
)
def test_a_bad_merge_gets_a_field_error(api, idea, product_manager, into, detail):
    api_login(api, product_manager)

    response = api.post(
        _url(idea, "merge"), {"into": idea.pk if into == "self" else into, "reason": "Same."}
    )

    assert response.status_code == 400
    assert api_error(response)["attr"] == "into"
    assert api_error(response)["detail"] == detail
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED


def test_customers_cannot_merge_and_outsiders_cannot_find(
    api, idea, garden, member_a, member_b, secret_idea
):
    other = IdeaFactory(garden=garden)
    api_login(api, member_a)
    assert api.post(_url(idea, "merge"), {"into": other.pk, "reason": "x"}).status_code == 403
    api_login(api, member_b)
    assert api.post(_url(secret_idea, "merge"), {"into": idea.pk, "reason": "x"}).status_code == 404
    assert Idea.objects.filter(status=IdeaStatus.MERGED).count() == 0
