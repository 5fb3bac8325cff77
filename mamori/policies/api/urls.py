from rest_framework.routers import SimpleRouter

from mamori.policies.api import views

router = SimpleRouter()
router.register("documents", views.PolicyDocumentViewSet, basename="policydocument")
router.register("versions", views.PolicyVersionViewSet, basename="policyversion")
router.register("acknowledgements", views.AcknowledgementViewSet, basename="acknowledgement")
router.register("reviews", views.PolicyReviewViewSet, basename="policyreview")
urlpatterns = router.urls
