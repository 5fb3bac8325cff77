from rest_framework.routers import SimpleRouter

from mamori.improvement.api import views

router = SimpleRouter()
router.register("nonconformities", views.NonconformityViewSet, basename="nonconformity")
router.register("corrective-actions", views.CorrectiveActionViewSet,
                basename="correctiveaction")
router.register("effectiveness-checks", views.EffectivenessCheckViewSet,
                basename="effectivenesscheck")
router.register("actions", views.ImprovementActionViewSet, basename="improvementaction")
router.register("settings", views.ImprovementSettingsViewSet, basename="improvementsettings")
urlpatterns = router.urls
