"""What the benchmark measures, by name: which routes are list pages (and as whom), what the
list endpoints' path parameters are, and each persona's main screens for the latency table.

Every named page route must be in LIST_PAGES or NOT_LIST_PAGES: a new route in neither is
reported as "not classified, not measured" and fails tests/test_bench_report.py, so a new list
page cannot slip past the query counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from demo.benchmarks.world import BenchWorld

Params = Callable[[BenchWorld], dict]


def _none(world: BenchWorld) -> dict:
    return {}


def _garden(world: BenchWorld) -> dict:
    return {"slug": world.garden.slug}


def _account(world: BenchWorld) -> dict:
    return {"slug": world.account.slug}


def _served(world: BenchWorld) -> dict:
    return {"slug": world.served_account.slug}


def _thread(world: BenchWorld) -> dict:
    return {"slug": world.garden.slug, "pk": world.thread.pk}


def _person(world: BenchWorld) -> dict:
    return {"pk": world.users["customer"].pk}


def _idea(world: BenchWorld) -> dict:
    return {"pk": world.idea.pk}


def _pilot(world: BenchWorld) -> dict:
    return {"pk": world.pilot.pk}


# Pages that list rows (or are dashboards of several lists): route name → (persona, kwargs).
LIST_PAGES: dict[str, tuple[str, Params]] = {
    "community:home": ("customer", _none),
    "community:garden-list": ("customer", _none),
    "community:garden-detail": ("customer", _garden),
    "community:garden-invitations": ("programme_admin", _garden),
    "community:thread-list": ("customer", _garden),
    "community:thread-detail": ("customer", _thread),
    "community:thread-flagged": ("programme_admin", _garden),
    "community:harvest-list": ("customer", _none),
    "community:notification-list": ("customer", _none),
    "community:person-profile": ("customer", _person),
    "community:portfolio": ("account_manager", _none),
    "community:account-engagement": ("account_manager", _served),
    "community:account-value-exchanged": ("account_manager", _served),
    "community:alert-inbox": ("account_manager", _none),
    "community:outcome-list": ("account_manager", _none),
    "community:import": ("programme_admin", _none),
    "community:webhooks": ("programme_admin", _none),
    "community:account-chat-channels": ("programme_admin", _served),
    "community:garden-chat-channels": ("programme_admin", _garden),
    "community:insights": ("product_manager", _none),
    "community:insights-loyalty": ("product_manager", _none),
    "accounts:account-list": ("account_manager", _none),
    "accounts:account-detail": ("account_manager", _served),
    "accounts:audit-trail": ("programme_admin", _none),
    "accounts:account-history": ("programme_admin", _served),
    "ideas:idea-list": ("customer", _none),
    "ideas:board": ("product_manager", _none),
    "ideas:idea-detail": ("customer", _idea),
    "ideas:garden-ideas": ("customer", _garden),
    "ideas:pilot-list": ("customer", _none),
    "ideas:garden-pilots": ("customer", _garden),
    "ideas:account-pilots": ("account_manager", _served),
    "ideas:pilot-results": ("product_manager", _pilot),
    "ideas:pilot-effect": ("product_manager", _pilot),
    "ideas:perception-outcomes": ("product_manager", _none),
    "ideas:idea-duplicates": ("product_manager", _none),
}

# Counts known to vary with *what* is shown, within a fixed bound (not with how many rows): the
# report prints the reason next to the verdict. Each is proven bounded by a query-count test
# (person-profile: tests/community/test_recognition_profile.py, with 2 and 30 items).
COUNT_NOTES: dict[str, str] = {
    "community:account-engagement": (
        "bounded: the robustness section reads the account's bad times in one query, and its "
        "snapshots and renewal decisions in two more only when it has any "
        "(community.selectors.robustness)"
    ),
    "community:insights": (
        "bounded: the robustness table reads the bad times in one query, and their accounts' "
        "snapshots and renewal decisions in two more only when there are any "
        "(community.selectors.robustness)"
    ),
    "community:thread-flagged": (
        "bounded: the listed posts' open flags are read in one more query when any post is "
        "flagged, none when the queue is empty (community.selectors.discussions.flagged_posts)"
    ),
    "community:person-profile": (
        "bounded: the latest items look up their posts and their harvests with at most one "
        "query each, only when such items are among them (community.selectors.recognition)"
    ),
}

# Forms, actions, single objects, files and the login machinery: no list to count.
NOT_LIST_PAGES = frozenset(
    {
        # the demo's sent emails: demo tooling, off (404) outside dev and the demo
        "demo:sent-emails",
        "demo:sent-email",
        # the merge picker's matches: at most ideas.selectors.ideas.MERGE_TARGET_LIMIT rows
        "ideas:idea-merge-targets",
        # ideas like one being typed: at most ideas.selectors.similar.SIMILAR_LIMIT rows
        "ideas:idea-similar",
        "accounts:profile",
        "accounts:api-token-create",
        "accounts:api-token-revoke",
        "accounts:personal-data-download",
        "accounts:person-erase",
        "accounts:invitation-create",
        "accounts:invitation-revoke",
        "accounts:invitation-accept",
        "accounts:membership-role",
        "accounts:membership-remove",
        "community:garden-create",
        "community:garden-edit",
        "community:garden-join",
        "community:garden-leave",
        "community:garden-invitation-remove",
        "community:garden-invitation",
        "community:notifications-read-all",
        "community:notification-read",
        "community:notification-preferences",
        "community:notification-unsubscribe",
        "community:alert-subscription",
        "community:alert-acknowledge",
        "community:alert-resolve",
        "community:outcome-create",
        "community:import-detail",
        "community:import-errors",
        "community:engagement-model",
        "community:webhook-rotate",
        "community:webhook-deactivate",
        "community:webhook-reactivate",
        "community:webhook-delivery-retry",
        "community:chat-channel-edit",
        "community:chat-channel-delete",
        "community:chat-channel-test",
        "community:offline-event-create",
        "community:bad-time-create",
        "community:account-robustness-csv",
        "community:insights-robustness-csv",
        "community:my-profile",  # a redirect to the person's profile (measured)
        "community:harvest-create",
        "community:harvest-detail",
        "community:harvest-edit",
        "community:harvest-publish",
        "community:harvest-reach",
        "community:thread-create",
        "community:thread-reply",
        "community:post-link",
        "community:post-edit",
        "community:post-history",
        "community:post-react",
        "community:post-flag",
        "community:post-hide",
        "community:post-unhide",
        "community:post-flags-dismiss",
        "ideas:idea-create",
        "ideas:idea-vote",
        "ideas:idea-follow",
        "ideas:idea-comment",
        "ideas:idea-transition",
        "ideas:idea-merge",
        "ideas:pilot-create",
        "ideas:pilot-detail",
        "ideas:pilot-edit",
        "ideas:pilot-state",
        "ideas:pilot-publish",
        "ideas:pilot-invite",
        "ideas:pilot-invite-supporters",
        "ideas:pilot-agreement-publish",
        "ideas:pilot-agreement-accept",
        "ideas:pilot-enrol",
        "ideas:pilot-decide",
        "ideas:pilot-results-csv",
        "ideas:pilot-results-figures-csv",
        "ideas:pilot-effect-csv",
        # one row per dimension of the pilot's instrument
        "ideas:pilot-calibration-csv",
        "ideas:instrument-edit",
        "ideas:instrument-question-add",
        "ideas:instrument-question-edit",
        "ideas:instrument-question-remove",
        "ideas:instrument-question-move",
        "ideas:instrument-dimension-add",
        "ideas:instrument-dimension-edit",
        "ideas:instrument-dimension-remove",
        "ideas:instrument-dimension-move",
        "ideas:check-in-answer",
        "login",
        "logout",
        # allauth's login machinery: the second step, reauthentication, the person's own
        # factors (a handful of keys at most), the OpenID Connect callback and SAML's
        # assertion consumer service, the sign-in's end, our metadata and single logout
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_authenticate",
        "mfa_deactivate_totp",
        "mfa_download_recovery_codes",
        "mfa_edit_webauthn",
        "mfa_generate_recovery_codes",
        "mfa_index",
        "mfa_list_webauthn",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "mfa_remove_webauthn",
        "mfa_view_recovery_codes",
        "openid_connect_callback",
        "saml_acs",
        "saml_finish_acs",
        "saml_metadata",
        "saml_sls",
        "accounts:sso-login",
        "accounts:sso-reauthenticate",
        "accounts:sso-settings",
        "accounts:scim-token-create",
        "accounts:scim-token-revoke",
        # SCIM 2.0, reached with an account's provisioning token, not a session: the Users
        # list's constant query count is tested in tests/accounts/test_scim_api.py
        "scim:service-provider-config",
        "scim:resource-types",
        "scim:schemas",
        "scim:users",
        "scim:user",
        "scim:groups",
        "scim:group",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "healthz",
        "api-docs",
        "api-schema",
    }
)

# The list endpoints' path parameters (templates as in docs/openapi.yaml). A list endpoint with
# parameters missing here is reported as not measured.
API_PATH_PARAMS: dict[str, Callable[[BenchWorld], dict]] = {
    "/api/v1/accounts/{slug}/email-domains/": lambda w: {"slug": w.served_account.slug},
    "/api/v1/accounts/{slug}/engagement/history/": lambda w: {"slug": w.served_account.slug},
    "/api/v1/accounts/{slug}/offline-events/": lambda w: {"slug": w.served_account.slug},
    "/api/v1/gardens/{slug}/members/": lambda w: {"slug": w.garden.slug},
    "/api/v1/ideas/{id}/comments/": lambda w: {"id": w.idea.pk},
    "/api/v1/pilots/{id}/instrument/dimensions/": lambda w: {"id": w.pilot.pk},
    "/api/v1/pilots/{id}/instrument/questions/": lambda w: {"id": w.pilot.pk},
    "/api/v1/posts/{id}/revisions/": lambda w: {"id": w.post.pk},
    "/api/v1/threads/{id}/posts/": lambda w: {"id": w.thread.pk},
}

# List endpoints that need a query to answer at all: what the benchmark asks them.
API_QUERIES: dict[str, str] = {
    "/api/v1/ideas/similar/": "title=Offline+mode+with+sync+for+the+mobile+app",
}


@dataclass(frozen=True)
class LatencyTarget:
    persona: str  # "" for the anonymous baseline
    label: str
    path: Callable[[BenchWorld], str]


def _page(name: str, params: Params = _none) -> Callable[[BenchWorld], str]:
    from django.urls import reverse

    return lambda world: reverse(name, kwargs=params(world))


BASELINE = LatencyTarget("", "/healthz/, a bare JSON view (one SELECT 1)", lambda w: "/healthz/")

# Each persona's main screens and the API lists behind them.
LATENCY_TARGETS: list[LatencyTarget] = [
    LatencyTarget("customer", "home", _page("community:home")),
    LatencyTarget("customer", "ideas", _page("ideas:idea-list")),
    LatencyTarget("customer", "idea page", _page("ideas:idea-detail", _idea)),
    LatencyTarget("customer", "garden home", _page("community:garden-detail", _garden)),
    LatencyTarget("customer", "thread", _page("community:thread-detail", _thread)),
    LatencyTarget("customer", "harvests", _page("community:harvest-list")),
    LatencyTarget("customer", "GET /api/v1/ideas/", lambda w: "/api/v1/ideas/"),
    LatencyTarget("customer", "GET /api/v1/threads/", lambda w: "/api/v1/threads/"),
    LatencyTarget("customer", "GET /api/v1/harvests/", lambda w: "/api/v1/harvests/"),
    LatencyTarget("customer", "GET /api/v1/notifications/", lambda w: "/api/v1/notifications/"),
    LatencyTarget("account_manager", "portfolio", _page("community:portfolio")),
    LatencyTarget(
        "account_manager", "account engagement", _page("community:account-engagement", _served)
    ),
    LatencyTarget("account_manager", "alerts inbox", _page("community:alert-inbox")),
    LatencyTarget("account_manager", "GET /api/v1/accounts/", lambda w: "/api/v1/accounts/"),
    LatencyTarget("account_manager", "GET /api/v1/alerts/", lambda w: "/api/v1/alerts/"),
    LatencyTarget(
        "account_manager",
        "GET /api/v1/accounts/{slug}/engagement/history/",
        lambda w: f"/api/v1/accounts/{w.served_account.slug}/engagement/history/",
    ),
    LatencyTarget("product_manager", "pilot results", _page("ideas:pilot-results", _pilot)),
    LatencyTarget("product_manager", "insights", _page("community:insights")),
    LatencyTarget("product_manager", "idea board (pipeline)", _page("ideas:board")),
    LatencyTarget("product_manager", "GET /api/v1/pilots/", lambda w: "/api/v1/pilots/"),
    LatencyTarget(
        "product_manager",
        "GET /api/v1/pilots/{id}/results/",
        lambda w: f"/api/v1/pilots/{w.pilot.pk}/results/",
    ),
    LatencyTarget(
        "product_manager",
        "GET /api/v1/insights/outcome-rates/",
        lambda w: "/api/v1/insights/outcome-rates/",
    ),
]
