"""Error pages: JSON under /api/ (what API clients and the OpenAPI schema expect), and pages
in the site's layout and the reader's language elsewhere, with a way back.

An error page must not fail itself. 400, 403, 404 and a refused CSRF check are answered while
the site works, so they use the full layout (navigation, language switch), falling back to
the plain page if rendering that fails. 500 always uses the plain page: it is shown when
something is broken (the database, a template, the code), so it asks nothing of the request,
the database or the context processors, only the language the middleware already chose.
"""

import logging
from pathlib import Path

from django.http import HttpResponse, JsonResponse
from django.template import Context, Engine, loader
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

logger = logging.getLogger(__name__)


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def previous_page(request) -> str:
    """The page the reader came from, when it is a page of this site (the Referer header; the
    site's Referrer-Policy sends it only within the site), else ""."""
    try:
        referer = request.headers.get("Referer", "")
        host = request.get_host()
    except Exception:  # a 400 may be about the very Host header
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host},
                                                   require_https=request.is_secure()):
        return referer
    return ""


def stylesheets() -> list[str]:
    """The layout's stylesheets, or none if even their names cannot be had (a 500 page is
    readable unstyled)."""
    try:
        return [static("vendor/tabler/tabler.min.css"), static("mamori/mamori.css")]
    except Exception:  # e.g. a manifest missing after a broken deploy
        return []


# Only this app's templates, the i18n tags and no context processors: nothing the request,
# the database or another app's code could break.
PLAIN_ENGINE = Engine(dirs=[Path(__file__).resolve().parents[1] / "templates"],
                      libraries={"i18n": "django.templatetags.i18n"})


def plain_page(status: int, title: str, message: str, back: str = "") -> HttpResponse:
    """The page without the layout: a template of its own, rendered by a bare template engine
    with only the values given here."""
    html = PLAIN_ENGINE.get_template("core/error_plain.html").render(Context({
        "language": get_language() or "ja", "title": title, "message": message,
        "back": back, "stylesheets": stylesheets(), "status": status}))
    return HttpResponse(html, status=status)


def error_page(request, status: int, title: str, message: str) -> HttpResponse:
    """The page in the site's layout; the plain page if that cannot be rendered."""
    back = previous_page(request)
    try:
        html = loader.render_to_string("core/error.html", {
            "status": status, "title": title, "message": message, "back": back,
        }, request=request)
    except Exception:  # a 400 may be about the very Host header
        logger.exception("the %s page could not be rendered in the layout", status)
        return plain_page(status, title, message, back)
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": _("The request could not be understood.")}, status=400)
    return error_page(request, 400, _("Bad request"),
                      _("The request could not be understood. Check the address, or go back "
                        "and try again."))


def forbidden(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": _("You do not have permission to do this.")}, status=403)
    # A refusal raised with a sentence for the reader (PermissionDenied(_("…"))) says why.
    reason = str(exception) if exception is not None and exception.args else ""
    return error_page(request, 403, _("Not permitted"),
                      reason or _("Your role or scope does not include this page or action. "
                                  "If you need it, ask your information manager or the CISO."))


def not_found(request, exception=None):
    if is_api(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return error_page(request, 404, _("Page not found"),
                      _("There is no such page, or it is outside what you may see. It may "
                        "have been deleted, or the address may be mistyped."))


def server_error(request):
    if is_api(request):
        return JsonResponse({"detail": _("A server error occurred.")}, status=500)
    return plain_page(500, _("Server error"),
                      _("Something went wrong on the server. Try again in a moment; if it "
                        "happens again, tell your administrator when it happened."),
                      previous_page(request))


@requires_csrf_token  # the page's language switch is a form, and needs a token of its own
def csrf_failure(request, reason=""):
    if is_api(request):
        return JsonResponse({"detail": _("CSRF check failed.")}, status=403)
    return error_page(request, 403, _("The form has expired"),
                      _("The form could not be accepted: the page was open too long, you "
                        "signed in or out in another tab, or your browser does not keep "
                        "cookies for this site. Go back, reload the page and send the form "
                        "again."))
