"""Audit programmes, audits and checklist items through the shared UI/API/scope tests
(mamori.core.testing.ScopedModelTests), with the auditor's write scope: an auditor reads every
audit and writes those they lead or are on the team of, nothing else."""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from mamori.audits import tables
from mamori.audits.models import Audit, AuditProgramme, AuditSettings, ChecklistItem
from mamori.core.audit import one_user_action
from mamori.core.testing import CisoChangesTests, ScopedModelTests, api_client, log_entries

START = datetime.date(2026, 6, 1)


def make_audit(title="内部監査", departments=(), lead=None, team=(), **fields):
    fields.setdefault("planned_start", START)
    fields.setdefault("planned_end", START + datetime.timedelta(days=10))
    # As a form saves it: the row and its links are one change-log entry.
    with transaction.atomic(), one_user_action():
        audit = Audit.objects.create(title=title, lead_auditor=lead, **fields)
        audit.departments.set(departments)
        audit.team.set(team)
    return audit


def make_item(audit, reference="X-1", **fields):
    return ChecklistItem.objects.create(audit=audit, reference=reference,
                                        title=fields.pop("title", "記録の確認"), **fields)


def rows_shown(response):
    return {obj.pk for obj, _cells in response.context["rows"]}


class TestAuditProgramme(CisoChangesTests, ScopedModelTests):
    model = AuditProgramme
    api_path = "/api/audits/programmes/"

    def in_scope_object(self, org):
        return AuditProgramme.objects.create(fiscal_year=2026)

    def out_of_scope_object(self, org):
        return AuditProgramme.objects.create(fiscal_year=2025)

    def create_data(self, org):
        return {"fiscal_year": 2027, "objectives": "全部署を監査する",
                "approved_by": org.people["ciso"].pk, "approved_on": "2027-04-01"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "fiscal_year": 2028}

    def update_data(self, org, obj):
        return {"fiscal_year": obj.fiscal_year, "objectives": "改訂", "approved_by": None,
                "approved_on": None}

    def make_rows(self, org, n):
        start = 2100 - AuditProgramme.objects.count() - n
        AuditProgramme.objects.bulk_create(AuditProgramme(fiscal_year=start + i)
                                           for i in range(n))

    def resource(self):
        return tables.AuditProgrammeResource()

    def bad_import_column(self):
        return "approved_on"

    def file_value(self, org, name, value):
        if name == "fiscal_year":
            return "2029"  # the key: a year no row has
        return super().file_value(org, name, value)


class TestAudit(ScopedModelTests):
    model = Audit
    api_path = "/api/audits/audits/"
    in_scope_user = "auditor"
    out_of_scope_visible = True  # auditors read every audit

    def in_scope_object(self, org):
        return make_audit(departments=[org.it], lead=org.people["auditor"])

    def out_of_scope_object(self, org):
        return make_audit(title="他の監査", departments=[org.sales])

    def create_data(self, org):
        return {"code": "", "title": "営業部 内部監査", "kind": "internal", "programme": None,
                "auditing_body": "", "criteria": "基本方針", "lead_auditor":
                org.people["auditor"].pk, "planned_start": "2026-07-01",
                "planned_end": "2026-07-10", "summary": "", "conclusion": "",
                "follow_up_of": None, "independence_justification": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "lead_auditor": org.people["it_staff"].pk}

    def update_data(self, org, obj):
        return {**self.create_data(org), "code": obj.code, "title": obj.title + "（改）",
                "lead_auditor": obj.lead_auditor_id}

    def links(self, org):
        return {"departments": [org.sales.pk]}

    def make_rows(self, org, n):
        start = Audit.objects.count()
        Audit.objects.bulk_create(
            Audit(code=f"AUD-T-{start + i}", title=f"監査{i}", planned_start=START,
                  planned_end=START) for i in range(n))

    def resource(self):
        return tables.AuditResource()

    def bad_import_column(self):
        return "planned_start"

    # Auditors plan the audits they lead, but only the CISO and administrators delete one
    # (a planned one: an audit under way or closed is a record).
    def test_delete_in_scope_is_logged(self, org):
        audit = self.in_scope_object(org)
        assert org.client("auditor").post(self.url("delete", audit.pk)).status_code == 404
        assert org.client("ciso").post(self.url("delete", audit.pk)).status_code == 302
        assert log_entries(audit, "delete").count() == 1

    def test_api_create_update_delete_in_scope(self, org):
        client = api_client(org.users["auditor"])
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code == 201, response.json()
        created = Audit.objects.get(pk=response.json()["id"])
        assert created.code == "AUD-2026-0001" and log_entries(created, "create").get()
        response = client.patch(f"{self.api_path}{created.pk}/", {"summary": "範囲を確定"},
                                format="json")
        assert response.status_code == 200, response.json()
        assert client.delete(f"{self.api_path}{created.pk}/").status_code == 404
        assert api_client(org.users["ciso"]).delete(
            f"{self.api_path}{created.pk}/").status_code == 204

    def test_auditor_reads_everything_changes_nothing(self, org):
        """Replaced: an auditor changes the audits they lead or are on the team of."""
        theirs = self.in_scope_object(org)
        on_team = make_audit(title="チーム", departments=[org.it], team=[org.people["auditor"]])
        other = self.out_of_scope_object(org)
        client = org.client("auditor")
        for audit, changes in ((theirs, True), (on_team, True), (other, False)):
            page = client.get(self.url("detail", audit.pk))
            assert page.status_code == 200 and page.context["can_change"] is changes
        assert client.get(self.url("update", other.pk)).status_code == 404
        assert client.post(self.url("delete", theirs.pk)).status_code == 404

    def test_information_managers_read_the_audits_of_their_departments(self, org):
        sales = make_audit(title="営業", departments=[org.sales_east])
        make_audit(title="IT", departments=[org.it])
        client = org.client("manager")
        assert rows_shown(client.get(self.url("list"))) == {sales.pk}
        assert client.get(self.url("detail", sales.pk)).context["can_change"] is False
        assert org.client("staff").get(self.url("detail", sales.pk)).status_code == 404

    def test_dates_within_the_programme(self, org):
        programme = AuditProgramme.objects.create(fiscal_year=2026)
        data = {**self.create_data(org), "programme": programme.pk,
                "planned_start": "2027-04-02", "planned_end": "2027-04-05"}
        response = org.client("auditor").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert "planned_start" in response.context["form"].errors
        data = {**data, "planned_start": "2027-03-31", "planned_end": "2027-03-30"}
        response = org.client("auditor").post(self.url("create"), self.form_data(data))
        assert list(response.context["form"].errors) == ["planned_end"]


class WithTwoAudits:
    """The auditor's own audit (AUD-MINE, of IT) and another (AUD-OTHER, of Sales) exist
    before each test: what belongs to an audit is in scope for its team, read by the other
    auditors."""

    in_scope_user = "auditor"
    out_of_scope_visible = True

    @pytest.fixture(autouse=True)
    def _audits(self, org):
        make_audit(title="mine", code="AUD-MINE", departments=[org.it],
                   lead=org.people["auditor"])
        make_audit(title="other", code="AUD-OTHER", departments=[org.sales])

    def _audit(self, code):
        return Audit.objects.get(code=code)


class TestChecklistItem(WithTwoAudits, ScopedModelTests):
    model = ChecklistItem
    api_path = "/api/audits/checklist-items/"

    def in_scope_object(self, org):
        return make_item(self._audit("AUD-MINE"))

    def out_of_scope_object(self, org):
        return make_item(self._audit("AUD-OTHER"))

    def create_data(self, org):
        return {"audit": self._audit("AUD-MINE").pk, "kind": "other", "reference": "X-9",
                "title": "サーバ室の入退室記録", "result": "conforming", "notes": "",
                "sampled_records": "3月分"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "audit": self._audit("AUD-OTHER").pk}

    def update_data(self, org, obj):
        return {"audit": obj.audit_id, "kind": obj.kind, "reference": obj.reference,
                "title": obj.title, "result": "minor", "notes": "記録漏れ2件",
                "sampled_records": "4月分"}

    def make_rows(self, org, n):
        audit = self._audit("AUD-OTHER")
        start = ChecklistItem.objects.count()
        ChecklistItem.objects.bulk_create(
            ChecklistItem(audit=audit, reference=f"R-{start + i}", title="項目")
            for i in range(n))

    def resource(self):
        return tables.ChecklistItemResource()

    def bad_import_column(self):
        return "result"

    def test_auditor_reads_everything_changes_nothing(self, org):
        """Replaced: the auditor records the checklist of their own audit only."""
        mine, other = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client("auditor")
        assert client.get(self.url("detail", other.pk)).context["can_change"] is False
        assert client.get(self.url("detail", mine.pk)).context["can_change"] is True
        assert client.post(self.url("delete", other.pk)).status_code == 404

    def test_what_an_item_is_about_stays_as_generated(self, org):
        item = self.in_scope_object(org)
        data = {**self.update_data(org, item), "reference": "CHANGED"}
        response = org.client("auditor").post(self.url("update", item.pk), data)
        assert response.status_code == 302
        item.refresh_from_db()
        assert (item.reference, item.result) == ("X-1", "minor")


@pytest.mark.django_db
def test_audit_settings_are_the_cisos_and_name_the_fiscal_year(org):
    settings = AuditSettings.objects.get()
    assert settings.fiscal_year_of(datetime.date(2027, 3, 31)) == 2026
    assert settings.fiscal_year_of(datetime.date(2027, 4, 1)) == 2027
    assert settings.fiscal_year_bounds(2026) == (datetime.date(2026, 4, 1),
                                                 datetime.date(2027, 3, 31))
    url = reverse("audits:auditsettings_update", args=[settings.pk])
    assert org.client("auditor").post(url, {"fiscal_year_start_month": 1,
                                            "cycle_years": 2}).status_code == 404
    response = org.client("ciso").post(url, {"fiscal_year_start_month": 1, "cycle_years": 2})
    assert response.status_code == 302
    settings = AuditSettings.objects.get()
    assert settings.fiscal_year_of(datetime.date(2027, 3, 31)) == 2027
    assert settings.cycle_start(datetime.date(2027, 3, 31)) == datetime.date(2026, 1, 1)
    response = org.client("ciso").post(url, {"fiscal_year_start_month": 13, "cycle_years": 2})
    assert response.status_code == 400
    assert "fiscal_year_start_month" in response.context["form"].errors
