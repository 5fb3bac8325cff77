from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "mamori.training"
    label = "training"
    verbose_name = _("Education and training")

    def ready(self):
        from mamori.training import signals
        from mamori.training.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="training-defaults")
        signals.connect()

        from mamori.core.views.dashboard import register_my_page_panel
        from mamori.training.todo import my_page_panel

        register_my_page_panel("training/_my_page.html", my_page_panel)

        from mamori.core.demo import register_demo_step
        from mamori.training.demo import load_training_demo

        register_demo_step(load_training_demo)
