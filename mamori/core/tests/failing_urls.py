"""The site's URLs plus a page and an API path that fail with a server error, for the error
page tests (core/tests/test_error_pages.py); the site's error handlers with them."""

from django.urls import path

from mamori.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("broken/", broken),
    path("api/broken/", broken),
    *urlpatterns,
]
