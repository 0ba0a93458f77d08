"""An internal user's fetch of an idea, a pilot, a thread or a post keeps its SQL per process
(ideas.access, community.access.discussions: config.sql_once) and answers as the ORM's own read
through the visible_* rules did: the same row with the same related rows, hidden posts too, a
404 for what is missing, and the general rules for an inactive internal user."""

from __future__ import annotations

import pytest
from django.http import Http404

from community.access import discussions as discussion_access
from community.models import Garden, GardenVisibility
from community.services import discussions
from ideas import access as idea_access
from ideas.models import Idea
from tests.community.factories import a_steward, garden_with, opening, reply, start
from tests.ideas.factories import IdeaFactory, PilotFactory
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres


@pytest.fixture
def world(member_a):
    steward = a_steward()
    garden = garden_with(member_a, steward=steward)
    # Invite-only, member_a's account not invited: no customer of account A sees inside.
    closed = garden_with(
        steward=steward, slug="closed", name="Closed", visibility=GardenVisibility.INVITE_ONLY
    )
    thread = start(garden, member_a, title="Onboarding")
    hidden = reply(thread, member_a, "Off topic.")
    discussions.post_hide(post=hidden, steward=steward, reason="Off topic")
    other = start(closed, steward, title="Closed talk")
    return {
        "ideas": [IdeaFactory(garden=garden), IdeaFactory(garden=closed)],
        "pilots": [PilotFactory(idea__garden=garden), PilotFactory(idea__garden=closed)],
        "threads": [thread, other],
        "posts": [opening(thread), hidden, opening(other)],
    }


def _orm_idea(user, idea_id):
    return (
        idea_access.visible_ideas(user)
        .select_related(*idea_access._IDEA_RELATED)
        .filter(pk=idea_id)
        .first()
    )


def _orm_pilot(user, pilot_id):
    return (
        idea_access.visible_pilots(user)
        .select_related("idea", "idea__garden")
        .filter(pk=pilot_id)
        .first()
    )


def _orm_thread(user, thread_id, slug=None):
    threads = discussion_access.visible_threads(user).select_related(
        *discussion_access._THREAD_RELATED
    )
    if slug is not None:
        threads = threads.filter(garden__slug=slug)
    return threads.filter(pk=thread_id).first()


def _fetched(fetch, *args, **kwargs):
    try:
        return fetch(*args, **kwargs)
    except Http404:
        return None


def _same(kept, orm, related: tuple[str, ...]) -> None:
    assert (kept is None) == (orm is None)
    if orm is None:
        return
    assert kept.pk == orm.pk and type(kept) is type(orm)
    for path in related:
        a, b = kept, orm
        for name in path.split("__"):
            a, b = getattr(a, name), getattr(b, name)
        assert (a.pk if a else None) == (b.pk if b else None)


@pytest.mark.parametrize("persona", ["programme_admin", "product_manager", "account_manager_a"])
def test_an_internal_users_fetches_are_the_orms(request, persona, world, monkeypatch):
    user = request.getfixturevalue(persona)
    missing = 10**9
    for idea in [*world["ideas"], None]:
        pk = idea.pk if idea else missing
        found = _fetched(idea_access.access_idea, user, str(pk))
        _same(found, _orm_idea(user, pk), idea_access._IDEA_RELATED)
        assert (found is None) == (idea is None)  # internal users see every garden's
    for pilot in [*world["pilots"], None]:
        pk = pilot.pk if pilot else missing
        found = _fetched(idea_access.access_pilot, user, pk)
        _same(found, _orm_pilot(user, pk), ("idea", "idea__garden"))
        assert (found is None) == (pilot is None)
    for thread in [*world["threads"], None]:
        pk = thread.pk if thread else missing
        for slug in (None, "onboarding", "closed"):
            found = _fetched(discussion_access.access_thread, user, str(pk), slug=slug)
            _same(found, _orm_thread(user, pk, slug), discussion_access._THREAD_RELATED)
        assert _fetched(discussion_access.access_thread, user, pk) is not None or thread is None
    for post in [*world["posts"], None]:
        pk = post.pk if post else missing
        found = _fetched(discussion_access.access_post, user, str(pk))
        _same(found, discussion_access._post_of(user, pk, None), discussion_access._POST_RELATED)
        assert (found is None) == (post is None)  # the hidden post too

    # Asked again, nothing is compiled: each read runs its kept SQL.
    compiled = compiles_counted(monkeypatch)
    idea_access.access_idea(user, world["ideas"][1].pk)
    idea_access.access_pilot(user, world["pilots"][1].pk)
    discussion_access.access_thread(user, world["threads"][1].pk, slug="closed")
    discussion_access.access_thread(user, str(world["threads"][1].pk))
    discussion_access.access_post(user, str(world["posts"][1].pk))
    assert compiled == []


def test_an_internal_users_kept_reads_follow_the_visible_rules(programme_admin):
    # The kept builds write what visible_ideas and visible_threads write for internal users
    # (every garden's content): should those rules change, this fails.
    ideas = idea_access.visible_ideas(programme_admin).filter(pk=7)
    assert str(ideas.query) == str(Idea.objects.filter(garden__in=Garden.objects.all(), pk=7).query)
    threads = discussion_access.visible_threads(programme_admin).filter(pk=7)
    assert str(threads.query) == str(discussion_access._internal_threads().filter(pk=7).query)
    assert str(idea_access.visible_pilots(programme_admin).query) == str(
        idea_access.internal_pilots().query
    )


def test_an_inactive_internal_user_gets_404s(programme_admin, world):
    programme_admin.is_active = False
    programme_admin.save(update_fields=["is_active"])

    with pytest.raises(Http404):
        idea_access.access_idea(programme_admin, world["ideas"][0].pk)
    with pytest.raises(Http404):
        idea_access.access_pilot(programme_admin, world["pilots"][0].pk)
    with pytest.raises(Http404):
        discussion_access.access_thread(programme_admin, world["threads"][0].pk)
    with pytest.raises(Http404):
        discussion_access.access_post(programme_admin, world["posts"][0].pk)


def test_customers_still_see_only_their_gardens(member_a, world):
    assert idea_access.access_idea(member_a, world["ideas"][0].pk)
    assert discussion_access.access_thread(member_a, str(world["threads"][0].pk))
    assert discussion_access.access_post(member_a, world["posts"][0].pk)
    for fetch, row in (
        (idea_access.access_idea, world["ideas"][1]),
        (idea_access.access_pilot, world["pilots"][1]),
        (discussion_access.access_thread, world["threads"][1]),
        (discussion_access.access_post, world["posts"][1]),  # hidden
        (discussion_access.access_post, world["posts"][2]),
    ):
        with pytest.raises(Http404):
            fetch(member_a, row.pk)


def test_an_id_that_is_no_whole_number_reads_as_before(programme_admin, world):
    for bad in ("", "0", "x1", "٣"):
        with pytest.raises((Http404, ValueError)) as kept:
            discussion_access.access_post(programme_admin, bad)
        try:
            expected = discussion_access._post_of(programme_admin, bad, None)
        except ValueError as error:
            expected = error
        assert (kept.type is Http404 and expected is None) or isinstance(expected, kept.type)
