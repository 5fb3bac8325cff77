"""Signed-in browser sessions for `make security`, made on the server side, without passwords.

Run with the same settings and data directory as the server under test:

    MAMORI_DATA_DIR=… python scripts/security_sessions.py admin staff

Prints JSON: the session cookie's name and Secure flag, and one session key per username.
A user who must use a second factor (the CISO, administrators) gets a TOTP device if they
have none and a session marked as having passed it, as after a real login with password and
code (mamori.core.testing.signed_in_client does the same for the tests).
"""

import json
import os
import sys
from importlib import import_module
from pathlib import Path

# This checkout's code, not whichever copy of Mamori the virtualenv has installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def signed_in_session(user) -> str:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.contrib import auth

    from mamori.core import mfa

    if mfa.requires_second_factor(user) and not mfa.has_totp(user):
        TOTP.activate(user, generate_totp_secret())
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    # What django.contrib.auth.login() stores.
    session[auth.SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[auth.BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[auth.HASH_SESSION_KEY] = user.get_session_auth_hash()
    if mfa.requires_second_factor(user):
        mfa.record_second_factor(session, user)
    session.save()
    return session.session_key


def main(usernames: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
    import django

    django.setup()
    from django.conf import settings

    from mamori.core.context import Actor, acting_as
    from mamori.core.models import User

    sessions = {}
    # Enrolling a TOTP device is a change like any other: the change log names who made it.
    with acting_as(Actor(None, "command:security", "command")):
        for username in usernames:
            sessions[username] = signed_in_session(User.objects.get(username=username))
    json.dump({"cookie_name": settings.SESSION_COOKIE_NAME,
               "secure": settings.SESSION_COOKIE_SECURE,
               "sessions": sessions}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
