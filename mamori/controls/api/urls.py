from rest_framework.routers import SimpleRouter

from mamori.controls.api import views

router = SimpleRouter()
router.register("controls", views.ControlViewSet, basename="control")
router.register("evidence", views.EvidenceViewSet, basename="evidence")
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("requirement-mappings", views.RequirementMappingViewSet,
                basename="requirementmapping")
urlpatterns = router.urls
