from django.urls import path

from mamori.core.modelurls import model_urls
from mamori.improvement import views
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    ImprovementSettings,
    Nonconformity,
)

app_name = "improvement"

urlpatterns = [
    *model_urls("nonconformities/", Nonconformity, views),
    path("nonconformities/new/from/<str:source>/<int:source_pk>/",
         views.NonconformityCreate.as_view(), name="nonconformity_raise"),
    path("nonconformities/<int:pk>/check/", views.NonconformityCheck.as_view(),
         name="nonconformity_check"),
    path("nonconformities/<int:pk>/<slug:step>/", views.NonconformityStep.as_view(),
         name="nonconformity_step"),
    *model_urls("corrective-actions/", CorrectiveAction, views),
    *model_urls("effectiveness-checks/", EffectivenessCheck, views),
    *model_urls("actions/", ImprovementAction, views),
    path("actions/new/from/<str:source>/<int:source_pk>/",
         views.ImprovementActionCreate.as_view(), name="improvementaction_raise"),
    *model_urls("settings/", ImprovementSettings, views),
]
