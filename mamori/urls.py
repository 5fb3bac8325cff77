from django.contrib import admin
from django.urls import include, path

from mamori.core.views.admin_login import admin_login

urlpatterns = [
    path("", include("mamori.core.urls")),
    path("org/", include("mamori.org.urls")),
    path("policies/", include("mamori.policies.urls")),
    path("assets/", include("mamori.assets.urls")),
    path("controls/", include("mamori.controls.urls")),
    path("risks/", include("mamori.risks.urls")),
    path("incidents/", include("mamori.incidents.urls")),
    path("web/", include("mamori.websec.urls")),
    path("improvement/", include("mamori.improvement.urls")),
    path("audits/", include("mamori.audits.urls")),
    path("training/", include("mamori.training.urls")),
    path("contractors/", include("mamori.contractors.urls")),
    # The vendor portal: a contractor's link, no account (mamori.contractors.portal).
    path("portal/", include("mamori.contractors.portal_urls")),
    path("continuity/", include("mamori.continuity.urls")),
    path("compliance/", include("mamori.compliance.urls")),
    path("review/", include("mamori.review.urls")),
    path("identity/", include("mamori.identity.urls")),
    path("api/", include(("mamori.core.api.urls", "api"))),
    # Provisioning by identity providers (SCIM 2.0, a bearer token per client).
    path("scim/v2/", include("mamori.identity.scim.urls")),
    path("accounts/", include("mamori.core.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/login/", admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
]

# JSON under /api/, pages in the site's layout and the reader's language elsewhere.
handler400 = "mamori.core.views.errors.bad_request"
handler403 = "mamori.core.views.errors.forbidden"
handler404 = "mamori.core.views.errors.not_found"
handler500 = "mamori.core.views.errors.server_error"
