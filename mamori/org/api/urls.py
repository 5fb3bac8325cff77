from rest_framework.routers import SimpleRouter

from mamori.org.api import views

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("people", views.PersonViewSet, basename="person")
router.register("appointments", views.AppointmentViewSet, basename="appointment")
urlpatterns = router.urls
