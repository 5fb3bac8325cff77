from rest_framework.routers import SimpleRouter

from mamori.review.api import views

router = SimpleRouter()
router.register("measures", views.MeasureViewSet, basename="measure")
router.register("measurements", views.MeasurementViewSet, basename="measurement")
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("reviews", views.ManagementReviewViewSet, basename="managementreview")
router.register("decisions", views.ReviewDecisionViewSet, basename="reviewdecision")
router.register("packs", views.ReviewPackViewSet, basename="reviewpack")
router.register("settings", views.ReviewSettingsViewSet, basename="reviewsettings")
urlpatterns = router.urls
