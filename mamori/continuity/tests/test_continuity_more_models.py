"""The rest of the continuity records through the shared UI/API/scope tests
(core.testing.ScopedModelTests): impact analyses, gap acceptances, plans, recovery steps,
exercise results, and the single row of continuity settings."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import NoReverseMatch, reverse

from mamori.continuity import tables
from mamori.continuity.models import (
    BusinessProcess,
    ContinuityPlan,
    ContinuitySettings,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
    ImpactAnalysis,
    PlanInvocation,
    RecoveryStep,
)
from mamori.continuity.tests.helpers import impacts, make_process
from mamori.core.testing import CisoChangesTests, ScopedModelTests, api_client, log_entries
from mamori.incidents.models import Incident
from mamori.incidents.tests.factories import make_incident
from mamori.policies.models import PolicyDocument
from mamori.policies.tests.conftest import make_document

TODAY = datetime.date(2026, 11, 1)
BCP = PolicyDocument.Kind.CONTINUITY_PLAN
DRP = PolicyDocument.Kind.RECOVERY_PLAN


def process(code):
    return BusinessProcess.objects.get(code=code)


def document(code):
    return PolicyDocument.objects.get(code=code)


def make_plan(owner, code, kind=BCP, **fields):
    return ContinuityPlan.objects.create(document=make_document(owner, code=code, kind=kind),
                                         activation_criteria="本社が使えないとき、部長が判断",
                                         **fields)


class WithProcesses:
    """A Sales process, a Sales East one and an IT one exist before each test, so that
    building the data of a refused write adds nothing to the change log."""

    @pytest.fixture(autouse=True)
    def _processes(self, org):
        make_process(org.sales, "BP-S")
        make_process(org.sales_east, "BP-E")
        make_process(org.it, "BP-I")


# -- impact analyses -----------------------------------------------------------------------


class TestImpactAnalysis(WithProcesses, ScopedModelTests):
    """Kept with the process's department; the rows made here are drafts, which stay
    changeable (an approved analysis is kept as approved: see the tests below)."""

    model = ImpactAnalysis
    api_path = "/api/continuity/impact-analyses/"

    def _analysis(self, code, **fields):
        return ImpactAnalysis.objects.create(process=process(code), analysed_on=TODAY,
                                             impacts=impacts(72), rto_hours=Decimal("8"),
                                             rpo_hours=Decimal("4"), **fields)

    def in_scope_object(self, org):
        return self._analysis("BP-E")

    def out_of_scope_object(self, org):
        return self._analysis("BP-I")

    def create_data(self, org):
        return {"process": process("BP-S").pk, "analysed_on": "2026-10-01",
                "impacts": impacts(24), "rto_hours": "8", "rpo_hours": "4",
                "minimum_service_level": "電話受付のみ", "peak_periods": "月末",
                "note": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "process": process("BP-I").pk}

    def update_data(self, org, obj):
        return {"process": obj.process_id, "analysed_on": "2026-10-15",
                "impacts": impacts(168), "rto_hours": "24", "rpo_hours": "12",
                "minimum_service_level": "", "peak_periods": "年度末", "note": "changed"}

    def form_data(self, data):
        # The page's form takes the scores as JSON text (its hidden `impacts` field).
        return super().form_data({name: json.dumps(value) if isinstance(value, dict) else value
                                  for name, value in data.items()})

    def file_value(self, org, name, value):
        if isinstance(value, dict):
            return json.dumps(value)  # as the export writes it
        return super().file_value(org, name, value)

    def make_rows(self, org, n):
        ImpactAnalysis.objects.bulk_create(
            ImpactAnalysis(process=process("BP-S"), impacts=impacts(), rto_hours=1,
                           rpo_hours=1) for _ in range(n))

    def resource(self):
        return tables.ImpactAnalysisResource()

    def bad_import_column(self):
        return "impacts"

    def test_the_grid_alone_gives_the_scores(self, org):
        data = {name: value for name, value in self.create_data(org).items()
                if name != "impacts"}
        for category, row in impacts(72).items():
            for hours, score in row.items():
                data[f"impact__{category}__{hours}"] = score
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 302, response.context and response.context["form"].errors
        created = ImpactAnalysis.objects.get()
        assert created.impacts == impacts(72)
        assert created.mtpd_hours == 72
        assert created.status == ImpactAnalysis.Status.DRAFT

    def test_an_approved_analysis_is_kept(self, org):
        analysis = self._analysis("BP-S", status=ImpactAnalysis.Status.APPROVED,
                                  approved_on=TODAY,
                                  review_due_on=TODAY + datetime.timedelta(days=365))
        for username in ("manager", "ciso"):
            client = org.client(username)
            assert client.get(self.url("detail", analysis.pk)).status_code == 200
            assert client.post(self.url("update", analysis.pk), self.form_data(
                self.update_data(org, analysis))).status_code == 404
            assert client.post(self.url("delete", analysis.pk)).status_code == 404
            api = api_client(org.users[username])
            path = f"{self.api_path}{analysis.pk}/"
            assert api.patch(path, {"note": "x"}, format="json").status_code in (403, 404)
            assert api.delete(path).status_code in (403, 404)
        analysis.refresh_from_db()
        assert (analysis.status, analysis.note) == ("approved", "")
        assert not log_entries(analysis).filter(action__in=("update", "delete")).exists()

    def test_scores_off_the_scale_or_horizons_are_refused(self, org):
        client = api_client(org.users["manager"])
        partial = impacts(24)
        del partial["legal"]["168"]
        for scores in (partial, {**impacts(24), "customers": {"4": 9, "24": 1, "72": 1,
                                                               "168": 1}}):
            response = client.post(self.api_path, {**self.create_data(org), "impacts": scores},
                                   format="json")
            assert response.status_code == 400
            assert "impacts" in response.json()
        assert not ImpactAnalysis.objects.exists()


# -- gap acceptances -----------------------------------------------------------------------


class TestGapAcceptance(WithProcesses, CisoChangesTests, ScopedModelTests):
    """Only the CISO (and administrators) accept a gap; the information manager reads the
    acceptances of their departments' processes (the Sales one, not the IT one)."""

    model = GapAcceptance
    api_path = "/api/continuity/gap-acceptances/"

    @pytest.fixture(autouse=True)
    def _dependencies(self, _processes):
        Dependency.objects.create(process=process("BP-E"), kind="site", name="本社")
        Dependency.objects.create(process=process("BP-I"), kind="role", name="当番")

    def _dependency(self, code):
        return Dependency.objects.get(process__code=code)

    def reader_sees(self, which):
        return which == "inside"

    def _acceptance(self, code):
        return GapAcceptance.objects.create(
            dependency=self._dependency(code), gap="single_point", reason="代替拠点を準備中",
            accepted_on=TODAY, expires_on=TODAY + datetime.timedelta(days=180))

    def in_scope_object(self, org):
        return self._acceptance("BP-E")

    def out_of_scope_object(self, org):
        return self._acceptance("BP-I")

    def create_data(self, org):
        return {"dependency": self._dependency("BP-E").pk, "gap": "unknown",
                "reason": "復旧時間は来期の訓練で確認する", "accepted_on": "2026-10-01",
                "expires_on": "2027-03-31"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "dependency": self._dependency("BP-I").pk}

    def update_data(self, org, obj):
        return {"dependency": obj.dependency_id, "gap": obj.gap, "reason": "changed",
                "accepted_on": obj.accepted_on.isoformat(),
                "expires_on": (obj.accepted_on + datetime.timedelta(days=90)).isoformat()}

    def make_rows(self, org, n):
        dependency = self._dependency("BP-E")
        GapAcceptance.objects.bulk_create(
            GapAcceptance(dependency=dependency, gap="rto", reason=f"理由{i}",
                          accepted_on=TODAY, expires_on=TODAY) for i in range(n))

    def resource(self):
        return tables.GapAcceptanceResource()

    def bad_import_column(self):
        return "gap"

    def test_the_acceptance_names_who_accepted_it(self, org):
        ciso = org.people["ciso"]
        response = org.client("ciso").post(self.url("create"),
                                           self.form_data(self.create_data(org)))
        assert response.status_code == 302
        assert GapAcceptance.objects.get().accepted_by == ciso
        response = api_client(org.users["ciso"]).post(
            self.api_path, {**self.create_data(org), "accepted_by": org.people["staff"].pk},
            format="json")
        assert response.status_code == 201, response.json()
        assert GapAcceptance.objects.get(pk=response.json()["id"]).accepted_by == ciso
        header = self.resource().fields
        row = [self.file_value(org, name, self.create_data(org).get(name)) for name in header]
        response = org.client("ciso").post(self.url("import"),
                                           {"file": self.csv_upload([header, row])})
        assert response.status_code == 302
        assert GapAcceptance.objects.order_by("-pk").first().accepted_by == ciso

    def test_an_acceptance_lasts_three_years_at_most(self, org):
        data = {**self.create_data(org), "expires_on": "2029-11-01"}
        response = api_client(org.users["ciso"]).post(self.api_path, data, format="json")
        assert response.status_code == 400
        assert "expires_on" in response.json()
        assert not GapAcceptance.objects.exists()


# -- plans and their steps -------------------------------------------------------------------


class TestContinuityPlan(WithProcesses, ScopedModelTests):
    """Kept by the document's owner department; everyone reads the plans, as the rules."""

    model = ContinuityPlan
    api_path = "/api/continuity/plans/"
    out_of_scope_visible = True  # everyone reads the plans they may have to follow

    @pytest.fixture(autouse=True)
    def _documents(self, org):
        make_document(org.sales, code="bcp-sales", kind=BCP)
        make_document(org.it, code="drp-it", kind=DRP)
        make_document(org.sales, code="sales-rules")  # a rule, not a plan

    def in_scope_object(self, org):
        return make_plan(org.sales_east, "bcp-east")

    def out_of_scope_object(self, org):
        return make_plan(org.it, "drp-dc", kind=DRP)

    def create_data(self, org):
        return {"document": document("bcp-sales").pk, "processes": [],
                "activation_criteria": "営業拠点が24時間以上使えないとき",
                "call_tree": "部長 → 課長 → 担当", "note": ""}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "document": document("drp-it").pk}

    def links(self, org):
        return {"processes": [process("BP-S").pk, process("BP-E").pk]}

    def update_data(self, org, obj):
        return {"document": obj.document_id, "processes": [],
                "activation_criteria": obj.activation_criteria + "（改）",
                "call_tree": "changed", "note": "changed"}

    def make_rows(self, org, n):
        start = ContinuityPlan.objects.count()
        documents = PolicyDocument.objects.bulk_create(
            PolicyDocument(code=f"plan-row-{start + i}", kind=BCP, title_ja=f"計画{i}",
                           owner_department=org.sales) for i in range(n))
        ContinuityPlan.objects.bulk_create(
            ContinuityPlan(document=d, activation_criteria="x") for d in documents)

    def resource(self):
        return tables.ContinuityPlanResource()

    def bad_import_column(self):
        return "document"

    def test_staff_read_every_plan_and_change_none(self, org):
        plan = self.out_of_scope_object(org)
        client = org.client("staff")
        assert client.get(self.url("detail", plan.pk)).status_code == 200
        assert client.get(self.url("update", plan.pk)).status_code == 404
        assert client.post(self.url("delete", plan.pk)).status_code == 404
        assert plan.pk in {row["id"] for row in
                           api_client(org.users["staff"]).get(self.api_path).json()["results"]}

    def test_only_a_plan_document_makes_a_plan(self, org):
        data = {**self.create_data(org), "document": document("sales-rules").pk}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert "document" in response.context["form"].errors
        response = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert response.status_code == 400
        assert "document" in response.json()
        assert not ContinuityPlan.objects.exists()


class TestRecoveryStep(WithProcesses, ScopedModelTests):
    """Kept with the plan's document; everyone reads the steps."""

    model = RecoveryStep
    api_path = "/api/continuity/recovery-steps/"
    out_of_scope_visible = True

    @pytest.fixture(autouse=True)
    def _plans(self, org):
        make_plan(org.sales, "bcp-sales")
        make_plan(org.it, "drp-it", kind=DRP)

    def _plan(self, code):
        return ContinuityPlan.objects.get(document__code=code)

    def in_scope_object(self, org):
        return RecoveryStep.objects.create(plan=self._plan("bcp-sales"),
                                           process=process("BP-E"), action="代替拠点へ移動",
                                           role="東日本営業課長", within_hours=4)

    def out_of_scope_object(self, org):
        return RecoveryStep.objects.create(plan=self._plan("drp-it"), process=process("BP-I"),
                                           action="待機系へ切替", role="当番", within_hours=2)

    def create_data(self, org):
        return {"plan": self._plan("bcp-sales").pk, "process": process("BP-S").pk,
                "position": 2, "action": "顧客へ連絡", "role": "営業部長",
                "within_hours": "8"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "plan": self._plan("drp-it").pk,
                "process": process("BP-I").pk}

    def update_data(self, org, obj):
        return {"plan": obj.plan_id, "process": obj.process_id, "position": 3,
                "action": obj.action + "（改）", "role": obj.role, "within_hours": "6"}

    def make_rows(self, org, n):
        plan, bp = self._plan("bcp-sales"), process("BP-S")
        RecoveryStep.objects.bulk_create(
            RecoveryStep(plan=plan, process=bp, position=i + 1, action=f"手順{i}", role="x")
            for i in range(n))

    def resource(self):
        return tables.RecoveryStepResource()

    def bad_import_column(self):
        return "position"


# -- exercise results ------------------------------------------------------------------------


class TestExerciseResult(WithProcesses, ScopedModelTests):
    """Kept with the exercise's organising department; one result per process and exercise."""

    model = ExerciseResult
    api_path = "/api/continuity/exercise-results/"

    @pytest.fixture(autouse=True)
    def _exercises(self, org):
        Exercise.objects.create(code="EX-S", title="机上訓練", kind="tabletop",
                                department=org.sales, planned_on=TODAY, scenario="停電")
        Exercise.objects.create(code="EX-I", title="切替試験", kind="failover",
                                department=org.it, planned_on=TODAY, scenario="DC障害")

    def _exercise(self, code):
        return Exercise.objects.get(code=code)

    def in_scope_object(self, org):
        return ExerciseResult.objects.create(exercise=self._exercise("EX-S"),
                                             process=process("BP-E"), recovered_in_hours=3)

    def out_of_scope_object(self, org):
        return ExerciseResult.objects.create(exercise=self._exercise("EX-I"),
                                             process=process("BP-I"), recovered_in_hours=1)

    def create_data(self, org):
        return {"exercise": self._exercise("EX-S").pk, "process": process("BP-S").pk,
                "recovered_in_hours": "2.5", "note": "手順書どおり"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "exercise": self._exercise("EX-I").pk}

    def update_data(self, org, obj):
        return {"exercise": obj.exercise_id, "process": obj.process_id,
                "recovered_in_hours": None, "note": "復旧できず"}

    def make_rows(self, org, n):
        start = BusinessProcess.objects.count()
        processes = BusinessProcess.objects.bulk_create(
            BusinessProcess(code=f"ROW-{start + i:05d}", name_ja=f"業務{i}",
                            department=org.sales) for i in range(n))
        exercise = self._exercise("EX-S")
        ExerciseResult.objects.bulk_create(
            ExerciseResult(exercise=exercise, process=p, recovered_in_hours=1)
            for p in processes)

    def resource(self):
        return tables.ExerciseResultResource()

    def bad_import_column(self):
        return "recovered_in_hours"

    def test_one_result_per_process_and_exercise(self, org):
        inside = self.in_scope_object(org)
        data = {**self.create_data(org), "process": inside.process_id}
        response = org.client("manager").post(self.url("create"), self.form_data(data))
        assert response.status_code == 400
        assert response.context["form"].errors
        response = api_client(org.users["manager"]).post(self.api_path, data, format="json")
        assert response.status_code == 400
        assert ExerciseResult.objects.count() == 1


# -- the settings row --------------------------------------------------------------------------

SETTINGS_API = "/api/continuity/settings/"
SETTINGS_DATA = {"horizons": "2, 8, 24, 72", "scale_max": 4, "intolerable_score": 3,
                 "critical_mtpd_hours": "48", "bia_review_months": 6, "exercise_months": 6}


def settings_row():
    return ContinuitySettings.objects.get()


def settings_url(action, row):
    return reverse(f"continuity:continuitysettings_{action}", args=[row.pk])


@pytest.mark.django_db
class TestContinuitySettings:
    """The single row (core.scope.SettingsScope): everyone reads it, the CISO and
    administrators change it, nobody adds or deletes one."""

    def test_one_settings_row_exists_and_its_list_redirects_to_it(self, org):
        row = settings_row()
        assert (row.horizon_hours(), row.scale_max, row.intolerable_score) == (
            [4, 24, 72, 168], 5, 4)
        assert not log_entries(row).exists()
        response = org.client("staff").get(reverse("continuity:continuitysettings_list"))
        assert response.status_code == 302
        assert response["Location"] == row.get_absolute_url()

    @pytest.mark.parametrize("username", ["staff", "it_staff", "manager", "auditor", "ciso"])
    def test_everyone_reads_the_settings(self, org, username):
        row = settings_row()
        response = org.client(username).get(settings_url("detail", row))
        assert response.status_code == 200
        assert response.context["can_change"] is (username == "ciso")
        assert response.context["can_delete"] is False
        api = api_client(org.users[username]).get(SETTINGS_API)
        assert [r["id"] for r in api.json()["results"]] == [row.pk]

    @pytest.mark.parametrize("username", ["manager", "staff", "auditor"])
    def test_others_cannot_change_the_settings(self, org, username):
        row = settings_row()
        client = org.client(username)
        assert client.get(settings_url("update", row)).status_code == 404
        assert client.post(settings_url("update", row), SETTINGS_DATA).status_code == 404
        api = api_client(org.users[username])
        assert api.patch(f"{SETTINGS_API}{row.pk}/", SETTINGS_DATA,
                         format="json").status_code in (403, 404)
        assert (settings_row().horizons, settings_row().scale_max) == ("4, 24, 72, 168", 5)
        assert not log_entries(row).exists()

    def test_nobody_adds_or_deletes_a_settings_row(self, org):
        for action in ("create", "delete", "import", "bulk_delete"):
            with pytest.raises(NoReverseMatch):
                reverse(f"continuity:continuitysettings_{action}",
                        args=[1] if action == "delete" else [])
        row = settings_row()
        for username in ("ciso", "admin"):
            api = api_client(org.users[username])
            assert api.post(SETTINGS_API, SETTINGS_DATA, format="json").status_code == 405
            assert api.delete(f"{SETTINGS_API}{row.pk}/").status_code == 405
            page = org.client(username).get(row.get_absolute_url())
            assert page.context["can_delete"] is False and page.context["can_add"] is False
        assert ContinuitySettings.objects.count() == 1

    def test_ciso_changes_the_settings_and_it_is_logged(self, org):
        row = settings_row()
        response = org.client("ciso").post(settings_url("update", row), SETTINGS_DATA)
        assert response.status_code == 302, response.context and response.context[
            "form"].errors
        changed = settings_row()
        assert (changed.horizon_hours(), changed.scale_max) == ([2, 8, 24, 72], 4)
        entry = log_entries(row, "update").get()
        assert (entry.actor_name, entry.source) == ("ciso", "ui")
        assert {name for name, _b, _a in entry.changes()} == set(SETTINGS_DATA)

    def test_admin_changes_the_settings_through_the_api(self, org):
        row = settings_row()
        response = api_client(org.users["admin"]).patch(
            f"{SETTINGS_API}{row.pk}/", {"exercise_months": 24}, format="json")
        assert response.status_code == 200, response.json()
        assert settings_row().exercise_months == 24
        assert log_entries(row, "update").get().source == "api"

    @pytest.mark.parametrize("change, field", [
        ({"horizons": "24, 4"}, "horizons"),
        ({"horizons": "4, x"}, "horizons"),
        ({"horizons": "1, 2, 3, 4, 5, 6, 7, 8, 9"}, "horizons"),
        ({"scale_max": 3, "intolerable_score": 4}, "intolerable_score"),
    ])
    def test_settings_that_cannot_score_are_refused(self, org, change, field):
        row = settings_row()
        response = org.client("ciso").post(settings_url("update", row),
                                           {**SETTINGS_DATA, **change})
        assert response.status_code == 400
        assert field in response.context["form"].errors
        response = api_client(org.users["ciso"]).patch(f"{SETTINGS_API}{row.pk}/", change,
                                                        format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert settings_row().horizons == "4, 24, 72, 168"
        assert not log_entries(row).exists()


# -- plan invocations ----------------------------------------------------------------------


class TestPlanInvocation(WithProcesses, ScopedModelTests):
    """Kept with the incident: whoever handles it invokes a plan for it."""

    model = PlanInvocation
    api_path = "/api/continuity/plan-invocations/"

    @pytest.fixture(autouse=True)
    def _incidents(self, org):
        make_plan(org.it, "bcp-company")
        make_incident(org.sales, "停電（営業）")
        make_incident(org.it, "停電（IT）")

    def _incident(self, title):
        return Incident.objects.get(title=title)

    def _invoke(self, title):
        return PlanInvocation.objects.create(incident=self._incident(title),
                                             plan=ContinuityPlan.objects.get())

    def in_scope_object(self, org):
        return self._invoke("停電（営業）")

    def out_of_scope_object(self, org):
        return self._invoke("停電（IT）")

    def create_data(self, org):
        return {"incident": self._incident("停電（営業）").pk,
                "plan": ContinuityPlan.objects.get().pk, "invoked_at": "2026-11-02T10:00",
                "processes": [], "note": "発動"}

    def out_of_scope_create_data(self, org):
        return {**self.create_data(org), "incident": self._incident("停電（IT）").pk}

    def links(self, org):
        return {"processes": [process("BP-S").pk]}

    def update_data(self, org, obj):
        return {"incident": obj.incident_id, "plan": obj.plan_id,
                "invoked_at": "2026-11-02T11:00", "processes": [], "note": "changed"}

    def make_rows(self, org, n):
        incident, plan = self._incident("停電（営業）"), ContinuityPlan.objects.get()
        PlanInvocation.objects.bulk_create(PlanInvocation(incident=incident, plan=plan)
                                           for _ in range(n))

    def resource(self):
        return tables.PlanInvocationResource()

    def bad_import_column(self):
        return "invoked_at"
