"""The allauth pages Mamori uses, and no others.

`include("allauth.urls")` would also mount sign-up, e-mail management, login by code, phone
numbers and whatever a later allauth release adds. Accounts here are opened by
administrators, so those pages are doors nobody needs: e-mail management, for one, let any
signed-in user add an unverified address, which then blocked their TOTP enrolment. The URL
names are allauth's, so its views and templates find the pages they link to.
"""

from allauth.account import views as account
from allauth.mfa.base import views as mfa
from allauth.mfa.recovery_codes import views as recovery_codes
from allauth.mfa.totp import views as totp
from django.urls import path, re_path

from mamori.core.mfa import ActivateTotpView

urlpatterns = [
    path("login/", account.login, name="account_login"),
    path("logout/", account.logout, name="account_logout"),
    path("inactive/", account.account_inactive, name="account_inactive"),
    path("reauthenticate/", account.reauthenticate, name="account_reauthenticate"),
    path("password/change/", account.password_change, name="account_change_password"),
    # Reached by the change page for an account without a usable password.
    path("password/set/", account.password_set, name="account_set_password"),
    path("password/reset/", account.password_reset, name="account_reset_password"),
    path("password/reset/done/", account.password_reset_done,
         name="account_reset_password_done"),
    re_path(r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
            account.password_reset_from_key, name="account_reset_password_from_key"),
    path("password/reset/key/done/", account.password_reset_from_key_done,
         name="account_reset_password_from_key_done"),
    path("2fa/", mfa.index, name="mfa_index"),
    path("2fa/authenticate/", mfa.authenticate, name="mfa_authenticate"),
    path("2fa/reauthenticate/", mfa.reauthenticate, name="mfa_reauthenticate"),
    path("2fa/totp/activate/", ActivateTotpView.as_view(), name="mfa_activate_totp"),
    path("2fa/totp/deactivate/", totp.deactivate_totp, name="mfa_deactivate_totp"),
    path("2fa/recovery-codes/", recovery_codes.view_recovery_codes,
         name="mfa_view_recovery_codes"),
    path("2fa/recovery-codes/generate/", recovery_codes.generate_recovery_codes,
         name="mfa_generate_recovery_codes"),
    path("2fa/recovery-codes/download/", recovery_codes.download_recovery_codes,
         name="mfa_download_recovery_codes"),
]
