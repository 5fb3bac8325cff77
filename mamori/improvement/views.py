from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.core.scope import ADD, VIEW, can
from mamori.core.views import generic
from mamori.improvement import filtersets, forms, sources, tables, workflow
from mamori.improvement.models import (
    CorrectiveAction,
    EffectivenessCheck,
    ImprovementAction,
    ImprovementSettings,
    Nonconformity,
)
from mamori.improvement.rules import may_restate_finding


class RaisedFromCreate(generic.ScopedCreateView):
    """The create page, or — at `new/from/<label>/<pk>/` — the page raising a record from
    another one the user may see (an incident, an audit's item): it starts with that record's
    kind, reference, department and title, and the saved record links to it. An auditor, who
    adds nothing to the register otherwise, raises the findings of their own audits here."""

    def source_record(self):
        if "source" not in self.kwargs:
            return None
        if not hasattr(self, "_source"):
            try:
                self._source = sources.resolve(self.kwargs["source"], self.kwargs["source_pk"],
                                               self.request.user)
            except ValidationError as exc:
                raise Http404 from exc
        return self._source

    def check_allowed(self):
        found = self.source_record()
        if can(self.request.user, self.model, ADD):
            return
        if found is None or not sources.writes(self.request.user, found[0]):
            raise PermissionDenied

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        found = self.source_record()
        if found is not None:
            record, kind = found
            form.source_record = record
            if data is None:
                form.initial.update({k: v for k, v in sources.initial_for(record, kind).items()
                                     if v not in (None, "")})
        return form


def source_link(request, obj):
    """The record `obj` was raised from, when there is one and the user may open it."""
    record = obj.source_object()
    if record is None:
        return None
    visible = type(record)._default_manager.restrict(request.user, VIEW).filter(pk=record.pk)
    return record if visible.exists() else None


RAISED_FIELDS = ["source", "source_reference"]


# --- nonconformities --------------------------------------------------------------------


class NonconformityList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Where a requirement was not met: its correction, cause and corrective actions, "
        "until a check finds them effective.")
    model = Nonconformity
    filterset_class = filtersets.NonconformityFilterSet
    table_class = tables.NonconformityTable
    resource_class = tables.NonconformityResource


class NonconformityDetail(generic.ScopedDetailView):
    model = Nonconformity
    template_name = "improvement/nonconformity_detail.html"
    fields = ["code", "title", "description", "severity", "status", *RAISED_FIELDS,
              "policy_article", "requirement", "department", "raised_on", "raised_by",
              "correction", "correction_done_on", "root_cause", "plan_due_on",
              "plan_approved_on", "plan_approved_by", "reopened_on", "closed_on", "closed_by"]

    def extra_context(self, obj):
        user = self.request.user
        return {
            "source_record": source_link(self.request, obj),
            "actions": CorrectiveAction.objects.restrict(user).filter(
                nonconformity=obj).select_related("owner").order_by("due_on", "pk"),
            "checks": EffectivenessCheck.objects.restrict(user).filter(
                nonconformity=obj).select_related("verifier").order_by("-checked_on", "-pk"),
            "can_add_action": (self.can_change and can(user, CorrectiveAction, ADD)),
            "steps": workflow.available_steps(user, obj),
            # What the next step waits for, told to those who can record it.
            "waiting": list(dict.fromkeys(workflow.waiting_for(obj).values()))
            if self.can_change else [],
            "finding_locked": self.can_change and not may_restate_finding(user, obj),
        }


class NonconformityCreate(RaisedFromCreate):
    model = Nonconformity
    form_class = forms.NonconformityForm


class NonconformityUpdate(generic.ScopedUpdateView):
    model = Nonconformity
    form_class = forms.NonconformityForm

    def get_form(self, data=None, files=None):
        form = super().get_form(data, files)
        if not may_restate_finding(self.request.user, form.instance):
            # Shown, not offered: the form refuses a change to them anyway.
            for name in Nonconformity.FINDING_FIELDS:
                form.fields[name].disabled = True
        return form


class NonconformityDelete(generic.ScopedDeleteView):
    model = Nonconformity


class NonconformityBulkDelete(generic.ScopedBulkDeleteView):
    model = Nonconformity


class NonconformityImport(generic.ScopedImportView):
    model = Nonconformity
    form_class = forms.NonconformityForm
    resource_class = tables.NonconformityResource


class NonconformityHistory(generic.ObjectHistoryView):
    model = Nonconformity


class NonconformityStep(generic.ModelActionView):
    """POST /nonconformities/<pk>/<step>/: approve the plan, close."""

    model = Nonconformity
    functions = {"approve": workflow.approve_plan, "close": workflow.close}

    def post(self, request, *args, **kwargs):
        nc = self.get_object(VIEW)
        function = self.functions.get(kwargs["step"])
        if function is None:
            raise Http404
        try:
            function(request.user, nc)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, workflow.STEPS[kwargs["step"]].done_message())
        return HttpResponseRedirect(nc.get_absolute_url())


class NonconformityCheck(generic.ModelViewMixin, TemplateView):
    """The CISO records whether the corrective actions were effective."""

    model = Nonconformity
    template_name = "core/form.html"

    def allowed_object(self):
        nc = self.get_object(VIEW)
        if not workflow.decides(self.request.user, nc):
            raise PermissionDenied
        return nc

    def page(self, nc, form, status=200):
        return self.render_to_response(self.base_context(
            form=form, object=nc, heading=workflow.STEPS["check"].label), status=status)

    def get(self, request, *args, **kwargs):
        return self.page(self.allowed_object(), forms.EffectivenessCheckForm())

    def post(self, request, *args, **kwargs):
        nc = self.allowed_object()
        form = forms.EffectivenessCheckForm(request.POST)
        if form.is_valid():
            try:
                workflow.record_check(request.user, nc, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, workflow.STEPS["check"].done_message())
                return HttpResponseRedirect(nc.get_absolute_url())
        return self.page(nc, form, status=400)


# --- corrective actions -----------------------------------------------------------------


class CorrectiveActionList(generic.ScopedListView):
    purpose = gettext_lazy("What is done about each nonconformity's cause, by whom, by when.")
    model = CorrectiveAction
    filterset_class = filtersets.CorrectiveActionFilterSet
    table_class = tables.CorrectiveActionTable
    resource_class = tables.CorrectiveActionResource


class CorrectiveActionDetail(generic.ScopedDetailView):
    model = CorrectiveAction
    fields = ["nonconformity", "title", "owner", "due_on", "done_on", "notes"]


class CorrectiveActionCreate(generic.ScopedCreateView):
    model = CorrectiveAction
    form_class = forms.CorrectiveActionForm
    prefill = {"nonconformity": "nonconformity"}


class CorrectiveActionUpdate(generic.ScopedUpdateView):
    model = CorrectiveAction
    form_class = forms.CorrectiveActionForm


class CorrectiveActionDelete(generic.ScopedDeleteView):
    model = CorrectiveAction


class CorrectiveActionBulkDelete(generic.ScopedBulkDeleteView):
    model = CorrectiveAction


class CorrectiveActionImport(generic.ScopedImportView):
    model = CorrectiveAction
    form_class = forms.CorrectiveActionForm
    resource_class = tables.CorrectiveActionResource


class CorrectiveActionHistory(generic.ObjectHistoryView):
    model = CorrectiveAction


# --- effectiveness checks: recorded by the nonconformity's step, never edited ------------


class EffectivenessCheckList(generic.ScopedListView):
    model = EffectivenessCheck
    filterset_class = filtersets.EffectivenessCheckFilterSet
    table_class = tables.EffectivenessCheckTable
    resource_class = tables.EffectivenessCheckResource


class EffectivenessCheckDetail(generic.ScopedDetailView):
    model = EffectivenessCheck
    fields = ["nonconformity", "checked_on", "verifier", "effective", "notes"]


class EffectivenessCheckHistory(generic.ObjectHistoryView):
    model = EffectivenessCheck


# --- improvement actions ----------------------------------------------------------------


class ImprovementActionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What the company decided to do better on observations and opportunities for "
        "improvement.")
    model = ImprovementAction
    filterset_class = filtersets.ImprovementActionFilterSet
    table_class = tables.ImprovementActionTable
    resource_class = tables.ImprovementActionResource


class ImprovementActionDetail(generic.ScopedDetailView):
    model = ImprovementAction
    template_name = "improvement/improvementaction_detail.html"
    fields = ["code", "title", "description", "status", *RAISED_FIELDS, "department", "owner",
              "raised_on", "due_on", "completed_on", "outcome"]

    def extra_context(self, obj):
        return {"source_record": source_link(self.request, obj)}


class ImprovementActionCreate(RaisedFromCreate):
    model = ImprovementAction
    form_class = forms.ImprovementActionForm


class ImprovementActionUpdate(generic.ScopedUpdateView):
    model = ImprovementAction
    form_class = forms.ImprovementActionForm


class ImprovementActionDelete(generic.ScopedDeleteView):
    model = ImprovementAction


class ImprovementActionBulkDelete(generic.ScopedBulkDeleteView):
    model = ImprovementAction


class ImprovementActionImport(generic.ScopedImportView):
    model = ImprovementAction
    form_class = forms.ImprovementActionForm
    resource_class = tables.ImprovementActionResource


class ImprovementActionHistory(generic.ObjectHistoryView):
    model = ImprovementAction


# --- settings -----------------------------------------------------------------------------


class ImprovementSettingsList(generic.SettingsRowView):
    model = ImprovementSettings


class ImprovementSettingsDetail(generic.ScopedDetailView):
    model = ImprovementSettings
    fields = ["plan_days"]


class ImprovementSettingsUpdate(generic.ScopedUpdateView):
    model = ImprovementSettings
    form_class = forms.ImprovementSettingsForm


class ImprovementSettingsHistory(generic.ObjectHistoryView):
    model = ImprovementSettings
