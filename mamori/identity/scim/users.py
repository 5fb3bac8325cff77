"""A person as a SCIM User: what a client reads (`represent`) and how what it writes becomes
the people register (`apply`, for POST, PUT and PATCH alike).

What the register keeps of a User:
- userName: the login account's name (created for a new person, without a password: they
  sign in through the identity provider);
- displayName, else name.formatted, else "familyName givenName": the person's name;
- the primary (else the first) e-mail: the person's and the account's address;
- userType: the category (officer, executive_officer, employee, dispatched, contractor, or
  their names in either language);
- the enterprise extension's employeeNumber (the staff number) and department (its code or
  name);
- active: false records the person as having left today (their appointments end and their
  login closes, as any leaver's do); true again brings them back.
A User whose staff number is already in the register is linked to that person rather than
creating a second one: the register usually exists before provisioning is switched on."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.audit import one_user_action
from mamori.core.models import User
from mamori.identity.models import ScimClient, ScimIdentity
from mamori.identity.scim import protocol as p
from mamori.identity.scim.patch import key_in
from mamori.identity.scim.protocol import ScimError
from mamori.org.models import Department, Person, end_appointments

# Attributes kept as the client sent them (ScimIdentity.attributes).
KEPT = ("name", "displayName", "emails", "userType")


def location(identity: ScimIdentity) -> str:
    return f"/scim/v2/Users/{identity.scim_id}"


def represent(identity: ScimIdentity) -> dict:
    """The User as the client reads it. The attributes it keeps (name, emails...) are
    returned as it sent them; active, the staff number and the department are the register's
    current values, returned when the client has set them (and active whenever the person
    has left), so that a client which removed one reads it back removed."""
    person = identity.person
    kept = identity.attributes
    resource = {
        "schemas": [p.USER, p.ENTERPRISE],
        "id": str(identity.scim_id),
        "userName": identity.user_name,
        "meta": {"resourceType": "User", "location": location(identity),
                 "created": identity.created_at.isoformat(),
                 "lastModified": identity.modified_at.isoformat()},
    }
    if identity.external_id:
        resource["externalId"] = identity.external_id
    for name in KEPT:
        if kept.get(name) not in (None, "", [], {}):
            resource[name] = kept[name]
    if "active" in kept or person.status == Person.Status.LEFT:
        resource["active"] = person.status != Person.Status.LEFT
    sent = kept.get(p.ENTERPRISE, {})
    extension = {}
    if "employeeNumber" in sent:
        extension["employeeNumber"] = person.employee_no
    if "department" in sent and person.department_id:
        department = person.department
        # The name the client gave while it still names the person's department (it may
        # have been moved in Mamori since), else the department's code.
        extension["department"] = sent["department"] if _names(department, sent["department"]) \
            else department.code
    if extension:
        resource[p.ENTERPRISE] = extension
    else:
        resource["schemas"] = [p.USER]
    return resource


def _names(department: Department, text: str) -> bool:
    folded = text.casefold()
    return folded in (department.code.casefold(), department.name_ja.casefold(),
                      department.name_en.casefold())


def _text(payload: dict, name: str, field: str, limit: int) -> str:
    value = payload.get(key_in(payload, name))
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ScimError(400, _("%(attr)s must be a string.") % {"attr": field}, "invalidValue")
    value = value.strip()
    if len(value) > limit:
        raise ScimError(400, _("%(attr)s is longer than %(limit)d characters.")
                        % {"attr": field, "limit": limit}, "invalidValue")
    return value



def _active(payload: dict) -> bool:
    value = payload.get(key_in(payload, "active"), True)
    # Entra ID has sent booleans as the strings "True" and "False".
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if not isinstance(value, bool):
        raise ScimError(400, _("active must be true or false."), "invalidValue")
    return value


def _name(payload: dict, user_name: str) -> str:
    display = _text(payload, "displayName", "displayName", 100)
    name = payload.get(key_in(payload, "name")) or {}
    if not isinstance(name, dict):
        raise ScimError(400, _("name must be an object."), "invalidValue")
    formatted = _text(name, "formatted", "name.formatted", 100)
    parts = " ".join(part for part in (_text(name, "familyName", "name.familyName", 50),
                                       _text(name, "givenName", "name.givenName", 50)) if part)
    return display or formatted or parts or user_name[:100]


def _email(payload: dict) -> str:
    emails = payload.get(key_in(payload, "emails")) or []
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise ScimError(400, _("emails must be a list of objects."), "invalidValue")
    chosen = next((e for e in emails if e.get(key_in(e, "primary")) in (True, "true", "True")),
                  emails[0] if emails else None)
    if chosen is None:
        return ""
    value = chosen.get(key_in(chosen, "value"))
    try:
        validate_email(value)
    except ValidationError:
        raise ScimError(400, _("emails.value is not an e-mail address: %(value)s.")
                        % {"value": value}, "invalidValue") from None
    return value


def _category(payload: dict) -> str:
    value = _text(payload, "userType", "userType", 100)
    if not value:
        return ""
    folded = value.casefold()
    for code, label in Person.Category.choices:
        if folded in (code, str(label).casefold(), code.replace("_", " ")):
            return code
    from django.utils import translation

    with translation.override("ja"):
        for code, label in Person.Category.choices:
            if folded == str(label).casefold():
                return code
    raise ScimError(400, _("userType is not a category Mamori knows: %(value)s (give one of "
                           "%(choices)s).") % {"value": value,
                                               "choices": ", ".join(Person.Category.values)},
                    "invalidValue")


def _department(extension: dict) -> Department | None:
    value = _text(extension, "department", f"{p.ENTERPRISE}:department", 200)
    if not value:
        return None
    found = Department.objects.filter(
        Q(code__iexact=value) | Q(name_ja=value) | Q(name_en__iexact=value)).first()
    if found is None:
        raise ScimError(400, _("%(attr)s: no department has the code or name %(value)s.")
                        % {"attr": f"{p.ENTERPRISE}:department", "value": value},
                        "invalidValue")
    return found


def _extension(payload: dict) -> dict:
    extension = payload.get(key_in(payload, p.ENTERPRISE)) or {}
    if not isinstance(extension, dict):
        raise ScimError(400, _("%(attr)s must be an object.") % {"attr": p.ENTERPRISE},
                        "invalidValue")
    return extension


def _conflict(detail: str) -> ScimError:
    return ScimError(409, detail, "uniqueness")


def apply(payload: dict, client: ScimClient, identity: ScimIdentity | None = None
          ) -> ScimIdentity:
    """Create (identity None) or replace a User from `payload`, all or nothing."""
    if not isinstance(payload, dict):
        raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
    user_name = _text(payload, "userName", "userName", 150)
    if not user_name:
        raise ScimError(400, _("userName is required."), "invalidValue")
    extension = _extension(payload)
    employee_no = _text(extension, "employeeNumber", f"{p.ENTERPRISE}:employeeNumber", 64)
    values = {"name": _name(payload, user_name), "email": _email(payload),
              "category": _category(payload), "department": _department(extension)}
    active = _active(payload)
    external_id = _text(payload, "externalId", "externalId", 150)
    kept = {name: payload[key_in(payload, name)] for name in KEPT
            if payload.get(key_in(payload, name)) not in (None, "")}
    if payload.get(key_in(payload, "active")) is not None:
        kept["active"] = active
    sent = {name: _text(extension, name, name, 200) for name in ("employeeNumber", "department")
            if extension.get(key_in(extension, name)) not in (None, "")}
    if sent:
        kept[p.ENTERPRISE] = sent
    try:
        # One request, one action: its entries (person, account, identity) are appended to
        # the change log together when it ends, the chain head taken once.
        with transaction.atomic(), one_user_action():
            return _store(identity, client, user_name, employee_no, external_id, values,
                          active, kept)
    except IntegrityError:
        # Two clients (or one retrying) creating the same person at once: the loser is told
        # so, as it would be had it come second.
        raise _conflict(_("A person with this userName or staff number was provisioned at "
                          "the same moment.")) from None


def _person_for(identity, user_name: str, employee_no: str) -> Person:
    if identity is not None:
        person = Person.objects.select_for_update().get(pk=identity.person_id)
        if employee_no and employee_no != person.employee_no:
            if Person.objects.filter(employee_no=employee_no).exclude(pk=person.pk).exists():
                raise _conflict(_("%(attr)s %(value)s belongs to another person.") % {
                    "attr": f"{p.ENTERPRISE}:employeeNumber", "value": employee_no})
            person.employee_no = employee_no
        return person
    if not employee_no:
        if len(user_name) > 64:
            raise ScimError(400, _("%(attr)s is required when userName is longer than 64 "
                                   "characters (it would be the staff number).")
                            % {"attr": f"{p.ENTERPRISE}:employeeNumber"}, "invalidValue")
        employee_no = user_name
    person = Person.objects.select_for_update().filter(employee_no=employee_no).first()
    if person is None:
        return Person(employee_no=employee_no)
    if ScimIdentity.objects.filter(person=person).exists():
        raise _conflict(_("The person with staff number %(value)s is provisioned already.")
                        % {"value": employee_no})
    return person


def _store(identity, client, user_name, employee_no, external_id, values, active, kept):
    key = user_name.casefold()
    clash = ScimIdentity.objects.filter(user_name_key=key)
    if identity is not None:
        clash = clash.exclude(pk=identity.pk)
    if clash.exists():
        raise _conflict(_("userName %(value)s is taken.") % {"value": user_name})
    person = _person_for(identity, user_name, employee_no)
    for field, value in values.items():
        setattr(person, field, value)
    today = timezone.localdate()
    leaving = not active and person.status != Person.Status.LEFT
    if leaving:
        person.status, person.left_on = Person.Status.LEFT, today
    elif active and person.status == Person.Status.LEFT:
        person.status, person.left_on = Person.Status.ACTIVE, None
    _account(person, user_name, active)
    person.save()
    if leaving:
        end_appointments(person, today)
    now = timezone.now()
    if identity is None:
        identity = ScimIdentity(person=person, client=client, created_at=now)
    identity.person = person  # the row just saved, not one read before the lock
    identity.user_name, identity.external_id, identity.attributes = user_name, external_id, kept
    identity.modified_at = now
    identity.save()
    return identity


def _account(person: Person, user_name: str, active: bool) -> None:
    """The person's login account, before the person is saved (so that a new person is
    saved once, with it): opened without a password for a new person (they sign in through
    the identity provider), renamed with the userName, closed while they are away. Never
    given a system role here."""
    account = person.user if person.user_id else None
    # Exact: an index lookup (a case-insensitive one would read every account); userName
    # is unique without regard to case among the identities already (user_name_key).
    taken = User.objects.filter(username=user_name)
    if account is not None:
        taken = taken.exclude(pk=account.pk)
    if taken.exists():
        raise _conflict(_("A login account named %(value)s belongs to someone else.")
                        % {"value": user_name})
    if account is None:
        account = User(username=user_name)
        account.set_unusable_password()
    elif (account.username, account.email, account.is_active) == (
            user_name, person.email, active):
        return
    account.username, account.email, account.is_active = user_name, person.email, active
    account.save()
    person.user = account


def deprovision(identity: ScimIdentity) -> None:
    """DELETE: the identity provider lets go of the person. They are recorded as having left
    (if they had not), leave its groups (and the roles those gave) and the link is removed;
    the person and their history stay."""
    from mamori.identity.scim.groups import sync_roles

    with transaction.atomic(), one_user_action():
        person = Person.objects.select_for_update().get(pk=identity.person_id)
        if person.status != Person.Status.LEFT:
            person.status, person.left_on = Person.Status.LEFT, timezone.localdate()
            person.save()
            end_appointments(person, person.left_on)
        if person.user_id and person.user.is_active:
            person.user.is_active = False
            person.user.save()
        for membership in identity.memberships.all():
            membership.delete()  # one by one, each logged (a cascade would not be)
        sync_roles([identity.pk])
        identity.delete()
