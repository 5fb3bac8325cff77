"""Personal API tokens: `Authorization: Token <token>` (or `Bearer <token>`).

Only the SHA-256 digest is stored, so a leaked database does not leak usable tokens.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from mamori.core import mfa
from mamori.core.models import ApiToken


class HashedTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        token = header[1].decode(errors="replace")
        api_token = (
            ApiToken.objects.usable()
            .select_related("user")
            .filter(digest=ApiToken.digest_of(token))
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        # Touch at most once a minute: a busy client should not write on every request.
        now = timezone.now()
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token.user, api_token

    def authenticate_header(self, request):
        return "Token"


class GatedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, for the API (Swagger UI, htmx), behind the same gates as pages.

    A session whose generated password has not been changed, or of a CISO or administrator
    whose session has not passed the second factor, is refused (403) rather than given the
    whole API: the page middleware that sends such users to finish setting up does not see
    the API, so the gates are checked here, where DRF authenticates."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        if getattr(user, "must_change_password", False):
            raise exceptions.PermissionDenied(
                _("Change the password you were given before using the API."))
        if mfa.second_factor_missing(request._request):
            raise exceptions.PermissionDenied(
                _("Sign in with your second factor (TOTP) before using the API."))
        return result
