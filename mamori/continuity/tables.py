from django.utils.translation import gettext_lazy as _

from mamori.continuity.models import (
    AssetRecovery,
    BusinessProcess,
    ContinuityPlan,
    Dependency,
    Exercise,
    ExerciseResult,
    GapAcceptance,
    ImpactAnalysis,
    PlanInvocation,
    RecoveryStep,
)
from mamori.core.tables import Column, Resource, Table


class BusinessProcessTable(Table):
    columns = [
        Column("code", link=True),
        Column("name_ja", link=True),
        Column("department", order_by="department__code"),
        Column("is_service"),
        Column("is_active"),
    ]
    select_related = ("department",)
    default_ordering = "code"


class BusinessProcessResource(Resource):
    model = BusinessProcess
    fields = ["code", "name_ja", "name_en", "department", "description", "is_service",
              "is_active"]
    key = "code"
    natural_keys = {"department": "code"}
    select_related = ("department",)


class ImpactAnalysisTable(Table):
    columns = [
        Column("process", order_by="process__code", link=True),
        Column("analysed_on", link=True),
        Column("mtpd_hours"),
        Column("rto_hours"),
        Column("rpo_hours"),
        Column("status"),
        Column("review_due_on"),
    ]
    select_related = ("process",)
    default_ordering = "-analysed_on"


class ImpactAnalysisResource(Resource):
    model = ImpactAnalysis
    fields = ["process", "analysed_on", "impacts", "rto_hours", "rpo_hours",
              "minimum_service_level", "peak_periods", "note"]
    natural_keys = {"process": "code"}
    select_related = ("process",)


class DependencyTable(Table):
    columns = [
        Column("process", order_by="process__code", link=True),
        Column("kind"),
        Column("asset", order_by="asset__code"),
        Column("contractor", order_by="contractor__code"),
        Column("upstream", order_by="upstream__code"),
        Column("name"),
        Column("alternative"),
    ]
    select_related = ("process", "asset", "contractor", "upstream")
    default_ordering = "process"


class DependencyResource(Resource):
    model = Dependency
    fields = ["process", "kind", "asset", "contractor", "upstream", "name", "alternative",
              "recovery_hours", "backup_interval_hours", "note"]
    natural_keys = {"process": "code", "asset": "code", "contractor": "code",
                    "upstream": "code"}
    select_related = ("process", "asset", "contractor", "upstream")


class AssetRecoveryTable(Table):
    columns = [
        Column("asset", order_by="asset__code", link=True),
        Column("recovery_hours"),
        Column("backup_interval_hours"),
        Column("demonstrated_on"),
    ]
    select_related = ("asset",)
    default_ordering = "-demonstrated_on"  # the latest shown first; no join to every asset


class AssetRecoveryResource(Resource):
    model = AssetRecovery
    fields = ["asset", "recovery_hours", "backup_interval_hours", "demonstrated_on", "note"]
    natural_keys = {"asset": "code"}
    select_related = ("asset",)


class GapAcceptanceTable(Table):
    columns = [
        Column("dependency", order_by="dependency__process__code", link=True),
        Column("gap"),
        Column("accepted_on", link=True),
        Column("expires_on"),
        Column("accepted_by", order_by="accepted_by__name"),
    ]
    select_related = ("dependency__process", "dependency__asset", "dependency__contractor",
                      "dependency__upstream", "accepted_by")
    default_ordering = "-accepted_on"


class GapAcceptanceResource(Resource):
    model = GapAcceptance
    fields = ["dependency", "gap", "reason", "accepted_on", "expires_on"]
    # A dependency has no code of its own: the file names it by id, its label beside it.
    natural_keys = {"dependency": "pk"}
    select_related = ("dependency__process", "dependency__asset", "dependency__contractor",
                      "dependency__upstream")


class ContinuityPlanTable(Table):
    columns = [
        Column("document", order_by="document__code", link=True),
        Column("document.kind", _("kind"), order_by="document__kind"),
        Column("document.next_review_date", _("next review date"),
               order_by="document__next_review_date"),
    ]
    select_related = ("document",)
    default_ordering = "document"


class ContinuityPlanResource(Resource):
    model = ContinuityPlan
    fields = ["document", "activation_criteria", "call_tree", "note"]
    natural_keys = {"document": "code"}
    select_related = ("document",)


class RecoveryStepTable(Table):
    columns = [
        Column("plan", order_by="plan__document__code", link=True),
        Column("process", order_by="process__code"),
        Column("position"),
        Column("action", link=True),
        Column("role"),
        Column("within_hours"),
    ]
    select_related = ("plan__document", "process")
    default_ordering = "plan"


class RecoveryStepResource(Resource):
    model = RecoveryStep
    fields = ["plan", "process", "position", "action", "role", "within_hours"]
    # A plan is named by id (its document's code is not the plan's), its label beside it.
    natural_keys = {"plan": "pk", "process": "code"}
    select_related = ("plan__document", "process")


class ExerciseTable(Table):
    columns = [
        Column("code", link=True),
        Column("title", link=True),
        Column("kind"),
        Column("department", order_by="department__code"),
        Column("planned_on"),
        Column("held_on"),
    ]
    select_related = ("department",)
    default_ordering = "-planned_on"


class ExerciseResource(Resource):
    model = Exercise
    fields = ["code", "title", "kind", "department", "planned_on", "held_on", "scenario",
              "findings"]
    key = "code"
    natural_keys = {"department": "code"}
    select_related = ("department",)


class ExerciseResultTable(Table):
    columns = [
        Column("exercise", order_by="exercise__code", link=True),
        Column("process", order_by="process__code", link=True),
        Column("recovered_in_hours"),
    ]
    select_related = ("exercise", "process")
    default_ordering = "exercise"


class ExerciseResultResource(Resource):
    model = ExerciseResult
    fields = ["exercise", "process", "recovered_in_hours", "note"]
    natural_keys = {"exercise": "code", "process": "code"}
    select_related = ("exercise", "process")


class PlanInvocationTable(Table):
    columns = [
        Column("incident", order_by="incident__code", link=True),
        Column("plan", order_by="plan__document__code"),
        Column("invoked_at", link=True),
        Column("invoked_by", order_by="invoked_by__name"),
    ]
    select_related = ("incident", "plan__document", "invoked_by")
    default_ordering = "-invoked_at"


class PlanInvocationResource(Resource):
    model = PlanInvocation
    fields = ["incident", "plan", "invoked_at", "note"]
    natural_keys = {"incident": "code", "plan": "pk"}
    select_related = ("incident", "plan__document")
