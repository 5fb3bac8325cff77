from django.urls import path

from mamori.core.choosers import ChoicesView
from mamori.core.views import changelog, dashboard, import_jobs, tasks, tokens

app_name = "core"

urlpatterns = [
    path("", dashboard.HomeView.as_view(), name="home"),
    path("dashboard/", dashboard.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<str:code>/", dashboard.ConformanceCheckView.as_view(),
         name="conformance_check"),
    path("me/", dashboard.MyPageView.as_view(), name="my_page"),
    path("changelog/", changelog.ChangeLogView.as_view(), name="changelog"),
    path("changelog/verify/", changelog.VerifyChainView.as_view(), name="verify_chain"),
    path("tasks/", tasks.TaskHealthView.as_view(), name="tasks"),
    path("imports/<int:pk>/", import_jobs.ImportJobView.as_view(), name="import_job"),
    path("choices/", ChoicesView.as_view(), name="choices"),
    path("me/tokens/", tokens.TokenListView.as_view(), name="tokens"),
]
