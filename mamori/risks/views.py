from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.core.levels import levels_html
from mamori.core.scope import ADD, can
from mamori.core.views import generic
from mamori.risks import filtersets, forms, heatmap, tables
from mamori.risks.conformance import risks_above_appetite_untreated
from mamori.risks.display import band_badge, rating_text
from mamori.risks.models import (
    Risk,
    RiskAcceptance,
    RiskBand,
    RiskMethodology,
    Threat,
)


class ThreatList(generic.ScopedListView):
    model = Threat
    filterset_class = filtersets.ThreatFilterSet
    table_class = tables.ThreatTable
    resource_class = tables.ThreatResource


class ThreatDetail(generic.ScopedDetailView):
    model = Threat
    fields = ["code", "name_ja", "name_en", "harms", "description", "policy_article"]


class ThreatCreate(generic.ScopedCreateView):
    model = Threat
    form_class = forms.ThreatForm


class ThreatUpdate(generic.ScopedUpdateView):
    model = Threat
    form_class = forms.ThreatForm


class ThreatDelete(generic.ScopedDeleteView):
    model = Threat


class ThreatBulkDelete(generic.ScopedBulkDeleteView):
    model = Threat


class ThreatImport(generic.ScopedImportView):
    model = Threat
    form_class = forms.ThreatForm
    resource_class = tables.ThreatResource


class ThreatHistory(generic.ObjectHistoryView):
    model = Threat


class RiskBandList(generic.ScopedListView):
    model = RiskBand
    filterset_class = filtersets.RiskBandFilterSet
    table_class = tables.RiskBandTable
    resource_class = tables.RiskBandResource


class RiskBandDetail(generic.ScopedDetailView):
    model = RiskBand
    fields = ["min_score", "name_ja", "name_en", "colour"]


class RiskBandCreate(generic.ScopedCreateView):
    model = RiskBand
    form_class = forms.RiskBandForm


class RiskBandUpdate(generic.ScopedUpdateView):
    model = RiskBand
    form_class = forms.RiskBandForm


class RiskBandDelete(generic.ScopedDeleteView):
    model = RiskBand


class RiskBandBulkDelete(generic.ScopedBulkDeleteView):
    model = RiskBand


class RiskBandImport(generic.ScopedImportView):
    model = RiskBand
    form_class = forms.RiskBandForm
    resource_class = tables.RiskBandResource


class RiskBandHistory(generic.ObjectHistoryView):
    model = RiskBand


class RiskMethodologyList(generic.SettingsRowView):
    model = RiskMethodology


class RiskMethodologyDetail(generic.ScopedDetailView):
    model = RiskMethodology
    fields = ["size", "appetite", "acceptance_months", "likelihood_levels", "impact_levels"]

    def field_rows(self, obj):
        shown = {"likelihood_levels": levels_html(obj.levels("likelihood")),
                 "impact_levels": levels_html(obj.levels("impact"))}
        return [(label, shown.get(name, value))
                for name, (label, value) in zip(self.fields, super().field_rows(obj),
                                                strict=True)]

    def extra_context(self, obj):
        return {"related_lists": [(RiskBand._meta.verbose_name_plural,
                                   RiskBand.objects.restrict(self.request.user))]}


class RiskMethodologyUpdate(generic.ScopedUpdateView):
    model = RiskMethodology
    form_class = forms.RiskMethodologyForm


class RiskMethodologyHistory(generic.ObjectHistoryView):
    model = RiskMethodology


class RiskList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The risks to information assets, how likely and how harmful they are, and how "
        "each is treated (policy Art. 5).")
    model = Risk
    template_name = "risks/risk_list.html"
    filterset_class = filtersets.RiskFilterSet
    table_class = tables.RiskTable
    resource_class = tables.RiskResource


class RiskDetail(generic.ScopedDetailView):
    model = Risk
    fields = ["code", "title_ja", "title_en", "threat", "department", "owner", "vulnerability",
              "status", "likelihood", "impact", "inherent_score", "treatment",
              "treatment_plan", "residual_likelihood", "residual_impact", "residual_score",
              "assessed_on", "next_review_on"]
    template_name = "risks/risk_detail.html"

    def field_rows(self, obj):
        # Ratings read as the methodology's levels, scores with their band's badge.
        methodology = RiskMethodology.current()
        bands = list(RiskBand.objects.order_by("min_score"))
        shown = {}
        for name in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
            levels = methodology.levels(name.removeprefix("residual_"))
            shown[name] = rating_text(getattr(obj, name), levels)
        for name in ("inherent_score", "residual_score"):
            shown[name] = band_badge(getattr(obj, name), bands)
        return [(label, shown.get(name, value)) for name, (label, value)
                in zip(self.fields, super().field_rows(obj), strict=True)]

    def extra_context(self, obj):
        user = self.request.user
        methodology = RiskMethodology.current()
        return {
            "methodology": methodology,
            # The warning is for what the Art 5 check counts: above the appetite and neither
            # treated nor accepted.
            "above_appetite": risks_above_appetite_untreated(methodology.appetite).filter(
                pk=obj.pk).exists(),
            "acceptances": obj.acceptances.restrict(user).select_related("accepted_by"),
            "can_accept": can(user, RiskAcceptance, ADD),
            "related_lists": [
                (Risk._meta.get_field("assets").verbose_name,
                 obj.assets.restrict(user).order_by("code")[:200]),
                (Risk._meta.get_field("controls").verbose_name,
                 obj.controls.restrict(user).order_by("code")),
            ],
        }


class RiskCreate(generic.ScopedCreateView):
    model = Risk
    form_class = forms.RiskForm
    prefill = {"asset": "assets"}  # "Assess a risk to this asset"


class RiskUpdate(generic.ScopedUpdateView):
    model = Risk
    form_class = forms.RiskForm


class RiskDelete(generic.ScopedDeleteView):
    model = Risk


class RiskBulkDelete(generic.ScopedBulkDeleteView):
    model = Risk


class RiskImport(generic.ScopedImportView):
    model = Risk
    form_class = forms.RiskImportForm
    resource_class = tables.RiskResource


class RiskHistory(generic.ObjectHistoryView):
    model = Risk


class RiskHeatMap(generic.ModelViewMixin, TemplateView):
    """Inherent and residual heat maps of the risks the user sees, with the list's filters."""

    model = Risk
    template_name = "risks/heatmap.html"

    def get(self, request, *args, **kwargs):
        filterset, risks = self.filtered(filtersets.RiskFilterSet)
        if not request.GET.get("status"):
            # Closed risks are history: the maps show the open ones unless asked otherwise.
            risks = risks.exclude(status=Risk.Status.CLOSED)
        methodology = RiskMethodology.current()
        bands = list(RiskBand.objects.order_by("min_score"))
        query = request.GET.copy()
        for name in ("likelihood", "impact", "residual_likelihood", "residual_impact", "page"):
            query.pop(name, None)
        return self.render_to_response(self.base_context(
            filterset=filterset, methodology=methodology, bands=bands,
            query=query.urlencode(),
            maps=[heatmap.build(risks, "inherent", methodology, bands),
                  heatmap.build(risks, "residual", methodology, bands)],
        ))


class RiskAcceptanceList(generic.ScopedListView):
    model = RiskAcceptance
    filterset_class = filtersets.RiskAcceptanceFilterSet
    table_class = tables.RiskAcceptanceTable
    resource_class = tables.RiskAcceptanceResource


class RiskAcceptanceDetail(generic.ScopedDetailView):
    model = RiskAcceptance
    fields = ["risk", "accepted_by", "accepted_on", "expires_on", "score_accepted",
              "justification", "revoked_on"]


class RiskAcceptanceCreate(generic.ScopedCreateView):
    model = RiskAcceptance
    form_class = forms.RiskAcceptanceForm

    prefill = {"risk": "risk"}


class RiskAcceptanceUpdate(generic.ScopedUpdateView):
    model = RiskAcceptance
    form_class = forms.RiskAcceptanceForm


class RiskAcceptanceDelete(generic.ScopedDeleteView):
    model = RiskAcceptance


class RiskAcceptanceBulkDelete(generic.ScopedBulkDeleteView):
    model = RiskAcceptance


class RiskAcceptanceImport(generic.ScopedImportView):
    model = RiskAcceptance
    form_class = forms.RiskAcceptanceForm
    resource_class = tables.RiskAcceptanceResource


class RiskAcceptanceHistory(generic.ObjectHistoryView):
    model = RiskAcceptance
