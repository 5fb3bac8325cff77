from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "mamori.identity"
    label = "identity"
    verbose_name = _("Identity and provisioning")

    def ready(self):
        from mamori.identity import checks  # noqa: F401  (registers the system checks)
