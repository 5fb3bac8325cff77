from rest_framework.routers import SimpleRouter

from mamori.risks.api import views

router = SimpleRouter()
router.register("risks", views.RiskViewSet, basename="risk")
router.register("threats", views.ThreatViewSet, basename="threat")
router.register("bands", views.RiskBandViewSet, basename="riskband")
router.register("methodology", views.RiskMethodologyViewSet, basename="riskmethodology")
router.register("acceptances", views.RiskAcceptanceViewSet, basename="riskacceptance")
urlpatterns = router.urls
