"""The frame (templates/frame/, community/context_processors.py, docs/ui.md): each role's
navigation, grouped by job, holds only what the role may open, and every item opens; the
current place is marked; counts of what needs attention sit on their items and groups, from a
fixed number of queries; deep pages carry breadcrumbs."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.models import User
from community.models import Alert, AlertReason, PostFlag
from community.services import discussions
from ideas.models import IdeaStatus
from tests.accounts.factories import AccountFactory
from tests.community.factories import garden_with, reply, start
from tests.frame_nav import main_nav
from tests.ideas.factories import IdeaFactory

pytestmark = pytest.mark.django_db

CUSTOMER_BAR = ["Home", "Gardens", "Ideas", "Pilots", "Harvests"]


def _nav(client, path: str = "/"):
    response = client.get(path)
    assert response.status_code == 200
    return main_nav(response.content)


def _alert(account, reason=AlertReason.LEVEL_DROPPED) -> Alert:
    details = {"day": "2026-06-30", "from_level": "participating", "to_level": "observing"}
    return Alert.objects.create(account=account, reason=reason, details=details)


# --- What each role is offered ---------------------------------------------------------------


def test_a_member_gets_the_short_customer_bar(client_for, member_a):
    nav = _nav(client_for(member_a))

    assert nav.groups == [member_a.first_name]  # only the user menu
    assert list(nav.links)[:6] == [*CUSTOMER_BAR, "Our account"]
    assert "Portfolio" not in nav.links and "Settings (menu)" not in nav.links


def test_a_customer_admin_finds_their_accounts_sign_in_and_history_under_our_account(
    client_for, admin_a
):
    nav = _nav(client_for(admin_a))

    assert nav.groups == ["Our account", admin_a.first_name]  # the user menu is a group too
    for label in [*CUSTOMER_BAR, "Overview", "Sign-in", "Membership history"]:
        assert label in nav.links


def test_an_account_manager_gets_accounts_ideas_and_community_but_no_settings(
    client_for, account_manager_a
):
    nav = _nav(client_for(account_manager_a))

    assert nav.groups[:3] == ["Accounts", "Ideas & pilots", "Community"]
    assert "Settings" not in nav.groups
    for label in ["Portfolio", "Alerts", "Outcomes", "Insights", "My accounts", "Pilots"]:
        assert label in nav.links
    assert "Board" not in nav.links and "Webhooks" not in nav.links


def test_a_product_manager_gets_the_board_and_all_accounts(client_for, product_manager):
    nav = _nav(client_for(product_manager))

    assert "Board" in nav.links and "All accounts" in nav.links
    assert "Settings" not in nav.groups


def test_a_programme_admin_gets_the_settings(client_for, programme_admin):
    nav = _nav(client_for(programme_admin))

    assert nav.groups[:4] == ["Accounts", "Ideas & pilots", "Community", "Settings"]
    for label in ["Engagement model", "Webhooks", "Audit trail", "Admin", "Imports", "Board"]:
        assert label in nav.links


@pytest.mark.parametrize(
    "persona", ["member_a", "admin_a", "account_manager_a", "product_manager", "programme_admin"]
)
def test_every_item_of_every_roles_navigation_opens(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    page = client.get("/").content.decode()
    hrefs = _nav_hrefs(page)

    assert len(hrefs) >= 6
    for href in hrefs:
        assert client.get(href, follow=True).status_code == 200, href


def _nav_hrefs(page: str) -> list[str]:
    import re

    start_at = page.index('<nav aria-label="Main"')
    nav = page[start_at : page.index("</nav>", start_at)]
    return sorted(set(re.findall(r'<a href="(/[^"]*)"', nav)))


# --- The current place -----------------------------------------------------------------------


def test_the_item_and_the_group_of_a_deep_page_are_marked_current(
    client_for, account_manager_a, account_a
):
    nav = _nav(client_for(account_manager_a), f"/accounts/{account_a.slug}/engagement/")

    assert nav.current == ["Accounts", "My accounts"]  # matched by prefix, not exact path


def test_the_longest_prefix_wins_and_home_is_current_only_on_home(client_for, product_manager):
    client = client_for(product_manager)

    assert _nav(client, "/ideas/board/").current == ["Ideas & pilots", "Board"]
    assert _nav(client, "/ideas/").current == ["Ideas & pilots", "Ideas"]
    assert _nav(client, "/").current == ["Home"]
    assert _nav(client, "/notifications/").current == []  # the bell marks itself


# --- Counts of what needs attention ----------------------------------------------------------


def test_open_alerts_count_on_alerts_and_on_their_group(
    client_for, account_manager_a, account_a, account_b
):
    _alert(account_a)
    _alert(account_a, AlertReason.SCORE_FELL)
    _alert(account_b)  # not one of Carol's accounts

    nav = _nav(client_for(account_manager_a))

    assert nav.links["Alerts"] == 2
    assert nav.links["Accounts (menu)"] == 2
    assert nav.links["Gardens"] == 0


def test_flagged_posts_count_for_the_gardens_steward_only(
    client_for, member_a, member_b, account_manager_a, programme_admin, product_manager
):
    steward = product_manager
    garden = garden_with(member_a, member_b, steward=steward)
    thread = start(garden, member_a)
    post = reply(thread, member_a)
    discussions.post_flag(post=post, user=member_b, reason="Off topic")
    discussions.post_flag(post=post, user=steward, reason="Off topic")  # the same post

    assert _nav(client_for(steward)).links["Gardens"] == 1
    assert _nav(client_for(programme_admin)).links["Community (menu)"] == 1  # every garden
    assert _nav(client_for(account_manager_a)).links["Gardens"] == 0  # not their garden
    assert "Community (menu)" not in _nav(client_for(member_a)).links


def test_ideas_awaiting_review_count_on_the_board_for_product_managers(
    client_for, product_manager, member_a
):
    garden = garden_with(member_a)
    IdeaFactory.create_batch(3, garden=garden, status=IdeaStatus.PROPOSED)
    IdeaFactory(garden=garden, status=IdeaStatus.UNDER_REVIEW)
    IdeaFactory(garden=garden, status=IdeaStatus.PLANNED)

    nav = _nav(client_for(product_manager))

    # the same ideas as the product manager's home lists under "ideas awaiting review"
    assert nav.links["Board"] == 4
    assert nav.links["Ideas & pilots (menu)"] == 4


def test_a_count_is_read_out_with_what_it_counts(client_for, account_manager_a, account_a):
    _alert(account_a)

    page = client_for(account_manager_a).get("/").content.decode()

    assert '<span class="visually-hidden"> open</span>' in page


@pytest.mark.parametrize(
    ("persona", "queries"),
    [
        # membership; the header's counts (unread, alerts, flagged posts: one query)
        ("member_a", 2),
        # the same: an account's admin may open every item of "Our account"
        ("admin_a", 2),
        # membership (none); permissions, own and groups' (all accounts? the board?); the
        # header's counts
        ("account_manager_a", 3),
        # + the ideas awaiting review (the board's badge)
        ("product_manager", 4),
        ("programme_admin", 4),
    ],
)
def test_the_navigation_takes_a_fixed_number_of_queries_whatever_needs_attention(
    request, django_assert_num_queries, persona, queries, account_a, member_b
):
    viewer = request.getfixturevalue(persona)
    garden = garden_with(member_b)
    for n in (1, 15):
        while Alert.objects.count() < n:
            _alert(account_a if not Alert.objects.exists() else AccountFactory())
            IdeaFactory(garden=garden)
            post = reply(start(garden, member_b), member_b)
            PostFlag.objects.create(post=post, user=viewer, reason="Spam")
        user = User.objects.get(pk=viewer.pk)  # nothing cached on it
        http = RequestFactory().get("/")
        http.user = user
        with django_assert_num_queries(queries):
            html = render_to_string("frame/navigation.html", request=http)
        assert 'aria-label="Main"' in html


def test_fragments_do_not_pay_for_the_review_count(
    monkeypatch, client_for, product_manager, member_a
):
    """The board's count is lazy: a page without the frame (an htmx fragment) never asks."""
    from ideas import context_processors

    asked: list[User] = []
    monkeypatch.setattr(
        context_processors, "ideas_awaiting_review_count", lambda user: asked.append(user) or 0
    )
    garden = garden_with(member_a)
    client = client_for(product_manager)

    assert client.get(f"/gardens/{garden.slug}/ideas/", HTTP_HX_REQUEST="true").status_code == 200
    assert asked == []
    client.get(f"/gardens/{garden.slug}/")
    assert len(asked) == 1


# --- Breadcrumbs -----------------------------------------------------------------------------


def test_an_internal_user_reads_where_an_accounts_history_sits(
    client_for, account_manager_a, account_a
):
    page = client_for(account_manager_a).get(f"/accounts/{account_a.slug}/history/")

    crumbs = _crumbs(page.content.decode())
    assert crumbs == ["Accounts", "Acme Industrial", "Membership history"]


def test_a_customer_admin_reads_our_account_instead(client_for, admin_a, account_a):
    page = client_for(admin_a).get(f"/accounts/{account_a.slug}/history/")

    assert _crumbs(page.content.decode()) == ["Our account", "Membership history"]
    own_page = client_for(admin_a).get(f"/accounts/{account_a.slug}/").content.decode()
    assert 'aria-label="Breadcrumb"' not in own_page  # a top-level page of their bar


def test_a_thread_page_leads_back_to_its_garden_and_discussions(client_for, member_a):
    garden = garden_with(member_a, name="Field work")
    thread = start(garden, member_a, title="Offline sync")

    page = client_for(member_a).get(thread.get_absolute_url()).content.decode()

    assert _crumbs(page) == ["Gardens", "Field work", "Discussions", "Offline sync"]
    assert page.count('aria-label="Breadcrumb"') == 1
    assert '<span aria-current="page">Offline sync</span>' in page


def _crumbs(page: str) -> list[str]:
    import re

    start_at = page.index('<nav aria-label="Breadcrumb"')
    nav = page[start_at : page.index("</nav>", start_at)]
    return [
        " ".join(re.sub(r"<[^>]+>", "", li).split()) for li in re.findall(r"<li>(.*?)</li>", nav)
    ]
