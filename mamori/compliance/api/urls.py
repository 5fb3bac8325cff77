from rest_framework.routers import SimpleRouter

from mamori.compliance.api import views

router = SimpleRouter()
router.register("sources", views.LegalSourceViewSet, basename="legalsource")
router.register("versions", views.SourceVersionViewSet, basename="sourceversion")
router.register("obligations", views.ObligationViewSet, basename="obligation")
router.register("evaluations", views.EvaluationViewSet, basename="evaluation")
router.register("exceptions", views.ComplianceExceptionViewSet, basename="complianceexception")
router.register("impact-assessments", views.ImpactAssessmentViewSet,
                basename="impactassessment")
router.register("regulatory-actions", views.RegulatoryActionViewSet,
                basename="regulatoryaction")
urlpatterns = router.urls
