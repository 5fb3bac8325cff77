from rest_framework.routers import SimpleRouter

from mamori.contractors.api import views

router = SimpleRouter()
router.register("contractors", views.ContractorViewSet, basename="contractor")
router.register("tier-rules", views.TierRuleViewSet, basename="tierrule")
router.register("requirements", views.ScreeningRequirementViewSet,
                basename="screeningrequirement")
router.register("screenings", views.ScreeningViewSet, basename="screening")
router.register("answers", views.ScreeningAnswerViewSet, basename="screeninganswer")
urlpatterns = router.urls
