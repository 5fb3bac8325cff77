"""Login accounts for people: an administrator opens or closes a person's account.

The initial password is generated, shown once to the administrator, and must be changed by
the person; nobody types or sees a chosen password."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mamori.core import roles as r
from mamori.core.models import User
from mamori.org.models import Person


def may_manage_accounts(user) -> bool:
    return r.roles_for(user).has(r.ADMIN)


def open_account(admin, person: Person) -> tuple[User, str]:
    """Create and link a login account named after the staff number; returns the account and
    its generated first password."""
    if not may_manage_accounts(admin):
        raise PermissionDenied
    if person.user_id:
        raise ValidationError(_("This person already has a login account."))
    if person.status == Person.Status.LEFT:
        raise ValidationError(_("People who have left get no login account."))
    username = person.employee_no.lower()
    if User.objects.filter(username=username).exists():
        raise ValidationError(_("A login account named %(name)s exists already.")
                              % {"name": username})
    password = secrets.token_urlsafe(12)
    with transaction.atomic():
        user = User.objects.create_user(username, email=person.email, password=password,
                                        must_change_password=True)
        person.user = user
        person.save()
    return user, password


def close_account(admin, person: Person) -> None:
    """Deactivate the person's account (kept, so its history keeps its name)."""
    if not may_manage_accounts(admin):
        raise PermissionDenied
    if person.user_id is None:
        raise ValidationError(_("This person has no login account."))
    with transaction.atomic():
        user = person.user
        user.is_active = False
        user.save()
