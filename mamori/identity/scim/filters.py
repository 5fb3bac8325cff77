"""The filters a client may list Users by (RFC 7644 3.4.2.2), as ORM conditions.

Identity providers look a person up before creating them (`userName eq "…"`, `externalId eq
"…"`), so those are what is supported, with `and`: eq, ne, co, sw, ew and pr on userName,
externalId, id, displayName, emails(.value), active and the enterprise employeeNumber and
department. Anything else is refused as invalidFilter, naming what was not understood."""

import re
import uuid

from django.db.models import Q
from django.utils.translation import gettext as _

from mamori.identity.scim import protocol as p
from mamori.identity.scim.protocol import ScimError
from mamori.org.models import Person

_COMPARISON = re.compile(
    r'^\s*(?P<attr>[\w:.$-]+)\s+(?:(?P<op>eq|ne|co|sw|ew)\s+(?P<value>"(?:[^"\\]|\\.)*"|true|'
    r'false|null)|(?P<present>pr))\s*$', re.IGNORECASE)
_LOOKUP = {"eq": "exact", "co": "contains", "sw": "startswith", "ew": "endswith"}

# attribute (folded, without the core URN) -> (field, case-insensitive)
FIELDS = {
    "username": ("user_name_key", True),
    "externalid": ("external_id", False),
    "id": ("scim_id", False),
    "displayname": ("person__name", False),
    "emails": ("person__email", True),
    "emails.value": ("person__email", True),
    f"{p.ENTERPRISE}:employeenumber".casefold(): ("person__employee_no", False),
    f"{p.ENTERPRISE}:department".casefold(): ("person__department__code", True),
}


def _split_and(text: str) -> list[str]:
    """The comparisons of `a and b and c`; an "and" inside a quoted value is followed by an
    odd number of quotes, and is not split at."""
    return re.split(r'\s+and\s+(?=(?:[^"]*"[^"]*")*[^"]*$)', text, flags=re.IGNORECASE)


GROUP_FIELDS = {
    "displayname": ("display_name", True),
    "externalid": ("external_id", False),
    "id": ("scim_id", False),
}


def condition(text: str, fields: dict | None = None) -> Q:
    """`text` as a condition on the resource whose attributes `fields` maps (Users by
    default)."""
    unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    if re.search(r"\bor\b|\bnot\b|[()\[\]]", unquoted, re.IGNORECASE):
        raise ScimError(400, _("Only comparisons joined by and are supported: %(filter)s.")
                        % {"filter": text}, "invalidFilter")
    result = Q()
    for part in _split_and(text):
        result &= _comparison(part, FIELDS if fields is None else fields)
    return result


def _comparison(text: str, fields: dict) -> Q:
    match = _COMPARISON.match(text)
    if not match:
        raise ScimError(400, _("Not a filter: %(filter)s.") % {"filter": text.strip()},
                        "invalidFilter")
    attr = match["attr"].casefold()
    for schema in (p.USER, p.GROUP):
        core = f"{schema}:".casefold()
        if attr.startswith(core):
            attr = attr[len(core):]
    if attr == "active" and fields is FIELDS:
        return _active(match)
    if attr not in fields:
        raise ScimError(400, _("Cannot filter by %(attr)s.")
                        % {"attr": match["attr"]}, "invalidFilter")
    field, folded = fields[attr]
    if match["present"]:
        return ~Q(**{field: ""}) & Q(**{f"{field}__isnull": False})
    raw = match["value"]
    if not raw.startswith('"'):
        raise ScimError(400, _("%(attr)s is compared with a string.")
                        % {"attr": match["attr"]}, "invalidFilter")
    value = raw[1:-1].replace('\\"', '"')
    op = match["op"].lower()
    if field == "scim_id":
        try:
            value = uuid.UUID(value)
        except ValueError:
            return Q(pk__in=[])
    elif folded:
        value = value.casefold()
    lookup = _LOOKUP.get(op, "exact")
    if folded and field not in ("user_name_key",):
        lookup = "i" + lookup
    found = Q(**{f"{field}__{lookup}": value})
    return ~found if op == "ne" else found


def _active(match) -> Q:
    raw = (match["value"] or "").lower()
    if match["present"]:
        return Q()
    if raw not in ("true", "false") or match["op"].lower() not in ("eq", "ne"):
        raise ScimError(400, _("active is compared with eq or ne and true or false."),
                        "invalidFilter")
    left = Q(person__status=Person.Status.LEFT)
    wanted_active = (raw == "true") == (match["op"].lower() == "eq")
    return ~left if wanted_active else left
