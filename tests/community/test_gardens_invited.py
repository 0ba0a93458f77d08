"""Invite-only means invite-only: an account invited to a garden, not yet in it, sees the
garden's charter and its invitation, and nothing inside the garden (docs/product.md, garden
visibility; the rule is community.access.gardens.content_gardens).

"Secret Orchard" is invite-only. Globex accepted: its member joined, proposed an idea that has a
comment, a vote and a pilot, and opened a thread; a harvest is aimed at the garden. Acme is
invited and has not answered: Anna, its admin, sees the invitation; the pilot even invites Acme,
which must not open the garden's door either. Every read inside the garden answers her 404, as
for a stranger, on pages and the API; her votes, comments and proposals are refused and nothing
is saved. Once she accepts, the same doors open."""

from __future__ import annotations

import pytest

from accounts.models import MemberRole
from community.models import (
    GardenAccount,
    GardenVisibility,
    HarvestAudience,
    HarvestKind,
    Notification,
)
from community.services.gardens import garden_invitation_accept, garden_invite, garden_join
from community.services.harvests import harvest_create, harvest_publish
from ideas.models import Comment, Enrolment, Idea, PilotState, Vote
from ideas.services.enrolment import agreement_publish, pilot_invite
from ideas.services.ideas import idea_comment, idea_propose
from ideas.services.pilots import pilot_publish
from tests.accounts.factories import AccountFactory, customer
from tests.api_helpers import api_login
from tests.community.factories import a_steward, accept, garden_with, start
from tests.ideas.factories import PilotFactory

pytestmark = pytest.mark.django_db

# Words only the inside of the garden holds; the charter and the garden's own name are allowed.
INSIDE = ("Orchard idea", "Orchard pilot", "Orchard thread", "Orchard harvest", "orchard words")
CHARTER = "We try things out under NDA and tell each other what we learnt."


@pytest.fixture
def orchard(account_a, admin_a, account_b, member_b):
    steward = a_steward()
    garden = garden_with(
        steward=steward,
        name="Secret Orchard",
        slug="secret",
        visibility=GardenVisibility.INVITE_ONLY,
        charter=CHARTER,
    )
    accept(garden, account_b)
    garden_join(garden=garden, user=member_b)
    idea = idea_propose(
        garden=garden,
        author=member_b,
        title="Orchard idea",
        job_to_be_done="orchard words",
        proposal="orchard words",
    )
    idea_comment(idea=idea, author=member_b, body="orchard words in a comment")
    pilot = PilotFactory(idea=idea, title="Orchard pilot", accounts=[account_a, account_b])
    thread = start(garden, member_b, title="Orchard thread", body="orchard words")
    harvest = harvest_create(
        created_by=steward,
        title="Orchard harvest",
        summary="orchard words",
        kind=HarvestKind.PLAYBOOK,
        garden=garden,
        audience=HarvestAudience.GARDEN,
    )
    harvest_publish(harvest=harvest, by=steward)
    invitation = garden_invite(garden=garden, account=account_a, invited_by=steward)
    return {
        "garden": garden,
        "invitation": invitation,
        "idea": idea,
        "pilot": pilot,
        "thread": thread,
        "harvest": harvest,
    }


def _inside(response) -> list[str]:
    if response.streaming:
        text = b"".join(response.streaming_content).decode(errors="replace")
    else:
        text = response.content.decode(errors="replace")
    return [words for words in INSIDE if words in text]


@pytest.fixture
def admin_c(db):
    """The admin of an account never invited: the stranger whose answers the invited match."""
    return customer(AccountFactory(name="Initech", slug="initech"), role=MemberRole.ADMIN)


def _urls(orchard) -> dict[str, str]:
    idea, pilot, thread = orchard["idea"].pk, orchard["pilot"].pk, orchard["thread"].pk
    return {
        "idea": f"/ideas/{idea}/",
        "pilot": f"/pilots/{pilot}/",
        "garden ideas": "/gardens/secret/ideas/",
        "garden pilots": "/gardens/secret/pilots/",
        "threads": "/gardens/secret/threads/",
        "thread": f"/gardens/secret/threads/{thread}/",
        "harvest": f"/harvests/{orchard['harvest'].slug}/",
        "api idea": f"/api/v1/ideas/{idea}/",
        "api comments": f"/api/v1/ideas/{idea}/comments/",
        "api pilot": f"/api/v1/pilots/{pilot}/",
        "api members": "/api/v1/gardens/secret/members/",
        "api thread": f"/api/v1/threads/{thread}/",
        "api harvest": f"/api/v1/harvests/{orchard['harvest'].slug}/",
    }


PAGE_READS = ["idea", "pilot", "garden ideas", "garden pilots", "threads", "thread", "harvest"]
API_READS = ["api idea", "api comments", "api pilot", "api members", "api thread", "api harvest"]
LISTS = [
    "/ideas/",
    "/ideas/?export=csv",
    "/pilots/",
    "/pilots/?export=csv",
    "/harvests/",
    "/",
    "/api/v1/ideas/",
    "/api/v1/pilots/",
    "/api/v1/threads/",
    "/api/v1/harvests/",
]


def _get(client_for, api, user, url):
    if url.startswith("/api/"):
        api_login(api, user)
        return api.get(url)
    return client_for(user).get(url)


# --- What the invited admin sees: the invitation and the charter -------------------------------


def test_the_invited_admin_sees_the_charter_and_the_invitation_and_nothing_inside(
    client_for, orchard, admin_a
):
    client = client_for(admin_a)

    garden_page = client.get("/gardens/secret/")
    invitation_page = client.get("/gardens/secret/invitation/")

    assert garden_page.status_code == 200 and invitation_page.status_code == 200
    assert CHARTER in garden_page.content.decode()
    assert CHARTER in invitation_page.content.decode()
    assert b"/gardens/secret/invitation/" in garden_page.content  # the way to answer
    assert b"/gardens/secret/ideas/" not in garden_page.content  # no fragment is loaded
    assert _inside(garden_page) == [] and _inside(invitation_page) == []


def test_the_invited_admin_sees_the_invitation_in_the_api(api, orchard, admin_a):
    api_login(api, admin_a)

    garden = api.get("/api/v1/gardens/secret/")
    invitations = api.get("/api/v1/garden-invitations/")

    assert garden.status_code == 200 and garden.json()["charter"] == CHARTER
    assert [i["id"] for i in invitations.json()["results"]] == [orchard["invitation"].pk]


# --- Reads inside the garden: 404, as for a stranger -------------------------------------------


@pytest.mark.parametrize("door", PAGE_READS + API_READS)
def test_the_invited_admin_gets_404_inside_the_garden_as_a_stranger_does(
    client_for, api, orchard, admin_a, admin_c, door
):
    url = _urls(orchard)[door]

    invited = _get(client_for, api, admin_a, url)
    stranger = _get(client_for, api, admin_c, url)

    assert (invited.status_code, stranger.status_code) == (404, 404)
    assert _inside(invited) == []


@pytest.mark.parametrize("url", LISTS)
def test_lists_across_gardens_show_the_invited_admin_nothing_of_the_garden(
    client_for, api, orchard, admin_a, url
):
    response = _get(client_for, api, admin_a, url)

    assert response.status_code == 200
    assert _inside(response) == []


def test_the_idea_list_filtered_by_the_garden_shows_nothing(client_for, orchard, admin_a):
    response = client_for(admin_a).get("/ideas/?garden=secret")

    assert response.status_code == 200
    assert response.context["form"].errors["garden"]  # not a garden to choose
    assert _inside(response) == []


# --- Writes inside the garden: refused, nothing saved ------------------------------------------


def _rows() -> tuple[int, int, int, int]:
    return (
        Vote.objects.count(),
        Comment.objects.count(),
        Idea.objects.count(),
        (Enrolment.objects.count()),
    )


def test_the_invited_admin_cannot_vote_comment_or_enrol_on_pages(client_for, orchard, admin_a):
    client = client_for(admin_a)
    idea, pilot = orchard["idea"].pk, orchard["pilot"].pk
    before = _rows()

    vote = client.post(f"/ideas/{idea}/vote/")
    follow = client.post(f"/ideas/{idea}/follow/", {"action": "follow"})
    comment = client.post(f"/ideas/{idea}/comments/", {"body": "Let us in"})
    enrol = client.post(f"/pilots/{pilot}/enrol/")

    assert [r.status_code for r in (vote, follow, comment, enrol)] == [404, 404, 404, 404]
    assert _rows() == before
    assert not orchard["idea"].follows.filter(user=admin_a).exists()


def test_the_invited_admin_cannot_vote_comment_or_enrol_in_the_api(api, orchard, admin_a):
    api_login(api, admin_a)
    idea, pilot = orchard["idea"].pk, orchard["pilot"].pk
    before = _rows()

    vote = api.post(f"/api/v1/ideas/{idea}/vote/")
    follow = api.post(f"/api/v1/ideas/{idea}/follow/")
    comment = api.post(f"/api/v1/ideas/{idea}/comments/", {"body": "Let us in"}, format="json")
    enrol = api.post(f"/api/v1/pilots/{pilot}/enrol/")

    assert [r.status_code for r in (vote, follow, comment, enrol)] == [404, 404, 404, 404]
    assert _rows() == before


def test_the_invited_admin_cannot_propose_an_idea_in_the_garden(client_for, orchard, admin_a):
    proposal = {"garden": "secret", "title": "Ours", "job_to_be_done": "j", "proposal": "p"}
    before = _rows()

    page = client_for(admin_a).post("/ideas/new/", proposal)

    assert page.status_code == 400
    assert page.context["form"].errors["garden"]
    assert _rows() == before


def test_the_invited_admin_cannot_propose_an_idea_in_the_garden_in_the_api(
    api, orchard, admin_a, admin_c
):
    proposal = {"garden": "secret", "title": "Ours", "job_to_be_done": "j", "proposal": "p"}
    before = _rows()
    api_login(api, admin_c)
    stranger = api.post("/api/v1/ideas/", proposal, format="json")

    api_login(api, admin_a)
    invited = api.post("/api/v1/ideas/", proposal, format="json")

    assert invited.status_code == stranger.status_code == 400
    assert invited.json() == stranger.json()  # "No such garden.", as for a stranger
    assert _rows() == before


def test_the_invited_admin_cannot_start_a_thread(client_for, api, orchard, admin_a):
    threads = orchard["garden"].threads.count()
    api_login(api, admin_a)

    page = client_for(admin_a).post("/gardens/secret/threads/new/", {"title": "T", "body": "B"})
    call = api.post("/api/v1/threads/", {"garden": "secret", "title": "T", "body": "B"})

    assert (page.status_code, call.status_code) == (404, 400)
    assert orchard["garden"].threads.count() == threads


# --- After accepting: everything opens ---------------------------------------------------------


def test_after_accepting_the_admin_sees_everything_and_may_vote(client_for, api, orchard, admin_a):
    garden_invitation_accept(invitation=orchard["invitation"], by=admin_a)
    garden_join(garden=orchard["garden"], user=admin_a)
    urls = _urls(orchard)

    answers = {door: _get(client_for, api, admin_a, urls[door]).status_code for door in urls}
    api_login(api, admin_a)
    vote = api.post(f"/api/v1/ideas/{orchard['idea'].pk}/vote/")
    listed = client_for(admin_a).get("/ideas/")

    assert answers == dict.fromkeys(urls, 200)
    assert vote.status_code == 200 and vote.json()["voted"] is True
    assert Vote.objects.filter(idea=orchard["idea"], user=admin_a).exists()
    assert "Orchard idea" in listed.content.decode()


def test_a_member_of_the_invited_account_does_not_even_see_the_garden(
    client_for, orchard, member_a
):
    client = client_for(member_a)

    assert client.get("/gardens/secret/").status_code == 404
    assert client.get(f"/ideas/{orchard['idea'].pk}/").status_code == 404


def test_a_declined_invitation_leaves_the_garden_closed(client_for, orchard, admin_a):
    GardenAccount.objects.filter(pk=orchard["invitation"].pk).update(status="declined")

    client = client_for(admin_a)

    assert client.get("/gardens/secret/").status_code == 404
    assert client.get(f"/ideas/{orchard['idea'].pk}/").status_code == 404


# --- Notifications: nothing inside the garden is told to the invited account -------------------


def _titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("title", flat=True))


def test_a_pilot_invitation_reaches_the_accepted_account_not_the_invited_one(
    orchard, account_a, account_b, member_a, admin_a, member_b, product_manager
):
    pilot = PilotFactory(
        idea=orchard["idea"], title="Orchard pilot two", state=PilotState.DRAFT, published=False
    )
    pilot_invite(pilot=pilot, accounts=[account_a, account_b], invited_by=product_manager)

    pilot_publish(pilot=pilot, actor=product_manager)
    agreement_publish(pilot=pilot, actor=product_manager, title="Terms", text="v2")

    assert [t for t in _titles(member_a) + _titles(admin_a) if "Orchard pilot" in t] == []
    assert "Your account is invited to the pilot “Orchard pilot two”" in _titles(member_b)
