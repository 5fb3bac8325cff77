from mamori.continuity import filtersets
from mamori.continuity.api import serializers
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
from mamori.core.api.viewsets import ScopedModelViewSet


class BusinessProcessViewSet(ScopedModelViewSet):
    model = BusinessProcess
    serializer_class = serializers.BusinessProcessSerializer
    filterset_class = filtersets.BusinessProcessFilterSet


class ImpactAnalysisViewSet(ScopedModelViewSet):
    model = ImpactAnalysis
    serializer_class = serializers.ImpactAnalysisSerializer
    filterset_class = filtersets.ImpactAnalysisFilterSet


class DependencyViewSet(ScopedModelViewSet):
    model = Dependency
    serializer_class = serializers.DependencySerializer
    filterset_class = filtersets.DependencyFilterSet


class AssetRecoveryViewSet(ScopedModelViewSet):
    model = AssetRecovery
    serializer_class = serializers.AssetRecoverySerializer
    filterset_class = filtersets.AssetRecoveryFilterSet


class GapAcceptanceViewSet(ScopedModelViewSet):
    model = GapAcceptance
    serializer_class = serializers.GapAcceptanceSerializer
    filterset_class = filtersets.GapAcceptanceFilterSet


class ContinuityPlanViewSet(ScopedModelViewSet):
    model = ContinuityPlan
    serializer_class = serializers.ContinuityPlanSerializer
    linked_fields = ("processes",)
    filterset_class = filtersets.ContinuityPlanFilterSet


class RecoveryStepViewSet(ScopedModelViewSet):
    model = RecoveryStep
    serializer_class = serializers.RecoveryStepSerializer
    filterset_class = filtersets.RecoveryStepFilterSet


class ExerciseViewSet(ScopedModelViewSet):
    model = Exercise
    serializer_class = serializers.ExerciseSerializer
    linked_fields = ("plans", "participants")
    filterset_class = filtersets.ExerciseFilterSet


class ExerciseResultViewSet(ScopedModelViewSet):
    model = ExerciseResult
    serializer_class = serializers.ExerciseResultSerializer
    filterset_class = filtersets.ExerciseResultFilterSet


class ContinuitySettingsViewSet(ScopedModelViewSet):
    model = ContinuitySettings
    serializer_class = serializers.ContinuitySettingsSerializer
    filterset_class = None
    http_method_names = ["get", "put", "patch", "head", "options"]


class PlanInvocationViewSet(ScopedModelViewSet):
    model = PlanInvocation
    serializer_class = serializers.PlanInvocationSerializer
    filterset_class = filtersets.PlanInvocationFilterSet
    linked_fields = ("processes",)
