"""Authentication policy: accounts are created by administrators, never by sign-up."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied

from mamori.core.clientip import client_ip


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
