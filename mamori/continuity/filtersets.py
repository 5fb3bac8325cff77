"""One filterset per model, shared by the list page and the API."""

import django_filters
from django.db.models import Q
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
from mamori.core.filtersets import ScopedFilterSet, related_by_id


class BusinessProcessFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = BusinessProcess
        fields = ["department", "is_service", "is_active"]

    def search(self, queryset, name, value):
        # A few hundred processes: compared row by row, no search index needed.
        return queryset.filter(Q(code__icontains=value) | Q(name_ja__icontains=value)
                               | Q(name_en__icontains=value))


class ImpactAnalysisFilterSet(ScopedFilterSet):
    process = related_by_id(ImpactAnalysis, "process")

    class Meta:
        model = ImpactAnalysis
        fields = ["process", "status"]


class DependencyFilterSet(ScopedFilterSet):
    process = related_by_id(Dependency, "process")
    asset = related_by_id(Dependency, "asset")
    contractor = related_by_id(Dependency, "contractor")

    class Meta:
        model = Dependency
        fields = ["process", "kind", "asset", "contractor"]


class AssetRecoveryFilterSet(ScopedFilterSet):
    asset = related_by_id(AssetRecovery, "asset")

    class Meta:
        model = AssetRecovery
        fields = ["asset"]


class GapAcceptanceFilterSet(ScopedFilterSet):
    dependency = related_by_id(GapAcceptance, "dependency")

    class Meta:
        model = GapAcceptance
        fields = ["dependency", "gap"]


class ContinuityPlanFilterSet(ScopedFilterSet):
    class Meta:
        model = ContinuityPlan
        fields = ["document__kind"]


class RecoveryStepFilterSet(ScopedFilterSet):
    plan = related_by_id(RecoveryStep, "plan")
    process = related_by_id(RecoveryStep, "process")

    class Meta:
        model = RecoveryStep
        fields = ["plan", "process"]


class ExerciseFilterSet(ScopedFilterSet):
    class Meta:
        model = Exercise
        fields = ["kind", "department"]


class ExerciseResultFilterSet(ScopedFilterSet):
    exercise = related_by_id(ExerciseResult, "exercise")
    process = related_by_id(ExerciseResult, "process")

    class Meta:
        model = ExerciseResult
        fields = ["exercise", "process"]


class PlanInvocationFilterSet(ScopedFilterSet):
    incident = related_by_id(PlanInvocation, "incident")
    plan = related_by_id(PlanInvocation, "plan")

    class Meta:
        model = PlanInvocation
        fields = ["incident", "plan"]
