"""The idea services: proposing, the workflow, votes, follows, comments and merging — what each
writes, whom it tells and what it refuses."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from community.models import ActivityEvent, ActivityKind, GardenVisibility, Notification
from community.models.notifications import NotifyKind
from ideas.models import Comment, Follow, Idea, IdeaStatus, IdeaTransition, Vote
from ideas.services import ideas as services
from tests.accounts.factories import customer
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory


@pytest.fixture
def idea_text():
    """What the shared `idea` (ideas/conftest.py) asks for here."""
    return {
        "job_to_be_done": "Record inspections where there is no network.",
        "proposal": "Queue work offline and sync later.",
        "links": [],
    }


def _notified(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


def _events(kind: str) -> list[tuple]:
    return list(
        ActivityEvent.objects.filter(kind=kind).values_list(
            "account__slug", "user__email", "object_type", "object_id"
        )
    )


# --- Propose -----------------------------------------------------------------------------------


def test_a_customer_proposes_an_idea_follows_it_and_it_counts_for_their_account(idea, member_a):
    assert idea.status == IdeaStatus.PROPOSED
    assert idea.author == member_a
    assert idea.author_account.slug == "acme"
    assert list(Follow.objects.filter(idea=idea).values_list("user__email", flat=True)) == [
        "alice@acme.example"
    ]
    assert _events(ActivityKind.IDEA_PROPOSED) == [
        ("acme", "alice@acme.example", "ideas.idea", str(idea.pk))
    ]


def test_an_internal_proposal_records_no_customer_activity(garden, product_manager):
    idea = services.idea_propose(
        garden=garden,
        author=product_manager,
        title="Usage report",
        job_to_be_done="See who uses what.",
        proposal="A monthly report.",
    )

    assert idea.author_account is None
    assert Follow.objects.filter(idea=idea, user=product_manager).exists()
    assert ActivityEvent.objects.count() == 0


def test_links_are_cleaned_and_kept(garden, member_a):
    idea = services.idea_propose(
        garden=garden,
        author=member_a,
        title="Offline",
        job_to_be_done="Work offline.",
        proposal="Sync later.",
        links=["  https://example.com/a ", "", "https://example.com/a", "http://example.org/b"],
    )

    assert idea.links == ["https://example.com/a", "http://example.org/b"]


@pytest.mark.parametrize(
    ("links", "message"),
    [
        (["javascript:alert(1)"], "“javascript:alert(1)” is not a web address"),
        (["not a url"], "“not a url” is not a web address"),
        ([f"https://example.com/{n}" for n in range(6)], "At most 5 links, please."),
    ],
)
def test_bad_links_are_refused_and_nothing_is_saved(garden, member_a, links, message):
    with pytest.raises(ValidationError) as error:
        services.idea_propose(
            garden=garden,
            author=member_a,
            title="Offline",
            job_to_be_done="Work offline.",
            proposal="Sync later.",
            links=links,
        )

    assert message in error.value.message_dict["links"][0]
    assert Idea.objects.count() == 0
    assert ActivityEvent.objects.count() == 0


def test_a_proposal_needs_a_title_a_job_and_a_proposal(garden, member_a):
    with pytest.raises(ValidationError) as error:
        services.idea_propose(
            garden=garden, author=member_a, title="  ", job_to_be_done="", proposal=""
        )

    assert set(error.value.message_dict) == {"title", "job_to_be_done", "proposal"}
    assert Idea.objects.count() == 0


# --- Workflow ----------------------------------------------------------------------------------


def test_a_product_manager_moves_an_idea_and_the_followers_but_not_they_are_told(
    idea, product_manager, member_b, django_capture_on_commit_callbacks
):
    services.idea_follow(idea=idea, user=member_b)
    services.idea_follow(idea=idea, user=product_manager)

    with django_capture_on_commit_callbacks(execute=True):
        services.idea_transition(
            idea=idea,
            actor=product_manager,
            to_status=IdeaStatus.UNDER_REVIEW,
            reason="We look at it this sprint.",
        )

    idea.refresh_from_db()
    assert idea.status == IdeaStatus.UNDER_REVIEW
    assert list(
        IdeaTransition.objects.values_list("from_status", "to_status", "actor__email", "reason")
    ) == [("proposed", "under_review", "pat@garden.example", "We look at it this sprint.")]
    assert _notified(NotifyKind.IDEA_STATUS) == ["alice@acme.example", "bob@globex.example"]
    note = Notification.objects.filter(kind=NotifyKind.IDEA_STATUS).first()
    assert note.title == "“Offline inspections” is now under review"
    assert note.shown_body == (
        f"{product_manager.full_name} moved it from proposed to under review:"
        " “We look at it this sprint.”"
    )
    assert note.url == f"/ideas/{idea.pk}/"


def test_a_move_needs_a_reason_and_changes_nothing_without_one(idea, product_manager):
    with pytest.raises(ValidationError) as error:
        services.idea_transition(
            idea=idea, actor=product_manager, to_status=IdeaStatus.UNDER_REVIEW, reason="  "
        )

    assert "reason" in error.value.message_dict
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED
    assert IdeaTransition.objects.count() == 0
    assert Notification.objects.count() == 0


def test_a_move_the_workflow_does_not_allow_is_refused_with_the_allowed_ones(idea, product_manager):
    with pytest.raises(ValidationError) as error:
        services.idea_transition(
            idea=idea, actor=product_manager, to_status=IdeaStatus.ADOPTED, reason="Ship it"
        )

    assert error.value.message_dict["to_status"] == [
        "From proposed it can move to: under review, declined."
    ]
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED


def test_the_author_withdraws_their_own_proposed_idea(idea, member_a, product_manager):
    services.idea_follow(idea=idea, user=product_manager)

    services.idea_transition(
        idea=idea, actor=member_a, to_status=IdeaStatus.WITHDRAWN, reason="A duplicate of mine."
    )

    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.WITHDRAWN
    assert _notified(NotifyKind.IDEA_STATUS) == ["pat@garden.example"]


def test_the_author_cannot_withdraw_once_the_idea_is_under_review(idea, member_a, product_manager):
    services.idea_transition(
        idea=idea, actor=product_manager, to_status=IdeaStatus.UNDER_REVIEW, reason="Looking."
    )

    with pytest.raises(ValidationError) as error:
        services.idea_transition(
            idea=idea, actor=member_a, to_status=IdeaStatus.WITHDRAWN, reason="Never mind."
        )

    assert error.value.message_dict["to_status"] == [
        "You cannot move an idea that is under review."
    ]
    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.UNDER_REVIEW


@pytest.mark.parametrize("persona", ["member_b", "admin_a", "account_manager_a"])
def test_people_who_are_neither_moderator_nor_author_cannot_move_an_idea(request, idea, persona):
    with pytest.raises(PermissionDenied):
        services.idea_transition(
            idea=idea,
            actor=request.getfixturevalue(persona),
            to_status=IdeaStatus.WITHDRAWN,
            reason="Mine now.",
        )

    assert Idea.objects.get(pk=idea.pk).status == IdeaStatus.PROPOSED
    assert IdeaTransition.objects.count() == 0


# --- Votes -------------------------------------------------------------------------------------


def test_a_vote_counts_follows_and_records_activity_and_a_second_call_takes_it_back(idea, member_b):
    assert services.idea_vote_toggle(idea=idea, user=member_b) is True
    assert list(Vote.objects.values_list("user__email", "account__slug")) == [
        ("bob@globex.example", "globex")
    ]
    assert Follow.objects.filter(idea=idea, user=member_b).exists()
    assert _events(ActivityKind.VOTE) == [
        ("globex", "bob@globex.example", "ideas.idea", str(idea.pk))
    ]

    assert services.idea_vote_toggle(idea=idea, user=member_b) is False
    assert Vote.objects.count() == 0
    assert len(_events(ActivityKind.VOTE)) == 1  # taking a vote back is no activity
    assert Follow.objects.filter(idea=idea, user=member_b).exists()  # still following


def test_voting_again_after_taking_a_vote_back_records_no_second_vote_event(
    idea, member_b, account_b
):
    """Each un-vote/vote cycle used to record another vote event: +2 engagement points a
    cycle. One person's vote on one idea counts once, whatever they toggle."""
    for _ in range(3):
        assert services.idea_vote_toggle(idea=idea, user=member_b) is True
        assert services.idea_vote_toggle(idea=idea, user=member_b) is False
    assert services.idea_vote_toggle(idea=idea, user=member_b) is True

    assert Vote.objects.filter(idea=idea, user=member_b).count() == 1
    assert _events(ActivityKind.VOTE) == [
        ("globex", "bob@globex.example", "ideas.idea", str(idea.pk))
    ]
    colleague = customer(account_b, email="bea@globex.example")
    services.idea_vote_toggle(idea=idea, user=colleague)  # another person's vote counts
    services.idea_vote_toggle(
        idea=IdeaFactory(garden=idea.garden), user=member_b
    )  # and another idea
    assert len(_events(ActivityKind.VOTE)) == 3


def test_an_internal_vote_has_no_account(idea, account_manager_a):
    assert services.idea_vote_toggle(idea=idea, user=account_manager_a) is True

    assert list(Vote.objects.values_list("account", flat=True)) == [None]
    assert ActivityEvent.objects.filter(kind=ActivityKind.VOTE).count() == 0


@pytest.mark.parametrize("status", [IdeaStatus.ADOPTED, IdeaStatus.DECLINED, IdeaStatus.WITHDRAWN])
def test_a_closed_idea_takes_no_votes_comments_or_new_followers(garden, member_b, status):
    idea = IdeaFactory(garden=garden, status=status)

    with pytest.raises(ValidationError, match="no longer takes votes"):
        services.idea_vote_toggle(idea=idea, user=member_b)
    with pytest.raises(ValidationError, match="no longer takes comments"):
        services.idea_comment(idea=idea, author=member_b, body="Still want it")
    with pytest.raises(ValidationError, match="no longer takes new followers"):
        services.idea_follow(idea=idea, user=member_b)

    assert Vote.objects.count() == Comment.objects.count() == Follow.objects.count() == 0
    assert ActivityEvent.objects.count() == 0


def test_a_vote_can_be_taken_back_after_the_idea_closed(idea, member_b, product_manager):
    services.idea_vote_toggle(idea=idea, user=member_b)
    idea.status = IdeaStatus.DECLINED
    idea.save()

    assert services.idea_vote_toggle(idea=idea, user=member_b) is False
    assert Vote.objects.count() == 0


def test_a_vote_racing_a_vote_of_the_same_person_keeps_one_vote(idea, member_b):
    # The parallel request's vote lands between this request's check and its insert: the
    # unique constraint refuses the second row, and the service answers "voted" cleanly.
    services.idea_vote_toggle(idea=idea, user=member_b)
    with mock.patch.object(services, "_existing_vote", return_value=None):
        assert services.idea_vote_toggle(idea=idea, user=member_b) is True

    assert Vote.objects.filter(idea=idea, user=member_b).count() == 1
    assert ActivityEvent.objects.filter(kind=ActivityKind.VOTE).count() == 1


def test_the_database_refuses_a_second_vote_of_one_person(idea, member_b):
    Vote.objects.create(idea=idea, user=member_b)

    with pytest.raises(IntegrityError):
        Vote.objects.create(idea=idea, user=member_b)


# --- Follows and comments ----------------------------------------------------------------------


def test_follow_and_unfollow_change_one_row_and_repeat_safely(idea, member_b):
    assert services.idea_follow(idea=idea, user=member_b) is True
    assert services.idea_follow(idea=idea, user=member_b) is False
    assert Follow.objects.filter(idea=idea, user=member_b).count() == 1

    assert services.idea_unfollow(idea=idea, user=member_b) is True
    assert services.idea_unfollow(idea=idea, user=member_b) is False
    assert not Follow.objects.filter(idea=idea, user=member_b).exists()


def test_a_comment_records_activity_and_tells_the_followers_but_not_its_author(
    idea, member_a, member_b, product_manager
):
    services.idea_vote_toggle(idea=idea, user=member_b)  # follows
    services.idea_follow(idea=idea, user=product_manager)

    comment = services.idea_comment(idea=idea, author=member_b, body="  We need this too.  ")

    assert comment.body == "We need this too."
    assert _events(ActivityKind.COMMENT) == [
        ("globex", "bob@globex.example", "ideas.idea", str(idea.pk))
    ]
    assert _notified(NotifyKind.IDEA_COMMENT) == ["alice@acme.example", "pat@garden.example"]


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "Write something first."), ("x" * 5001, "Keep comments under 5000 characters")],
)
def test_an_empty_or_overlong_comment_is_refused(idea, member_b, body, message):
    with pytest.raises(ValidationError) as error:
        services.idea_comment(idea=idea, author=member_b, body=body)

    assert message in error.value.message_dict["body"][0]
    assert Comment.objects.count() == 0
    assert Notification.objects.count() == 0


# --- Merge -------------------------------------------------------------------------------------


@pytest.fixture
def pair(garden, member_a, member_b, admin_a):
    """An original and its duplicate: Anna voted for both, Bob only for the duplicate."""
    original = IdeaFactory(garden=garden, title="Offline mode", author=member_a)
    duplicate = IdeaFactory(garden=garden, title="Work without network", author=member_b)
    services.idea_vote_toggle(idea=original, user=admin_a)
    services.idea_vote_toggle(idea=duplicate, user=admin_a)
    services.idea_vote_toggle(idea=duplicate, user=member_b)
    services.idea_follow(idea=original, user=member_a)
    return original, duplicate


def test_a_merge_moves_votes_once_per_person_and_followers_and_points_to_the_original(
    pair, product_manager, admin_a, member_a, member_b
):
    original, duplicate = pair

    services.idea_merge(
        duplicate=duplicate, original=original, actor=product_manager, reason="Same need."
    )

    duplicate.refresh_from_db()
    assert duplicate.status == IdeaStatus.MERGED
    assert duplicate.merged_into == original
    assert sorted(Vote.objects.filter(idea=original).values_list("user__email", flat=True)) == [
        "anna@acme.example",
        "bob@globex.example",
    ]
    assert not Vote.objects.filter(idea=duplicate).exists()
    assert sorted(Follow.objects.filter(idea=original).values_list("user__email", flat=True)) == [
        "alice@acme.example",
        "anna@acme.example",
        "bob@globex.example",
    ]
    assert not Follow.objects.filter(idea=duplicate).exists()
    assert list(
        IdeaTransition.objects.filter(idea=duplicate).values_list(
            "from_status", "to_status", "reason"
        )
    ) == [("proposed", "merged", "Same need.")]


def test_a_merge_tells_the_followers_of_both_ideas_but_not_the_moderator(
    pair, product_manager, django_capture_on_commit_callbacks
):
    original, duplicate = pair
    services.idea_follow(idea=duplicate, user=product_manager)

    with django_capture_on_commit_callbacks(execute=True):
        services.idea_merge(
            duplicate=duplicate, original=original, actor=product_manager, reason="Same need."
        )

    assert _notified(NotifyKind.IDEA_MERGED) == [
        "alice@acme.example",
        "anna@acme.example",
        "bob@globex.example",
    ]
    note = Notification.objects.filter(kind=NotifyKind.IDEA_MERGED).first()
    assert note.title == "“Work without network” was merged into “Offline mode”"
    assert note.url == f"/ideas/{original.pk}/"


def _refused_merge(duplicate, original, actor, reason="Same.") -> dict:
    with pytest.raises(ValidationError) as error:
        services.idea_merge(duplicate=duplicate, original=original, actor=actor, reason=reason)
    return error.value.message_dict


def _unchanged(original, duplicate) -> None:
    assert Idea.objects.get(pk=duplicate.pk).merged_into is None
    assert Vote.objects.filter(idea=duplicate).count() == 2
    assert IdeaTransition.objects.count() == 0
    assert Notification.objects.filter(kind=NotifyKind.IDEA_MERGED).count() == 0


def test_an_idea_cannot_be_merged_into_itself(pair, product_manager):
    original, duplicate = pair

    assert _refused_merge(duplicate, duplicate, product_manager) == {
        "into": ["An idea cannot be merged into itself."]
    }
    _unchanged(original, duplicate)


def test_an_idea_cannot_be_merged_into_a_merged_idea(pair, garden, product_manager):
    original, duplicate = pair
    third = IdeaFactory(garden=garden)
    services.idea_merge(duplicate=original, original=third, actor=product_manager, reason="Same.")

    errors = _refused_merge(duplicate, original, product_manager)

    assert errors["into"] == [
        f"“Offline mode” is merged into another idea; merge into an idea that is still alive "
        f"(merge into #{third.pk} instead)."
    ]
    assert Vote.objects.filter(idea=duplicate).count() == 2


def test_a_merged_idea_cannot_be_merged_again(pair, garden, product_manager):
    original, duplicate = pair
    services.idea_merge(
        duplicate=duplicate, original=original, actor=product_manager, reason="Same."
    )

    errors = _refused_merge(duplicate, IdeaFactory(garden=garden), product_manager)

    assert "there is nothing to merge" in errors["into"][0]
    assert Idea.objects.get(pk=duplicate.pk).merged_into == original


def test_a_merge_needs_a_reason(pair, product_manager):
    original, duplicate = pair

    assert "reason" in _refused_merge(duplicate, original, product_manager, reason=" ")
    _unchanged(original, duplicate)


def test_across_gardens_a_merge_goes_only_into_an_open_garden(pair, product_manager):
    original, duplicate = pair
    secret = IdeaFactory(garden=GardenFactory(visibility=GardenVisibility.INVITE_ONLY))

    errors = _refused_merge(duplicate, secret, product_manager)

    assert "only into an idea of an open garden" in errors["into"][0]
    _unchanged(original, duplicate)

    elsewhere = IdeaFactory(garden=GardenFactory(visibility=GardenVisibility.OPEN))
    services.idea_merge(
        duplicate=duplicate, original=elsewhere, actor=product_manager, reason="Same."
    )
    assert Vote.objects.filter(idea=elsewhere).count() == 2


@pytest.mark.parametrize("persona", ["member_a", "account_manager_a"])
def test_only_moderators_merge(request, pair, persona):
    original, duplicate = pair

    with pytest.raises(PermissionDenied):
        services.idea_merge(
            duplicate=duplicate,
            original=original,
            actor=request.getfixturevalue(persona),
            reason="Same.",
        )

    _unchanged(original, duplicate)


def test_a_merged_idea_takes_no_more_votes(pair, product_manager, account_a):
    original, duplicate = pair
    services.idea_merge(
        duplicate=duplicate, original=original, actor=product_manager, reason="Same."
    )

    with pytest.raises(ValidationError):
        services.idea_vote_toggle(idea=duplicate, user=customer(account_a))
    assert not Vote.objects.filter(idea=duplicate).exists()
