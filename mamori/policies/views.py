from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.core import io
from mamori.core.i18n import in_english
from mamori.core.paging import IdPaginator
from mamori.core.roles import roles_for
from mamori.core.scope import VIEW
from mamori.core.views import generic
from mamori.org.models import Person
from mamori.policies import acknowledge, coverage, filtersets, forms, tables, workflow
from mamori.policies.markdown import diff_lines, render
from mamori.policies.models import Acknowledgement, PolicyDocument, PolicyReview, PolicyVersion

# --- documents ---------------------------------------------------------------------------


class PolicyDocumentList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The information-security policy and the internal rules under it, with their "
        "versions, approvals and reviews (policy Art. 6).")
    model = PolicyDocument
    filterset_class = filtersets.PolicyDocumentFilterSet
    table_class = tables.PolicyDocumentTable
    resource_class = tables.PolicyDocumentResource


class PolicyDocumentDetail(generic.ScopedDetailView):
    model = PolicyDocument
    template_name = "policies/document_detail.html"
    fields = ["code", "kind", "title_ja", "title_en", "owner_department", "approver",
              "review_interval_months", "next_review_date", "acknowledgement_days",
              "is_active"]

    def extra_context(self, obj):
        user = self.request.user
        return {
            "versions": obj.versions.restrict(user).order_by("-number"),
            "sections": obj.sections.all(),
            "reviews": obj.reviews.restrict(user).select_related("reviewer")[:20],
            "coverage": coverage.coverage(obj),
            # The link to who has and has not acknowledged, only for who may open it.
            "sees_coverage": workflow.sees_coverage(user),
            "manages": workflow.manages(user, obj),
            "new_draft_form": forms.NewDraftForm(),
        }


class PolicyDocumentCreate(generic.ScopedCreateView):
    model = PolicyDocument
    form_class = forms.PolicyDocumentForm


class PolicyDocumentUpdate(generic.ScopedUpdateView):
    model = PolicyDocument
    form_class = forms.PolicyDocumentForm


class PolicyDocumentDelete(generic.ScopedDeleteView):
    model = PolicyDocument


class PolicyDocumentBulkDelete(generic.ScopedBulkDeleteView):
    model = PolicyDocument


class PolicyDocumentImport(generic.ScopedImportView):
    model = PolicyDocument
    form_class = forms.PolicyDocumentForm
    resource_class = tables.PolicyDocumentResource


class PolicyDocumentHistory(generic.ObjectHistoryView):
    model = PolicyDocument


class NewDraftView(generic.ModelActionView):
    """Editing a published document starts its next version."""

    model = PolicyDocument

    def post(self, request, *args, **kwargs):
        document = self.get_object(VIEW)
        form = forms.NewDraftForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose whether the change is material or editorial."))
            return HttpResponseRedirect(document.get_absolute_url())
        try:
            draft = workflow.new_draft(request.user, document, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(document.get_absolute_url())
        return HttpResponseRedirect(reverse("policies:policyversion_update", args=[draft.pk]))


class CoverageView(generic.ModelViewMixin, TemplateView):
    """Who has acknowledged, per department, and who has not (exportable)."""

    model = PolicyDocument
    template_name = "policies/coverage.html"

    def get(self, request, *args, **kwargs):
        document = self.get_object(VIEW)
        if not workflow.sees_coverage(request.user):
            raise PermissionDenied
        pending = coverage.pending_people(document).restrict(request.user).select_related(
            "department").order_by("employee_no")
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            return io.export_response(tables.PendingPeopleResource(), pending, export,
                                      f"{document.code}-pending")
        rows = coverage.coverage_by_department(document)  # read once: the totals are its sum
        totals = coverage.coverage(document, rows)
        paginator = IdPaginator(pending, 100, rows=Person.objects.select_related("department"))
        if roles_for(request.user).sees_everything:
            paginator.count = totals.pending  # the same people, already counted
        page = paginator.get_page(request.GET.get("page"))
        return self.render_to_response(self.base_context(
            object=document, coverage=totals,
            departments=coverage.coverage_by_department_for(document, request.user, rows),
            page=page,
            overdue=coverage.baseline_due_passed(document),
            baseline=document.acknowledgement_baseline(),
            manages=workflow.manages(request.user, document)))


class SendRemindersView(generic.ModelActionView):
    model = PolicyDocument

    def post(self, request, *args, **kwargs):
        from mamori.policies.tasks import send_acknowledgement_reminders

        document = self.get_object(VIEW)
        if not workflow.manages(request.user, document):
            raise PermissionDenied
        send_acknowledgement_reminders.enqueue(document_id=document.pk)
        messages.success(request, _("Reminders are being sent."))
        return HttpResponseRedirect(reverse("policies:coverage", args=[document.pk]))


# --- versions ----------------------------------------------------------------------------


class PolicyVersionList(generic.ScopedListView):
    model = PolicyVersion
    filterset_class = filtersets.PolicyVersionFilterSet
    table_class = tables.PolicyVersionTable
    resource_class = tables.PolicyVersionResource


class PolicyVersionDetail(generic.ScopedDetailView):
    model = PolicyVersion
    template_name = "policies/version_detail.html"
    fields = ["document", "number", "status", "is_material", "change_summary", "audience",
              "content_hash", "submitted_at", "approved_by", "approved_at", "published_at"]

    def extra_context(self, obj):
        user = self.request.user
        person = getattr(user, "person", None)
        # The text's language: ?text=ja|en, else the UI's (Japanese when there is no English).
        lang = self.request.GET.get("text")
        if lang not in ("ja", "en"):
            lang = "en" if in_english() and obj.body_en else "ja"
        return {
            "html": render(obj.body_en if lang == "en" else obj.body_ja),
            "text_lang": lang,
            "steps": workflow.available_steps(user, obj),
            "must_acknowledge": person is not None and coverage.needs_acknowledgement(person,
                                                                                  obj),
            "previous": obj.document.versions.filter(number__lt=obj.number).order_by(
                "-number").first(),
        }


class PolicyVersionCreate(generic.ScopedCreateView):
    model = PolicyVersion
    form_class = forms.PolicyVersionForm


class PolicyVersionUpdate(generic.ScopedUpdateView):
    model = PolicyVersion
    form_class = forms.PolicyVersionForm


class PolicyVersionDelete(generic.ScopedDeleteView):
    model = PolicyVersion


class PolicyVersionBulkDelete(generic.ScopedBulkDeleteView):
    model = PolicyVersion


class PolicyVersionHistory(generic.ObjectHistoryView):
    model = PolicyVersion


class PolicyVersionDiff(generic.ModelViewMixin, TemplateView):
    """This version's text against the previous version's, line by line, in both languages."""

    model = PolicyVersion
    template_name = "policies/version_diff.html"

    def get(self, request, *args, **kwargs):
        version = self.get_object(VIEW)
        previous = PolicyVersion.objects.restrict(request.user).filter(
            document=version.document, number__lt=version.number).order_by("-number").first()
        if previous is None:
            raise Http404
        return self.render_to_response(self.base_context(
            object=version, previous=previous,
            diff_ja=diff_lines(previous.body_ja, version.body_ja),
            diff_en=diff_lines(previous.body_en, version.body_en)))


class WorkflowStepView(generic.ModelActionView):
    """POST /versions/<pk>/<step>/: submit, approve, return, publish."""

    model = PolicyVersion

    def post(self, request, *args, **kwargs):
        version = self.get_object(VIEW)
        step = workflow.STEPS.get(kwargs["step"])
        if step is None:
            raise Http404
        try:
            step.function(request.user, version)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, step.done_message())
        return HttpResponseRedirect(version.get_absolute_url())


class AcknowledgeView(generic.ModelActionView):
    model = PolicyVersion

    def post(self, request, *args, **kwargs):
        version = self.get_object(VIEW)
        try:
            acknowledge.acknowledge(request, version)
        except (ValidationError, IntegrityError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else _(
                "You have already acknowledged this version.")
            messages.error(request, text)
        else:
            messages.success(request, _("Thank you: your acknowledgement of %(doc)s is "
                                        "recorded.") % {"doc": version})
        return self.redirect_back(version.get_absolute_url())


# --- acknowledgements and reviews ----------------------------------------------------------


class AcknowledgementList(generic.ScopedListView):
    purpose = gettext_lazy(
        "Who read and acknowledged which version of a policy or rule, and when.")
    model = Acknowledgement
    filterset_class = filtersets.AcknowledgementFilterSet
    table_class = tables.AcknowledgementTable
    resource_class = tables.AcknowledgementResource


class AcknowledgementDetail(generic.ScopedDetailView):
    model = Acknowledgement
    fields = ["person", "version", "content_hash", "acknowledged_at", "ip_address",
              "user_agent", "session"]


class AcknowledgementHistory(generic.ObjectHistoryView):
    model = Acknowledgement


class PolicyReviewList(generic.ScopedListView):
    model = PolicyReview
    filterset_class = filtersets.PolicyReviewFilterSet
    table_class = tables.PolicyReviewTable
    resource_class = tables.PolicyReviewResource


class PolicyReviewDetail(generic.ScopedDetailView):
    model = PolicyReview
    fields = ["document", "reviewer", "reviewed_on", "outcome", "reasons", "notes",
              "next_review_date"]


class PolicyReviewCreate(generic.ScopedCreateView):
    model = PolicyReview
    form_class = forms.PolicyReviewForm


class PolicyReviewUpdate(generic.ScopedUpdateView):
    model = PolicyReview
    form_class = forms.PolicyReviewForm


class PolicyReviewDelete(generic.ScopedDeleteView):
    model = PolicyReview


class PolicyReviewBulkDelete(generic.ScopedBulkDeleteView):
    model = PolicyReview


class PolicyReviewHistory(generic.ObjectHistoryView):
    model = PolicyReview


def my_page_panel(request, person):
    """What this person still has to read and acknowledge (for My page)."""
    return {"to_acknowledge": coverage.documents_to_acknowledge(person),
            "acknowledged": person.acknowledgements.select_related("version__document")[:10]}
