from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditsConfig(AppConfig):
    name = "mamori.audits"
    label = "audits"
    verbose_name = _("Audits")

    def ready(self):
        from mamori.audits.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="audits-defaults")

        from mamori.audits.models import ChecklistItem, writes_open
        from mamori.improvement import sources
        from mamori.improvement.models import Source

        # What an audit finds is raised in the improvement register, linked to the item (or
        # to the audit, for what concerns it as a whole).
        sources.register(
            ChecklistItem, Source.AUDIT,
            reference=lambda item: f"{item.audit.code} {item.reference}"[:100],
            department=lambda item: item.audit.departments.order_by("code").first(),
            title=lambda item: item.label[:200],
            extra=lambda item: {"description": item.notes, **(
                {"severity": item.result} if item.result in ChecklistItem.NONCONFORMING
                else {})},
            written_by=lambda roles: writes_open(roles.person_id, "audit__"),
            verifier=lambda item: item.audit.lead_auditor_id)
        sources.register(self.get_model("Audit"), Source.AUDIT,
                         reference=lambda audit: audit.code,
                         department=lambda audit: audit.departments.order_by("code").first(),
                         title=lambda audit: "",
                         written_by=lambda roles: writes_open(roles.person_id),
                         verifier=lambda audit: audit.lead_auditor_id)

        from mamori.audits.todo import my_page_panel
        from mamori.core.views.dashboard import register_dashboard_panel, register_my_page_panel

        register_my_page_panel("audits/_my_page.html", my_page_panel)
        register_dashboard_panel("audits/_my_page.html", my_page_panel)

        from mamori.audits.demo import load_audit_demo
        from mamori.core.demo import register_demo_step

        register_demo_step(load_audit_demo)
