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

    LISTED = 500  # targets offered per kind; any other is reached by its page's link

    def targets(self, user) -> list[tuple[str, str]]:
        depended = Dependency.objects.restrict(user, VIEW)
        choices = [self.asset_choice(asset) for asset in Asset.objects.restrict(
            user, VIEW).filter(pk__in=depended.values("asset_id")).order_by("code")[
            :self.LISTED]]
        choices += [self.contractor_choice(contractor) for contractor in
                    Contractor.objects.restrict(user, VIEW).filter(
                        pk__in=depended.values("contractor_id")).order_by("code")[
                        :self.LISTED]]
        for kind in (Dependency.Kind.SITE, Dependency.Kind.ROLE):
            names = sorted(self.names(depended, kind))[:self.LISTED]
            choices += [self.named_choice(kind, name) for name in names]
        return choices

    def target(self, user, chosen: str):
        """(kind, key) and its choice for `chosen` ("asset:12", "site:本社"…) when the user
        may see it and something they may see depends on it; None otherwise."""
        kind, _sep, key = chosen.partition(":")
        depended = Dependency.objects.restrict(user, VIEW)
        if kind in ("asset", "contractor") and key.isdigit():
            model = Asset if kind == "asset" else Contractor
            found = model.objects.restrict(user, VIEW).filter(
                pk=int(key), pk__in=depended.values(f"{kind}_id")).first()
            if found is None:
                return None
            choice = (self.asset_choice if kind == "asset" else self.contractor_choice)(found)
            return (kind, found.pk), choice
        if kind in (Dependency.Kind.SITE, Dependency.Kind.ROLE) and key in self.names(
                depended, kind):
            return (kind, key), self.named_choice(kind, key)
        return None

    @staticmethod
    def names(depended, kind) -> set[str]:
        return {n.strip() for n in depended.filter(kind=kind).values_list(
            "name", flat=True).distinct()}

    @staticmethod
    def asset_choice(asset):
        return f"asset:{asset.pk}", f"{_('Information asset')}: {asset.code} {asset.name}"

    @staticmethod
    def contractor_choice(contractor):
        return (f"contractor:{contractor.pk}",
                f"{_('Contractor')}: {contractor.code} {contractor.name}")

    @staticmethod
    def named_choice(kind, name):
        label = _("Site") if kind == Dependency.Kind.SITE else _("Key role")
        return f"{kind}:{name}", f"{label}: {name}"

    def get(self, request, *args, **kwargs):
        user = request.user
        choices = self.targets(user)
        chosen = request.GET.get("target", "")
        found = self.target(user, chosen) if chosen else None
        rows = []
        if found is not None:
            target, choice = found
            if choice not in choices:
                choices.insert(0, choice)
            impact = gaps.load_impact(target)
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
            choices=choices, chosen=chosen, rows=rows, asked=found is not None,
            graph=impact_graph.layout(label, rows) if rows else None,
            stopped=sum(1 for row in rows if row["stops"]),
            missing=sum(1 for row in rows if row["misses_rto"])))
