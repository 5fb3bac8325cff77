from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.generic import TemplateView

from mamori.contractors import appi, export, filtersets, forms, portal, tables, workflow
from mamori.contractors.chain import chain_of
from mamori.contractors.chart import chart_context
from mamori.contractors.comparison import answers_of, compare
from mamori.contractors.levels import our_levels
from mamori.contractors.models import (
    Certificate,
    Contract,
    Contractor,
    ContractorSettings,
    PortalLink,
    Screening,
    ScreeningAnswer,
    ScreeningRequirement,
    Subcontracting,
    TierRule,
)
from mamori.controls.views import stored_file_response
from mamori.core.scope import ADD, CHANGE, VIEW, can
from mamori.core.views import generic


class ContractorList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The outsourcing contractors the company entrusts with information, what each is "
        "entrusted with and the tier that follows from it (policy Art 9).")
    model = Contractor
    filterset_class = filtersets.ContractorFilterSet
    table_class = tables.ContractorTable
    resource_class = tables.ContractorResource


class ContractorDetail(generic.ScopedDetailView):
    model = Contractor
    fields = ["code", "name_ja", "name_en", "corporate_number", "department", "status",
              "tier", "services", "contact_name", "contact_email", "contact_phone",
              "personal_data", "personal_data_categories", "persons", "sensitive_data",
              "card_data", "system_access", "country", "foreign_regime", "foreign_measures"]
    template_name = "contractors/contractor_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        chain = chain_of(obj)
        return {
            "tier_rules": obj.matching_rules(),
            "screenings": obj.screenings.restrict(user).order_by("-requested_on", "-pk")[:50],
            "contracts": obj.contracts.restrict(user).order_by("-starts_on", "-pk")[:50],
            "certificates": obj.certificates.restrict(user).order_by("expires_on")[:50],
            "can_add_contract": self.can_change and can(user, Contract, ADD),
            "can_add_certificate": self.can_change and can(user, Certificate, ADD),
            "can_screen": self.can_change and can(user, Screening, ADD),
            "chain": chain,
            # Links further down may be kept by other departments: named, linked only if
            # the reader may open them.
            "visible_links": set(Subcontracting.objects.restrict(user).filter(
                pk__in=[item.link.pk for item in chain.links]).values_list("pk", flat=True)),
            "subcontracted_by": obj.subcontracted_by.restrict(user).select_related(
                "contractor").order_by("contractor__code")[:50],
            "can_add_subcontracting": self.can_change and can(user, Subcontracting, ADD),
            # Only those the user may open (an incident of another department stays unseen).
            "audits": obj.audits.restrict(user).order_by("-planned_start", "-pk")[:50],
            "incidents": obj.incidents.restrict(user).order_by("-noticed_at", "-pk")[:50],
        }


class ContractorCreate(generic.ScopedCreateView):
    model = Contractor
    form_class = forms.ContractorForm


class ContractorUpdate(generic.ScopedUpdateView):
    model = Contractor
    form_class = forms.ContractorForm


class ContractorDelete(generic.ScopedDeleteView):
    model = Contractor


class ContractorBulkDelete(generic.ScopedBulkDeleteView):
    model = Contractor


class ContractorImport(generic.ScopedImportView):
    model = Contractor
    form_class = forms.ContractorForm
    resource_class = tables.ContractorResource


class ContractorHistory(generic.ObjectHistoryView):
    model = Contractor


class TierRuleList(generic.ScopedListView):
    purpose = gettext_lazy(
        "How a contractor's tier follows from what it is entrusted with: it gets the highest "
        "tier of the rules it meets, or low. Changing a rule re-tiers every contractor at once.")
    model = TierRule
    filterset_class = filtersets.TierRuleFilterSet
    table_class = tables.TierRuleTable
    resource_class = tables.TierRuleResource


class TierRuleDetail(generic.ScopedDetailView):
    model = TierRule
    fields = ["code", "name_ja", "name_en", "tier", "needs_personal_data", "min_persons",
              "needs_sensitive", "needs_card_data", "needs_system_access", "needs_foreign"]


class TierRuleCreate(generic.ScopedCreateView):
    model = TierRule
    form_class = forms.TierRuleForm


class TierRuleUpdate(generic.ScopedUpdateView):
    model = TierRule
    form_class = forms.TierRuleForm


class TierRuleDelete(generic.ScopedDeleteView):
    model = TierRule


class TierRuleBulkDelete(generic.ScopedBulkDeleteView):
    model = TierRule


class TierRuleImport(generic.ScopedImportView):
    model = TierRule
    form_class = forms.TierRuleForm
    resource_class = tables.TierRuleResource


class TierRuleHistory(generic.ObjectHistoryView):
    model = TierRule


class ScreeningRequirementList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What the company asks of its contractors, and meets itself through the controls "
        "linked to each requirement: its own level is computed from them (policy Art 9).")
    model = ScreeningRequirement
    filterset_class = filtersets.ScreeningRequirementFilterSet
    table_class = tables.ScreeningRequirementTable
    resource_class = tables.ScreeningRequirementResource


class ScreeningRequirementDetail(generic.ScopedDetailView):
    model = ScreeningRequirement
    fields = ["code", "title_ja", "title_en", "question_ja", "question_en", "min_tier",
              "sort_key", "appi_refs"]
    template_name = "contractors/screeningrequirement_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        requirements = ScreeningRequirement.objects.filter(pk=obj.pk)
        return {
            "our_level": our_levels(requirements)[obj.pk],
            "linked_controls": obj.controls.restrict(user).order_by("code"),
            "appi_requirements": appi.loaded_requirements(obj.appi_ref_list()),
        }


class ScreeningRequirementCreate(generic.ScopedCreateView):
    model = ScreeningRequirement
    form_class = forms.ScreeningRequirementForm


class ScreeningRequirementUpdate(generic.ScopedUpdateView):
    model = ScreeningRequirement
    form_class = forms.ScreeningRequirementForm


class ScreeningRequirementDelete(generic.ScopedDeleteView):
    model = ScreeningRequirement


class ScreeningRequirementBulkDelete(generic.ScopedBulkDeleteView):
    model = ScreeningRequirement


class ScreeningRequirementImport(generic.ScopedImportView):
    model = ScreeningRequirement
    form_class = forms.ScreeningRequirementImportForm
    resource_class = tables.ScreeningRequirementResource


class ScreeningRequirementHistory(generic.ObjectHistoryView):
    model = ScreeningRequirement


class ScreeningList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Each contractor's screenings: its answers to the requirements asked of its tier, "
        "set beside our own level, and the CISO's verdict (policy Art 9).")
    model = Screening
    filterset_class = filtersets.ScreeningFilterSet
    table_class = tables.ScreeningTable
    resource_class = tables.ScreeningResource


class ScreeningDetail(generic.ScopedDetailView):
    """The comparison: per requirement, our level beside theirs and the gap, as a table and a
    chart; the verdict; ?export=xlsx or pdf for the file."""

    model = Screening
    fields = ["contractor", "kind", "tier", "requested_on", "due_on", "status", "answered_on",
              "assessed_on", "assessed_by", "verdict", "verdict_until", "note"]
    template_name = "contractors/screening_detail.html"

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in ("xlsx", "pdf"):
            screening = self.get_object(VIEW)
            comparison = compare(screening)
            if fmt == "xlsx":
                return export.xlsx_response(screening, comparison)
            return export.pdf_response(screening, comparison)
        return super().get(request, *args, **kwargs)

    def extra_context(self, obj):
        user = self.request.user
        comparison = compare(obj, answers_of(obj))
        assessed = obj.status == Screening.Status.ASSESSED
        decides = workflow.decides(user, obj)
        return {
            "comparison": comparison,
            "can_answer": not assessed and ScreeningAnswer.objects.restrict(
                user, CHANGE).filter(screening=obj).exists(),
            "can_assess": decides and not assessed,
            "can_accept": decides and assessed,
            "can_issue_link": not assessed and Screening.objects.restrict(
                user, CHANGE).filter(pk=obj.pk).exists(),
            "links": obj.portal_links.restrict(user).order_by("-issued_at")[:20],
            **chart_context(comparison),
        }


class ScreeningCreate(generic.ScopedCreateView):
    prefill = {"contractor": "contractor"}  # opened from the contractor's page
    model = Screening
    form_class = forms.ScreeningForm


class ScreeningUpdate(generic.ScopedUpdateView):
    model = Screening
    form_class = forms.ScreeningForm


class ScreeningDelete(generic.ScopedDeleteView):
    model = Screening


class ScreeningBulkDelete(generic.ScopedBulkDeleteView):
    model = Screening


class ScreeningHistory(generic.ObjectHistoryView):
    model = Screening


class ScreeningAssess(generic.StepView):
    """The CISO assesses the screening (our levels frozen, the verdict derived)."""

    model = Screening
    done = gettext_lazy("The screening was assessed.")

    def step(self, request, screening):
        workflow.assess(request.user, screening)


class ScreeningAnswerList(generic.ScopedListView):
    model = ScreeningAnswer
    filterset_class = filtersets.ScreeningAnswerFilterSet
    table_class = tables.ScreeningAnswerTable
    resource_class = tables.ScreeningAnswerResource


class ScreeningAnswerDetail(generic.ScopedDetailView):
    model = ScreeningAnswer
    fields = ["screening", "requirement", "their_level", "their_comment", "our_level",
              "accepted_on", "accepted_by", "acceptance_condition", "acceptance_expires_on"]


class ScreeningAnswerUpdate(generic.ScopedUpdateView):
    model = ScreeningAnswer
    form_class = forms.ScreeningAnswerForm


class ScreeningAnswerHistory(generic.ObjectHistoryView):
    model = ScreeningAnswer


class ScreeningAnswerAccept(generic.ModelViewMixin, TemplateView):
    """The CISO accepts a gap, with a condition and an expiry."""

    model = ScreeningAnswer
    template_name = "core/form.html"

    def allowed_object(self):
        answer = self.get_object(VIEW)
        if not workflow.decides(self.request.user, answer.screening):
            raise PermissionDenied
        return answer

    def page(self, answer, form, status=200):
        return self.render_to_response(self.base_context(
            form=form, object=answer, heading=gettext("Accept the gap")), status=status)

    def get(self, request, *args, **kwargs):
        return self.page(self.allowed_object(), forms.AcceptGapForm())

    def post(self, request, *args, **kwargs):
        answer = self.allowed_object()
        form = forms.AcceptGapForm(request.POST)
        if form.is_valid():
            try:
                workflow.accept_gap(request.user, answer, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("The gap was accepted."))
                return HttpResponseRedirect(answer.screening.get_absolute_url())
        return self.page(answer, form, status=400)


class ScreeningIssueLink(generic.ModelActionView):
    """POST: a new portal link for the contractor; the page shows it once (only its digest
    is kept)."""

    model = Screening
    template_name = "contractors/portal_link_issued.html"

    def post(self, request, *args, **kwargs):
        screening = self.get_object(VIEW)
        try:
            days = int(request.POST.get("days") or portal.LINK_DAYS)
        except ValueError:
            days = 0
        try:
            link, token = portal.issue(request.user, screening, days)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(screening.get_absolute_url())
        url = request.build_absolute_uri(reverse("portal:answers", args=[token]))
        response = self.render_to_response(self.base_context(
            object=screening, link=link, url=url))
        response["Cache-Control"] = "no-store"
        return response


class PortalLinkList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The links through which contractors answer their screenings without an account: "
        "each opens one screening, expires, and can be revoked.")
    model = PortalLink
    filterset_class = filtersets.PortalLinkFilterSet
    table_class = tables.PortalLinkTable


class PortalLinkDetail(generic.ScopedDetailView):
    model = PortalLink
    fields = ["screening", "issued_at", "issued_by", "expires_at", "revoked_at",
              "last_used_at"]
    template_name = "contractors/portallink_detail.html"

    def extra_context(self, obj):
        return {"can_revoke": obj.revoked_at is None and PortalLink.objects.restrict(
            self.request.user, CHANGE).filter(pk=obj.pk).exists()}


class PortalLinkHistory(generic.ObjectHistoryView):
    model = PortalLink


class PortalLinkRevoke(generic.ModelActionView):
    model = PortalLink

    def post(self, request, *args, **kwargs):
        link = self.get_object(VIEW)
        portal.revoke(request.user, link)
        messages.success(request, gettext("The link was revoked: it no longer opens the "
                                          "screening."))
        return HttpResponseRedirect(link.get_absolute_url())


class ContractList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The contracts that bind each contractor, with the clauses Art 9 asks for; a "
        "contract's page lists the ones it lacks.")
    model = Contract
    filterset_class = filtersets.ContractFilterSet
    table_class = tables.ContractTable
    resource_class = tables.ContractResource


class ContractDetail(generic.ScopedDetailView):
    model = Contract
    fields = tables.CONTRACT_FIELDS
    template_name = "contractors/contract_detail.html"

    def extra_context(self, obj):
        return {"missing_clauses": obj.missing_clauses()}


class ContractCreate(generic.ScopedCreateView):
    prefill = {"contractor": "contractor"}  # opened from the contractor's page
    model = Contract
    form_class = forms.ContractForm


class ContractUpdate(generic.ScopedUpdateView):
    model = Contract
    form_class = forms.ContractForm


class ContractDelete(generic.ScopedDeleteView):
    model = Contract


class ContractBulkDelete(generic.ScopedBulkDeleteView):
    model = Contract


class ContractImport(generic.ScopedImportView):
    model = Contract
    form_class = forms.ContractForm
    resource_class = tables.ContractResource


class ContractHistory(generic.ObjectHistoryView):
    model = Contract


class CertificateList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The certificates and attestations the company relies on in judging its "
        "contractors, with their expiry dates.")
    model = Certificate
    filterset_class = filtersets.CertificateFilterSet
    table_class = tables.CertificateTable
    resource_class = tables.CertificateResource


class CertificateDetail(generic.ScopedDetailView):
    model = Certificate
    fields = ["contractor", "kind", "number", "issuer", "issued_on", "expires_on",
              "relied_on", "submitted_through", "note", "file_name", "file_size",
              "file_sha256"]
    template_name = "contractors/certificate_detail.html"


class CertificateDownload(generic.ModelViewMixin, TemplateView):
    """The certificate's file, to those who may see the certificate, always as a download."""

    model = Certificate

    def get(self, request, *args, **kwargs):
        certificate = self.get_object(VIEW)
        return stored_file_response(certificate.file, certificate.file_name or "certificate")


class CertificateCreate(generic.ScopedCreateView):
    prefill = {"contractor": "contractor"}  # opened from the contractor's page
    model = Certificate
    form_class = forms.CertificateForm


class CertificateUpdate(generic.ScopedUpdateView):
    model = Certificate
    form_class = forms.CertificateForm


class CertificateDelete(generic.ScopedDeleteView):
    model = Certificate


class CertificateBulkDelete(generic.ScopedBulkDeleteView):
    model = Certificate


class CertificateImport(generic.ScopedImportView):
    model = Certificate
    form_class = forms.CertificateForm
    resource_class = tables.CertificateResource


class CertificateHistory(generic.ObjectHistoryView):
    model = Certificate


class ContractorSettingsList(generic.SettingsRowView):
    model = ContractorSettings


class ContractorSettingsDetail(generic.ScopedDetailView):
    model = ContractorSettings
    fields = ["high_review_months", "medium_review_months", "low_review_months",
              "notification_hours", "expiry_warning_days"]


class ContractorSettingsUpdate(generic.ScopedUpdateView):
    model = ContractorSettings
    form_class = forms.ContractorSettingsForm


class ContractorSettingsHistory(generic.ObjectHistoryView):
    model = ContractorSettings


class SubcontractingList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Who passes entrusted work on to whom (再委託), each arrangement with the company's "
        "consent or refusal.")
    model = Subcontracting
    filterset_class = filtersets.SubcontractingFilterSet
    table_class = tables.SubcontractingTable
    resource_class = tables.SubcontractingResource


class SubcontractingDetail(generic.ScopedDetailView):
    model = Subcontracting
    fields = ["contractor", "subcontractor", "work", "information", "requested_on",
              "status", "decided_on", "decided_by", "decision_note", "ended_on"]
    template_name = "contractors/subcontracting_detail.html"

    def extra_context(self, obj):
        user = self.request.user
        pending = obj.status == Subcontracting.Status.REQUESTED
        return {
            "can_decide": pending and workflow.decides_subcontracting(user, obj),
            "can_end": workflow.ends_subcontracting(user, obj),
            "decision_form": forms.SubcontractingDecisionForm(),
        }


class SubcontractingCreate(generic.ScopedCreateView):
    prefill = {"contractor": "contractor"}  # opened from the contractor's page
    model = Subcontracting
    form_class = forms.SubcontractingForm


class SubcontractingUpdate(generic.ScopedUpdateView):
    model = Subcontracting
    form_class = forms.SubcontractingForm


class SubcontractingDelete(generic.ScopedDeleteView):
    model = Subcontracting


class SubcontractingBulkDelete(generic.ScopedBulkDeleteView):
    model = Subcontracting


class SubcontractingImport(generic.ScopedImportView):
    model = Subcontracting
    form_class = forms.SubcontractingForm
    resource_class = tables.SubcontractingResource


class SubcontractingHistory(generic.ObjectHistoryView):
    model = Subcontracting


class SubcontractingDecide(generic.StepView):
    """The CISO consents to a requested subcontracting, or refuses it with a reason."""

    model = Subcontracting
    done = gettext_lazy("The decision was recorded.")

    def step(self, request, link):
        form = forms.SubcontractingDecisionForm(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form[name].label}: {' '.join(errors)}"
                                   for name, errors in form.errors.items()])
        workflow.decide_subcontracting(request.user, link, **form.cleaned_data)


class SubcontractingEnd(generic.StepView):
    model = Subcontracting
    done = gettext_lazy("The subcontracting was recorded as ended.")

    def step(self, request, link):
        workflow.end_subcontracting(request.user, link)
