"""URLs of SCIM 2.0 provisioning under /scim/v2/ (namespace `scim`), spelled as RFC 7644 does:
an identity provider appends `/Users`, `/Groups`… to the base URL, with no trailing slash."""

from django.urls import path

from accounts.api import scim

app_name = "scim"

urlpatterns = [
    path(
        "ServiceProviderConfig",
        scim.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    path("ResourceTypes", scim.ResourceTypesView.as_view(), name="resource-types"),
    path("Schemas", scim.SchemasView.as_view(), name="schemas"),
    path("Users", scim.UsersView.as_view(), name="users"),
    path("Users/<str:pk>", scim.UserView.as_view(), name="user"),
    path("Groups", scim.GroupsView.as_view(), name="groups"),
    path("Groups/<str:pk>", scim.GroupView.as_view(), name="group"),
]
