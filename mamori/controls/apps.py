from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ControlsConfig(AppConfig):
    name = "mamori.controls"
    label = "controls"
    verbose_name = _("Controls and frameworks")

    def ready(self):
        from mamori.controls.demo import load_control_demo
        from mamori.core.demo import register_demo_step

        register_demo_step(load_control_demo)
