from django.urls import path

from mamori.continuity import reports, views, views_impact
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
from mamori.core.modelurls import model_urls
from mamori.core.views.generic import RegisterReportView

app_name = "continuity"

urlpatterns = [
    *model_urls("processes/", BusinessProcess, views),
    *model_urls("impact-analyses/", ImpactAnalysis, views),
    *model_urls("dependencies/", Dependency, views),
    *model_urls("asset-recoveries/", AssetRecovery, views),
    *model_urls("gap-acceptances/", GapAcceptance, views),
    *model_urls("plans/", ContinuityPlan, views),
    *model_urls("recovery-steps/", RecoveryStep, views),
    *model_urls("exercises/", Exercise, views),
    *model_urls("exercise-results/", ExerciseResult, views),
    *model_urls("invocations/", PlanInvocation, views),
    *model_urls("settings/", ContinuitySettings, views),
    path(
        "impact-analyses/<int:pk>/approve/",
        views_impact.ImpactAnalysisApprove.as_view(),
        name="impactanalysis_approve",
    ),
    path("impact/", views_impact.DependencyImpact.as_view(), name="impact"),
    path("report/", RegisterReportView.as_view(
        model=BusinessProcess, reports=reports, template_name="continuity/report.html"),
         name="report"),
]
