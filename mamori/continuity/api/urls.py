from rest_framework.routers import SimpleRouter

from mamori.continuity.api import views

router = SimpleRouter()
router.register("processes", views.BusinessProcessViewSet, basename="businessprocess")
router.register("impact-analyses", views.ImpactAnalysisViewSet, basename="impactanalysis")
router.register("dependencies", views.DependencyViewSet, basename="dependency")
router.register("asset-recoveries", views.AssetRecoveryViewSet, basename="assetrecovery")
router.register("gap-acceptances", views.GapAcceptanceViewSet, basename="gapacceptance")
router.register("plans", views.ContinuityPlanViewSet, basename="continuityplan")
router.register("recovery-steps", views.RecoveryStepViewSet, basename="recoverystep")
router.register("exercises", views.ExerciseViewSet, basename="exercise")
router.register("exercise-results", views.ExerciseResultViewSet, basename="exerciseresult")
router.register("plan-invocations", views.PlanInvocationViewSet, basename="planinvocation")
router.register("settings", views.ContinuitySettingsViewSet, basename="continuitysettings")
urlpatterns = router.urls
