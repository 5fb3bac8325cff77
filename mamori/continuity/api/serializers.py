"""The continuity records over the API: the same forms of validation as the pages (the
model's clean), derived and decided fields read-only."""

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
    PlanInvocation,
    RecoveryStep,
)
from mamori.core import roles as r
from mamori.core.api.viewsets import ScopedModelSerializer, request_user


class BusinessProcessSerializer(ScopedModelSerializer):
    class Meta:
        model = BusinessProcess
        fields = [
            "id",
            "code",
            "name_ja",
            "name_en",
            "department",
            "description",
            "is_service",
            "is_active",
        ]


class ImpactAnalysisSerializer(ScopedModelSerializer):
    class Meta:
        model = ImpactAnalysis
        fields = [
            "id",
            "process",
            "analysed_on",
            "impacts",
            "mtpd_hours",
            "rto_hours",
            "rpo_hours",
            "minimum_service_level",
            "peak_periods",
            "note",
            "status",
            "approved_by",
            "approved_on",
            "review_due_on",
        ]
        read_only_fields = ["mtpd_hours", "status", "approved_by", "approved_on", "review_due_on"]


class DependencySerializer(ScopedModelSerializer):
    class Meta:
        model = Dependency
        fields = [
            "id",
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


class AssetRecoverySerializer(ScopedModelSerializer):
    class Meta:
        model = AssetRecovery
        fields = [
            "id",
            "asset",
            "recovery_hours",
            "backup_interval_hours",
            "demonstrated_on",
            "exercise",
            "note",
        ]


class GapAcceptanceSerializer(ScopedModelSerializer):
    class Meta:
        model = GapAcceptance
        fields = ["id", "dependency", "gap", "reason", "accepted_on", "expires_on", "accepted_by"]
        read_only_fields = ["accepted_by"]

    def create(self, validated_data):
        # As the page's form: the acceptance names the CISO who gave it.
        validated_data["accepted_by_id"] = r.roles_for(request_user(self)).person_id
        return super().create(validated_data)


class ContinuityPlanSerializer(ScopedModelSerializer):
    class Meta:
        model = ContinuityPlan
        fields = ["id", "document", "processes", "activation_criteria", "call_tree", "note"]


class RecoveryStepSerializer(ScopedModelSerializer):
    class Meta:
        model = RecoveryStep
        fields = ["id", "plan", "process", "position", "action", "role", "within_hours"]


class ExerciseSerializer(ScopedModelSerializer):
    class Meta:
        model = Exercise
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "department",
            "planned_on",
            "held_on",
            "scenario",
            "plans",
            "participants",
            "findings",
        ]


class ExerciseResultSerializer(ScopedModelSerializer):
    class Meta:
        model = ExerciseResult
        fields = ["id", "exercise", "process", "recovered_in_hours", "note"]


class ContinuitySettingsSerializer(ScopedModelSerializer):
    class Meta:
        model = ContinuitySettings
        fields = [
            "id",
            "horizons",
            "scale_max",
            "intolerable_score",
            "critical_mtpd_hours",
            "bia_review_months",
            "exercise_months",
        ]


class PlanInvocationSerializer(ScopedModelSerializer):
    class Meta:
        model = PlanInvocation
        fields = ["id", "incident", "plan", "invoked_at", "invoked_by", "processes", "note"]
        read_only_fields = ["invoked_by"]
