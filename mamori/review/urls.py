from django.urls import path

from mamori.core.modelurls import model_urls
from mamori.review import views, views_measures, views_reviews
from mamori.review.models import (
    ManagementReview,
    Measure,
    Measurement,
    Objective,
    ReviewDecision,
    ReviewSettings,
)

app_name = "review"

urlpatterns = [
    path("dashboard/", views_measures.MeasuresDashboard.as_view(), name="dashboard"),
    *model_urls("measures/", Measure, views_measures),
    *model_urls("measurements/", Measurement, views),
    *model_urls("objectives/", Objective, views),
    *model_urls("reviews/", ManagementReview, views_reviews),
    path("reviews/<int:pk>/pack.pdf", views_reviews.ManagementReviewPackPdf.as_view(),
         name="managementreview_pack_pdf"),
    path("reviews/<int:pk>/pack.xlsx", views_reviews.ManagementReviewPackXlsx.as_view(),
         name="managementreview_pack_xlsx"),
    path("reviews/<int:pk>/preview/", views_reviews.ManagementReviewPreview.as_view(),
         name="managementreview_preview"),
    # After the review's own pages, whose paths (edit/, delete/, history/) it would match.
    path("reviews/<int:pk>/<slug:step>/", views_reviews.ManagementReviewStep.as_view(),
         name="managementreview_step"),
    *model_urls("decisions/", ReviewDecision, views_reviews),
    *model_urls("settings/", ReviewSettings, views),
]
