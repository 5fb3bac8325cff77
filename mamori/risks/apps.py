from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "mamori.risks"
    label = "risks"
    verbose_name = _("Risk assessment")

    def ready(self):
        from mamori.risks.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="risks-defaults")

        from mamori.core.views.dashboard import register_my_page_panel
        from mamori.risks.todo import my_page_panel

        register_my_page_panel("risks/_my_page.html", my_page_panel)

        from mamori.core.demo import register_demo_step
        from mamori.risks.demo import load_risk_demo

        register_demo_step(load_risk_demo)
