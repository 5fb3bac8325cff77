"""A SCIM Group (RFC 7643 4.2): a name and members, who are the client's Users. A group named
in MAMORI_GROUP_ROLES gives its members that system role; leaving the last such group takes
it away again. Administrators are never changed by provisioning, and no group can make one
(identity.checks refuses such a setting)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.audit import one_user_action
from mamori.core.models import User
from mamori.identity.models import ScimClient, ScimGroup, ScimIdentity, ScimMembership
from mamori.identity.scim import protocol as p
from mamori.identity.scim.patch import key_in
from mamori.identity.scim.protocol import ScimError

GRANTABLE = (User.SystemRole.AUDITOR,)


def location(group: ScimGroup) -> str:
    return f"/scim/v2/Groups/{group.scim_id}"


def represent(group: ScimGroup) -> dict:
    resource = {
        "schemas": [p.GROUP], "id": str(group.scim_id), "displayName": group.display_name,
        "members": [{"value": str(m.identity.scim_id), "type": "User",
                     "$ref": f"/scim/v2/Users/{m.identity.scim_id}"}
                    for m in group.memberships.all()],
        "meta": {"resourceType": "Group", "location": location(group),
                 "created": group.created_at.isoformat(),
                 "lastModified": group.modified_at.isoformat()},
    }
    if not resource["members"]:
        del resource["members"]
    if group.external_id:
        resource["externalId"] = group.external_id
    return resource


def _members(payload: dict, client: ScimClient) -> list[ScimIdentity]:
    members = payload.get(key_in(payload, "members")) or []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise ScimError(400, _("members must be a list of objects."), "invalidValue")
    ids = []
    for member in members:
        value = str(member.get(key_in(member, "value")) or "")
        ids.append(value)
    found = {str(i.scim_id): i for i in ScimIdentity.objects.filter(
        client=client, scim_id__in=[v for v in ids if _uuid(v)])}
    missing = [v for v in ids if v not in found]
    if missing:
        raise ScimError(400, _("members.value: no User of this client has the id %(id)s.")
                        % {"id": missing[0]}, "invalidValue")
    return list({i.pk: i for i in (found[v] for v in ids)}.values())


def _uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def apply(payload: dict, client: ScimClient, group: ScimGroup | None = None) -> ScimGroup:
    """Create (group None) or replace a Group from `payload`, all or nothing."""
    name = payload.get(key_in(payload, "displayName"))
    if not isinstance(name, str) or not name.strip():
        raise ScimError(400, _("displayName is required."), "invalidValue")
    if len(name) > 200:
        raise ScimError(400, _("%(attr)s is longer than %(limit)d characters.")
                        % {"attr": "displayName", "limit": 200}, "invalidValue")
    external_id = payload.get(key_in(payload, "externalId")) or ""
    if not isinstance(external_id, str) or len(external_id) > 150:
        raise ScimError(400, _("externalId must be a string of at most 150 characters."),
                        "invalidValue")
    members = _members(payload, client)
    try:
        with transaction.atomic(), one_user_action():
            now = timezone.now()
            if group is None:
                group = ScimGroup(client=client, created_at=now)
            group.display_name, group.external_id, group.modified_at = (
                name.strip(), external_id, now)
            group.save()
            wanted = {identity.pk for identity in members}
            current = {m.identity_id: m for m in group.memberships.all()}
            for identity_id, membership in current.items():
                if identity_id not in wanted:
                    membership.delete()
            for identity in members:
                if identity.pk not in current:
                    ScimMembership.objects.create(group=group, identity=identity)
            sync_roles(wanted | set(current))
    except IntegrityError:
        raise ScimError(409, _("The group's members were changed at the same moment."),
                        "uniqueness") from None
    return group


def remove(group: ScimGroup) -> None:
    with transaction.atomic(), one_user_action():
        members = set(group.memberships.values_list("identity_id", flat=True))
        group.memberships.all().delete()
        group.delete()
        sync_roles(members)


def role_groups() -> dict[str, str]:
    return {name.casefold(): role for name, role in settings.MAMORI_GROUP_ROLES.items()
            if role in GRANTABLE}


def sync_roles(identity_ids) -> None:
    """Each of these people's login's system role, as their groups now give it: the
    auditor role while they are in a group mapped to it, staff otherwise. Accounts with
    another role given by hand (an administrator) are left as they are."""
    mapping = role_groups()
    if not mapping or not identity_ids:
        return
    memberships = ScimMembership.objects.filter(identity_id__in=identity_ids).values_list(
        "identity_id", "group__display_name")
    granted: dict[int, str] = {}
    for identity_id, name in memberships:
        if mapping.get(name.casefold()):
            granted[identity_id] = mapping[name.casefold()]
    for identity in ScimIdentity.objects.filter(pk__in=identity_ids).select_related(
            "person__user"):
        user = identity.person.user
        if user is None or user.is_superuser or user.system_role not in (
                User.SystemRole.STAFF, *GRANTABLE):
            continue
        wanted = granted.get(identity.pk, User.SystemRole.STAFF)
        if user.system_role != wanted:
            user.system_role = wanted
            user.save()
