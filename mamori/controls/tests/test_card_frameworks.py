"""The catalogues a Japanese card company is judged by (PCI DSS v4.0.1, the Credit Card
Security Guideline, the FISC Security Guidelines) and the mappings shipped with them: every
shipped file keeps the README's rules, loads, and reloads without a change; every mapping names
requirements that exist."""

import json
import re

import pytest
import yaml

from mamori.controls.frameworks import FRAMEWORK_DIR, load_builtin_frameworks
from mamori.controls.models import Framework, Requirement, Theme
from mamori.core.context import Actor, acting_as
from mamori.core.models import ChangeLogEntry

MAPPING_DIR = FRAMEWORK_DIR.parent / "mappings"
FRAMEWORK_FILES = sorted(FRAMEWORK_DIR.glob("*.json"))
MAPPING_FILES = sorted(MAPPING_DIR.glob("*.yaml"))
RELATIONSHIPS = {"equal", "subset", "superset", "intersect", "not_related"}
RATIONALES = {"syntactic", "semantic", "functional"}
FRAMEWORK_URN = "urn:mamori:framework:"
REQUIREMENT_URN = "urn:mamori:req:"


def read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def shipped():
    """{code: (data, {ref: row})} for every shipped framework file."""
    frameworks = {}
    for path in FRAMEWORK_FILES:
        data = read(path)
        frameworks[data["code"]] = (data, {row["ref"]: row for row in data["requirements"]})
    return frameworks


def load():
    with acting_as(Actor(None, "test", "command")):
        return load_builtin_frameworks()


# --- the files and their rules ------------------------------------------------------------


@pytest.mark.parametrize("path", FRAMEWORK_FILES, ids=lambda p: p.name)
def test_every_shipped_file_keeps_the_readme_rules(path):
    data = read(path)
    assert data["code"] and data["name_ja"] and data["name_en"] and data["version"]
    assert data["licence_note_ja"] and data["licence_note_en"]
    assert path.read_text(encoding="utf-8") == json.dumps(
        data, ensure_ascii=False, indent=2) + "\n"  # 2-space indent, non-ASCII unescaped
    seen = set()
    parents = {row["parent"] for row in data["requirements"]}
    for row in data["requirements"]:
        ref = row["ref"]
        assert ref and ref not in seen, ref
        # URNs are compared in lower case: two refs may not differ only in case.
        assert ref.lower() not in {r.lower() for r in seen}, ref
        assert row["parent"] is None or row["parent"] in seen, ref  # parents come first
        seen.add(ref)
        assert row["theme"] in {*Theme.values, ""}, ref
        if ref in parents:
            assert row["theme"] == "", ref  # group headings have no theme
        for key in ("title_ja", "title_en"):
            assert row[key].strip() and len(row[key]) <= 80, (ref, key)
        description_ja, description_en = row["description_ja"], row["description_en"]
        if ref not in parents:
            assert description_ja and description_en, ref  # only groups may go without
        if description_ja:  # one sentence
            assert len(description_ja) <= 200, ref
            assert description_ja.count("。") == 1 and description_ja.endswith("。"), ref
        if description_en:
            assert len(description_en) <= 200, ref
            assert description_en.endswith("."), ref
            assert not re.search(r"[.!?]\s+[A-Z]", description_en), ref


def test_pci_dss_has_the_twelve_principal_requirements_and_their_groups():
    data, rows = shipped()["pci-dss-4-0-1"]
    assert data["version"] == "4.0.1"
    top = [row["ref"] for row in data["requirements"] if row["parent"] is None]
    assert top == [str(n) for n in range(1, 13)]
    groups = [ref for ref, row in rows.items() if row["parent"] in top]
    items = [ref for ref, row in rows.items() if row["parent"] in groups]
    assert len(groups) == 63 and len(items) == 250 and len(rows) == 12 + 63 + 250
    # Every identifier sits under its sub-requirement group (x.y), however deep its number.
    for ref in items:
        assert rows[ref]["parent"] == ".".join(ref.split(".")[:2]), ref
    assert {"1.2.1", "3.5.1.1", "8.3.10.1", "9.5.1.2.1", "10.2.1.7", "12.10.7"} <= set(items)
    # Each of requirements 1-11 opens with its policies (x.1.1) and roles (x.1.2).
    for n in range(1, 12):
        assert rows[f"{n}.1.1"]["parent"] == rows[f"{n}.1.2"]["parent"] == f"{n}.1"
    assert "12.1.2" in rows and rows["12.1.2"]["title_en"] == "Yearly policy review"


def test_card_guideline_and_fisc_have_their_areas():
    frameworks = shipped()
    card, card_rows = frameworks["jp-card-security-guideline"]
    assert card["version"] == "6.0"
    assert [r["ref"] for r in card["requirements"] if r["parent"] is None] == ["P", "C", "E", "R"]
    assert len(card_rows) == 36
    assert {"P-1-1", "P-1-2", "P-2", "P-3", "P-4", "C-1", "C-2", "E-3", "E-7"} <= set(card_rows)

    fisc, fisc_rows = frameworks["fisc-security-standards"]
    top = [r["ref"] for r in fisc["requirements"] if r["parent"] is None]
    assert top == ["統", "実", "設", "監"]
    counts = {group: sum(1 for r in fisc_rows.values() if r["parent"] == group) for group in top}
    assert counts == {"統": 36, "実": 157, "設": 1, "監": 2}
    assert {"統1", "統28", "実1", "実14-1", "実73-1", "実153", "監1"} <= set(fisc_rows)
    # An item whose subject Mamori does not describe says so rather than guessing.
    assert fisc_rows["実2"]["title_en"] == "Operational standard item 実2"
    assert fisc_rows["実2"]["theme"] == ""


def test_licence_notes_say_the_licensed_text_can_be_imported_over_the_descriptors():
    frameworks = shipped()
    for code in ("pci-dss-4-0-1", "jp-card-security-guideline", "fisc-security-standards"):
        data = frameworks[code][0]
        assert "CSV/XLSX" in data["licence_note_ja"] and "CSV/XLSX" in data["licence_note_en"]
        assert "own words" in data["licence_note_en"]


# --- the mappings --------------------------------------------------------------------------


def test_mappings_are_shipped():
    assert [path.name for path in MAPPING_FILES] == [
        "fisc-security-standards-to-iso27001-2022.yaml",
        "jp-card-security-guideline-to-pci-dss-4-0-1.yaml",
        "pci-dss-4-0-1-to-iso27001-2022.yaml",
    ]


@pytest.mark.parametrize("path", MAPPING_FILES, ids=lambda p: p.name)
def test_every_mapping_names_shipped_requirements(path):
    frameworks = shipped()
    library = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert library["urn"].startswith("urn:mamori:library:") and library["locale"] == "en"
    assert library["name"] and library["description"] and library["copyright"]
    mapping_set = library["objects"]["requirement_mapping_set"]
    assert path.name == f"{mapping_set['ref_id']}.yaml"
    assert mapping_set["urn"] == f"urn:mamori:mapping:{mapping_set['ref_id']}"
    codes = []
    for key in ("source_framework_urn", "target_framework_urn"):
        assert mapping_set[key].startswith(FRAMEWORK_URN)
        code = mapping_set[key].removeprefix(FRAMEWORK_URN)
        assert code in frameworks, mapping_set[key]
        codes.append(code)
    source, target = codes
    rows = mapping_set["requirement_mappings"]
    assert 20 <= len(rows) <= 160
    pairs = set()
    for row in rows:
        ends = []
        for key, code in (("source_requirement_urn", source), ("target_requirement_urn", target)):
            prefix = f"{REQUIREMENT_URN}{code}:"
            assert row[key].startswith(prefix), row[key]
            ref = row[key].removeprefix(prefix)
            assert ref in frameworks[code][1], row[key]  # the ref exactly as in the JSON
            ends.append(ref)
        assert tuple(ends) not in pairs, ends  # each pair once
        pairs.add(tuple(ends))
        assert row["relationship"] in RELATIONSHIPS, row
        assert row.get("rationale", "semantic") in RATIONALES, row
        strength = row.get("strength_of_relationship")
        assert strength is None or (isinstance(strength, int) and 1 <= strength <= 10), row


def test_fisc_mappings_use_only_items_whose_subject_is_described():
    _data, rows = shipped()["fisc-security-standards"]
    path = MAPPING_DIR / "fisc-security-standards-to-iso27001-2022.yaml"
    mapping_set = yaml.safe_load(path.read_text(encoding="utf-8"))["objects"][
        "requirement_mapping_set"]
    for row in mapping_set["requirement_mappings"]:
        ref = row["source_requirement_urn"].rsplit(":", 1)[1]
        assert not rows[ref]["title_en"].endswith(f"item {ref}"), ref


# --- loading -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_shipped_file_loads_and_a_second_load_changes_nothing():
    frameworks = load()
    expected = {code: len(rows) for code, (_data, rows) in shipped().items()}
    assert {f.code: f.requirements.count() for f in frameworks} == expected
    assert {"pci-dss-4-0-1", "jp-card-security-guideline",
            "fisc-security-standards"} <= set(expected)
    assert all(f.source == Framework.Source.BUILT_IN for f in frameworks)

    pci = Framework.objects.get(code="pci-dss-4-0-1")
    assert pci.version == "4.0.1" and "PCI" in pci.licence_note
    item = Requirement.objects.get(uid="pci-dss-4-0-1:3.5.1.1")
    assert item.parent.ref == "3.5" and item.parent.parent.ref == "3"
    assert item.parent.is_group and not item.is_group and item.theme == Theme.TECHNOLOGICAL
    assert pci.requirements.filter(parent__isnull=True, is_group=True).count() == 12
    fisc = Requirement.objects.get(uid="fisc-security-standards:実14-1")
    assert fisc.parent.ref == "実" and fisc.title_ja == "サイバー攻撃の兆候の検知"

    logged = ChangeLogEntry.objects.count()
    again = load()
    assert [f.load_result.changes for f in again] == [0] * len(again)
    assert {f.code: f.load_result.unchanged for f in again} == expected
    assert ChangeLogEntry.objects.count() == logged
