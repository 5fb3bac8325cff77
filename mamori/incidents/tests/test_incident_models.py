"""Incidents, their timeline, recovery actions, breach assessments and regulatory reports
through the shared UI/API/scope tests (mamori.core.testing.ScopedModelTests), with the rules
of their own: incidents are never deleted, anyone reports one, the timeline is append-only.

The catalogues (breach rules, response targets) and the settings row are in
test_incident_catalogues.py."""

import datetime

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from mamori.controls.models import Control
from mamori.core.models import ChangeLogEntry, User
from mamori.core.testing import ScopedModelTests, api_client, log_entries, query_count
from mamori.incidents import forms, tables, workflow
from mamori.incidents.models import (
    BreachAssessment,
    Incident,
    IncidentEntry,
    RecoveryAction,
    RegulatoryReport,
)

NOTICED = timezone.make_aware(datetime.datetime(2025, 4, 1, 9, 0))


def make_incident(department, code, **fields):
    values = {"title": f"事象 {code}", "noticed_at": NOTICED}
    return Incident.objects.create(code=code, department=department, **{**values, **fields})


def bulk_incidents(department, n, prefix="ROW"):
    start = Incident.objects.count()
    return Incident.objects.bulk_create(
        Incident(code=f"{prefix}-{start + i:05d}", title=f"事象{i}", department=department,
                 noticed_at=NOTICED) for i in range(n))


def rows_shown(response):
    return {obj.pk for obj, _cells in response.context["rows"]}


def api_ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


class WithAccount:
    """`account`: a login without a person record or any role (e.g. a service account). It
    may report nothing: reporting is for members of staff, who are people."""

    no_permission_user = "account"

    @pytest.fixture(autouse=True)
    def _account(self, org):
        org.users["account"] = User.objects.create_user(
            "account", password="x-account-password-1")


# -- incidents ------------------------------------------------------------------------------


class TestIncident(WithAccount, ScopedModelTests):
    """The manager handles the incidents of Sales (and Sales East); nobody deletes one."""

    model = Incident
    api_path = "/api/incidents/incidents/"

    def in_scope_object(self, org):
        return make_incident(org.sales_east, "INC-EAST")

    def out_of_scope_object(self, org):
        return make_incident(org.it, "INC-IT")

    def create_data(self, org):
        # The report form's fields; code, severity and status are for the import's file
        # (the form ignores them, the API takes only the severity).
        return {"code": "INC-2025-0100", "title": "顧客名簿の誤送信",
                "description": "FAXの宛先を誤った", "occurred_at": "2025-04-01T08:30",
                "noticed_at": "2025-04-01T09:00", "department": org.sales.pk, "assets": [],
                "data_affected": "顧客名簿", "personal_data_suspected": True,
                "severity": "medium", "status": "reported"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "code": "INC-2025-0101", "department": org.it.pk}

    def links(self, org):
        # The report form links assets only; the handler's form links the rest too.
        from mamori.assets.models import Asset
        from mamori.assets.tests.test_asset_models import make_asset

        asset = Asset.objects.filter(code="A-FAX").first() or make_asset(org.sales, "A-FAX")
        return {"assets": [asset.pk]}

    def update_data(self, org, obj):
        return {"title": obj.title + "（改）", "description": "調査済み",
                "occurred_at": "2025-04-01T08:00", "noticed_at": "2025-04-01T09:00",
                "aware_at": "2025-04-01T10:00", "department": obj.department_id,
                "severity": "high", "threats": [], "assignee": None, "assets": [],
                "data_affected": "", "personal_data_suspected": False, "risks": [],
                "controls": [], "root_cause": "宛先確認の省略", "lessons_learned": ""}

    def make_rows(self, org, n):
        bulk_incidents(org.sales, n)

    def resource(self):
        return tables.IncidentResource()

    def bad_import_column(self):
        return "status"

    # -- reporting is open to every member of staff, for any department ---------------------

    def test_create_out_of_scope_is_refused_and_nothing_written(self, org):
        """Anyone reports an incident, for any department (policy: incident reporting rules
        Art 3): the manager's report of an IT incident is taken, and they become its
        reporter, who sees it but does not handle it."""
        client = org.client(self.in_scope_user)
        response = client.post(self.url("create"),
                               self.form_data(self.out_of_scope_create_data(org)))
        assert response.status_code == 302
        incident = Incident.objects.get(department=org.it)
        assert incident.reported_by == org.people["manager"]
        assert client.get(self.url("detail", incident.pk)).status_code == 200
        data = self.form_data(self.update_data(org, incident))
        assert client.get(self.url("update", incident.pk)).status_code == 404
        assert client.post(self.url("update", incident.pk), data).status_code == 404
        assert not log_entries(incident, "update").exists()

    def test_api_out_of_scope_refused(self, org):
        client = api_client(org.users[self.in_scope_user])
        # Reported as above, by a reporter: the severity is IT's handlers' to set.
        data = {**self.out_of_scope_create_data(org)}
        del data["severity"]
        response = client.post(self.api_path, data, format="json")
        assert response.status_code == 201, response.json()
        reported = Incident.objects.get(pk=response.json()["id"])
        assert reported.reported_by == org.people["manager"]
        outside = self.out_of_scope_object(org)
        for obj in (reported, outside):
            path = f"{self.api_path}{obj.pk}/"
            assert client.patch(path, {"title": "x"}, format="json").status_code == 404
            assert client.put(path, self.update_data(org, obj),
                              format="json").status_code == 404
            assert client.post(f"{path}move/", {"status": "triaged"},
                               format="json").status_code in (403, 404)
        assert client.get(f"{self.api_path}{outside.pk}/").status_code == 404
        assert not Incident.objects.filter(title="x").exists()
        assert Incident.objects.get(pk=outside.pk).status == "reported"

    # -- never deleted ----------------------------------------------------------------------

    def test_update_and_delete_out_of_scope_404(self, org):
        outside = self.out_of_scope_object(org)
        client = org.client(self.in_scope_user)
        assert client.post(self.url("update", outside.pk),
                           self.form_data(self.update_data(org, outside))).status_code == 404
        assert client.post(f"/incidents/{outside.pk}/delete/").status_code == 404
        assert Incident.objects.filter(pk=outside.pk, title=outside.title).exists()

    def test_delete_in_scope_is_logged(self, org):
        """Replaced: an incident is evidence. Nobody deletes one, not an administrator or the
        CISO either; there is no delete page, no bulk delete and no DELETE in the API."""
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        for action in ("delete", "bulk_delete"):
            with pytest.raises(NoReverseMatch):
                self.url(action, inside.pk) if action == "delete" else self.url(action)
        for username in ("admin", "ciso", "manager", "auditor", "staff"):
            client = org.client(username)
            for obj in (inside, outside):
                assert client.post(f"/incidents/{obj.pk}/delete/").status_code == 404
                detail = client.get(self.url("detail", obj.pk))
                if detail.status_code == 200:
                    assert detail.context["can_delete"] is False
            assert client.post("/incidents/bulk-delete/",
                               {"pk": [inside.pk]}).status_code == 404
            page = client.get(self.url("list"))
            assert page.context["can_bulk_delete"] is False
            api = api_client(org.users[username])
            assert api.delete(f"{self.api_path}{inside.pk}/").status_code == 405
        assert Incident.objects.filter(pk__in=[inside.pk, outside.pk]).count() == 2
        assert not log_entries(inside, "delete").exists()

    def test_bulk_delete_refuses_out_of_scope_selection(self, org):
        """Replaced: there is no bulk delete for anyone (see above)."""
        with pytest.raises(NoReverseMatch):
            self.url("bulk_delete")
        for username in ("admin", "ciso", "manager"):
            response = org.client(username).get(self.url("list"))
            assert response.context["can_bulk_delete"] is False

    def test_the_admin_site_deletes_no_incident(self, org):
        incident = self.in_scope_object(org)
        request = RequestFactory().get("/admin/")
        request.user = User.objects.create_superuser("root", password="x-root-pw-1")
        model_admin = admin_site._registry[Incident]
        assert model_admin.has_delete_permission(request, incident) is False
        org.client("admin").post(f"/admin/incidents/incident/{incident.pk}/delete/",
                                 {"post": "yes"})
        assert Incident.objects.filter(pk=incident.pk).exists()

    def test_api_create_update_delete_in_scope(self, org):
        client = api_client(org.users[self.in_scope_user])
        response = client.post(self.api_path, self.create_data(org), format="json")
        assert response.status_code == 201, response.json()
        created = Incident.objects.get(pk=response.json()["id"])
        assert created.code.startswith("INC-") and created.code != "INC-2025-0100"
        assert created.reported_by == org.people["manager"]
        assert log_entries(created, "create").get().source == "api"
        response = client.patch(f"{self.api_path}{created.pk}/",
                                self.update_data(org, created), format="json")
        assert response.status_code == 200, response.json()
        history = client.get(f"{self.api_path}{created.pk}/history/")
        assert [e["action"] for e in history.json()] == ["create", "update"]
        assert client.delete(f"{self.api_path}{created.pk}/").status_code == 405
        assert Incident.objects.filter(pk=created.pk).exists()
        assert not log_entries(created, "delete").exists()

    def test_auditor_reads_everything_changes_nothing(self, org):
        """The auditor reads every incident and changes none. As a member of staff, the
        auditor may still report an incident (reporting rules Art 3)."""
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client("auditor")
        api = api_client(org.users["auditor"])
        assert rows_shown(client.get(self.url("list"))) >= {inside.pk, outside.pk}
        assert api_ids(api.get(self.api_path)) >= {inside.pk, outside.pk}
        for obj in (inside, outside):
            assert client.get(self.url("detail", obj.pk)).status_code == 200
            assert client.get(self.url("update", obj.pk)).status_code == 404
            assert client.post(self.url("update", obj.pk),
                               self.form_data(self.update_data(org, obj))).status_code == 404
            assert client.post(reverse("incidents:incident_move", args=[obj.pk]),
                               {"status": "triaged"}).status_code == 403
            assert client.post(reverse("incidents:incident_note", args=[obj.pk]),
                               {"text": "x"}).status_code == 403
            path = f"{self.api_path}{obj.pk}/"
            assert api.patch(path, {"title": "x"}, format="json").status_code == 404
            assert api.delete(path).status_code == 405
            assert api.post(f"{path}move/", {"status": "triaged"},
                            format="json").status_code == 403
        assert Incident.objects.filter(pk__in=[inside.pk, outside.pk],
                                       status="reported").count() == 2
        assert not IncidentEntry.objects.exists()
        assert client.get(self.url("create")).status_code == 200  # a report, as staff

    # -- who reports, who sees, who handles -----------------------------------------------

    def test_staff_report_in_the_short_form(self, org):
        client = org.client("staff")
        response = client.get(self.url("create"))
        assert response.status_code == 200
        form = response.context["form"]
        assert isinstance(form, forms.IncidentReportForm)
        assert list(form.fields) == ["title", "description", "occurred_at", "noticed_at",
                                     "department", "assets", "data_affected",
                                     "personal_data_suspected"]
        assert form.initial["department"] == org.sales_east.pk  # theirs, when not sure
        data = {**self.create_data(org), "department": org.sales_east.pk,
                "reported_by": org.people["ciso"].pk, "status": "closed",
                "assignee": org.people["staff"].pk, "severity": "critical"}
        response = client.post(self.url("create"), self.form_data(data))
        assert response.status_code == 302, response.context["form"].errors
        incident = Incident.objects.get()
        assert incident.reported_by == org.people["staff"]  # the reporter, whatever is posted
        assert (incident.status, incident.severity, incident.assignee) == (
            "reported", "medium", None)
        assert incident.code.startswith(f"INC-{timezone.localdate().year}-")
        entry = log_entries(incident, "create").get()
        assert (entry.actor_name, entry.source) == ("staff", "ui")

    def test_staff_see_their_own_reports_only_and_cannot_edit_them(self, org):
        own = make_incident(org.it, "INC-OWN", reported_by=org.people["staff"])
        other = self.in_scope_object(org)  # in the staff member's department, not theirs
        client = org.client("staff")
        assert rows_shown(client.get(self.url("list"))) == {own.pk}
        assert api_ids(api_client(org.users["staff"]).get(self.api_path)) == {own.pk}
        detail = client.get(self.url("detail", own.pk))
        assert detail.status_code == 200
        assert detail.context["can_change"] is False and detail.context["handles"] is False
        assert detail.context["note_form"] is None
        assert client.get(self.url("detail", other.pk)).status_code == 404
        data = self.form_data(self.update_data(org, own))
        assert client.get(self.url("update", own.pk)).status_code == 404
        assert client.post(self.url("update", own.pk), data).status_code == 404
        assert client.post(reverse("incidents:incident_move", args=[own.pk]),
                           {"status": "triaged"}).status_code == 403
        api = api_client(org.users["staff"])
        assert api.patch(f"{self.api_path}{own.pk}/", {"title": "x"},
                         format="json").status_code == 404
        assert api.post(f"{self.api_path}{own.pk}/move/", {"status": "triaged"},
                        format="json").status_code == 403
        own.refresh_from_db()
        assert (own.title, own.status) == ("事象 INC-OWN", "reported")
        assert not log_entries(own, "update").exists()

    def test_staff_report_through_the_api_as_themselves(self, org):
        data = {**self.create_data(org), "reported_by": org.people["ciso"].pk,
                "status": "closed", "closed_at": "2025-04-02T09:00"}
        del data["severity"]  # the handlers' to set (see the next test)
        response = api_client(org.users["staff"]).post(self.api_path, data, format="json")
        assert response.status_code == 201, response.json()
        incident = Incident.objects.get(pk=response.json()["id"])
        assert incident.reported_by == org.people["staff"]
        assert (incident.status, incident.closed_at) == ("reported", None)

    def test_a_reporter_leaves_the_handlers_fields_to_the_handlers(self, org):
        data = {**self.create_data(org), "severity": "critical",
                "assignee": org.people["staff"].pk, "root_cause": "不明"}
        before = Incident.objects.count()
        response = api_client(org.users["staff"]).post(self.api_path, data, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"severity", "assignee", "root_cause"}
        assert Incident.objects.count() == before
        handler = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert handler.status_code == 201, handler.json()

    def test_the_assignee_sees_and_works_on_the_incident(self, org):
        incident = make_incident(org.it, "INC-ASSIGNED", assignee=org.people["staff"])
        client = org.client("staff")
        assert rows_shown(client.get(self.url("list"))) == {incident.pk}
        detail = client.get(self.url("detail", incident.pk))
        assert detail.context["can_change"] is True and detail.context["handles"] is True
        form = client.get(self.url("update", incident.pk)).context["form"]
        assert isinstance(form, forms.IncidentAssigneeForm)
        assert list(form.fields) == ["title", "description", "occurred_at", "threats",
                                     "assets", "data_affected", "personal_data_suspected",
                                     "root_cause", "lessons_learned"]
        data = {**self.update_data(org, incident), "assignee": org.people["staff"].pk}
        response = client.post(self.url("update", incident.pk), self.form_data(data))
        assert response.status_code == 302, response.context["form"].errors
        incident.refresh_from_db()
        assert incident.root_cause == "宛先確認の省略"
        assert incident.severity == "medium"  # the handlers' field, not in their form
        assert log_entries(incident, "update").get().actor_name == "staff"
        response = client.post(reverse("incidents:incident_move", args=[incident.pk]),
                               {"status": "contained", "note": "端末を隔離"})
        assert response.status_code == 302
        incident.refresh_from_db()
        assert incident.status == "contained"
        assert incident.triaged_at == incident.contained_at is not None
        # Handing the incident to someone else is the handlers' decision.
        data = {**data, "assignee": org.people["it_staff"].pk}
        assert client.post(self.url("update", incident.pk),
                           self.form_data(data)).status_code == 302
        assert Incident.objects.get(pk=incident.pk).assignee == org.people["staff"]
        response = api_client(org.users["staff"]).patch(
            f"{self.api_path}{incident.pk}/", {"assignee": org.people["it_staff"].pk},
            format="json")
        assert response.status_code == 400 and set(response.json()) == {"assignee"}

    def test_the_assignee_cannot_move_the_incident_out_of_its_handlers_view(self, org):
        """Found by a penetration test: the assignee PATCHed the department, and the
        incident left its information manager's view. The handlers' fields are guarded on
        update as on create, for anyone who does not handle the incident."""
        incident = make_incident(org.sales_east, "INC-EAST", assignee=org.people["it_staff"])
        control = Control.objects.create(code="C-1", title_ja="管理策", theme="technological",
                                         department=org.it)
        api = api_client(org.users["it_staff"])
        path = f"{self.api_path}{incident.pk}/"
        for field, value in (("department", org.it.pk), ("severity", "low"),
                             ("aware_at", "2025-04-05T09:00"),
                             ("noticed_at", "2025-04-05T09:00"), ("controls", [control.pk])):
            response = api.patch(path, {field: value}, format="json")
            assert response.status_code == 400, (field, response.content)
            assert set(response.json()) == {field}
        incident.refresh_from_db()
        assert (incident.department, incident.severity) == (org.sales_east, "medium")
        assert incident.aware_at is None and incident.noticed_at == NOTICED
        assert not log_entries(incident, "update").exists()
        assert incident.pk in api_ids(api_client(org.users["manager"]).get(self.api_path))
        # What an assignee records is theirs to change, and a PUT may repeat the rest as is.
        current = api.get(path).json()
        response = api.put(path, {**current, "root_cause": "宛先確認の省略",
                                  "data_affected": "顧客名簿"}, format="json")
        assert response.status_code == 200, response.content
        incident.refresh_from_db()
        assert (incident.root_cause, incident.data_affected) == ("宛先確認の省略", "顧客名簿")
        # The UI offers the assignee no department; one posted anyway is ignored.
        client = org.client("it_staff")
        data = {**self.update_data(org, incident), "department": org.it.pk}
        assert client.post(self.url("update", incident.pk),
                           self.form_data(data)).status_code == 302
        assert Incident.objects.get(pk=incident.pk).department == org.sales_east
        # The handlers still change all of it.
        response = api_client(org.users["manager"]).patch(path, {"severity": "high"},
                                                          format="json")
        assert response.status_code == 200, response.content

    def test_the_ciso_sees_and_handles_every_incident(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        own = make_incident(org.it, "INC-STAFF", reported_by=org.people["staff"])
        client = org.client("ciso")
        assert rows_shown(client.get(self.url("list"))) == {inside.pk, outside.pk, own.pk}
        assert api_ids(api_client(org.users["ciso"]).get(self.api_path)) == {
            inside.pk, outside.pk, own.pk}
        for obj in (inside, outside, own):
            response = client.post(self.url("update", obj.pk),
                                   self.form_data(self.update_data(org, obj)))
            assert response.status_code == 302, response.context["form"].errors
        assert log_entries(own, "update").get().actor_name == "ciso"

    def test_the_manager_sees_sales_incidents_and_their_own_reports(self, org):
        sales = make_incident(org.sales, "INC-SALES")
        east = self.in_scope_object(org)
        it = self.out_of_scope_object(org)
        reported = make_incident(org.it, "INC-IT-2", reported_by=org.people["manager"])
        shown = rows_shown(org.client("manager").get(self.url("list")))
        assert shown == {sales.pk, east.pk, reported.pk}
        assert it.pk not in api_ids(api_client(org.users["manager"]).get(self.api_path))

    # -- the lifecycle ----------------------------------------------------------------------

    def test_api_status_and_stage_dates_are_read_only(self, org):
        incident = self.in_scope_object(org)
        client = api_client(org.users["manager"])
        path = f"{self.api_path}{incident.pk}/"
        response = client.patch(path, {"status": "closed", "triaged_at": "2025-04-01T10:00",
                                       "closed_at": "2025-04-02T10:00",
                                       "contain_due_at": "2030-01-01T00:00",
                                       "reported_by": org.people["staff"].pk,
                                       "code": "INC-FORGED"}, format="json")
        assert response.status_code == 200, response.json()
        incident.refresh_from_db()
        assert (incident.status, incident.triaged_at, incident.closed_at) == (
            "reported", None, None)
        assert (incident.code, incident.reported_by) == ("INC-EAST", None)
        assert incident.contain_due_at == NOTICED + datetime.timedelta(hours=72)  # medium

    def test_api_move_stamps_the_stages_and_writes_the_timeline(self, org):
        incident = self.in_scope_object(org)
        client = api_client(org.users["manager"])
        path = f"{self.api_path}{incident.pk}/move/"
        response = client.post(path, {"status": "contained", "note": "隔離"}, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "contained"
        assert body["triaged_at"] == body["contained_at"] is not None
        assert body["recovered_at"] is None
        entry = IncidentEntry.objects.get(incident=incident)
        assert entry.kind == "status" and entry.author == org.people["manager"]
        assert "隔離" in entry.text
        back = client.post(path, {"status": "triaged"}, format="json")
        assert back.status_code == 400 and "status" in back.json()
        closing = client.post(path, {"status": "closed"}, format="json")
        assert closing.status_code == 400  # the root cause and lessons are not recorded
        assert client.post(path, {"status": "unknown"}, format="json").status_code == 400
        incident.refresh_from_db()
        assert incident.status == "contained" and incident.closed_at is None
        assert IncidentEntry.objects.filter(incident=incident).count() == 1

    # -- the import -------------------------------------------------------------------------

    def import_file(self, org, username, rows):
        header = self.resource().fields
        lines = [header]
        for row in rows:
            values = {"title": "持出しPCの紛失", "noticed_at": "2025-04-01T09:00",
                      "department": org.sales.code, "severity": "low",
                      "personal_data_suspected": "false", **row}
            lines.append([values.get(name, "") for name in header])
        return org.client(username).post(self.url("import"),
                                          {"file": self.csv_upload(lines)})

    def test_import_requires_the_dates_of_the_stages_reached(self, org):
        response = self.import_file(org, "manager", [
            {"code": "OLD-1", "status": "closed", "triaged_at": "2025-04-01T10:00",
             "contained_at": "2025-04-01T11:00", "recovered_at": "2025-04-02T09:00"},
            {"code": "OLD-2", "status": "contained"},
        ])
        assert response.status_code == 400
        errors = {(e.row, e.field) for e in response.context["result"].errors}
        assert errors == {(1, "closed_at"), (2, "triaged_at"), (2, "contained_at")}
        assert not Incident.objects.exists()
        response = self.import_file(org, "manager", [
            {"code": "OLD-1", "status": "closed", "triaged_at": "2025-04-01T10:00",
             "contained_at": "2025-04-01T11:00", "recovered_at": "2025-04-02T09:00",
             "closed_at": "2025-04-10T09:00", "reported_by": "P003", "assignee": "P002",
             "root_cause": "施錠の不備", "lessons_learned": "持出し手順の見直し"},
            {"code": "OLD-2", "status": "reported"},
        ])
        assert response.status_code == 302
        closed = Incident.objects.get(code="OLD-1")
        assert closed.status == "closed" and closed.closed_at is not None
        assert (closed.reported_by, closed.assignee) == (org.people["staff"],
                                                         org.people["manager"])
        assert log_entries(closed, "create").get().actor_name == "manager"

    def test_import_refuses_rows_the_importer_does_not_handle(self, org):
        """Importing sets what the report form does not (status, stage dates, assignee): it
        is the handlers' work, for the departments they handle. Naming oneself the reporter
        does not open it to a reporter."""
        row = {"code": "OLD-1", "status": "closed", "reported_by": "P003",
               "triaged_at": "2025-04-01T10:00", "contained_at": "2025-04-01T11:00",
               "recovered_at": "2025-04-02T09:00", "closed_at": "2025-04-10T09:00"}
        response = self.import_file(org, "staff", [{**row, "department": org.sales_east.code}])
        assert response.status_code == 403
        assert org.client("staff").get(self.url("import")).status_code == 403
        assert org.client("staff").get(self.url("list")).context["can_import"] is False
        assert org.client("staff").get(self.url("list")).context["can_add"] is True
        assert org.client("manager").get(self.url("list")).context["can_import"] is True
        response = self.import_file(org, "manager", [
            {**row, "department": org.it.code, "reported_by": "P002"}])
        assert response.status_code == 400
        assert {e.field for e in response.context["result"].errors} == {"department"}
        assert not Incident.objects.exists()

    def test_import_does_not_let_an_assignee_move_another_departments_incident(self, org):
        """The manager handles Sales but is only the assignee of an IT incident: a row
        moving it to Sales is refused (the import is a third way to edit, after the form and
        the API)."""
        incident = make_incident(org.it, "INC-IT", assignee=org.people["manager"])
        response = self.import_file(org, "manager", [
            {"code": "INC-IT", "status": "reported", "department": org.sales.code}])
        assert response.status_code == 400
        assert {e.field for e in response.context["result"].errors} == {"department"}
        incident.refresh_from_db()
        assert incident.department == org.it

    def test_a_manager_reporting_another_departments_incident_is_a_reporter(self, org):
        """Handling one department's incidents does not make one the handler of another's:
        the manager of Sales reporting an IT incident leaves its handlers' fields alone."""
        data = {**self.create_data(org), "department": org.it.pk, "severity": "critical",
                "assignee": org.people["manager"].pk}
        response = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"severity", "assignee"}


# -- the timeline -----------------------------------------------------------------------------


class TestIncidentEntry:
    """Timeline entries: whoever sees an incident reads its timeline, whoever handles it adds
    notes; nobody changes or deletes an entry (evidence, like an acknowledgement)."""

    api_path = "/api/incidents/timeline/"

    @pytest.fixture
    def timeline(self, org):
        east = make_incident(org.sales_east, "INC-EAST", reported_by=org.people["staff"])
        it = make_incident(org.it, "INC-IT", assignee=org.people["it_staff"])
        first = workflow.add_entry(east, org.users["manager"], IncidentEntry.Kind.NOTE, "東")
        second = workflow.add_entry(it, org.users["ciso"], IncidentEntry.Kind.NOTE, "IT")
        return east, it, first, second

    def note_url(self, incident):
        return reverse("incidents:incident_note", args=[incident.pk])

    def test_who_reads_which_entries(self, org, timeline):
        east, it, first, second = timeline
        expected = {
            "admin": {first.pk, second.pk},
            "ciso": {first.pk, second.pk},
            "auditor": {first.pk, second.pk},
            "manager": {first.pk},  # Sales East is below Sales
            "staff": {first.pk},  # the reporter of the Sales East incident
            "it_staff": {second.pk},  # the assignee of the IT incident
        }
        for username, entries in expected.items():
            response = api_client(org.users[username]).get(self.api_path)
            assert api_ids(response) == entries, username
            for incident in (east, it):
                page = org.client(username).get(incident.get_absolute_url())
                if page.status_code == 200:
                    assert {e.pk for e in page.context["entries"]} <= entries, username
                else:
                    assert page.status_code == 404
                    assert not IncidentEntry.objects.filter(incident=incident,
                                                            pk__in=entries).exists()
        staff_page = org.client("staff").get(east.get_absolute_url())
        assert [e.text for e in staff_page.context["entries"]] == ["東"]
        assert staff_page.context["note_form"] is None  # a reporter reads, does not add
        assert api_client(org.users["staff"]).get(
            f"{self.api_path}{second.pk}/").status_code == 404

    def test_the_manager_adds_a_note_in_the_ui(self, org, timeline):
        east, _it, _first, _second = timeline
        client = org.client("manager")
        assert client.get(east.get_absolute_url()).context["note_form"] is not None
        response = client.post(self.note_url(east), {"text": "  関係者に聴取した  "})
        assert response.status_code == 302 and response.url == east.get_absolute_url()
        entry = IncidentEntry.objects.get(incident=east, text="関係者に聴取した")
        assert (entry.kind, entry.author) == ("note", org.people["manager"])
        log = log_entries(entry, "create").get()
        assert (log.actor_name, log.source) == ("manager", "ui")

    def test_an_empty_note_is_refused(self, org, timeline):
        east, *_rest = timeline
        count = IncidentEntry.objects.count()
        response = org.client("manager").post(self.note_url(east), {"text": "   "})
        assert response.status_code == 302
        response = api_client(org.users["manager"]).post(
            self.api_path, {"incident": east.pk, "text": ""}, format="json")
        assert response.status_code == 400 and "text" in response.json()
        assert IncidentEntry.objects.count() == count

    def test_the_manager_adds_a_note_through_the_api_as_themselves(self, org, timeline):
        east, *_rest = timeline
        response = api_client(org.users["manager"]).post(self.api_path, {
            "incident": east.pk, "text": "ログを保全した", "author": org.people["ciso"].pk,
            "kind": "status", "at": "2020-01-01T00:00:00+09:00"}, format="json")
        assert response.status_code == 201, response.json()
        entry = IncidentEntry.objects.get(pk=response.json()["id"])
        assert entry.author == org.people["manager"]  # the requester, whatever is posted
        assert entry.kind == "note"
        assert entry.at > timezone.now() - datetime.timedelta(minutes=5)
        assert log_entries(entry, "create").get().source == "api"

    def test_the_assignee_adds_notes(self, org, timeline):
        _east, it, _first, _second = timeline
        response = org.client("it_staff").post(self.note_url(it), {"text": "再起動した"})
        assert response.status_code == 302
        response = api_client(org.users["it_staff"]).post(
            self.api_path, {"incident": it.pk, "text": "復旧を確認"}, format="json")
        assert response.status_code == 201, response.json()
        assert list(IncidentEntry.objects.filter(incident=it, author=org.people["it_staff"])
                    .values_list("text", flat=True)) == ["再起動した", "復旧を確認"]

    @pytest.mark.parametrize("username", ["staff", "auditor"])
    def test_readers_add_nothing(self, org, timeline, username):
        """The reporter (staff) and the auditor read the Sales East timeline; neither adds
        to it."""
        east, *_rest = timeline
        client, api = org.client(username), api_client(org.users[username])
        count, log_count = IncidentEntry.objects.count(), ChangeLogEntry.objects.count()
        assert client.post(self.note_url(east), {"text": "x"}).status_code == 403
        response = api.post(self.api_path, {"incident": east.pk, "text": "x"}, format="json")
        assert response.status_code == 403
        assert IncidentEntry.objects.count() == count
        assert ChangeLogEntry.objects.count() == log_count

    def test_out_of_scope_incident_is_refused(self, org, timeline):
        _east, it, _first, _second = timeline
        client, api = org.client("manager"), api_client(org.users["manager"])
        count, log_count = IncidentEntry.objects.count(), ChangeLogEntry.objects.count()
        assert client.post(self.note_url(it), {"text": "x"}).status_code == 404
        response = api.post(self.api_path, {"incident": it.pk, "text": "x"}, format="json")
        assert response.status_code == 400 and "incident" in response.json()
        assert IncidentEntry.objects.count() == count
        assert ChangeLogEntry.objects.count() == log_count

    def test_entries_are_never_changed_or_deleted(self, org, timeline):
        _east, _it, first, _second = timeline
        first.text = "書換え"
        with pytest.raises(ValidationError):
            first.save()
        with pytest.raises(ValidationError):
            first.delete()
        for name in ("list", "detail", "create", "update", "delete", "bulk_delete"):
            with pytest.raises(NoReverseMatch):
                reverse(f"incidents:incidententry_{name}",
                        args=[first.pk] if name in ("detail", "update", "delete") else [])
        assert IncidentEntry not in admin_site._registry
        for username in ("admin", "ciso", "manager"):
            api = api_client(org.users[username])
            path = f"{self.api_path}{first.pk}/"
            assert api.get(path).status_code == 200
            assert api.patch(path, {"text": "x"}, format="json").status_code == 405
            assert api.put(path, {"incident": first.incident_id, "text": "x"},
                           format="json").status_code == 405
            assert api.delete(path).status_code == 405
        first.refresh_from_db()
        assert first.text == "東" and IncidentEntry.objects.count() == 2
        assert not log_entries(first).filter(action__in=("update", "delete")).exists()

    def test_api_list_query_count_is_constant(self, org, timeline):
        east, it, _first, _second = timeline

        def add(n):
            IncidentEntry.objects.bulk_create(
                IncidentEntry(incident=incident, author=org.people["manager"], text=f"{i}")
                for i in range(n) for incident in (east, it))

        for username in ("admin", "manager", "staff"):
            api = api_client(org.users[username])
            api.get(self.api_path)  # the token's first use records last_used_at
            add(3)
            small = query_count(lambda api=api: api.get(self.api_path))
            add(20)
            assert query_count(lambda api=api: api.get(self.api_path)) == small, username

    def test_incident_page_query_count_is_constant(self, org, timeline):
        east, *_rest = timeline
        client = org.client("manager")
        client.get(east.get_absolute_url())
        IncidentEntry.objects.bulk_create(
            IncidentEntry(incident=east, author=org.people["manager"], text=f"{i}")
            for i in range(3))
        small = query_count(lambda: client.get(east.get_absolute_url()))
        IncidentEntry.objects.bulk_create(
            IncidentEntry(incident=east, author=org.people["staff"], text=f"{i}")
            for i in range(20))
        assert query_count(lambda: client.get(east.get_absolute_url())) == small


# -- what belongs to an incident ---------------------------------------------------------------


class WithIncidents:
    """Incidents of Sales East, Sales and IT exist before each test, so that building the
    data of a refused write adds nothing to the change log."""

    @pytest.fixture(autouse=True)
    def _incidents(self, org):
        make_incident(org.sales_east, "INC-EAST")
        make_incident(org.sales, "INC-SALES")
        make_incident(org.it, "INC-IT")
        make_incident(org.it, "INC-IT-2")

    def _incident(self, code):
        return Incident.objects.get(code=code)


class TestRecoveryAction(WithIncidents, ScopedModelTests):
    model = RecoveryAction
    api_path = "/api/incidents/recovery-actions/"

    def in_scope_object(self, org):
        return RecoveryAction.objects.create(incident=self._incident("INC-EAST"),
                                             title="パスワード変更",
                                             due_on=datetime.date(2025, 4, 10))

    def out_of_scope_object(self, org):
        return RecoveryAction.objects.create(incident=self._incident("INC-IT"),
                                             title="サーバ再構築",
                                             due_on=datetime.date(2025, 4, 10))

    def create_data(self, org):
        return {"incident": self._incident("INC-EAST").pk, "title": "送信前確認の徹底",
                "owner": org.people["manager"].pk, "due_on": "2025-04-15", "done_on": None,
                "notes": "朝礼で周知"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "incident": self._incident("INC-IT").pk}

    def update_data(self, org, obj):
        return {"incident": obj.incident_id, "title": obj.title, "owner": obj.owner_id,
                "due_on": obj.due_on.isoformat(), "done_on": "2025-04-12", "notes": "完了"}

    def make_rows(self, org, n):
        incident = self._incident("INC-SALES")
        RecoveryAction.objects.bulk_create(
            RecoveryAction(incident=incident, title=f"対策{i}", owner=org.people["staff"],
                           due_on=datetime.date(2025, 5, 1)) for i in range(n))

    def resource(self):
        return tables.RecoveryActionResource()

    def bad_import_column(self):
        return "due_on"

    def test_the_owner_sees_and_changes_their_action(self, org):
        own = RecoveryAction.objects.create(incident=self._incident("INC-IT"), title="再発防止",
                                            owner=org.people["staff"],
                                            due_on=datetime.date(2025, 4, 30))
        other = self.in_scope_object(org)  # in the owner's department, not theirs
        client = org.client("staff")
        assert rows_shown(client.get(self.url("list"))) == {own.pk}
        assert api_ids(api_client(org.users["staff"]).get(self.api_path)) == {own.pk}
        assert client.get(self.url("detail", other.pk)).status_code == 404
        detail = client.get(self.url("detail", own.pk))
        assert detail.context["can_change"] is True and detail.context["can_delete"] is False
        response = client.post(self.url("update", own.pk),
                               self.form_data(self.update_data(org, own)))
        assert response.status_code == 302, response.context["form"].errors
        own.refresh_from_db()
        assert own.done_on == datetime.date(2025, 4, 12)
        assert log_entries(own, "update").get().actor_name == "staff"
        api = api_client(org.users["staff"])
        response = api.patch(f"{self.api_path}{own.pk}/", {"notes": "報告済み"}, format="json")
        assert response.status_code == 200, response.json()
        response = api.put(f"{self.api_path}{own.pk}/", {**self.update_data(org, own),
                                                         "notes": "PUT"}, format="json")
        assert response.status_code == 200, response.json()
        # ... but does not delete it, hand it to someone else, or add actions.
        assert client.post(self.url("delete", own.pk)).status_code == 404
        assert api_client(org.users["staff"]).delete(
            f"{self.api_path}{own.pk}/").status_code == 404
        data = {**self.update_data(org, own), "owner": org.people["it_staff"].pk}
        assert client.post(self.url("update", own.pk), self.form_data(data)).status_code == 400
        assert client.get(self.url("create")).status_code == 403
        assert RecoveryAction.objects.get(pk=own.pk).owner == org.people["staff"]

    def test_the_incident_page_lists_the_actions_in_scope(self, org):
        action = self.in_scope_object(org)
        page = org.client("manager").get(action.incident.get_absolute_url())
        assert [a.pk for a in page.context["actions"]] == [action.pk]
        assert page.context["can_add_action"] is True


class TestBreachAssessment(WithIncidents, ScopedModelTests):
    """One assessment per incident; made through the form or the API (which also write the
    outcome to the timeline), never imported."""

    model = BreachAssessment
    api_path = "/api/incidents/assessments/"

    def answers(self, **changes):
        return {"personal_data": False, "sensitive": False, "financial_damage": False,
                "wrongful_purpose": False, "being_acquired": False, "persons_affected": None,
                "encrypted": False, "data_items": "", "person_notice": "not_required",
                "person_notice_on": None, **changes}

    def in_scope_object(self, org):
        return BreachAssessment.objects.create(incident=self._incident("INC-EAST"))

    def out_of_scope_object(self, org):
        return BreachAssessment.objects.create(incident=self._incident("INC-IT"))

    def create_data(self, org):
        # Not reportable: a reportable outcome also drafts reports (test_the_outcome_...).
        return {"incident": self._incident("INC-SALES").pk, **self.answers()}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "incident": self._incident("INC-IT-2").pk}

    def update_data(self, org, obj):
        return {"incident": obj.incident_id,
                **self.answers(personal_data=True, persons_affected=12, data_items="氏名、電話番号",
                               person_notice="pending")}

    def make_rows(self, org, n):
        incidents = bulk_incidents(org.sales, n, prefix="BA")
        BreachAssessment.objects.bulk_create(BreachAssessment(incident=i) for i in incidents)

    def test_import_is_all_or_nothing_with_row_errors(self, org):
        """Replaced: assessments are made one at a time (each writes the timeline and may
        draft reports), so there is no import page."""
        with pytest.raises(NoReverseMatch):
            self.url("import")
        path = reverse("incidents:breachassessment_list") + "import/"
        assert org.client("admin").get(path).status_code == 404
        response = org.client(self.in_scope_user).get(self.url("list"))
        assert response.context["can_import"] is False and response.context["can_add"] is True

    def test_saving_writes_the_outcome_to_the_timeline(self, org):
        incident = self._incident("INC-SALES")
        response = org.client("manager").post(self.url("create"),
                                              self.form_data(self.create_data(org)))
        assert response.status_code == 302, response.context["form"].errors
        assessment = BreachAssessment.objects.get(incident=incident)
        assert assessment.assessed_by == org.people["manager"]
        assert (assessment.reportable, assessment.rule.code) == (False, "appi-2024")
        entry = IncidentEntry.objects.get(incident=incident)
        assert entry.kind == "assessment" and entry.author == org.people["manager"]
        assert not RegulatoryReport.objects.exists()

    def test_a_reportable_outcome_drafts_the_ppc_reports(self, org):
        incident = self._incident("INC-EAST")
        data = {"incident": incident.pk, **self.answers(personal_data=True, sensitive=True,
                                                        persons_affected=3)}
        response = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert body["reportable"] is True and body["grounds"] == [1]
        assert body["assessed_by"] == org.people["manager"].pk
        reports = RegulatoryReport.objects.filter(incident=incident)
        assert sorted(reports.values_list("kind", flat=True)) == ["final", "preliminary"]
        assert {(r.kind, r.due_on) for r in reports} == {
            ("preliminary", datetime.date(2025, 4, 5)), ("final", datetime.date(2025, 4, 30))}
        kinds = set(IncidentEntry.objects.filter(incident=incident).values_list("kind",
                                                                                flat=True))
        assert kinds == {"assessment", "report"}

    def test_one_assessment_per_incident(self, org):
        existing = self.in_scope_object(org)
        data = {"incident": existing.incident_id, **self.answers()}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400 and "incident" in response.context["form"].errors
        response = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert response.status_code == 400 and "incident" in response.json()
        assert BreachAssessment.objects.count() == 1

    def test_the_reporter_does_not_see_the_assessment(self, org):
        assessment = self.in_scope_object(org)
        Incident.objects.filter(pk=assessment.incident_id).update(
            reported_by=org.people["staff"])
        client = org.client("staff")
        assert client.get(self.url("detail", assessment.pk)).status_code == 404
        page = client.get(assessment.incident.get_absolute_url())
        assert page.status_code == 200 and page.context["assessment"] is None


class TestRegulatoryReport(WithIncidents, ScopedModelTests):
    model = RegulatoryReport
    api_path = "/api/incidents/reports/"

    def in_scope_object(self, org):
        return RegulatoryReport.objects.create(incident=self._incident("INC-EAST"),
                                               kind="voluntary", summary="東")

    def out_of_scope_object(self, org):
        return RegulatoryReport.objects.create(incident=self._incident("INC-IT"),
                                               kind="voluntary", summary="IT")

    def create_data(self, org):
        items = dict.fromkeys(RegulatoryReport.ITEMS, "")
        return {**items, "incident": self._incident("INC-SALES").pk, "recipient": "ppc",
                "recipient_name": "", "legal_basis": "任意の報告", "kind": "voluntary",
                "due_on": "2025-04-30", "submitted_on": None, "summary": "顧客名簿の誤送信",
                "persons": "3"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "incident": self._incident("INC-IT").pk}

    def update_data(self, org, obj):
        items = {name: getattr(obj, name) for name in RegulatoryReport.ITEMS}
        return {**items, "incident": obj.incident_id, "recipient": obj.recipient,
                "recipient_name": "", "legal_basis": "", "kind": obj.kind,
                "due_on": "2025-04-30", "submitted_on": "2025-04-20", "cause": "宛先の誤り"}

    def make_rows(self, org, n):
        incident = self._incident("INC-SALES")
        RegulatoryReport.objects.bulk_create(
            RegulatoryReport(incident=incident, kind="supplementary",
                             due_on=datetime.date(2025, 5, 1) + datetime.timedelta(days=i))
            for i in range(n))

    def resource(self):
        return tables.RegulatoryReportResource()

    def bad_import_column(self):
        return "kind"

    def test_preliminary_and_final_reports_need_a_due_date(self, org):
        """Without a reportable assessment, nothing computes the due date: it must be given."""
        client = org.client("manager")
        api = api_client(org.users["manager"])
        for kind in ("preliminary", "final"):
            data = {**self.create_data(org), "kind": kind, "due_on": None}
            response = client.post(self.url("create"), self.form_data(data))
            assert response.status_code == 400 and "due_on" in response.context["form"].errors
            response = api.post(self.api_path, data, format="json")
            assert response.status_code == 400 and "due_on" in response.json()
        assert not RegulatoryReport.objects.exists()
        data = {**self.create_data(org), "kind": "final", "due_on": "2025-05-01"}
        assert client.post(self.url("create"), self.form_data(data)).status_code == 302

    def test_the_file_exports_are_scoped(self, org):
        inside, outside = self.in_scope_object(org), self.out_of_scope_object(org)
        client = org.client("manager")
        for fmt in ("pdf", "xlsx"):
            url = reverse("incidents:regulatoryreport_export", args=[inside.pk, fmt])
            assert client.get(url).status_code == 200
            url = reverse("incidents:regulatoryreport_export", args=[outside.pk, fmt])
            assert client.get(url).status_code == 404
            assert org.client("staff").get(url).status_code == 404
