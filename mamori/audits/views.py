from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.audits import (
    checklist,
    coverage,
    evidence_requests,
    filtersets,
    forms,
    report,
    tables,
    workflow,
)
from mamori.audits.models import (
    Audit,
    AuditCertificate,
    AuditProgramme,
    AuditSettings,
    ChecklistItem,
    EvidenceRequest,
    WorkingPaper,
)
from mamori.controls.views import stored_file_response
from mamori.core.conformance import STATUS_LABELS
from mamori.core.scope import ADD, VIEW, can
from mamori.core.views import generic
from mamori.improvement.sources import raised_from_context

# --- programmes ---------------------------------------------------------------------------

PROGRAMME_AUDITS_SHOWN = 100


class AuditProgrammeList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The audits planned for each fiscal year, which together cover every department and "
        "every article of the policy.")
    model = AuditProgramme
    filterset_class = filtersets.AuditProgrammeFilterSet
    table_class = tables.AuditProgrammeTable
    resource_class = tables.AuditProgrammeResource


class AuditProgrammeDetail(generic.ScopedDetailView):
    model = AuditProgramme
    template_name = "audits/auditprogramme_detail.html"
    fields = ["fiscal_year", "objectives", "approved_by", "approved_on"]

    def extra_context(self, obj):
        user = self.request.user
        return {
            "grid": coverage.programme_grid(obj),
            # The first of them; the audit list, filtered by the programme, has them all.
            "audits": obj.audits.restrict(user).select_related("lead_auditor").order_by(
                "planned_start", "pk")[:PROGRAMME_AUDITS_SHOWN],
            "audits_url": f"{reverse('audits:audit_list')}?programme={obj.pk}",
            "can_add_audit": can(user, Audit, ADD),
        }


class AuditProgrammeCreate(generic.ScopedCreateView):
    model = AuditProgramme
    form_class = forms.AuditProgrammeForm


class AuditProgrammeUpdate(generic.ScopedUpdateView):
    model = AuditProgramme
    form_class = forms.AuditProgrammeForm


class AuditProgrammeDelete(generic.ScopedDeleteView):
    model = AuditProgramme


class AuditProgrammeBulkDelete(generic.ScopedBulkDeleteView):
    model = AuditProgramme


class AuditProgrammeImport(generic.ScopedImportView):
    model = AuditProgramme
    form_class = forms.AuditProgrammeForm
    resource_class = tables.AuditProgrammeResource


class AuditProgrammeHistory(generic.ObjectHistoryView):
    model = AuditProgramme


# --- audits --------------------------------------------------------------------------------


class AuditList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Internal and external audits: their scope, team and checklist, and what they found.")
    model = Audit
    filterset_class = filtersets.AuditFilterSet
    table_class = tables.AuditTable
    resource_class = tables.AuditResource


class AuditDetail(generic.ScopedDetailView):
    model = Audit
    template_name = "audits/audit_detail.html"
    fields = ["code", "title", "kind", "status", "programme", "auditing_body", "criteria",
              "lead_auditor", "planned_start", "planned_end", "fieldwork_started_on",
              "reporting_started_on", "closed_on", "summary", "conclusion", "follow_up_of",
              "independence_justification", "independence_accepted_by"]

    def extra_context(self, obj):
        user = self.request.user
        items = list(ChecklistItem.objects.restrict(user).filter(audit=obj).select_related(
            "requirement", "control").order_by("position", "pk"))
        leads = workflow.leads(user, obj)
        current = checklist.current_results(items)
        return {
            # Each item with the conformance result of its check now, as a starting point.
            "items": [(item, *(current.get(item.reference, (None, None))
                                if item.kind == item.Kind.CHECK else (None, None)))
                      for item in items],
            "status_labels": STATUS_LABELS,
            "steps": workflow.available_steps(user, obj),
            "waiting": list(dict.fromkeys(workflow.waiting_for(obj).values()))
            if leads else [],
            "can_generate": leads,
            "can_add_item": self.can_change and can(user, ChecklistItem, ADD),
            "can_add_request": self.can_change and can(user, EvidenceRequest, ADD),
            "requests": EvidenceRequest.objects.restrict(user).filter(audit=obj).select_related(
                "asked_of").order_by("due_on", "pk"),
            "related_lists": [
                (Audit._meta.get_field(name).verbose_name, related)
                for name, related in (
                    ("departments", obj.departments.restrict(user).order_by("code")),
                    ("articles", obj.articles.all()),
                    ("team", obj.team.restrict(user).order_by("employee_no")),
                    ("requirements", obj.requirements.restrict(user)),
                    ("controls", obj.controls.restrict(user).order_by("code")),
                    ("contractors", obj.contractors.restrict(user).order_by("code")))],
            **raised_from_context(user, obj),
        }


class AuditCreate(generic.ScopedCreateView):
    model = Audit
    form_class = forms.AuditForm
    prefill = {"programme": "programme", "follow_up_of": "follow_up_of"}


class AuditUpdate(generic.ScopedUpdateView):
    model = Audit
    form_class = forms.AuditForm


class AuditDelete(generic.ScopedDeleteView):
    model = Audit


class AuditBulkDelete(generic.ScopedBulkDeleteView):
    model = Audit


class AuditImport(generic.ScopedImportView):
    model = Audit
    form_class = forms.AuditForm
    resource_class = tables.AuditResource


class AuditHistory(generic.ObjectHistoryView):
    model = Audit


class AuditReport(generic.ModelViewMixin, TemplateView):
    """The audit report, for whoever may read the audit: the page, or ?format=pdf|xlsx."""

    model = Audit
    template_name = "audits/audit_report.html"

    def get(self, request, *args, **kwargs):
        audit = self.get_object(VIEW)
        built = report.build(audit, request.user)
        fmt = request.GET.get("format")
        if fmt == "pdf":
            return report.pdf_response(built)
        if fmt == "xlsx":
            return report.xlsx_response(built)
        return self.render_to_response(self.base_context(object=audit, report=built))


class AuditStep(generic.ModelActionView):
    """POST /audits/<pk>/<step>/: start fieldwork, start reporting, close; and generate the
    checklist again from the scope."""

    model = Audit

    def post(self, request, *args, **kwargs):
        audit = self.get_object(VIEW)
        name = kwargs["step"]
        try:
            if name == "generate":
                added, removed = workflow.regenerate(request.user, audit)
                messages.success(request, _("Checklist generated: %(added)s added, "
                                            "%(removed)s removed.") % {
                    "added": added, "removed": removed})
            elif name in workflow.STEPS:
                workflow.STEPS[name].function(request.user, audit)
                messages.success(request, workflow.STEPS[name].done_message())
            else:
                raise Http404
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(audit.get_absolute_url())


# --- checklist items ------------------------------------------------------------------------


class ChecklistItemList(generic.ScopedListView):
    model = ChecklistItem
    filterset_class = filtersets.ChecklistItemFilterSet
    table_class = tables.ChecklistItemTable
    resource_class = tables.ChecklistItemResource


class ChecklistItemDetail(generic.ScopedDetailView):
    model = ChecklistItem
    template_name = "audits/checklistitem_detail.html"
    fields = ["audit", "kind", "reference", "title", "result", "notes", "sampled_records"]

    def extra_context(self, obj):
        user = self.request.user
        context = {
            "current": checklist.current_results([obj]).get(obj.reference, (None, None)),
            "status_labels": STATUS_LABELS,
            "evidence": obj.evidence.restrict(user).order_by("-collected_on"),
            "papers": obj.working_papers.restrict(user).order_by("pk"),
            "can_add_paper": self.can_change and can(user, WorkingPaper, ADD),
        }
        raising = raised_from_context(user, obj)
        if obj.result not in (*ChecklistItem.NONCONFORMING, *ChecklistItem.TO_IMPROVE):
            raising["raise_links"] = []  # nothing to raise from a conforming item
        return {**context, **raising}


class ChecklistItemCreate(generic.ScopedCreateView):
    model = ChecklistItem
    form_class = forms.ChecklistItemForm
    prefill = {"audit": "audit"}


class ChecklistItemUpdate(generic.ScopedUpdateView):
    model = ChecklistItem
    form_class = forms.ChecklistItemForm


class ChecklistItemDelete(generic.ScopedDeleteView):
    model = ChecklistItem


class ChecklistItemBulkDelete(generic.ScopedBulkDeleteView):
    model = ChecklistItem


class ChecklistItemImport(generic.ScopedImportView):
    model = ChecklistItem
    form_class = forms.ChecklistItemForm
    resource_class = tables.ChecklistItemResource


class ChecklistItemHistory(generic.ObjectHistoryView):
    model = ChecklistItem


# --- working papers -------------------------------------------------------------------------


class WorkingPaperList(generic.ScopedListView):
    model = WorkingPaper
    filterset_class = filtersets.WorkingPaperFilterSet
    table_class = tables.WorkingPaperTable
    resource_class = tables.WorkingPaperResource


class WorkingPaperDetail(generic.ScopedDetailView):
    model = WorkingPaper
    template_name = "audits/workingpaper_detail.html"
    fields = ["item", "title", "file_name", "file_size", "file_sha256"]


class WorkingPaperCreate(generic.ScopedCreateView):
    model = WorkingPaper
    form_class = forms.WorkingPaperForm
    prefill = {"item": "item"}


class WorkingPaperUpdate(generic.ScopedUpdateView):
    model = WorkingPaper
    form_class = forms.WorkingPaperForm


class WorkingPaperDelete(generic.ScopedDeleteView):
    model = WorkingPaper


class WorkingPaperHistory(generic.ObjectHistoryView):
    model = WorkingPaper


class WorkingPaperDownload(generic.ModelViewMixin, TemplateView):
    """The stored file, to those who may read the audit, always as a download under its
    original name."""

    model = WorkingPaper

    def get(self, request, *args, **kwargs):
        paper = self.get_object(VIEW)
        return stored_file_response(paper.file, paper.file_name or "paper")


# --- evidence requests ----------------------------------------------------------------------


class EvidenceRequestList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What the audit team asked control owners and information managers to show, by when, "
        "and their answers.")
    model = EvidenceRequest
    filterset_class = filtersets.EvidenceRequestFilterSet
    table_class = tables.EvidenceRequestTable
    resource_class = tables.EvidenceRequestResource


class EvidenceRequestDetail(generic.ScopedDetailView):
    model = EvidenceRequest
    template_name = "audits/evidencerequest_detail.html"
    fields = ["audit", "item", "asked_of", "request", "due_on", "status", "response",
              "answered_on", "notified_on", "escalated_on"]

    def extra_context(self, obj):
        return {"evidence": obj.evidence.restrict(self.request.user).order_by("-collected_on"),
                "can_answer": evidence_requests.answers(self.request.user, obj)}


class EvidenceRequestCreate(generic.ScopedCreateView):
    model = EvidenceRequest
    form_class = forms.EvidenceRequestForm
    prefill = {"audit": "audit", "item": "item"}


class EvidenceRequestUpdate(generic.ScopedUpdateView):
    model = EvidenceRequest
    form_class = forms.EvidenceRequestForm


class EvidenceRequestDelete(generic.ScopedDeleteView):
    model = EvidenceRequest


class EvidenceRequestBulkDelete(generic.ScopedBulkDeleteView):
    model = EvidenceRequest


class EvidenceRequestImport(generic.ScopedImportView):
    model = EvidenceRequest
    form_class = forms.EvidenceRequestForm
    resource_class = tables.EvidenceRequestResource


class EvidenceRequestHistory(generic.ObjectHistoryView):
    model = EvidenceRequest


class EvidenceRequestAnswer(generic.ScopedFormView):
    """The one asked answers (the answer and the evidence), and nothing else."""

    model = EvidenceRequest
    form_class = forms.EvidenceRequestAnswerForm

    def get_instance(self):
        if not hasattr(self, "_instance"):
            self._instance = self.get_object(VIEW)
        return self._instance

    def check_allowed(self):
        if not evidence_requests.answers(self.request.user, self.get_instance()):
            raise PermissionDenied

    def base_context(self, **extra):
        return super().base_context(heading=_("Answer"), **extra)

    def post(self, request, *args, **kwargs):
        self.check_allowed()
        asked = self.get_instance()
        form = self.get_form(request.POST)
        if form.is_valid():
            try:
                evidence_requests.answer_request(request.user, asked, form.cleaned_data["response"],
                                        [e.pk for e in form.cleaned_data["evidence"]])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Thank you: your answer is recorded."))
                return HttpResponseRedirect(asked.get_absolute_url())
        return self.render_to_response(self.base_context(form=form, object=asked), status=400)


# --- certificates ---------------------------------------------------------------------------


class AuditCertificateList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What external audits certified — ISO/IEC 27001 certificates, PCI DSS attestations — "
        "with their scope and validity, warned before they expire.")
    model = AuditCertificate
    filterset_class = filtersets.AuditCertificateFilterSet
    table_class = tables.AuditCertificateTable
    resource_class = tables.AuditCertificateResource


class AuditCertificateDetail(generic.ScopedDetailView):
    model = AuditCertificate
    fields = ["audit", "kind", "number", "scope_statement", "issued_on", "expires_on",
              "evidence", "superseded"]


class AuditCertificateCreate(generic.ScopedCreateView):
    model = AuditCertificate
    form_class = forms.AuditCertificateForm
    prefill = {"audit": "audit"}


class AuditCertificateUpdate(generic.ScopedUpdateView):
    model = AuditCertificate
    form_class = forms.AuditCertificateForm


class AuditCertificateDelete(generic.ScopedDeleteView):
    model = AuditCertificate


class AuditCertificateBulkDelete(generic.ScopedBulkDeleteView):
    model = AuditCertificate


class AuditCertificateImport(generic.ScopedImportView):
    model = AuditCertificate
    form_class = forms.AuditCertificateForm
    resource_class = tables.AuditCertificateResource


class AuditCertificateHistory(generic.ObjectHistoryView):
    model = AuditCertificate


# --- settings -------------------------------------------------------------------------------


class AuditSettingsList(generic.SettingsRowView):
    model = AuditSettings


class AuditSettingsDetail(generic.ScopedDetailView):
    model = AuditSettings
    fields = ["fiscal_year_start_month", "cycle_years"]


class AuditSettingsUpdate(generic.ScopedUpdateView):
    model = AuditSettings
    form_class = forms.AuditSettingsForm


class AuditSettingsHistory(generic.ObjectHistoryView):
    model = AuditSettings
