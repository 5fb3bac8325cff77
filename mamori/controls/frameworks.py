"""Frameworks as data: the catalogues shipped in `data/frameworks/` (and the mappings between
them in `data/mappings/`) and the shared code that creates or updates a framework and its
requirements (also used by the OSCAL and library imports).

Loading again is safe: a framework is matched by its code and a requirement by its URN, or by
(framework, ref) when it has none. Only rows whose shipped values changed are saved, through
the audited models, so every change is in the change log and a second load writes nothing. The
organisation's own work is never touched: whether a requirement applies, the justification,
the mapped controls and the requirement's text (set only when the requirement is created,
because it may since have been replaced by the licensed text of the standard).
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from mamori.controls.models import (
    Framework,
    Requirement,
    Theme,
    builtin_framework_urn,
    builtin_requirement_urn,
)

FRAMEWORK_DIR = Path(__file__).resolve().parent / "data" / "frameworks"
# Mappings between the shipped frameworks, in CISO Assistant's library format (see library.py),
# loaded after the frameworks.
MAPPING_DIR = Path(__file__).resolve().parent / "data" / "mappings"

# Requirement fields that follow the source on every load. `description` is only written when
# the requirement is created; decisions (applicable, justification, controls) never. Titles
# follow an OSCAL catalog on re-import, but not Mamori's shipped data: an organisation may have
# loaded the licensed titles of a standard it owns over our descriptors (see the README).
FOLLOWED_FIELDS = ("parent_id", "sort_key", "title_ja", "title_en", "theme", "is_group", "urn")
FRAMEWORK_FIELDS = ("name_ja", "name_en", "version", "publisher", "source", "licence_note",
                    "urn")


class FrameworkDataError(ValueError):
    """A framework file (or parsed catalogue) that cannot be loaded as it stands."""


@dataclass
class Entry:
    """One requirement as the source describes it, in document order."""

    ref: str
    parent: str | None = None
    title_ja: str = ""
    title_en: str = ""
    description: str = ""
    theme: str = ""
    is_group: bool = False
    # The requirement's URN (lower case), when the source gives one: an existing requirement
    # is found by it before its reference.
    urn: str = ""
    # The Japanese title is the other language's, for want of one: a Japanese title the
    # organisation has written since is kept (as `sync_framework`'s `ja_follows_en`).
    ja_follows_en: bool = False


@dataclass
class SyncResult:
    """What one load did to one framework."""

    framework: Framework
    framework_created: bool = False
    framework_updated: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Requirements in the database that the source no longer lists; they are kept, with the
    # organisation's decisions, and only counted.
    not_in_source: list[str] = field(default_factory=list)

    @property
    def changes(self) -> int:
        return (self.created + self.updated + int(self.framework_created)
                + int(self.framework_updated))


def sync_framework(code: str, values: dict, entries: list[Entry], *,
                   ja_follows_en: bool = False, follow_titles: bool = True) -> SyncResult:
    """Create or update the framework `code` with `values` (FRAMEWORK_FIELDS) and its
    requirements from `entries`, which the caller has passed through `check_entries` (the
    callers check before they write anything; an entry that would take the reference of
    another requirement is refused by `reference_conflicts`). Runs in the caller's
    transaction (one is opened if none).

    `ja_follows_en`: the source has one language only and fills both title fields with it; a
    Japanese title (or name) the organisation has written since, i.e. one that no longer
    equals the English one, is kept."""
    with transaction.atomic():
        result = _sync_framework_row(code, values, ja_follows_en)
        framework = result.framework
        rows = list(Requirement.objects.filter(framework=framework))
        existing = {row.ref: row for row in rows}
        by_urn = {row.urn: row for row in rows if row.urn}
        by_ref: dict[str, Requirement] = {}
        for position, entry in enumerate(entries, start=1):
            parent = by_ref[entry.parent] if entry.parent else None
            wanted = {
                "parent_id": parent.pk if parent else None,
                "sort_key": position * 10,
                "title_ja": entry.title_ja,
                "title_en": entry.title_en,
                "theme": entry.theme,
                "is_group": entry.is_group,
                "urn": entry.urn,
            }
            row = _matching_row(entry, existing, by_urn)
            if row is None:
                row = Requirement(framework=framework, ref=entry.ref,
                                  description=entry.description, **wanted)
                row.save()
                result.created += 1
            else:
                if row.ref != entry.ref:  # found by its URN: the source renamed it
                    wanted["ref"] = entry.ref
                if not follow_titles:
                    del wanted["title_ja"], wanted["title_en"]
                elif (ja_follows_en or entry.ja_follows_en) and row.title_ja not in (
                        "", row.title_en):
                    del wanted["title_ja"]
                changed = [name for name, value in wanted.items()
                           if getattr(row, name) != value]
                if changed:
                    for name in changed:
                        setattr(row, name, wanted[name])
                    row.save(update_fields=[name.removesuffix("_id") for name in changed])
                    result.updated += 1
                else:
                    result.unchanged += 1
            by_ref[entry.ref] = row
        kept = {row.pk for row in by_ref.values()}
        result.not_in_source = sorted(row.ref for row in rows if row.pk not in kept)
    return result


def _matching_row(entry: Entry, existing: dict, by_urn: dict) -> Requirement | None:
    """The stored requirement an entry updates: the one with its URN, else the one with its
    reference unless that one has another URN (another requirement of the source's)."""
    if entry.urn and entry.urn in by_urn:
        return by_urn[entry.urn]
    row = existing.get(entry.ref)
    if row is not None and row.urn and entry.urn and row.urn != entry.urn:
        return None
    return row


def reference_conflicts(framework: Framework | None, entries: list[Entry]) -> list[tuple]:
    """(index, entry, stored requirement) for each entry that `sync_framework` could not write
    into `framework` as it stands: its reference is held by another stored requirement (one
    with another URN, or one the source renames). Empty for a framework not stored yet."""
    if framework is None or framework.pk is None:
        return []
    rows = list(Requirement.objects.filter(framework=framework).only(
        "pk", "ref", "urn", "uid", "framework_id"))
    existing = {row.ref: row for row in rows}
    by_urn = {row.urn: row for row in rows if row.urn}
    conflicts = []
    for index, entry in enumerate(entries):
        row = _matching_row(entry, existing, by_urn)
        holder = existing.get(entry.ref)
        if holder is not None and (row is None or holder.pk != row.pk):
            conflicts.append((index, entry, holder))
    return conflicts


def _sync_framework_row(code: str, values: dict, ja_follows_en: bool) -> SyncResult:
    unknown = set(values) - set(FRAMEWORK_FIELDS)
    if unknown:
        raise ValueError(f"unknown framework fields: {sorted(unknown)}")  # a programming error
    framework = Framework.objects.filter(code=code).first()
    if framework is not None and framework.source == Framework.Source.LIBRARY and (
            values.get("source") != Framework.Source.LIBRARY):
        # A library's framework is the library's: shipped data or a catalog must not take it
        # over (a library framework may hold a code Mamori ships later). Raised in the
        # caller's transaction, which rolls back.
        raise FrameworkDataError(
            _("%(code)s: the code is taken by the framework %(urn)s, imported from a library; "
              "give that one another code") % {"code": code, "urn": framework.urn})
    if framework is None:
        framework = Framework(code=code, **values)
        framework.save()
        return SyncResult(framework, framework_created=True)
    wanted = dict(values)
    if ja_follows_en and framework.name_ja not in ("", framework.name_en):
        wanted.pop("name_ja", None)
    changed = [name for name, value in wanted.items() if getattr(framework, name) != value]
    if changed:
        for name in changed:
            setattr(framework, name, wanted[name])
        framework.save(update_fields=changed)
    return SyncResult(framework, framework_updated=bool(changed))


def check_entries(entries: list[Entry]) -> None:
    """Refs unique and not longer than the field, parents listed earlier, themes known."""
    ref_length = Requirement._meta.get_field("ref").max_length
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        params = {"number": index + 1, "ref": entry.ref, "parent": entry.parent,
                  "theme": entry.theme, "max": ref_length}
        if not entry.ref or len(entry.ref) > ref_length:
            message = _("requirement %(number)d (%(ref)s): the ref must have 1 to %(max)d "
                        "characters")
        elif entry.ref in seen:
            message = _("requirement %(number)d (%(ref)s): the ref appears twice")
        elif entry.parent is not None and entry.parent not in seen:
            message = _("requirement %(number)d (%(ref)s): the parent %(parent)s is not listed "
                        "before it")
        elif entry.theme and entry.theme not in Theme.values:
            message = _("requirement %(number)d (%(ref)s): unknown theme %(theme)s")
        else:
            seen.add(entry.ref)
            continue
        raise FrameworkDataError(message % params)


def _joined(*texts: str, separator: str) -> str:
    return separator.join(text.strip() for text in texts if text and text.strip())


def read_framework_file(path: Path) -> tuple[str, dict, list[Entry]]:
    """The code, framework values and entries of one shipped JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        code = data["code"]
        values = {
            "name_ja": data["name_ja"],
            "name_en": data.get("name_en", ""),
            "version": data.get("version", ""),
            "publisher": data.get("publisher", ""),
            "source": Framework.Source.BUILT_IN,
            "licence_note": _joined(data.get("licence_note_ja", ""),
                                    data.get("licence_note_en", ""), separator="\n\n"),
            "urn": builtin_framework_urn(code),
        }
        rows = data["requirements"]
        parents = {row.get("parent") for row in rows}
        entries = [
            Entry(
                ref=row["ref"],
                parent=row.get("parent") or None,
                title_ja=row.get("title_ja", ""),
                title_en=row.get("title_en", ""),
                description=_joined(row.get("description_ja", ""),
                                    row.get("description_en", ""), separator="\n"),
                theme=row.get("theme", "") or "",
                is_group=row["ref"] in parents,
                urn=builtin_requirement_urn(code, row["ref"]),
            )
            for row in rows
        ]
        check_entries(entries)
    except FrameworkDataError as error:
        raise FrameworkDataError(f"{path.name}: {error}") from error
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise FrameworkDataError(_("%(file)s cannot be read: %(error)s") % {
            "file": path.name, "error": repr(error)}) from error
    return code, values, entries


class LoadedFrameworks(list):
    """The frameworks a load created or updated (each with its `load_result`), and in
    `mapping_sets` what it did to each shipped mapping set (library.MappingSetResult)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.mapping_sets = []


def shipped_codes(directory: Path | None = None) -> set[str]:
    """The codes of the frameworks shipped in `directory` (by default Mamori's own): a library
    import does not give them to its frameworks."""
    codes = set()
    for path in sorted((directory or FRAMEWORK_DIR).glob("*.json")):
        try:
            code = json.loads(path.read_text(encoding="utf-8")).get("code")
        except (OSError, ValueError, AttributeError):
            continue  # refused with its reason when the shipped frameworks are loaded
        if isinstance(code, str):
            codes.add(code)
    return codes


def load_builtin_frameworks(directory: Path | None = None,
                            mapping_directory: Path | None = None) -> LoadedFrameworks:
    """Create or update every framework shipped in `directory` (by default Mamori's own),
    then the mappings between them shipped in `mapping_directory` (by default Mamori's own
    when the frameworks are; none for another directory of frameworks), in one transaction.
    Each returned framework carries `load_result` (a SyncResult)."""
    from mamori.controls import library

    paths = sorted((directory or FRAMEWORK_DIR).glob("*.json"))
    sources = [read_framework_file(path) for path in paths]  # all checked before any write
    if mapping_directory is None and directory is None:
        mapping_directory = MAPPING_DIR
    mapping_paths = sorted(mapping_directory.glob("*.yaml")) if mapping_directory else []
    try:
        # Read and checked in themselves now; against the frameworks once they are written.
        mappings = [library.read_library_file(path) for path in mapping_paths]
    except library.LibraryError as error:
        raise FrameworkDataError(str(error)) from error
    frameworks = LoadedFrameworks()
    with transaction.atomic():
        for code, values, entries in sources:
            result = sync_framework(code, values, entries, follow_titles=False)
            result.framework.load_result = result
            frameworks.append(result.framework)
        try:
            frameworks.mapping_sets = library.import_libraries(mappings).mapping_sets \
                if mappings else []
        except library.LibraryError as error:
            raise FrameworkDataError(str(error)) from error
    return frameworks


def describe_result(result: SyncResult) -> str:
    """One line for a command's output, in the active language."""
    if result.framework_created:
        text = _("%(code)s: framework created, %(created)d requirements created")
    elif result.framework_updated:
        text = _("%(code)s: framework details updated, %(created)d requirements created, "
                 "%(updated)d updated, %(unchanged)d unchanged")
    elif result.changes:
        text = _("%(code)s: %(created)d requirements created, %(updated)d updated, "
                 "%(unchanged)d unchanged")
    else:
        text = _("%(code)s: up to date (%(unchanged)d requirements)")
    line = text % {"code": result.framework.code, "created": result.created,
                   "updated": result.updated, "unchanged": result.unchanged}
    if result.not_in_source:
        line += " " + _("(%(count)d requirements are no longer in the source and were kept)") % {
            "count": len(result.not_in_source)}
    return line
