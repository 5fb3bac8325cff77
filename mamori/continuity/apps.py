from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContinuityConfig(AppConfig):
    name = "mamori.continuity"
    label = "continuity"
    verbose_name = _("Business continuity")

    def ready(self):
        from mamori.continuity.defaults import ensure_defaults

        post_migrate.connect(ensure_defaults, sender=self, dispatch_uid="continuity-defaults")

        from mamori.improvement import sources
        from mamori.improvement.models import Source

        # What an exercise shows (a missed recovery time, a step that did not work) is raised
        # in the improvement register, linked to the exercise.
        sources.register(self.get_model("Exercise"), Source.EXERCISE,
                         reference=lambda exercise: exercise.code,
                         department=lambda exercise: exercise.department,
                         title=lambda exercise: exercise.title[:200])

        from mamori.continuity import panels
        from mamori.core.views.generic import register_detail_panel

        register_detail_panel("incidents.incident", "continuity/_incident_panel.html",
                              panels.incident_panel)
        register_detail_panel("assets.asset", "continuity/_depended_on_panel.html",
                              panels.depended_on_panel("asset"))
        register_detail_panel("contractors.contractor", "continuity/_depended_on_panel.html",
                              panels.depended_on_panel("contractor"))

        from mamori.assets.models import Asset
        from mamori.core.copies import keep_copy

        # An asset's recovery record carries the asset's department (its scope).
        keep_copy(Asset, "department_id", self.get_model("AssetRecovery").follow_assets)

        from mamori.continuity.todo import my_page_panel
        from mamori.core.views.dashboard import register_my_page_panel

        register_my_page_panel("continuity/_my_page.html", my_page_panel)

        from mamori.continuity.demo import load_continuity_demo
        from mamori.core.demo import register_demo_step

        register_demo_step(load_continuity_demo)
