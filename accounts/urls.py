"""URLs of the accounts pages (namespace `accounts`)."""

from django.urls import path

from accounts import audit_views, sso_views, views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/api-token/", views.api_token_create, name="api-token-create"),
    path("profile/api-tokens/<str:key>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("profile/data/", views.personal_data_download, name="personal-data-download"),
    path("people/<int:pk>/erase/", views.person_erase, name="person-erase"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/<slug:slug>/", views.account_detail, name="account-detail"),
    path("accounts/<slug:slug>/sso/", sso_views.sso_settings, name="sso-settings"),
    path("accounts/<slug:slug>/history/", audit_views.account_history, name="account-history"),
    path("settings/audit/", audit_views.audit_trail, name="audit-trail"),
    path("login/sso/", sso_views.sso_login, name="sso-login"),
    path("auth/reauthenticate/sso/", sso_views.sso_reauthenticate, name="sso-reauthenticate"),
    path("accounts/<slug:slug>/invite/", views.invitation_create, name="invitation-create"),
    path("accounts/<slug:slug>/scim-tokens/", views.scim_token_create, name="scim-token-create"),
    path("scim-tokens/<int:pk>/revoke/", views.scim_token_revoke, name="scim-token-revoke"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("members/<int:pk>/role/", views.membership_role, name="membership-role"),
    path("members/<int:pk>/remove/", views.membership_remove, name="membership-remove"),
]
