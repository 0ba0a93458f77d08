"""The site's URLs: each app's pages and API, the schema and API docs, the admin, health."""

from allauth.account import views as allauth_views
from allauth.socialaccount.providers.openid_connect import views as openid_connect_views
from allauth.socialaccount.providers.saml import views as saml_views
from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import sso_views
from accounts.forms import LoginForm, SsoPasswordResetForm
from accounts.views import LoginView, PasswordResetConfirmView
from config import health

api_v1 = [
    path("", include("accounts.api.urls")),
    path("", include("community.api.urls")),
    path("", include("ideas.api.urls")),
]

urlpatterns = [
    # The API first: Django tries the patterns in order, and the pages' ~400 (none starts with
    # api/) cost each API call a tenth of its time to walk past. No page pattern matches an API
    # path, so the order decides nothing else (tests/test_urls_order.py).
    path("api/v1/", include(api_v1)),
    path("", include("accounts.urls")),
    path("", include("community.urls")),
    path("", include("ideas.urls")),
    path("login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The same two pages under the names allauth reverses (its stages send a person back to
    # the login; its second-factor page offers to log out).
    path("login/", LoginView.as_view(authentication_form=LoginForm), name="account_login"),
    path("logout/", auth_views.LogoutView.as_view(), name="account_logout"),
    # Two-factor authentication: the second step of a login, and each person's own setup.
    path("auth/2fa/", include("allauth.mfa.urls")),
    # Single sign-on: allauth's OpenID Connect callback, per account's provider
    # (accounts/single_sign_on.py). The sign-in starts at /login/sso/, which finds the provider
    # from the address; allauth's own start page is not served.
    path(
        "auth/oidc/<str:provider_id>/login/callback/",
        openid_connect_views.callback,
        name="openid_connect_callback",
    ),
    # SAML 2.0, per account's provider (and the company's for staff, "staff"): allauth's
    # assertion consumer service (the provider posts the answer there; it is kept aside and
    # checked on the next, same-site request) and the end of the sign-in, each in a view of ours
    # (a POST to a provider that is set up; an answer to no request of ours refused with the
    # reason), and allauth's metadata of ours, whose URL is our entity ID. Single logout is not
    # offered; its URL, which allauth writes into our metadata, says so.
    path("auth/saml/<str:organization_slug>/acs/", sso_views.saml_acs, name="saml_acs"),
    path(
        "auth/saml/<str:organization_slug>/acs/finish/",
        sso_views.saml_finish,
        name="saml_finish_acs",
    ),
    path("auth/saml/<str:organization_slug>/metadata/", saml_views.metadata, name="saml_metadata"),
    path(
        "auth/saml/<str:organization_slug>/sls/",
        sso_views.saml_single_logout,
        name="saml_sls",
    ),
    path("auth/reauthenticate/", allauth_views.reauthenticate, name="account_reauthenticate"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(form_class=SsoPasswordResetForm),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    # SCIM 2.0 provisioning by an account's identity provider, with the account's SCIM token.
    path("scim/v2/", include("accounts.api.scim_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI's script comes from a URL of its own (split view), so script-src stays strict;
    # its stylesheet carries inline styles, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("healthz/", health.healthz, name="healthz"),
]

# Error pages inside the frame with a way back; JSON under /api/ (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

# The demo's sent emails (/demo/emails/): not in production, which has no demo app; elsewhere
# 404 unless DEMO_EMAILS is on (dev and `make demo`).
if apps.is_installed("demo"):
    urlpatterns.append(path("", include("demo.urls")))
