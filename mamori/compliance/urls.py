from django.urls import path

from mamori.compliance import reports, views, views_register
from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.core.modelurls import model_urls
from mamori.core.views.generic import RegisterReportView

app_name = "compliance"

urlpatterns = [
    *model_urls("sources/", LegalSource, views),
    *model_urls("versions/", SourceVersion, views),
    *model_urls("obligations/", Obligation, views),
    *model_urls("evaluations/", Evaluation, views),
    *model_urls("exceptions/", ComplianceException, views),
    *model_urls("impact-assessments/", ImpactAssessment, views),
    *model_urls("regulatory-actions/", RegulatoryAction, views),
    path("evaluations/<int:pk>/download/", views.EvaluationDownload.as_view(),
         name="evaluation_download"),
    path("upcoming/", views_register.UpcomingChanges.as_view(), name="upcoming"),
    path("report/", RegisterReportView.as_view(
        model=Obligation, reports=reports, template_name="compliance/report.html"),
         name="report"),
]
