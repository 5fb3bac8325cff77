"""OSCAL catalogs: the control catalogue exported (valid against NIST's schema, through
compliance-trestle's models generated from it) and catalogs imported as frameworks."""

import copy
import io
import json
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from trestle.oscal.catalog import Catalog
from trestle.oscal.catalog import Model as CatalogDocument

from mamori.controls import oscal
from mamori.controls.frameworks import load_builtin_frameworks
from mamori.controls.models import Control, Framework, Requirement, Theme
from mamori.core import changelog
from mamori.core.context import Actor, acting_as
from mamori.core.models import ChangeLogEntry
from mamori.core.testing import log_entries, query_count

pytestmark = pytest.mark.django_db

EXTRACT = Path(__file__).parent / "data" / "nist-800-53-rev5-extract.json"
NCNAME = re.compile(r"^[_A-Za-z][_A-Za-z0-9.-]*$")


def extract() -> dict:
    return json.loads(EXTRACT.read_text(encoding="utf-8"))


def valid(document: dict) -> Catalog:
    """Validate with the models trestle generates from NIST's OSCAL JSON schema."""
    CatalogDocument.model_validate(document)
    return Catalog.model_validate(document["catalog"])


def run_import(data, **kwargs) -> Framework:
    with acting_as(Actor(None, "test", "command")):
        return oscal.import_catalog(data, **kwargs)


@pytest.fixture
def controls(org):
    return [
        Control.objects.create(code="A.5.1", title_ja="情報セキュリティのための方針群",
                               title_en="Policies for information security",
                               description="方針を定め、承認し、周知する。\n\n年に一度見直す。",
                               theme=Theme.ORGANISATIONAL, department=org.company,
                               status=Control.Status.IMPLEMENTED,
                               frequency=Control.Frequency.YEARLY),
        Control.objects.create(code="技術-01", title_ja="多要素認証", description="",
                               theme=Theme.TECHNOLOGICAL, department=org.it),
        Control.objects.create(code="物理-01", title_ja="入退室管理", description="  ",
                               theme=Theme.PHYSICAL, department=org.sales),
        Control.objects.create(code="5.1 (draft)", title_ja="改行を含む\n題名",
                               theme=Theme.TECHNOLOGICAL, department=org.it),
    ]


# --- ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["A.5.1", "技術-01", "5.1", "C 001", "-x-", "___", "ÄÖ", "a"])
def test_control_ids_are_ncnames_and_stable(code):
    assert NCNAME.match(oscal.control_id(code))
    assert oscal.control_id(code) == oscal.control_id(code)


def test_control_ids_keep_codes_apart():
    assert oscal.control_id("A.5.1") == "a.5.1"
    assert oscal.control_id("ac-2.1") == "ac-2.1"
    assert oscal.control_id("5.1") == "_5.1"
    ids = {oscal.control_id(code) for code in ["技術-01", "物理-01", "01", "C 01", "C-01"]}
    assert len(ids) == 5


# --- export --------------------------------------------------------------------------------


def test_export_is_a_valid_oscal_catalog(controls):
    with translation.override("ja"):
        document = oscal.export_catalog(Control.objects.all())
    catalog = valid(json.loads(oscal.dumps(document)))  # as written, not only as built
    assert catalog.metadata.last_modified.tzinfo is not None
    assert document["catalog"]["metadata"]["oscal-version"] == oscal.OSCAL_VERSION

    groups = document["catalog"]["groups"]
    assert [g["id"] for g in groups] == ["organisational", "physical", "technological"]
    assert groups[0]["title"] == str(Theme.ORGANISATIONAL.label)
    by_label = {c["props"][0]["value"]: c for g in groups for c in g["controls"]}
    assert set(by_label) == {"A.5.1", "技術-01", "物理-01", "5.1 (draft)"}

    policies = by_label["A.5.1"]
    assert policies["id"] == "a.5.1"
    assert policies["title"] == "情報セキュリティのための方針群"
    props = {(p["name"], p.get("ns")): p["value"] for p in policies["props"]}
    assert props == {("label", None): "A.5.1",
                     ("status", oscal.MAMORI_NS): "implemented",
                     ("frequency", oscal.MAMORI_NS): "yearly",
                     ("department", oscal.MAMORI_NS): "D000"}
    assert policies["parts"] == [{"id": "a.5.1_smt", "name": "statement",
                                  "prose": "方針を定め、承認し、周知する。\n\n年に一度見直す。"}]
    assert "parts" not in by_label["技術-01"]  # empty description: no statement
    assert "parts" not in by_label["物理-01"]  # blank description: no statement
    assert by_label["5.1 (draft)"]["title"] == "改行を含む 題名"
    assert by_label["技術-01"]["id"] != by_label["物理-01"]["id"]


def test_export_titles_follow_the_language(controls):
    with translation.override("en"):
        document = oscal.export_catalog(Control.objects.filter(code="A.5.1"))
    valid(document)
    [group] = document["catalog"]["groups"]
    assert group["title"] == "Organisational"
    assert group["controls"][0]["title"] == "Policies for information security"


def test_export_of_nothing_is_valid(org):
    document = oscal.export_catalog(Control.objects.none())
    valid(document)
    assert "groups" not in document["catalog"]


def test_export_uuid_changes_with_the_content_only(controls):
    first = oscal.export_catalog(Control.objects.all())
    assert oscal.export_catalog(Control.objects.all())["catalog"]["uuid"] == \
        first["catalog"]["uuid"]
    controls[1].status = Control.Status.IMPLEMENTED
    controls[1].save()
    changed = oscal.export_catalog(Control.objects.all())
    assert changed["catalog"]["uuid"] != first["catalog"]["uuid"]
    assert changed["catalog"]["metadata"]["version"] != first["catalog"]["metadata"]["version"]


def test_export_query_count_is_constant(org):
    Control.objects.create(code="C-1", title_ja="一", theme=Theme.PEOPLE, department=org.it)
    few = query_count(lambda: oscal.export_catalog(Control.objects.all()))
    for number in range(2, 30):
        department = org.sales if number % 2 else org.it
        Control.objects.create(code=f"C-{number}", title_ja=f"管理策 {number}",
                               theme=list(Theme)[number % 4], department=department)
    many = query_count(lambda: oscal.export_catalog(Control.objects.all()))
    assert few == many == 1


def test_the_page_exports_the_controls_the_user_sees(org, controls):
    response = org.client("staff").get(reverse("controls:oscal_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    valid(document)
    labels = {c["props"][0]["value"]
              for g in document["catalog"]["groups"] for c in g["controls"]}
    assert labels == {c.code for c in Control.objects.restrict(org.users["staff"], "view")}
    assert len(labels) == 4  # the catalogue is read by all staff


def test_the_page_needs_a_login(org):
    response = Client().get(reverse("controls:oscal_export"))
    assert response.status_code in (302, 403)


def test_export_command_writes_stdout_or_a_file(controls, tmp_path):
    out = io.StringIO()
    call_command("export_oscal", stdout=out)
    valid(json.loads(out.getvalue()))
    target = tmp_path / "catalog.json"
    call_command("export_oscal", "--output", str(target), stdout=io.StringIO(),
                 stderr=io.StringIO())
    document = json.loads(target.read_text(encoding="utf-8"))
    valid(document)
    assert sum(len(g["controls"]) for g in document["catalog"]["groups"]) == 4


# --- import --------------------------------------------------------------------------------


def test_the_extract_is_valid_oscal():
    catalog = valid(extract())
    assert [g.id for g in catalog.groups] == ["ac", "au"]


def test_import_the_extract():
    framework = run_import(extract())
    assert framework.code == "nist-sp-800-53-rev-5-controls-extract-for-mamori-tests"
    assert framework.source == Framework.Source.OSCAL
    assert framework.name_en.startswith("NIST SP 800-53 Rev 5")
    assert framework.version == "5.1.1"
    assert framework.publisher == "Joint Task Force, Transformation Initiative"
    result = framework.load_result
    assert (result.created, result.updated) == (12, 0)

    rows = list(framework.requirements.order_by("sort_key"))
    assert [r.ref for r in rows] == ["ac", "ac-1", "ac-2", "ac-2.1", "ac-2.2", "ac-3", "ac-6",
                                     "ac-6.1", "au", "au-2", "au-6", "au-6.1"]
    assert [r.sort_key for r in rows] == list(range(10, 130, 10))
    assert [r.ref for r in rows if r.is_group] == ["ac", "au"]
    by_ref = {r.ref: r for r in rows}
    assert by_ref["ac-2.1"].parent == by_ref["ac-2"]
    assert by_ref["ac-2"].parent == by_ref["ac"]
    assert by_ref["ac"].parent is None
    assert by_ref["ac-2.1"].uid == f"{framework.code}:ac-2.1"
    assert by_ref["ac-2"].title_en == by_ref["ac-2"].title_ja == "Account Management"

    # The statement, items labelled and nested, parameters spelt out; not the guidance.
    text = by_ref["ac-1"].description.splitlines()
    assert text[0] == ("a. Develop, document, and hand out to [Assignment: "
                       "organization-defined personnel or roles]:")
    assert text[1].startswith("  1. A [Selection (one or more): organization-level; ")
    assert text[3] == "b. Name an official to manage the policy and procedures; and"
    assert "guidance" not in by_ref["ac-1"].description
    assert "{{" not in "".join(r.description for r in rows)
    assert by_ref["ac-2.2"].description == (
        "Automatically [Selection: remove; disable] temporary and emergency accounts after "
        "[Assignment: time period for each type of account].")
    assert by_ref["ac"].description == ""


def test_import_with_a_code_and_every_change_logged():
    before = ChangeLogEntry.objects.count()
    framework = run_import(extract(), code="nist-800-53")
    assert framework.code == "nist-800-53"
    assert log_entries(framework, "create").get().actor_name == "test"
    enhancement = Requirement.objects.get(uid="nist-800-53:ac-2.1")
    assert log_entries(enhancement, "create").get().after["parent_id"] == enhancement.parent_id
    assert ChangeLogEntry.objects.count() - before == 13
    assert changelog.verify().ok


def test_import_again_is_idempotent_and_keeps_decisions(org):
    control = Control.objects.create(code="C-010", title_ja="アカウント管理",
                                     theme=Theme.TECHNOLOGICAL, department=org.it)
    framework = run_import(extract())
    account = framework.requirements.get(ref="ac-2")
    account.applicable = True
    account.justification = "全システムで実施"
    account.description = "Our own wording."
    account.title_ja = "アカウント管理"  # translated by the organisation
    account.save()
    account.controls.add(control)
    excluded = framework.requirements.get(ref="au-6.1")
    excluded.applicable = False
    excluded.justification = "自動化の仕組みがない"
    excluded.save()
    logged = ChangeLogEntry.objects.count()

    again = run_import(extract())
    assert again.pk == framework.pk
    assert again.load_result.changes == 0 and again.load_result.unchanged == 12
    assert ChangeLogEntry.objects.count() == logged
    assert Framework.objects.count() == 1 and Requirement.objects.count() == 12

    changed = extract()
    changed["catalog"]["metadata"]["version"] = "5.2.0"
    account_json = changed["catalog"]["groups"][0]["controls"][1]
    account_json["title"] = "Account Management (revised)"
    account_json["parts"][0]["parts"][0]["prose"] = "New official text."
    third = run_import(changed)
    assert third.version == "5.2.0" and third.load_result.updated == 1

    account.refresh_from_db()
    assert account.title_en == "Account Management (revised)"
    assert account.title_ja == "アカウント管理"
    assert account.description == "Our own wording."
    assert account.applicable is True and account.justification == "全システムで実施"
    assert list(account.controls.all()) == [control]
    excluded.refresh_from_db()
    assert excluded.applicable is False and excluded.justification == "自動化の仕組みがない"
    # An untranslated title follows the catalog in both fields.
    changed["catalog"]["groups"][1]["controls"][0]["title"] = "Event Logging (revised)"
    run_import(changed)
    logging = Requirement.objects.get(ref="au-2")
    assert logging.title_ja == logging.title_en == "Event Logging (revised)"


def without(data: dict, path: list) -> dict:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return data


def replaced(data: dict, path: list, value) -> dict:
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return data


AC = ["catalog", "groups", 0, "controls"]

MALFORMED = {
    "not an object": ([1, 2], {}, r"^\$:"),
    "no catalog": ({"component-definition": {}}, {}, r"^\$:.*catalog"),
    "catalog not an object": ({"catalog": []}, {}, r"^\$\.catalog:"),
    "no metadata": (without(extract(), ["catalog", "metadata"]), {},
                    r"^\$\.catalog\.metadata:"),
    "no title": (without(extract(), ["catalog", "metadata", "title"]), {},
                 r"^\$\.catalog\.metadata\.title:"),
    "control without id": (without(extract(), [*AC, 2, "id"]), {},
                           r"^\$\.catalog\.groups\[0\]\.controls\[2\]\.id:"),
    "enhancement without title": (
        without(extract(), [*AC, 1, "controls", 0, "title"]), {},
        r"^\$\.catalog\.groups\[0\]\.controls\[1\]\.controls\[0\]\.title:"),
    "title not a string": (replaced(extract(), [*AC, 0, "title"], 7), {},
                           r"^\$\.catalog\.groups\[0\]\.controls\[0\]\.title:"),
    "duplicate id": (replaced(extract(), [*AC, 3, "id"], "ac-2.1"), {},
                     r"^\$\.catalog\.groups\[0\]\.controls\[3\]\.id:.*ac-2\.1.*"
                     r"\$\.catalog\.groups\[0\]\.controls\[1\]\.controls\[0\]"),
    "group id equals a control id": (replaced(extract(), ["catalog", "groups", 1, "id"], "ac-1"),
                                     {}, r"^\$\.catalog\.groups\[1\]\.id:.*ac-1"),
    "controls not a list": (replaced(extract(), [*AC], {"id": "ac-1"}), {},
                            r"^\$\.catalog\.groups\[0\]\.controls:"),
    "control not an object": (replaced(extract(), [*AC, 0], "ac-1"), {},
                              r"^\$\.catalog\.groups\[0\]\.controls\[0\]:"),
    "part not an object": (replaced(extract(), [*AC, 0, "parts", 0, "parts", 1], "b."), {},
                           r"^\$\.catalog\.groups\[0\]\.controls\[0\]\.parts\[0\]\.parts\[1\]:"),
    "id too long": (replaced(extract(), [*AC, 0, "id"], "a" * 65), {},
                    r"^\$\.catalog\.groups\[0\]\.controls\[0\]\.id:"),
    "empty catalog": ({"catalog": {"uuid": "x", "metadata": {"title": "Empty"}}}, {},
                      r"^\$\.catalog:"),
    "bad code": (extract(), {"code": "no spaces allowed"}, r"no spaces allowed"),
}


@pytest.mark.parametrize("case", MALFORMED.keys())
def test_malformed_catalogs_are_refused_and_leave_nothing(case):
    data, kwargs, message = MALFORMED[case]
    with translation.override("en"), pytest.raises(oscal.OscalImportError, match=message):
        run_import(data, **kwargs)
    assert not Framework.objects.exists()
    assert not Requirement.objects.exists()
    assert not ChangeLogEntry.objects.exists()


def test_oscal_import_error_is_a_value_error():
    assert issubclass(oscal.OscalImportError, ValueError)


def test_a_group_without_id_gets_one_from_its_place():
    data = without(extract(), ["catalog", "groups", 1, "id"])
    framework = run_import(data)
    group = framework.requirements.get(title_en="Audit and Accountability")
    assert group.ref == "group-1" and group.is_group
    assert framework.requirements.get(ref="au-2").parent == group


def test_a_shipped_framework_is_not_overwritten_by_an_import():
    with acting_as(Actor(None, "test", "command")):
        load_builtin_frameworks()
    logged = ChangeLogEntry.objects.count()
    with pytest.raises(oscal.OscalImportError, match="iso27001-2022"):
        run_import(extract(), code="iso27001-2022")
    assert ChangeLogEntry.objects.count() == logged
    assert not Requirement.objects.filter(ref="ac-2").exists()


def test_import_command(tmp_path):
    out = io.StringIO()
    call_command("import_oscal", str(EXTRACT), "--code", "nist-800-53", stdout=out)
    assert "nist-800-53" in out.getvalue() and "12" in out.getvalue()
    framework = Framework.objects.get(code="nist-800-53")
    assert framework.requirements.count() == 12
    entry = log_entries(framework, "create").get()
    assert (entry.actor_name, entry.source) == ("command:import_oscal", "command")

    again = io.StringIO()
    with translation.override("en"):
        call_command("import_oscal", str(EXTRACT), "--code", "nist-800-53", stdout=again)
    assert "up to date" in again.getvalue()


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    (json.dumps({"catalog": {"metadata": {}}}), r"\$\.catalog\.metadata\.title"),
    (b"\xff\xfe\x00", "not valid JSON"),
])
def test_import_command_refuses_a_bad_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("import_oscal", str(path), stdout=io.StringIO())
    assert not Framework.objects.exists()


def test_import_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match=r"missing\.json"):
        call_command("import_oscal", str(tmp_path / "missing.json"), stdout=io.StringIO())


def test_import_command_exits_non_zero_with_the_error_on_stderr(tmp_path, capsys, monkeypatch):
    from django.core.management import base

    from mamori.controls.management.commands.import_oscal import Command

    # As on the command line; the test database must stay open afterwards though.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"catalog": {"metadata": {"title": "T"}, "controls": [{}]}}),
                    encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        Command().run_from_argv(["mamori", "import_oscal", str(path)])
    assert exit_.value.code != 0
    captured = capsys.readouterr()
    assert "$.catalog.controls[0].id" in captured.err
    assert captured.out == ""
    assert not Framework.objects.exists()
