from django.urls import path, re_path

from mamori.incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.IncidentList.as_view(), name="incident_list"),
    path("new/", views.IncidentCreate.as_view(), name="incident_create"),
    path("response-times/", views.IncidentResponseTimes.as_view(), name="incident_response_times"),
    path("import/", views.IncidentImport.as_view(), name="incident_import"),
    path("<int:pk>/", views.IncidentDetail.as_view(), name="incident_detail"),
    path("<int:pk>/edit/", views.IncidentUpdate.as_view(), name="incident_update"),
    path("<int:pk>/history/", views.IncidentHistory.as_view(), name="incident_history"),
    path("<int:pk>/move/", views.IncidentTransition.as_view(), name="incident_move"),
    path("<int:pk>/note/", views.IncidentNote.as_view(), name="incident_note"),
    path("<int:pk>/escalate/", views.IncidentEscalate.as_view(), name="incident_escalate"),
    path("recovery-actions/", views.RecoveryActionList.as_view(), name="recoveryaction_list"),
    path(
        "recovery-actions/new/", views.RecoveryActionCreate.as_view(), name="recoveryaction_create"
    ),
    path(
        "recovery-actions/import/",
        views.RecoveryActionImport.as_view(),
        name="recoveryaction_import",
    ),
    path(
        "recovery-actions/bulk-delete/",
        views.RecoveryActionBulkDelete.as_view(),
        name="recoveryaction_bulk_delete",
    ),
    path(
        "recovery-actions/<int:pk>/",
        views.RecoveryActionDetail.as_view(),
        name="recoveryaction_detail",
    ),
    path(
        "recovery-actions/<int:pk>/edit/",
        views.RecoveryActionUpdate.as_view(),
        name="recoveryaction_update",
    ),
    path(
        "recovery-actions/<int:pk>/delete/",
        views.RecoveryActionDelete.as_view(),
        name="recoveryaction_delete",
    ),
    path(
        "recovery-actions/<int:pk>/history/",
        views.RecoveryActionHistory.as_view(),
        name="recoveryaction_history",
    ),
    path("breach-assessments/", views.BreachAssessmentList.as_view(), name="breachassessment_list"),
    path(
        "breach-assessments/new/",
        views.BreachAssessmentCreate.as_view(),
        name="breachassessment_create",
    ),
    path(
        "breach-assessments/bulk-delete/",
        views.BreachAssessmentBulkDelete.as_view(),
        name="breachassessment_bulk_delete",
    ),
    path(
        "breach-assessments/<int:pk>/",
        views.BreachAssessmentDetail.as_view(),
        name="breachassessment_detail",
    ),
    path(
        "breach-assessments/<int:pk>/edit/",
        views.BreachAssessmentUpdate.as_view(),
        name="breachassessment_update",
    ),
    path(
        "breach-assessments/<int:pk>/delete/",
        views.BreachAssessmentDelete.as_view(),
        name="breachassessment_delete",
    ),
    path(
        "breach-assessments/<int:pk>/history/",
        views.BreachAssessmentHistory.as_view(),
        name="breachassessment_history",
    ),
    path("reports/", views.RegulatoryReportList.as_view(), name="regulatoryreport_list"),
    path("reports/new/", views.RegulatoryReportCreate.as_view(), name="regulatoryreport_create"),
    path("reports/import/", views.RegulatoryReportImport.as_view(), name="regulatoryreport_import"),
    path(
        "reports/bulk-delete/",
        views.RegulatoryReportBulkDelete.as_view(),
        name="regulatoryreport_bulk_delete",
    ),
    path(
        "reports/<int:pk>/", views.RegulatoryReportDetail.as_view(), name="regulatoryreport_detail"
    ),
    path(
        "reports/<int:pk>/edit/",
        views.RegulatoryReportUpdate.as_view(),
        name="regulatoryreport_update",
    ),
    path(
        "reports/<int:pk>/delete/",
        views.RegulatoryReportDelete.as_view(),
        name="regulatoryreport_delete",
    ),
    path(
        "reports/<int:pk>/history/",
        views.RegulatoryReportHistory.as_view(),
        name="regulatoryreport_history",
    ),
    re_path(r"^reports/(?P<pk>[0-9]+)/(?P<format>pdf|xlsx)/$",
            views.RegulatoryReportExport.as_view(), name="regulatoryreport_export"),
    path("rules/", views.BreachRuleList.as_view(), name="breachrule_list"),
    path("rules/new/", views.BreachRuleCreate.as_view(), name="breachrule_create"),
    path("rules/import/", views.BreachRuleImport.as_view(), name="breachrule_import"),
    path("rules/bulk-delete/", views.BreachRuleBulkDelete.as_view(), name="breachrule_bulk_delete"),
    path("rules/<int:pk>/", views.BreachRuleDetail.as_view(), name="breachrule_detail"),
    path("rules/<int:pk>/edit/", views.BreachRuleUpdate.as_view(), name="breachrule_update"),
    path("rules/<int:pk>/delete/", views.BreachRuleDelete.as_view(), name="breachrule_delete"),
    path("rules/<int:pk>/history/", views.BreachRuleHistory.as_view(), name="breachrule_history"),
    path("response-targets/", views.ResponseTargetList.as_view(), name="responsetarget_list"),
    path(
        "response-targets/new/", views.ResponseTargetCreate.as_view(), name="responsetarget_create"
    ),
    path(
        "response-targets/import/",
        views.ResponseTargetImport.as_view(),
        name="responsetarget_import",
    ),
    path(
        "response-targets/bulk-delete/",
        views.ResponseTargetBulkDelete.as_view(),
        name="responsetarget_bulk_delete",
    ),
    path(
        "response-targets/<int:pk>/",
        views.ResponseTargetDetail.as_view(),
        name="responsetarget_detail",
    ),
    path(
        "response-targets/<int:pk>/edit/",
        views.ResponseTargetUpdate.as_view(),
        name="responsetarget_update",
    ),
    path(
        "response-targets/<int:pk>/delete/",
        views.ResponseTargetDelete.as_view(),
        name="responsetarget_delete",
    ),
    path(
        "response-targets/<int:pk>/history/",
        views.ResponseTargetHistory.as_view(),
        name="responsetarget_history",
    ),
    path("settings/", views.IncidentSettingsList.as_view(), name="incidentsettings_list"),
    path(
        "settings/<int:pk>/", views.IncidentSettingsDetail.as_view(), name="incidentsettings_detail"
    ),
    path(
        "settings/<int:pk>/edit/",
        views.IncidentSettingsUpdate.as_view(),
        name="incidentsettings_update",
    ),
    path(
        "settings/<int:pk>/history/",
        views.IncidentSettingsHistory.as_view(),
        name="incidentsettings_history",
    ),
]
