from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_migrate, pre_delete
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mamori.core"
    label = "core"
    verbose_name = _("Mamori core")

    def ready(self):
        from mamori.core.audit import AuditedModel, record_deletion, record_m2m_change

        # Connected per audited model (not for every model), so Django keeps its fast
        # deletes for sessions, caches and task results.
        for model in apps.get_models():
            if issubclass(model, AuditedModel):
                pre_delete.connect(record_deletion, sender=model,
                                   dispatch_uid=f"changelog-{model._meta.label_lower}")
                for field in model._meta.local_many_to_many:
                    through = field.remote_field.through
                    m2m_changed.connect(record_m2m_change, sender=through,
                                        dispatch_uid=f"changelog-m2m-{through._meta.label_lower}")
        from mamori.core import (  # noqa: F401  (imported for what they register)
            auth_signals,  # MFA changes join the log
            checks,  # `mamori check --deploy`
            mfa,  # sessions are marked when the second factor is passed
        )

        post_migrate.connect(_ensure_genesis, sender=self, dispatch_uid="changelog-genesis")

        # Each app registers its checks and periodic tasks in conformance.py / tasks.py.
        autodiscover_modules("conformance")
        autodiscover_modules("tasks")

        from mamori.core.views.dashboard import register_dashboard_panel
        from mamori.core.views.tasks import dashboard_panel

        register_dashboard_panel("core/_tasks_panel.html", dashboard_panel)


def _ensure_genesis(sender, using="default", **kwargs):
    from mamori.core.changelog import ensure_genesis

    ensure_genesis(using)
