"""PATCH (RFC 7644 3.5.2) applied to a resource's representation.

The operations change the JSON a client would read (`users.represent`); the result is then
stored exactly as a PUT of it would be (`users.apply`), so a PATCH obeys every rule a
replacement does and cannot half-apply. Paths: `attr`, `attr.sub`, `attr[sub eq "v"]`,
`attr[sub eq "v"].sub`, each optionally after the schema's URN; operations without a path
carry an object of attributes, as Entra ID sends them."""

import re

from django.utils.translation import gettext as _

from mamori.identity.scim import protocol as p
from mamori.identity.scim.protocol import ScimError

_PATH = re.compile(
    r"^(?:(?P<urn>urn:[^\[]+):)?(?P<attr>[A-Za-z$][\w$-]*)"
    r"(?:\[(?P<filter>[^\]]+)\])?(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$")
_VALUE_FILTER = re.compile(
    r'^\s*(?P<sub>[A-Za-z$][\w$-]*)\s+eq\s+(?P<value>"[^"]*"|true|false)\s*$', re.IGNORECASE)
SCHEMAS = (p.USER, p.ENTERPRISE)


def key_in(container: dict, name: str) -> str:
    """The key of `container` that is `name` without regard to case (attribute names are
    case-insensitive, RFC 7643 2.1), or `name` when there is none."""
    folded = name.casefold()
    return next((key for key in container if key.casefold() == folded), name)


def _schema(urn: str) -> str:
    folded = urn.casefold()
    for schema in SCHEMAS:
        if schema.casefold() == folded:
            return schema
    raise ScimError(400, _("Unknown schema in path: %(urn)s.") % {"urn": urn}, "invalidPath")


def _value_filter(text: str):
    match = _VALUE_FILTER.match(text)
    if not match:
        raise ScimError(400, _("Only filters of the form sub eq \"value\" are supported in a "
                               "path: %(filter)s.") % {"filter": text}, "invalidPath")
    raw = match["value"]
    value = raw[1:-1] if raw.startswith('"') else raw.lower() == "true"
    return match["sub"], value


def _matches(item, sub: str, value) -> bool:
    if not isinstance(item, dict):
        return False
    found = item.get(key_in(item, sub))
    if isinstance(value, str) and isinstance(found, str):
        return found.casefold() == value.casefold()
    return found == value


def _container(resource: dict, urn: str | None) -> dict:
    if not urn or _schema(urn) == p.USER:
        return resource
    return resource.setdefault(key_in(resource, p.ENTERPRISE), {})


def _merge(old, new, op: str):
    if isinstance(old, dict) and isinstance(new, dict):
        merged = dict(old)
        for name, value in new.items():
            merged[key_in(merged, name)] = value
        return merged
    if op == "add" and isinstance(old, list):
        additions = new if isinstance(new, list) else [new]
        return old + [item for item in additions if item not in old]
    return new


def apply_operation(resource: dict, op: str, path: str | None, value) -> None:
    op = (op or "").lower()
    if op not in ("add", "replace", "remove"):
        raise ScimError(400, _("Unknown PATCH operation: %(op)s.") % {"op": op},
                        "invalidSyntax")
    if not path:
        if op == "remove":
            raise ScimError(400, _("A remove operation needs a path."), "noTarget")
        if not isinstance(value, dict):
            raise ScimError(400, _("An operation without a path needs an object of "
                                   "attributes as its value."), "invalidValue")
        for name, item in value.items():
            if name.casefold() in (s.casefold() for s in SCHEMAS) and isinstance(item, dict):
                for sub, sub_value in item.items():
                    apply_operation(resource, op, f"{_schema(name)}:{sub}", sub_value)
            else:
                apply_operation(resource, op, name, item)
        return
    if path.casefold() in (s.casefold() for s in SCHEMAS):
        if op == "remove":
            resource.pop(key_in(resource, _schema(path)), None)
        else:
            apply_operation(resource, op, None, {path: value})
        return
    match = _PATH.match(path.strip())
    if not match:
        raise ScimError(400, _("Not a path: %(path)s.") % {"path": path}, "invalidPath")
    container = _container(resource, match["urn"])
    attr = key_in(container, match["attr"])
    sub = match["sub"]
    if match["filter"]:
        _apply_filtered(container, attr, op, match["filter"], sub, value)
    elif sub:
        target = container.get(attr)
        if target is None and op != "remove":
            target = container[attr] = {}
        items = target if isinstance(target, list) else [target] if target is not None else []
        for item in items:
            if isinstance(item, dict):
                if op == "remove":
                    item.pop(key_in(item, sub), None)
                else:
                    item[key_in(item, sub)] = value
    elif op == "remove":
        container.pop(attr, None)
    else:
        container[attr] = _merge(container.get(attr), value, op)


def _apply_filtered(container, attr, op, filter_text, sub, value) -> None:
    filter_sub, filter_value = _value_filter(filter_text)
    items = container.get(attr) or []
    if not isinstance(items, list):
        raise ScimError(400, _("%(attr)s is not multi-valued.") % {"attr": attr},
                        "invalidPath")
    chosen = [item for item in items if _matches(item, filter_sub, filter_value)]
    if op == "remove":
        if sub:
            for item in chosen:
                item.pop(key_in(item, sub), None)
        else:
            container[attr] = [item for item in items if item not in chosen]
        return
    if not chosen:
        # Entra ID replaces emails[type eq "work"].value on a user who has no work address
        # yet: the item the filter describes is added.
        new = {filter_sub: filter_value}
        if sub:
            new[sub] = value
        elif isinstance(value, dict):
            new.update(value)
        container[attr] = [*items, new]
        return
    for item in chosen:
        if sub:
            item[key_in(item, sub)] = value
        elif isinstance(value, dict):
            item.update({key_in(item, k): v for k, v in value.items()})


def apply(resource: dict, body: dict) -> dict:
    """`resource` with the PatchOp `body`'s operations applied, in order."""
    if not isinstance(body, dict) or p.PATCH not in (body.get("schemas") or []):
        raise ScimError(400, _("A PATCH body is a PatchOp message (schemas: %(urn)s).")
                        % {"urn": p.PATCH}, "invalidSyntax")
    operations = body.get("Operations") or body.get("operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, _("A PATCH body lists its Operations."), "invalidSyntax")
    for operation in operations:
        if not isinstance(operation, dict):
            raise ScimError(400, _("Each operation is an object."), "invalidSyntax")
        apply_operation(resource, operation.get("op"), operation.get("path"),
                        operation.get("value"))
    return resource
