from django.urls import path, re_path

from mamori.identity.scim import views

app_name = "scim"

urlpatterns = [
    path("ServiceProviderConfig", views.ServiceProviderConfigView.as_view(),
         name="service_provider_config"),
    path("ResourceTypes", views.ResourceTypesView.as_view(), name="resource_types"),
    path("ResourceTypes/<str:name>", views.ResourceTypesView.as_view(), name="resource_type"),
    path("Schemas", views.SchemasView.as_view(), name="schemas"),
    path("Schemas/<str:urn>", views.SchemasView.as_view(), name="schema"),
    path("Users", views.UsersView.as_view(), name="users"),
    path("Users/.search", views.SearchView.as_view(kinds=("users",)), name="users_search"),
    path("Groups/.search", views.SearchView.as_view(kinds=("groups",)), name="groups_search"),
    path(".search", views.SearchView.as_view(), name="search"),
    path("Users/<uuid:scim_id>", views.UserView.as_view(), name="user"),
    path("Groups", views.GroupsView.as_view(), name="groups"),
    path("Groups/<uuid:scim_id>", views.GroupView.as_view(), name="group"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="not_found"),
]
