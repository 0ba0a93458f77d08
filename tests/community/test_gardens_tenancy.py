"""An invite-only garden is invisible to accounts not invited — pages, API, search,
notifications and harvest targeting.

Account A ("acme") accepted its invitation to the invite-only garden "Secret Orchard"; account B
("globex") was never invited. The garden has a thread and a reply, a draft and a published
harvest aimed at the garden, A's people have notifications and profiles. B has an open garden
of its own, with a thread and a harvest for everyone, so B's lists are not empty by accident.

Every route of the community app that belongs to gardens, discussions, harvests, notifications
and people — pages and /api/v1/ — is found by walking the URL resolver; each must have a case
below (a new route in those groups without one fails `test_every_route_of_the_groups_has_a_case`).
For each: B's member and admin get 404 for A's garden's objects (lists, searches and feeds show
no foreign row), anonymous visitors a login redirect (pages) or 401 (API); a customer member or a
non-steward internal user attempting a steward's write gets 403 and the row is unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import User
from community.models import (
    Garden,
    GardenAccount,
    GardenMembership,
    GardenTheme,
    GardenVisibility,
    Harvest,
    HarvestAudience,
    HarvestKind,
    Notification,
    NotificationPreference,
    Post,
    PostFlag,
    PostMention,
    Reaction,
    Thread,
)
from community.models.notifications import NotifyKind
from community.services import discussions
from community.services.gardens import (
    garden_create,
    garden_invitation_accept,
    garden_invite,
    garden_join,
)
from community.services.harvests import harvest_create, harvest_publish
from community.services.notifications import unsubscribe_token
from tests.api_helpers import api_login
from tests.community.factories import HarvestFactory, a_steward, garden_with, reply, start

pytestmark = pytest.mark.django_db

# What must never reach account B: the secret garden's name and slug, its thread's title, its
# posts' words and its harvests' titles.
SECRET = "secret-orchard"
FOREIGN_MARKERS = ["Secret Orchard", SECRET, "Secret roadmap", "orchard-only", "Secret harvest"]
FOREIGN_MARKERS += ["Secret draft"]

OUTSIDERS = ["member_b", "admin_b"]


@dataclass
class World:
    garden: Garden
    invitation: GardenAccount
    thread: Thread
    opening: Post
    reply: Post
    harvest: Harvest  # published, aimed at the garden
    draft: Harvest
    notification: Notification  # one of member_a's
    steward: User
    member_a: User
    own_thread: Thread  # account B's, in its open garden
    own_harvest: Harvest  # for every customer


@pytest.fixture
def world(member_a, admin_a, member_b, admin_b, programme_admin) -> World:
    steward = a_steward()
    garden = garden_create(
        created_by=programme_admin,
        name="Secret Orchard",
        slug=SECRET,
        theme=GardenTheme.DEEP_PURPOSE,
        description="orchard-only plans",
        visibility=GardenVisibility.INVITE_ONLY,
        stewards=[steward],
    )
    invitation = garden_invite(
        garden=garden, account=admin_a.membership.account, invited_by=steward
    )
    invitation = garden_invitation_accept(invitation=invitation, by=admin_a)
    garden_join(garden=garden, user=member_a)
    garden_join(garden=garden, user=admin_a)
    # Mentions of B's people (handles "bob" and "bea") in the garden tell no one.
    thread = start(
        garden, member_a, title="Secret roadmap", body="orchard-only words, @bob and @bea?"
    )
    opening = Post.objects.get(thread=thread)
    answer = reply(thread, admin_a, "orchard-only answer for @bob@globex.example")
    harvest = harvest_create(
        created_by=steward,
        title="Secret harvest",
        summary="orchard-only summary",
        kind=HarvestKind.PLAYBOOK,
        garden=garden,
        audience=HarvestAudience.GARDEN,
        source_thread=thread,
    )
    harvest = harvest_publish(harvest=harvest, by=steward)
    draft = harvest_create(
        created_by=steward,
        title="Secret draft",
        summary="orchard-only draft",
        kind=HarvestKind.RESULT,
        garden=garden,
        audience=HarvestAudience.GARDEN,
    )
    # Account B's own open garden, thread and a harvest for everyone.
    commons = garden_with(member_b, admin_b, name="Globex Commons", slug="commons")
    own_thread = start(commons, member_b, title="Our own thread", body="Globex words")
    own_harvest = HarvestFactory(title="Harvest for everyone", slug="for-everyone")
    return World(
        garden=garden,
        invitation=invitation,
        thread=thread,
        opening=opening,
        reply=answer,
        harvest=harvest,
        draft=draft,
        notification=Notification.objects.filter(user=member_a).order_by("pk").first(),
        steward=steward,
        member_a=member_a,
        own_thread=own_thread,
        own_harvest=own_harvest,
    )


def _state(w: World) -> dict:
    """Everything a foreign or refused write could change, to compare before and after."""
    garden = Garden.objects.get(pk=w.garden.pk)
    return {
        "garden": (garden.name, garden.description, garden.visibility),
        "invitations": sorted(
            GardenAccount.objects.filter(garden=w.garden).values_list("account_id", "status")
        ),
        "memberships": sorted(
            GardenMembership.objects.filter(garden=w.garden).values_list("user_id", flat=True)
        ),
        "threads": sorted(
            Thread.objects.filter(garden=w.garden).values_list("pk", "title", "hidden_at")
        ),
        "posts": sorted(
            Post.objects.filter(thread__garden=w.garden).values_list(
                "pk", "body", "hidden_at", "hidden_reason"
            )
        ),
        "reactions": Reaction.objects.filter(post__thread__garden=w.garden).count(),
        "flags": sorted(
            PostFlag.objects.filter(post__thread__garden=w.garden).values_list("pk", "handled_at")
        ),
        "harvests": sorted(
            Harvest.objects.filter(garden=w.garden).values_list(
                "pk", "title", "summary", "published_at"
            )
        ),
        "harvest_reads": sorted(
            Harvest.objects.filter(garden=w.garden).values_list("pk", "reads__user_id")
        ),
        "notifications_a": sorted(
            Notification.objects.filter(user__membership__account__slug="acme").values_list(
                "pk", "read_at"
            )
        ),
        "preferences_a": sorted(
            NotificationPreference.objects.filter(
                user__membership__account__slug="acme"
            ).values_list("user_id", "kind", "delivery")
        ),
    }


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _assert_no_foreign(response) -> None:
    text = _text(response)
    for marker in FOREIGN_MARKERS:
        assert marker not in text, marker


# --- Walking the URL resolver: the routes of the five groups -----------------------------------

PAGE_PREFIXES = ("gardens/", "harvests/", "notifications/", "people/")
API_PREFIXES = (
    "gardens/",
    "garden-invitations/",
    "threads/",
    "posts/",
    "harvests/",
    "notifications/",
    "notification-preferences/",
    "people/",
)
HTTP = ("get", "post", "put", "patch", "delete")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern).lstrip("^"), pattern


def _community_routes():
    """(kind, name, method) of every community route in the groups: pages by URL name (GET and
    POST are tried on each), API endpoints by URL name and HTTP method."""
    found = set()
    for route, pattern in _walk(get_resolver().url_patterns):
        callback = pattern.callback
        module = getattr(callback, "__module__", "") or ""
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        if view_class is not None:
            module = view_class.__module__
        if route.startswith("api/v1/"):
            rest = route.removeprefix("api/v1/")
            if not module.startswith("community.api") or not rest.startswith(API_PREFIXES):
                continue
            actions = getattr(callback, "actions", None)
            if actions:
                # DRF adds "head" to this same dict once the view has served a request: a GET.
                methods = set(actions) - {"head"}
            else:
                methods = {m for m in HTTP if hasattr(view_class, m)}
            found |= {("api", pattern.name, m) for m in methods}
        elif route.startswith(PAGE_PREFIXES) and module.startswith("community.views"):
            found.add(("page", f"community:{pattern.name}", "any"))
    return found


# --- The cases -------------------------------------------------------------------------------
# Kinds: FOREIGN (an object of A's garden: outsiders 404), LIST (outsiders 200 without foreign
# rows), OWN (the outsider's own things: 2xx/3xx, A's untouched), CREATE (a new object with no
# garden in the URL: outsiders 403 — they may not write harvests or gardens at all), PUBLIC (the
# unsubscribe link: its signed token is the key; a forged one changes nothing).

# NAMED: a write naming A's garden in its body: the same refusal as for a garden that does not
# exist (a field error "No such garden.", 400), and nothing written.

FOREIGN, LIST, OWN, CREATE, PUBLIC = "foreign", "list", "own", "create", "public"
NAMED = "named"


def _garden(w, name):
    return reverse(name, args=[w.garden.slug])


def _post(w, name):
    return reverse(name, args=[w.garden.slug, w.thread.pk, w.reply.pk])


PAGES: dict[str, tuple[str, Callable[[World], str], dict]] = {
    # name: (kind, url, POST data)
    "community:garden-list": (LIST, lambda w: reverse("community:garden-list"), {}),
    "community:garden-create": (
        CREATE,
        lambda w: reverse("community:garden-create"),
        {"name": "Hijack", "theme": GardenTheme.DEEP_PURPOSE, "visibility": "open"},
    ),
    "community:garden-detail": (FOREIGN, lambda w: _garden(w, "community:garden-detail"), {}),
    "community:garden-edit": (
        FOREIGN,
        lambda w: _garden(w, "community:garden-edit"),
        {"name": "Hacked", "theme": GardenTheme.DEEP_PURPOSE, "visibility": "open"},
    ),
    "community:garden-join": (FOREIGN, lambda w: _garden(w, "community:garden-join"), {}),
    "community:garden-leave": (FOREIGN, lambda w: _garden(w, "community:garden-leave"), {}),
    "community:garden-invitations": (
        FOREIGN,
        lambda w: _garden(w, "community:garden-invitations"),
        {"account": "globex"},
    ),
    "community:garden-chat-channels": (
        FOREIGN,
        lambda w: _garden(w, "community:garden-chat-channels"),
        {"provider": "slack", "name": "Hijack", "url": "https://hooks.slack.com/services/H/1"},
    ),
    "community:garden-invitation-remove": (
        FOREIGN,
        lambda w: reverse(
            "community:garden-invitation-remove", args=[w.garden.slug, w.invitation.pk]
        ),
        {},
    ),
    "community:garden-invitation": (
        FOREIGN,
        lambda w: _garden(w, "community:garden-invitation"),
        {"answer": "decline"},
    ),
    "community:thread-list": (FOREIGN, lambda w: _garden(w, "community:thread-list"), {}),
    "community:thread-create": (
        FOREIGN,
        lambda w: _garden(w, "community:thread-create"),
        {"title": "Let me in", "body": "Hello"},
    ),
    "community:thread-flagged": (FOREIGN, lambda w: _garden(w, "community:thread-flagged"), {}),
    "community:thread-detail": (
        FOREIGN,
        lambda w: reverse("community:thread-detail", args=[w.garden.slug, w.thread.pk]),
        {},
    ),
    "community:thread-reply": (
        FOREIGN,
        lambda w: reverse("community:thread-reply", args=[w.garden.slug, w.thread.pk]),
        {"body": "Let me in"},
    ),
    "community:post-link": (FOREIGN, lambda w: _post(w, "community:post-link"), {}),
    "community:post-edit": (FOREIGN, lambda w: _post(w, "community:post-edit"), {"body": "Mine"}),
    "community:post-history": (FOREIGN, lambda w: _post(w, "community:post-history"), {}),
    "community:post-react": (FOREIGN, lambda w: _post(w, "community:post-react"), {"kind": "like"}),
    "community:post-flag": (FOREIGN, lambda w: _post(w, "community:post-flag"), {"reason": "x"}),
    "community:post-hide": (FOREIGN, lambda w: _post(w, "community:post-hide"), {"reason": "x"}),
    "community:post-unhide": (FOREIGN, lambda w: _post(w, "community:post-unhide"), {}),
    "community:post-flags-dismiss": (
        FOREIGN,
        lambda w: _post(w, "community:post-flags-dismiss"),
        {},
    ),
    "community:harvest-list": (LIST, lambda w: reverse("community:harvest-list"), {}),
    "community:harvest-create": (
        CREATE,
        lambda w: reverse("community:harvest-create"),
        {"title": "Hijack", "summary": "x", "kind": HarvestKind.PLAYBOOK, "audience": "all"},
    ),
    "community:harvest-detail": (
        FOREIGN,
        lambda w: reverse("community:harvest-detail", args=[w.harvest.slug]),
        {},
    ),
    "community:harvest-edit": (
        FOREIGN,
        lambda w: reverse("community:harvest-edit", args=[w.harvest.slug]),
        {"title": "Hacked", "summary": "x", "kind": HarvestKind.PLAYBOOK, "audience": "all"},
    ),
    "community:harvest-publish": (
        FOREIGN,
        lambda w: reverse("community:harvest-publish", args=[w.draft.slug]),
        {},
    ),
    "community:harvest-reach": (
        FOREIGN,
        lambda w: reverse("community:harvest-reach", args=[w.harvest.slug]),
        {},
    ),
    "community:notification-list": (LIST, lambda w: reverse("community:notification-list"), {}),
    "community:notifications-read-all": (
        OWN,
        lambda w: reverse("community:notifications-read-all"),
        {},
    ),
    "community:notification-read": (
        FOREIGN,
        lambda w: reverse("community:notification-read", args=[w.notification.pk]),
        {},
    ),
    "community:notification-preferences": (
        OWN,
        lambda w: reverse("community:notification-preferences"),
        {},
    ),
    "community:notification-unsubscribe": (
        PUBLIC,
        lambda w: reverse("community:notification-unsubscribe", args=["forged-token"]),
        {},
    ),
    "community:my-profile": (OWN, lambda w: reverse("community:my-profile"), {}),
    "community:person-profile": (
        FOREIGN,
        lambda w: reverse("community:person-profile", args=[w.member_a.pk]),
        {},
    ),
}

API = "/api/v1/"


def _api_post(w):
    return f"{API}posts/{w.reply.pk}/"


APIS: dict[tuple[str, str], tuple[str, Callable[[World], str], dict]] = {
    # (name, method): (kind, url, body)
    ("garden-list", "get"): (LIST, lambda w: f"{API}gardens/", {}),
    ("garden-list", "post"): (
        CREATE,
        lambda w: f"{API}gardens/",
        {"name": "Hijack", "theme": GardenTheme.DEEP_PURPOSE, "visibility": "open"},
    ),
    ("garden-detail", "get"): (FOREIGN, lambda w: f"{API}gardens/{SECRET}/", {}),
    ("garden-detail", "patch"): (FOREIGN, lambda w: f"{API}gardens/{SECRET}/", {"name": "Hacked"}),
    ("garden-join", "post"): (FOREIGN, lambda w: f"{API}gardens/{SECRET}/join/", {}),
    ("garden-leave", "post"): (FOREIGN, lambda w: f"{API}gardens/{SECRET}/leave/", {}),
    ("garden-members", "get"): (FOREIGN, lambda w: f"{API}gardens/{SECRET}/members/", {}),
    ("garden-invitation-list", "get"): (LIST, lambda w: f"{API}garden-invitations/", {}),
    ("garden-invitation-list", "post"): (
        NAMED,
        lambda w: f"{API}garden-invitations/",
        {"garden": SECRET, "account": "globex"},
    ),
    ("garden-invitation-detail", "get"): (
        FOREIGN,
        lambda w: f"{API}garden-invitations/{w.invitation.pk}/",
        {},
    ),
    ("garden-invitation-detail", "delete"): (
        FOREIGN,
        lambda w: f"{API}garden-invitations/{w.invitation.pk}/",
        {},
    ),
    ("garden-invitation-accept", "post"): (
        FOREIGN,
        lambda w: f"{API}garden-invitations/{w.invitation.pk}/accept/",
        {},
    ),
    ("garden-invitation-decline", "post"): (
        FOREIGN,
        lambda w: f"{API}garden-invitations/{w.invitation.pk}/decline/",
        {},
    ),
    ("thread-list", "get"): (LIST, lambda w: f"{API}threads/", {}),
    ("thread-list", "post"): (
        NAMED,
        lambda w: f"{API}threads/",
        {"garden": SECRET, "title": "Let me in", "body": "Hello"},
    ),
    ("thread-detail", "get"): (FOREIGN, lambda w: f"{API}threads/{w.thread.pk}/", {}),
    ("thread-posts", "get"): (FOREIGN, lambda w: f"{API}threads/{w.thread.pk}/posts/", {}),
    ("thread-posts", "post"): (
        FOREIGN,
        lambda w: f"{API}threads/{w.thread.pk}/posts/",
        {"body": "Let me in"},
    ),
    ("post-detail", "get"): (FOREIGN, _api_post, {}),
    ("post-detail", "patch"): (FOREIGN, _api_post, {"body": "Mine"}),
    ("post-flag", "post"): (FOREIGN, lambda w: f"{_api_post(w)}flag/", {"reason": "x"}),
    ("post-hide", "post"): (FOREIGN, lambda w: f"{_api_post(w)}hide/", {"reason": "x"}),
    ("post-hide", "delete"): (FOREIGN, lambda w: f"{_api_post(w)}hide/", {}),
    ("post-reactions", "post"): (FOREIGN, lambda w: f"{_api_post(w)}reactions/", {"kind": "like"}),
    ("post-revisions", "get"): (FOREIGN, lambda w: f"{_api_post(w)}revisions/", {}),
    ("harvest-list", "get"): (LIST, lambda w: f"{API}harvests/", {}),
    ("harvest-list", "post"): (
        CREATE,
        lambda w: f"{API}harvests/",
        {"title": "Hijack", "summary": "x", "kind": HarvestKind.PLAYBOOK, "audience": "all"},
    ),
    ("harvest-detail", "get"): (FOREIGN, lambda w: f"{API}harvests/{w.harvest.slug}/", {}),
    ("harvest-detail", "patch"): (
        FOREIGN,
        lambda w: f"{API}harvests/{w.harvest.slug}/",
        {"title": "Hacked"},
    ),
    ("harvest-publish", "post"): (
        FOREIGN,
        lambda w: f"{API}harvests/{w.draft.slug}/publish/",
        {},
    ),
    ("harvest-reach", "get"): (FOREIGN, lambda w: f"{API}harvests/{w.harvest.slug}/reach/", {}),
    ("harvest-reads", "post"): (FOREIGN, lambda w: f"{API}harvests/{w.harvest.slug}/reads/", {}),
    ("notification-list", "get"): (LIST, lambda w: f"{API}notifications/", {}),
    ("notification-detail", "get"): (
        FOREIGN,
        lambda w: f"{API}notifications/{w.notification.pk}/",
        {},
    ),
    ("notification-read", "post"): (
        OWN,  # names A's notification: marks nothing of A's
        lambda w: f"{API}notifications/read/",
        {"ids": "__notification__"},
    ),
    ("notification-read-all", "post"): (OWN, lambda w: f"{API}notifications/read-all/", {}),
    ("notification-preference-list", "get"): (
        OWN,
        lambda w: f"{API}notification-preferences/",
        {},
    ),
    ("notification-preference-list", "put"): (
        OWN,
        lambda w: f"{API}notification-preferences/",
        {"preferences": [{"kind": "mention", "delivery": "off"}]},
    ),
    ("notification-preference-detail", "get"): (
        OWN,
        lambda w: f"{API}notification-preferences/mention/",
        {},
    ),
    ("notification-preference-detail", "put"): (
        OWN,
        lambda w: f"{API}notification-preferences/mention/",
        {"delivery": "off"},
    ),
    ("person-profile", "get"): (FOREIGN, lambda w: f"{API}people/{w.member_a.pk}/profile/", {}),
}


def _body(w: World, data: dict) -> dict:
    if data.get("ids") == "__notification__":
        return {"ids": [w.notification.pk]}
    return data


def test_every_route_of_the_groups_has_a_case():
    """A new route among gardens, discussions, harvests, notifications and people (page or
    API) fails here until it gets a case (and so the outsider checks below)."""
    found = _community_routes()
    cases = {("page", name, "any") for name in PAGES}
    cases |= {("api", name, method) for name, method in APIS}
    assert found == cases
    assert len(found) > 60  # the walk found the groups' routes (pages and API)


# --- Outsiders (B's member and admin): 404 for A's garden's objects ---------------------------


def _foreign(table):
    return [key for key, (kind, _, _) in table.items() if kind == FOREIGN]


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("name", _foreign(PAGES))
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_on_every_page_of_the_secret_garden(
    request, client_for, world, persona, name, method
):
    kind, url, data = PAGES[name]
    before = _state(world)
    client = client_for(request.getfixturevalue(persona))
    response = client.get(url(world)) if method == "get" else client.post(url(world), data)
    # 405: the route takes only the other method; it answers before any lookup, naming nothing.
    assert response.status_code in (404, 405), response.status_code
    if response.status_code == 405:
        other = client.post(url(world), data) if method == "get" else client.get(url(world))
        assert other.status_code == 404
    _assert_no_foreign(response)
    assert _state(world) == before


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize(("name", "method"), _foreign(APIS), ids=lambda v: str(v))
def test_outsiders_get_404_on_every_api_endpoint_of_the_secret_garden(
    request, api, world, persona, name, method
):
    _, url, data = APIS[(name, method)]
    before = _state(world)
    api_login(api, request.getfixturevalue(persona))
    response = getattr(api, method)(url(world), _body(world, data), format="json")
    assert response.status_code == 404, (response.status_code, response.content)
    _assert_no_foreign(response)
    assert _state(world) == before


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize(
    ("name", "method"), [k for k, (kind, _, _) in APIS.items() if kind == NAMED], ids=str
)
def test_outsiders_naming_the_secret_garden_in_a_write_get_the_answer_for_no_garden(
    request, api, world, persona, name, method
):
    _, url, data = APIS[(name, method)]
    before = _state(world)
    api_login(api, request.getfixturevalue(persona))
    named = getattr(api, method)(url(world), data, format="json")
    missing = getattr(api, method)(url(world), {**data, "garden": "no-such"}, format="json")
    assert named.status_code == missing.status_code == 400
    assert named.json() == missing.json()  # "No such garden." on the garden field, both times
    _assert_no_foreign(named)
    assert _state(world) == before


def _other_apps_garden_routes() -> list[str]:
    """Routes of other apps inside a garden's URL (the ideas app's fragments of the garden
    home: its ideas and pilots), by name."""
    return sorted(
        name
        for route, name in _named_routes()
        if route.startswith("gardens/<slug:slug>/") and not name.startswith("community:")
    )


def _named_routes():
    for pattern, namespace, route in _walk_named(get_resolver().url_patterns):
        yield route, f"{namespace}{pattern.name or ''}"


def _walk_named(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk_named(pattern.url_patterns, prefix + str(pattern.pattern), space)
        elif isinstance(pattern, URLPattern):
            yield pattern, namespace, prefix + str(pattern.pattern)


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("name", _other_apps_garden_routes())
def test_outsiders_get_404_on_the_other_apps_fragments_of_the_secret_garden(
    request, client_for, world, persona, name
):
    response = client_for(request.getfixturevalue(persona)).get(reverse(name, args=[SECRET]))
    assert response.status_code == 404
    _assert_no_foreign(response)


def test_the_other_apps_fragments_are_found():
    assert {"ideas:garden-ideas", "ideas:garden-pilots"} <= set(_other_apps_garden_routes())


# --- Outsiders on their own lists, settings and creation forms: A's rows untouched ------------

OUTSIDER_STATUS = {LIST: {200}, OWN: {200, 204, 302}, CREATE: {403}}


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("name", [n for n, (k, _, _) in PAGES.items() if k in OUTSIDER_STATUS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_own_pages_show_and_change_nothing_of_the_secret_garden(
    request, client_for, world, persona, name, method
):
    kind, url, data = PAGES[name]
    before = _state(world)
    client = client_for(request.getfixturevalue(persona))
    response = client.get(url(world)) if method == "get" else client.post(url(world), data)
    if response.status_code != 405:  # a route of the other method only
        assert response.status_code in OUTSIDER_STATUS[kind], response.status_code
    _assert_no_foreign(response)
    assert _state(world) == before


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize(
    ("name", "method"), [k for k, (kind, _, _) in APIS.items() if kind in OUTSIDER_STATUS], ids=str
)
def test_outsiders_own_api_endpoints_show_and_change_nothing_of_the_secret_garden(
    request, api, world, persona, name, method
):
    kind, url, data = APIS[(name, method)]
    before = _state(world)
    api_login(api, request.getfixturevalue(persona))
    response = getattr(api, method)(url(world), _body(world, data), format="json")
    assert response.status_code in OUTSIDER_STATUS[kind], (response.status_code, response.content)
    _assert_no_foreign(response)
    assert _state(world) == before


# --- Anonymous visitors: a login redirect (pages, except the token link) or 401 (API) ---------


@pytest.mark.parametrize("name", [n for n, (kind, _, _) in PAGES.items() if kind != PUBLIC])
def test_anonymous_visitors_are_sent_to_log_in_on_every_page(client, world, name):
    _, url, data = PAGES[name]
    before = _state(world)
    for response in (client.get(url(world)), client.post(url(world), data)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert _state(world) == before


@pytest.mark.parametrize(("name", "method"), list(APIS), ids=lambda v: str(v))
def test_anonymous_callers_get_401_on_every_api_endpoint(api, world, name, method):
    _, url, data = APIS[(name, method)]
    before = _state(world)
    response = getattr(api, method)(url(world), _body(world, data), format="json")
    assert response.status_code == 401
    _assert_no_foreign(response)
    assert _state(world) == before


def test_a_forged_unsubscribe_link_changes_nothing_and_a_real_one_names_no_garden(client, world):
    before = _state(world)
    url = PAGES["community:notification-unsubscribe"][1](world)
    assert client.get(url).status_code == 400
    assert client.post(url).status_code == 400
    assert _state(world) == before
    token = unsubscribe_token(user=world.member_a, kinds=["mention", "harvest_published"])
    real = client.get(reverse("community:notification-unsubscribe", args=[token]))
    assert real.status_code == 200
    _assert_no_foreign(real)


# --- Lists, searches and feeds: no foreign row --------------------------------------------------

PAGE_LISTS = [
    "/gardens/",
    f"/gardens/?q=Secret&theme={GardenTheme.DEEP_PURPOSE}",
    "/gardens/?q=orchard&export=csv",
    "/gardens/commons/threads/?q=roadmap",  # the secret thread's title
    "/gardens/commons/threads/?q=words",  # its body, and B's own thread's
    "/harvests/",
    "/harvests/?export=csv",
    f"/harvests/?theme={GardenTheme.DEEP_PURPOSE}",
    f"/harvests/?kind={HarvestKind.PLAYBOOK}&export=csv",
    "/notifications/",
    "/notifications/?kind=mention",
    "/notifications/?export=csv",
    "/people/me/",
    "/",
]


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("url", PAGE_LISTS)
def test_outsiders_lists_and_searches_show_no_row_of_the_secret_garden(
    request, client_for, world, persona, url
):
    response = client_for(request.getfixturevalue(persona)).get(url, follow=True)
    assert response.status_code == 200
    _assert_no_foreign(response)


def test_outsiders_lists_still_show_their_own_rows(client_for, world, member_b):
    """The lists above are not empty by accident: B's own garden, thread and harvest show."""
    client = client_for(member_b)
    assert "Globex Commons" in _text(client.get("/gardens/"))
    assert "Our own thread" in _text(client.get("/gardens/commons/threads/?q=words"))
    assert "Harvest for everyone" in _text(client.get("/harvests/"))


def test_a_harvest_feed_filtered_by_the_secret_garden_is_refused(client_for, world, member_b):
    """The garden filter offers only gardens the reader may see named: the secret one is an
    invalid choice (400), as a garden that does not exist."""
    client = client_for(member_b)
    refused = client.get(f"/harvests/?garden={world.garden.pk}")
    missing = client.get("/harvests/?garden=999999")
    assert refused.status_code == missing.status_code == 400
    _assert_no_foreign(refused)


API_LISTS = [
    "/api/v1/gardens/",
    "/api/v1/gardens/?search=Secret",
    "/api/v1/gardens/?visibility=invite_only",
    f"/api/v1/gardens/?theme={GardenTheme.DEEP_PURPOSE}",
    "/api/v1/garden-invitations/",
    f"/api/v1/garden-invitations/?garden={SECRET}",
    "/api/v1/threads/",
    f"/api/v1/threads/?garden={SECRET}",
    "/api/v1/harvests/",
    "/api/v1/harvests/?search=Secret",
    f"/api/v1/harvests/?garden={SECRET}",
    f"/api/v1/harvests/?theme={GardenTheme.DEEP_PURPOSE}",
    "/api/v1/notifications/",
    "/api/v1/notifications/?kind=mention",
]


def _ids(response) -> set:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return {(key, row[key]) for row in rows for key in ("id", "slug") if key in row}


@pytest.mark.parametrize("persona", OUTSIDERS)
@pytest.mark.parametrize("url", API_LISTS)
def test_outsiders_api_lists_and_searches_show_no_row_of_the_secret_garden(
    request, api, world, persona, url
):
    api_login(api, request.getfixturevalue(persona))
    response = api.get(url)
    assert response.status_code == 200, response.content
    _assert_no_foreign(response)
    if "/gardens/" in url:
        foreign = {("id", world.garden.pk), ("slug", SECRET)}
    elif "/garden-invitations/" in url:
        foreign = {("id", world.invitation.pk)}
    elif "/threads/" in url:
        foreign = {("id", world.thread.pk)}
    elif "/harvests/" in url:
        foreign = {("slug", world.harvest.slug), ("slug", world.draft.slug)}
        foreign |= {("id", world.harvest.pk), ("id", world.draft.pk)}
    else:
        a_s = Notification.objects.filter(user__membership__account__slug="acme")
        foreign = {("id", pk) for pk in a_s.values_list("pk", flat=True)}
    assert foreign
    assert not (_ids(response) & foreign)


def test_outsiders_api_lists_still_show_their_own_rows(api, world, member_b):
    api_login(api, member_b)
    assert ("slug", "commons") in _ids(api.get("/api/v1/gardens/"))
    assert ("id", world.own_thread.pk) in _ids(api.get("/api/v1/threads/"))
    assert ("slug", "for-everyone") in _ids(api.get("/api/v1/harvests/"))


# --- Notifications: mentions of B's people and the harvest reach no one of B ---------------------


def test_mentioning_an_outsider_in_the_secret_garden_notifies_nobody(
    client_for, world, member_a, member_b, admin_b
):
    """The thread and reply of the world mention @bob, @bea and bob@globex.example; a page
    reply and an edit mention them again: B's people get nothing (no mention row either)."""
    client = client_for(member_a)
    url = reverse("community:thread-reply", args=[SECRET, world.thread.pk])
    assert client.post(url, {"body": "orchard-only again, @bob @bea"}).status_code == 302
    edit = reverse("community:post-edit", args=[SECRET, world.thread.pk, world.opening.pk])
    assert client.post(edit, {"body": "orchard-only, edited for @bob"}).status_code == 302
    outsiders = [member_b.pk, admin_b.pk]
    assert not Notification.objects.filter(user_id__in=outsiders).exists()
    assert not PostMention.objects.filter(user_id__in=outsiders).exists()
    # The same handles in the garden's own people do reach them (the mention works at all).
    discussions.post_reply(thread=world.thread, author=member_a, body="@anna see this")
    assert Notification.objects.filter(
        user__email="anna@acme.example", kind=NotifyKind.MENTION
    ).exists()


def test_a_harvest_aimed_at_the_secret_garden_reaches_only_its_accounts(
    world, member_a, admin_a, member_b, admin_b
):
    told = set(
        Notification.objects.filter(kind="harvest_published").values_list("user_id", flat=True)
    )
    assert told == {member_a.pk, admin_a.pk}


def test_a_harvest_of_the_secret_garden_for_everyone_does_not_name_its_garden(
    client_for, api, world, member_b
):
    """A harvest of the secret garden may reach all customers; B reads it without learning
    of the garden: no name, slug, source thread or invitation to join."""
    harvest = harvest_create(
        created_by=world.steward,
        title="Lesson for all",
        summary="What we learnt.",
        kind=HarvestKind.PLAYBOOK,
        garden=world.garden,
        audience=HarvestAudience.ALL,
        source_thread=world.thread,
    )
    harvest_publish(harvest=harvest, by=world.steward)
    page = client_for(member_b).get(reverse("community:harvest-detail", args=[harvest.slug]))
    assert page.status_code == 200
    _assert_no_foreign(page)
    feed = client_for(member_b).get("/harvests/")
    assert "Lesson for all" in _text(feed)
    _assert_no_foreign(feed)
    api_login(api, member_b)
    row = api.get(f"/api/v1/harvests/{harvest.slug}/").json()
    assert (row["garden"], row["garden_name"], row["source"]) == (None, None, None)
    _assert_no_foreign(api.get("/api/v1/harvests/"))
    notification = Notification.objects.get(user=member_b, kind="harvest_published")
    assert "Secret Orchard" not in notification.title + notification.body


# --- Steward writes: members of the garden and non-steward internal users get 403 -------------

STEWARD_PAGES = [
    # (name, url, POST data)
    ("community:garden-edit", lambda w: _garden(w, "community:garden-edit"), {"name": "Hacked"}),
    (
        "community:garden-invitations",
        lambda w: _garden(w, "community:garden-invitations"),
        {"account": "globex"},
    ),
    (
        "community:garden-chat-channels",
        lambda w: _garden(w, "community:garden-chat-channels"),
        {"provider": "slack", "name": "Hijack", "url": "https://hooks.slack.com/services/H/1"},
    ),
    (
        "community:garden-invitation-remove",
        lambda w: reverse(
            "community:garden-invitation-remove", args=[w.garden.slug, w.invitation.pk]
        ),
        {},
    ),
    ("community:thread-flagged", lambda w: _garden(w, "community:thread-flagged"), None),
    ("community:post-hide", lambda w: _post(w, "community:post-hide"), {"reason": "Off topic"}),
    ("community:post-unhide", lambda w: _post(w, "community:post-unhide"), {}),
    ("community:post-flags-dismiss", lambda w: _post(w, "community:post-flags-dismiss"), {}),
    (
        "community:harvest-edit",
        lambda w: reverse("community:harvest-edit", args=[w.harvest.slug]),
        {"title": "Hacked", "summary": "x", "kind": HarvestKind.PLAYBOOK, "audience": "all"},
    ),
    (
        "community:harvest-publish",
        lambda w: reverse("community:harvest-publish", args=[w.harvest.slug]),
        {},
    ),
    (
        "community:harvest-reach",
        lambda w: reverse("community:harvest-reach", args=[w.harvest.slug]),
        None,
    ),
]
STEWARD_APIS = [
    # (method, url, body, {persona: status} where not 403)
    ("patch", lambda w: f"{API}gardens/{SECRET}/", {"name": "Hacked"}, {}),
    ("post", lambda w: f"{API}garden-invitations/", {"garden": SECRET, "account": "globex"}, {}),
    # Invitations are seen by stewards and the invited account's admins only: to the others
    # this one does not exist (404), to A's admin it is visible but not theirs to remove (403).
    (
        "delete",
        lambda w: f"{API}garden-invitations/{w.invitation.pk}/",
        {},
        {"member_a": 404, "account_manager_a": 404},
    ),
    ("post", lambda w: f"{_api_post(w)}hide/", {"reason": "Off topic"}, {}),
    ("delete", lambda w: f"{_api_post(w)}hide/", {}, {}),
    ("patch", lambda w: f"{API}harvests/{w.harvest.slug}/", {"title": "Hacked"}, {}),
    ("post", lambda w: f"{API}harvests/{w.harvest.slug}/publish/", {}, {}),
    ("get", lambda w: f"{API}harvests/{w.harvest.slug}/reach/", {}, {}),
]
# Customers of A who take part, and internal users who are not the garden's stewards.
NON_STEWARDS = ["member_a", "admin_a", "account_manager_a"]


def _flag_the_reply(world: World) -> None:
    """A flag on the reply, so dismissing its flags has something to dismiss."""
    discussions.post_flag(post=world.reply, user=world.member_a, reason="Off topic")


@pytest.mark.parametrize("persona", NON_STEWARDS)
@pytest.mark.parametrize(("name", "url", "data"), STEWARD_PAGES, ids=[s[0] for s in STEWARD_PAGES])
def test_non_stewards_get_403_on_steward_pages_and_nothing_changes(
    request, client_for, world, persona, name, url, data
):
    _flag_the_reply(world)
    before = _state(world)
    client = client_for(request.getfixturevalue(persona))
    response = client.get(url(world)) if data is None else client.post(url(world), data)
    assert response.status_code == 403, response.status_code
    assert _state(world) == before


@pytest.mark.parametrize("persona", NON_STEWARDS)
@pytest.mark.parametrize(
    ("method", "url", "data", "other"),
    STEWARD_APIS,
    ids=[f"{s[0]}-{i}" for i, s in enumerate(STEWARD_APIS)],
)
def test_non_stewards_get_403_on_steward_api_writes_and_nothing_changes(
    request, api, world, persona, method, url, data, other
):
    before = _state(world)
    api_login(api, request.getfixturevalue(persona))
    response = getattr(api, method)(url(world), data, format="json")
    assert response.status_code == other.get(persona, 403), (response.status_code, response.content)
    assert _state(world) == before


def test_a_member_cannot_edit_a_colleagues_post(client_for, api, world, member_a):
    """Not a steward's write, but another person's: the same 403 with the post unchanged."""
    before = _state(world)
    page = client_for(member_a).post(_post(world, "community:post-edit"), {"body": "Mine now"})
    api_login(api, member_a)
    patched = api.patch(_api_post(world), {"body": "Mine now"}, format="json")
    assert (page.status_code, patched.status_code) == (403, 403)
    assert _state(world) == before


def test_the_steward_may_do_what_the_others_may_not(client_for, world):
    """The refusals above are about the person: the garden's steward hides the reply."""
    response = client_for(world.steward).post(
        _post(world, "community:post-hide"), {"reason": "Off topic"}
    )
    assert response.status_code == 302
    assert Post.objects.get(pk=world.reply.pk).hidden_at is not None


@pytest.mark.parametrize(
    ("name", "url", "data"),
    [s for s in STEWARD_PAGES if not s[0].startswith("community:harvest-")],
    ids=[s[0] for s in STEWARD_PAGES if not s[0].startswith("community:harvest-")],
)
def test_a_product_manager_reads_but_does_not_steward_the_garden(
    client_for, world, product_manager, name, url, data
):
    """Product managers read every garden and write harvests (they close the loop on pilots),
    but neither change a garden, manage its invitations nor moderate its discussions."""
    _flag_the_reply(world)
    before = _state(world)
    client = client_for(product_manager)
    assert client.get(_garden(world, "community:garden-detail")).status_code == 200
    response = client.get(url(world)) if data is None else client.post(url(world), data)
    assert response.status_code == 403
    assert _state(world) == before
