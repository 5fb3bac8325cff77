"""The continuity pages beyond each model's standard set: the approval of an impact analysis
and the dependency impact view (what stops if one thing is lost)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.assets.models import Asset
from mamori.continuity import gaps, impact_graph, workflow
from mamori.continuity.models import BusinessProcess, Dependency, ImpactAnalysis
from mamori.contractors.models import Contractor
from mamori.core.scope import VIEW
from mamori.core.views import generic


class ImpactAnalysisApprove(generic.StepView):
    model = ImpactAnalysis
    done = gettext_lazy("The impact analysis was approved.")

    def step(self, request, analysis):
        workflow.approve(request.user, analysis)


class DependencyImpact(generic.ModelViewMixin, TemplateView):
    """?target=asset:12 (or contractor:3, site:本社, role:…): every process that stops or
    is degraded if it is lost, and which of them miss their RTO. The targets offered are
    those the user may see; processes the user may not open are named without a link."""

    model = Dependency
    template_name = "continuity/impact.html"

    def targets(self, user) -> list[tuple[str, str]]:
        depended = Dependency.objects.restrict(user, VIEW)
        choices = []
        for asset in Asset.objects.restrict(user, VIEW).filter(
                pk__in=depended.values("asset_id")).order_by("code")[:500]:
            choices.append((f"asset:{asset.pk}",
                            f"{_('Information asset')}: {asset.code} {asset.name}"))
        for contractor in Contractor.objects.restrict(user, VIEW).filter(
                pk__in=depended.values("contractor_id")).order_by("code")[:500]:
            choices.append((f"contractor:{contractor.pk}",
                            f"{_('Contractor')}: {contractor.code} {contractor.name}"))
        for kind, label in ((Dependency.Kind.SITE, _("Site")), (Dependency.Kind.ROLE,
                                                                 _("Key role"))):
            names = depended.filter(kind=kind).values_list("name", flat=True).distinct()
            for name in sorted({n.strip() for n in names})[:500]:
                choices.append((f"{kind}:{name}", f"{label}: {name}"))
        return choices

    def get(self, request, *args, **kwargs):
        user = request.user
        choices = self.targets(user)
        chosen = request.GET.get("target", "")
        rows = []
        if chosen in {value for value, _label in choices}:
            kind, _sep, key = chosen.partition(":")
            target = (kind, int(key) if kind in ("asset", "contractor") else key)
            impact = gaps.load().impact_of(target)
            processes = {p.pk: p for p in BusinessProcess.objects.filter(
                pk__in=[row["process"] for row in impact]).select_related("department")}
            visible = set(BusinessProcess.objects.restrict(user, VIEW).filter(
                pk__in=processes).values_list("pk", flat=True))
            rows = sorted(({**row, "object": processes[row["process"]],
                            "visible": row["process"] in visible} for row in impact),
                          key=lambda row: (not row["misses_rto"], not row["stops"],
                                           row["object"].code))
        label = dict(choices).get(chosen, "").partition(": ")[2]
        return self.render_to_response(self.base_context(
            choices=choices, chosen=chosen, rows=rows, asked=bool(chosen),
            graph=impact_graph.layout(label, rows) if rows else None,
            stopped=sum(1 for row in rows if row["stops"]),
            missing=sum(1 for row in rows if row["misses_rto"])))
