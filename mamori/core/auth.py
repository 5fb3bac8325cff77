"""Authentication policy: accounts are created by administrators, never by sign-up."""

from allauth.account.adapter import DefaultAccountAdapter


class ClosedAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False
