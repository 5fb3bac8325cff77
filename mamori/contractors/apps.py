from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContractorsConfig(AppConfig):
    name = "mamori.contractors"
    label = "contractors"
    verbose_name = _("Outsourcing contractors")

    def ready(self):
        from mamori.contractors.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="contractors-defaults")

        from mamori.contractors.todo import my_page_panel
        from mamori.core.views.dashboard import register_my_page_panel

        register_my_page_panel("contractors/_my_page.html", my_page_panel)

        from mamori.contractors.demo import load_contractor_demo
        from mamori.core.demo import register_demo_step

        register_demo_step(load_contractor_demo)
