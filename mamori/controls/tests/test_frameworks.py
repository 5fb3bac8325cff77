"""The frameworks shipped with Mamori: loading, reloading and what a reload must not touch."""

import io
import json
import shutil

import pytest
from django.core.management import call_command
from django.utils import translation

from mamori.controls.frameworks import (
    FRAMEWORK_DIR,
    FrameworkDataError,
    load_builtin_frameworks,
)
from mamori.controls.models import Control, Framework, Requirement, Theme
from mamori.core import changelog
from mamori.core.context import Actor, acting_as
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import log_entries, query_count

pytestmark = pytest.mark.django_db

CODES = ["appi-safety-measures", "jp-card-security-guideline", "fisc-security-standards",
         "iso27001-2022", "nist-csf-2-0", "pci-dss-4-0-1"]  # in the order of their file names
# Requirements per framework, in that order (the new ones: see test_card_frameworks.py).
SIZES = [21, 36, 200, 97, 134, 325]
# Mappings in the shipped mapping sets (data/mappings/*.yaml).
MAPPINGS = 150 + 85 + 60


def load():
    with acting_as(Actor(None, "test", "command")):
        return load_builtin_frameworks()


@pytest.fixture
def control(org):
    return Control.objects.create(code="C-001", title_ja="アクセス権の見直し",
                                  theme=Theme.TECHNOLOGICAL, department=org.it)


def test_loads_the_shipped_frameworks():
    frameworks = load()
    assert [f.code for f in frameworks] == CODES
    assert all(f.load_result.framework_created for f in frameworks)
    assert Framework.objects.filter(source=Framework.Source.BUILT_IN).count() == len(CODES)
    counts = {f.code: f.requirements.count() for f in Framework.objects.all()}
    assert counts == dict(zip(CODES, SIZES, strict=True))

    iso = Framework.objects.get(code="iso27001-2022")
    assert iso.name_ja and iso.name_en and iso.version == "2022"
    # Both languages of the licence note, Japanese first.
    data = json.loads((FRAMEWORK_DIR / "iso27001-2022.json").read_text(encoding="utf-8"))
    assert iso.licence_note == f"{data['licence_note_ja']}\n\n{data['licence_note_en']}"

    controls = iso.requirements.filter(is_group=False)
    assert controls.count() == 93
    assert not controls.filter(theme="").exists()
    assert dict(controls.values_list("ref", "theme").filter(ref__in=["5.1", "6.3", "7.4",
                                                                      "8.24"])) == {
        "5.1": "organisational", "6.3": "people", "7.4": "physical", "8.24": "technological"}
    groups = iso.requirements.filter(is_group=True)
    assert sorted(groups.values_list("ref", flat=True)) == ["5", "6", "7", "8"]
    assert not groups.filter(parent__isnull=False).exists()
    assert controls.filter(parent__ref="5").count() == 37

    first = iso.requirements.get(ref="5.1")
    assert first.uid == "iso27001-2022:5.1"
    assert first.parent.ref == "5"
    assert first.sort_key == 20 and first.parent.sort_key == 10
    entry = data["requirements"][1]
    assert first.title_ja == entry["title_ja"] and first.title_en == entry["title_en"]
    assert first.description == f"{entry['description_ja']}\n{entry['description_en']}"
    assert first.applicable is None and first.justification == ""

    # Groups in the NIST CSF nest: function → category → subcategory.
    subcategory = Requirement.objects.get(uid="nist-csf-2-0:GV.OC-01")
    assert subcategory.parent.ref == "GV.OC" and subcategory.parent.parent.ref == "GV"
    assert subcategory.parent.is_group and not subcategory.is_group


def test_every_change_is_in_the_change_log():
    before = ChangeLogEntry.objects.count()
    load()
    iso = Framework.objects.get(code="iso27001-2022")
    entry = log_entries(iso, "create").get()
    assert entry.source == "command" and entry.actor_name == "test"
    requirement = iso.requirements.get(ref="8.1")
    assert log_entries(requirement, "create").get().after["uid"] == "iso27001-2022:8.1"
    assert ChangeLogEntry.objects.count() - before == len(CODES) + sum(SIZES) + MAPPINGS
    assert changelog.verify().ok


def test_second_load_changes_nothing_and_keeps_the_organisations_decisions(control):
    load()
    requirement = Requirement.objects.get(uid="iso27001-2022:8.2")
    requirement.applicable = False
    requirement.justification = "特権アカウントは存在しない"
    requirement.description = "Licensed text imported by the organisation."
    requirement.save()
    requirement.controls.add(control)
    included = Requirement.objects.get(uid="iso27001-2022:5.1")
    included.applicable = True
    included.save()
    framework = Framework.objects.get(code="iso27001-2022")
    framework.in_soa = True
    framework.save()
    logged = ChangeLogEntry.objects.count()

    frameworks = load()
    assert [f.load_result.changes for f in frameworks] == [0] * len(CODES)
    assert [f.load_result.unchanged for f in frameworks] == SIZES
    assert ChangeLogEntry.objects.count() == logged  # nothing written, so nothing logged

    requirement.refresh_from_db()
    assert requirement.applicable is False
    assert requirement.justification == "特権アカウントは存在しない"
    assert requirement.description == "Licensed text imported by the organisation."
    assert list(requirement.controls.all()) == [control]
    included.refresh_from_db()
    assert included.applicable is True
    framework.refresh_from_db()
    assert framework.in_soa is True


def test_second_load_is_a_few_queries():
    load()
    # For each framework: one query for it, one for its requirements and a savepoint (two
    # statements); a few more for the shipped mapping sets; no saves.
    assert query_count(load) <= 4 * len(CODES) + 8


def test_a_changed_source_updates_what_it_owns_and_nothing_else(tmp_path, control):
    shutil.copy(FRAMEWORK_DIR / "appi-guidelines.json", tmp_path)
    with acting_as(Actor(None, "test", "command")):
        load_builtin_frameworks(tmp_path)
    edited = Requirement.objects.get(uid="appi-safety-measures:10-3-1")
    edited.applicable = True
    edited.justification = "全社で実施"
    edited.title_en = "Licensed title the organisation imported"
    edited.save()
    edited.controls.add(control)
    old_description = edited.description

    path = tmp_path / "appi-guidelines.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["version"] = "2025"
    row = next(r for r in data["requirements"] if r["ref"] == "10-3-1")
    row["title_en"] = "Organisational structure (revised)"
    row["theme"] = "people"
    row["description_en"] = "A new shipped description."
    data["requirements"] = [r for r in data["requirements"] if r["ref"] != "10-7"]
    data["requirements"].append({"ref": "10-8", "parent": None, "title_ja": "新項目",
                                 "title_en": "New item", "description_ja": "説明",
                                 "description_en": "", "theme": ""})
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    with acting_as(Actor(None, "test", "command")):
        [framework] = load_builtin_frameworks(tmp_path)
    result = framework.load_result
    assert framework.version == "2025" and result.framework_updated
    assert (result.created, result.updated) == (1, 1)  # 10-8 new; 10-3-1 re-themed
    assert result.not_in_source == ["10-7"]  # kept, with whatever was decided about it
    assert Requirement.objects.filter(uid="appi-safety-measures:10-7").exists()

    edited.refresh_from_db()
    # Titles and text are the organisation's once loaded (it may have imported licensed text).
    assert edited.title_en == "Licensed title the organisation imported"
    assert edited.theme == "people"
    assert edited.description == old_description
    assert edited.applicable is True and edited.justification == "全社で実施"
    assert list(edited.controls.all()) == [control]
    update = log_entries(edited, "update").latest("seq")
    assert update.before["theme"] != update.after["theme"]
    new = Requirement.objects.get(uid="appi-safety-measures:10-8")
    assert new.description == "説明" and new.sort_key == 210


def test_a_broken_file_loads_nothing(tmp_path):
    shutil.copy(FRAMEWORK_DIR / "appi-guidelines.json", tmp_path)
    (tmp_path / "zz-broken.json").write_text(json.dumps({
        "code": "broken", "name_ja": "壊れた", "requirements": [
            {"ref": "1.1", "parent": "1", "title_ja": "子"},
            {"ref": "1", "parent": None, "title_ja": "親"}]}), encoding="utf-8")
    with pytest.raises(FrameworkDataError, match=r"zz-broken\.json.*1\.1"):
        load_builtin_frameworks(tmp_path)
    assert not Framework.objects.exists()
    assert not ChangeLogEntry.objects.exists()


def test_the_command_reports_what_it_did():
    out = io.StringIO()
    call_command("load_frameworks", stdout=out)
    text = out.getvalue()
    assert "iso27001-2022" in text and "97" in text
    assert str(len(CODES) + sum(SIZES) + MAPPINGS) in text  # the changes saved, all told
    entry = log_entries(Framework.objects.get(code="nist-csf-2-0"), "create").get()
    assert entry.actor_name == "command:load_frameworks" and entry.source == "command"

    again = io.StringIO()
    with translation.override("en"):  # the wording is checked, in English
        call_command("load_frameworks", stdout=again)
    # A line for each framework and each mapping set, and the closing line.
    assert again.getvalue().count("up to date") == len(CODES) + 3 + 1
    assert "nothing changed" in again.getvalue()


def test_shipped_frameworks_pass_their_own_fields_validation():
    """Found by the schema test: the shipped code `nist-csf-2.0` broke its own slug pattern
    (the API promised ^[-a-zA-Z0-9_]+$ and answered with a dot)."""
    for framework in load():
        framework.full_clean()


def test_an_installation_with_the_old_nist_code_is_renamed():
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "mamori.controls.migrations.0002_framework_codes_are_slugs")
    old = Framework.objects.create(code="nist-csf-2.0", name_ja="NIST CSF 2.0")
    Requirement.objects.create(framework=old, ref="GV.OC-01", uid="nist-csf-2.0:GV.OC-01")
    migration.rename(apps, None)
    old.refresh_from_db()
    assert old.code == "nist-csf-2-0"
    assert old.requirements.get().uid == "nist-csf-2-0:GV.OC-01"
    load()  # the shipped data now updates it rather than adding a second framework
    assert Framework.objects.filter(code__startswith="nist").count() == 1
