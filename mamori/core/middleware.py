"""Request middleware: security headers, the acting user, and MFA enforcement."""

import uuid

from django.shortcuts import redirect
from django.urls import reverse

from mamori.core import roles as r
from mamori.core.context import RequestActor, acting_as

# No inline script anywhere: every script is a static file. Swagger UI and the admin follow
# the same policy (see core.api.urls for the split Swagger view).
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response


def source_of(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "ui"


class ActorMiddleware:
    """Every change made while handling this request is logged under its user and request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        with acting_as(RequestActor(request, source_of(request.path), request.request_id)):
            response = self.get_response(request)
        response.headers["X-Request-ID"] = request.request_id
        return response


MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/api/")


def needs_mfa(user) -> bool:
    """The CISO and administrators must have a second factor (ARCHITECTURE: security defaults)."""
    if not user.is_authenticated:
        return False
    if not r.roles_for(user).has(r.ADMIN, r.CISO):
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMfaMiddleware:
    """Sends a CISO or administrator without TOTP to set it up before anything else.

    API tokens are exempt here: a token is issued only from a session that passed MFA."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(MFA_EXEMPT_PREFIXES) and needs_mfa(request.user):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)
