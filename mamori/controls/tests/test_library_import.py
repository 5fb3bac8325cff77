"""CISO Assistant libraries (YAML): frameworks and requirement mapping sets imported all or
nothing, again without touching the organisation's decisions, and refused with errors that
name the file, the object and the node; the URNs of the shipped frameworks."""

import importlib
import io
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import translation

from mamori.controls import library
from mamori.controls.frameworks import (
    FRAMEWORK_DIR,
    MAPPING_DIR,
    FrameworkDataError,
    load_builtin_frameworks,
)
from mamori.controls.models import Control, Framework, Requirement, RequirementMapping, Theme
from mamori.core import changelog
from mamori.core.context import Actor, acting_as
from mamori.core.models import ChangeLogEntry
from mamori.core.reconcile import DIFFERS, reconcile_model
from mamori.core.testing import log_entries

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
FRAMEWORK_FILE = DATA / "library-framework.yaml"
MAPPING_FILE = DATA / "library-mapping.yaml"
FRAMEWORK_URN = "urn:example:risk:framework:office-baseline"
NODE = "urn:example:risk:req_node:office-baseline:"


def document(path: Path = FRAMEWORK_FILE) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def written(directory: Path, data, name: str = "library.yaml") -> Path:
    path = directory / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    return path


def run(*paths) -> library.ImportResult:
    with acting_as(Actor(None, "test", "command")):
        return library.import_libraries([library.read_library_file(path) for path in paths])


def load_shipped(tmp_path) -> None:
    """ISO/IEC 27001:2022 and NIST CSF 2.0 as shipped (the frameworks the test mappings
    name), without the shipped mappings."""
    directory = tmp_path / "shipped"
    directory.mkdir(exist_ok=True)
    for name in ("iso27001-2022.json", "nist-csf-2.0.json"):
        shutil.copy(FRAMEWORK_DIR / name, directory)
    with acting_as(Actor(None, "test", "command")):
        load_builtin_frameworks(directory)


def counts() -> tuple[int, ...]:
    return (Framework.objects.count(), Requirement.objects.count(),
            RequirementMapping.objects.count(), ChangeLogEntry.objects.count())


def node(uid_ref: str) -> Requirement:
    return Requirement.objects.get(uid=f"office-baseline:{uid_ref}")


# --- a framework ------------------------------------------------------------------------------


def test_a_framework_with_its_tree_and_translations():
    result = run(FRAMEWORK_FILE)
    [synced] = result.frameworks
    assert synced.framework_created and synced.created == 8
    assert result.mapping_sets == []

    framework = Framework.objects.get(urn=FRAMEWORK_URN)
    assert framework.code == "office-baseline"
    assert framework.source == Framework.Source.LIBRARY
    assert (framework.name_ja, framework.name_en) == ("オフィスのセキュリティ基準",
                                                      "Office security baseline")
    assert (framework.version, framework.publisher) == ("3", "Example Group")
    assert framework.licence_note.startswith("Written for Mamori's tests")
    assert not framework.in_soa

    rows = list(framework.requirements.order_by("sort_key"))
    assert [r.ref for r in rows] == ["GOV", "GOV.1", "GOV.1.1", "gov.1.2", "GOV.2", "OPS",
                                     "OPS.1", "OPS.2"]
    assert all(r.urn.startswith(NODE) for r in rows)
    # Three levels: GOV → GOV.1 → GOV.1.1; groups are the nodes that are not assessable.
    policy = node("GOV.1.1")
    assert policy.parent.ref == "GOV.1" and policy.parent.parent.ref == "GOV"
    assert policy.parent.parent.parent is None
    assert [r.ref for r in rows if r.is_group] == ["GOV", "GOV.1", "OPS"]
    assert policy.urn == f"{NODE}gov.1.1" and policy.uid == "office-baseline:GOV.1.1"
    # The locale's (English) name, the Japanese translation beside it; French passed over.
    assert (policy.title_en, policy.title_ja) == ("Keep a security policy",
                                                  "セキュリティ方針を定める")
    assert policy.description == ("事務所は文書化したセキュリティ方針を持ち、毎年見直す。\n\n"
                                  "The office keeps a written security policy and reviews it "
                                  "yearly.")
    assert policy.theme == "" and policy.applicable is None
    # No ref_id: the last part of the URN. No Japanese: the English title stands in.
    owner = node("gov.1.2")
    assert owner.urn == f"{NODE}gov.1.2"
    assert owner.title_ja == owner.title_en == "Name an owner for each rule"
    # No name: the first line of the text names it.
    screen = node("OPS.2")
    assert screen.title_en == "Lock the screen when leaving the desk."
    assert screen.description.endswith("A short timeout is set on every computer.")


def test_every_change_is_logged_as_the_commands():
    before = ChangeLogEntry.objects.count()
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_library", str(FRAMEWORK_FILE), stdout=out)
    assert "office-baseline: framework created, 8 requirements created" in out.getvalue()
    assert ChangeLogEntry.objects.count() - before == 1 + 8
    framework = Framework.objects.get(urn=FRAMEWORK_URN)
    entry = log_entries(framework, "create").get()
    assert (entry.actor_name, entry.source) == ("command:import_library", "command")
    assert entry.after["urn"] == FRAMEWORK_URN
    assert changelog.verify().ok


def test_a_japanese_library_and_one_in_another_language(tmp_path):
    data = document()
    data["locale"] = "ja"
    framework = data["objects"]["framework"]
    framework["name"] = "オフィス基準"
    framework["translations"] = {"en": {"name": "Office baseline"}}
    policy = framework["requirement_nodes"][2]
    policy["name"], policy["description"] = "方針を定める", "方針を文書にする。"
    policy["translations"] = {"en": {"name": "Keep a policy", "description": "Write it down."}}
    run(written(tmp_path, data))
    stored = Framework.objects.get(urn=FRAMEWORK_URN)
    assert (stored.name_ja, stored.name_en) == ("オフィス基準", "Office baseline")
    row = node("GOV.1.1")
    assert (row.title_ja, row.title_en) == ("方針を定める", "Keep a policy")
    assert row.description == "方針を文書にする。\n\nWrite it down."
    # A Japanese library's node without English keeps its English title empty.
    assert node("OPS.1").title_ja == "Keep logs of the file server"  # its name, as given

    data = document()
    data["locale"] = "fr"
    data["urn"] = "urn:example:risk:library:fr"
    framework = data["objects"]["framework"]
    framework["urn"] = "urn:example:risk:framework:fr"
    framework["translations"] = {}
    for item in framework["requirement_nodes"]:
        item["urn"] = item["urn"].replace("office-baseline", "fr")
        if item.get("parent_urn"):
            item["parent_urn"] = item["parent_urn"].replace("office-baseline", "fr")
    framework["requirement_nodes"][2]["translations"] = {"en": {"name": "In English"}}
    run(written(tmp_path, data, "fr.yaml"))
    assert Requirement.objects.get(urn="urn:example:risk:req_node:fr:gov.1.1").title_en == (
        "In English")
    french = Requirement.objects.get(urn="urn:example:risk:req_node:fr:ops.1")
    assert french.title_en == french.title_ja == "Keep logs of the file server"


# --- importing again ------------------------------------------------------------------------


@pytest.fixture
def control(org):
    return Control.objects.create(code="C-001", title_ja="方針の見直し",
                                  theme=Theme.ORGANISATIONAL, department=org.it)


def test_importing_again_writes_nothing_and_keeps_the_decisions(tmp_path, control):
    load_shipped(tmp_path)
    run(FRAMEWORK_FILE, MAPPING_FILE)
    policy = node("GOV.1.1")
    policy.applicable = False
    policy.justification = "方針は本社が定める"
    policy.description = "Licensed text the organisation imported."
    policy.save()
    policy.controls.add(control)
    framework = Framework.objects.get(urn=FRAMEWORK_URN)
    framework.in_soa = True
    framework.save()
    before = counts()

    result = run(FRAMEWORK_FILE, MAPPING_FILE)
    assert result.changes == 0
    assert [s.unchanged for s in result.mapping_sets] == [3, 1]
    assert result.frameworks[0].unchanged == 8
    assert counts() == before  # nothing written, nothing logged

    policy.refresh_from_db()
    assert policy.applicable is False and policy.justification == "方針は本社が定める"
    assert policy.description == "Licensed text the organisation imported."
    assert list(policy.controls.all()) == [control]
    framework.refresh_from_db()
    assert framework.in_soa

    out = io.StringIO()
    with translation.override("en"):
        call_command("import_library", str(FRAMEWORK_FILE), str(MAPPING_FILE), stdout=out)
    assert "everything is up to date; nothing changed" in out.getvalue()
    assert counts() == before


def test_a_changed_library_updates_what_it_gave(tmp_path, control):
    load_shipped(tmp_path)
    run(FRAMEWORK_FILE, MAPPING_FILE)
    logs = node("OPS.1")
    logs.title_ja = "ファイルサーバーのログを保存する"  # written by the organisation
    logs.applicable = True
    logs.save()
    logs.controls.add(control)

    data = document()
    nodes = data["objects"]["framework"]["requirement_nodes"]
    nodes[4]["name"] = "Tell every new member of staff the rules"
    nodes[6]["ref_id"] = "OPS.01"  # renamed: found by its URN
    nodes[6]["name"] = "Keep logs of the file server and the NAS"
    del nodes[7]  # no longer listed: kept, with whatever was decided
    nodes.append({"urn": f"{NODE}ops.3", "assessable": True, "parent_urn": f"{NODE}ops",
                  "ref_id": "OPS.3", "name": "Back up the file server"})
    mappings = document(MAPPING_FILE)
    iso = mappings["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
    iso[0]["relationship"] = "superset"
    del iso[2]
    result = run(written(tmp_path, data), written(tmp_path, mappings, "mapping.yaml"))

    [synced] = result.frameworks
    assert (synced.created, synced.updated, synced.unchanged) == (1, 2, 5)
    assert synced.not_in_source == ["OPS.2"]
    renamed = Requirement.objects.get(urn=f"{NODE}ops.1")
    assert renamed.pk == logs.pk and renamed.ref == "OPS.01"
    assert renamed.uid == "office-baseline:OPS.01"
    assert renamed.title_en == "Keep logs of the file server and the NAS"
    assert renamed.title_ja == "ファイルサーバーのログを保存する"  # the organisation's, kept
    assert renamed.applicable is True and list(renamed.controls.all()) == [control]
    assert node("GOV.2").title_en == "Tell every new member of staff the rules"
    assert node("OPS.3").parent.ref == "OPS"
    assert node("OPS.2").urn == f"{NODE}ops.2"  # kept

    first, second = result.mapping_sets
    assert (first.updated, first.removed, first.unchanged, first.created) == (1, 1, 1, 0)
    assert second.changes == 0
    assert RequirementMapping.objects.get(source=node("GOV.1.1"),
                                          target__uid="iso27001-2022:5.1").relationship == (
        "superset")
    assert not RequirementMapping.objects.filter(source=node("GOV.2")).exists()
    assert changelog.verify().ok


def test_a_pair_mapped_by_hand_is_left_as_it_is(tmp_path):
    load_shipped(tmp_path)
    run(FRAMEWORK_FILE)
    by_hand = RequirementMapping.objects.create(
        source=node("GOV.1.1"), target=Requirement.objects.get(uid="iso27001-2022:5.1"),
        relationship="intersect", annotation="ours")
    result = run(MAPPING_FILE)
    assert result.mapping_sets[0].elsewhere == 1 and result.mapping_sets[0].created == 2
    by_hand.refresh_from_db()
    assert (by_hand.relationship, by_hand.mapping_set, by_hand.annotation) == (
        "intersect", "", "ours")
    with translation.override("en"):
        assert "left as they are" in library.describe_mapping_set(result.mapping_sets[0])


# --- mappings ---------------------------------------------------------------------------------


def test_a_mapping_set_resolves_the_shipped_frameworks():
    with acting_as(Actor(None, "test", "command")):
        load_builtin_frameworks()
    run(FRAMEWORK_FILE)
    result = run(MAPPING_FILE)
    assert [(s.urn, s.created) for s in result.mapping_sets] == [
        ("urn:example:risk:req_mapping_set:office-baseline-to-iso27001-2022", 3),
        ("urn:example:risk:req_mapping_set:office-baseline-to-nist-csf-2-0", 1)]
    policy = RequirementMapping.objects.get(source=node("GOV.1.1"),
                                            target__uid="iso27001-2022:5.1")
    assert (policy.relationship, policy.strength, policy.rationale) == ("equal", 8, "semantic")
    assert policy.annotation.startswith("Both ask for a policy")
    assert policy.mapping_set_name == "オフィス基準 → ISO/IEC 27001:2022"  # Japanese first
    assert policy.mapping_set_name_en == "Office security baseline -> ISO/IEC 27001:2022"
    with translation.override("en"):
        assert policy.mapping_set_title == policy.mapping_set_name_en
    with translation.override("ja"):
        assert policy.mapping_set_title == policy.mapping_set_name
    # The misspelt key of CISO Assistant's own files, null: no strength.
    logs = RequirementMapping.objects.get(source=node("OPS.1"))
    assert (logs.target.uid, logs.relationship, logs.strength) == ("iso27001-2022:8.15",
                                                                   "subset", None)
    # URNs are compared in lower case, as CISO Assistant compares them.
    nist = RequirementMapping.objects.get(target__framework__code="nist-csf-2-0")
    assert (nist.source.uid, nist.target.uid) == ("office-baseline:GOV.1.1",
                                                  "nist-csf-2-0:GV.PO-01")
    assert nist.mapping_set_name == "Office security baseline -> NIST CSF 2.0"
    assert nist.mapping_set_name_en == ""  # its only name stands for both languages
    entry = log_entries(policy, "create").get()
    assert entry.actor_name == "test" and entry.after["mapping_set"] == policy.mapping_set


def test_files_given_together_may_refer_to_each_other(tmp_path):
    load_shipped(tmp_path)
    result = run(MAPPING_FILE, FRAMEWORK_FILE)  # the order does not matter
    assert [s.created for s in result.mapping_sets] == [3, 1]


def test_a_mapping_set_within_one_library(tmp_path):
    data = document()
    data["objects"]["requirement_mapping_set"] = {
        "urn": "urn:example:risk:req_mapping_set:inside", "name": "Inside",
        "source_framework_urn": FRAMEWORK_URN, "target_framework_urn": FRAMEWORK_URN,
        "requirement_mappings": [{"source_requirement_urn": f"{NODE}ops.1",
                                  "target_requirement_urn": f"{NODE}gov.1.1",
                                  "relationship": "not_related",
                                  "strength_of_relationship": 0}]}
    result = run(written(tmp_path, data))
    assert result.mapping_sets[0].created == 1
    assert RequirementMapping.objects.get().strength is None  # 0: not rated


# --- refused ------------------------------------------------------------------------------


def _nodes(data):
    return data["objects"]["framework"]["requirement_nodes"]


def _mappings(data, index=0):
    return data["objects"]["requirement_mapping_sets"][index]["requirement_mappings"]


def _set(data, index=0):
    return data["objects"]["requirement_mapping_sets"][index]


def node_at(index: int, urn: str) -> str:
    return re.escape(f"library.yaml: objects.framework.requirement_nodes[{index}] ({NODE}{urn})")


def mapping_at(set_index: int, index: int) -> str:
    return re.escape(f"library.yaml: objects.requirement_mapping_sets[{set_index}]"
                     f".requirement_mappings[{index}]")


def change(function):
    def changed(data):
        function(data)
        return data
    return changed


# Changes of the framework file, and what the refusal says.
BAD_FRAMEWORKS = {
    "parent not listed before": (
        change(lambda d: _nodes(d)[3].update(parent_urn=f"{NODE}nowhere")),
        node_at(3, "gov.1.2") + r": parent_urn urn:example:risk:req_node:office-baseline:"
        r"nowhere is not listed before it"),
    "parent listed after": (
        change(lambda d: _nodes(d)[1].update(parent_urn=f"{NODE}gov.1.1")),
        node_at(1, "gov.1") + r": parent_urn .*gov\.1\.1 is not listed before it"),
    "duplicate urn": (
        change(lambda d: _nodes(d)[4].update(urn=f"{NODE}GOV.1")),
        node_at(4, "gov.1") + r": the urn is already used by "
        r"objects\.framework\.requirement_nodes\[1\]"),
    "node without urn": (
        change(lambda d: _nodes(d)[5].pop("urn")),
        r"library\.yaml: objects\.framework\.requirement_nodes\[5\]: the required key urn is "
        r"missing"),
    "node not a mapping": (
        change(lambda d: _nodes(d).__setitem__(6, "OPS.1")),
        r"requirement_nodes\[6\]: expected a mapping"),
    "assessable not a boolean": (
        change(lambda d: _nodes(d)[2].update(assessable="yes please")),
        node_at(2, "gov.1.1") + r": assessable must be true or false"),
    "name not a text": (
        change(lambda d: _nodes(d)[2].update(name=["a", "list"])),
        node_at(2, "gov.1.1") + r": name must be a text"),
    "a control character": (
        change(lambda d: _nodes(d)[6].update(description="Keep logs\x00 a year")),
        node_at(6, "ops.1") + r": description holds the invisible control character U\+0000"),
    "translations not a mapping": (
        change(lambda d: _nodes(d)[2].update(translations=["ja"])),
        node_at(2, "gov.1.1") + r": translations must map languages"),
    "a urn Mamori derives": (
        change(lambda d: _nodes(d)[7].update(urn="urn:mamori:req:iso27001-2022:5.1")),
        r"requirement_nodes\[7\] \(urn:mamori:req:iso27001-2022:5\.1\): the URN is in the form "
        r"reserved"),
    "framework urn Mamori derives": (
        change(lambda d: d["objects"]["framework"].update(urn="urn:mamori:framework:x")),
        r"library\.yaml: objects\.framework: the URN urn:mamori:framework:x is in the form "
        r"reserved"),
    "framework without ref_id": (
        change(lambda d: d["objects"]["framework"].pop("ref_id")),
        r"objects\.framework: the required key ref_id is missing"),
    "no nodes": (
        change(lambda d: d["objects"]["framework"].update(requirement_nodes=[])),
        r"objects\.framework: requirement_nodes must be a list of at least one node"),
    "library without urn": (
        change(lambda d: d.pop("urn")),
        r"^library\.yaml: the required key urn is missing"),
    "library without locale": (
        change(lambda d: d.update(locale=None)),
        r"^library\.yaml: the required key locale is missing"),
    "no objects": (
        change(lambda d: d.pop("objects")),
        r"^library\.yaml: the required key objects is missing"),
    "nothing Mamori imports": (
        change(lambda d: d.update(objects={"threats": [{"urn": "urn:x:threat:1"}]})),
        r"library\.yaml: objects: there is no framework and no requirement mapping set"),
    "not a mapping at the top": (
        lambda d: [d], r"^library\.yaml: expected a mapping of keys and values"),
    "not YAML": ("urn: [unclosed\nlocale: en\n",
                 r"^library\.yaml: the file is not valid YAML: .*\(line \d+\)"),
    "a Python object": ("!!python/object/apply:os.system ['echo hi']\n",
                        r"^library\.yaml: the file is not valid YAML"),
    "not UTF-8": (b"urn: \xff\xfe\n", r"^library\.yaml: the file is not UTF-8 text"),
    "nested too deeply": ("[" * 5000 + "]" * 5000, r"^library\.yaml: the file is not valid YAML"),
    "aliases that expand": (
        "t: &t " + "x" * 5000 + "\nurn: urn:x\nlocale: en\nname: x\nobjects:\n  framework:\n"
        "    urn: urn:x:fw\n    ref_id: X\n    name: X\n    requirement_nodes:\n"
        + "".join(f"    - {{urn: 'urn:x:{i}', name: *t, description: *t}}\n"
                  for i in range(400)),
        r"far longer than the file"),
}


@pytest.mark.parametrize("case", BAD_FRAMEWORKS.keys())
def test_a_bad_framework_is_refused_naming_the_node_and_nothing_is_written(tmp_path, case):
    changed, message = BAD_FRAMEWORKS[case]
    data = changed if isinstance(changed, str | bytes) else changed(document())
    path = written(tmp_path, data)
    before = counts()
    with translation.override("en"), pytest.raises(library.LibraryError, match=message):
        run(path)
    assert counts() == before


# Changes of the mapping file, imported with the framework file (which is valid), and what
# the refusal says: neither is imported.
BAD_MAPPINGS = {
    "unknown relationship": (
        change(lambda d: _mappings(d)[1].update(relationship="related")),
        mapping_at(0, 1) + r": unknown relationship related; expected one of equal, subset, "
        r"superset, intersect, not_related"),
    "unknown rationale": (
        change(lambda d: _mappings(d)[0].update(rationale="gut feeling")),
        mapping_at(0, 0) + r": unknown rationale gut feeling"),
    "strength too high": (
        change(lambda d: _mappings(d)[0].update(strength_of_relationship=11)),
        mapping_at(0, 0) + r": strength_of_relationship must be a whole number from 1 to 10"),
    "strength not a number": (
        change(lambda d: _mappings(d)[0].update(strength_of_relationship="high")),
        mapping_at(0, 0) + r": strength_of_relationship must be a whole number"),
    "target unknown": (
        change(lambda d: _mappings(d)[2].update(
            target_requirement_urn="urn:mamori:req:iso27001-2022:99.9")),
        mapping_at(0, 2) + r": target urn:mamori:req:iso27001-2022:99\.9 is not a known "
        r"requirement"),
    "source unknown": (
        change(lambda d: _mappings(d, 1)[0].update(source_requirement_urn=f"{NODE}zzz")),
        mapping_at(1, 0) + r": source .*:zzz is not a known requirement"),
    "target in another framework": (
        change(lambda d: _mappings(d)[0].update(
            target_requirement_urn="urn:mamori:req:nist-csf-2-0:gv.po-01")),
        mapping_at(0, 0) + r": target urn:mamori:req:nist-csf-2-0:gv\.po-01 is a requirement "
        r"of urn:mamori:framework:nist-csf-2-0, not of the set's target framework "
        r"urn:mamori:framework:iso27001-2022"),
    "framework missing": (
        change(lambda d: _set(d).update(target_framework_urn="urn:example:framework:gone")),
        r"library\.yaml: objects\.requirement_mapping_sets\[0\] \(urn:example:risk:"
        r"req_mapping_set:office-baseline-to-iso27001-2022\): the target framework "
        r"urn:example:framework:gone is not known.*depends on urn:example:risk:library:"
        r"office-baseline"),
    "mapped to itself": (
        change(lambda d: _mappings(d)[0].update(target_requirement_urn=f"{NODE}gov.1.1")),
        mapping_at(0, 0) + r": maps .*gov\.1\.1 to itself"),
    "a pair twice": (
        change(lambda d: _mappings(d).append(dict(_mappings(d)[0], relationship="subset"))),
        mapping_at(0, 3) + r": maps .*gov\.1\.1 to urn:mamori:req:iso27001-2022:5\.1 a second "
        r"time \(first in requirement_mappings\[0\]\)"),
    "a mapping without relationship": (
        change(lambda d: _mappings(d)[1].pop("relationship")),
        mapping_at(0, 1) + r": the required key relationship is missing"),
    "a set without mappings": (
        change(lambda d: _set(d, 1).update(requirement_mappings=[])),
        r"requirement_mapping_sets\[1\] \(.*nist-csf-2-0\): requirement_mappings must be a "
        r"list of at least one mapping"),
    "a set twice": (
        change(lambda d: _set(d, 1).update(urn=_set(d)["urn"])),
        r"requirement_mapping_sets\[1\] .*: the mapping set is also in library\.yaml"),
}


@pytest.mark.parametrize("case", BAD_MAPPINGS.keys())
def test_a_bad_mapping_set_is_refused_naming_the_mapping_and_nothing_is_written(tmp_path,
                                                                                case):
    load_shipped(tmp_path)
    changed, message = BAD_MAPPINGS[case]
    path = written(tmp_path, changed(document(MAPPING_FILE)))
    before = counts()
    with translation.override("en"), pytest.raises(library.LibraryError, match=message):
        run(FRAMEWORK_FILE, path)
    assert counts() == before  # the framework of the other file was not imported either


def test_every_error_is_told_at_once(tmp_path):
    data = document()
    _nodes(data)[3]["parent_urn"] = f"{NODE}nowhere"
    _nodes(data)[5]["assessable"] = "no"
    with translation.override("en"), pytest.raises(library.LibraryError) as refused:
        run(written(tmp_path, data))
    assert len(refused.value.errors) == 2
    assert "requirement_nodes[3]" in refused.value.errors[0]
    assert "requirement_nodes[5]" in refused.value.errors[1]


def test_a_file_too_large_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(library, "MAX_BYTES", 1000)
    with translation.override("en"), pytest.raises(library.LibraryError,
                                                   match=r"library-framework\.yaml is larger"):
        run(FRAMEWORK_FILE)
    assert not Framework.objects.exists()


def test_a_urn_of_another_framework_is_refused(tmp_path):
    run(FRAMEWORK_FILE)
    data = document()
    data["objects"]["framework"]["urn"] = "urn:example:risk:framework:copy"
    before = counts()
    with translation.override("en"), pytest.raises(
            library.LibraryError,
            match=node_at(0, "gov") + r": the urn is already used by the requirement "
            r"office-baseline:GOV of another framework"):
        run(written(tmp_path, data))
    assert counts() == before


def test_a_reference_held_by_another_requirement_is_refused(tmp_path):
    run(FRAMEWORK_FILE)
    data = document()
    _nodes(data)[6]["ref_id"] = "OPS.2"  # OPS.1 would take OPS.2's reference
    _nodes(data)[7]["ref_id"] = "OPS.1"
    before = counts()
    with translation.override("en"), pytest.raises(
            library.LibraryError,
            match=node_at(6, "ops.1") + r": its reference OPS\.2 is held by the requirement "
            r"office-baseline:OPS\.2"):
        run(written(tmp_path, data))
    assert counts() == before


def test_the_command_refuses_and_names_every_file(tmp_path):
    bad = written(tmp_path, "urn: [\n", "bad.yaml")
    missing = tmp_path / "missing.yaml"
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import_library", str(FRAMEWORK_FILE), str(bad), str(missing),
                     stdout=io.StringIO())
    text = str(refused.value)
    assert text.startswith("Nothing was imported:")
    assert "bad.yaml: the file is not valid YAML" in text
    assert "missing.yaml cannot be read" in text
    assert not Framework.objects.exists()


# --- codes ------------------------------------------------------------------------------------


def test_a_library_does_not_take_a_shipped_code(tmp_path):
    data = document()
    data["objects"]["framework"]["urn"] = "urn:example:risk:framework:iso27001-2022"
    run(written(tmp_path, data))
    framework = Framework.objects.get(urn="urn:example:risk:framework:iso27001-2022")
    assert framework.code.startswith("iso27001-2022-") and len(framework.code) == 22


def test_the_shipped_frameworks_do_not_take_over_a_librarys(tmp_path):
    run(FRAMEWORK_FILE)
    framework = Framework.objects.get(urn=FRAMEWORK_URN)
    framework.code = "iso27001-2022"  # renamed by hand to a shipped code
    framework.save()
    before = counts()
    with translation.override("en"), pytest.raises(
            FrameworkDataError, match=r"iso27001-2022: the code is taken by the framework "
                                      r"urn:example:risk:framework:office-baseline"):
        load_shipped(tmp_path)
    assert counts() == before


# --- the upload page --------------------------------------------------------------------------


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(),
                              content_type="application/yaml")


def test_the_ciso_uploads_a_library(org):
    client = org.client("ciso")
    path = reverse("controls:framework_import_library")
    assert client.get(path).status_code == 200
    response = client.post(path, {"file": upload(FRAMEWORK_FILE)})
    framework = Framework.objects.get(urn=FRAMEWORK_URN)
    assert response.status_code == 302 and response["Location"] == (
        framework.get_absolute_url())
    entry = log_entries(framework, "create").get()
    assert (entry.actor_name, entry.source) == ("ciso", "ui")


def test_an_uploaded_library_with_errors_lists_them_and_saves_nothing(org, tmp_path):
    data = document()
    _nodes(data)[3]["parent_urn"] = f"{NODE}nowhere"
    client = org.client("ciso")  # signing in is logged: before counting
    before = counts()
    response = client.post(
        reverse("controls:framework_import_library"),
        {"file": upload(written(tmp_path, data), "baseline.yaml")}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["errors"] == [
        "baseline.yaml: objects.framework.requirement_nodes[3] "
        f"({NODE}gov.1.2): parent_urn {NODE}nowhere is not listed before it"]
    assert 'data-testid="import-errors"' in response.content.decode()
    assert counts() == before


@pytest.mark.parametrize("role", ["manager", "staff", "auditor"])
def test_only_who_may_add_frameworks_and_mappings_uploads(org, role):
    client = org.client(role)
    path = reverse("controls:framework_import_library")
    assert client.get(path).status_code == 403
    assert client.post(path, {"file": upload(FRAMEWORK_FILE)}).status_code == 403
    assert not Framework.objects.exists()


# --- the shipped frameworks' URNs -----------------------------------------------------------


def test_the_shipped_frameworks_have_urns_that_follow_their_codes(tmp_path):
    load_shipped(tmp_path)
    iso = Framework.objects.get(code="iso27001-2022")
    assert iso.urn == "urn:mamori:framework:iso27001-2022"
    assert Requirement.objects.get(uid="nist-csf-2-0:GV.OC-01").urn == (
        "urn:mamori:req:nist-csf-2-0:gv.oc-01")
    assert not Requirement.objects.filter(framework__in=[iso], urn="").exists()

    iso.code = "iso27001"
    iso.save()
    iso.refresh_from_db()
    assert iso.urn == "urn:mamori:framework:iso27001"
    assert Requirement.objects.get(uid="iso27001:5.1").urn == "urn:mamori:req:iso27001:5.1"
    assert not Requirement.objects.filter(urn__startswith="urn:mamori:req:iso27001-2022:")

    requirement = Requirement.objects.get(uid="iso27001:5.2")
    requirement.ref = "5.2a"
    requirement.save(update_fields=["ref"])
    requirement.refresh_from_db()
    assert (requirement.uid, requirement.urn) == ("iso27001:5.2a",
                                                  "urn:mamori:req:iso27001:5.2a")
    assert changelog.verify().ok


def test_the_shipped_mapping_directory_may_be_missing_or_empty(tmp_path):
    directory = tmp_path / "frameworks"
    directory.mkdir()
    shutil.copy(FRAMEWORK_DIR / "iso27001-2022.json", directory)
    empty = tmp_path / "mappings"
    empty.mkdir()
    with acting_as(Actor(None, "test", "command")):
        assert load_builtin_frameworks(directory, tmp_path / "missing").mapping_sets == []
        assert load_builtin_frameworks(directory, empty).mapping_sets == []
    assert not RequirementMapping.objects.exists()


def test_shipped_mappings_are_loaded_after_the_frameworks(tmp_path):
    directory = tmp_path / "mappings"
    directory.mkdir()
    written(directory, {
        "urn": "urn:mamori:library:mapping-test", "locale": "en", "ref_id": "test",
        "name": "ISO -> CSF", "objects": {"requirement_mapping_set": {
            "urn": "urn:mamori:mapping:test", "name": "ISO -> CSF",
            "source_framework_urn": "urn:mamori:framework:iso27001-2022",
            "target_framework_urn": "urn:mamori:framework:nist-csf-2-0",
            "requirement_mappings": [{
                "source_requirement_urn": "urn:mamori:req:iso27001-2022:5.1",
                "target_requirement_urn": "urn:mamori:req:nist-csf-2-0:gv.po-01",
                "relationship": "intersect"}]}}}, "iso-to-csf.yaml")
    frameworks = tmp_path / "frameworks"
    frameworks.mkdir()
    for name in ("iso27001-2022.json", "nist-csf-2.0.json"):
        shutil.copy(FRAMEWORK_DIR / name, frameworks)
    with acting_as(Actor(None, "test", "command")):
        loaded = load_builtin_frameworks(frameworks, directory)
        assert [s.created for s in loaded.mapping_sets] == [1]
        assert [s.unchanged for s in load_builtin_frameworks(frameworks, directory)
                .mapping_sets] == [1]
    mapping = RequirementMapping.objects.get()
    assert (mapping.source.uid, mapping.target.uid) == ("iso27001-2022:5.1",
                                                        "nist-csf-2-0:GV.PO-01")


def test_mamoris_own_mapping_files_load(tmp_path):
    paths = sorted(MAPPING_DIR.glob("*.yaml"))
    if not paths:
        pytest.skip("no mappings are shipped")
    with acting_as(Actor(None, "test", "command")):
        loaded = load_builtin_frameworks()
    expected = {}
    for path in paths:
        for mapping_set in library.read_library_file(path).mapping_sets:
            expected[mapping_set.urn] = len(mapping_set.mappings)
    assert {s.urn: s.created + s.elsewhere for s in loaded.mapping_sets} == expected
    assert RequirementMapping.objects.count() == sum(s.created for s in loaded.mapping_sets)


# --- the data migration -----------------------------------------------------------------------

MIGRATION = "0003_framework_urns_and_requirement_mappings"


def test_the_migration_gives_the_loaded_shipped_frameworks_their_urns(tmp_path):
    load_shipped(tmp_path)
    custom = Framework.objects.create(code="ours", name_ja="自社基準")
    Requirement.objects.create(framework=custom, ref="1", title_ja="自社")
    # As before the migration: no URNs anywhere.
    Framework.objects.update(urn="")
    Requirement.objects.update(urn="")
    logged = ChangeLogEntry.objects.count()

    migration = importlib.import_module(f"mamori.controls.migrations.{MIGRATION}")
    state = MigrationExecutor(connection).loader.project_state(("controls", MIGRATION))
    migration.builtin_urns(state.apps, SimpleNamespace(connection=connection))

    iso = Framework.objects.get(code="iso27001-2022")
    assert iso.urn == "urn:mamori:framework:iso27001-2022"
    assert Requirement.objects.get(uid="iso27001-2022:5.1").urn == (
        "urn:mamori:req:iso27001-2022:5.1")
    assert Requirement.objects.get(uid="nist-csf-2-0:GV.OC-01").urn == (
        "urn:mamori:req:nist-csf-2-0:gv.oc-01")
    assert custom.requirements.get().urn == "" and Framework.objects.get(code="ours").urn == ""
    # One entry per row given a URN, so the log folds to what the rows hold.
    shipped = Requirement.objects.exclude(framework=custom).count()
    entries = list(ChangeLogEntry.objects.order_by("seq")[logged:])
    assert len(entries) == 2 + shipped
    assert {e.actor_name for e in entries} == {"command:migrate"}
    assert changelog.verify().ok
    for model in (Framework, Requirement):
        assert not [d for d in reconcile_model(model) if d.kind == DIFFERS]
    # Run again, it finds nothing to do.
    migration.builtin_urns(state.apps, SimpleNamespace(connection=connection))
    assert ChangeLogEntry.objects.count() == logged + 2 + shipped
