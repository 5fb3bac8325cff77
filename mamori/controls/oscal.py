"""OSCAL catalogs (JSON): Mamori's controls out, any catalog in as a framework.

Export: the controls a user may see, grouped by theme, as an OSCAL catalog. Each control's id is
derived from its code (see `control_id`), the code itself is the control's `label`, and
Mamori's own attributes (status, frequency, owning department) are properties in Mamori's
namespace `MAMORI_NS`.

Import: every group and control of a catalog (control enhancements included) becomes a
requirement of one framework, keyed by the OSCAL id, with the statement's prose as its text.
The import is all or nothing and, like the shipped frameworks, never overwrites the
organisation's decisions when a catalog is imported again (see `frameworks.sync_framework`).
"""

import hashlib
import json
import re
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

import mamori
from mamori.controls.frameworks import Entry, FrameworkDataError, check_entries, sync_framework
from mamori.controls.models import Framework, Requirement, Theme

OSCAL_VERSION = "1.1.2"
# Namespace of the properties Mamori adds (status, frequency, department). A URI Mamori names;
# nothing needs to be served there.
MAMORI_NS = "https://mamori.example/ns/oscal"
# Fixed namespace for the uuid5 identifiers of exported documents.
UUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, MAMORI_NS)

MAX_DEPTH = 30  # groups or enhancements nested deeper than this are refused

_UNSAFE = re.compile(r"[^a-z0-9_.-]+")
_INSERT = re.compile(r"\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


class OscalImportError(ValueError):
    """A catalog that cannot be imported; the message names the place in the JSON."""


# --- export ---------------------------------------------------------------------------------


def control_id(code: str) -> str:
    """A stable OSCAL token (NCName) for a control code.

    Lower case; anything but letters, digits, `_`, `.` and `-` becomes `-`. A code that loses
    characters that way (e.g. "技術-01") gets a short hash of the code appended, so two such
    codes never end up with the same id. An id must start with a letter or `_`."""
    lowered = code.strip().lower()
    token = _UNSAFE.sub("-", lowered).strip("-")
    if token != lowered or not token:
        digest = hashlib.sha256(code.encode()).hexdigest()[:8]
        token = f"{token}-{digest}" if token else f"x-{digest}"
    if not re.match(r"[a-z_]", token):
        token = f"_{token}"
    return token


def _one_line(text: str) -> str:
    """OSCAL titles and property values: no line breaks, no surrounding white space."""
    return " ".join(str(text).split())


def _prop(name: str, value: str, ns: str | None = MAMORI_NS) -> list[dict]:
    value = _one_line(value)
    if not value:
        return []
    prop = {"name": name, "value": value}
    if ns:
        prop["ns"] = ns
    return [prop]


def _export_control(control, oscal_id: str) -> dict:
    props = (_prop("label", control.code, ns=None)
             + _prop("status", control.status)
             + _prop("frequency", control.frequency)
             + _prop("department", control.department.code))
    item = {"id": oscal_id, "title": _one_line(control.title) or _one_line(control.code),
            "props": props}
    if control.description.strip():
        item["parts"] = [{"id": f"{oscal_id}_smt", "name": "statement",
                          "prose": control.description.strip()}]
    return item


def export_catalog(controls) -> dict:
    """An OSCAL catalog of `controls` (a queryset, already restricted to what the reader may
    see): one group per theme, in the themes' order, controls by code. One query."""
    rows = list(controls.select_related("department").order_by("code"))
    used: set[str] = set()
    by_theme: dict[str, list[dict]] = {}
    for control in rows:
        oscal_id = control_id(control.code)
        if oscal_id in used:  # codes differing only in case
            oscal_id = f"{oscal_id}-{hashlib.sha256(control.code.encode()).hexdigest()[:8]}"
        used.add(oscal_id)
        by_theme.setdefault(control.theme, []).append(_export_control(control, oscal_id))
    groups = [{"id": theme.value, "class": "theme", "title": str(theme.label),
               "controls": by_theme.pop(theme.value)}
              for theme in Theme if theme.value in by_theme]
    if by_theme:  # a theme value Mamori no longer knows: still exported, not lost
        groups += [{"id": control_id(value or "none"), "class": "theme",
                    "title": _one_line(value) or "-", "controls": items}
                   for value, items in sorted(by_theme.items())]
    body = {"groups": groups} if groups else {}
    # The same content gives the same uuid; any change to it gives a new one.
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode())
    metadata = {
        "title": _("Mamori control catalogue"),
        "last-modified": timezone.now().replace(microsecond=0).isoformat(),
        "version": digest.hexdigest()[:12],
        "oscal-version": OSCAL_VERSION,
        "props": _prop("generator", f"Mamori {mamori.__version__}"),
    }
    return {"catalog": {"uuid": str(uuid.uuid5(UUID_NAMESPACE, digest.hexdigest())),
                        "metadata": metadata, **body}}


def dumps(catalog: dict) -> str:
    return json.dumps(catalog, ensure_ascii=False, indent=2)


# --- import ---------------------------------------------------------------------------------


def _fail(path: str, message: str, **params):
    raise OscalImportError(_("%(path)s: %(problem)s") % {"path": path,
                                                          "problem": message % params})


def _object(value, path: str) -> dict:
    if not isinstance(value, dict):
        _fail(path, _("expected an object"))
    return value


def _array(parent: dict, key: str, path: str) -> list:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        _fail(f"{path}.{key}", _("expected an array"))
    return value


def _text(parent: dict, key: str, path: str, *, required: bool = False) -> str:
    value = parent.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            _fail(f"{path}.{key}", _("is missing or empty"))
        return ""
    if not isinstance(value, str):
        _fail(f"{path}.{key}", _("expected a string"))
    return value.strip()


def _label(item: dict, path: str) -> str:
    for index, prop in enumerate(_array(item, "props", path)):
        prop = _object(prop, f"{path}.props[{index}]")
        if prop.get("name") == "label" and "ns" not in prop:
            return _text(prop, "value", f"{path}.props[{index}]")
    return ""


class _CatalogReader:
    """Walks a catalog in document order into `Entry`s, checking as it goes."""

    def __init__(self):
        self.entries: list[Entry] = []
        self.paths: dict[str, str] = {}  # ref → where it was first seen
        self.params: dict[str, dict] = {}
        self.ref_length = Requirement._meta.get_field("ref").max_length
        self.title_length = Requirement._meta.get_field("title_en").max_length

    def read(self, catalog: dict, path: str) -> None:
        self.collect_params(catalog, path)
        self.read_children(catalog, path, parent=None, depth=0)

    def read_children(self, item: dict, path: str, parent: str | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            _fail(path, _("nested more than %(max)d levels deep"), max=MAX_DEPTH)
        for index, control in enumerate(_array(item, "controls", path)):
            self.read_item(control, f"{path}.controls[{index}]", parent, depth, group=False)
        for index, group in enumerate(_array(item, "groups", path)):
            self.read_item(group, f"{path}.groups[{index}]", parent, depth, group=True)

    def read_item(self, item, path: str, parent: str | None, depth: int, group: bool) -> None:
        item = _object(item, path)
        ref = _text(item, "id", path, required=not group)
        if not ref:  # a group may lack an id: name it by its place, which is stable enough
            ref = "group-" + re.sub(r"\D+", "-", path.removeprefix("$.catalog.")).strip("-")
        if len(ref) > self.ref_length:
            _fail(f"{path}.id", _("longer than %(max)d characters"), max=self.ref_length)
        if ref in self.paths:
            _fail(f"{path}.id", _("the id %(id)s is already used at %(other)s"),
                  id=ref, other=self.paths[ref])
        self.paths[ref] = path
        title = _one_line(_text(item, "title", path, required=True))
        if len(title) > self.title_length:
            title = title[: self.title_length - 1] + "…"
        self.collect_params(item, path)
        parts = _array(item, "parts", path)
        self.entries.append(Entry(
            ref=ref, parent=parent, title_ja=title, title_en=title,
            description=self.statement(parts, f"{path}.parts"), is_group=group))
        self.read_children(item, path, parent=ref, depth=depth + 1)

    def collect_params(self, item: dict, path: str) -> None:
        for index, param in enumerate(_array(item, "params", path)):
            param = _object(param, f"{path}.params[{index}]")
            param_id = _text(param, "id", f"{path}.params[{index}]", required=True)
            self.params[param_id] = param

    # The statement's prose, as plain text --------------------------------------------------

    def statement(self, parts: list, path: str) -> str:
        lines: list[str] = []
        for index, part in enumerate(parts):
            part = _object(part, f"{path}[{index}]")
            if part.get("name") == "statement":
                self.flatten(part, f"{path}[{index}]", lines, level=0)
        return "\n".join(lines).strip()

    def flatten(self, part: dict, path: str, lines: list[str], level: int) -> None:
        if level > MAX_DEPTH:
            _fail(path, _("nested more than %(max)d levels deep"), max=MAX_DEPTH)
        label = _label(part, path)
        prose = self.insert_params(_text(part, "prose", path))
        text = " ".join(piece for piece in (label, prose) if piece)
        if text:
            indent = "  " * max(level - 1, 0)
            lines.extend(indent + line for line in text.splitlines())
        for index, child in enumerate(_array(part, "parts", path)):
            self.flatten(_object(child, f"{path}.parts[{index}]"),
                         f"{path}.parts[{index}]", lines, level + 1)

    def insert_params(self, prose: str, depth: int = 0) -> str:
        """`{{ insert: param, id }}` becomes the parameter's value, or what it asks for
        (NIST's "[Assignment: …]" and "[Selection: …]"). The markers stay in English, as in
        the catalog itself, whatever the language of whoever imports it."""
        if depth > 3:
            return prose
        return _INSERT.sub(lambda match: self.describe_param(match.group(1), depth), prose)

    def describe_param(self, param_id: str, depth: int) -> str:
        param = self.params.get(param_id)
        if not isinstance(param, dict):
            return f"[{param_id}]"
        values = param.get("values")
        values = [v for v in values if isinstance(v, str) and v.strip()] \
            if isinstance(values, list) else []
        if values:
            return ", ".join(self.insert_params(v, depth + 1) for v in values)
        select = param.get("select")
        if isinstance(select, dict):
            choices = select.get("choice")
            choices = [self.insert_params(c, depth + 1) for c in choices if isinstance(c, str)] \
                if isinstance(choices, list) else []
            if select.get("how-many") == "one-or-more":
                return f"[Selection (one or more): {'; '.join(choices)}]"
            return f"[Selection: {'; '.join(choices)}]"
        label = param.get("label")
        if isinstance(label, str) and label.strip():
            return f"[Assignment: {_one_line(label)}]"
        return f"[{param_id}]"


def _publisher(metadata: dict, path: str) -> str:
    """The party responsible as publisher (or creator), else the first named party."""
    parties = {}
    names = []
    for index, party in enumerate(_array(metadata, "parties", path)):
        party = _object(party, f"{path}.parties[{index}]")
        name = _text(party, "name", f"{path}.parties[{index}]")
        if name:
            parties[party.get("uuid")] = name
            names.append(name)
    for role in ("publisher", "creator"):
        for index, responsible in enumerate(_array(metadata, "responsible-parties", path)):
            responsible = _object(responsible, f"{path}.responsible-parties[{index}]")
            if responsible.get("role-id") == role:
                party_uuids = responsible.get("party-uuids")
                for party_uuid in party_uuids if isinstance(party_uuids, list) else []:
                    if isinstance(party_uuid, str) and party_uuid in parties:
                        return parties[party_uuid]
    return names[0] if names else ""


def _fit(value: str, field: str) -> str:
    limit = Framework._meta.get_field(field).max_length
    return value if len(value) <= limit else value[: limit - 1] + "…"


def import_catalog(data: dict, *, code: str | None = None) -> Framework:
    """Create or update the framework of an OSCAL catalog (parsed JSON). The code defaults to
    a slug of the catalog's title. The framework carries `load_result` (a SyncResult)."""
    data = _object(data, "$")
    if "catalog" not in data:
        _fail("$", _("there is no \"catalog\"; only OSCAL catalogs can be imported"))
    catalog = _object(data["catalog"], "$.catalog")
    metadata = _object(catalog.get("metadata"), "$.catalog.metadata")
    title = _one_line(_text(metadata, "title", "$.catalog.metadata", required=True))
    version = _text(metadata, "version", "$.catalog.metadata")
    publisher = _publisher(metadata, "$.catalog.metadata")

    code_length = Framework._meta.get_field("code").max_length
    if code is None:
        code = slugify(title)[:code_length].strip("-_")
        if not code:
            code = "oscal-" + hashlib.sha256(title.encode()).hexdigest()[:8]
    elif not _SLUG.match(code) or len(code) > code_length:
        raise OscalImportError(
            _("the code %(code)s must be 1 to %(max)d letters, digits, hyphens or "
              "underscores") % {"code": code, "max": code_length})

    reader = _CatalogReader()
    reader.read(catalog, "$.catalog")
    if not reader.entries:
        _fail("$.catalog", _("the catalog has no groups and no controls"))
    values = {
        "name_ja": _fit(title, "name_ja"),
        "name_en": _fit(title, "name_en"),
        "version": _fit(version, "version"),
        "publisher": _fit(publisher, "publisher"),
        "source": Framework.Source.OSCAL,
    }
    try:
        check_entries(reader.entries)
        with transaction.atomic():
            if Framework.objects.filter(code=code).exclude(
                    source=Framework.Source.OSCAL).exists():
                raise OscalImportError(
                    _("the framework %(code)s exists and was not imported from OSCAL; choose "
                      "another code") % {"code": code})
            result = sync_framework(code, values, reader.entries, ja_follows_en=True)
    except FrameworkDataError as error:
        raise OscalImportError(str(error)) from error
    result.framework.load_result = result
    return result.framework
