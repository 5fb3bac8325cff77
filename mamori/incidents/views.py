from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from mamori.core.scope import ADD, CHANGE, VIEW, can
from mamori.core.views import generic
from mamori.improvement.sources import raised_from_context
from mamori.incidents import counting, filtersets, forms, metrics, reports, tables, workflow
from mamori.incidents.models import (
    BreachAssessment,
    BreachRule,
    Incident,
    IncidentSettings,
    RecoveryAction,
    RegulatoryReport,
    ResponseTarget,
)

# --- incidents ---------------------------------------------------------------------------


class IncidentList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Security incidents reported by anyone in the company, from the first report to "
        "recovery and lessons learned (policy Art. 5, 11).")
    model = Incident
    filterset_class = filtersets.IncidentFilterSet
    table_class = tables.IncidentTable
    resource_class = tables.IncidentResource

    def base_context(self, **extra):
        context = super().base_context(**extra)
        context["can_import"] = context["can_import"] and forms.handles_incidents(
            self.request.user)
        return context


class IncidentDetail(generic.ScopedDetailView):
    model = Incident
    template_name = "incidents/incident_detail.html"
    fields = ["code", "title", "description", "status", "severity", "department",
              "reported_by", "assignee", "occurred_at", "noticed_at", "aware_at",
              "late_awareness_reason", "data_affected", "personal_data_suspected", "triaged_at",
              "contained_at",
              "recovered_at", "closed_at", "contain_due_at", "recover_due_at", "escalated_at",
              "root_cause", "lessons_learned"]

    def extra_context(self, obj):
        user = self.request.user
        handles = self.can_change
        assessment = BreachAssessment.objects.restrict(user).filter(incident=obj).first()
        # Only the moves that would be accepted are offered; none, no form.
        statuses = workflow.next_statuses(obj, user) if handles else []
        return {
            "handles": handles,
            "entries": obj.entries.restrict(user).select_related("author"),
            "transition_form": forms.TransitionForm(statuses=statuses) if statuses else None,
            "note_form": forms.NoteForm() if handles else None,
            "missing_for_closing": workflow.missing_for_closing(obj),
            "assessment": assessment,
            "grounds_named": reports.ground_names(assessment.grounds_list, assessment.rule)
            if assessment else [],
            "can_assess": handles and can(user, BreachAssessment, ADD),
            "reports": obj.reports.restrict(user).order_by("due_on", "pk"),
            "can_report": handles and can(user, RegulatoryReport, ADD),
            "actions": obj.recovery_actions.restrict(user).select_related("owner"),
            "can_add_action": handles and can(user, RecoveryAction, ADD),
            # Lessons learned raise nonconformities and improvement actions (Art 12).
            **raised_from_context(user, obj),
            "related_lists": [
                (Incident._meta.get_field(name).verbose_name,
                 getattr(obj, name).restrict(user).order_by("code")[:200])
                for name in ("assets", "threats", "risks", "controls", "contractors")],
        }


class IncidentResponseTimes(generic.ModelViewMixin, TemplateView):
    """Time to contain and to recover per severity against the targets, for the incidents
    the user sees, with the list's filters."""

    model = Incident
    template_name = "incidents/response_times.html"

    def get(self, request, *args, **kwargs):
        filterset, incidents = self.filtered(filtersets.IncidentFilterSet)
        return self.render_to_response(self.base_context(
            filterset=filterset, rows=metrics.response_times(incidents),
            stages=("contain", "recover")))


class IncidentCreate(generic.ScopedCreateView):
    """Anyone reports an incident in the short form; the report goes to the CISO, the
    incident team and the department's information manager."""

    model = Incident
    form_class = forms.IncidentReportForm
    prefill = {"asset": "assets"}


class IncidentUpdate(generic.ScopedUpdateView):
    """The handlers edit everything; the assignee what an assignee records (forms.py)."""

    model = Incident

    def get_form(self, data=None, files=None):
        self.form_class = forms.incident_form_for(self.request.user, self.get_instance())
        return super().get_form(data, files)


class IncidentImport(generic.ScopedImportView):
    """For the handlers only: anyone may report an incident, in the report form."""

    model = Incident
    form_class = forms.IncidentImportForm
    resource_class = tables.IncidentResource

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not forms.handles_incidents(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class IncidentHistory(generic.ObjectHistoryView):
    model = Incident


class IncidentStep(generic.ModelActionView):
    """The buttons on an incident's page: move it on, add a note, escalate."""

    model = Incident

    def post(self, request, *args, **kwargs):
        incident = self.get_object(VIEW)
        workflow.check_can_handle(incident, request.user)
        try:
            self.act(incident)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied:
            raise
        return HttpResponseRedirect(incident.get_absolute_url())


class IncidentTransition(IncidentStep):
    def act(self, incident):
        form = forms.TransitionForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose the status to move to."))
        workflow.move_to(incident, form.cleaned_data["status"], self.request.user,
                         form.cleaned_data["note"])
        messages.success(self.request, _("%(incident)s is now %(status)s.") % {
            "incident": incident.code, "status": incident.get_status_display()})


class IncidentNote(IncidentStep):
    def act(self, incident):
        workflow.add_note(incident, self.request.user, self.request.POST.get("text"))


class IncidentEscalate(IncidentStep):
    def act(self, incident):
        reason = self.request.POST.get("text", "").strip() or _("Escalated to the CISO.")
        workflow.escalate(incident, self.request.user, reason)


# --- recovery actions --------------------------------------------------------------------


class RecoveryActionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What must be done to recover from an incident, by whom and by when.")
    model = RecoveryAction
    filterset_class = filtersets.RecoveryActionFilterSet
    table_class = tables.RecoveryActionTable
    resource_class = tables.RecoveryActionResource


class RecoveryActionDetail(generic.ScopedDetailView):
    model = RecoveryAction
    fields = ["incident", "title", "owner", "due_on", "done_on", "notes"]


class RecoveryActionCreate(generic.ScopedCreateView):
    model = RecoveryAction
    form_class = forms.RecoveryActionForm
    prefill = {"incident": "incident"}


class RecoveryActionUpdate(generic.ScopedUpdateView):
    model = RecoveryAction
    form_class = forms.RecoveryActionForm


class RecoveryActionDelete(generic.ScopedDeleteView):
    model = RecoveryAction


class RecoveryActionBulkDelete(generic.ScopedBulkDeleteView):
    model = RecoveryAction


class RecoveryActionImport(generic.ScopedImportView):
    model = RecoveryAction
    form_class = forms.RecoveryActionForm
    resource_class = tables.RecoveryActionResource


class RecoveryActionHistory(generic.ObjectHistoryView):
    model = RecoveryAction


# --- breach assessments --------------------------------------------------------------------


class BreachAssessmentList(generic.ScopedListView):
    model = BreachAssessment
    filterset_class = filtersets.BreachAssessmentFilterSet
    table_class = tables.BreachAssessmentTable
    resource_class = tables.BreachAssessmentResource


class BreachAssessmentDetail(generic.ScopedDetailView):
    model = BreachAssessment
    template_name = "incidents/breachassessment_detail.html"
    fields = ["incident", "personal_data", "sensitive", "financial_damage", "wrongful_purpose",
              "being_acquired", "held_data_also_affected", "persons_affected", "encrypted",
              "data_items", "assessed_by", "assessed_at", "rule", "reportable", "exempt",
              "grounds", "grounds_if_unencrypted", "preliminary_target", "preliminary_due",
              "final_due", "person_notice", "person_notice_on"]

    def extra_context(self, obj):
        return {"outcome": obj.outcome(), "rule": obj.rule,
                "counting": counting.for_assessment(obj),
                "grounds_named": reports.ground_names(obj.grounds_list, obj.rule)}


class AssessmentSaving:
    """Saving an assessment also records the outcome and drafts the required reports."""

    def save(self, form):
        return workflow.save_assessment(form.save(commit=False), self.request.user)


class BreachAssessmentCreate(AssessmentSaving, generic.ScopedCreateView):
    model = BreachAssessment
    form_class = forms.BreachAssessmentForm
    prefill = {"incident": "incident"}


class BreachAssessmentUpdate(AssessmentSaving, generic.ScopedUpdateView):
    model = BreachAssessment
    form_class = forms.BreachAssessmentForm


class BreachAssessmentDelete(generic.ScopedDeleteView):
    model = BreachAssessment


class BreachAssessmentBulkDelete(generic.ScopedBulkDeleteView):
    model = BreachAssessment


class BreachAssessmentHistory(generic.ObjectHistoryView):
    model = BreachAssessment


# --- regulatory reports --------------------------------------------------------------------


class RegulatoryReportList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Reports to the Personal Information Protection Commission and other "
        "authorities, with their legal deadlines.")
    model = RegulatoryReport
    filterset_class = filtersets.RegulatoryReportFilterSet
    table_class = tables.RegulatoryReportTable
    resource_class = tables.RegulatoryReportResource


class RegulatoryReportDetail(generic.ScopedDetailView):
    model = RegulatoryReport
    template_name = "incidents/regulatoryreport_detail.html"
    fields = ["incident", "recipient", "recipient_name", "legal_basis", "kind", "due_on",
              "submitted_on", *RegulatoryReport.ITEMS, "reminded_on", "escalated_on"]

    def extra_context(self, obj):
        settings = IncidentSettings.current()
        # The place to fill the particulars in, for those who may (the CISO, administrators).
        settings_url = settings.pk and IncidentSettings.objects.restrict(
            self.request.user, CHANGE).filter(pk=settings.pk).exists() and reverse(
            "incidents:incidentsettings_update", args=[settings.pk])
        return {"particulars": reports.particulars(obj), "company": reports.company(settings),
                "company_missing": reports.company_missing(settings),
                "settings_url": settings_url or None}


class RegulatoryReportCreate(generic.ScopedCreateView):
    model = RegulatoryReport
    form_class = forms.RegulatoryReportForm
    prefill = {"incident": "incident"}

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        incident_id = self.request.GET.get("incident", "")
        if data is None and incident_id.isdigit():
            incident = Incident.objects.restrict(self.request.user).filter(
                pk=int(incident_id)).first()
            if incident is not None:
                draft = RegulatoryReport(incident=incident)
                workflow.draft_items(draft)
                for name in RegulatoryReport.ITEMS:
                    form.initial.setdefault(name, getattr(draft, name))
        return form


class RegulatoryReportUpdate(generic.ScopedUpdateView):
    model = RegulatoryReport
    form_class = forms.RegulatoryReportForm


class RegulatoryReportDelete(generic.ScopedDeleteView):
    model = RegulatoryReport


class RegulatoryReportBulkDelete(generic.ScopedBulkDeleteView):
    model = RegulatoryReport


class RegulatoryReportImport(generic.ScopedImportView):
    model = RegulatoryReport
    form_class = forms.RegulatoryReportForm
    resource_class = tables.RegulatoryReportResource


class RegulatoryReportHistory(generic.ObjectHistoryView):
    model = RegulatoryReport


class RegulatoryReportExport(generic.ModelViewMixin, View):
    """The report as the PDF or XLSX the company files or keeps."""

    model = RegulatoryReport

    def get(self, request, *args, **kwargs):
        report = self.get_object(VIEW)
        if kwargs["format"] == "pdf":
            return reports.pdf_response(report)
        return reports.xlsx_response(report)


# --- rules, targets, settings ------------------------------------------------------------


class BreachRuleList(generic.ScopedListView):
    model = BreachRule
    filterset_class = filtersets.BreachRuleFilterSet
    table_class = tables.BreachRuleTable
    resource_class = tables.BreachRuleResource
    template_name = "incidents/breachrule_list.html"

    def base_context(self, **extra):
        return super().base_context(counting=counting.in_force_today(), **extra)


class BreachRuleDetail(generic.ScopedDetailView):
    model = BreachRule
    fields = ["code", "name_ja", "name_en", "effective_from", "preliminary_target_days",
              "preliminary_due_days", "final_days", "final_days_wrongful",
              "person_threshold", "awareness_day_is_day_one", "acquisition_counts_as_wrongful",
              "legal_basis"]
    template_name = "incidents/breachrule_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        context = response.context_data
        # A rule in use is frozen and protected: no Delete button that would be refused (the
        # edit page still corrects its names, the numbers shown but not offered).
        context["in_use"] = context["object"].in_use()
        context["can_delete"] = context["can_delete"] and not context["in_use"]
        return response

    def extra_context(self, obj):
        return {"counting": counting.for_rule(obj)}


class BreachRuleCreate(generic.ScopedCreateView):
    model = BreachRule
    form_class = forms.BreachRuleForm


class BreachRuleUpdate(generic.ScopedUpdateView):
    model = BreachRule
    form_class = forms.BreachRuleEditForm


class BreachRuleDelete(generic.ScopedDeleteView):
    model = BreachRule


class BreachRuleBulkDelete(generic.ScopedBulkDeleteView):
    model = BreachRule


class BreachRuleImport(generic.ScopedImportView):
    model = BreachRule
    form_class = forms.BreachRuleForm
    resource_class = tables.BreachRuleResource


class BreachRuleHistory(generic.ObjectHistoryView):
    model = BreachRule


class ResponseTargetList(generic.ScopedListView):
    model = ResponseTarget
    filterset_class = filtersets.ResponseTargetFilterSet
    table_class = tables.ResponseTargetTable
    resource_class = tables.ResponseTargetResource


class ResponseTargetDetail(generic.ScopedDetailView):
    model = ResponseTarget
    fields = ["severity", "contain_within_hours", "recover_within_hours"]


class ResponseTargetCreate(generic.ScopedCreateView):
    model = ResponseTarget
    form_class = forms.ResponseTargetForm


class ResponseTargetUpdate(generic.ScopedUpdateView):
    model = ResponseTarget
    form_class = forms.ResponseTargetForm


class ResponseTargetDelete(generic.ScopedDeleteView):
    model = ResponseTarget


class ResponseTargetBulkDelete(generic.ScopedBulkDeleteView):
    model = ResponseTarget


class ResponseTargetImport(generic.ScopedImportView):
    model = ResponseTarget
    form_class = forms.ResponseTargetForm
    resource_class = tables.ResponseTargetResource


class ResponseTargetHistory(generic.ObjectHistoryView):
    model = ResponseTarget


class IncidentSettingsList(generic.SettingsRowView):
    model = IncidentSettings


class IncidentSettingsDetail(generic.ScopedDetailView):
    model = IncidentSettings
    fields = ["team_email", "reminder_days", *IncidentSettings.COMPANY_FIELDS]

    def extra_context(self, obj):
        return {"related_lists": [
            (ResponseTarget._meta.verbose_name_plural,
             ResponseTarget.objects.restrict(self.request.user)),
            (BreachRule._meta.verbose_name_plural,
             BreachRule.objects.restrict(self.request.user))]}


class IncidentSettingsUpdate(generic.ScopedUpdateView):
    model = IncidentSettings
    form_class = forms.IncidentSettingsForm


class IncidentSettingsHistory(generic.ObjectHistoryView):
    model = IncidentSettings

