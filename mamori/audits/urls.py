from django.urls import path

from mamori.audits import views
from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
    WorkingPaper,
)
from mamori.core.modelurls import model_urls

app_name = "audits"

urlpatterns = [
    *model_urls("programmes/", AuditProgramme, views),
    *model_urls("checklist-items/", ChecklistItem, views),
    *model_urls("working-papers/", WorkingPaper, views),
    path("working-papers/<int:pk>/download/", views.WorkingPaperDownload.as_view(),
         name="workingpaper_download"),
    *model_urls("requests/", EvidenceRequest, views),
    *model_urls("certificates/", AuditCertificate, views),
    path("requests/<int:pk>/answer/", views.EvidenceRequestAnswer.as_view(),
         name="evidencerequest_answer"),
    *model_urls("settings/", AuditSettings, views),
    *model_urls("", Audit, views),
    path("<int:pk>/report/", views.AuditReport.as_view(), name="audit_report"),
    path("<int:pk>/<slug:step>/", views.AuditStep.as_view(), name="audit_step"),
]
