from rest_framework.routers import SimpleRouter

from mamori.contractors.api import views

router = SimpleRouter()
router.register("contractors", views.ContractorViewSet, basename="contractor")
router.register("tier-rules", views.TierRuleViewSet, basename="tierrule")
router.register("requirements", views.ScreeningRequirementViewSet,
                basename="screeningrequirement")
router.register("screenings", views.ScreeningViewSet, basename="screening")
router.register("answers", views.ScreeningAnswerViewSet, basename="screeninganswer")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("certificates", views.CertificateViewSet, basename="certificate")
router.register("subcontracting", views.SubcontractingViewSet, basename="subcontracting")
router.register("settings", views.ContractorSettingsViewSet, basename="contractorsettings")
urlpatterns = router.urls
