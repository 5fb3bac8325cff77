"""The continuity pages: each model's standard set over core's generic views, plus the
steps (approving an impact analysis) and the dependency impact view (views_impact.py)."""

from collections import defaultdict

from django.utils.translation import gettext_lazy

from mamori.continuity import filtersets, forms, gaps, tables, workflow
from mamori.continuity.models import (
    AssetRecovery,
    BusinessProcess,
    ContinuityPlan,
    ContinuitySettings,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
    ImpactAnalysis,
    ImpactCategory,
    PlanInvocation,
    RecoveryStep,
)
from mamori.continuity.models.processes import GapKind
from mamori.core.scope import ADD, can
from mamori.core.views import generic
from mamori.improvement.sources import raised_from_context


class BusinessProcessList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The business processes and services the company must keep running (Art 10), each "
        "owned by a department, with its impact analysis, what it depends on and the gaps "
        "between them."
    )
    model = BusinessProcess
    filterset_class = filtersets.BusinessProcessFilterSet
    table_class = tables.BusinessProcessTable
    resource_class = tables.BusinessProcessResource


class BusinessProcessCreate(generic.ScopedCreateView):
    model = BusinessProcess
    form_class = forms.BusinessProcessForm


class BusinessProcessUpdate(generic.ScopedUpdateView):
    model = BusinessProcess
    form_class = forms.BusinessProcessForm


class BusinessProcessDelete(generic.ScopedDeleteView):
    model = BusinessProcess


class BusinessProcessBulkDelete(generic.ScopedBulkDeleteView):
    model = BusinessProcess


class BusinessProcessImport(generic.ScopedImportView):
    model = BusinessProcess
    form_class = forms.BusinessProcessForm
    resource_class = tables.BusinessProcessResource


class BusinessProcessHistory(generic.ObjectHistoryView):
    model = BusinessProcess


class ImpactAnalysisList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Each process's business impact analysis: how harm grows over time, the maximum "
        "tolerable period of disruption that follows, and the recovery objectives. The "
        "information manager approves it; it is reviewed yearly."
    )
    model = ImpactAnalysis
    filterset_class = filtersets.ImpactAnalysisFilterSet
    table_class = tables.ImpactAnalysisTable
    resource_class = tables.ImpactAnalysisResource


class ImpactAnalysisCreate(generic.ScopedCreateView):
    prefill = {"process": "process"}  # opened from the process's page
    model = ImpactAnalysis
    form_class = forms.ImpactAnalysisForm
    template_name = "continuity/impactanalysis_form.html"


class ImpactAnalysisUpdate(generic.ScopedUpdateView):
    model = ImpactAnalysis
    form_class = forms.ImpactAnalysisForm
    template_name = "continuity/impactanalysis_form.html"


class ImpactAnalysisDelete(generic.ScopedDeleteView):
    model = ImpactAnalysis


class ImpactAnalysisBulkDelete(generic.ScopedBulkDeleteView):
    model = ImpactAnalysis


class ImpactAnalysisImport(generic.ScopedImportView):
    model = ImpactAnalysis
    form_class = forms.ImpactAnalysisForm
    resource_class = tables.ImpactAnalysisResource


class ImpactAnalysisHistory(generic.ObjectHistoryView):
    model = ImpactAnalysis


class DependencyList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What each process cannot run without: assets, contractors, other processes, sites "
        "and key roles, with their alternatives."
    )
    model = Dependency
    filterset_class = filtersets.DependencyFilterSet
    table_class = tables.DependencyTable
    resource_class = tables.DependencyResource


class DependencyDetail(generic.ScopedDetailView):
    model = Dependency
    fields = [
        "process",
        "kind",
        "asset",
        "contractor",
        "upstream",
        "name",
        "alternative",
        "recovery_hours",
        "backup_interval_hours",
        "note",
    ]


class DependencyCreate(generic.ScopedCreateView):
    prefill = {"process": "process"}  # opened from its process's page
    model = Dependency
    form_class = forms.DependencyForm


class DependencyUpdate(generic.ScopedUpdateView):
    model = Dependency
    form_class = forms.DependencyForm


class DependencyDelete(generic.ScopedDeleteView):
    model = Dependency


class DependencyBulkDelete(generic.ScopedBulkDeleteView):
    model = Dependency


class DependencyImport(generic.ScopedImportView):
    model = Dependency
    form_class = forms.DependencyForm
    resource_class = tables.DependencyResource


class DependencyHistory(generic.ObjectHistoryView):
    model = Dependency


class AssetRecoveryList(generic.ScopedListView):
    purpose = gettext_lazy(
        "How fast each asset has been shown to recover, and how much data a restore loses, "
        "from the last exercise or disaster-recovery test."
    )
    model = AssetRecovery
    filterset_class = filtersets.AssetRecoveryFilterSet
    table_class = tables.AssetRecoveryTable
    resource_class = tables.AssetRecoveryResource


class AssetRecoveryDetail(generic.ScopedDetailView):
    model = AssetRecovery
    fields = [
        "asset",
        "recovery_hours",
        "backup_interval_hours",
        "demonstrated_on",
        "exercise",
        "note",
    ]


class AssetRecoveryCreate(generic.ScopedCreateView):
    model = AssetRecovery
    form_class = forms.AssetRecoveryForm


class AssetRecoveryUpdate(generic.ScopedUpdateView):
    model = AssetRecovery
    form_class = forms.AssetRecoveryForm


class AssetRecoveryDelete(generic.ScopedDeleteView):
    model = AssetRecovery


class AssetRecoveryBulkDelete(generic.ScopedBulkDeleteView):
    model = AssetRecovery


class AssetRecoveryImport(generic.ScopedImportView):
    model = AssetRecovery
    form_class = forms.AssetRecoveryForm
    resource_class = tables.AssetRecoveryResource


class AssetRecoveryHistory(generic.ObjectHistoryView):
    model = AssetRecovery


class GapAcceptanceList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The dependency gaps the CISO has accepted, each until a date; past it the gap is "
        "open again."
    )
    model = GapAcceptance
    filterset_class = filtersets.GapAcceptanceFilterSet
    table_class = tables.GapAcceptanceTable
    resource_class = tables.GapAcceptanceResource


class GapAcceptanceDetail(generic.ScopedDetailView):
    model = GapAcceptance
    fields = ["dependency", "gap", "reason", "accepted_on", "expires_on", "accepted_by"]


class GapAcceptanceCreate(generic.ScopedCreateView):
    prefill = {"dependency": "dependency"}  # opened from its dependency's page
    model = GapAcceptance
    form_class = forms.GapAcceptanceForm

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        gap = self.request.GET.get("gap", "")
        if data is None and gap in GapKind.values:  # the gap the process page offered
            form.initial["gap"] = gap
        return form


class GapAcceptanceUpdate(generic.ScopedUpdateView):
    model = GapAcceptance
    form_class = forms.GapAcceptanceForm


class GapAcceptanceDelete(generic.ScopedDeleteView):
    model = GapAcceptance


class GapAcceptanceBulkDelete(generic.ScopedBulkDeleteView):
    model = GapAcceptance


class GapAcceptanceImport(generic.ScopedImportView):
    model = GapAcceptance
    form_class = forms.GapAcceptanceForm
    resource_class = tables.GapAcceptanceResource


class GapAcceptanceHistory(generic.ObjectHistoryView):
    model = GapAcceptance


class ContinuityPlanList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Business continuity and IT disaster recovery plans: their text, versions, approval "
        "and review are those of their document; here are the processes each recovers, when "
        "it is invoked and who is called."
    )
    model = ContinuityPlan
    filterset_class = filtersets.ContinuityPlanFilterSet
    table_class = tables.ContinuityPlanTable
    resource_class = tables.ContinuityPlanResource


class ContinuityPlanCreate(generic.ScopedCreateView):
    model = ContinuityPlan
    form_class = forms.ContinuityPlanForm


class ContinuityPlanUpdate(generic.ScopedUpdateView):
    model = ContinuityPlan
    form_class = forms.ContinuityPlanForm


class ContinuityPlanDelete(generic.ScopedDeleteView):
    model = ContinuityPlan


class ContinuityPlanBulkDelete(generic.ScopedBulkDeleteView):
    model = ContinuityPlan


class ContinuityPlanImport(generic.ScopedImportView):
    model = ContinuityPlan
    form_class = forms.ContinuityPlanForm
    resource_class = tables.ContinuityPlanResource


class ContinuityPlanHistory(generic.ObjectHistoryView):
    model = ContinuityPlan


class RecoveryStepList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The steps of each plan's recovery of each process, in order, with who does them and "
        "by when."
    )
    model = RecoveryStep
    filterset_class = filtersets.RecoveryStepFilterSet
    table_class = tables.RecoveryStepTable
    resource_class = tables.RecoveryStepResource


class RecoveryStepDetail(generic.ScopedDetailView):
    model = RecoveryStep
    fields = ["plan", "process", "position", "action", "role", "within_hours"]


class RecoveryStepCreate(generic.ScopedCreateView):
    prefill = {"plan": "plan"}  # opened from its plan's page
    model = RecoveryStep
    form_class = forms.RecoveryStepForm


class RecoveryStepUpdate(generic.ScopedUpdateView):
    model = RecoveryStep
    form_class = forms.RecoveryStepForm


class RecoveryStepDelete(generic.ScopedDeleteView):
    model = RecoveryStep


class RecoveryStepBulkDelete(generic.ScopedBulkDeleteView):
    model = RecoveryStep


class RecoveryStepImport(generic.ScopedImportView):
    model = RecoveryStep
    form_class = forms.RecoveryStepForm
    resource_class = tables.RecoveryStepResource


class RecoveryStepHistory(generic.ObjectHistoryView):
    model = RecoveryStep


class ExerciseList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Tabletop exercises, walkthroughs, simulations and failover tests, with the recovery "
        "time each process took against its objective."
    )
    model = Exercise
    filterset_class = filtersets.ExerciseFilterSet
    table_class = tables.ExerciseTable
    resource_class = tables.ExerciseResource


class ExerciseCreate(generic.ScopedCreateView):
    model = Exercise
    form_class = forms.ExerciseForm


class ExerciseUpdate(generic.ScopedUpdateView):
    model = Exercise
    form_class = forms.ExerciseForm


class ExerciseDelete(generic.ScopedDeleteView):
    model = Exercise


class ExerciseBulkDelete(generic.ScopedBulkDeleteView):
    model = Exercise


class ExerciseImport(generic.ScopedImportView):
    model = Exercise
    form_class = forms.ExerciseForm
    resource_class = tables.ExerciseResource


class ExerciseHistory(generic.ObjectHistoryView):
    model = Exercise


class ExerciseResultList(generic.ScopedListView):
    purpose = gettext_lazy("How long each process took to recover in each exercise.")
    model = ExerciseResult
    filterset_class = filtersets.ExerciseResultFilterSet
    table_class = tables.ExerciseResultTable
    resource_class = tables.ExerciseResultResource


class ExerciseResultDetail(generic.ScopedDetailView):
    model = ExerciseResult
    fields = ["exercise", "process", "recovered_in_hours", "note"]


class ExerciseResultCreate(generic.ScopedCreateView):
    prefill = {"exercise": "exercise"}  # opened from its exercise's page
    model = ExerciseResult
    form_class = forms.ExerciseResultForm


class ExerciseResultUpdate(generic.ScopedUpdateView):
    model = ExerciseResult
    form_class = forms.ExerciseResultForm


class ExerciseResultDelete(generic.ScopedDeleteView):
    model = ExerciseResult


class ExerciseResultBulkDelete(generic.ScopedBulkDeleteView):
    model = ExerciseResult


class ExerciseResultImport(generic.ScopedImportView):
    model = ExerciseResult
    form_class = forms.ExerciseResultForm
    resource_class = tables.ExerciseResultResource


class ExerciseResultHistory(generic.ObjectHistoryView):
    model = ExerciseResult


class ContinuitySettingsList(generic.SettingsRowView):
    model = ContinuitySettings


class ContinuitySettingsDetail(generic.ScopedDetailView):
    model = ContinuitySettings
    fields = [
        "horizons",
        "scale_max",
        "intolerable_score",
        "critical_mtpd_hours",
        "bia_review_months",
        "exercise_months",
    ]


class ContinuitySettingsUpdate(generic.ScopedUpdateView):
    model = ContinuitySettings
    form_class = forms.ContinuitySettingsForm


class ContinuitySettingsHistory(generic.ObjectHistoryView):
    model = ContinuitySettings


class BusinessProcessDetail(generic.ScopedDetailView):
    model = BusinessProcess
    fields = ["code", "name_ja", "name_en", "department", "description", "is_service",
              "is_active"]
    template_name = "continuity/businessprocess_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        graph = gaps.load(objectives_for=[obj.pk])
        accepted = gaps.accepted(dependencies=obj.dependencies.values("pk"))
        found = defaultdict(list)
        for gap in graph.gaps(obj.pk):
            found[gap.dependency].append(
                (gap, GapKind(gap.kind).label, (gap.dependency, gap.kind) in accepted))
        dependencies = list(obj.dependencies.restrict(user).select_related(
            "asset", "contractor", "upstream").order_by("kind", "pk"))
        return {
            "current_bia": obj.current_bia(),
            "analyses": obj.impact_analyses.restrict(user).order_by("-analysed_on", "-pk")[:10],
            "dependencies": [(d, found.get(d.pk, [])) for d in dependencies],
            "open_gaps": sum(1 for d in dependencies for _g, _l, ok in found.get(d.pk, [])
                             if not ok),
            "dependents": obj.dependents.restrict(user).select_related("process")[:50],
            "plans": obj.plans.restrict(user).select_related("document")[:20],
            "results": obj.exercise_results.restrict(user).select_related(
                "exercise").order_by("-exercise__held_on", "-pk")[:10],
            "invocations": obj.invocations.restrict(user).select_related(
                "incident", "plan__document").order_by("-invoked_at", "-pk")[:10],
            "can_add_bia": self.can_change and can(user, ImpactAnalysis, ADD),
            "can_add_dependency": self.can_change and can(user, Dependency, ADD),
            "can_accept": can(user, GapAcceptance, ADD),
        }


class ImpactAnalysisDetail(generic.ScopedDetailView):
    model = ImpactAnalysis
    fields = ["process", "analysed_on", "mtpd_hours", "rto_hours", "rpo_hours",
              "minimum_service_level", "peak_periods", "note", "status", "approved_by",
              "approved_on", "review_due_on"]
    template_name = "continuity/impactanalysis_detail.html"

    def extra_context(self, obj):
        horizons = sorted({int(h) for row in (obj.impacts or {}).values()
                           if isinstance(row, dict) for h in row if str(h).isdigit()})
        intolerable = ContinuitySettings.current().intolerable_score
        grid = [(category.label, [(obj.score(category.value, h),
                                   (obj.score(category.value, h) or 0) >= intolerable)
                                  for h in horizons])
                for category in ImpactCategory]
        return {"horizons": horizons, "grid": grid,
                "can_approve": workflow.approves(self.request.user, obj)}


class ContinuityPlanDetail(generic.ScopedDetailView):
    model = ContinuityPlan
    fields = ["document", "activation_criteria", "call_tree", "note"]
    template_name = "continuity/continuityplan_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        return {
            "document": obj.document,
            "published": obj.document.current_version(),
            # Everyone reads a plan, so it names every process it recovers; a process is
            # linked only for those who may open it.
            "processes": obj.processes.order_by("code"),
            "visible_processes": set(obj.processes.restrict(user).values_list("pk",
                                                                              flat=True)),
            "steps": obj.steps.restrict(user).select_related("process").order_by(
                "process__code", "position", "pk"),
            "can_add_step": self.can_change and can(user, RecoveryStep, ADD),
        }


class ExerciseDetail(generic.ScopedDetailView):
    model = Exercise
    fields = ["code", "title", "kind", "department", "planned_on", "held_on", "scenario",
              "findings"]
    template_name = "continuity/exercise_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        results = list(obj.results.restrict(user).select_related("process"))
        rto = {pk: rto for pk, (rto, _rpo) in gaps.objectives(
            [r.process_id for r in results]).items()}
        return {
            "results": [(r, rto.get(r.process_id), r.met_rto(rto.get(r.process_id)))
                        for r in results],
            "plans": obj.plans.restrict(user).select_related("document"),
            "participants": obj.participants.restrict(user).order_by("name")[:100],
            "can_add_result": self.can_change and can(user, ExerciseResult, ADD),
            **raised_from_context(user, obj),
        }


class PlanInvocationList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The continuity plans invoked for incidents, each with the incident's actual "
        "recovery time against the RTO of the processes it hit."
    )
    model = PlanInvocation
    filterset_class = filtersets.PlanInvocationFilterSet
    table_class = tables.PlanInvocationTable
    resource_class = tables.PlanInvocationResource


class PlanInvocationDetail(generic.ScopedDetailView):
    model = PlanInvocation
    fields = ["incident", "plan", "invoked_at", "invoked_by", "note"]
    template_name = "continuity/planinvocation_detail.html"

    def extra_context(self, obj):
        hours = obj.recovery_hours()
        processes = obj.processes.restrict(self.request.user).with_current_bia().order_by(
            "code")
        return {"recovered_in": hours, "hit": [
            (process, process.rto_hours, None if hours is None or process.rto_hours is None
             else hours <= process.rto_hours) for process in processes]}


class PlanInvocationCreate(generic.ScopedCreateView):
    prefill = {"incident": "incident", "plan": "plan"}
    model = PlanInvocation
    form_class = forms.PlanInvocationForm


class PlanInvocationUpdate(generic.ScopedUpdateView):
    model = PlanInvocation
    form_class = forms.PlanInvocationForm


class PlanInvocationDelete(generic.ScopedDeleteView):
    model = PlanInvocation


class PlanInvocationHistory(generic.ObjectHistoryView):
    model = PlanInvocation


class PlanInvocationBulkDelete(generic.ScopedBulkDeleteView):
    model = PlanInvocation


class PlanInvocationImport(generic.ScopedImportView):
    model = PlanInvocation
    form_class = forms.PlanInvocationForm
    resource_class = tables.PlanInvocationResource
