from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", include("mamori.core.urls")),
    path("org/", include("mamori.org.urls")),
    path("policies/", include("mamori.policies.urls")),
    path("assets/", include("mamori.assets.urls")),
    path("controls/", include("mamori.controls.urls")),
    path("risks/", include("mamori.risks.urls")),
    path("incidents/", include("mamori.incidents.urls")),
    path("web/", include("mamori.websec.urls")),
    path("api/", include(("mamori.core.api.urls", "api"))),
    path("accounts/", include("mamori.core.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Django admin's own login form asks for the password alone and is not rate limited:
    # everyone signs in through Mamori's login (password, then the second factor), which
    # returns to the admin page asked for (`?next=` is kept).
    path("admin/login/", RedirectView.as_view(pattern_name="account_login", query_string=True),
         name="admin_login_redirect"),
    path("admin/", admin.site.urls),
]

handler404 = "mamori.core.views.errors.not_found"
handler403 = "mamori.core.views.errors.forbidden"
