"""URLs of the accounts API under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api import audit, sso, views

router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("account-teams", views.TeamAssignmentViewSet, basename="account-team")
router.register("invitations", views.InvitationViewSet, basename="invitation")
router.register("me/tokens", views.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/data/", views.MyDataView.as_view(), name="me-data"),
    path("people/<int:pk>/erase/", views.PersonEraseView.as_view(), name="person-erase"),
    # An account's single sign-on settings (its admin and programme admins).
    path(
        "accounts/<slug:slug>/identity-provider/",
        sso.IdentityProviderView.as_view(),
        name="identity-provider",
    ),
    path(
        "accounts/<slug:slug>/email-domains/",
        sso.EmailDomainListView.as_view(),
        name="email-domain-list",
    ),
    path(
        "accounts/<slug:slug>/email-domains/<str:domain>/",
        sso.EmailDomainView.as_view(),
        name="email-domain-detail",
    ),
    path("audit-entries/", audit.AuditEntryListView.as_view(), name="audit-entries"),
    *router.urls,
]
