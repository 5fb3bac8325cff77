from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssetsConfig(AppConfig):
    name = "mamori.assets"
    label = "assets"
    verbose_name = _("Information assets")

    def ready(self):
        from mamori.assets.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="assets-defaults")

        from mamori.assets.demo import load_asset_demo
        from mamori.core.demo import register_demo_step

        register_demo_step(load_asset_demo)
