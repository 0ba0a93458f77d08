"""Discussion pages: the thread list, a thread, replying, editing, reactions, flags, hiding."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.people import ANOTHER_ACCOUNT
from community.models import (
    GardenAccount,
    GardenVisibility,
    Post,
    PostFlag,
    PostRevision,
    Reaction,
    Thread,
    ThreadVisit,
)
from community.services import discussions
from community.services.gardens import garden_join
from tests.community.factories import a_steward, garden_with, opening, reply, start


@pytest.fixture
def steward(db):
    return a_steward()


@pytest.fixture
def garden(member_a, admin_a, member_b, steward):
    return garden_with(member_a, admin_a, member_b, steward=steward)


@pytest.fixture
def thread(garden, member_a):
    return start(garden, member_a, "How do you onboard new staff?", title="First weeks")


def _url(thread: Thread, suffix: str = "") -> str:
    return f"/gardens/{thread.garden.slug}/threads/{thread.pk}/{suffix}"


def _post_url(post: Post, suffix: str) -> str:
    return _url(post.thread, f"posts/{post.pk}/{suffix}")


# --- Who sees what ---------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login(client, thread):
    for url in ("/gardens/onboarding/threads/", _url(thread)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_an_invite_only_gardens_discussions_do_not_exist_for_outsiders(
    client_for, member_a, member_b, steward
):
    garden = garden_with(steward=steward, visibility=GardenVisibility.INVITE_ONLY, slug="secret")
    thread = start(garden, steward, "Internal plans", title="Roadmap")
    post = opening(thread)
    client = client_for(member_b)

    for url in (
        "/gardens/secret/threads/",
        "/gardens/secret/threads/new/",
        "/gardens/secret/threads/flagged/",
        _url(thread),
        _post_url(post, ""),
        _post_url(post, "history/"),
        _post_url(post, "edit/"),
    ):
        assert client.get(url).status_code == 404, url
    for url in (_url(thread, "reply/"), _post_url(post, "react/"), _post_url(post, "flag/")):
        assert client.post(url, {"body": "hi", "kind": "like", "reason": "x"}).status_code == 404
    assert Post.objects.count() == 1
    assert not Reaction.objects.exists()


def test_an_admin_still_answering_an_invitation_sees_the_garden_not_its_discussions(
    client_for, admin_a, member_b, account_b, steward
):
    garden = garden_with(steward=steward, visibility=GardenVisibility.INVITE_ONLY, slug="secret")
    GardenAccount.objects.create(garden=garden, account=account_b, status="accepted")
    garden_join(garden=garden, user=member_b)
    thread = start(garden, member_b, "Under NDA", title="Prices")
    GardenAccount.objects.create(
        garden=garden, account=admin_a.membership.account, status="invited"
    )
    client = client_for(admin_a)

    assert client.get("/gardens/secret/").status_code == 200  # to answer the invitation
    assert client.get("/gardens/secret/threads/").status_code == 404  # as for a stranger
    assert client.get(_url(thread)).status_code == 404
    assert client.get(_post_url(opening(thread), "")).status_code == 404


def test_a_thread_of_another_garden_is_not_found_under_this_one(client_for, member_a, thread):
    other = garden_with(slug="other", name="Other")

    response = client_for(member_a).get(f"/gardens/{other.slug}/threads/{thread.pk}/")

    assert response.status_code == 404


def test_a_customer_who_did_not_join_reads_but_does_not_post(
    client_for, db, member_a, member_b, steward
):
    garden = garden_with(member_a, steward=steward)
    thread = start(garden, member_a)
    client = client_for(member_b)

    page = client.get(_url(thread))
    assert page.status_code == 200
    assert "Join the garden" in page.content.decode()
    assert client.get("/gardens/onboarding/threads/new/").status_code == 403
    assert client.post(_url(thread, "reply/"), {"body": "Me too"}).status_code == 403
    response = client.post(_post_url(opening(thread), "react/"), {"kind": "like"})
    assert response.status_code == 403
    assert Post.objects.count() == 1


# --- Starting, replying, editing -------------------------------------------------------------


def test_a_member_starts_a_thread_from_the_form(client_for, garden, member_a):
    client = client_for(member_a)
    assert client.get("/gardens/onboarding/threads/new/").status_code == 200

    response = client.post(
        "/gardens/onboarding/threads/new/", {"title": "Buddies", "body": "Who has one?"}
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/gardens/onboarding/threads/{thread.pk}/"
    assert (thread.title, opening(thread).body, thread.author) == (
        "Buddies",
        "Who has one?",
        member_a,
    )


def test_a_thread_without_a_title_shows_the_error(client_for, garden, member_a):
    response = client_for(member_a).post("/gardens/onboarding/threads/new/", {"body": "Hi"})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Thread.objects.exists()


def test_a_thread_title_on_two_lines_shows_the_error_and_saves_nothing(
    client_for, garden, member_a
):
    response = client_for(member_a).post(
        "/gardens/onboarding/threads/new/", {"title": "Buddies\r\nfor all", "body": "Who?"}
    )

    assert response.status_code == 400
    assert "Keep this to one line" in response.content.decode()
    assert not Thread.objects.exists()


def test_a_member_replies_and_lands_on_the_reply(client_for, thread, member_b):
    response = client_for(member_b).post(_url(thread, "reply/"), {"body": "We use a buddy."})

    post = Post.objects.get(author=member_b)
    assert response.status_code == 302
    assert response["Location"] == _post_url(post, "")
    follow = client_for(member_b).get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"] == f"{_url(thread)}#post-{post.pk}"


def test_an_empty_reply_shows_the_error_on_the_thread_page(client_for, thread, member_b):
    response = client_for(member_b).post(_url(thread, "reply/"), {"body": "  "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Post.objects.count() == 1


def test_a_post_link_goes_to_the_page_that_shows_it(client_for, thread, member_b, member_a):
    posts = [reply(thread, member_b, f"Reply {i}") for i in range(22)]

    response = client_for(member_a).get(_post_url(posts[-1], ""))

    assert response.status_code == 302
    assert response["Location"] == f"{_url(thread)}?page=2#post-{posts[-1].pk}"


def test_the_author_edits_and_everyone_reads_the_history(client_for, thread, member_a, member_b):
    post = opening(thread)
    client = client_for(member_a)
    assert client.get(_post_url(post, "edit/")).status_code == 200

    response = client.post(_post_url(post, "edit/"), {"body": "How do you onboard interns?"})

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "How do you onboard interns?"
    assert PostRevision.objects.get(post=post).body == "How do you onboard new staff?"
    history = client_for(member_b).get(_post_url(post, "history/"))
    assert history.status_code == 200
    page = history.content.decode()
    assert "How do you onboard new staff?" in page
    assert "How do you onboard interns?" in page


@pytest.mark.parametrize("persona", ["admin_a", "member_b", "steward"])
def test_nobody_else_edits_a_post(request, client_for, thread, persona):
    client = client_for(request.getfixturevalue(persona))
    post = opening(thread)

    assert client.get(_post_url(post, "edit/")).status_code == 403
    assert client.post(_post_url(post, "edit/"), {"body": "Mine now"}).status_code == 403
    assert Post.objects.get(pk=post.pk).body == "How do you onboard new staff?"


# --- Safe Markdown ---------------------------------------------------------------------------


def test_a_post_with_script_onerror_and_javascript_link_renders_harmless(
    client_for, garden, member_a, member_b
):
    body = (
        "Look: <script>alert('x')</script>\n\n"
        '<img src=x onerror="alert(1)">\n\n'
        "[click me](javascript:alert(2)) and **bold**"
    )
    thread = start(garden, member_a, body)

    response = client_for(member_b).get(_url(thread))

    page = response.content.decode()
    article = page[page.index(f'id="post-{opening(thread).pk}"') :]
    article = article[: article.index("</article>")]
    assert "<script>" not in article
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in article  # shown as text
    assert "<img" not in article
    assert '&lt;img src=x onerror="alert(1)"&gt;' in article  # text, not an element
    assert 'href="javascript' not in article
    assert "javascript:alert(2)" in article  # the link stays text
    assert "<strong>bold</strong>" in article
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert script_src.split() == ["script-src", "'self'"]


# --- Reactions and flags ---------------------------------------------------------------------


def test_a_reaction_by_htmx_answers_the_posts_reactions(client_for, thread, member_b):
    post = opening(thread)

    response = client_for(member_b).post(
        _post_url(post, "react/"), {"kind": "helpful"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    fragment = response.content.decode()
    assert f'id="reactions-{post.pk}"' in fragment
    assert 'aria-pressed="true">Helpful · 1</button>' in fragment
    assert Reaction.objects.get().kind == "helpful"


def test_a_reaction_to_your_own_post_is_refused(client_for, thread, member_a):
    response = client_for(member_a).post(
        _post_url(opening(thread), "react/"), {"kind": "like"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert "your own post" in response.content.decode()
    assert not Reaction.objects.exists()


def test_a_member_flags_a_post_and_the_steward_sees_it_in_the_queue(
    client_for, thread, member_b, steward
):
    post = opening(thread)
    reply(thread, member_b, "A reply nobody flagged.")
    response = client_for(member_b).post(_post_url(post, "flag/"), {"reason": "Off topic"})

    assert response.status_code == 302
    assert PostFlag.objects.get().user == member_b
    again = client_for(member_b).get(_url(thread))
    assert "You flagged this post." in again.content.decode()

    queue = client_for(steward).get("/gardens/onboarding/threads/flagged/")
    assert queue.status_code == 200
    assert "Off topic" in queue.content.decode()
    assert "A reply nobody flagged." not in queue.content.decode()  # only flagged posts
    assert [p.pk for p in queue.context["posts"]] == [post.pk]
    listing = client_for(steward).get("/gardens/onboarding/threads/")
    assert '<span class="badge badge-pending">1</span>' in listing.content.decode()


def test_the_flag_queue_reads_as_many_queries_for_one_flagged_post_as_for_five(
    client_for, thread, member_b, steward
):
    client = client_for(steward)
    url = "/gardens/onboarding/threads/flagged/"

    def queries_with(flagged: int) -> int:
        while PostFlag.objects.count() < flagged:
            post = reply(thread, steward, f"Flag me {PostFlag.objects.count()}")
            discussions.post_flag(post=post, user=member_b, reason="Off topic")
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert len(response.context["posts"]) == flagged
        return len(captured)

    assert queries_with(1) == queries_with(5)


@pytest.mark.parametrize("persona", ["member_a", "admin_a", "account_manager_a"])
def test_the_flag_queue_is_for_stewards_only(request, client_for, thread, persona):
    response = client_for(request.getfixturevalue(persona)).get(
        "/gardens/onboarding/threads/flagged/"
    )

    assert response.status_code == 403


# --- Hiding ----------------------------------------------------------------------------------


def test_a_steward_hides_a_post_and_it_vanishes_for_customers(
    client_for, thread, member_a, member_b, steward
):
    spam = reply(thread, member_b, "Buy cheap watches")

    response = client_for(steward).post(
        _post_url(spam, "hide/"), {"reason": "Advertising"}, follow=False
    )

    assert response.status_code == 302
    spam.refresh_from_db()
    assert (spam.hidden_by, spam.hidden_reason) == (steward, "Advertising")
    customer_page = client_for(member_a).get(_url(thread)).content.decode()
    assert "Buy cheap watches" not in customer_page
    assert "0 replies" in customer_page
    assert client_for(member_a).get(_post_url(spam, "")).status_code == 404
    search = client_for(member_a).get("/gardens/onboarding/threads/?q=watches")
    assert "0 threads" in search.content.decode()
    steward_page = client_for(steward).get(_url(thread)).content.decode()
    assert "Buy cheap watches" in steward_page
    assert "Hidden from customers by Stella Steward" in steward_page
    assert "Advertising" in steward_page
    steward_search = client_for(steward).get("/gardens/onboarding/threads/?q=watches")
    assert "1 thread" in steward_search.content.decode()


def test_a_hidden_opening_post_hides_the_thread_from_customers(
    client_for, thread, member_b, steward
):
    client_for(steward).post(_post_url(opening(thread), "hide/"), {"reason": "Off topic"})

    assert client_for(member_b).get(_url(thread)).status_code == 404
    listing = client_for(member_b).get("/gardens/onboarding/threads/").content.decode()
    assert "First weeks" not in listing
    assert "First weeks" in client_for(steward).get("/gardens/onboarding/threads/").content.decode()


def test_a_hide_needs_a_reason(client_for, thread, steward):
    response = client_for(steward).post(_post_url(opening(thread), "hide/"), {"reason": ""})

    assert response.status_code == 302
    assert Post.objects.get().hidden_at is None


@pytest.mark.parametrize("persona", ["member_a", "member_b", "account_manager_a"])
def test_only_stewards_hide(request, client_for, thread, persona):
    response = client_for(request.getfixturevalue(persona)).post(
        _post_url(opening(thread), "hide/"), {"reason": "Mine to hide?"}
    )

    assert response.status_code == 403
    assert Post.objects.get().hidden_at is None


def test_a_steward_shows_a_hidden_post_again(client_for, thread, member_b, steward):
    post = reply(thread, member_b, "Borderline")
    discussions.post_hide(post=post, steward=steward, reason="Check")

    response = client_for(steward).post(_post_url(post, "unhide/"))

    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).hidden_at is None


# --- Names, lists, "new since your last visit" -----------------------------------------------


def test_authors_of_other_accounts_stay_anonymous_unless_the_garden_shows_them(
    client_for, garden, thread, member_b, member_a
):
    reply(thread, member_b, "Hello from Globex")

    page = client_for(member_a).get(_url(thread)).content.decode()
    assert ANOTHER_ACCOUNT in page
    assert member_b.full_name not in page

    garden.shows_other_members = True
    garden.save()
    page = client_for(member_a).get(_url(thread)).content.decode()
    assert "Bob (Globex Logistics)" in page


def test_the_list_filters_mine_and_unanswered(client_for, garden, thread, member_a, member_b):
    answered = start(garden, member_b, title="Answered one")
    reply(answered, member_a)
    client = client_for(member_b)

    mine = client.get("/gardens/onboarding/threads/?show=mine").content.decode()
    unanswered = client.get("/gardens/onboarding/threads/?show=unanswered").content.decode()

    assert "Answered one" in mine
    assert "First weeks" not in mine
    assert "First weeks" in unanswered
    assert "Answered one" not in unanswered


def test_new_threads_and_posts_are_marked_until_visited(client_for, thread, member_b, member_a):
    client = client_for(member_b)
    listing = client.get("/gardens/onboarding/threads/?show=new").content.decode()
    assert "First weeks" in listing

    client.get(_url(thread))  # Bob reads it
    assert ThreadVisit.objects.filter(user=member_b, thread=thread).exists()
    listing = client.get("/gardens/onboarding/threads/?show=new").content.decode()
    assert "First weeks" not in listing

    ThreadVisit.objects.filter(user=member_b).update(
        seen_at=timezone.now() - dt.timedelta(minutes=1)
    )
    new_reply = reply(thread, member_a, "Anything else?")
    page = client.get(_url(thread)).content.decode()
    assert page.index('id="new"') < page.index(f'id="post-{new_reply.pk}"')
    assert "New since your last visit" in page


def test_internal_users_export_the_threads_as_csv(client_for, thread, steward):
    response = client_for(steward).get("/gardens/onboarding/threads/?export=csv")

    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,title,author,author_account")
    assert "First weeks" in lines[1]
    assert "Acme Industrial" in lines[1]


def test_customers_cannot_export_threads(client_for, thread, member_a):
    assert client_for(member_a).get("/gardens/onboarding/threads/?export=csv").status_code == 403


# --- Query counts ----------------------------------------------------------------------------


def _posts(thread: Thread, people, n: int) -> None:
    for i in range(n):
        reply(thread, people[i % len(people)], f"Reply {i} @anna")


@pytest.mark.parametrize("persona", ["member_a", "steward"])
def test_the_thread_page_runs_a_constant_number_of_queries(
    request, client_for, django_assert_num_queries, thread, member_b, admin_a, persona
):
    viewer = request.getfixturevalue(persona)
    client = client_for(viewer)
    first = opening(thread)
    # Customers: session, user with membership, the thread with its garden, the reader's last
    # visit, the first page of posts (authors, accounts), reactions per post and kind, the
    # reader's and open flags, the posts before the last visit ("new since"), the visit's
    # upsert, garden_can_post (the garden membership), the bell's unread count. No count of
    # posts: a first page shorter than a page is every post (a fuller thread: below).
    # Stewards instead of the garden membership: their permissions (own and groups') and the
    # steward row.
    expected = 11 if persona == "member_a" else 12
    client.get(_url(thread))  # the day's first request also records a visit (middleware)
    for more in (3, 15):
        _posts(thread, [member_b, admin_a], more)
        for post in Post.objects.filter(thread=thread).exclude(author=member_b)[:10]:
            discussions.reaction_toggle(post=post, user=member_b, kind="helpful")
        ThreadVisit.objects.update_or_create(
            user=viewer, thread=thread, defaults={"seen_at": first.created_at}
        )
        with django_assert_num_queries(expected):
            response = client.get(_url(thread))
        assert response.status_code == 200
        assert "New since your last visit" in response.content.decode()


@pytest.mark.parametrize("persona", ["member_a", "steward"])
def test_the_thread_list_runs_a_constant_number_of_queries(
    request, client_for, django_assert_num_queries, garden, member_b, admin_a, persona
):
    client = client_for(request.getfixturevalue(persona))
    start(garden, member_b, title="One")
    # Customers: session, user with membership, the garden, the first page of threads (garden,
    # authors, accounts, the reader's last visit; for internal readers the open flags too: one
    # query), garden_can_post (the garden membership), the bell's count. No count of threads:
    # a first page shorter than a page is every thread (a fuller garden: the count, below).
    # Stewards instead of the garden membership: their permissions (own and groups'), the
    # steward row and the garden's open flag count.
    expected = 6 if persona == "member_a" else 8
    client.get("/gardens/onboarding/threads/")  # the day's first request records a visit
    with django_assert_num_queries(expected):
        assert client.get("/gardens/onboarding/threads/").status_code == 200

    for i in range(12):
        thread = start(garden, [member_b, admin_a][i % 2], title=f"Thread {i}")
        reply(thread, member_b)
    with django_assert_num_queries(expected):
        response = client.get("/gardens/onboarding/threads/")
    assert response.status_code == 200
    assert "13 threads" in response.content.decode()


# --- The garden home's discussions -----------------------------------------------------------


def test_the_garden_home_shows_active_threads_with_unread_markers(
    client_for, garden, thread, member_b
):
    page = client_for(member_b).get("/gardens/onboarding/").content.decode()

    section = page[page.index('id="garden-discussions"') :]
    assert f'href="/gardens/onboarding/threads/{thread.pk}/">First weeks</a>' in section
    assert '<span class="badge badge-pending">New</span>' in section
    assert 'href="/gardens/onboarding/threads/new/"' in section


def test_the_garden_homes_discussions_cost_one_query_whatever_their_size(
    client_for, django_assert_max_num_queries, garden, member_a, member_b, admin_a
):
    client = client_for(member_a)
    client.get("/gardens/onboarding/")  # the day's first request records a visit
    with CaptureQueriesContext(connection) as before:
        client.get("/gardens/onboarding/")
    thread_queries = [q for q in before.captured_queries if "community_thread" in q["sql"]]
    assert len(thread_queries) == 1  # the five most active threads, with the last visit

    for i in range(8):
        thread = start(garden, [member_b, admin_a][i % 2], title=f"Thread {i}")
        for _ in range(3):
            reply(thread, member_b)
    with django_assert_max_num_queries(len(before.captured_queries)):
        response = client.get("/gardens/onboarding/")
    assert response.content.decode().count('data-thread="') == 5
