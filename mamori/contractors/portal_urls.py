from django.urls import path

from mamori.contractors.portal_views import PortalView

app_name = "portal"

urlpatterns = [
    path("<str:token>/", PortalView.as_view(), name="answers"),
]
