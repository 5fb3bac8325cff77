"""Who may say what about a finding."""

from django.utils.translation import gettext_lazy as _

from mamori.core import roles as r

FINDING_LOCKED = _("Only the one who raised the nonconformity or the CISO changes what was "
                   "found.")


def may_restate_finding(user, nc) -> bool:
    """Whether `user` may change what a nonconformity says was found (its title, severity,
    requirement, department…): the CISO, administrators and the one who raised it. The
    department answering it may not downgrade or move it; it records its correction, cause
    and actions."""
    roles = r.roles_for(user)
    if roles.has(r.ADMIN, r.CISO):
        return True
    return nc.raised_by_id is not None and nc.raised_by_id == roles.person_id


def restated_fields(user, nc, given: dict) -> list[str]:
    """The fields of what was found that `given` (field -> new value) would change although
    `user` may not restate the finding; empty for a new record."""
    if nc.pk is None or may_restate_finding(user, nc):
        return []
    changed = []
    for name in nc.FINDING_FIELDS:
        if name not in given:
            continue
        field = nc._meta.get_field(name)
        stored, value = getattr(nc, field.attname), given[name]
        if getattr(value, "pk", value) != stored:
            changed.append(name)
    return changed
