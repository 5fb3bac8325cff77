from rest_framework.routers import SimpleRouter

from mamori.incidents.api import views

router = SimpleRouter()
router.register("incidents", views.IncidentViewSet, basename="incident")
router.register("timeline", views.IncidentEntryViewSet, basename="incidententry")
router.register("recovery-actions", views.RecoveryActionViewSet, basename="recoveryaction")
router.register("assessments", views.BreachAssessmentViewSet, basename="breachassessment")
router.register("reports", views.RegulatoryReportViewSet, basename="regulatoryreport")
router.register("rules", views.BreachRuleViewSet, basename="breachrule")
router.register("response-targets", views.ResponseTargetViewSet, basename="responsetarget")
router.register("settings", views.IncidentSettingsViewSet, basename="incidentsettings")
urlpatterns = router.urls
