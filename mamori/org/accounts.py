"""Login accounts for people: an administrator opens or closes a person's account.

The initial password is generated, shown once to the administrator, and must be changed by
the person; nobody types or sees a chosen password. Recording that a person left closes
their account too (models.Person.save), so who may record a leaving is decided here."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core import roles as r
from mamori.core.models import User
from mamori.org.models import Appointment, Person


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


def may_record_leaving(user, person: Person) -> bool:
    """Whether `user` may record that `person` left, which ends their posts' roles and closes
    their login account.

    The CISO and administrators may for anyone. An information manager, who changes the
    people of their departments, may for a person who holds no appointment that has not
    ended and whose account carries no system role: recording a leaver at once, and closing
    their login with it, is their part of removing a leaver's access without delay. Ending an
    information manager or the CISO, or locking out an administrator or auditor, would let
    one manager remove another's oversight, so it is the CISO's or an administrator's.
    """
    if r.roles_for(user).changes_everything:
        return True
    if person.pk is None:
        return True  # a new record: no appointment, no account
    holds_post = Appointment.objects.filter(person=person).exclude(
        end_date__lt=timezone.localdate()).exists()
    account = person.user
    privileged = account is not None and (
        account.is_superuser or account.system_role != User.SystemRole.STAFF)
    return not holds_post and not privileged


def check_may_record_leaving(user, person: Person, status: str) -> None:
    """Refuse (on the status field) a change that makes `person` a leaver when `user` may not
    record it; `person` is the record as stored, `status` the one asked for."""
    if status != Person.Status.LEFT or person.status == Person.Status.LEFT:
        return
    if not may_record_leaving(user, person):
        raise ValidationError({"status": _(
            "Only the CISO or an administrator records the leaving of someone who holds an "
            "appointment or whose login account is an administrator's or auditor's.")})
