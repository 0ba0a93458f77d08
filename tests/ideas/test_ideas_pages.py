"""Idea pages: the list (filters, CSV, pages, query count), proposing, the garden's fragment,
and the navigation. The idea page and its actions are in test_ideas_detail.py."""

from __future__ import annotations

import csv
import io
import re

import pytest

from community.models import ActivityEvent, ActivityKind, GardenVisibility
from ideas.models import Follow, Idea, IdeaStatus, Vote
from tests.accounts.factories import customer
from tests.community.factories import GardenFactory
from tests.ideas.factories import IdeaFactory

LIST = "/ideas/"
NEW = "/ideas/new/"


def _vote(idea: Idea, user) -> None:
    membership = getattr(user, "membership", None)
    Vote.objects.create(idea=idea, user=user, account=membership.account if membership else None)


def _ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-idea="(\d+)"', response.content.decode())]


@pytest.fixture
def secret(db):
    return GardenFactory(
        name="Skunkworks", slug="skunkworks", visibility=GardenVisibility.INVITE_ONLY
    )


@pytest.fixture
def ideas(garden, secret, member_a, member_b):
    """Two ideas in an open garden, one in another open garden, one in an invite-only garden."""
    billing = GardenFactory(name="Billing", slug="billing")
    offline = IdeaFactory(
        garden=garden,
        title="Offline inspections",
        job_to_be_done="Inspect in basements.",
        author=member_a,
        author_account=member_a.membership.account,
    )
    photos = IdeaFactory(
        garden=garden,
        title="Photo notes",
        proposal="Attach photos from the field.",
        status=IdeaStatus.PLANNED,
    )
    invoices = IdeaFactory(garden=billing, title="Split invoices")
    hidden = IdeaFactory(garden=secret, title="Secret roadmap item")
    _vote(photos, member_a)
    _vote(photos, member_b)
    return {"offline": offline, "photos": photos, "invoices": invoices, "hidden": hidden}


# --- The list ----------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_login_from_the_list_and_the_form(client, db):
    for url in (LIST, NEW):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("persona", ["member_a", "member_b"])
def test_customers_list_the_ideas_of_open_gardens_only(request, client_for, ideas, persona):
    response = client_for(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert set(_ids(response)) == {ideas[k].pk for k in ("offline", "photos", "invoices")}
    assert "Secret roadmap item" not in response.content.decode()


def test_a_product_manager_lists_every_idea(client_for, product_manager, ideas):
    response = client_for(product_manager).get(LIST)

    assert set(_ids(response)) == {i.pk for i in ideas.values()}


def test_the_list_shows_support_as_people_and_accounts(client_for, member_a, ideas):
    page = client_for(member_a).get(f"{LIST}?status=planned").content.decode()

    row = page.split(f'data-idea="{ideas["photos"].pk}"')[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "2"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("garden=field-work", ["photos", "offline"]),
        ("garden=billing", ["invoices"]),
        ("status=planned", ["photos"]),
        ("q=BASEMENT", ["offline"]),  # the job to be done
        ("q=photos from", ["photos"]),  # the proposal
        ("q=invoices", ["invoices"]),  # the title
        ("garden=field-work&status=proposed", ["offline"]),
        ("sort=people&garden=field-work", ["photos", "offline"]),
        ("q=nothing-like-this", []),
    ],
)
def test_the_list_filters_by_garden_status_and_search(client_for, member_a, ideas, query, expected):
    response = client_for(member_a).get(f"{LIST}?{query}")

    assert response.status_code == 200
    assert _ids(response) == [ideas[k].pk for k in expected]


def test_a_customer_cannot_filter_by_an_invite_only_garden(client_for, member_b, ideas):
    response = client_for(member_b).get(f"{LIST}?garden=skunkworks")

    page = response.content.decode()
    assert "Select a valid choice" in page
    assert "Secret roadmap item" not in page
    assert ideas["hidden"].pk not in _ids(response)


def test_no_match_says_so(client_for, member_a, ideas):
    page = client_for(member_a).get(f"{LIST}?q=zzz").content.decode()

    assert "No idea matches these filters." in page


def test_an_htmx_request_gets_only_the_rows(client_for, member_a, ideas):
    response = client_for(member_a).get(f"{LIST}?garden=billing", HTTP_HX_REQUEST="true")

    assert [t.name for t in response.templates] == ["ideas/idea_list_rows.html", "_pagination.html"]
    assert "<html" not in response.content.decode()
    assert _ids(response) == [ideas["invoices"].pk]
    assert "HX-Request" in response["Vary"]


def test_the_list_is_paged_by_25_and_keeps_the_filters(client_for, member_a, garden):
    for _ in range(27):
        IdeaFactory(garden=garden)
    IdeaFactory(garden=GardenFactory())
    client = client_for(member_a)

    first = client.get(f"{LIST}?garden=field-work")
    second = client.get(f"{LIST}?garden=field-work&page=2")

    assert len(_ids(first)) == 25
    assert len(_ids(second)) == 2
    assert "garden=field-work&amp;page=2" in first.content.decode()
    assert "27 ideas" in first.content.decode()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_a_customer_exports_the_filtered_list_without_account_names(client_for, member_a, ideas):
    response = client_for(member_a).get(f"{LIST}?garden=field-work&export=csv")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ideas.csv"'
    rows = _csv(response)
    assert rows[0] == [
        "id",
        "garden",
        "title",
        "status",
        "author",
        "supporters",
        "supporting_accounts",
        "created_at",
        "url",
    ]
    photos = ideas["photos"]
    assert [r[0] for r in rows[1:]] == [str(photos.pk), str(ideas["offline"].pk)]
    assert rows[1][:4] == [str(photos.pk), "Field work", "Photo notes", "planned"]
    assert rows[1][5:7] == ["2", "2"]
    assert rows[1][8] == f"http://testserver/ideas/{photos.pk}/"


def test_a_product_managers_export_names_the_authors_account(client_for, product_manager, ideas):
    rows = _csv(client_for(product_manager).get(f"{LIST}?q=basement&export=csv"))

    assert rows[0][5] == "author_account"
    assert rows[1][5] == "Acme Industrial"


def test_the_list_costs_the_same_queries_for_3_or_12_ideas(
    client_for, member_a, garden, account_b, django_assert_num_queries
):
    client = client_for(member_a)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")
    voters = [customer(account_b) for _ in range(3)]

    def page_with(count: int) -> None:
        while Idea.objects.count() < count:
            idea = IdeaFactory(garden=garden)
            for voter in voters[: Idea.objects.count() % 3]:
                _vote(idea, voter)
        # 1 session, 2 user with membership (with account), 3 unread notifications (bell),
        # 4 paginator count, 5 the page of ideas with gardens, authors and support,
        # 6 the gardens of the filter
        with django_assert_num_queries(6):
            response = client.get(LIST)
        assert len(_ids(response)) == count

    page_with(3)
    page_with(12)


# --- Proposing ---------------------------------------------------------------------------------


def test_the_form_offers_the_visible_gardens_and_preselects_one(
    client_for, member_a, garden, secret
):
    page = client_for(member_a).get(f"{NEW}?garden=field-work").content.decode()

    assert '<option value="field-work" selected>Field work</option>' in page
    assert "skunkworks" not in page


def test_a_customer_proposes_an_idea_through_the_form(client_for, member_a, garden):
    response = client_for(member_a).post(
        NEW,
        {
            "garden": "field-work",
            "title": "Offline inspections",
            "job_to_be_done": "Inspect in basements.",
            "proposal": "Queue and sync.",
            "links": "https://example.com/spec\n\nhttps://example.com/video\n",
        },
    )

    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ideas/{idea.pk}/"
    assert (idea.garden, idea.author, idea.author_account.slug) == (garden, member_a, "acme")
    assert idea.links == ["https://example.com/spec", "https://example.com/video"]
    assert Follow.objects.filter(idea=idea, user=member_a).exists()
    assert ActivityEvent.objects.filter(kind=ActivityKind.IDEA_PROPOSED, user=member_a).count() == 1


@pytest.mark.parametrize("title", ["Offline\r\nBcc: x@example.com", "Offline\u2028mode"])
def test_a_title_on_two_lines_shows_the_error_and_saves_nothing(
    client_for, member_a, garden, title
):
    response = client_for(member_a).post(
        NEW,
        {
            "garden": "field-work",
            "title": title,
            "job_to_be_done": "Inspect in basements.",
            "proposal": "Queue and sync.",
        },
    )

    assert response.status_code == 400
    assert "Keep this to one line" in response.content.decode()
    assert Idea.objects.count() == 0


def test_bad_input_shows_clear_errors_and_saves_nothing(client_for, member_a, garden):
    response = client_for(member_a).post(
        NEW,
        {
            "garden": "field-work",
            "title": "",
            "job_to_be_done": "Inspect in basements.",
            "proposal": "Queue and sync.",
            "links": "ftp://example.com/file",
        },
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page
    assert Idea.objects.count() == 0

    response = client_for(member_a).post(
        NEW,
        {
            "garden": "field-work",
            "title": "Offline",
            "job_to_be_done": "Inspect in basements.",
            "proposal": "Queue and sync.",
            "links": "ftp://example.com/file",
        },
    )

    assert response.status_code == 400
    assert "is not a web address (it must start with http:// or https://)" in (
        response.content.decode()
    )
    assert Idea.objects.count() == 0
    assert ActivityEvent.objects.count() == 0


def test_a_customer_cannot_propose_in_an_invite_only_garden(client_for, member_b, secret):
    response = client_for(member_b).post(
        NEW,
        {
            "garden": "skunkworks",
            "title": "Sneaky",
            "job_to_be_done": "Get in.",
            "proposal": "Post here.",
        },
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Idea.objects.count() == 0


# --- A garden's ideas (the fragment the garden page loads) -------------------------------------


def test_the_garden_page_loads_its_ideas_as_a_fragment(client_for, member_a, garden):
    from community.services.gardens import garden_join

    garden_join(garden=garden, user=member_a)
    page = client_for(member_a).get("/gardens/field-work/").content.decode()

    assert 'hx-get="/gardens/field-work/ideas/"' in page
    assert 'hx-trigger="load"' in page


def test_the_fragment_lists_the_gardens_ideas_by_status_with_their_support(
    client_for, member_a, ideas
):
    response = client_for(member_a).get(
        "/gardens/field-work/ideas/", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert _ids(response) == [ideas["offline"].pk, ideas["photos"].pk]  # proposed, then planned
    assert page.index("<h3>Proposed</h3>") < page.index("<h3>Planned</h3>")
    assert "2 people · 2 accounts" in page
    assert "Split invoices" not in page


def test_the_fragment_filters_by_status(client_for, member_a, ideas):
    client = client_for(member_a)

    assert _ids(client.get("/gardens/field-work/ideas/?status=planned")) == [ideas["photos"].pk]
    assert len(_ids(client.get("/gardens/field-work/ideas/?status=bogus"))) == 2


def test_a_customer_cannot_load_the_ideas_of_an_invite_only_garden(client_for, member_b, ideas):
    response = client_for(member_b).get("/gardens/skunkworks/ideas/")

    assert response.status_code == 404


def test_internal_users_load_the_ideas_of_an_invite_only_garden(client_for, product_manager, ideas):
    response = client_for(product_manager).get("/gardens/skunkworks/ideas/")

    assert _ids(response) == [ideas["hidden"].pk]


def test_anonymous_visitors_cannot_load_the_fragment(client, garden):
    response = client.get("/gardens/field-work/ideas/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_fragment_costs_the_same_queries_for_3_or_12_ideas(
    client_for, member_a, garden, account_b, django_assert_num_queries
):
    client = client_for(member_a)
    # The day's first page also records the customer's visit
    # (tests/community/test_engagement_visits.py); the pages counted here come after it.
    client.get("/")
    voter = customer(account_b)

    def fragment_with(count: int) -> None:
        while Idea.objects.count() < count:
            idea = IdeaFactory(garden=garden, status=IdeaStatus.values[Idea.objects.count() % 4])
            _vote(idea, voter)
        # 1 session, 2 user with membership, 3 the garden (access_garden), 4 its ideas with
        # their support, 5 unread notifications (the context processor runs for fragments too)
        with django_assert_num_queries(5):
            response = client.get("/gardens/field-work/ideas/")
        assert len(_ids(response)) == count

    fragment_with(3)
    fragment_with(12)


# --- Navigation --------------------------------------------------------------------------------


def _nav(response) -> list[str]:
    nav = response.content.decode().split('aria-label="Main"')[1].split("</nav>")[0]
    return re.findall(r'<a href="[^"]*"(?: aria-current="page")?>([^<]+)</a>', nav)


def test_everyone_finds_ideas_in_the_navigation_and_moderators_the_board(
    client_for, member_a, account_manager_a, product_manager
):
    assert "Ideas" in _nav(client_for(member_a).get(LIST))
    assert "Board" not in _nav(client_for(member_a).get(LIST))
    assert "Board" not in _nav(client_for(account_manager_a).get(LIST))
    items = _nav(client_for(product_manager).get(LIST))
    assert items.index("Ideas") + 1 == items.index("Board")
