from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ImprovementConfig(AppConfig):
    name = "mamori.improvement"
    label = "improvement"
    verbose_name = _("Improvement")

    def ready(self):
        from mamori.improvement.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="improvement-defaults")

        from mamori.core.views.dashboard import register_dashboard_panel, register_my_page_panel
        from mamori.improvement.todo import my_page_panel

        # Actions owned and plans due: on everyone's My page, and where the CISO lands.
        register_my_page_panel("improvement/_my_page.html", my_page_panel)
        register_dashboard_panel("improvement/_my_page.html", my_page_panel)

        from mamori.core.demo import register_demo_step
        from mamori.improvement.demo import load_improvement_demo

        register_demo_step(load_improvement_demo)
