from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "mamori.compliance"
    label = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from django.db.models.signals import m2m_changed, post_save

        from mamori.compliance import amendments

        SourceVersion = self.get_model("SourceVersion")
        post_save.connect(amendments.version_saved, sender=SourceVersion,
                          dispatch_uid="compliance-version-saved")
        m2m_changed.connect(amendments.affected_changed, sender=SourceVersion.affected.through,
                            dispatch_uid="compliance-version-affected")

        from mamori.improvement import sources
        from mamori.improvement.models import Source

        # An evaluation that finds an obligation not (fully) met raises a nonconformity;
        # a "not compliant" one does so by itself (Evaluation.save).
        sources.register(self.get_model("Evaluation"), Source.COMPLIANCE,
                         reference=lambda evaluation: evaluation.obligation.code,
                         department=lambda evaluation: evaluation.obligation.department,
                         title=lambda evaluation: str(evaluation.obligation)[:200])

        from mamori.compliance import panels
        from mamori.core.views.generic import register_detail_panel

        register_detail_panel("incidents.incident", "compliance/_incident_panel.html",
                              panels.incident_panel)
        register_detail_panel("incidents.breachrule", "compliance/_obligations_panel.html",
                              panels.breach_rule_panel)
        register_detail_panel("controls.control", "compliance/_obligations_panel.html",
                              panels.control_panel)

        from mamori.compliance.todo import my_page_panel
        from mamori.core.views.dashboard import register_my_page_panel

        register_my_page_panel("compliance/_my_page.html", my_page_panel)

        from mamori.compliance.demo import load_compliance_demo
        from mamori.core.demo import register_demo_step

        # After the other apps' steps (compliance is the last app): the controls, incidents
        # and organisation it builds on exist by then.
        register_demo_step(load_compliance_demo)
