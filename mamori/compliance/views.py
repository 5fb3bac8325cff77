"""The compliance pages: each model's standard set over core's generic views; the detail
pages of sources, obligations and evaluations show what hangs off them (views_register.py
holds the upcoming effective dates; the register report is core's RegisterReportView over
reports.py)."""

from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.compliance import filtersets, forms, tables
from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    SourceVersion,
)
from mamori.controls.views import stored_file_response
from mamori.core.scope import ADD, VIEW, can
from mamori.core.views import generic
from mamori.improvement.sources import raised_from_context


class LegalSourceList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The laws, orders, supervisory guidelines, industry standards and contracts the "
        "company must comply with (Art 11), with their versions and the obligations read from"
        " them."
    )
    model = LegalSource
    filterset_class = filtersets.LegalSourceFilterSet
    table_class = tables.LegalSourceTable
    resource_class = tables.LegalSourceResource


class LegalSourceCreate(generic.ScopedCreateView):
    model = LegalSource
    form_class = forms.LegalSourceForm


class LegalSourceUpdate(generic.ScopedUpdateView):
    model = LegalSource
    form_class = forms.LegalSourceForm


class LegalSourceDelete(generic.ScopedDeleteView):
    model = LegalSource


class LegalSourceBulkDelete(generic.ScopedBulkDeleteView):
    model = LegalSource


class LegalSourceImport(generic.ScopedImportView):
    model = LegalSource
    form_class = forms.LegalSourceForm
    resource_class = tables.LegalSourceResource


class LegalSourceHistory(generic.ObjectHistoryView):
    model = LegalSource


class SourceVersionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Each source's versions from the day they take effect; a version after the first is "
        "an amendment, and each obligation it affects is assessed before that day."
    )
    model = SourceVersion
    filterset_class = filtersets.SourceVersionFilterSet
    table_class = tables.SourceVersionTable
    resource_class = tables.SourceVersionResource


class SourceVersionCreate(generic.ScopedCreateView):
    prefill = {"source": "source"}
    model = SourceVersion
    form_class = forms.SourceVersionForm


class SourceVersionUpdate(generic.ScopedUpdateView):
    model = SourceVersion
    form_class = forms.SourceVersionForm


class SourceVersionDelete(generic.ScopedDeleteView):
    model = SourceVersion


class SourceVersionBulkDelete(generic.ScopedBulkDeleteView):
    model = SourceVersion


class SourceVersionImport(generic.ScopedImportView):
    model = SourceVersion
    form_class = forms.SourceVersionForm
    resource_class = tables.SourceVersionResource


class SourceVersionHistory(generic.ObjectHistoryView):
    model = SourceVersion


class ObligationList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What each source requires of the company, in its own words: whether it applies and "
        "why, the department that owns it, how often it is evaluated, and the controls, "
        "policy sections and framework requirements that meet it."
    )
    model = Obligation
    filterset_class = filtersets.ObligationFilterSet
    table_class = tables.ObligationTable
    resource_class = tables.ObligationResource


class ObligationCreate(generic.ScopedCreateView):
    model = Obligation
    form_class = forms.ObligationForm


class ObligationUpdate(generic.ScopedUpdateView):
    model = Obligation
    form_class = forms.ObligationForm


class ObligationDelete(generic.ScopedDeleteView):
    model = Obligation


class ObligationBulkDelete(generic.ScopedBulkDeleteView):
    model = Obligation


class ObligationImport(generic.ScopedImportView):
    model = Obligation
    form_class = forms.ObligationImportForm
    resource_class = tables.ObligationResource


class ObligationHistory(generic.ObjectHistoryView):
    model = Obligation


class EvaluationList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Whether each obligation is met, by whom, when and on what evidence. A “not "
        "compliant” result raises a nonconformity in the improvement register."
    )
    model = Evaluation
    filterset_class = filtersets.EvaluationFilterSet
    table_class = tables.EvaluationTable
    resource_class = tables.EvaluationResource


class EvaluationCreate(generic.ScopedCreateView):
    prefill = {"obligation": "obligation"}  # opened from its obligation's page
    model = Evaluation
    form_class = forms.EvaluationForm


class EvaluationUpdate(generic.ScopedUpdateView):
    model = Evaluation
    form_class = forms.EvaluationForm


class EvaluationDelete(generic.ScopedDeleteView):
    model = Evaluation


class EvaluationBulkDelete(generic.ScopedBulkDeleteView):
    model = Evaluation


class EvaluationImport(generic.ScopedImportView):
    model = Evaluation
    form_class = forms.EvaluationForm
    resource_class = tables.EvaluationResource


class EvaluationHistory(generic.ObjectHistoryView):
    model = Evaluation


class ComplianceExceptionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The non-compliances the CISO has accepted, each until a date and with its "
        "compensating measures; past the date the obligation must be met or accepted again."
    )
    model = ComplianceException
    filterset_class = filtersets.ComplianceExceptionFilterSet
    table_class = tables.ComplianceExceptionTable
    resource_class = tables.ComplianceExceptionResource


class ComplianceExceptionCreate(generic.ScopedCreateView):
    prefill = {"obligation": "obligation"}
    model = ComplianceException
    form_class = forms.ComplianceExceptionForm


class ComplianceExceptionUpdate(generic.ScopedUpdateView):
    model = ComplianceException
    form_class = forms.ComplianceExceptionForm


class ComplianceExceptionDelete(generic.ScopedDeleteView):
    model = ComplianceException


class ComplianceExceptionBulkDelete(generic.ScopedBulkDeleteView):
    model = ComplianceException


class ComplianceExceptionImport(generic.ScopedImportView):
    model = ComplianceException
    form_class = forms.ComplianceExceptionForm
    resource_class = tables.ComplianceExceptionResource


class ComplianceExceptionHistory(generic.ObjectHistoryView):
    model = ComplianceException


class ImpactAssessmentList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What each amendment means for each obligation it affects, assessed by the "
        "obligation's owner before the amendment takes effect."
    )
    model = ImpactAssessment
    filterset_class = filtersets.ImpactAssessmentFilterSet
    table_class = tables.ImpactAssessmentTable
    resource_class = tables.ImpactAssessmentResource


class ImpactAssessmentUpdate(generic.ScopedUpdateView):
    model = ImpactAssessment
    form_class = forms.ImpactAssessmentForm


class ImpactAssessmentHistory(generic.ObjectHistoryView):
    model = ImpactAssessment


class RegulatoryActionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Administrative guidance, requests for reports, inspections, orders and violations, "
        "with the company's response and the incidents and obligations concerned."
    )
    model = RegulatoryAction
    filterset_class = filtersets.RegulatoryActionFilterSet
    table_class = tables.RegulatoryActionTable
    resource_class = tables.RegulatoryActionResource


class RegulatoryActionCreate(generic.ScopedCreateView):
    model = RegulatoryAction
    form_class = forms.RegulatoryActionForm


class RegulatoryActionUpdate(generic.ScopedUpdateView):
    model = RegulatoryAction
    form_class = forms.RegulatoryActionForm


class RegulatoryActionDelete(generic.ScopedDeleteView):
    model = RegulatoryAction


class RegulatoryActionBulkDelete(generic.ScopedBulkDeleteView):
    model = RegulatoryAction


class RegulatoryActionImport(generic.ScopedImportView):
    model = RegulatoryAction
    form_class = forms.RegulatoryActionImportForm
    resource_class = tables.RegulatoryActionResource


class RegulatoryActionHistory(generic.ObjectHistoryView):
    model = RegulatoryAction


class LegalSourceDetail(generic.ScopedDetailView):
    model = LegalSource
    fields = ["code", "kind", "title_ja", "title_en", "short_name", "issuer", "jurisdiction",
              "url", "shipped", "note"]
    template_name = "compliance/legalsource_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        obligations = obj.obligations.restrict(user).select_related("department")
        return {
            "versions": obj.versions.restrict(user),
            "current_version": obj.current_version(),
            "obligations": obligations[:LISTED],
            "obligation_count": obligations.count(),
            "can_add_version": can(user, SourceVersion, ADD),
        }


# A detail page lists at most this many related records, with a link to the whole list.
LISTED = 200


class SourceVersionDetail(generic.ScopedDetailView):
    model = SourceVersion
    fields = ["source", "version", "promulgated_on", "effective_on", "summary_ja",
              "summary_en", "affects_all"]
    template_name = "compliance/sourceversion_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        return {
            "assessments": obj.impact_assessments.restrict(user).select_related(
                "obligation__department")[:LISTED],
            "affected": obj.affected.restrict(user)[:LISTED],
        }


class ObligationDetail(generic.ScopedDetailView):
    model = Obligation
    fields = ["code", "source", "article", "title_ja", "title_en", "summary_ja", "summary_en",
              "applicability", "applicability_reason", "department", "interval_months",
              "shipped"]
    template_name = "compliance/obligation_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        evaluations = list(obj.evaluations.restrict(user).select_related("evaluator")[:20])
        last = evaluations[0] if evaluations else None
        return {
            "evaluations": evaluations,
            "next_due_on": obj.evaluation_due_on(last.evaluated_on if last else None),
            "controls": obj.controls.restrict(user),
            "policy_sections": obj.policy_sections.restrict(user).select_related("document"),
            "requirements": obj.requirements.restrict(user).select_related("framework"),
            "breach_rules": obj.breach_rules.restrict(user),
            "exceptions": obj.exceptions.restrict(user).select_related("accepted_by"),
            "assessments": obj.impact_assessments.restrict(user).select_related(
                "amendment__source"),
            "regulatory_actions": obj.regulatory_actions.restrict(user),
            "can_evaluate": self.can_change and can(user, Evaluation, ADD),
            "can_accept": obj.applicability != "not_applicable" and can(
                user, ComplianceException, ADD),
        }


class EvaluationDetail(generic.ScopedDetailView):
    model = Evaluation
    fields = ["obligation", "result", "evaluated_on", "evaluator", "evidence", "note"]
    template_name = "compliance/evaluation_detail.html"

    def extra_context(self, obj):
        return raised_from_context(self.request.user, obj)


class EvaluationDownload(generic.ModelViewMixin, TemplateView):
    """The evidence file, to those who may see the evaluation, always as a download."""

    model = Evaluation

    def get(self, request, *args, **kwargs):
        evaluation = self.get_object(VIEW)
        return stored_file_response(evaluation.file, evaluation.file_name or "evidence")


class ComplianceExceptionDetail(generic.ScopedDetailView):
    model = ComplianceException
    fields = ["obligation", "reason", "compensating_measures", "accepted_on", "expires_on",
              "accepted_by"]


class ImpactAssessmentDetail(generic.ScopedDetailView):
    model = ImpactAssessment
    fields = ["amendment", "obligation", "due_on", "status", "assessment", "assessed_on"]


class RegulatoryActionDetail(generic.ScopedDetailView):
    model = RegulatoryAction
    fields = ["code", "kind", "title", "regulator", "reference", "received_on", "description",
              "department", "response_due_on", "responded_on", "response", "status"]
    template_name = "compliance/regulatoryaction_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        return {
            "obligations": obj.obligations.restrict(user),
            "incidents": obj.incidents.restrict(user),
        }
