"""The management reviews: their standard pages, the steps (freeze the inputs, record the
minutes), a preview of the inputs before they are frozen, the frozen pack on the page and as
PDF and XLSX, and the decisions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from mamori.core.scope import ADD, VIEW, can
from mamori.core.views import generic
from mamori.improvement.models import ImprovementAction
from mamori.org.models import Person
from mamori.review import filtersets, forms, pack, packreport, tables, workflow
from mamori.review.models import ManagementReview, ReviewDecision, ReviewPack

Status = ManagementReview.Status


def visible_pack(user, review) -> ReviewPack | None:
    """The review's frozen pack, when there is one and the user may read it."""
    if review.status == Status.PREPARING:
        return None
    return ReviewPack.objects.restrict(user, VIEW).filter(review=review).first()


class ManagementReviewList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The management reviews: top management reads the inputs frozen from Mamori's "
        "records, decides, and each decision raises an improvement action.")
    model = ManagementReview
    filterset_class = filtersets.ManagementReviewFilterSet
    table_class = tables.ManagementReviewTable
    resource_class = tables.ManagementReviewResource


class ManagementReviewDetail(generic.ScopedDetailView):
    model = ManagementReview
    template_name = "review/managementreview_detail.html"
    fields = ["code", "title", "status", "held_on", "chair", "period_start", "feedback",
              "opportunities", "frozen_at", "frozen_by", "minutes", "closed_on"]

    def extra_context(self, obj):
        user = self.request.user
        attendees = list(obj.attendees.order_by("employee_no"))
        seen = set(Person.objects.restrict(user, VIEW).filter(
            pk__in=[p.pk for p in attendees]).values_list("pk", flat=True))
        decisions = list(obj.decisions.restrict(user, VIEW).select_related(
            "department", "owner", "action").order_by("number"))
        actions = set(ImprovementAction.objects.restrict(user, VIEW).filter(
            pk__in=[d.action_id for d in decisions if d.action_id]).values_list(
            "pk", flat=True))
        steps = workflow.available_steps(user, obj)
        decides = workflow.decides(user, obj)
        pack = visible_pack(user, obj)
        context = {
            "attendees": [(person, person.pk in seen) for person in attendees],
            "decisions": [(d, d.action_id in actions) for d in decisions],
            "steps": steps,
            "hold_form": forms.HoldForm() if any(s.needs_minutes for s in steps) else None,
            # What the next step waits for, told to those who take it.
            "waiting": list(dict.fromkeys(workflow.waiting_for(obj).values()))
            if decides else [],
            "can_add_decision": obj.status == Status.FROZEN and can(user, ReviewDecision, ADD),
            "can_preview": obj.status == Status.PREPARING and decides,
            "pack": pack,
        }
        if pack is not None:
            context.update(packreport.page_context(pack))
        return context


class ManagementReviewCreate(generic.ScopedCreateView):
    model = ManagementReview
    form_class = forms.ManagementReviewForm


class ManagementReviewUpdate(generic.ScopedUpdateView):
    model = ManagementReview
    form_class = forms.ManagementReviewForm


class ManagementReviewDelete(generic.ScopedDeleteView):
    model = ManagementReview


class ManagementReviewBulkDelete(generic.ScopedBulkDeleteView):
    model = ManagementReview


class ManagementReviewImport(generic.ScopedImportView):
    model = ManagementReview
    form_class = forms.ManagementReviewImportForm
    resource_class = tables.ManagementReviewResource


class ManagementReviewHistory(generic.ObjectHistoryView):
    model = ManagementReview


class ManagementReviewStep(generic.ModelActionView):
    """POST /reviews/<pk>/<step>/: freeze the inputs, or record the minutes (hold). A
    refused step says why on the review's page; minutes left empty come back in their
    form with the error."""

    model = ManagementReview
    template_name = "core/form.html"

    def post(self, request, *args, **kwargs):
        review = self.get_object(VIEW)
        step = workflow.STEPS.get(kwargs["step"])
        if step is None:
            raise Http404
        form = forms.HoldForm(request.POST) if step.needs_minutes else None
        if form is not None and not form.is_valid():
            return self.minutes_page(review, form, step)
        try:
            if form is not None:
                workflow.hold(request.user, review, form.cleaned_data["minutes"])
            else:
                workflow.freeze(request.user, review)
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                form.add_error(None, exc)
                return self.minutes_page(review, form, step)
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, step.done_message())
        return HttpResponseRedirect(review.get_absolute_url())

    def minutes_page(self, review, form, step):
        return self.render_to_response(self.base_context(
            form=form, object=review, heading=step.label), status=400)


class ManagementReviewPreview(generic.ModelViewMixin, TemplateResponseMixin, View):
    """GET /reviews/<pk>/preview/: the inputs as freezing them now would keep them, for
    those who freeze them, before they do. Built from the records and the measurements
    stored so far; nothing is written (freezing records today's measurements first)."""

    model = ManagementReview
    template_name = "review/managementreview_preview.html"

    def get(self, request, *args, **kwargs):
        review = self.get_object(VIEW)
        if not workflow.decides(request.user, review):
            raise PermissionDenied
        if review.status != Status.PREPARING:
            return HttpResponseRedirect(review.get_absolute_url())  # the frozen pack is there
        preview = ReviewPack(review=review, data=pack.build(review), frozen_at=timezone.now())
        return self.render_to_response(self.base_context(
            object=review, **packreport.page_context(preview, preview=True)))


class PackDownload(generic.ModelViewMixin, View):
    """The frozen pack as a file, to whoever may read it."""

    model = ManagementReview
    response = ""  # the name of packreport's function answering the file

    def get(self, request, *args, **kwargs):
        review = self.get_object(VIEW)
        if visible_pack(request.user, review) is None:
            raise Http404
        return getattr(packreport, self.response)(request, review)


class ManagementReviewPackPdf(PackDownload):
    response = "pdf_response"


class ManagementReviewPackXlsx(PackDownload):
    response = "xlsx_response"


# --- decisions -------------------------------------------------------------------------------


class ReviewDecisionList(generic.ScopedListView):
    purpose = gettext_lazy(
        "What the management reviews decided; each decision raises an improvement action "
        "with its owner and due date.")
    model = ReviewDecision
    filterset_class = filtersets.ReviewDecisionFilterSet
    table_class = tables.ReviewDecisionTable
    resource_class = tables.ReviewDecisionResource


class ReviewDecisionDetail(generic.ScopedDetailView):
    model = ReviewDecision
    fields = ["review", "number", "kind", "decision", "department", "owner", "due_on",
              "action"]


class ReviewDecisionCreate(generic.ScopedCreateView):
    prefill = {"review": "review"}  # opened from the review's page
    model = ReviewDecision
    form_class = forms.ReviewDecisionForm


class ReviewDecisionUpdate(generic.ScopedUpdateView):
    model = ReviewDecision
    form_class = forms.ReviewDecisionForm


class ReviewDecisionDelete(generic.ScopedDeleteView):
    model = ReviewDecision


class ReviewDecisionBulkDelete(generic.ScopedBulkDeleteView):
    model = ReviewDecision


class ReviewDecisionHistory(generic.ObjectHistoryView):
    model = ReviewDecision
