from django.contrib import admin

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
from mamori.core.admin import ScopedAdmin


@admin.register(BusinessProcess)
class BusinessProcessAdmin(ScopedAdmin):
    pass


@admin.register(ImpactAnalysis)
class ImpactAnalysisAdmin(ScopedAdmin):
    pass


@admin.register(Dependency)
class DependencyAdmin(ScopedAdmin):
    pass


@admin.register(AssetRecovery)
class AssetRecoveryAdmin(ScopedAdmin):
    pass


@admin.register(GapAcceptance)
class GapAcceptanceAdmin(ScopedAdmin):
    pass


@admin.register(ContinuityPlan)
class ContinuityPlanAdmin(ScopedAdmin):
    pass


@admin.register(RecoveryStep)
class RecoveryStepAdmin(ScopedAdmin):
    pass


@admin.register(Exercise)
class ExerciseAdmin(ScopedAdmin):
    pass


@admin.register(ExerciseResult)
class ExerciseResultAdmin(ScopedAdmin):
    pass


@admin.register(ContinuitySettings)
class ContinuitySettingsAdmin(ScopedAdmin):
    pass


@admin.register(PlanInvocation)
class PlanInvocationAdmin(ScopedAdmin):
    pass
