"""The tenant-isolation matrix: every route of the site and every operation of the committed
OpenAPI schema, tried by an anonymous visitor, by outsiders on account A's objects, and by
read-only roles on writes they may see but not do.

The tables PAGES and API below are the review: one row per route (pages: GET and POST are both
tried) or per API operation, saying how its URL is built from the world's objects of account A
(tests/isolation_cases.py), what an outsider gets, and who may see the object without being
allowed to write it. A new route or schema operation without a row fails
`test_every_route_and_schema_operation_has_a_case`.

Outsider kinds (for account B's member and admin, and B's account manager on account-scoped rows):
    FOREIGN   A's object in the URL: 404, exactly as for an object that does not exist;
              nothing changes
    INTERNAL  a route for internal users only: customers get 403 whatever the object (the same
              answer as for an object that does not exist); nothing changes
    LIST      a list, search or feed: 200 with no trace of A
    OWN       the caller's own settings, profile or a creation naming nothing of A: answered
              (no 5xx), no trace of A, no row of A's changed
    NAMED     a write naming A's object in its body: refused (4xx) exactly as for an object that
              does not exist; nothing changes
    TOKEN     SCIM provisioning (/scim/v2/): only an account's SCIM token opens it, so every
              persona's session is 401, as for nobody; nothing changes. What another
              account's token reaches is `test_another_accounts_scim_token_reaches_nothing_of_a`
    PUBLIC    a page for logged-out visitors (login, password reset, unsubscribe, health, the
              invitation link): its token is the key; checked only for "nothing changes"

An account invited to A's garden, not yet in it (account C's admin and member): inside the
garden everything answers as for a stranger (the outsider kinds above); only the garden itself
shows to C's admin (its page with the charter and the invitation, and the writes a customer may
not do there: 403), as `SEES_THE_GARDEN` lists, and nothing of A but the garden's own name and
description.

Read-only roles (`readonly`): each persona gets 403 on the write and the rows are unchanged;
`allowed` names a persona for whom the very same request succeeds, which proves the refusal is
about the person, not about the request.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
import yaml
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.provisioning import scim_token_create
from tests.api_helpers import api_login
from tests.isolation_cases import (
    FOREIGN_TEXTS,
    GARDEN_ITSELF,
    build_world,
    changes,
    snapshot,
)

FOREIGN, INTERNAL, LIST, OWN, NAMED, PUBLIC, TOKEN = (
    "foreign",
    "internal",
    "list",
    "own",
    "named",
    "public",
    "token",
)
# The world is built once per worker and group (xdist's loadgroup keeps a group on one worker):
# the outsiders' checks on one, the other three tests on the other.
OUTSIDERS_GROUP = pytest.mark.xdist_group("isolation_matrix_outsiders")
OTHERS_GROUP = pytest.mark.xdist_group("isolation_matrix_others")
TODAY = str(timezone.localdate())
CUSTOMERS = ("member_b", "admin_b")
OUTSIDERS_OF_THE_ACCOUNT = ("member_b", "admin_b", "manager_b")
STEWARD_ONLY = ("member_a", "admin_a", "account_manager_a", "product_manager")
NOT_PM = ("member_a", "admin_a", "account_manager_a")
ADMIN_ONLY_INTERNAL = ("account_manager_a", "product_manager")


@dataclass(frozen=True)
class Case:
    url: str  # a template: {placeholder} → the world's object of account A
    kind: str
    data: dict | None = None  # the POST (pages) or request body (API)
    readonly: tuple[str, ...] = ()  # may see it, may not write it: 403, rows unchanged
    allowed: str = ""  # the same request succeeds for this persona
    outsiders: tuple[str, ...] = CUSTOMERS
    methods: tuple[str, ...] = ("get", "post")  # of a page


def C(url, kind, data=None, readonly=(), allowed="", outsiders=CUSTOMERS, methods=None):  # noqa: N802
    return Case(
        url, kind, data, tuple(readonly), allowed, tuple(outsiders), methods or ("get", "post")
    )


ACCT = OUTSIDERS_OF_THE_ACCOUNT
GARDEN = {"name": "Hijack Renamed", "theme": "deep_purpose", "visibility": "open"}
PILOT = {
    "title": "Hijack pilot 2",
    "description": "d",
    "what_to_expect": "w",
    "recruiting_opens": TODAY,
    "runs_from": TODAY,
    "runs_until": TODAY,
    "capacity": 5,
    "agreement_title": "Pilot agreement",
    "agreement_text": "t",
}
HARVEST = {"title": "Hijack Hacked", "summary": "x", "kind": "playbook", "audience": "all"}
POST_URL = "/gardens/{garden}/threads/{thread}/posts/{post}/"
CHANNEL = {"provider": "slack", "name": "Hijack", "url": "https://hooks.slack.com/services/H/1"}
NOT_ON_THE_TEAM = ("member_a", "admin_a", "product_manager")
QUESTION = {"phase": "experience", "kind": "text", "prompt": "Hijack why?", "role": ""}

# --- HTML pages, by URL name ------------------------------------------------------------------

PAGES: dict[str, Case] = {
    "community:home": C("/", LIST),
    "accounts:account-list": C("/accounts/", LIST, outsiders=ACCT),
    "accounts:account-detail": C("/accounts/{account}/", FOREIGN, outsiders=ACCT),
    "community:account-engagement": C("/accounts/{account}/engagement/", FOREIGN, outsiders=ACCT),
    "community:account-value-exchanged": C(
        "/accounts/{account}/value-exchanged/", FOREIGN, outsiders=ACCT
    ),
    "accounts:invitation-create": C(
        "/accounts/{account}/invite/",
        FOREIGN,
        {"email": "zqx-new@acme.example", "role": "member"},
        readonly=("member_a",),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "community:offline-event-create": C(
        "/accounts/{account}/offline-events/new/",
        FOREIGN,
        {"kind": "workshop_attended", "occurred_on": TODAY, "note": "Hijack"},
        readonly=("member_a", "admin_a", "product_manager"),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "community:outcome-create": C(
        "/accounts/{account}/outcomes/new/",
        FOREIGN,
        {"kind": "expanded", "occurred_on": TODAY, "amount": "1000", "note": "Hijack"},
        readonly=("member_a", "admin_a", "product_manager"),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "community:bad-time-create": C(
        "/accounts/{account}/bad-times/new/",
        FOREIGN,
        {"occurred_on": TODAY, "reference": "INC-H", "note": "Hijack"},
        readonly=("member_a", "admin_a", "product_manager"),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "community:account-robustness-csv": C(
        "/accounts/{account}/robustness.csv", FOREIGN, outsiders=ACCT
    ),
    "ideas:account-pilots": C("/accounts/{account}/pilots/", FOREIGN, outsiders=ACCT),
    "community:alert-inbox": C("/alerts/", INTERNAL),
    "community:alert-acknowledge": C(
        "/alerts/{alert}/acknowledge/",
        INTERNAL,
        {},
        readonly=("product_manager",),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "community:alert-resolve": C(
        "/alerts/{alert}/resolve/",
        INTERNAL,
        {"note": "Hijack called"},
        readonly=("product_manager",),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "community:alert-subscription": C("/alerts/email/", INTERNAL, {"daily_digest": "on"}),
    # The same documents for every logged-in person (the schema takes seconds to generate).
    "api-docs": C("/api/docs/", OWN, outsiders=("member_b",), methods=("get",)),
    "api-schema": C("/api/schema/", OWN, outsiders=("member_b",), methods=("get",)),
    "ideas:check-in-answer": C(
        "/check-ins/{check_in}/", FOREIGN, {"submit": "0"}, readonly=("admin_a",)
    ),
    "community:garden-list": C("/gardens/", LIST),
    "community:garden-create": C(
        "/gardens/new/",
        INTERNAL,
        GARDEN,
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
    "community:garden-detail": C("/gardens/{garden}/", FOREIGN),
    "community:garden-edit": C(
        "/gardens/{garden}/edit/",
        FOREIGN,
        GARDEN,
        readonly=STEWARD_ONLY,
        allowed="programme_admin",
    ),
    "ideas:garden-ideas": C("/gardens/{garden}/ideas/", FOREIGN),
    "community:garden-invitation": C(
        "/gardens/{pending_garden}/invitation/", FOREIGN, {"answer": "accept"}, allowed="admin_a"
    ),
    "community:garden-invitations": C(
        "/gardens/{garden}/invitations/",
        FOREIGN,
        {"account": "globex"},
        readonly=STEWARD_ONLY,
        allowed="steward",
    ),
    "community:garden-invitation-remove": C(
        "/gardens/{garden}/invitations/{garden_invitation}/remove/",
        FOREIGN,
        {},
        readonly=STEWARD_ONLY,
        allowed="steward",
    ),
    "community:garden-join": C("/gardens/{garden}/join/", FOREIGN, {}),
    "community:garden-leave": C("/gardens/{garden}/leave/", FOREIGN, {}),
    "ideas:garden-pilots": C("/gardens/{garden}/pilots/", FOREIGN),
    "community:thread-list": C("/gardens/{garden}/threads/", FOREIGN),
    "community:thread-create": C(
        "/gardens/{garden}/threads/new/", FOREIGN, {"title": "Hijack", "body": "Hijack"}
    ),
    "community:thread-flagged": C(
        "/gardens/{garden}/threads/flagged/", FOREIGN, readonly=STEWARD_ONLY
    ),
    "community:thread-detail": C("/gardens/{garden}/threads/{thread}/", FOREIGN),
    "community:thread-reply": C(
        "/gardens/{garden}/threads/{thread}/reply/", FOREIGN, {"body": "Hijack"}
    ),
    "community:post-link": C(POST_URL, FOREIGN),
    "community:post-edit": C(
        POST_URL + "edit/",
        FOREIGN,
        {"body": "Hijack mine"},
        readonly=("member_a",),
        allowed="admin_a",
    ),
    "community:post-history": C(POST_URL + "history/", FOREIGN),
    "community:post-react": C(POST_URL + "react/", FOREIGN, {"kind": "like"}),
    "community:post-flag": C(POST_URL + "flag/", FOREIGN, {"reason": "Hijack"}),
    "community:post-hide": C(
        POST_URL + "hide/",
        FOREIGN,
        {"reason": "Hijack"},
        readonly=STEWARD_ONLY,
        allowed="steward",
    ),
    "community:post-unhide": C(POST_URL + "unhide/", FOREIGN, {}, readonly=STEWARD_ONLY),
    "community:post-flags-dismiss": C(
        POST_URL + "dismiss-flags/", FOREIGN, {}, readonly=STEWARD_ONLY, allowed="steward"
    ),
    "community:harvest-list": C("/harvests/", LIST),
    "community:harvest-create": C(
        "/harvests/new/",
        INTERNAL,
        HARVEST,
        readonly=("account_manager_a",),
        allowed="product_manager",
    ),
    "community:harvest-detail": C("/harvests/{harvest}/", FOREIGN),
    "community:harvest-edit": C(
        "/harvests/{harvest}/edit/",
        FOREIGN,
        HARVEST,
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "community:harvest-publish": C(
        # A draft is invisible to all but those who may write it (404): no read-only role.
        "/harvests/{draft}/publish/",
        FOREIGN,
        {},
        allowed="product_manager",
    ),
    "community:harvest-reach": C("/harvests/{harvest}/reach/", FOREIGN, readonly=NOT_PM),
    "healthz": C("/healthz/", PUBLIC),
    "ideas:idea-list": C("/ideas/", LIST),
    "ideas:board": C("/ideas/board/", INTERNAL),
    "ideas:idea-duplicates": C("/ideas/duplicates/", INTERNAL, methods=("get",)),
    "ideas:idea-create": C(
        "/ideas/new/",
        NAMED,
        {"garden": "{garden}", "title": "Hijack", "job_to_be_done": "j", "proposal": "p"},
    ),
    # A's idea typed word for word: offered only to those who see its garden.
    "ideas:idea-similar": C("/ideas/new/similar/?title=ZQX+offline+mode", LIST, methods=("get",)),
    "ideas:idea-detail": C("/ideas/{idea}/", FOREIGN),
    "ideas:idea-comment": C("/ideas/{idea}/comments/", FOREIGN, {"body": "Hijack"}),
    "ideas:idea-follow": C("/ideas/{idea}/follow/", FOREIGN, {}),
    "ideas:idea-vote": C("/ideas/{idea}/vote/", FOREIGN, {}),
    "ideas:idea-merge": C(
        "/ideas/{duplicate}/merge/",
        FOREIGN,
        {"into": "{idea}", "reason": "Hijack same"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:idea-merge-targets": C(
        "/ideas/{duplicate}/merge/targets/",
        FOREIGN,
        readonly=NOT_PM,
        methods=("get",),
    ),
    "ideas:idea-transition": C(
        "/ideas/{duplicate}/transition/",
        FOREIGN,
        {"to_status": "under_review", "reason": "Hijack"},
        # admin_a wrote the duplicate: an author may withdraw their idea (a 400 here).
        readonly=("member_a", "account_manager_a"),
        allowed="product_manager",
    ),
    "ideas:pilot-create": C("/ideas/{idea}/pilots/new/", FOREIGN, PILOT, readonly=NOT_PM),
    "community:import": C(
        "/imports/", INTERNAL, {"kind": "outcomes"}, readonly=ADMIN_ONLY_INTERNAL
    ),
    "community:import-detail": C("/imports/{batch}/", INTERNAL, readonly=ADMIN_ONLY_INTERNAL),
    "community:import-errors": C(
        "/imports/{batch}/errors.csv", INTERNAL, readonly=ADMIN_ONLY_INTERNAL
    ),
    "community:insights": C("/insights/", INTERNAL),
    "community:insights-robustness-csv": C("/insights/robustness.csv", INTERNAL),
    "community:insights-loyalty": C("/insights/loyalty/", INTERNAL),
    "accounts:invitation-revoke": C(
        "/invitations/{invitation}/revoke/", FOREIGN, {}, allowed="admin_a", outsiders=ACCT
    ),
    "accounts:invitation-accept": C("/invitations/accept/not-a-token/", PUBLIC, {}),
    # Single sign-on: A's settings are for A's admin and programme admins; the sign-in pages are
    # public (A's provider is on the fake internet, unreachable: a clear error, nothing made).
    "accounts:sso-settings": C(
        "/accounts/{account}/sso/",
        FOREIGN,
        {"kind": "oidc", "issuer": "https://hijack.example", "client_id": "hijack"},
        readonly=("member_a", "account_manager_a", "product_manager"),
        outsiders=ACCT,
    ),
    "accounts:sso-login": C("/login/sso/", PUBLIC, {"email": "alice@acme.example"}),
    # The audit trail: the whole of it for programme admins; an account's membership history
    # for those who manage its people (A's admin, its account team, programme admins).
    "accounts:audit-trail": C(
        "/settings/audit/",
        INTERNAL,
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        methods=("get",),
    ),
    "accounts:account-history": C(
        "/accounts/{account}/history/",
        FOREIGN,
        readonly=("member_a", "product_manager"),
        outsiders=ACCT,
        methods=("get",),
    ),
    # The demo's sent emails: off here (DEMO_EMAILS), so 404 to everyone signed in; with it on,
    # each person's own and nobody else's: tests/test_demo_emails.py.
    "demo:sent-emails": C("/demo/emails/", OWN),
    "demo:sent-email": C("/demo/emails/1/", FOREIGN),
    "openid_connect_callback": C("/auth/oidc/{identity_provider}/login/callback/", PUBLIC, {}),
    # SAML (account C's provider): an answer that is none, an end with no answer kept, our
    # metadata, and single logout (not offered): refusals, nothing made.
    "saml_acs": C("/auth/saml/{saml_provider}/acs/", PUBLIC, {"SAMLResponse": "bm90aGluZw=="}),
    "saml_finish_acs": C("/auth/saml/{saml_provider}/acs/finish/", PUBLIC, {}),
    "saml_metadata": C("/auth/saml/{saml_provider}/metadata/", PUBLIC),
    "saml_sls": C("/auth/saml/{saml_provider}/sls/", PUBLIC, {}),
    "login": C("/login/", PUBLIC, {"username": "alice@acme.example", "password": "wrong"}),
    "logout": C("/logout/", PUBLIC, {}),
    # The login and logout under the names django-allauth reverses, and its pages: the second
    # step of a login (public: only with a password just checked), and each person's own
    # two-factor setup.
    "account_login": C("/login/", PUBLIC, {"username": "alice@acme.example", "password": "wrong"}),
    "account_logout": C("/logout/", PUBLIC, {}),
    "mfa_authenticate": C("/auth/2fa/authenticate/", PUBLIC, {"code": "000000"}),
    "account_reauthenticate": C("/auth/reauthenticate/", OWN, {"password": "wrong"}),
    # Signing in again at the provider the session came in by: none here, so 403 for everyone.
    "accounts:sso-reauthenticate": C("/auth/reauthenticate/sso/", OWN, {"next": "/auth/2fa/"}),
    "mfa_index": C("/auth/2fa/", OWN),
    "mfa_reauthenticate": C("/auth/2fa/reauthenticate/", OWN, {"code": "000000"}),
    "mfa_activate_totp": C("/auth/2fa/totp/activate/", OWN, {"code": "000000"}),
    "mfa_deactivate_totp": C("/auth/2fa/totp/deactivate/", OWN, {}),
    "mfa_view_recovery_codes": C("/auth/2fa/recovery-codes/", OWN),
    "mfa_generate_recovery_codes": C("/auth/2fa/recovery-codes/generate/", OWN, {}),
    "mfa_download_recovery_codes": C("/auth/2fa/recovery-codes/download/", OWN),
    "mfa_list_webauthn": C("/auth/2fa/webauthn/", OWN),
    "mfa_add_webauthn": C("/auth/2fa/webauthn/add/", OWN, {"name": "key"}),
    "mfa_reauthenticate_webauthn": C("/auth/2fa/webauthn/reauthenticate/", OWN, {}),
    # A key's id: nobody's key but the caller's own is found (allauth filters by the person).
    "mfa_remove_webauthn": C("/auth/2fa/webauthn/keys/{person}/remove/", OWN, {}),
    "mfa_edit_webauthn": C("/auth/2fa/webauthn/keys/{person}/edit/", OWN, {"name": "x"}),
    "accounts:membership-remove": C(
        "/members/{membership}/remove/",
        FOREIGN,
        {},
        readonly=("member_a",),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "accounts:membership-role": C(
        "/members/{membership}/role/",
        FOREIGN,
        {"role": "admin"},
        readonly=("member_a",),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "community:notification-list": C("/notifications/", LIST),
    "community:notification-read": C("/notifications/{notification}/read/", FOREIGN, {}),
    "community:notifications-read-all": C("/notifications/read-all/", OWN, {}),
    "community:notification-preferences": C("/notifications/settings/", OWN, {}),
    "community:notification-unsubscribe": C("/notifications/unsubscribe/forged/", PUBLIC, {}),
    "community:outcome-list": C("/outcomes/", INTERNAL),
    "password_change": C("/password/change/", OWN, {}),
    "password_change_done": C("/password/change/done/", OWN),
    "password_reset": C("/password/reset/", PUBLIC, {"email": "alice@acme.example"}),
    "password_reset_done": C("/password/reset/sent/", PUBLIC),
    "password_reset_confirm": C("/password/reset/MQ/not-a-token/", PUBLIC, {}),
    "password_reset_complete": C("/password/reset/done/", PUBLIC),
    "community:person-profile": C("/people/{person}/", FOREIGN, outsiders=ACCT),
    "accounts:person-erase": C(
        "/people/{person}/erase/",
        FOREIGN,
        {"confirm": "on"},
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        outsiders=ACCT,
    ),
    "community:my-profile": C("/people/me/", OWN),
    "ideas:pilot-list": C("/pilots/", LIST),
    "ideas:perception-outcomes": C("/pilots/perception-outcomes/", INTERNAL),
    "ideas:pilot-detail": C("/pilots/{pilot}/", FOREIGN),
    "ideas:pilot-agreement-accept": C(
        "/pilots/{pilot}/agreement/accept/", FOREIGN, {}, readonly=("member_a",)
    ),
    "ideas:pilot-agreement-publish": C(
        "/pilots/{pilot}/agreements/",
        FOREIGN,
        {"title": "Pilot agreement", "text": "Hijack v2"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:pilot-decide": C(
        "/pilots/{pilot}/decision/",
        FOREIGN,
        {"decision": "adopt", "outcome_note": "Hijack"},
        readonly=NOT_PM,
    ),
    "ideas:pilot-edit": C("/pilots/{pilot}/edit/", FOREIGN, PILOT, readonly=NOT_PM),
    "ideas:pilot-enrol": C("/pilots/{pilot}/enrol/", FOREIGN, {}, readonly=("account_manager_a",)),
    "ideas:instrument-edit": C("/pilots/{pilot}/instrument/", FOREIGN, readonly=NOT_PM),
    "ideas:instrument-dimension-add": C(
        "/pilots/{pilot}/instrument/dimensions/",
        FOREIGN,
        {"label": "Hijack"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:instrument-dimension-edit": C(
        "/pilots/{pilot}/instrument/dimensions/{dimension}/",
        FOREIGN,
        {"label": "Hijack"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:instrument-dimension-move": C(
        "/pilots/{pilot}/instrument/dimensions/{dimension}/move/",
        FOREIGN,
        {"direction": "down"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:instrument-dimension-remove": C(
        "/pilots/{pilot}/instrument/dimensions/{dimension}/remove/",
        FOREIGN,
        {},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:instrument-question-add": C(
        "/pilots/{pilot}/instrument/questions/",
        FOREIGN,
        QUESTION,
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:instrument-question-edit": C(
        "/pilots/{pilot}/instrument/questions/{question}/",
        FOREIGN,
        {"prompt": "Hijack"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:instrument-question-move": C(
        "/pilots/{pilot}/instrument/questions/{question}/move/",
        FOREIGN,
        {"direction": "down"},
        readonly=NOT_PM,
    ),
    "ideas:instrument-question-remove": C(
        "/pilots/{pilot}/instrument/questions/{question}/remove/",
        FOREIGN,
        {},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "ideas:pilot-invite": C(
        "/pilots/{pilot}/invitations/", FOREIGN, {"accounts": []}, readonly=NOT_PM
    ),
    "ideas:pilot-invite-supporters": C(
        "/pilots/{pilot}/invite-supporters/",
        FOREIGN,
        {},
        readonly=NOT_PM,
    ),
    "ideas:pilot-publish": C("/pilots/{pilot}/publish/", FOREIGN, {}, readonly=NOT_PM),
    "ideas:pilot-effect": C("/pilots/{pilot}/effect/", FOREIGN),
    "ideas:pilot-effect-csv": C("/pilots/{pilot}/effect/accounts.csv", FOREIGN),
    "ideas:pilot-results": C("/pilots/{pilot}/results/", FOREIGN),
    "ideas:pilot-results-csv": C("/pilots/{pilot}/results/responses.csv", FOREIGN),
    "ideas:pilot-results-figures-csv": C("/pilots/{pilot}/results/figures.csv", FOREIGN),
    "ideas:pilot-calibration-csv": C("/pilots/{pilot}/results/calibration.csv", FOREIGN),
    "ideas:pilot-state": C(
        "/pilots/{pilot}/state/",
        FOREIGN,
        {"state": "running"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "community:portfolio": C("/portfolio/", INTERNAL),
    "accounts:profile": C("/profile/", OWN, {}),
    "accounts:api-token-create": C("/profile/api-token/", OWN, {"name": "Hijack"}),
    "accounts:api-token-revoke": C(
        "/profile/api-tokens/{api_token}/revoke/", FOREIGN, {}, allowed="member_a"
    ),
    "accounts:personal-data-download": C("/profile/data/", OWN),
    "accounts:scim-token-create": C(
        "/accounts/{account}/scim-tokens/",
        FOREIGN,
        {"name": "Hijack"},
        readonly=("member_a", "account_manager_a", "product_manager"),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "accounts:scim-token-revoke": C(
        "/scim-tokens/{scim_token}/revoke/",
        FOREIGN,
        {},
        readonly=("member_a", "account_manager_a", "product_manager"),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    # SCIM provisioning: an account's SCIM token is the only way in.
    "scim:service-provider-config": C("/scim/v2/ServiceProviderConfig", TOKEN, outsiders=ACCT),
    "scim:resource-types": C("/scim/v2/ResourceTypes", TOKEN, outsiders=ACCT),
    "scim:schemas": C("/scim/v2/Schemas", TOKEN, outsiders=ACCT),
    "scim:users": C("/scim/v2/Users", TOKEN, {"userName": "zqx-new@acme.example"}, outsiders=ACCT),
    "scim:user": C("/scim/v2/Users/{person}", TOKEN, {}, outsiders=ACCT),
    "scim:groups": C("/scim/v2/Groups", TOKEN, outsiders=ACCT),
    "scim:group": C("/scim/v2/Groups/admins", TOKEN, {}, outsiders=ACCT),
    "community:engagement-model": C(
        "/settings/engagement/", INTERNAL, {"note": "Hijack"}, readonly=ADMIN_ONLY_INTERNAL
    ),
    "community:webhooks": C(
        "/settings/webhooks/",
        INTERNAL,
        {"url": "https://hooks.example/zqx2"},
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
    "community:webhook-deactivate": C(
        "/settings/webhooks/{endpoint}/deactivate/",
        INTERNAL,
        {},
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
    "community:webhook-reactivate": C(
        "/settings/webhooks/{endpoint}/reactivate/", INTERNAL, {}, readonly=ADMIN_ONLY_INTERNAL
    ),
    "community:webhook-rotate": C(
        "/settings/webhooks/{endpoint}/rotate/",
        INTERNAL,
        {},
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
    "community:webhook-delivery-retry": C(
        "/settings/webhooks/deliveries/{delivery}/retry/",
        INTERNAL,
        {},
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
    # Chat channels: an account's are its team's (its customers and PMs: 403), a garden's
    # its stewards'.
    "community:account-chat-channels": C(
        "/accounts/{account}/channels/",
        FOREIGN,
        CHANNEL | {"engagement_alert": "immediately", "pilot_decision": "off"},
        readonly=NOT_ON_THE_TEAM,
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "community:garden-chat-channels": C(
        "/gardens/{garden}/channels/",
        FOREIGN,
        CHANNEL | {"harvest_published": "weekly", "pilot_decision": "off"},
        readonly=STEWARD_ONLY,
        allowed="steward",
    ),
    "community:chat-channel-edit": C(
        "/channels/{channel}/",
        FOREIGN,
        {"name": "Hijack", "engagement_alert": "off", "pilot_decision": "off"},
        readonly=NOT_ON_THE_TEAM,
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "community:chat-channel-delete": C(
        "/channels/{channel}/delete/", FOREIGN, {}, readonly=NOT_ON_THE_TEAM, outsiders=ACCT
    ),
    "community:chat-channel-test": C(
        "/channels/{channel}/test/",
        FOREIGN,
        {},
        readonly=NOT_ON_THE_TEAM,
        allowed="programme_admin",
        outsiders=ACCT,
    ),
}

# --- API operations, by "METHOD path" ---------------------------------------------------------

V = "/api/v1"
INSTRUMENT = V + "/pilots/{pilot}/instrument"
API: dict[str, Case] = {
    "GET /account-teams/": C(V + "/account-teams/", LIST, outsiders=ACCT),
    "POST /account-teams/": C(
        V + "/account-teams/",
        NAMED,
        {"user": "{person}", "account": "{account}", "role": "account_manager"},
        readonly=ADMIN_ONLY_INTERNAL,
        outsiders=ACCT,
    ),
    "GET /account-teams/{id}/": C(V + "/account-teams/{team_assignment}/", FOREIGN, outsiders=ACCT),
    "DELETE /account-teams/{id}/": C(
        V + "/account-teams/{team_assignment}/",
        FOREIGN,
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        allowed="programme_admin",
        outsiders=ACCT,
    ),
    "GET /accounts/": C(V + "/accounts/", LIST, outsiders=ACCT),
    "POST /accounts/": C(
        V + "/accounts/",
        OWN,
        {"name": "Hijack New"},
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        allowed="programme_admin",
    ),
    "GET /accounts/{slug}/": C(V + "/accounts/{account}/", FOREIGN, outsiders=ACCT),
    # A route of the router the schema leaves out: 405 for everyone (changes go by PATCH).
    "PUT /accounts/{slug}/": C(
        V + "/accounts/{account}/", FOREIGN, {"name": "Hijack Renamed"}, outsiders=ACCT
    ),
    "PATCH /accounts/{slug}/": C(
        V + "/accounts/{account}/",
        FOREIGN,
        {"name": "Hijack Renamed"},
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        allowed="programme_admin",
        outsiders=ACCT,
    ),
    "GET /accounts/{slug}/engagement/": C(
        V + "/accounts/{account}/engagement/", FOREIGN, outsiders=ACCT
    ),
    "GET /accounts/{slug}/engagement/history/": C(
        V + "/accounts/{account}/engagement/history/", FOREIGN, outsiders=ACCT
    ),
    "GET /accounts/{slug}/robustness/": C(
        V + "/accounts/{account}/robustness/", FOREIGN, outsiders=ACCT
    ),
    "POST /accounts/{slug}/bad-times/": C(
        V + "/accounts/{account}/bad-times/",
        FOREIGN,
        {"occurred_on": TODAY, "reference": "INC-H"},
        readonly=("member_a", "admin_a", "product_manager"),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "GET /accounts/{slug}/value-exchanged/": C(
        V + "/accounts/{account}/value-exchanged/", FOREIGN, outsiders=ACCT
    ),
    "GET /accounts/{slug}/expectation-drift/": C(
        V + "/accounts/{account}/expectation-drift/", FOREIGN, outsiders=ACCT
    ),
    "GET /accounts/{slug}/offline-events/": C(
        V + "/accounts/{account}/offline-events/", FOREIGN, outsiders=ACCT
    ),
    "POST /accounts/{slug}/offline-events/": C(
        V + "/accounts/{account}/offline-events/",
        FOREIGN,
        {"kind": "workshop_attended", "occurred_on": TODAY},
        readonly=("member_a", "admin_a", "product_manager"),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    # An account's single sign-on settings: its admin and programme admins; the domains are
    # changed by programme admins only. A PUT or PATCH reaches no provider on the fake
    # internet, so the allowed writes are the deletions and a new domain.
    "GET /accounts/{slug}/identity-provider/": C(
        V + "/accounts/{account}/identity-provider/",
        FOREIGN,
        readonly=("member_a", "account_manager_a", "product_manager"),
        outsiders=ACCT,
    ),
    "PUT /accounts/{slug}/identity-provider/": C(
        V + "/accounts/{account}/identity-provider/",
        FOREIGN,
        {"kind": "oidc", "issuer": "https://hijack.example", "client_id": "hijack"},
        readonly=("member_a", "account_manager_a", "product_manager"),
        outsiders=ACCT,
    ),
    "PATCH /accounts/{slug}/identity-provider/": C(
        V + "/accounts/{account}/identity-provider/",
        FOREIGN,
        {"client_id": "hijack"},
        readonly=("member_a", "account_manager_a", "product_manager"),
        outsiders=ACCT,
    ),
    "DELETE /accounts/{slug}/identity-provider/": C(
        V + "/accounts/{account}/identity-provider/",
        FOREIGN,
        readonly=("member_a", "account_manager_a", "product_manager"),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "GET /accounts/{slug}/email-domains/": C(
        V + "/accounts/{account}/email-domains/",
        FOREIGN,
        readonly=("member_a", "account_manager_a", "product_manager"),
        outsiders=ACCT,
    ),
    "POST /accounts/{slug}/email-domains/": C(
        V + "/accounts/{account}/email-domains/",
        FOREIGN,
        {"domain": "hijack.example"},
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        allowed="programme_admin",
        outsiders=ACCT,
    ),
    "DELETE /accounts/{slug}/email-domains/{domain}/": C(
        V + "/accounts/{account}/email-domains/{email_domain}/",
        FOREIGN,
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        allowed="programme_admin",
        outsiders=ACCT,
    ),
    "GET /alerts/": C(V + "/alerts/", INTERNAL),
    "GET /alerts/{id}/": C(V + "/alerts/{alert}/", INTERNAL, outsiders=ACCT),
    "POST /alerts/{id}/acknowledge/": C(
        V + "/alerts/{alert}/acknowledge/",
        INTERNAL,
        {},
        readonly=("product_manager",),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "POST /alerts/{id}/resolve/": C(
        V + "/alerts/{alert}/resolve/",
        INTERNAL,
        {"note": "Hijack"},
        readonly=("product_manager",),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "GET /check-ins/{id}/": C(V + "/check-ins/{check_in}/", FOREIGN),
    "PUT /check-ins/{id}/response/": C(
        V + "/check-ins/{check_in}/response/",
        FOREIGN,
        {"answers": {}},
        readonly=("admin_a",),
        allowed="member_a",
    ),
    "POST /check-ins/{id}/response/submit/": C(
        V + "/check-ins/{check_in}/response/submit/", FOREIGN, {}, readonly=("admin_a",)
    ),
    "GET /engagement/models/": C(V + "/engagement/models/", INTERNAL),
    "POST /engagement/recompute/": C(
        V + "/engagement/recompute/",
        NAMED,
        {"account": "{account}"},
        readonly=("admin_a", "product_manager"),
        outsiders=ACCT,
    ),
    "GET /garden-invitations/": C(V + "/garden-invitations/", LIST),
    "POST /garden-invitations/": C(
        V + "/garden-invitations/",
        NAMED,
        {"garden": "{garden}", "account": "globex"},
        readonly=STEWARD_ONLY,
        allowed="steward",
    ),
    "GET /garden-invitations/{id}/": C(V + "/garden-invitations/{garden_invitation}/", FOREIGN),
    "DELETE /garden-invitations/{id}/": C(
        V + "/garden-invitations/{garden_invitation}/",
        FOREIGN,
        readonly=("admin_a",),
        allowed="steward",
    ),
    "POST /garden-invitations/{id}/accept/": C(
        V + "/garden-invitations/{pending_invitation}/accept/", FOREIGN, {}, allowed="admin_a"
    ),
    "POST /garden-invitations/{id}/decline/": C(
        V + "/garden-invitations/{pending_invitation}/decline/", FOREIGN, {}, allowed="admin_a"
    ),
    "GET /gardens/": C(V + "/gardens/", LIST),
    "POST /gardens/": C(
        V + "/gardens/", INTERNAL, GARDEN, readonly=ADMIN_ONLY_INTERNAL, allowed="programme_admin"
    ),
    "GET /gardens/{slug}/": C(V + "/gardens/{garden}/", FOREIGN),
    "PATCH /gardens/{slug}/": C(
        V + "/gardens/{garden}/",
        FOREIGN,
        {"name": "Hijack Renamed"},
        readonly=STEWARD_ONLY,
        allowed="programme_admin",
    ),
    "POST /gardens/{slug}/join/": C(V + "/gardens/{garden}/join/", FOREIGN, {}),
    "POST /gardens/{slug}/leave/": C(V + "/gardens/{garden}/leave/", FOREIGN, {}),
    "GET /gardens/{slug}/members/": C(V + "/gardens/{garden}/members/", FOREIGN),
    "GET /harvests/": C(V + "/harvests/", LIST),
    "POST /harvests/": C(
        V + "/harvests/",
        INTERNAL,
        HARVEST,
        readonly=("account_manager_a",),
        allowed="product_manager",
    ),
    "GET /harvests/{slug}/": C(V + "/harvests/{harvest}/", FOREIGN),
    "PATCH /harvests/{slug}/": C(
        V + "/harvests/{harvest}/",
        FOREIGN,
        {"title": "Hijack Hacked"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "POST /harvests/{slug}/publish/": C(
        V + "/harvests/{draft}/publish/", FOREIGN, {}, allowed="product_manager"
    ),
    "GET /harvests/{slug}/reach/": C(V + "/harvests/{harvest}/reach/", FOREIGN, readonly=NOT_PM),
    "POST /harvests/{slug}/reads/": C(V + "/harvests/{harvest}/reads/", FOREIGN, {}),
    "GET /ideas/": C(V + "/ideas/", LIST),
    "POST /ideas/": C(
        V + "/ideas/",
        NAMED,
        {"garden": "{garden}", "title": "Hijack", "job_to_be_done": "j", "proposal": "p"},
    ),
    "GET /ideas/{id}/": C(V + "/ideas/{idea}/", FOREIGN),
    # A's idea typed word for word: offered only to those who see its garden.
    "GET /ideas/similar/": C(V + "/ideas/similar/?title=ZQX+offline+mode", LIST),
    "GET /ideas/duplicates/": C(V + "/ideas/duplicates/", INTERNAL),
    "GET /ideas/{id}/comments/": C(V + "/ideas/{idea}/comments/", FOREIGN),
    "POST /ideas/{id}/comments/": C(V + "/ideas/{idea}/comments/", FOREIGN, {"body": "Hijack"}),
    "POST /ideas/{id}/follow/": C(V + "/ideas/{idea}/follow/", FOREIGN, {}),
    "DELETE /ideas/{id}/follow/": C(V + "/ideas/{idea}/follow/", FOREIGN),
    "POST /ideas/{id}/merge/": C(
        V + "/ideas/{duplicate}/merge/",
        FOREIGN,
        {"into": "{idea}", "reason": "Hijack same"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "POST /ideas/{id}/transition/": C(
        V + "/ideas/{duplicate}/transition/",
        FOREIGN,
        {"to_status": "under_review", "reason": "Hijack"},
        # admin_a wrote the duplicate: an author may withdraw their idea (a 400 here).
        readonly=("member_a", "account_manager_a"),
        allowed="product_manager",
    ),
    "POST /ideas/{id}/vote/": C(V + "/ideas/{idea}/vote/", FOREIGN, {}),
    "POST /imports/": C(V + "/imports/", INTERNAL, {}, readonly=ADMIN_ONLY_INTERNAL),
    "GET /insights/loyalty/": C(V + "/insights/loyalty/", INTERNAL),
    "GET /insights/outcome-rates/": C(V + "/insights/outcome-rates/", INTERNAL),
    "GET /insights/robustness/": C(V + "/insights/robustness/", INTERNAL),
    "GET /insights/pilot-perception/": C(V + "/insights/pilot-perception/", INTERNAL),
    "GET /invitations/": C(V + "/invitations/", LIST, outsiders=ACCT),
    "POST /invitations/": C(
        V + "/invitations/",
        NAMED,
        {"account": "{account}", "email": "zqx-new@acme.example"},
        readonly=("member_a",),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "GET /invitations/{id}/": C(V + "/invitations/{invitation}/", FOREIGN, outsiders=ACCT),
    "POST /invitations/{id}/revoke/": C(
        V + "/invitations/{invitation}/revoke/", FOREIGN, {}, allowed="admin_a", outsiders=ACCT
    ),
    "GET /me/": C(V + "/me/", OWN),
    "GET /me/data/": C(V + "/me/data/", OWN),
    "GET /audit-entries/": C(
        V + "/audit-entries/",
        INTERNAL,
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
    ),
    "GET /me/tokens/": C(V + "/me/tokens/", LIST),
    "DELETE /me/tokens/{token_key}/": C(V + "/me/tokens/{api_token}/", FOREIGN, allowed="member_a"),
    "GET /memberships/": C(V + "/memberships/", LIST, outsiders=ACCT),
    "GET /memberships/{id}/": C(V + "/memberships/{membership}/", FOREIGN, outsiders=ACCT),
    "DELETE /memberships/{id}/": C(
        V + "/memberships/{membership}/",
        FOREIGN,
        readonly=("member_a",),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "POST /memberships/{id}/role/": C(
        V + "/memberships/{membership}/role/",
        FOREIGN,
        {"role": "admin"},
        readonly=("member_a",),
        allowed="admin_a",
        outsiders=ACCT,
    ),
    "GET /notification-preferences/": C(V + "/notification-preferences/", OWN),
    "PUT /notification-preferences/": C(
        V + "/notification-preferences/",
        OWN,
        {"preferences": [{"kind": "mention", "delivery": "off"}]},
    ),
    "GET /notification-preferences/{kind}/": C(V + "/notification-preferences/mention/", OWN),
    "PUT /notification-preferences/{kind}/": C(
        V + "/notification-preferences/mention/", OWN, {"delivery": "off"}
    ),
    "GET /notifications/": C(V + "/notifications/", LIST),
    "GET /notifications/{id}/": C(V + "/notifications/{notification}/", FOREIGN),
    "POST /notifications/read/": C(V + "/notifications/read/", OWN, {"ids": ["{notification}"]}),
    "POST /notifications/read-all/": C(V + "/notifications/read-all/", OWN, {}),
    "GET /outcomes/": C(V + "/outcomes/", INTERNAL),
    "POST /outcomes/": C(
        V + "/outcomes/",
        NAMED,
        {"account": "{account}", "kind": "expanded", "occurred_on": TODAY, "amount": "1000"},
        readonly=("member_a", "admin_a", "product_manager"),
        allowed="account_manager_a",
        outsiders=ACCT,
    ),
    "POST /people/{id}/erase/": C(
        V + "/people/{person}/erase/",
        FOREIGN,
        {},
        readonly=("member_a", "admin_a", "account_manager_a", "product_manager"),
        outsiders=ACCT,
    ),
    "GET /people/{id}/profile/": C(V + "/people/{person}/profile/", FOREIGN, outsiders=ACCT),
    "GET /pilots/": C(V + "/pilots/", LIST),
    "POST /pilots/": C(
        V + "/pilots/",
        NAMED,
        {**PILOT, "idea": "{idea}"},
        readonly=NOT_PM,
    ),
    "GET /pilots/{id}/": C(V + "/pilots/{pilot}/", FOREIGN),
    "PUT /pilots/{id}/": C(V + "/pilots/{pilot}/", FOREIGN, {"title": "Hijack Hacked"}),  # 405
    "PATCH /pilots/{id}/": C(
        V + "/pilots/{pilot}/",
        FOREIGN,
        {"title": "Hijack Hacked"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "POST /pilots/{id}/agreement/accept/": C(
        V + "/pilots/{pilot}/agreement/accept/", FOREIGN, {}, readonly=("member_a",)
    ),
    "POST /pilots/{id}/agreements/": C(
        V + "/pilots/{pilot}/agreements/",
        FOREIGN,
        {"title": "Pilot agreement", "text": "Hijack v2"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "POST /pilots/{id}/decision/": C(
        V + "/pilots/{pilot}/decision/",
        FOREIGN,
        {"decision": "adopt", "outcome_note": "Hijack"},
        readonly=NOT_PM,
    ),
    "POST /pilots/{id}/enrol/": C(
        V + "/pilots/{pilot}/enrol/", FOREIGN, {}, readonly=("account_manager_a",)
    ),
    "GET /pilots/{id}/instrument/": C(INSTRUMENT + "/", FOREIGN),
    "GET /pilots/{id}/instrument/dimensions/": C(INSTRUMENT + "/dimensions/", FOREIGN),
    "POST /pilots/{id}/instrument/dimensions/": C(
        INSTRUMENT + "/dimensions/",
        FOREIGN,
        {"label": "Hijack"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "GET /pilots/{id}/instrument/dimensions/{dimension_id}/": C(
        INSTRUMENT + "/dimensions/{dimension}/", FOREIGN
    ),
    "PATCH /pilots/{id}/instrument/dimensions/{dimension_id}/": C(
        INSTRUMENT + "/dimensions/{dimension}/",
        FOREIGN,
        {"label": "Hijack"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "DELETE /pilots/{id}/instrument/dimensions/{dimension_id}/": C(
        INSTRUMENT + "/dimensions/{dimension}/",
        FOREIGN,
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "POST /pilots/{id}/instrument/dimensions/{dimension_id}/move/": C(
        INSTRUMENT + "/dimensions/{dimension}/move/",
        FOREIGN,
        {"direction": "down"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "GET /pilots/{id}/instrument/questions/": C(INSTRUMENT + "/questions/", FOREIGN),
    "POST /pilots/{id}/instrument/questions/": C(
        INSTRUMENT + "/questions/",
        FOREIGN,
        QUESTION,
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "GET /pilots/{id}/instrument/questions/{question_id}/": C(
        INSTRUMENT + "/questions/{question}/", FOREIGN
    ),
    "PATCH /pilots/{id}/instrument/questions/{question_id}/": C(
        INSTRUMENT + "/questions/{question}/",
        FOREIGN,
        {"prompt": "Hijack"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "DELETE /pilots/{id}/instrument/questions/{question_id}/": C(
        INSTRUMENT + "/questions/{question}/",
        FOREIGN,
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "POST /pilots/{id}/instrument/questions/{question_id}/move/": C(
        INSTRUMENT + "/questions/{question}/move/",
        FOREIGN,
        {"direction": "down"},
        readonly=NOT_PM,
    ),
    "POST /pilots/{id}/invitations/": C(
        V + "/pilots/{pilot}/invitations/", FOREIGN, {"accounts": ["globex"]}, readonly=NOT_PM
    ),
    "POST /pilots/{id}/invite-supporters/": C(
        V + "/pilots/{pilot}/invite-supporters/",
        FOREIGN,
        {},
        readonly=NOT_PM,
    ),
    "POST /pilots/{id}/publish/": C(V + "/pilots/{pilot}/publish/", FOREIGN, {}, readonly=NOT_PM),
    "GET /pilots/{id}/effect/": C(V + "/pilots/{pilot}/effect/", FOREIGN),
    "GET /pilots/{id}/results/": C(V + "/pilots/{pilot}/results/", FOREIGN),
    "GET /pilots/{id}/calibration/": C(V + "/pilots/{pilot}/calibration/", FOREIGN),
    "POST /pilots/{id}/state/": C(
        V + "/pilots/{pilot}/state/",
        FOREIGN,
        {"state": "running"},
        readonly=NOT_PM,
        allowed="product_manager",
    ),
    "GET /posts/{id}/": C(V + "/posts/{post}/", FOREIGN),
    "PATCH /posts/{id}/": C(
        V + "/posts/{post}/",
        FOREIGN,
        {"body": "Hijack mine"},
        readonly=("member_a",),
        allowed="admin_a",
    ),
    "POST /posts/{id}/flag/": C(V + "/posts/{post}/flag/", FOREIGN, {"reason": "Hijack"}),
    "POST /posts/{id}/hide/": C(
        V + "/posts/{post}/hide/",
        FOREIGN,
        {"reason": "Hijack"},
        readonly=STEWARD_ONLY,
        allowed="steward",
    ),
    "DELETE /posts/{id}/hide/": C(V + "/posts/{post}/hide/", FOREIGN, readonly=STEWARD_ONLY),
    "POST /posts/{id}/reactions/": C(V + "/posts/{post}/reactions/", FOREIGN, {"kind": "like"}),
    "GET /posts/{id}/revisions/": C(V + "/posts/{post}/revisions/", FOREIGN),
    "GET /threads/": C(V + "/threads/", LIST),
    "POST /threads/": C(
        V + "/threads/", NAMED, {"garden": "{garden}", "title": "Hijack", "body": "Hijack"}
    ),
    "GET /threads/{id}/": C(V + "/threads/{thread}/", FOREIGN),
    "GET /threads/{id}/posts/": C(V + "/threads/{thread}/posts/", FOREIGN),
    "POST /threads/{id}/posts/": C(V + "/threads/{thread}/posts/", FOREIGN, {"body": "Hijack"}),
    "GET /webhooks/": C(V + "/webhooks/", INTERNAL),
    "POST /webhooks/": C(
        V + "/webhooks/",
        INTERNAL,
        {"url": "https://hooks.example/zqx2"},
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
    "POST /webhooks/{id}/deactivate/": C(
        V + "/webhooks/{endpoint}/deactivate/",
        INTERNAL,
        {},
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
    "POST /webhooks/{id}/reactivate/": C(
        V + "/webhooks/{endpoint}/reactivate/", INTERNAL, {}, readonly=ADMIN_ONLY_INTERNAL
    ),
    "GET /webhooks/deliveries/": C(V + "/webhooks/deliveries/", INTERNAL),
    "POST /webhooks/deliveries/{id}/retry/": C(
        V + "/webhooks/deliveries/{delivery}/retry/",
        INTERNAL,
        {},
        readonly=ADMIN_ONLY_INTERNAL,
        allowed="programme_admin",
    ),
}

# --- Finding every route and every schema operation -------------------------------------------

HTTP = ("get", "post", "put", "patch", "delete")
SCHEMA = settings.BASE_DIR / "docs" / "openapi.yaml"


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            space = f"{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), space)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}", pattern


def _methods(pattern) -> set[str]:
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions) - {"head"}  # DRF adds "head" once the view has served a GET
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    return {m for m in HTTP if hasattr(view_class, m)}


def routes() -> tuple[set[str], set[tuple[str, str]]]:
    """Page URL names, and (URL name, method) of the API, from the URL resolver."""
    pages, api = set(), set()
    for route, name, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # the Django admin: its own login and staff check (test_routes_anonymous)
        if route.startswith("api/v1/"):
            api |= {(name, method) for method in _methods(pattern)}
        else:
            pages.add(name)
    return pages, api


def schema_operations() -> set[str]:
    """ "METHOD path" of every operation of the committed schema, path without /api/v1."""
    paths = yaml.safe_load(SCHEMA.read_text())["paths"]
    return {
        f"{method.upper()} {path.removeprefix(V)}"
        for path, item in paths.items()
        for method in HTTP
        if method in item
    }


def _sample(url: str) -> str:
    """The row's route with sample values, without its query string."""
    return re.sub(r"\{\w+\}", "1", url).split("?", 1)[0]


def _api_route(key: str) -> tuple[str, str]:
    method, _ = key.split(" ", 1)
    return resolve(_sample(API[key].url)).url_name, method.lower()


# Routes that are another route under a second name (django-allauth reverses its own names).
SECOND_NAMES = {"account_login": "login", "account_logout": "logout"}


def test_every_route_and_schema_operation_has_a_case():
    pages, api = routes()
    assert len(pages) > 100 and len(api) > 100  # the walk found the site
    case_pages = {resolve(_sample(case.url)).view_name for case in PAGES.values()}
    assert case_pages == {SECOND_NAMES.get(name, name) for name in PAGES}, (
        "a page row's URL is not the route it names"
    )
    assert pages == set(PAGES), "routes without a row (+) or rows without a route (-)"
    assert {_api_route(key) for key in API} == api
    assert schema_operations() <= set(API), sorted(schema_operations() - set(API))


# --- The world, built once per module inside a transaction rolled back at its end --------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def _fill(template: str, ids: dict) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), template)


def _data(data, ids: dict):
    """The body with its placeholders filled: "{idea}" alone keeps the id's own type."""
    if isinstance(data, dict):
        return {key: _data(value, ids) for key, value in data.items()}
    if isinstance(data, list):
        return [_data(value, ids) for value in data]
    if isinstance(data, str) and re.fullmatch(r"\{\w+\}", data):
        return ids[data[1:-1]]
    return data


def _missing(ids: dict) -> dict:
    """The same placeholders naming objects that do not exist."""
    return {k: 999_999 if isinstance(v, int) else "no-such" for k, v in ids.items()}


def _request(client, world, user, method: str, case: Case, *, api: bool, ids=None):
    ids = ids or world.ids
    url, data = _fill(case.url, ids), _data(case.data or {}, ids)
    if api:
        api_login(client, user)
        return getattr(client, method)(url, data, format="json")
    if user is None:
        client.logout()
    else:
        client.force_login(user)
    return client.get(url) if method == "get" else client.post(url, data)


def _text(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _traces(response, *, allowed: tuple[str, ...] = ()) -> list[str]:
    """The foreign texts the response shows, once the `allowed` ones are taken out."""
    text = _text(response)
    for words in allowed:
        text = text.replace(words, "")
    # A marker as a word of its own: a random token of B's own (a recovery code, a key) may
    # hold the letters "ZQX" by chance (seen once on a recovery-codes download).
    return [
        marker
        for marker in FOREIGN_TEXTS
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(marker)}(?![A-Za-z0-9])", text)
    ]


def _calls(key: str):
    """(client kind, method, case) of a row: pages are tried with GET and POST."""
    if key in PAGES:
        return [(False, method, PAGES[key]) for method in PAGES[key].methods]
    method = key.split(" ", 1)[0].lower()
    return [(True, method, API[key])]


ALL_KEYS = list(PAGES) + list(API)


def _client(key, client, api):
    return api if key in API else client


def _problem(persona, method, response, expected) -> str:
    return f"{persona} {method.upper()}: {response.status_code}, expected {expected}"


# --- (a) Anonymous visitors -------------------------------------------------------------------


@OTHERS_GROUP
@pytest.mark.parametrize("key", ALL_KEYS)
def test_anonymous_visitors_are_turned_away(db, world, client, api, key):
    problems = []
    before = snapshot()
    for is_api, method, case in _calls(key):
        response = _request(_client(key, client, api), world, None, method, case, api=is_api)
        status = response.status_code
        if case.kind == PUBLIC:
            if status >= 500:
                problems.append(_problem("anonymous", method, response, "no 5xx"))
        elif is_api or case.url.startswith("/api/") or case.kind == TOKEN:
            if status != 401:
                problems.append(_problem("anonymous", method, response, 401))
        elif status == 302:
            if not response["Location"].startswith("/login/?next="):
                problems.append(f"anonymous {method.upper()}: redirected to {response['Location']}")
        elif status != 405:
            problems.append(_problem("anonymous", method, response, "a login redirect"))
        if case.kind != PUBLIC:  # (the login form shows back the address typed in)
            problems += [f"anonymous {method.upper()}: shows {t!r}" for t in _traces(response)]
    problems += changes(before, snapshot(), allow_new=False)
    assert not problems


# --- (b) Outsiders: account B's people on account A's objects ---------------------------------


def _outsider_problems(persona, method, case, response, missing, allowed=()) -> list[str]:
    """What is wrong with an outsider's answer (`missing`: the answer for objects that do not
    exist, on routes naming objects; `allowed`: foreign texts the persona may read)."""
    status = response.status_code
    found = []
    kind = OWN if case.kind == NAMED and method == "get" else case.kind  # a creation form
    if kind == TOKEN:
        if status != 401:
            found.append(_problem(persona, method, response, "401 (a SCIM token only)"))
    elif kind in (FOREIGN, INTERNAL, NAMED):
        if status != missing.status_code:
            found.append(_problem(persona, method, response, f"{missing.status_code} (no object)"))
        if status < 400:
            found.append(_problem(persona, method, response, "a refusal"))
        if kind == FOREIGN and status not in (404, 405):
            found.append(_problem(persona, method, response, 404))
    elif kind == LIST and method == "get" and status not in (200, 302):
        # 302: a customer's account list is their own account's page
        found.append(_problem(persona, method, response, 200))
    elif status >= 500:
        found.append(_problem(persona, method, response, "no 5xx"))
    shown = _traces(response, allowed=allowed)
    return found + [f"{persona} {method.upper()}: shows {t!r}" for t in shown]


OUTSIDER_KEYS = [key for key in ALL_KEYS if (PAGES.get(key) or API.get(key)).kind != PUBLIC]


@OUTSIDERS_GROUP
@pytest.mark.parametrize("key", OUTSIDER_KEYS)
def test_outsiders_get_404_for_account_a_objects_and_see_no_row_of_it(db, world, client, api, key):
    problems = []
    for is_api, method, case in _calls(key):
        missing = {}  # the answer for objects that do not exist, per kind of person
        for persona in case.outsiders:
            user = world.people[persona]
            before = snapshot()
            http = _client(key, client, api)
            response = _request(http, world, user, method, case, api=is_api)
            after = snapshot()
            strict = case.kind in (FOREIGN, INTERNAL, TOKEN) or (
                case.kind == NAMED and method != "get"
            )
            kind_of_person = "customer" if persona in CUSTOMERS else persona
            if strict and kind_of_person not in missing:  # B's member and admin: asked once
                missing[kind_of_person] = _request(
                    http, world, user, method, case, api=is_api, ids=_missing(world.ids)
                )
            problems += _outsider_problems(
                persona, method, case, response, missing.get(kind_of_person)
            )
            problems += [
                f"{persona} {method.upper()}: {c}"
                for c in changes(before, after, allow_new=not strict)
            ]
    assert not problems


# --- (b3) Another account's SCIM token on account A's people ------------------------------------

# (row, method, body): A's person or A's person named in a group, and the lists.
SCIM_FOREIGN = [
    ("scim:user", "get", None),
    ("scim:user", "put", {"userName": "hijack@globex.example"}),
    ("scim:user", "patch", {"Operations": [{"op": "replace", "value": {"active": False}}]}),
    ("scim:user", "delete", None),
    (
        "scim:group",
        "patch",
        {"Operations": [{"op": "add", "path": "members", "value": [{"value": "{person}"}]}]},
    ),
    ("scim:group", "put", {"displayName": "Admins", "members": [{"value": "{person}"}]}),
    ("scim:users", "get", None),
    ("scim:groups", "get", None),
]


@OUTSIDERS_GROUP
@pytest.mark.parametrize(
    ("key", "method", "body"), SCIM_FOREIGN, ids=[f"{k}-{m}" for k, m, _ in SCIM_FOREIGN]
)
def test_another_accounts_scim_token_reaches_nothing_of_a(db, world, key, method, body):
    admin_b = world.people["admin_b"]
    _, raw = scim_token_create(
        account=admin_b.membership.account, name="Globex Okta", created_by=admin_b
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/scim/v2/Schemas")  # the token's first use is recorded before the snapshot

    def send(ids):
        url = _fill(PAGES[key].url, ids)
        if body is None:
            return getattr(client, method)(url)
        data = json.dumps(_data(body, ids))
        return getattr(client, method)(url, data, content_type="application/scim+json")

    before = snapshot()
    response = send(world.ids)
    problems = [
        f"B's token {method.upper()}: {c}" for c in changes(before, snapshot(), allow_new=False)
    ]
    problems += [f"B's token {method.upper()}: shows {t!r}" for t in _traces(response)]
    if "{" in PAGES[key].url or "{" in json.dumps(body):
        missing = send(_missing(world.ids))
        if response.status_code < 400 or response.json() != missing.json():
            problems.append(f"B's token: {response.status_code}, expected the answer for no one")
    elif response.status_code != 200:
        problems.append(f"B's token {method.upper()}: {response.status_code}, expected 200")
    assert not problems


# --- (b2) An account invited to A's garden that has not answered --------------------------------

INVITED = ("admin_c", "member_c")
# The garden itself, which C's admin sees to answer its invitation: (row, method) → her answer.
# Everything else of the garden's answers her as it answers a stranger.
SEES_THE_GARDEN = {
    ("community:garden-detail", "get"): 200,  # the charter and the invitation
    ("community:garden-join", "post"): 403,  # not before the account accepts
    ("community:garden-leave", "post"): 302,  # not a member: nothing to leave
    ("community:garden-edit", "get"): 403,
    ("community:garden-edit", "post"): 403,
    ("community:garden-invitations", "get"): 403,
    ("community:garden-invitations", "post"): 403,
    ("community:garden-invitation-remove", "post"): 403,
    ("community:garden-chat-channels", "get"): 403,
    ("community:garden-chat-channels", "post"): 403,
    ("GET /gardens/{slug}/", "get"): 200,
    ("PATCH /gardens/{slug}/", "patch"): 403,
    ("POST /gardens/{slug}/join/", "post"): 400,  # the service's refusal, in the API's form
    ("POST /gardens/{slug}/leave/", "post"): 204,
    ("POST /garden-invitations/", "post"): 403,
}


@OUTSIDERS_GROUP
@pytest.mark.parametrize("key", OUTSIDER_KEYS)
def test_an_invited_account_sees_the_garden_itself_and_nothing_inside_it(
    db, world, client, api, key
):
    problems = []
    for is_api, method, case in _calls(key):
        for persona in INVITED:
            user = world.people[persona]
            http = _client(key, client, api)
            before = snapshot()
            response = _request(http, world, user, method, case, api=is_api)
            after = snapshot()
            strict = case.kind in (FOREIGN, INTERNAL, TOKEN) or (
                case.kind == NAMED and method != "get"
            )
            allowed = GARDEN_ITSELF if persona == "admin_c" else ()
            expected = SEES_THE_GARDEN.get((key, method)) if persona == "admin_c" else None
            if expected is not None:
                if response.status_code != expected:
                    problems.append(_problem(persona, method, response, expected))
                problems += [
                    f"{persona} {method.upper()}: shows {t!r}"
                    for t in _traces(response, allowed=allowed)
                ]
            else:
                missing = None
                if strict:
                    missing = _request(
                        http, world, user, method, case, api=is_api, ids=_missing(world.ids)
                    )
                problems += _outsider_problems(persona, method, case, response, missing, allowed)
            own = expected is not None  # her own visit may be recorded, nothing else
            problems += [
                f"{persona} {method.upper()}: {c}"
                for c in changes(before, after, allow_new=own or not strict)
            ]
    assert not problems


# --- (c) Read-only roles: a write on something they can see -----------------------------------

READONLY = [
    (key, persona) for key in ALL_KEYS for persona in (PAGES.get(key) or API.get(key)).readonly
]


@OTHERS_GROUP
@pytest.mark.parametrize(("key", "persona"), READONLY, ids=[f"{k}-{p}" for k, p in READONLY])
def test_read_only_roles_get_403_on_writes_and_nothing_changes(
    db, world, client, api, key, persona
):
    is_api, method, case = _calls(key)[-1]  # pages: the POST (or the GET of a GET-only page)
    if not is_api and case.data is None:
        method = "get"
    before = snapshot()
    response = _request(
        _client(key, client, api), world, world.people[persona], method, case, api=is_api
    )
    assert response.status_code == 403, (response.status_code, _text(response)[:300])
    assert changes(before, snapshot(), allow_new=False) == []


ALLOWED = [key for key in ALL_KEYS if (PAGES.get(key) or API.get(key)).allowed]


@OTHERS_GROUP
@pytest.mark.parametrize("key", ALLOWED)
def test_the_same_write_succeeds_for_the_persona_allowed_to_do_it(db, world, client, api, key):
    """The refusals above are about the person: the allowed persona's identical request
    changes the rows."""
    is_api, method, case = _calls(key)[-1]
    before = snapshot()
    response = _request(
        _client(key, client, api), world, world.people[case.allowed], method, case, api=is_api
    )
    assert response.status_code < 400, (response.status_code, _text(response)[:500])
    assert changes(before, snapshot(), allow_new=True) or any(
        set(snapshot()[label]) - set(rows) for label, rows in before.items()
    ), "nothing was written"
