"""The garden pages' reads through kept SQL (config.sql_once) and their prepared HTML: each read
gives what the plain ORM read it replaced gives, for a member, a colleague who did not join, the
admin of an account invited but not yet answered, a member of another account and internal
viewers, on an open garden (naming other accounts' members or not) and an invite-only one:

- the list of gardens unfiltered (`visible_garden_list`), the garden by its address
  (`access_garden`), whether the reader joined (`garden_is_member`),
  the stewards, the activity per week, who takes part (`garden_participants`), the garden
  home's threads and the thread list's first page (`first_threads`);
- a thread's reader's last visit, its first page of posts (`first_posts`) and the page's
  reactions and flags (`post_details`, read by the thread and the page's range of ids);
- the first page read first (`page_first_read`) is Paginator's page for every page number;
- a post's reaction buttons (`{% post_reactions %}`) are the old template's HTML, and a post's
  addresses (`PostRoutes`) are `reverse()`'s."""

from __future__ import annotations

import datetime

import pytest
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts.access import customer_membership
from accounts.models import User
from community.access.gardens import access_garden, garden_is_member, visible_gardens
from community.models import (
    ActivityEvent,
    ActivityKind,
    GardenAccount,
    GardenAccountStatus,
    GardenMembership,
    GardenVisibility,
    Post,
    PostFlag,
    ThreadVisit,
)
from community.selectors import discussions, gardens
from community.services import discussions as discussion_services
from community.templatetags.discussion_tags import post_reactions
from community.views.post_routes import PostRoutes
from config.pagination import page_first_read
from demo.benchmarks.page_cpu import sql_once_off
from tests.accounts.factories import AccountFactory, customer
from tests.community.factories import GardenFactory, a_steward, accept, join, reply, start
from tests.sql_compiles import compiles_counted

pytestmark = pytest.mark.needs_postgres

VIEWERS = [
    "member_a",  # joined the gardens
    "colleague_a",  # of the same account, joined none
    "admin_b",  # their account is invited to the invite-only garden, not answered
    "member_b",  # another account, joined the open gardens
    "outsider",  # another account, joined nothing
    "account_manager_a",
    "programme_admin",
    "steward",
]


@pytest.fixture
def steward(db) -> User:
    return a_steward()


@pytest.fixture
def colleague_a(account_a) -> User:
    return customer(account_a, first_name="Cora", last_name="Colleague")


@pytest.fixture
def outsider(db) -> User:
    return customer(AccountFactory(), first_name="Otto", last_name="Outsider")


@pytest.fixture
def world(member_a, admin_a, member_b, admin_b, account_a, account_b, steward):
    """An open garden that names other accounts' members, one that does not, an invite-only
    one account A accepted and account B is invited to; threads (one hidden, one with flags,
    reactions and more posts than a page), visits, activity."""
    named = GardenFactory(name="Named", slug="named", shows_other_members=True)
    unnamed = GardenFactory(name="Unnamed", slug="unnamed")
    closed = GardenFactory(name="Closed", slug="closed", visibility=GardenVisibility.INVITE_ONLY)
    accept(closed, account_a)
    GardenAccount.objects.create(
        garden=closed, account=account_b, status=GardenAccountStatus.INVITED
    )
    for garden in (named, unnamed, closed):
        garden.stewards.add(steward)
        join(garden, member_a)
        join(garden, admin_a)
        if garden is not closed:
            join(garden, member_b)
    long = start(named, member_a, title="Long")
    for n in range(24):
        reply(long, [member_b, admin_a, steward][n % 3], f"Reply {n}")
    posts = list(Post.objects.filter(thread=long).order_by("created_at", "pk"))
    for post in posts[1:12:2]:
        for person, kind in ((member_a, "thanks"), (member_b, "like"), (admin_a, "like")):
            if post.author_id != person.pk:
                discussion_services.reaction_toggle(post=post, user=person, kind=kind)
    PostFlag.objects.create(post=posts[3], user=member_a, reason="Spam")
    PostFlag.objects.create(post=posts[5], user=member_b, reason="Rude")
    discussion_services.post_hide(post=posts[7], steward=steward, reason="Off topic")
    hidden = start(named, member_b, title="Hidden")
    discussion_services.post_hide(
        post=Post.objects.get(thread=hidden), steward=steward, reason="No"
    )
    for garden in (unnamed, closed):
        reply(start(garden, admin_a, title=f"In {garden.name}"), member_a)
    ThreadVisit.objects.update_or_create(
        user=member_a, thread=long, defaults={"seen_at": posts[10].created_at}
    )
    for person, account in ((member_a, account_a), (member_b, account_b)):
        ActivityEvent.objects.create(account=account, user=person, kind=ActivityKind.VOTE)
    return named, unnamed, closed, long


def _fields(rows, *names) -> list[tuple]:
    return [tuple(getattr(row, name, None) for name in names) for row in rows]


@pytest.mark.parametrize("persona", VIEWERS)
def test_the_garden_homes_kept_reads_give_what_the_orm_gives(request, world, persona):
    viewer = request.getfixturevalue(persona)
    listed = gardens.visible_garden_list(user=viewer)
    plain = list(gardens.garden_list(gardens=visible_gardens(viewer), user=viewer))
    names = ("pk", "member_count", "own_memberships")
    assert _fields(listed, *names) == _fields(plain, *names)
    assert any(g.own_memberships for g in listed) == (persona in ("member_a", "member_b"))
    for slug in ("named", "unnamed", "closed", "no-such-garden"):
        expected = visible_gardens(viewer).filter(slug=slug).first()
        try:
            garden = access_garden(viewer, slug)
        except Http404:
            garden = None
        assert (garden and garden.pk) == (expected and expected.pk), slug
        if garden is None:
            continue
        membership = customer_membership(viewer)
        assert garden_is_member(viewer, garden) == (
            membership is not None
            and GardenMembership.objects.filter(
                garden=garden, user=viewer, account_id=membership.account_id
            ).exists()
        )
        assert gardens.garden_stewards(garden=garden) == list(garden.stewards.all())
        now = timezone.now()
        kept = gardens.garden_activity(garden=garden, now=now)
        with sql_once_off():
            built = gardens.garden_activity(garden=garden, now=now)
        assert (kept.weeks, kept.events, kept.active_members) == (
            built.weeks,
            built.events,
            built.active_members,
        )
        assert (
            kept.total
            == ActivityEvent.objects.filter(
                user__garden_memberships__garden=garden, is_support=False
            ).count()
        )
        _participants_are_the_orms(viewer, garden)
        _threads_are_the_orms(viewer, garden)


def _participants_are_the_orms(viewer, garden) -> None:
    kept = gardens.garden_participants(viewer=viewer, garden=garden)
    counts = GardenMembership.objects.filter(garden=garden, user__is_active=True).aggregate(
        members=Count("pk"), accounts=Count("account_id", distinct=True)
    )
    assert (kept.member_count, kept.account_count) == (counts["members"], counts["accounts"])
    members = list(gardens.garden_memberships_visible_to(viewer=viewer, garden=garden))
    assert _fields(kept.members, "pk", "label") == [
        (m.pk, kept.members[i].label) for i, m in enumerate(members)
    ]
    with sql_once_off():
        built = gardens.garden_participants(viewer=viewer, garden=garden)
    assert _fields(kept.members, "pk", "label") == _fields(built.members, "pk", "label")
    assert kept.accounts_shown == built.accounts_shown
    assert _fields(kept.accounts, "pk", "member_count", "is_garden_partner") == _fields(
        built.accounts, "pk", "member_count", "is_garden_partner"
    )
    if kept.accounts_shown:
        assert len(kept.accounts) == counts["accounts"]


def _threads_are_the_orms(viewer, garden) -> None:
    names = ("pk", "seen_at", "open_flags", "last_post_at")
    for limit in (discussions.GARDEN_HOME_THREADS, discussions.THREADS_PER_PAGE):
        kept = discussions.first_threads(user=viewer, garden=garden, limit=limit)
        plain = list(discussions.thread_list(user=viewer, garden=garden)[:limit])
        assert _fields(kept, *names) == _fields(plain, *names)
        assert all(t.garden.pk == garden.pk and t.author for t in kept)


@pytest.mark.parametrize("persona", VIEWERS)
def test_a_threads_kept_reads_give_what_the_orm_gives(request, world, persona, monkeypatch):
    viewer = request.getfixturevalue(persona)
    *_, long = world
    discussions.first_posts(thread=long, user=viewer)  # keeps the SQL
    discussions.post_details(posts=list(Post.objects.filter(thread=long)), user=viewer)
    discussions.thread_visit(thread=long, user=viewer)
    compiled = compiles_counted(monkeypatch)
    first = discussions.first_posts(thread=long, user=viewer)
    visit = discussions.thread_visit(thread=long, user=viewer)
    pages = [first, first[3:9], first[::4]]
    details_of = [discussions.post_details(posts=page, user=viewer) for page in pages]
    assert compiled == []  # the kept SQL ran, nothing was built again

    assert [p.pk for p in first] == [
        p.pk for p in discussions.thread_posts(thread=long, user=viewer)[:20]
    ]
    expected_visit = ThreadVisit.objects.filter(thread=long, user=viewer).first()
    assert (visit and visit.seen_at) == (expected_visit and expected_visit.seen_at)
    for page, details in zip(pages, details_of, strict=True):
        ids = [p.pk for p in page]
        assert details.reactions == discussions.post_reactions(post_ids=ids, user=viewer)
        flags = PostFlag.objects.filter(post_id__in=ids)
        mine = flags.filter(user=viewer).values_list("post", flat=True)
        assert details.flagged_by_me == set(mine)
        if customer_membership(viewer) is None:
            open_flags = flags.filter(handled_at__isnull=True)
            assert details.open_flags == {
                p: open_flags.filter(post=p).count()
                for p in set(open_flags.values_list("post", flat=True))
            }
        else:
            assert details.open_flags == {}
    assert any(r.count for d in details_of for counts in d.reactions.values() for r in counts)


def test_the_first_page_read_first_is_paginators_page_for_every_number(world, member_a):
    named, *_ = world
    for n in range(30):
        start(named, member_a, title=f"Thread {n}")
    rows = discussions.thread_list(user=member_a, garden=named)
    for per_page, garden_rows in ((25, rows), (50, rows)):  # a full and a short first page
        for number in (None, "1", "2", "3", "0", "-1", "x", "99"):
            request = RequestFactory().get("/", {"page": number} if number is not None else {})
            request.user = member_a
            page = page_first_read(
                request, garden_rows, per_page, lambda per_page=per_page: list(rows[:per_page])
            )
            expected = Paginator(rows, per_page).get_page(number)
            assert (page.number, page.paginator.count, page.paginator.num_pages) == (
                expected.number,
                expected.paginator.count,
                expected.paginator.num_pages,
            ), (per_page, number)
            assert [t.pk for t in page] == [t.pk for t in expected], (per_page, number)


# The template the thread page included for each post before `{% post_reactions %}`.
_OLD_REACTIONS = """<div class="reactions" id="reactions-{{ post.pk }}" aria-live="polite">{% if can_react %}{% url 'community:post-react' garden.slug thread.pk post.pk as react_url %}{% endif %}
  {% for r in post.reaction_counts %}
    {% if can_react %}
    <form method="post" action="{{ react_url }}" class="inline-form"
          hx-post="{{ react_url }}" hx-target="#reactions-{{ post.pk }}" hx-swap="outerHTML">{% csrf_token %}
      <input type="hidden" name="kind" value="{{ r.kind }}">
      <button type="submit" class="{% if r.mine %}secondary{% else %}outline secondary{% endif %}" aria-pressed="{{ r.mine|yesno:'true,false' }}">{{ r.label }}{% if r.count %} · {{ r.count }}{% endif %}</button>
    </form>
    {% elif r.count %}<span class="badge">{{ r.label }} · {{ r.count }}</span>{% endif %}
  {% endfor %}
  {% if error %}<p class="errorlist" role="alert">{{ error }}</p>{% endif %}
</div>
"""  # noqa: E501


def test_the_reaction_buttons_are_the_old_templates_html(world, member_b):
    *_, long = world
    posts = discussions.first_posts(thread=long, user=member_b)
    details = discussions.post_details(posts=posts, user=member_b)
    old = Template(_OLD_REACTIONS)
    routes = PostRoutes(long)
    for post in posts[:8]:
        post.reaction_counts = details.reactions[post.pk]
        for can_react in (True, False):
            for error in ("", "You cannot react to <your> own post & more."):
                for token in ("a1B2c3", "NOTPROVIDED", ""):
                    values = {
                        "post": post,
                        "garden": long.garden,
                        "thread": long,
                        "can_react": can_react,
                        "error": error,
                        "csrf_token": token,
                    }
                    url = routes.url("react", post.pk) if can_react else ""
                    assert post_reactions(Context(values), post, can_react, url, error) == (
                        old.render(Context(values))
                    )
    assert any(r.count for post in posts for r in post.reaction_counts)


def test_a_posts_addresses_are_reverses(world):
    *_, long = world
    routes = PostRoutes(long)
    names = ["link", "edit", "history", "react", "flag", "hide", "unhide", "flags_dismiss"]
    for post in Post.objects.filter(thread=long):
        for name in names:
            route = f"community:post-{name.replace('_', '-')}"
            assert routes.url(name, post.pk) == reverse(
                route, args=[long.garden.slug, long.pk, post.pk]
            )


def test_kept_reads_hold_no_ones_values(world, member_a, member_b, outsider):
    """The second reader (another account) gets their own rows from the SQL the first kept."""
    named, unnamed, closed, long = world
    for viewer in (member_a, member_b, outsider):
        for garden in (named, unnamed):
            assert (
                garden_is_member(viewer, garden)
                == GardenMembership.objects.filter(garden=garden, user=viewer).exists()
            )
    with pytest.raises(Http404):
        access_garden(member_b, "closed")
    assert access_garden(member_a, "closed") == closed
    seen = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    ThreadVisit.objects.update_or_create(user=member_b, thread=long, defaults={"seen_at": seen})
    assert discussions.thread_visit(thread=long, user=member_b).seen_at == seen
    assert discussions.thread_visit(thread=long, user=outsider) is None
