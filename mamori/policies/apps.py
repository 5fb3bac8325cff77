from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "mamori.policies"
    label = "policies"
    verbose_name = _("Policies and internal rules")

    def ready(self):
        from mamori.core.views.dashboard import register_my_page_panel
        from mamori.policies.views import my_page_panel

        register_my_page_panel("policies/_my_page.html", my_page_panel)

        from mamori.core.demo import register_demo_step
        from mamori.policies.demo import load_policy_demo

        register_demo_step(load_policy_demo)
