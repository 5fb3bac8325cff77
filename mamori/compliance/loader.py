"""The legal register as data: the sources, versions and obligations shipped in
`data/sources/` (one JSON file per source, see its README), loaded into the register.

Every file is read and checked before anything is written; then all of them are written in
one transaction through the audited models, so every change is in the change log and a
second load writes nothing. A source is matched by its code, a version by (source, version)
and an obligation by its code.

What the data says follows on every load: the source's details, a known version's dates and
summaries, and an obligation's `Obligation.SHIPPED_TEXT`. Mappings to framework requirements
and links to breach-reporting rules are only ever added. What the company decided is never
touched: whether an obligation applies and why, its department, interval, controls, policy
sections and any mapping it added.

Versions of a source created by the load are its baseline and raise nothing; a version that
appears later for a source already in the register is an amendment and raises impact
assessments for the source's obligations that apply or are undecided
(compliance.amendments), in the same transaction.
"""

import datetime
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from mamori.compliance.models import LegalSource, Obligation, SourceKind, SourceVersion
from mamori.controls.models import Requirement
from mamori.incidents.models import BreachRule

SOURCE_DIR = Path(__file__).resolve().parent / "data" / "sources"

TITLE_MAX = 80  # an obligation's title, in each language
SUMMARY_MAX = 300  # an obligation's or a version's summary, in each language
OBLIGATION_CODE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$")
SOURCE_CODE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Source fields that follow the data on every load. The note is written only when the source
# is created: the company may keep its own remarks there.
SOURCE_FIELDS = ("kind", "title_ja", "title_en", "short_name", "issuer", "jurisdiction", "url")
VERSION_FIELDS = ("promulgated_on", "effective_on", "summary_ja", "summary_en")
# An obligation's shipped text: Obligation.SHIPPED_TEXT but its source, which is the file's.
OBLIGATION_TEXT = tuple(name for name in Obligation.SHIPPED_TEXT if name != "source_id")

SOURCE_KEYS = {"code", "note", "versions", "obligations", *SOURCE_FIELDS}
VERSION_KEYS = {"version", *VERSION_FIELDS}
OBLIGATION_KEYS = {"code", "requirements", "breach_rules", *OBLIGATION_TEXT}


class LegalRegisterDataError(ValueError):
    """A source file that cannot be loaded as it stands."""


@dataclass
class VersionData:
    version: str
    values: dict  # VERSION_FIELDS


@dataclass
class ObligationData:
    code: str
    values: dict  # OBLIGATION_TEXT
    requirements: list[str]
    breach_rules: bool
    number: int  # its place in the file, from 1


@dataclass
class SourceData:
    path: Path
    code: str
    values: dict  # SOURCE_FIELDS
    note: str
    versions: list[VersionData]
    obligations: list[ObligationData]


@dataclass
class LoadResult:
    """What one load did to one source."""

    source: LegalSource
    source_created: bool = False
    source_updated: bool = False
    versions_created: int = 0
    versions_updated: int = 0
    versions_unchanged: int = 0
    created: int = 0  # obligations
    updated: int = 0
    unchanged: int = 0
    assessments: int = 0  # impact assessments raised by new versions

    @property
    def changes(self) -> int:
        return (int(self.source_created) + int(self.source_updated) + self.versions_created
                + self.versions_updated + self.created + self.updated)


# Reading and checking --------------------------------------------------------------------


def _fail(path: Path, item: str, problem: str):
    raise LegalRegisterDataError(f"{path.name}: {item}: {problem}")


def _source_item() -> str:
    return _("the source")


def _version_item(number: int, row) -> str:
    label = row.get("version") if isinstance(row, dict) else None
    return _("version %(number)d (%(version)s)") % {
        "number": number, "version": label if isinstance(label, str) and label else "?"}


def _obligation_item(number: int, row) -> str:
    code = row.get("code") if isinstance(row, dict) else None
    return _("obligation %(number)d (%(code)s)") % {
        "number": number, "code": code if isinstance(code, str) and code else "?"}


def _text(path, item, row, name, *, required=False, limit=None) -> str:
    value = row.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        _fail(path, item, _("%(field)s must be text") % {"field": name})
    value = value.strip()
    if required and not value:
        _fail(path, item, _("%(field)s is missing") % {"field": name})
    if limit is not None and len(value) > limit:
        _fail(path, item, _("%(field)s is longer than %(max)d characters") % {
            "field": name, "max": limit})
    return value


def _date(path, item, row, name, *, required=False) -> datetime.date | None:
    value = row.get(name)
    if value in (None, ""):
        if required:
            _fail(path, item, _("%(field)s is missing") % {"field": name})
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        return datetime.date.fromisoformat(value)
    except ValueError:
        _fail(path, item, _("%(field)s is not a date (YYYY-MM-DD): %(value)s") % {
            "field": name, "value": value})


def _known_keys(path, item, row, keys) -> None:
    unknown = sorted(set(row) - keys)
    if unknown:
        _fail(path, item, _("unknown field %(field)s") % {"field": unknown[0]})


def _list(path, item, row, name) -> list:
    value = row.get(name, [])
    if not isinstance(value, list):
        _fail(path, item, _("%(field)s must be a list") % {"field": name})
    return value


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def read_source_file(path: Path) -> SourceData:
    """The source described by one JSON file, checked on its own (codes across files and
    requirement uids are checked by `check_sources`)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise LegalRegisterDataError(_("%(file)s cannot be read: %(error)s") % {
            "file": path.name, "error": error}) from error
    if not isinstance(data, dict):
        _fail(path, _source_item(), _("the file must hold one JSON object"))

    item = _source_item()
    _known_keys(path, item, data, SOURCE_KEYS)
    code = _text(path, item, data, "code", required=True,
                 limit=_max_length(LegalSource, "code"))
    if not SOURCE_CODE.match(code):
        _fail(path, item, _("the code %(code)s must be lower-case letters, digits and "
                            "hyphens") % {"code": code})
    kind = _text(path, item, data, "kind", required=True)
    if kind not in SourceKind.values:
        _fail(path, item, _("unknown kind %(kind)s; use one of %(kinds)s") % {
            "kind": kind, "kinds": ", ".join(SourceKind.values)})
    values = {"kind": kind}
    for name, required in (("title_ja", True), ("title_en", False), ("short_name", False),
                           ("issuer", False), ("jurisdiction", False), ("url", False)):
        values[name] = _text(path, item, data, name, required=required,
                             limit=_max_length(LegalSource, name))
    values["jurisdiction"] = values["jurisdiction"] or "JP"
    if values["url"]:
        try:
            URLValidator(schemes=["http", "https"])(values["url"])
        except ValidationError:
            _fail(path, item, _("%(field)s is not a valid URL") % {"field": "url"})
    note = _text(path, item, data, "note")

    versions = []
    seen_versions: set[str] = set()
    for number, row in enumerate(_list(path, item, data, "versions"), start=1):
        versions.append(_read_version(path, number, row, seen_versions))
    obligations = []
    seen_codes: set[str] = set()
    for number, row in enumerate(_list(path, item, data, "obligations"), start=1):
        obligations.append(_read_obligation(path, number, row, seen_codes))
    return SourceData(path=path, code=code, values=values, note=note, versions=versions,
                      obligations=obligations)


def _read_version(path, number, row, seen) -> VersionData:
    item = _version_item(number, row)
    if not isinstance(row, dict):
        _fail(path, item, _("each entry must be a JSON object"))
    _known_keys(path, item, row, VERSION_KEYS)
    label = _text(path, item, row, "version", required=True,
                  limit=_max_length(SourceVersion, "version"))
    if label in seen:
        _fail(path, item, _("the version %(version)s appears twice") % {"version": label})
    seen.add(label)
    values = {
        "promulgated_on": _date(path, item, row, "promulgated_on"),
        "effective_on": _date(path, item, row, "effective_on", required=True),
        "summary_ja": _text(path, item, row, "summary_ja", limit=SUMMARY_MAX),
        "summary_en": _text(path, item, row, "summary_en", limit=SUMMARY_MAX),
    }
    if values["promulgated_on"] and values["promulgated_on"] > values["effective_on"]:
        _fail(path, item, _("it takes effect before it is promulgated"))
    return VersionData(version=label, values=values)


def _read_obligation(path, number, row, seen) -> ObligationData:
    item = _obligation_item(number, row)
    if not isinstance(row, dict):
        _fail(path, item, _("each entry must be a JSON object"))
    _known_keys(path, item, row, OBLIGATION_KEYS)
    code = _text(path, item, row, "code", required=True,
                 limit=_max_length(Obligation, "code"))
    if not OBLIGATION_CODE.match(code):
        _fail(path, item, _("the code %(code)s does not follow the scheme PREFIX-REFERENCE "
                            "(capital letters, digits and hyphens)") % {"code": code})
    if code in seen:
        _fail(path, item, _("the code %(code)s appears twice") % {"code": code})
    seen.add(code)
    values = {
        "article": _text(path, item, row, "article", limit=_max_length(Obligation, "article")),
        "title_ja": _text(path, item, row, "title_ja", required=True, limit=TITLE_MAX),
        "title_en": _text(path, item, row, "title_en", limit=TITLE_MAX),
        "summary_ja": _text(path, item, row, "summary_ja", limit=SUMMARY_MAX),
        "summary_en": _text(path, item, row, "summary_en", limit=SUMMARY_MAX),
    }
    requirements = _list(path, item, row, "requirements")
    if not all(isinstance(uid, str) and uid for uid in requirements):
        _fail(path, item, _("%(field)s must be a list of requirement uids") % {
            "field": "requirements"})
    breach_rules = row.get("breach_rules", False)
    if not isinstance(breach_rules, bool):
        _fail(path, item, _("%(field)s must be true or false") % {"field": "breach_rules"})
    return ObligationData(code=code, values=values, requirements=list(dict.fromkeys(requirements)),
                          breach_rules=breach_rules, number=number)


def check_sources(sources: list[SourceData]) -> dict[str, int]:
    """Codes unique across the files and every requirement uid known; the requirements'
    primary keys by uid."""
    source_files: dict[str, Path] = {}
    obligation_files: dict[str, Path] = {}
    for source in sources:
        other = source_files.setdefault(source.code, source.path)
        if other != source.path:
            _fail(source.path, _source_item(), _("the code %(code)s is also used in %(other)s")
                  % {"code": source.code, "other": other.name})
        for obligation in source.obligations:
            other = obligation_files.setdefault(obligation.code, source.path)
            if other != source.path:
                _fail(source.path, _obligation_item(obligation.number, {"code": obligation.code}),
                      _("the code %(code)s is also used in %(other)s") % {
                          "code": obligation.code, "other": other.name})
    uids = {uid for source in sources for obligation in source.obligations
            for uid in obligation.requirements}
    known = dict(Requirement.objects.filter(uid__in=uids).values_list("uid", "pk"))
    for source in sources:
        for obligation in source.obligations:
            for uid in obligation.requirements:
                if uid not in known:
                    _fail(source.path,
                          _obligation_item(obligation.number, {"code": obligation.code}),
                          _("unknown framework requirement %(uid)s in requirements (load the "
                            "frameworks first)") % {"uid": uid})
    return known


def read_sources(directory: Path | None = None) -> tuple[list[SourceData], dict[str, int]]:
    """Every source file of `directory` (by default Mamori's own), read and checked."""
    paths = sorted((directory or SOURCE_DIR).glob("*.json"))
    sources = [read_source_file(path) for path in paths]
    return sources, check_sources(sources)


# Writing ---------------------------------------------------------------------------------


def load_legal_register(directory: Path | None = None) -> list[LoadResult]:
    """Create or update every source shipped in `directory` (by default Mamori's own), its
    versions and obligations, in one transaction; every file is checked before anything is
    written. One LoadResult per source, in file order."""
    with transaction.atomic():
        sources, requirement_ids = read_sources(directory)  # all checked before any write
        rule_ids = list(BreachRule.objects.order_by("pk").values_list("pk", flat=True))
        return [_sync_source(source, requirement_ids, rule_ids) for source in sources]


def _changed(row, wanted: dict) -> list[str]:
    return [name for name, value in wanted.items() if getattr(row, name) != value]


def _sync_source(data: SourceData, requirement_ids: dict, rule_ids: list) -> LoadResult:
    source = LegalSource.objects.filter(code=data.code).first()
    if source is None:
        source = LegalSource(code=data.code, note=data.note, shipped=True, **data.values)
        source.save()
        result = LoadResult(source, source_created=True)
    else:
        wanted = {**data.values, "shipped": True}
        changed = _changed(source, wanted)
        if changed:
            for name in changed:
                setattr(source, name, wanted[name])
            source.save(update_fields=changed)
        result = LoadResult(source, source_updated=bool(changed))
    # Obligations first: an amendment added by this load assesses the obligations as the data
    # now has them, the new ones included.
    _sync_obligations(data, source, result, requirement_ids, rule_ids)
    _sync_versions(data, source, result)
    return result


def _sync_obligations(data, source, result, requirement_ids, rule_ids) -> None:
    codes = [obligation.code for obligation in data.obligations]
    existing = {row.code: row for row in Obligation.objects.filter(code__in=codes)}
    linked_requirements = _links(Obligation.requirements.through, "requirement_id", existing)
    linked_rules = _links(Obligation.breach_rules.through, "breachrule_id", existing)
    for obligation in data.obligations:
        wanted = {"source_id": source.pk, **obligation.values}
        row = existing.get(obligation.code)
        changed = []
        if row is None:
            row = Obligation(code=obligation.code, shipped=True, **wanted)
            row.save()
        else:
            changed = _changed(row, wanted)
            if changed:
                for name in changed:
                    setattr(row, name, wanted[name])
                row.save(update_fields=[name.removesuffix("_id") for name in changed])
        added = _add_links(row.requirements, linked_requirements.get(row.pk, set()),
                           [requirement_ids[uid] for uid in obligation.requirements])
        if obligation.breach_rules:
            added |= _add_links(row.breach_rules, linked_rules.get(row.pk, set()), rule_ids)
        if obligation.code not in existing:
            result.created += 1
        elif changed or added:
            result.updated += 1
        else:
            result.unchanged += 1


def _links(through, target: str, obligations: dict) -> dict[int, set[int]]:
    links: dict[int, set[int]] = {}
    pks = [row.pk for row in obligations.values()]
    for obligation_id, target_id in through.objects.filter(
            obligation_id__in=pks).values_list("obligation_id", target):
        links.setdefault(obligation_id, set()).add(target_id)
    return links


def _add_links(manager, have: set[int], wanted: list[int]) -> bool:
    missing = [pk for pk in wanted if pk not in have]
    if missing:
        manager.add(*missing)
    return bool(missing)


def _sync_versions(data, source, result) -> None:
    existing = {row.version: row for row in SourceVersion.objects.filter(source=source)}
    # Oldest first, so that each new version is judged an amendment (or not) against the
    # versions before it.
    for version in sorted(data.versions, key=lambda v: (v.values["effective_on"], v.version)):
        row = existing.get(version.version)
        if row is None:
            row = SourceVersion(source=source, version=version.version, **version.values)
            if result.source_created:
                row.baseline = True  # the source's starting point, not an amendment
            row.save()
            result.versions_created += 1
            if not result.source_created:
                result.assessments += row.impact_assessments.count()
            continue
        changed = _changed(row, version.values)
        if changed:
            for name in changed:
                setattr(row, name, version.values[name])
            # A corrected date or summary of a known version is not a new amendment.
            row.baseline = True
            row.save(update_fields=changed)
            result.versions_updated += 1
        else:
            result.versions_unchanged += 1


def describe(result: LoadResult) -> str:
    """One line for a command's output, in the active language."""
    params = {
        "code": result.source.code,
        "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
        "versions": result.versions_created + result.versions_updated
        + result.versions_unchanged,
        "versions_created": result.versions_created,
        "versions_updated": result.versions_updated,
    }
    if result.source_created:
        line = _("%(code)s: source created with %(versions)d versions and %(created)d "
                 "obligations") % params
    elif not result.changes:
        line = _("%(code)s: up to date (%(unchanged)d obligations, %(versions)d "
                 "versions)") % params
    else:
        line = _("%(code)s: %(created)d obligations created, %(updated)d updated, "
                 "%(unchanged)d unchanged; %(versions_created)d versions added, "
                 "%(versions_updated)d updated") % params
        if result.source_updated:
            line += " " + _("(source details updated)")
    if result.assessments:
        line += " " + _("(%(count)d impact assessments raised)") % {
            "count": result.assessments}
    return line
