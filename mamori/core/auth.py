"""Authentication policy: accounts are created by administrators, never by sign-up."""

import datetime
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied

from mamori.core.clientip import client_ip
from mamori.core.middleware import setup_step, setup_url
from mamori.core.views.dashboard import start_page

# Where the first enrolment walks: the TOTP activation and the recovery codes it generated.
FIRST_ENROLMENT_PAGES = {
    "mfa_activate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}


class ClosedAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # allauth keys its rate limits (login: 30/m per address) on this; behind the company's
        # proxy the address is read from the trusted proxies' header (mamori.core.clientip).
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def get_password_change_redirect_url(self, request):
        # allauth shows the password form again, which reads as if nothing happened. Go on to
        # what the user still has to set up (a second factor), else to their start page.
        return setup_url(setup_step(request)) or start_page(request.user)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # A CISO or administrator is sent to enrol a second factor straight after the first
        # login; asking again for the password they typed seconds ago only confuses. So while
        # that login is fresh (ACCOUNT_REAUTHENTICATION_TIMEOUT) the *first* enrolment, and
        # the recovery codes it produced, need no re-authentication. Any change to a factor
        # that existed before this login, and removing or replacing any factor, still asks.
        if app == "allauth.mfa" and self._enrolling_first_factor_after_fresh_login():
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def _enrolling_first_factor_after_fresh_login(self) -> bool:
        request = self.request or context.request
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name not in FIRST_ENROLMENT_PAGES:
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        records = get_authentication_records(request, user)
        if not records:
            return False
        logged_in_at = records[0]["at"]
        if time.time() - logged_in_at >= account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        since_login = datetime.datetime.fromtimestamp(logged_in_at, tz=datetime.UTC)
        return not Authenticator.objects.filter(user=user, created_at__lt=since_login).exists()
