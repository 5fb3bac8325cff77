from django.urls import path

from mamori.identity import views

app_name = "identity"

urlpatterns = [
    path("provisioning/", views.ProvisioningView.as_view(), name="provisioning"),
]
