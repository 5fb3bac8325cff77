from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "mamori.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self):
        from mamori.core.roles import register_provider
        from mamori.org.models import roles_from_appointments

        register_provider(roles_from_appointments)
