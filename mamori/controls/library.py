"""CISO Assistant libraries (YAML): their frameworks and requirement mapping sets imported.

A library is one YAML document: `urn`, `locale`, `ref_id`, `name`, `description`, `copyright`,
`version`, `provider`, `packager`, `translations`, `dependencies` (URNs of the libraries it
builds on) and `objects`. Mamori reads two kinds of object from it and passes over the others
(threats, reference controls, risk matrices):

- `objects.framework`: a framework and its `requirement_nodes`, a flat list in document order
  where each node names its parent by `parent_urn` (listed before it). A node becomes a
  requirement: `ref_id` its reference (a stable one is derived from the URN when there is none,
  or when two nodes share one), `name` its title, `description` its text; a node that is not
  `assessable` is a group heading. The library's `locale` says which language `name` is in;
  `translations.ja` and `translations.en` give the other titles.
- `objects.requirement_mapping_set` (or a list, `requirement_mapping_sets`): how the
  requirements of a source framework relate to those of a target framework, each mapping
  naming its requirements by URN (`RequirementMapping`). The URNs are looked up among the
  files imported together, the libraries imported before and Mamori's shipped frameworks
  (urn:mamori:framework:<code>, urn:mamori:req:<code>:<ref>, see models.py).

URNs are compared in lower case, as CISO Assistant compares them.

Everything is checked before anything is written, and the writes run in one transaction: a
file is imported whole or not at all, and the errors name the file, the object and the node.
Importing a library again is safe: a framework is found by its URN and a requirement by its
URN (frameworks.sync_framework), and only what the library changed is saved, so a second
import writes nothing; the organisation's decisions (applicability, justification, mapped
controls, a requirement's text) are kept. A mapping set's mappings are found by their two
requirements: those the set no longer lists are removed, and a pair already mapped by hand or
by another set is left as it is.

YAML is read with `yaml.safe_load` only (no Python objects), from files up to MAX_BYTES.
"""

import contextlib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from mamori.controls.frameworks import (
    Entry,
    FrameworkDataError,
    SyncResult,
    check_entries,
    reference_conflicts,
    shipped_codes,
    sync_framework,
)
from mamori.controls.models import (
    URN_MAX_LENGTH,
    Framework,
    Requirement,
    RequirementMapping,
    is_builtin_urn,
)
from mamori.core.audit import one_log_append
from mamori.core.plaintext import CONTROL_CHARACTERS

MAX_BYTES = 20 * 1024 * 1024  # a library file larger than this is refused unread
MAX_ERRORS = 50  # errors listed at most; the rest are counted
CHUNK = 500  # URNs looked up per query


class LibraryError(ValueError):
    """A library (or several imported together) that cannot be imported; `errors` lists what
    is wrong, each naming the file, the object and the node."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


# --- what a library holds -------------------------------------------------------------------


@dataclass
class LibraryFramework:
    file: str
    where: str  # e.g. "objects.framework"
    urn: str
    values: dict  # frameworks.FRAMEWORK_FIELDS
    entries: list[Entry]
    # Where each entry is in the file: "objects.framework.requirement_nodes[3] (urn:…)".
    places: list[str]
    code_hint: str  # what a new framework's code is made from
    name_ja_follows: bool = False  # no Japanese name: the English (or original) one stands in


@dataclass
class LibraryMapping:
    where: str
    source_urn: str
    target_urn: str
    relationship: str
    strength: int | None
    rationale: str
    annotation: str


@dataclass
class LibraryMappingSet:
    file: str
    where: str
    urn: str
    name: str  # Japanese when the library has it, else its own language's
    name_en: str
    source_framework_urn: str
    target_framework_urn: str
    mappings: list[LibraryMapping]
    dependencies: list[str] = field(default_factory=list)


@dataclass
class Library:
    file: str
    urn: str
    frameworks: list[LibraryFramework] = field(default_factory=list)
    mapping_sets: list[LibraryMappingSet] = field(default_factory=list)


@dataclass
class MappingSetResult:
    """What one import did to one mapping set."""

    urn: str
    name: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    # Pairs the set lists that were already mapped by hand or by another set: left as they are.
    elsewhere: int = 0

    @property
    def changes(self) -> int:
        return self.created + self.updated + self.removed


@dataclass
class ImportResult:
    frameworks: list[SyncResult] = field(default_factory=list)
    mapping_sets: list[MappingSetResult] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return (sum(result.changes for result in self.frameworks)
                + sum(result.changes for result in self.mapping_sets))


# --- reading a file -------------------------------------------------------------------------


def read_library_file(path: Path) -> Library:
    """The library in the file at `path`, read and checked in itself (not yet against the
    database: see `import_libraries`)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LibraryError([too_large(path.name)])
        content = path.read_bytes()
    except OSError as error:
        raise LibraryError([_("%(file)s cannot be read: %(error)s") % {
            "file": path.name, "error": error.strerror or error}]) from error
    return parse_library(content, path.name)


def read_library_upload(upload) -> Library:
    """The library in an uploaded file (a Django UploadedFile)."""
    if upload.size > MAX_BYTES:
        raise LibraryError([too_large(upload.name)])
    return parse_library(upload.read(), upload.name)


def too_large(name: str) -> str:
    return _("%(file)s is larger than %(max)d MB; a library is not that large") % {
        "file": name, "max": MAX_BYTES // (1024 * 1024)}


def parse_library(content: bytes | str, name: str) -> Library:
    """The library in `content` (the text of file `name`), checked in itself."""
    reader = _Reader(name, len(content))
    library = reader.read(content)
    if reader.errors:
        raise LibraryError(reader.listed())
    return library


def _hash8(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


class _Stop(Exception):
    """Reading one object stops here; its error is recorded."""


class _Reader:
    def __init__(self, file: str, size: int):
        self.file = file
        self.errors: list[str] = []
        # Every text read is counted: a small file whose YAML aliases repeat a long text
        # thousands of times is refused instead of being stored thousands of times.
        self.budget = 2 * size + 1_000_000
        self.language = ""
        self.ref_length = Requirement._meta.get_field("ref").max_length
        self.title_length = Requirement._meta.get_field("title_en").max_length

    # -- errors ------------------------------------------------------------------------------

    def fail(self, where: str, problem: str, **params) -> None:
        text = problem % params if params else problem
        if where:
            message = _("%(file)s: %(where)s: %(problem)s") % {
                "file": self.file, "where": where, "problem": text}
        else:
            message = _("%(file)s: %(problem)s") % {"file": self.file, "problem": text}
        self.errors.append(message)

    def stop(self, where: str, problem: str, **params):
        self.fail(where, problem, **params)
        raise _Stop

    def listed(self) -> list[str]:
        if len(self.errors) <= MAX_ERRORS:
            return self.errors
        more = _("%(file)s: and %(count)d more errors") % {
            "file": self.file, "count": len(self.errors) - MAX_ERRORS}
        return [*self.errors[:MAX_ERRORS], more]

    # -- values ------------------------------------------------------------------------------

    def mapping(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            self.stop(where, _("expected a mapping of keys and values"))
        return value

    def text(self, parent: dict, key: str, where: str, *, required: bool = False) -> str:
        """A text (a number is taken as its text), stripped; "" when absent or null."""
        value = parent.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.stop(where, _("the required key %(key)s is missing or empty"), key=key)
            return ""
        if not isinstance(value, str):
            self.stop(where, _("%(key)s must be a text"), key=key)
        self.budget -= len(value)
        if self.budget < 0:
            self.stop("", _("the file's texts are far longer than the file (repeated YAML "
                            "aliases); it is refused"))
        if found := CONTROL_CHARACTERS.search(value):  # as every form refuses them
            self.stop(where, _("%(key)s holds the invisible control character U+%(code)s"),
                      key=key, code=f"{ord(found.group()):04X}")
        return value.strip()

    def urn(self, parent: dict, key: str, where: str, *, required: bool = False) -> str:
        urn = self.text(parent, key, where, required=required).lower()
        if len(urn) > URN_MAX_LENGTH:
            self.stop(where, _("%(key)s is longer than %(max)d characters"), key=key,
                      max=URN_MAX_LENGTH)
        return urn

    def by_language(self, item: dict, key: str, where: str) -> dict[str, str]:
        """`key`'s text in each language: in the library's locale from the item itself, in
        others from its `translations`."""
        texts = {}
        own = self.text(item, key, where)
        if own:
            texts[self.language] = own
        translations = item.get("translations")
        if translations is None:
            return texts
        if not isinstance(translations, dict):
            self.stop(where, _("translations must map languages to their texts"))
        for locale, translated in translations.items():
            if translated is None:
                continue
            place = f"{where}.translations.{locale}"
            translated = self.mapping(translated, place)
            language = str(locale).replace("_", "-").split("-")[0].lower()
            text = self.text(translated, key, place)
            if text and language not in texts:
                texts[language] = text
        return texts

    # -- the document ------------------------------------------------------------------------

    def read(self, content: bytes | str) -> Library:
        library = Library(file=self.file, urn="")
        try:
            data = self.load(content)
            data = self.mapping(data, "")
            library.urn = self.urn(data, "urn", "", required=True)
            locale = self.text(data, "locale", "", required=True)
            self.language = locale.replace("_", "-").split("-")[0].lower()
            self.text(data, "name", "", required=True)
            if data.get("objects") is None:
                self.stop("", _("the required key %(key)s is missing or empty"), key="objects")
            objects = self.mapping(data["objects"], "objects")
            dependencies = self.dependencies(data)
            meta = {
                "version": self.text(data, "version", ""),
                "publisher": self.text(data, "provider", ""),
                "licence_note": self.text(data, "copyright", ""),
            }
        except _Stop:
            return library
        found = False
        if "framework" in objects:
            found = True
            with contextlib.suppress(_Stop):
                library.frameworks.append(
                    self.framework(objects["framework"], "objects.framework", meta))
        sets = []
        if "requirement_mapping_set" in objects:
            sets.append((objects["requirement_mapping_set"], "objects.requirement_mapping_set"))
        if "requirement_mapping_sets" in objects:
            listed = objects["requirement_mapping_sets"]
            if not isinstance(listed, list):
                self.fail("objects.requirement_mapping_sets", _("expected a list"))
                listed = []
            sets += [(item, f"objects.requirement_mapping_sets[{index}]")
                     for index, item in enumerate(listed)]
        for item, where in sets:
            found = True
            with contextlib.suppress(_Stop):
                library.mapping_sets.append(self.mapping_set(item, where, dependencies))
        if not found:
            self.fail("objects", _("there is no framework and no requirement mapping set; "
                                   "only those are imported"))
        return library

    def load(self, content: bytes | str):
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.stop("", _("the file is not UTF-8 text"))
        try:
            return yaml.safe_load(content)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            problem = getattr(error, "problem", None) or str(error).splitlines()[0]
            if mark is not None:
                self.stop("", _("the file is not valid YAML: %(detail)s (line %(line)d)"),
                          detail=problem, line=mark.line + 1)
            self.stop("", _("the file is not valid YAML: %(detail)s"), detail=problem)
        except RecursionError:
            self.stop("", _("the file is not valid YAML: it is nested too deeply"))

    def dependencies(self, data: dict) -> list[str]:
        value = data.get("dependencies")
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.stop("dependencies", _("expected a list of library URNs"))
        return [v.strip().lower() for v in value]

    # -- a framework -------------------------------------------------------------------------

    def framework(self, item, where: str, meta: dict) -> LibraryFramework:
        item = self.mapping(item, where)
        urn = self.urn(item, "urn", where, required=True)
        if is_builtin_urn(urn):
            self.stop(where, _("the URN %(urn)s is in the form reserved for the frameworks "
                               "shipped with Mamori"), urn=urn)
        ref_id = self.text(item, "ref_id", where, required=True)
        self.text(item, "name", where, required=True)
        names = self.by_language(item, "name", where)
        name_en, name_ja, ja_follows = self.two_languages(names)
        nodes = item.get("requirement_nodes")
        if not isinstance(nodes, list) or not nodes:
            self.stop(where, _("requirement_nodes must be a list of at least one node"))
        entries, places = self.nodes(nodes, f"{where}.requirement_nodes")
        try:
            check_entries(entries)  # what the shared writer expects (met by construction)
        except FrameworkDataError as error:
            self.stop(where, str(error))
        limits = {name: Framework._meta.get_field(name).max_length
                  for name in ("name_ja", "name_en", "version", "publisher")}
        values = {
            "name_ja": _fit(name_ja, limits["name_ja"]),
            "name_en": _fit(name_en, limits["name_en"]),
            "version": _fit(meta["version"], limits["version"]),
            "publisher": _fit(meta["publisher"], limits["publisher"]),
            "source": Framework.Source.LIBRARY,
            "licence_note": meta["licence_note"],
            "urn": urn,
        }
        return LibraryFramework(file=self.file, where=where, urn=urn, values=values,
                                entries=entries, places=places,
                                code_hint=urn.rsplit(":", 1)[-1] or ref_id,
                                name_ja_follows=ja_follows)

    def two_languages(self, texts: dict[str, str]) -> tuple[str, str, bool]:
        """(English, Japanese, whether the Japanese is only the other language's): a library
        in another language fills both with its own text, the Japanese page needing one."""
        english = texts.get("en") or (texts.get(self.language, "")
                                      if self.language != "ja" else "")
        japanese = texts.get("ja", "")
        if japanese:
            return english, japanese, False
        return english, english or next(iter(texts.values()), ""), True

    def nodes(self, nodes: list, where: str) -> tuple[list[Entry], list[str]]:
        entries, places = [], []
        index_of: dict[str, int] = {}  # urn → index
        ref_of: dict[str, str] = {}  # urn → ref
        used_refs: set[str] = set()
        failed: set[str] = set()  # nodes refused: their children are not refused again
        for index, node in enumerate(nodes):
            place = f"{where}[{index}]"
            urn = ""
            try:
                node = self.mapping(node, place)
                urn = self.urn(node, "urn", place, required=True)
                place = f"{place} ({urn})"
                if is_builtin_urn(urn):
                    self.stop(place, _("the URN is in the form reserved for the frameworks "
                                       "shipped with Mamori"))
                if urn in index_of:
                    self.stop(place, _("the urn is already used by %(other)s"),
                              other=f"{where}[{index_of[urn]}]")
                parent_urn = self.urn(node, "parent_urn", place)
                if parent_urn in failed:
                    failed.add(urn)
                    continue
                if parent_urn and parent_urn not in ref_of:
                    self.stop(place, _("parent_urn %(parent)s is not listed before it"),
                              parent=parent_urn)
                assessable = node.get("assessable", False)
                if assessable is not None and not isinstance(assessable, bool):
                    self.stop(place, _("assessable must be true or false"))
                ref = self.reference(self.text(node, "ref_id", place), urn, used_refs)
                names = self.by_language(node, "name", place)
                descriptions = self.by_language(node, "description", place)
            except _Stop:
                if urn and urn not in index_of:
                    failed.add(urn)
                if len(self.errors) >= MAX_ERRORS:
                    break
                continue
            if not names:  # a node of text only: its first line names it
                names = {language: _first_line(text) for language, text in descriptions.items()}
            title_en, title_ja, ja_follows = self.two_languages(names)
            index_of[urn] = index
            ref_of[urn] = ref
            used_refs.add(ref)
            entries.append(Entry(
                ref=ref, parent=ref_of[parent_urn] if parent_urn else None,
                title_ja=_fit(title_ja, self.title_length),
                title_en=_fit(title_en, self.title_length),
                description=self.description(descriptions),
                is_group=not assessable, urn=urn, ja_follows_en=ja_follows))
            places.append(place)
        return entries, places

    def reference(self, ref_id: str, urn: str, used: set[str]) -> str:
        """The node's reference: its ref_id, else the last part of its URN; when that is
        taken by an earlier node or too long, made unique with a short hash of the URN. The
        same file always gives the same references."""
        last = urn.rsplit(":", 1)[-1]
        limit = self.ref_length
        for candidate in (ref_id, last):
            if candidate and len(candidate) <= limit and candidate not in used:
                return candidate
        base = (ref_id or last or "node")[: limit - 9]
        return f"{base}~{_hash8(urn)}"

    def description(self, texts: dict[str, str]) -> str:
        """Japanese and English texts (what there is of them), else the library's own."""
        chosen = [texts[language] for language in ("ja", "en") if texts.get(language)]
        if not chosen and texts:
            chosen = [texts.get(self.language) or next(iter(texts.values()))]
        return "\n\n".join(chosen)

    # -- a mapping set -----------------------------------------------------------------------

    def mapping_set(self, item, where: str, dependencies: list[str]) -> LibraryMappingSet:
        item = self.mapping(item, where)
        urn = self.urn(item, "urn", where, required=True)
        path, where = where, f"{where} ({urn})"
        self.text(item, "name", where, required=True)
        names = self.by_language(item, "name", where)
        name = names.get("ja") or names.get("en") or names.get(self.language, "")
        name_en = names.get("en", "") if name != names.get("en") else ""
        source = self.urn(item, "source_framework_urn", where, required=True)
        target = self.urn(item, "target_framework_urn", where, required=True)
        rows = item.get("requirement_mappings")
        if not isinstance(rows, list) or not rows:
            self.stop(where, _("requirement_mappings must be a list of at least one mapping"))
        mappings = []
        seen: dict[tuple[str, str], int] = {}
        for index, row in enumerate(rows):
            place = f"{path}.requirement_mappings[{index}]"
            try:
                mapping = self.mapping_row(row, place)
            except _Stop:
                if len(self.errors) >= MAX_ERRORS:
                    break
                continue
            pair = (mapping.source_urn, mapping.target_urn)
            if pair in seen:
                self.fail(place, _("maps %(source)s to %(target)s a second time (first in "
                                   "requirement_mappings[%(first)d])"),
                          source=pair[0], target=pair[1], first=seen[pair])
                continue
            seen[pair] = index
            mappings.append(mapping)
        return LibraryMappingSet(
            file=self.file, where=where, urn=urn,
            name=_fit(name, RequirementMapping._meta.get_field("mapping_set_name").max_length),
            name_en=_fit(name_en,
                         RequirementMapping._meta.get_field("mapping_set_name_en").max_length),
            source_framework_urn=source, target_framework_urn=target, mappings=mappings,
            dependencies=dependencies)

    def mapping_row(self, row, where: str) -> LibraryMapping:
        row = self.mapping(row, where)
        source = self.urn(row, "source_requirement_urn", where, required=True)
        target = self.urn(row, "target_requirement_urn", where, required=True)
        if source == target:
            self.stop(where, _("maps %(urn)s to itself"), urn=source)
        relationship = self.text(row, "relationship", where, required=True)
        if relationship not in RequirementMapping.Relationship.values:
            self.stop(where, _("unknown relationship %(value)s; expected one of %(known)s"),
                      value=relationship,
                      known=", ".join(RequirementMapping.Relationship.values))
        rationale = self.text(row, "rationale", where)
        if rationale and rationale not in RequirementMapping.Rationale.values:
            self.stop(where, _("unknown rationale %(value)s; expected one of %(known)s"),
                      value=rationale, known=", ".join(RequirementMapping.Rationale.values))
        # "stregth_of_relationship": so spelled in some of CISO Assistant's own files.
        key = next((k for k in ("strength_of_relationship", "stregth_of_relationship")
                    if row.get(k) is not None), None)
        strength = row.get(key) if key else None
        if strength is not None and (isinstance(strength, bool) or not isinstance(strength, int)
                                     or not 0 <= strength <= 10):
            self.stop(where, _("%(key)s must be a whole number from 1 to 10"), key=key)
        return LibraryMapping(
            where=where, source_urn=source, target_urn=target, relationship=relationship,
            # 0: not rated (CISO Assistant's files use it so), as an empty strength.
            strength=strength or None, rationale=rationale,
            annotation=self.text(row, "annotation", where))


# --- importing ------------------------------------------------------------------------------


@dataclass
class _Planned:
    """A framework of the libraries, checked against the database: its code and the stored
    framework it updates (None: created)."""

    framework: LibraryFramework
    code: str
    stored: Framework | None


def _in_chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _place(file: str, where: str, problem: str) -> str:
    return _("%(file)s: %(where)s: %(problem)s") % {"file": file, "where": where,
                                                    "problem": problem}


def import_libraries(libraries: list[Library]) -> ImportResult:
    """Import the frameworks and mapping sets of `libraries` (read with `read_library_file`
    or `parse_library`), checked against the database first, in one transaction: all of
    them or nothing. Their mapping sets may name the requirements of any of them, of
    libraries imported before and of Mamori's shipped frameworks."""
    planned, errors = _plan_frameworks(libraries)
    stored: dict[str, Requirement] = {}  # requirements the mapping sets name, as stored
    errors += _check_mapping_sets(libraries, planned, stored)
    if errors:
        if len(errors) > MAX_ERRORS:
            more = _("and %(count)d more errors") % {"count": len(errors) - MAX_ERRORS}
            errors = [*errors[:MAX_ERRORS], more]
        raise LibraryError(errors)
    result = ImportResult()
    # No savepoint of its own inside a caller's transaction (the shipped mappings, loaded
    # with the shipped frameworks): an error rolls the caller's back as well.
    with transaction.atomic(savepoint=False), one_log_append():
        for plan in planned:
            values = dict(plan.framework.values)
            if plan.framework.name_ja_follows and plan.stored is not None and (
                    plan.stored.name_ja not in ("", plan.stored.name_en)):
                del values["name_ja"]  # written by the organisation since: kept
            synced = sync_framework(plan.code, values, plan.framework.entries)
            synced.framework.load_result = synced
            result.frameworks.append(synced)
        sets = [mapping_set for library in libraries for mapping_set in library.mapping_sets]
        if sets:
            # The requirements of the libraries' own frameworks exist now.
            named = {urn for mapping_set in sets for mapping in mapping_set.mappings
                     for urn in (mapping.source_urn, mapping.target_urn)}
            stored.update(_requirements_by_urn(named - set(stored)))
            result.mapping_sets = _write_mapping_sets(sets, stored)
    return result


def _plan_frameworks(libraries: list[Library]) -> tuple[list[_Planned], list[str]]:
    errors: list[str] = []
    frameworks = [framework for library in libraries for framework in library.frameworks]
    if not frameworks:
        return [], errors
    first_at: dict[str, LibraryFramework] = {}
    node_at: dict[str, str] = {}  # requirement urn → "file: place"
    for framework in frameworks:
        if framework.urn in first_at:
            other = first_at[framework.urn]
            errors.append(_place(framework.file, framework.where, _(
                "the framework %(urn)s is also in %(other)s") % {
                "urn": framework.urn, "other": other.file}))
            continue
        first_at[framework.urn] = framework
        for entry, place in zip(framework.entries, framework.places, strict=True):
            if entry.urn in node_at:
                errors.append(_place(framework.file, place, _(
                    "the urn is also used in %(other)s") % {"other": node_at[entry.urn]}))
            node_at[entry.urn] = f"{framework.file}: {place}"
    frameworks = list(first_at.values())

    stored = {f.urn: f for f in Framework.objects.filter(urn__in=list(first_at))}
    for framework in frameworks:
        other = stored.get(framework.urn)
        if other is not None and other.source != Framework.Source.LIBRARY:
            errors.append(_place(framework.file, framework.where, _(
                "the URN %(urn)s belongs to the framework %(code)s, which was not imported "
                "from a library") % {"urn": framework.urn, "code": other.code}))

    # Requirements already stored under the libraries' URNs must be the same frameworks'.
    urns = [entry.urn for framework in frameworks for entry in framework.entries]
    holders = {}
    for chunk in _in_chunks(urns):
        holders.update({row.urn: row for row in Requirement.objects.filter(
            urn__in=chunk).exclude(urn="").select_related("framework").only(
            "urn", "uid", "framework__urn", "framework__code")})
    for framework in frameworks:
        for entry, place in zip(framework.entries, framework.places, strict=True):
            holder = holders.get(entry.urn)
            if holder is not None and holder.framework.urn != framework.urn:
                errors.append(_place(framework.file, place, _(
                    "the urn is already used by the requirement %(uid)s of another "
                    "framework") % {"uid": holder.uid}))
        for index, entry, holder in reference_conflicts(stored.get(framework.urn),
                                                        framework.entries):
            errors.append(_place(framework.file, framework.places[index], _(
                "its reference %(ref)s is held by the requirement %(uid)s, which the library "
                "does not list under that reference; rename or delete that one first") % {
                "ref": entry.ref, "uid": holder.uid}))

    # Codes: a stored framework keeps its own; a new one is named after its URN.
    reserved = shipped_codes()
    wanted = {framework.urn: _code_candidates(framework) for framework in frameworks
              if framework.urn not in stored}
    candidates = [code for codes in wanted.values() for code in codes]
    taken = set(Framework.objects.filter(code__in=candidates).values_list("code", flat=True))
    taken |= reserved
    planned = []
    for framework in frameworks:
        if framework.urn in stored:
            planned.append(_Planned(framework, stored[framework.urn].code,
                                    stored[framework.urn]))
            continue
        code = next((c for c in wanted[framework.urn] if c not in taken), None)
        if code is None:
            errors.append(_place(framework.file, framework.where, _(
                "no free code for the framework: %(codes)s are taken") % {
                "codes": ", ".join(wanted[framework.urn])}))
            continue
        taken.add(code)
        planned.append(_Planned(framework, code, None))
    return planned, errors


def _code_candidates(framework: LibraryFramework) -> list[str]:
    limit = Framework._meta.get_field("code").max_length
    base = slugify(framework.code_hint)[:limit].strip("-_") or "library"
    return [base, f"{base[: limit - 9].strip('-_')}-{_hash8(framework.urn)}"]


def _check_mapping_sets(libraries: list[Library], planned: list[_Planned],
                        stored: dict[str, Requirement]) -> list[str]:
    """The mapping sets' errors; `stored` gets the stored requirements they name (but for
    those of the libraries' own frameworks, written later)."""
    errors: list[str] = []
    sets = [mapping_set for library in libraries for mapping_set in library.mapping_sets]
    if not sets:
        return errors
    # What the libraries define, then what is stored (the libraries' own version first).
    framework_urns = {plan.framework.urn for plan in planned}
    in_framework = {entry.urn: plan.framework.urn for plan in planned
                    for entry in plan.framework.entries}
    wanted = {u for s in sets for u in (s.source_framework_urn, s.target_framework_urn)}
    framework_urns |= set(Framework.objects.filter(
        urn__in=[u for u in wanted if u not in framework_urns]).values_list("urn", flat=True))
    named = {urn for s in sets for m in s.mappings for urn in (m.source_urn, m.target_urn)}
    stored.update(_requirements_by_urn(named - set(in_framework)))
    in_framework.update({urn: row.framework.urn for urn, row in stored.items()})

    first_set: dict[str, LibraryMappingSet] = {}
    pairs: dict[tuple[str, str], str] = {}
    for mapping_set in sets:
        if mapping_set.urn in first_set:
            errors.append(_place(mapping_set.file, mapping_set.where, _(
                "the mapping set is also in %(other)s") % {
                "other": first_set[mapping_set.urn].file}))
            continue
        first_set[mapping_set.urn] = mapping_set
        missing = False
        for side, urn in (
                (pgettext("mapping side", "source"), mapping_set.source_framework_urn),
                (pgettext("mapping side", "target"), mapping_set.target_framework_urn)):
            if urn not in framework_urns:
                missing = True
                problem = _("the %(side)s framework %(urn)s is not known: it is neither in "
                            "the files imported nor imported before") % {"side": side,
                                                                         "urn": urn}
                if mapping_set.dependencies:
                    problem += " " + _("(the library depends on %(libraries)s)") % {
                        "libraries": ", ".join(mapping_set.dependencies)}
                errors.append(_place(mapping_set.file, mapping_set.where, problem))
        if missing:
            continue
        for mapping in mapping_set.mappings:
            for side, urn, framework_urn in (
                    (pgettext("mapping side", "source"), mapping.source_urn,
                     mapping_set.source_framework_urn),
                    (pgettext("mapping side", "target"), mapping.target_urn,
                     mapping_set.target_framework_urn)):
                found = in_framework.get(urn)
                if found is None:
                    problem = _("%(side)s %(urn)s is not a known requirement") % {
                        "side": side, "urn": urn}
                elif found != framework_urn:
                    problem = _("%(side)s %(urn)s is a requirement of %(found)s, not of the "
                                "set's %(side)s framework %(framework)s") % {
                        "side": side, "urn": urn, "found": found, "framework": framework_urn}
                else:
                    continue
                errors.append(_place(mapping_set.file, mapping.where, problem))
            pair = (mapping.source_urn, mapping.target_urn)
            if pair in pairs:
                errors.append(_place(mapping_set.file, mapping.where, _(
                    "%(source)s is mapped to %(target)s in %(other)s as well") % {
                    "source": pair[0], "target": pair[1], "other": pairs[pair]}))
            pairs[pair] = f"{mapping_set.file}: {mapping_set.where}"
    return errors


def _requirements_by_urn(urns: set[str]) -> dict[str, Requirement]:
    found = {}
    for chunk in _in_chunks(sorted(urns)):
        found.update({row.urn: row for row in Requirement.objects.filter(
            urn__in=chunk).exclude(urn="").select_related("framework").only(
            "pk", "uid", "urn", "framework_id", "framework__urn")})
    return found


MAPPING_FIELDS = ("relationship", "strength", "rationale", "annotation", "mapping_set_name",
                  "mapping_set_name_en")


def _write_mapping_sets(sets: list[LibraryMappingSet],
                        requirements: dict[str, Requirement]) -> list[MappingSetResult]:
    """Create, update and remove the sets' mappings: two queries to read what is stored
    (and one more for every CHUNK requirements mapped), one write per mapping changed."""
    stored = {}  # set urn → {(source id, target id): mapping}
    for row in RequirementMapping.objects.filter(
            mapping_set__in=[s.urn for s in sets]).select_related("source", "target"):
        stored.setdefault(row.mapping_set, {})[(row.source_id, row.target_id)] = row
    mapped = {}  # (source id, target id) → the set that maps the pair ("" by hand)
    sources = sorted({requirements[m.source_urn].pk for s in sets for m in s.mappings})
    for chunk in _in_chunks(sources):
        mapped.update({(source, target): set_urn for source, target, set_urn in
                       RequirementMapping.objects.filter(source_id__in=chunk).values_list(
                           "source_id", "target_id", "mapping_set")})
    return [_write_mapping_set(s, requirements, stored.get(s.urn, {}), mapped) for s in sets]


def _write_mapping_set(mapping_set: LibraryMappingSet, requirements: dict[str, Requirement],
                       mine: dict, mapped: dict) -> MappingSetResult:
    result = MappingSetResult(mapping_set.urn, mapping_set.name)
    kept = set()
    for mapping in mapping_set.mappings:
        source, target = requirements[mapping.source_urn], requirements[mapping.target_urn]
        pair = (source.pk, target.pk)
        if mapped.get(pair, mapping_set.urn) != mapping_set.urn:
            result.elsewhere += 1  # mapped by hand or by another set: left as it is
            continue
        kept.add(pair)
        wanted = {"relationship": mapping.relationship, "strength": mapping.strength,
                  "rationale": mapping.rationale, "annotation": mapping.annotation,
                  "mapping_set_name": mapping_set.name,
                  "mapping_set_name_en": mapping_set.name_en}
        row = mine.get(pair)
        if row is None:
            RequirementMapping(source=source, target=target, mapping_set=mapping_set.urn,
                               **wanted).save()
            result.created += 1
            continue
        changed = [name for name in MAPPING_FIELDS if getattr(row, name) != wanted[name]]
        if changed:
            for name in changed:
                setattr(row, name, wanted[name])
            row.save(update_fields=changed)
            result.updated += 1
        else:
            result.unchanged += 1
    for pair, row in mine.items():
        if pair not in kept:
            row.delete()
            result.removed += 1
    return result


def describe_mapping_set(result: MappingSetResult) -> str:
    """One line for a command's output, in the active language."""
    if result.changes:
        text = _("%(urn)s: %(created)d mappings created, %(updated)d updated, %(removed)d "
                 "removed, %(unchanged)d unchanged")
    else:
        text = _("%(urn)s: up to date (%(unchanged)d mappings)")
    line = text % {"urn": result.urn, "created": result.created, "updated": result.updated,
                   "removed": result.removed, "unchanged": result.unchanged}
    if result.elsewhere:
        line += " " + _("(%(count)d pairs were mapped already, by hand or by another set, and "
                        "were left as they are)") % {"count": result.elsewhere}
    return line
