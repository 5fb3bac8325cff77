from rest_framework.routers import SimpleRouter

from mamori.audits.api import views

router = SimpleRouter()
router.register("programmes", views.AuditProgrammeViewSet, basename="auditprogramme")
router.register("audits", views.AuditViewSet, basename="audit")
router.register("checklist-items", views.ChecklistItemViewSet, basename="checklistitem")
router.register("requests", views.EvidenceRequestViewSet, basename="evidencerequest")
router.register("certificates", views.AuditCertificateViewSet, basename="auditcertificate")
router.register("settings", views.AuditSettingsViewSet, basename="auditsettings")
urlpatterns = router.urls
