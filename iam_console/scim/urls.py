"""The SCIM door's routes, under /scim/v2/ (each with and without a trailing slash: identity providers differ)."""

from django.urls import re_path

from iam_console.scim import discovery, views

app_name = "scim"

urlpatterns = [
    re_path(r"^Users/?$", views.UsersView.as_view(), name="users"),
    re_path(r"^Users/(?P<user_id>[^/]+)/?$", views.UserView.as_view(), name="user"),
    re_path(r"^Groups/?$", views.GroupsView.as_view(), name="groups"),
    re_path(r"^Groups/(?P<group_id>[^/]+)/?$", views.GroupView.as_view(), name="group"),
    re_path(r"^ServiceProviderConfig/?$", discovery.ServiceProviderConfigView.as_view(),
            name="service-provider-config"),
    re_path(r"^ResourceTypes/?$", discovery.ResourceTypesView.as_view(), name="resource-types"),
    re_path(r"^ResourceTypes/(?P<name>[^/]+)/?$", discovery.ResourceTypesView.as_view(), name="resource-type"),
    re_path(r"^Schemas/?$", discovery.SchemasView.as_view(), name="schemas"),
    re_path(r"^Schemas/(?P<schema_id>[^/]+)/?$", discovery.SchemasView.as_view(), name="schema"),
]
