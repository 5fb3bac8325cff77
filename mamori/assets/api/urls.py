from rest_framework.routers import SimpleRouter

from mamori.assets.api import views

router = SimpleRouter()
router.register("assets", views.AssetViewSet, basename="asset")
router.register("classification-levels", views.ClassificationLevelViewSet,
                basename="classificationlevel")
router.register("settings", views.AssetSettingsViewSet, basename="assetsettings")
urlpatterns = router.urls
