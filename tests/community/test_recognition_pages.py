"""/people/<id>/: a person's contributions and badges. Their own account's people and internal
users who see that account read it; members of other accounts, account managers of other
accounts (and customers, for internal people's profiles) get 404. The page runs a constant
number of queries whatever the person did; the "garden partner" mark follows the account's
latest engagement level."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from accounts.models import InternalRole
from accounts.people import person_name
from community.models import (
    ActivityEvent,
    ActivityKind,
    GardenVisibility,
    Milestone,
    MilestoneKind,
    Post,
    Reaction,
    ReactionKind,
    Thread,
)
from community.selectors.recognition import garden_partner_ids
from tests.accounts.factories import AccountFactory, customer, internal
from tests.community.factories import EngagementSnapshotFactory, GardenFactory, HarvestFactory
from tests.ideas.factories import IdeaFactory, PilotFactory

pytestmark = pytest.mark.django_db


def _url(person) -> str:
    return f"/people/{person.pk}/"


def _event(user, kind, *, account=None, support=False, days_ago=1, **fields):
    account = account or user.membership.account
    return ActivityEvent.objects.create(
        account=account,
        user=user,
        kind=kind,
        is_support=support,
        occurred_at=timezone.now() - dt.timedelta(days=days_ago),
        **fields,
    )


def _thread_with_post(author, *, account=None, garden=None, title="First weeks"):
    garden = garden or GardenFactory()
    thread = Thread.objects.create(garden=garden, title=title, author=author, account=account)
    post = Post.objects.create(thread=thread, author=author, account=account, body="Like this.")
    return thread, post


def _idea_event(user, kind, idea, **fields):
    return _event(user, kind, object_type="ideas.idea", object_id=str(idea.pk), **fields)


@pytest.fixture
def alice_did_things(member_a, admin_a, account_a):
    """Alice proposed an idea ("Offline mode"), voted twice (for it and for "Dark theme"), gave
    feedback in a pilot ("Offline sync"), wrote a post that Anna found helpful, inspired a
    harvest, and earned a badge."""
    offline = IdeaFactory(title="Offline mode")
    pilot = PilotFactory(title="Offline sync", accounts=[account_a])
    _idea_event(member_a, ActivityKind.IDEA_PROPOSED, offline)
    _idea_event(member_a, ActivityKind.VOTE, offline, days_ago=3)
    _idea_event(member_a, ActivityKind.VOTE, IdeaFactory(title="Dark theme"), days_ago=2)
    _event(member_a, ActivityKind.FEEDBACK_GIVEN, pilot_ref=pilot.pk, days_ago=4)
    _event(member_a, ActivityKind.VISIT)  # not a contribution
    _, post = _thread_with_post(member_a, account=account_a, title="Onboarding in week one")
    _event(
        member_a,
        ActivityKind.DISCUSSION_POST,
        object_type="community.post",
        object_id=str(post.pk),
        days_ago=0,
    )
    Reaction.objects.create(post=post, user=admin_a, kind=ReactionKind.HELPFUL)
    Reaction.objects.create(post=post, user=member_a, kind=ReactionKind.HELPFUL)  # own: no
    HarvestFactory(title="Guided set-up for everyone").inspired_by.add(member_a)
    Milestone.objects.create(user=member_a, kind=MilestoneKind.FIRST_IDEA, account=account_a)
    return member_a


# --- Who sees a profile ----------------------------------------------------------------------


@pytest.mark.parametrize("viewer", ["member_a", "admin_a", "account_manager_a", "product_manager"])
def test_their_account_and_internal_users_see_a_persons_contributions(
    request, client_for, alice_did_things, viewer
):
    response = client_for(request.getfixturevalue(viewer)).get(_url(alice_did_things))

    assert response.status_code == 200
    page = response.content.decode()
    assert "First idea" in page
    profile = response.context["profile"]
    counts = {c.kind: c.count for c in profile.contributions}
    assert counts == {
        ActivityKind.IDEA_PROPOSED: 1,
        ActivityKind.VOTE: 2,
        ActivityKind.FEEDBACK_GIVEN: 1,
        ActivityKind.DISCUSSION_POST: 1,
    }
    assert (profile.posts, profile.helpful_received, profile.harvests_inspired) == (1, 1, 1)
    assert "Guided set-up for everyone" in page


@pytest.mark.parametrize("viewer", ["member_b", "admin_b"])
def test_members_of_another_account_get_404(request, client_for, alice_did_things, viewer):
    response = client_for(request.getfixturevalue(viewer)).get(_url(alice_did_things))

    assert response.status_code == 404
    assert "First idea" not in response.content.decode()


def test_an_account_manager_of_another_account_gets_404(client_for, account_manager_a, member_b):
    response = client_for(account_manager_a).get(_url(member_b))

    assert response.status_code == 404


def test_customers_do_not_see_internal_peoples_profiles(client_for, member_a, product_manager):
    assert client_for(member_a).get(_url(product_manager)).status_code == 404


def test_a_deactivated_colleague_is_no_longer_shown_to_customers(
    client_for, member_a, admin_a, programme_admin
):
    member_a.is_active = False
    member_a.save(update_fields=["is_active"])

    assert client_for(admin_a).get(_url(member_a)).status_code == 404
    assert client_for(programme_admin).get(_url(member_a)).status_code == 200


def test_no_one_by_that_id_is_404(client_for, member_a):
    assert client_for(member_a).get("/people/999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, member_a):
    response = client.get(_url(member_a))

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_my_profile_leads_to_ones_own(client_for, member_a):
    response = client_for(member_a).get("/people/me/")

    assert response.status_code == 302
    assert response["Location"] == _url(member_a)


# --- What it shows ---------------------------------------------------------------------------


def test_ones_own_recent_items_name_ideas_pilots_and_threads_by_title_in_the_second_person(
    client_for, alice_did_things
):
    response = client_for(alice_did_things).get(_url(alice_did_things))

    page = response.content.decode()
    offline = response.context["profile"].recent[1]
    assert f'You proposed <a href="{offline.url}">Offline mode</a>' in page
    assert offline.url.startswith("/ideas/")
    assert "You voted for <a " in page and ">Dark theme</a>" in page
    assert "You gave feedback on <a " in page and ">Offline sync</a>" in page
    assert "You wrote in <a " in page and ">Onboarding in week one</a>" in page
    assert "the idea" not in page and "the pilot" not in page
    labels = [item.label for item in response.context["profile"].recent]
    assert labels == [
        "You wrote in Onboarding in week one",
        "You proposed Offline mode",
        "You voted for Dark theme",
        "You voted for Offline mode",
        "You gave feedback on Offline sync",
    ]  # newest first; the visit is no contribution


def test_on_a_colleagues_profile_the_recent_items_name_them_as_the_naming_rule_does(
    client_for, alice_did_things, admin_a
):
    profile = client_for(admin_a).get(_url(alice_did_things)).context["profile"]

    name = person_name(
        viewer=admin_a,
        person=alice_did_things,
        person_account_id=alice_did_things.membership.account_id,
    )
    assert profile.name == name == alice_did_things.full_name
    assert profile.recent[2].label == f"{name} voted for Dark theme"
    assert not any(item.lead.startswith("You") for item in profile.recent)


def test_the_counts_count_what_the_list_lists(client_for, member_a, account_a):
    """Four discussion posts: one linked, one hidden since, two from history that names no
    post. Before, the page said "1 discussion post" over four rows."""
    _, post = _thread_with_post(member_a, account=account_a, title="Week one")
    _, hidden = _thread_with_post(member_a, account=account_a, title="Heated")
    hidden.hidden_at, hidden.hidden_reason = timezone.now(), "Off topic"
    hidden.save()
    for pk in (post.pk, hidden.pk, "", ""):
        _event(member_a, ActivityKind.DISCUSSION_POST, object_type="community.post" if pk else "",
               object_id=str(pk))  # fmt: skip
    _event(member_a, ActivityKind.VOTE, days_ago=2)

    response = client_for(member_a).get(_url(member_a))

    profile = response.context["profile"]
    wrote = [item for item in profile.recent if item.lead == "You wrote in"]
    assert profile.posts == len(wrote) == 4
    assert {c.kind: c.count for c in profile.contributions} == {
        ActivityKind.DISCUSSION_POST: 4,
        ActivityKind.VOTE: 1,
    }
    assert profile.listed == profile.total == len(profile.recent) == 5
    page = response.content.decode()
    assert '<span class="figure">4</span> discussion posts' in page
    assert "Your 5 contributions counted above, newest first." in page


def test_the_list_says_it_is_the_latest_of_more(client_for, member_a):
    for day in range(15):
        _event(member_a, ActivityKind.VOTE, days_ago=day)

    response = client_for(member_a).get(_url(member_a))

    assert len(response.context["profile"].recent) == 12
    assert "The latest 12 of your 15 contributions" in response.content.decode()


def test_an_idea_the_viewer_may_not_see_is_not_named(client_for, member_a, account_a):
    secret = IdeaFactory(
        title="Secret roadmap", garden=GardenFactory(visibility=GardenVisibility.INVITE_ONLY)
    )
    _idea_event(member_a, ActivityKind.VOTE, secret)

    page = client_for(member_a).get(_url(member_a)).content.decode()

    assert "Secret roadmap" not in page
    assert "You voted for an idea" in page


def test_a_customer_sees_only_what_was_done_for_their_own_account(
    client_for, member_a, admin_a, account_b
):
    _event(member_a, ActivityKind.VOTE)
    _event(member_a, ActivityKind.VOTE, account=account_b)  # from an earlier employer, say

    customer_view = client_for(admin_a).get(_url(member_a)).context["profile"]

    assert [(c.kind, c.count) for c in customer_view.contributions] == [(ActivityKind.VOTE, 1)]


def test_a_hidden_post_is_not_linked_for_customers(client_for, member_a, admin_a, account_a):
    _, post = _thread_with_post(member_a, account=account_a, title="A heated thread")
    post.hidden_at, post.hidden_reason = timezone.now(), "Off topic"
    post.save()
    _event(member_a, ActivityKind.DISCUSSION_POST, object_type="community.post", object_id=post.pk)

    page = client_for(admin_a).get(_url(member_a)).content.decode()

    assert "A heated thread" not in page
    assert "voted" not in page and "wrote in a discussion" in page


def test_an_internal_persons_profile_shows_the_support_they_give(
    client_for, programme_admin, account_a, member_a
):
    steward = internal(InternalRole.CUSTOMER_SUCCESS_MANAGER, email="stella@garden.example")
    _event(steward, ActivityKind.DISCUSSION_POST, account=account_a, support=True)
    _event(steward, ActivityKind.LOOP_CLOSED, account=account_a, support=True)
    _event(steward, ActivityKind.LOOP_CLOSED, account=account_a, support=True, days_ago=5)
    HarvestFactory(published_by=steward)
    _thread_with_post(steward)
    Milestone.objects.create(user=steward, kind=MilestoneKind.FIRST_LOOP_CLOSED)

    response = client_for(programme_admin).get(_url(steward))

    profile = response.context["profile"]
    assert profile.is_internal
    assert {c.kind: c.count for c in profile.support} == {
        ActivityKind.DISCUSSION_POST: 1,
        ActivityKind.LOOP_CLOSED: 2,
    }
    assert (profile.harvests_published, profile.posts) == (1, 1)
    page = response.content.decode()
    assert "Loops closed" in page
    assert "First loop closed" in page
    assert "replied in a customer&#x27;s discussion" in page


def test_the_profile_runs_a_constant_number_of_queries(
    client_for, member_a, admin_a, account_a, django_assert_num_queries
):
    client = client_for(admin_a)
    garden = GardenFactory()
    EngagementSnapshotFactory(account=account_a, level="co_creating")
    client.get("/")  # today's visit is recorded on the first page of the day, not measured

    def profile_with(n: int) -> None:
        for i in range(n):
            _, post = _thread_with_post(member_a, account=account_a, garden=garden)
            _event(member_a, ActivityKind.DISCUSSION_POST, object_type="community.post",
                   object_id=post.pk, days_ago=i)  # fmt: skip
            _idea_event(member_a, ActivityKind.VOTE, IdeaFactory(garden=garden))
            _event(member_a, ActivityKind.FEEDBACK_GIVEN, pilot_ref=i + 1)
            _event(member_a, ActivityKind.HARVEST_READ, object_type="community.harvest",
                   object_id=HarvestFactory().pk)  # fmt: skip
            Reaction.objects.create(post=post, user=admin_a, kind=ReactionKind.HELPFUL)
            HarvestFactory().inspired_by.add(member_a)
        Milestone.objects.get_or_create(user=member_a, kind=MilestoneKind.FIRST_VOTE)
        # 1 session, 2 the viewer with their membership, 3 the person with their membership,
        # 4 counts per kind and side, 5 badges, 6 helpful reactions, 7 harvests inspired and
        # published, 8 the latest inspired harvests the viewer reads, 9 the account's latest
        # level, 10 the latest events, 11-14 what they name: their ideas, pilots, posts'
        # threads and harvests (one query each), 15 the notification bell.
        with django_assert_num_queries(QUERIES):
            response = client.get(_url(member_a))
        assert response.status_code == 200

    profile_with(2)
    profile_with(30)


QUERIES = 15


def test_the_garden_partner_mark_follows_the_latest_level(client_for, member_a, account_a):
    today = timezone.localdate()
    EngagementSnapshotFactory(
        account=account_a, day=today - dt.timedelta(days=9), level="co_creating"
    )
    EngagementSnapshotFactory(account=account_a, day=today, level="contributing")

    assert "Garden partner" not in client_for(member_a).get(_url(member_a)).content.decode()

    EngagementSnapshotFactory(
        account=account_a, day=today + dt.timedelta(days=1), level="co_creating"
    )
    assert "Garden partner" in client_for(member_a).get(_url(member_a)).content.decode()


def test_garden_partners_among_many_accounts_take_one_query(django_assert_num_queries):
    partners = [AccountFactory() for _ in range(3)]
    others = [AccountFactory() for _ in range(3)]
    for account in partners:
        EngagementSnapshotFactory(account=account, level="co_creating")
    EngagementSnapshotFactory(account=others[0], level="contributing")

    with django_assert_num_queries(1):
        found = garden_partner_ids(account_ids=[a.pk for a in partners + others])

    assert found == {a.pk for a in partners}


def test_the_template_tags_mark_partners_in_a_list(member_a, account_a, account_b):
    EngagementSnapshotFactory(account=account_a, level="co_creating")
    template = Template(
        "{% load recognition %}{% garden_partner_ids accounts as partners %}"
        "{% for a in accounts %}[{{ a.slug }}{% if a.pk in partners %}"
        "{% garden_partner_mark a partner=True %}{% endif %}]{% endfor %}"
        "|{% garden_partner_mark single %}"
    )
    request = RequestFactory().get("/")
    request.user = member_a

    html = template.render(
        Context({"accounts": [account_a, account_b], "single": account_b, "request": request})
    )

    assert html.count("Garden partner") == 1
    assert html.index("Garden partner") < html.index("[globex")


def test_customers_of_a_partner_account_see_the_mark_on_a_colleagues_profile(client_for, account_a):
    colleague = customer(account_a, email="ben@acme.example", first_name="Ben")
    EngagementSnapshotFactory(account=account_a, level="co_creating")
    viewer = customer(account_a, email="cleo@acme.example")

    page = client_for(viewer).get(_url(colleague)).content.decode()

    assert "Garden partner" in page
    assert "Ben" in page


def test_the_account_page_shows_the_garden_partner_mark(client_for, admin_a, account_a):
    EngagementSnapshotFactory(account=account_a, level="co_creating")

    page = client_for(admin_a).get(account_a.get_absolute_url()).content.decode()

    assert "Garden partner" in page
