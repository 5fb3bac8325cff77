"""The second factor: who must have one, and whether *this session* has passed it.

Having enrolled a TOTP device is not the same as having used it: a session opened with the
password alone (any login path that skipped allauth's second step) must not count. So the
session is marked when, and only when, allauth reports that the user has just proved the
second factor: on login or re-authentication (`authenticator_used`) or by entering a code to
enrol a new device (`ActivateTotpView`). The mark names the user, so it cannot carry over
to another account in the same browser, and it dies with the session at logout.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_removed, authenticator_used
from allauth.mfa.totp.views import ActivateTOTPView
from django.dispatch import receiver

from mamori.core import roles as r

SESSION_KEY = "mamori_second_factor_user"


def requires_second_factor(user) -> bool:
    """The CISO and administrators must use a second factor (ARCHITECTURE: security
    defaults)."""
    return bool(user and user.is_authenticated) and r.roles_for(user).has(r.ADMIN, r.CISO)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def record_second_factor(session, user) -> None:
    session[SESSION_KEY] = str(user.pk)


def session_passed_second_factor(session, user) -> bool:
    return session.get(SESSION_KEY) == str(user.pk)


def second_factor_missing(request) -> str:
    """Why this request's session may not act yet: "enrol" (no TOTP device), "verify" (a
    device, but this session has not used it), or "" when nothing is missing."""
    user = request.user
    if not requires_second_factor(user):
        return ""
    if not has_totp(user):
        return "enrol"
    if not session_passed_second_factor(request.session, user):
        return "verify"
    return ""


@receiver(authenticator_used, dispatch_uid="mamori-second-factor-used")
def _second_factor_used(sender, request, user, authenticator, **kwargs):
    # A TOTP code or a recovery code, at login or on re-authentication.
    if request is not None:
        record_second_factor(request.session, user)


@receiver(authenticator_removed, dispatch_uid="mamori-second-factor-removed")
def _second_factor_removed(sender, request, user, authenticator, **kwargs):
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        request.session.pop(SESSION_KEY, None)


class ActivateTotpView(ActivateTOTPView):
    """allauth's TOTP enrolment. Enrolling means typing a code from the new device, so the
    session has just proved it. (allauth's `authenticator_added` signal would say so too, but
    only once the transaction commits, which may be after the session has been saved.)"""

    def form_valid(self, form):
        response = super().form_valid(form)
        record_second_factor(self.request.session, self.request.user)
        return response
