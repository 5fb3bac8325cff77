from mamori.contractors import views
from mamori.contractors.models import Contractor, ScreeningRequirement, TierRule
from mamori.core.modelurls import model_urls

app_name = "contractors"

urlpatterns = [
    *model_urls("register/", Contractor, views),
    *model_urls("tier-rules/", TierRule, views),
    *model_urls("requirements/", ScreeningRequirement, views),
]
