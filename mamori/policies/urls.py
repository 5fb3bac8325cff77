from django.urls import path

from mamori.policies import views

app_name = "policies"

urlpatterns = [
    path("documents/", views.PolicyDocumentList.as_view(), name="policydocument_list"),
    path("documents/new/", views.PolicyDocumentCreate.as_view(), name="policydocument_create"),
    path("documents/import/", views.PolicyDocumentImport.as_view(), name="policydocument_import"),
    path(
        "documents/bulk-delete/",
        views.PolicyDocumentBulkDelete.as_view(),
        name="policydocument_bulk_delete",
    ),
    path("documents/<int:pk>/", views.PolicyDocumentDetail.as_view(), name="policydocument_detail"),
    path(
        "documents/<int:pk>/edit/",
        views.PolicyDocumentUpdate.as_view(),
        name="policydocument_update",
    ),
    path(
        "documents/<int:pk>/delete/",
        views.PolicyDocumentDelete.as_view(),
        name="policydocument_delete",
    ),
    path(
        "documents/<int:pk>/history/",
        views.PolicyDocumentHistory.as_view(),
        name="policydocument_history",
    ),
    path("versions/", views.PolicyVersionList.as_view(), name="policyversion_list"),
    path("versions/new/", views.PolicyVersionCreate.as_view(), name="policyversion_create"),
    path(
        "versions/bulk-delete/",
        views.PolicyVersionBulkDelete.as_view(),
        name="policyversion_bulk_delete",
    ),
    path("versions/<int:pk>/", views.PolicyVersionDetail.as_view(), name="policyversion_detail"),
    path(
        "versions/<int:pk>/edit/",
        views.PolicyVersionUpdate.as_view(),
        name="policyversion_update",
    ),
    path(
        "versions/<int:pk>/delete/",
        views.PolicyVersionDelete.as_view(),
        name="policyversion_delete",
    ),
    path(
        "versions/<int:pk>/history/",
        views.PolicyVersionHistory.as_view(),
        name="policyversion_history",
    ),
    path("reviews/", views.PolicyReviewList.as_view(), name="policyreview_list"),
    path("reviews/new/", views.PolicyReviewCreate.as_view(), name="policyreview_create"),
    path(
        "reviews/bulk-delete/",
        views.PolicyReviewBulkDelete.as_view(),
        name="policyreview_bulk_delete",
    ),
    path("reviews/<int:pk>/", views.PolicyReviewDetail.as_view(), name="policyreview_detail"),
    path("reviews/<int:pk>/edit/", views.PolicyReviewUpdate.as_view(), name="policyreview_update"),
    path(
        "reviews/<int:pk>/delete/",
        views.PolicyReviewDelete.as_view(),
        name="policyreview_delete",
    ),
    path(
        "reviews/<int:pk>/history/",
        views.PolicyReviewHistory.as_view(),
        name="policyreview_history",
    ),
    path("acknowledgements/", views.AcknowledgementList.as_view(), name="acknowledgement_list"),
    path(
        "acknowledgements/<int:pk>/",
        views.AcknowledgementDetail.as_view(),
        name="acknowledgement_detail",
    ),
    path(
        "acknowledgements/<int:pk>/history/",
        views.AcknowledgementHistory.as_view(),
        name="acknowledgement_history",
    ),
    path("documents/<int:pk>/new-version/", views.NewDraftView.as_view(), name="new_draft"),
    path("documents/<int:pk>/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("documents/<int:pk>/remind/", views.SendRemindersView.as_view(), name="remind"),
    path("versions/<int:pk>/diff/", views.PolicyVersionDiff.as_view(), name="policyversion_diff"),
    path("versions/<int:pk>/acknowledge/", views.AcknowledgeView.as_view(), name="acknowledge"),
    path("versions/<int:pk>/<slug:step>/", views.WorkflowStepView.as_view(), name="step"),
]
