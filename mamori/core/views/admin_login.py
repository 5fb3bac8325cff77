"""Where Django admin sends people to sign in."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


def admin_login(request):
    """Django admin's own login form asks for the password alone and is not rate limited, so
    everyone signs in through Mamori's login (password, then the second factor), which returns
    to the admin page asked for. Someone already signed in who is not an administrator is
    refused here: sending them to the login would send them straight back (a redirect loop)."""
    if request.user.is_authenticated:
        raise PermissionDenied(_("The administration site is for administrators only."))
    url = reverse("account_login")
    if request.GET:
        url += "?" + urlencode(request.GET)
    return redirect(url)
