from rest_framework.routers import SimpleRouter

from mamori.websec.api import views

router = SimpleRouter()
router.register("endpoints", views.WebEndpointViewSet, basename="webendpoint")
router.register("scans", views.TlsScanViewSet, basename="tlsscan")
router.register("findings", views.TlsFindingViewSet, basename="tlsfinding")
router.register("profiles", views.TlsProfileViewSet, basename="tlsprofile")
router.register("settings", views.WebSecuritySettingsViewSet, basename="websecuritysettings")
urlpatterns = router.urls
