"""The idea page and its actions: vote (htmx and plain), follow, comment, move, merge — each
with its outsiders, its bad input, and the rows afterwards."""

from __future__ import annotations

import pytest
from django.utils import timezone

from community.models import ActivityEvent, ActivityKind, GardenVisibility, Notification
from ideas.models import (
    Comment,
    Follow,
    Idea,
    IdeaStatus,
    IdeaTransition,
    PilotDecision,
    PilotState,
    Vote,
)
from ideas.services import ideas as services
from tests.accounts.factories import customer
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory, PilotFactory


@pytest.fixture
def idea_text():
    """The shared `idea` (ideas/conftest.py) in two paragraphs and with a link."""
    return {
        "job_to_be_done": "Inspect in basements.",
        "proposal": "Queue work.\n\nSync later.",
        "links": ["https://example.com/spec"],
    }


@pytest.fixture
def secret_idea(db):
    garden = GardenFactory(name="Skunkworks", visibility=GardenVisibility.INVITE_ONLY)
    return IdeaFactory(garden=garden, title="Secret roadmap item")


def url(idea: Idea, action: str = "") -> str:
    return f"/ideas/{idea.pk}/{action + '/' if action else ''}"


# --- The page ----------------------------------------------------------------------------------


def test_the_idea_page_shows_the_idea_its_support_and_its_history(
    client_for, idea, member_b, admin_a, product_manager
):
    services.idea_vote_toggle(idea=idea, user=member_b)
    services.idea_vote_toggle(idea=idea, user=admin_a)
    services.idea_vote_toggle(idea=idea, user=customer(member_b.membership.account))
    services.idea_transition(
        idea=idea, actor=product_manager, to_status=IdeaStatus.UNDER_REVIEW, reason="Worth a look."
    )

    response = client_for(member_b).get(url(idea))

    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Offline inspections</h1>" in page
    assert "Inspect in basements." in page
    assert "<p>Queue work.</p>\n\n<p>Sync later.</p>" in page
    assert 'href="https://example.com/spec" rel="nofollow noopener noreferrer"' in page
    status = '<span class="badge badge-idea-under_review" id="idea-status">Under review</span>'
    assert status in page
    assert "<strong>3</strong> people from\n     <strong>2</strong> accounts support" in page
    assert "<strong>Proposed → Under review</strong>\n      by Pat" in page
    assert "Worth a look." in page
    assert 'aria-pressed="true"' in page  # Bob voted
    assert "Acme Industrial" not in page  # no account names for customers


def test_a_product_manager_sees_the_supporting_accounts_and_the_authors(
    client_for, idea, member_b, product_manager
):
    services.idea_vote_toggle(idea=idea, user=member_b)

    page = client_for(product_manager).get(url(idea)).content.decode()

    assert "Supporting accounts: Globex Logistics" in page
    assert "(Acme Industrial)" in page


def test_an_outsider_cannot_find_an_idea_of_an_invite_only_garden(
    client_for, member_b, secret_idea
):
    assert client_for(member_b).get(url(secret_idea)).status_code == 404
    assert client_for(member_b).get("/ideas/999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_login_from_the_idea(client, idea):
    response = client.get(url(idea))

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={url(idea)}"


def test_comments_are_plain_text_rendered_safely(client_for, idea, member_b):
    services.idea_comment(idea=idea, author=member_b, body="<script>alert(1)</script>\nSecond line")

    page = client_for(member_b).get(url(idea)).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Second line" in page


def test_a_merged_idea_points_to_the_original(client_for, idea, garden, member_b, product_manager):
    duplicate = IdeaFactory(garden=garden, title="No network mode")
    services.idea_merge(
        duplicate=duplicate, original=idea, actor=product_manager, reason="Same need."
    )
    client = client_for(member_b)

    duplicate_page = client.get(url(duplicate)).content.decode()
    original_page = client.get(url(idea)).content.decode()

    assert f'merged into\n  <a href="/ideas/{idea.pk}/">Offline inspections</a>' in duplicate_page
    assert "Vote for this idea" not in duplicate_page
    assert "no longer takes comments" in duplicate_page
    assert f'<a href="/ideas/{duplicate.pk}/">No network mode</a>' in original_page


def test_the_page_lists_only_the_pilots_the_reader_may_see_and_what_came_of_them(
    client_for, idea, member_a, member_b, account_a
):
    PilotFactory(
        idea=idea,
        title="Acme trial",
        accounts=[account_a],
        state=PilotState.CLOSED,
        decision=PilotDecision.ADOPT,
        outcome_note="You asked for offline sync; it ships in May.",
        decided_at=timezone.now(),
    )
    PilotFactory(idea=idea, title="Draft trial", state=PilotState.DRAFT, accounts=[account_a])

    acme = client_for(member_a).get(url(idea)).content.decode()
    assert "Acme trial" in acme
    assert "You said, we did: adopt." in acme
    assert "it ships in May." in acme
    assert "Draft trial" not in acme

    globex = client_for(member_b).get(url(idea)).content.decode()
    assert "Acme trial" not in globex
    assert "it ships in May" not in globex


def test_moderators_see_the_move_and_merge_forms_and_customers_do_not(
    client_for, idea, member_b, product_manager
):
    pm_page = client_for(product_manager).get(url(idea)).content.decode()
    assert f'action="/ideas/{idea.pk}/transition/"' in pm_page
    assert '<option value="under_review">Under review</option>' in pm_page
    assert f'action="/ideas/{idea.pk}/merge/"' in pm_page

    customer_page = client_for(member_b).get(url(idea)).content.decode()
    assert "/transition/" not in customer_page
    assert "/merge/" not in customer_page


def test_the_author_is_offered_to_withdraw_while_proposed(client_for, idea, member_a):
    page = client_for(member_a).get(url(idea)).content.decode()

    assert "Withdraw your idea" in page
    assert '<option value="withdrawn">Withdrawn</option>' in page


def test_the_idea_page_costs_the_same_queries_for_few_or_many_votes_and_comments(
    client_for, idea, member_b, account_b, django_assert_num_queries
):
    client = client_for(member_b)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")

    def page_with(people: int) -> None:
        while Vote.objects.count() < people:
            voter = customer(account_b)
            services.idea_vote_toggle(idea=idea, user=voter)
            services.idea_comment(idea=idea, author=voter, body="Me too.")
        # 1 session, 2 user with membership, 3 the idea (access_idea, with garden, author and
        # account), 4 its figures (people, accounts, mine, following, the comments' count),
        # 5 transitions, 6 the latest page of comments with their authors, 7 pilots,
        # 8 duplicates, 9 permissions (own and groups': may this reader move it?), 10 unread
        # notifications (bell)
        with django_assert_num_queries(10):
            response = client.get(url(idea))
        assert response.content.decode().count("Me too.") == people

    page_with(2)
    page_with(9)


def test_a_long_discussion_is_paged_latest_comments_first_shown(client_for, idea, member_b):
    """Fifty comments a page, oldest first within it; the page opens on the latest, where a
    new comment lands, with a link to the earlier ones."""
    from ideas.selectors.ideas_page import COMMENTS_PER_PAGE

    author = customer(member_b.membership.account)
    for n in range(1, COMMENTS_PER_PAGE + 8):
        services.idea_comment(idea=idea, author=author, body=f"Comment number {n}.")
    client = client_for(member_b)
    total = COMMENTS_PER_PAGE + 7

    latest = client.get(url(idea)).content.decode()
    earlier = client.get(url(idea), {"comments": 1}).content.decode()
    wrong = client.get(url(idea), {"comments": "x"}).content.decode()

    assert f"Comments ({total})" in latest and f"Comments ({total})" in earlier
    assert f"Comments 51–{total} of {total}, oldest first." in latest
    shown = [n for n in range(1, total + 1) if f"Comment number {n}.<" in latest]
    assert shown == list(range(51, total + 1))
    assert 'href="?comments=1">← Earlier comments</a>' in latest
    assert "Comment number 1.<" in earlier and "Comment number 51.<" not in earlier
    assert 'href="?comments=2">Later comments →</a>' in earlier
    assert "Comment number 1.<" in wrong  # not a number: the first page
    response = client.post(url(idea, "comments"), {"body": "The newest."})
    assert "The newest." in client.get(response["Location"].split("#")[0]).content.decode()


# --- Vote --------------------------------------------------------------------------------------


def test_a_plain_vote_goes_back_to_the_idea_and_counts(client_for, idea, member_b):
    response = client_for(member_b).post(url(idea, "vote"))

    assert response.status_code == 302
    assert response["Location"] == url(idea)
    assert list(Vote.objects.values_list("user__email", "account__slug")) == [
        ("bob@globex.example", "globex")
    ]
    assert ActivityEvent.objects.filter(kind=ActivityKind.VOTE).count() == 1


def test_an_htmx_vote_answers_the_support_box_and_a_second_takes_it_back(
    client_for, idea, member_b
):
    client = client_for(member_b)

    voted = client.post(url(idea, "vote"), HTTP_HX_REQUEST="true")
    assert voted.status_code == 200
    assert [t.name for t in voted.templates] == ["ideas/idea_actions.html"]
    page = voted.content.decode()
    assert "<strong>1</strong> person from" in page
    assert 'aria-pressed="true"' in page
    assert "Unfollow" in page  # voters follow

    unvoted = client.post(url(idea, "vote"), HTTP_HX_REQUEST="true").content.decode()
    assert "<strong>0</strong> people" in unvoted
    assert 'aria-pressed="false"' in unvoted
    assert Vote.objects.count() == 0


def test_a_vote_on_a_closed_idea_is_refused_clearly(client_for, garden, member_b):
    idea = IdeaFactory(garden=garden, status=IdeaStatus.DECLINED)
    client = client_for(member_b)

    htmx = client.post(url(idea, "vote"), HTTP_HX_REQUEST="true")
    assert "This idea is declined; it no longer takes votes." in htmx.content.decode()

    plain = client.post(url(idea, "vote"), follow=True)
    assert "This idea is declined; it no longer takes votes." in plain.content.decode()
    assert Vote.objects.count() == 0


def test_an_outsider_cannot_vote_on_an_idea_they_cannot_see(client_for, member_b, secret_idea):
    response = client_for(member_b).post(url(secret_idea, "vote"))

    assert response.status_code == 404
    assert Vote.objects.count() == 0


def test_votes_are_posted_not_got(client_for, idea, member_b):
    assert client_for(member_b).get(url(idea, "vote")).status_code == 405
    assert Vote.objects.count() == 0


# --- Follow ------------------------------------------------------------------------------------


def test_follow_and_unfollow_from_the_page(client_for, idea, member_b):
    client = client_for(member_b)

    followed = client.post(url(idea, "follow"), {"action": "follow"}, HTTP_HX_REQUEST="true")
    assert "Unfollow" in followed.content.decode()
    assert Follow.objects.filter(idea=idea, user=member_b).exists()

    unfollowed = client.post(url(idea, "follow"), {"action": "unfollow"})
    assert unfollowed.status_code == 302
    assert not Follow.objects.filter(idea=idea, user=member_b).exists()


def test_a_follow_without_a_clear_action_changes_nothing(client_for, idea, member_b):
    response = client_for(member_b).post(
        url(idea, "follow"), {"action": "toggle"}, HTTP_HX_REQUEST="true"
    )

    assert "Choose to follow or to unfollow." in response.content.decode()
    assert not Follow.objects.filter(user=member_b).exists()


def test_an_outsider_cannot_follow_an_idea_they_cannot_see(client_for, member_b, secret_idea):
    response = client_for(member_b).post(url(secret_idea, "follow"), {"action": "follow"})

    assert response.status_code == 404
    assert Follow.objects.count() == 0


# --- Comment -----------------------------------------------------------------------------------


def test_a_comment_from_the_page_lands_and_tells_the_followers(
    client_for, idea, member_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member_b).post(url(idea, "comments"), {"body": "We need it too."})

    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{url(idea)}#comment-{comment.pk}"
    assert (comment.author, comment.body) == (member_b, "We need it too.")
    assert list(Notification.objects.values_list("user__email", flat=True)) == [
        "alice@acme.example"
    ]
    assert ActivityEvent.objects.filter(kind=ActivityKind.COMMENT, user=member_b).count() == 1


def test_an_empty_comment_is_refused_on_the_page(client_for, idea, member_b):
    response = client_for(member_b).post(url(idea, "comments"), {"body": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Comment.objects.count() == 0


def test_a_comment_on_a_closed_idea_is_refused_on_the_page(client_for, garden, member_b):
    idea = IdeaFactory(garden=garden, status=IdeaStatus.ADOPTED)

    response = client_for(member_b).post(url(idea, "comments"), {"body": "Late!"})

    assert response.status_code == 400
    assert "it no longer takes comments." in response.content.decode()
    assert Comment.objects.count() == 0


def test_an_outsider_cannot_comment_on_an_idea_they_cannot_see(client_for, member_b, secret_idea):
    response = client_for(member_b).post(url(secret_idea, "comments"), {"body": "Hi"})

    assert response.status_code == 404
    assert Comment.objects.count() == 0


# --- Move --------------------------------------------------------------------------------------


def test_a_product_manager_moves_the_idea_from_the_page(client_for, idea, product_manager):
    response = client_for(product_manager).post(
        url(idea, "transition"), {"to_status": "under_review", "reason": "On the roadmap."}
    )

    assert response.status_code == 302
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.UNDER_REVIEW
    assert list(IdeaTransition.objects.values_list("to_status", "reason")) == [
        ("under_review", "On the roadmap.")
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"to_status": "under_review", "reason": ""}, "This field is required."),
        ({"to_status": "adopted", "reason": "Ship"}, "From proposed it can move to"),
        ({"to_status": "nonsense", "reason": "Ship"}, "Select a valid choice."),
    ],
)
def test_a_bad_move_is_refused_with_a_clear_error(client_for, idea, product_manager, data, message):
    response = client_for(product_manager).post(url(idea, "transition"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED
    assert IdeaTransition.objects.count() == 0


@pytest.mark.parametrize("persona", ["member_b", "admin_a", "account_manager_a"])
def test_readers_who_may_not_move_it_get_403_and_nothing_changes(
    request, client_for, idea, persona
):
    response = client_for(request.getfixturevalue(persona)).post(
        url(idea, "transition"), {"to_status": "withdrawn", "reason": "Mine now."}
    )

    assert response.status_code == 403
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED


def test_an_outsider_cannot_move_an_idea_they_cannot_see(client_for, member_b, secret_idea):
    response = client_for(member_b).post(
        url(secret_idea, "transition"), {"to_status": "withdrawn", "reason": "Gone."}
    )

    assert response.status_code == 404
    assert Idea.objects.get(pk=secret_idea.pk).status == IdeaStatus.PROPOSED


def test_the_author_withdraws_from_the_page(client_for, idea, member_a):
    response = client_for(member_a).post(
        url(idea, "transition"), {"to_status": "withdrawn", "reason": "Found a workaround."}
    )

    assert response.status_code == 302
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.WITHDRAWN


# --- Merge -------------------------------------------------------------------------------------


def test_a_product_manager_merges_a_duplicate_from_the_page(
    client_for, idea, garden, member_b, product_manager
):
    duplicate = IdeaFactory(garden=garden)
    services.idea_vote_toggle(idea=duplicate, user=member_b)

    response = client_for(product_manager).post(
        url(duplicate, "merge"), {"into": idea.pk, "reason": "Same need."}
    )

    assert response.status_code == 302
    assert response["Location"] == url(idea)
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (IdeaStatus.MERGED, idea)
    assert list(Vote.objects.values_list("idea", flat=True)) == [idea.pk]


@pytest.mark.parametrize(
    ("into", "message"),
    [("999999", "There is no idea number 999999."), ("self", "cannot be merged into itself")],
)
def test_a_bad_merge_is_refused_with_a_clear_error(
    client_for, idea, product_manager, into, message
):
    response = client_for(product_manager).post(
        url(idea, "merge"), {"into": idea.pk if into == "self" else into, "reason": "Same."}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED


def test_customers_cannot_merge(client_for, idea, garden, member_a):
    other = IdeaFactory(garden=garden)

    response = client_for(member_a).post(url(idea, "merge"), {"into": other.pk, "reason": "Same"})

    assert response.status_code == 403
    assert Idea.objects.get(pk=idea.pk).merged_into is None


def test_an_outsider_cannot_merge_an_idea_they_cannot_see(client_for, member_b, idea, secret_idea):
    response = client_for(member_b).post(
        url(secret_idea, "merge"), {"into": idea.pk, "reason": "Same"}
    )

    assert response.status_code == 404
    assert Idea.objects.get(pk=secret_idea.pk).merged_into is None
