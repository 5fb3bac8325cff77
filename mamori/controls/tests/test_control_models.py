"""Controls, evidence, frameworks and requirements through the shared UI/API/scope tests
(mamori.core.testing.ScopedModelTests)."""

import datetime

import pytest

from mamori.controls import tables
from mamori.controls.models import Control, Evidence, Framework, Requirement
from mamori.core.testing import CisoChangesTests, ScopedModelTests, api_client


def make_control(department, code, **fields):
    values = {"title_ja": f"管理策 {code}", "title_en": f"Control {code}",
              "theme": "organisational"}
    return Control.objects.create(code=code, department=department, **{**values, **fields})


def make_framework(code, **fields):
    values = {"name_ja": f"フレームワーク {code}", "name_en": f"Framework {code}"}
    return Framework.objects.create(code=code, **{**values, **fields})


def make_requirement(framework, ref, **fields):
    values = {"title_ja": f"要求事項 {ref}", "title_en": f"Requirement {ref}",
              "theme": "organisational"}
    return Requirement.objects.create(framework=framework, ref=ref, **{**values, **fields})


class TestControl(ScopedModelTests):
    model = Control
    api_path = "/api/controls/controls/"
    out_of_scope_visible = True  # everyone reads the catalogue: it says what they must do

    def in_scope_object(self, org):
        return make_control(org.sales_east, "C-EAST")

    def out_of_scope_object(self, org):
        return make_control(org.it, "C-IT")

    def create_data(self, org):
        return {"code": "C-100", "title_ja": "入退室管理", "title_en": "Entry control",
                "description": "ICカードで入退室を記録する", "theme": "physical",
                "department": org.sales.pk, "owner": org.people["manager"].pk,
                "status": "implemented", "frequency": "continuous"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "C-101", "department": org.it.pk,
                "owner": None}

    def update_data(self, org, obj):
        return {"code": obj.code, "title_ja": obj.title_ja + "（改）", "title_en": obj.title_en,
                "description": "reviewed", "theme": obj.theme,
                "department": obj.department_id, "owner": None, "status": "partial",
                "frequency": "monthly"}

    def make_rows(self, org, n):
        start = Control.objects.count()
        Control.objects.bulk_create(
            Control(code=f"ROW-{start + i:05d}", title_ja=f"管理策{i}", theme="technological",
                    department=org.sales, owner=org.people["staff"]) for i in range(n))

    def resource(self):
        return tables.ControlResource()

    def bad_import_column(self):
        return "theme"

    def test_staff_read_every_control_and_change_none(self, org):
        control = self.out_of_scope_object(org)
        client = org.client("staff")
        assert client.get(self.url("detail", control.pk)).status_code == 200
        assert client.get(self.url("update", control.pk)).status_code == 404
        assert client.post(self.url("delete", control.pk)).status_code == 404
        assert client.get(self.url("create")).status_code == 403


class WithControls:
    """A Sales control and an IT control exist before each test, so that building the data
    of a refused write adds nothing to the change log."""

    @pytest.fixture(autouse=True)
    def _controls(self, org):
        make_control(org.sales, "C-SALES")
        make_control(org.it, "C-IT")

    def _control(self, code):
        return Control.objects.get(code=code)


class TestEvidence(WithControls, ScopedModelTests):
    model = Evidence
    api_path = "/api/controls/evidence/"

    def _evidence(self, code, **fields):
        values = {"kind": "link", "title": f"Evidence of {code}",
                  "url": "https://intranet.example.com/report",
                  "collected_on": datetime.date(2025, 4, 1)}
        return Evidence.objects.create(control=self._control(code), **{**values, **fields})

    def in_scope_object(self, org):
        return self._evidence("C-SALES")

    def out_of_scope_object(self, org):
        return self._evidence("C-IT", kind="note", url="", note="設定を確認した")

    def create_data(self, org):
        # Files are uploaded one by one on the page (see test_evidence_files.py); links and
        # notes go through every path, import included.
        return {"control": self._control("C-SALES").pk, "kind": "link",
                "title": "入退室ログ 2025年4月", "url": "https://intranet.example.com/log",
                "note": "", "collected_on": "2025-04-30", "expires_on": "2026-04-30",
                "collected_by": None}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "control": self._control("C-IT").pk}

    def update_data(self, org, obj):
        return {"control": obj.control_id, "kind": "note", "title": obj.title + "（改）",
                "url": "", "note": "担当者が確認した", "collected_on": "2025-05-01",
                "expires_on": None, "collected_by": None}

    def make_rows(self, org, n):
        control = self._control("C-SALES")
        Evidence.objects.bulk_create(
            Evidence(control=control, kind="note", title=f"note {i}", note="ok",
                     collected_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i))
            for i in range(n))

    def resource(self):
        return tables.EvidenceResource()

    def bad_import_column(self):
        return "kind"

    def test_evidence_is_not_read_by_staff_of_the_department(self, org):
        """Unlike the catalogue, evidence can hold internal detail: staff do not read it."""
        evidence = self.in_scope_object(org)
        client = org.client("staff")
        assert client.get(self.url("detail", evidence.pk)).status_code == 404
        assert list(client.get(self.url("list")).context["rows"]) == []

    @pytest.mark.parametrize(("change", "field"), [
        ({"kind": "link", "url": ""}, "url"),
        ({"kind": "note", "url": "", "note": ""}, "note"),
        ({"kind": "file", "url": ""}, "file"),
        ({"expires_on": "2025-04-30"}, "expires_on"),
    ])
    def test_incomplete_evidence_is_refused(self, org, change, field):
        data = {**self.create_data(org), **change}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and field in response.context["form"].errors
        api = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and field in api.json()
        assert not Evidence.objects.exists()


class WithFrameworks:
    """Frameworks exist before each test (see WithControls)."""

    @pytest.fixture(autouse=True)
    def _frameworks(self, org):
        make_framework("fw-a")
        make_framework("fw-b")

    def _framework(self, code):
        return Framework.objects.get(code=code)


class TestFramework(CisoChangesTests, ScopedModelTests):
    model = Framework
    api_path = "/api/controls/frameworks/"

    def in_scope_object(self, org):
        return make_framework("iso-test", in_soa=True)

    def out_of_scope_object(self, org):
        return make_framework("law-test")

    def create_data(self, org):
        return {"code": "appi-test", "name_ja": "個人情報保護法ガイドライン",
                "name_en": "APPI guidelines", "version": "2024", "publisher": "PPC",
                "source": "custom", "licence_note": "", "in_soa": True}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "appi-test-2"}

    def update_data(self, org, obj):
        return {"code": obj.code, "name_ja": obj.name_ja + "（改）", "name_en": obj.name_en,
                "version": "2025", "publisher": "publisher", "source": obj.source,
                "licence_note": "internal use", "in_soa": False}

    def make_rows(self, org, n):
        start = Framework.objects.count()
        Framework.objects.bulk_create(
            Framework(code=f"fw-row-{start + i}", name_ja=f"枠組み{i}") for i in range(n))

    def resource(self):
        return tables.FrameworkResource()

    def bad_import_column(self):
        return "source"

    def test_staff_read_frameworks(self, org):
        framework = self.in_scope_object(org)
        client = org.client("staff")
        assert client.get(self.url("detail", framework.pk)).status_code == 200
        assert client.get(self.url("update", framework.pk)).status_code == 404


class TestRequirement(WithFrameworks, CisoChangesTests, ScopedModelTests):
    model = Requirement
    api_path = "/api/controls/requirements/"

    def in_scope_object(self, org):
        return make_requirement(self._framework("fw-a"), "5.1")

    def out_of_scope_object(self, org):
        return make_requirement(self._framework("fw-a"), "5.2")

    def create_data(self, org):
        return {"uid": "fw-a:A.5.1", "framework": self._framework("fw-a").pk, "ref": "A.5.1",
                "parent": None, "sort_key": 10, "title_ja": "情報セキュリティのための方針群",
                "title_en": "Policies for information security",
                "description": "方針を定め、承認し、周知する。", "theme": "organisational",
                "is_group": False, "controls": [], "applicable": True,
                "justification": "全社で必要"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "uid": "fw-b:A.5.1",
                "framework": self._framework("fw-b").pk}

    def links(self, org):
        control = Control.objects.filter(code="C-POLICY").first() or make_control(
            org.sales, "C-POLICY")
        return {"controls": [control.pk]}

    def update_data(self, org, obj):
        return {"framework": obj.framework_id, "ref": obj.ref, "parent": None,
                "sort_key": obj.sort_key, "title_ja": obj.title_ja, "title_en": obj.title_en,
                "description": obj.description, "theme": "people", "is_group": False,
                "controls": [], "applicable": False,
                "justification": "業務で扱わない"}

    def make_rows(self, org, n):
        framework = self._framework("fw-b")
        start = Requirement.objects.count()
        Requirement.objects.bulk_create(
            Requirement(framework=framework, ref=f"R{start + i}",
                        uid=f"fw-b:R{start + i}", sort_key=start + i, title_ja=f"要求{i}")
            for i in range(n))

    def resource(self):
        return tables.RequirementResource()

    def bad_import_column(self):
        return "theme"

    def test_uid_is_the_framework_code_and_reference(self, org):
        response = org.client("ciso").post(self.url("create"),
                                           self.form_data(self.create_data(org)))
        assert response.status_code == 302
        assert Requirement.objects.get(ref="A.5.1").uid == "fw-a:A.5.1"

    @pytest.mark.parametrize(("change", "field"), [
        ({"applicable": False, "justification": " "}, "justification"),
        ({"ref": "5.1"}, "__all__"),  # already in the framework
    ])
    def test_invalid_requirement_is_refused(self, org, change, field):
        self.in_scope_object(org)
        data = {**self.create_data(org), **change}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and field in response.context["form"].errors
        assert not Requirement.objects.filter(ref="A.5.1").exists()

    def test_parent_must_be_in_the_same_framework(self, org):
        other = make_requirement(self._framework("fw-b"), "5", is_group=True)
        data = {**self.create_data(org), "parent": other.pk}
        response = org.client("ciso").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and "parent" in response.context["form"].errors
        api = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert api.status_code == 400 and "parent" in api.json()
