from django.urls import path

from mamori.identity import views, views_hrsync

app_name = "identity"

urlpatterns = [
    path("provisioning/", views.ProvisioningView.as_view(), name="provisioning"),
    path("hr-sync/", views_hrsync.HrSyncStart.as_view(), name="hrsync"),
    path("hr-sync/<int:pk>/", views_hrsync.HrSyncDetail.as_view(), name="hrsync_detail"),
]
