from django.urls import path

from mamori.contractors import views
from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    ContractorSettings,
    PortalLink,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
from mamori.core.modelurls import model_urls

app_name = "contractors"

urlpatterns = [
    *model_urls("register/", Contractor, views),
    *model_urls("tier-rules/", TierRule, views),
    *model_urls("requirements/", ScreeningRequirement, views),
    *model_urls("screenings/", Screening, views),
    path("screenings/<int:pk>/assess/", views.ScreeningAssess.as_view(),
         name="screening_assess"),
    path("screenings/<int:pk>/link/", views.ScreeningIssueLink.as_view(),
         name="screening_issue_link"),
    *model_urls("portal-links/", PortalLink, views),
    *model_urls("contracts/", Contract, views),
    *model_urls("certificates/", Certificate, views),
    path("certificates/<int:pk>/file/", views.CertificateDownload.as_view(),
         name="certificate_download"),
    *model_urls("settings/", ContractorSettings, views),
    path("portal-links/<int:pk>/revoke/", views.PortalLinkRevoke.as_view(),
         name="portallink_revoke"),
    *model_urls("answers/", ScreeningAnswer, views),
    path("answers/<int:pk>/accept/", views.ScreeningAnswerAccept.as_view(),
         name="screeninganswer_accept"),
    *model_urls("subcontracting/", Subcontracting, views),
    path("subcontracting/<int:pk>/decide/", views.SubcontractingDecide.as_view(),
         name="subcontracting_decide"),
    path("subcontracting/<int:pk>/end/", views.SubcontractingEnd.as_view(),
         name="subcontracting_end"),
]
