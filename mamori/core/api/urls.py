"""/api/: every app's API under one router, the schema and offline Swagger UI."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from mamori.core.api import (
    docs,
    schema,  # noqa: F401  (registers the auth schemes)
    views,
)

router = SimpleRouter()
router.register("changelog", views.ChangeLogViewSet, basename="changelog")
router.register("tokens", views.ApiTokenViewSet, basename="apitoken")

urlpatterns = [
    path("conformance/", views.ConformanceView.as_view(), name="conformance"),
    path("conformance/<str:code>/", views.ConformanceCheckView.as_view(),
         name="conformance_check"),
    path("org/", include("mamori.org.api.urls")),
    path("policies/", include("mamori.policies.api.urls")),
    path("assets/", include("mamori.assets.api.urls")),
    path("controls/", include("mamori.controls.api.urls")),
    path("risks/", include("mamori.risks.api.urls")),
    path("incidents/", include("mamori.incidents.api.urls")),
    path("websec/", include("mamori.websec.api.urls")),
    path("improvement/", include("mamori.improvement.api.urls")),
    path("audits/", include("mamori.audits.api.urls")),
    path("training/", include("mamori.training.api.urls")),
    path("contractors/", include("mamori.contractors.api.urls")),
    path("continuity/", include("mamori.continuity.api.urls")),
    path("compliance/", include("mamori.compliance.api.urls")),
    path("review/", include("mamori.review.api.urls")),
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so
    # the strict Content-Security-Policy holds on this page too.
    path("docs/", docs.DocsView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]
