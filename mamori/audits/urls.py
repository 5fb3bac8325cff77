from django.urls import path

from mamori.audits import views
from mamori.audits.models import Audit, AuditProgramme, AuditSettings, ChecklistItem
from mamori.core.modelurls import model_urls

app_name = "audits"

urlpatterns = [
    *model_urls("programmes/", AuditProgramme, views),
    *model_urls("checklist-items/", ChecklistItem, views),
    *model_urls("settings/", AuditSettings, views),
    *model_urls("", Audit, views),
    path("<int:pk>/<slug:step>/", views.AuditStep.as_view(), name="audit_step"),
]
