"""Configuration checks (Django's system checks): MAMORI_GROUP_ROLES may give only the roles
provisioning is allowed to give."""

from django.conf import settings
from django.core.checks import Error, register


@register()
def group_roles(app_configs, **kwargs):
    from mamori.identity.scim.groups import GRANTABLE

    mapping = settings.MAMORI_GROUP_ROLES
    if not isinstance(mapping, dict):
        return [Error("MAMORI_GROUP_ROLES must be a JSON object of group name to role.",
                      id="mamori.identity.E001")]
    return [Error(f"MAMORI_GROUP_ROLES: group {name!r} would give the role {role!r}; "
                  f"provisioning may give only {', '.join(GRANTABLE)}.",
                  id="mamori.identity.E002")
            for name, role in mapping.items() if role not in GRANTABLE]
