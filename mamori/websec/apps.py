from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class WebsecConfig(AppConfig):
    name = "mamori.websec"
    label = "websec"
    verbose_name = _("Web systems")

    def ready(self):
        from mamori.websec.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="websec-defaults")

        from mamori.core.demo import register_demo_step
        from mamori.websec.demo import load_websec_demo

        register_demo_step(load_websec_demo)
