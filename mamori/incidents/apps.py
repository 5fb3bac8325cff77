from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "mamori.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from mamori.incidents.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="incidents-defaults")

        from mamori.incidents.deadlines import follow_incident

        # A change of the awareness moves the report deadlines in the same transaction.
        post_save.connect(follow_incident, sender=self.get_model("Incident"),
                          dispatch_uid="incidents-follow-awareness")

        from mamori.core.views.dashboard import register_dashboard_panel, register_my_page_panel
        from mamori.incidents.todo import my_page_panel

        # The deadlines show where the CISO lands (the dashboard) and on everyone's My page.
        register_my_page_panel("incidents/_my_page.html", my_page_panel)
        register_dashboard_panel("incidents/_my_page.html", my_page_panel)

        from mamori.incidents.triage import awaiting_triage_panel

        # New reports wait for the CISO or their department's manager to triage them.
        register_my_page_panel("incidents/_awaiting_triage.html", awaiting_triage_panel)
        register_dashboard_panel("incidents/_awaiting_triage.html", awaiting_triage_panel)

        from django.utils.translation import gettext_lazy

        from mamori.core.scope import can
        from mamori.core.views.dashboard import register_my_page_action

        # Anyone may report an incident (policy Art. 5): the first thing on everyone's page.
        register_my_page_action(gettext_lazy("Report an incident"), "incidents:incident_create",
                                lambda user: can(user, self.get_model("Incident"), "add"))

        from mamori.improvement import sources
        from mamori.improvement.models import Source

        # An incident's lessons learned raise nonconformities and improvement actions.
        sources.register(self.get_model("Incident"), Source.INCIDENT,
                         reference=lambda incident: incident.code,
                         department=lambda incident: incident.department,
                         title=lambda incident: incident.title)

        from mamori.core.demo import register_demo_step
        from mamori.incidents.demo import load_incident_demo

        register_demo_step(load_incident_demo)
