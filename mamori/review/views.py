"""The review pages: each model's standard set over core's generic views. The measures and
their dashboard are in views_measures.py; the management reviews, their steps, packs and
decisions in views_reviews.py."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from mamori.core.scope import VIEW
from mamori.core.views import generic
from mamori.review import filtersets, forms, tables
from mamori.review.models import Measurement, Objective, ReviewSettings
from mamori.review.views_measures import enters_any_values, with_latest_company_value

# --- measurements --------------------------------------------------------------------------


class EntersValues:
    """Create and Import only for those with values to enter (views_measures)."""

    def base_context(self, **extra):
        context = super().base_context(**extra)
        if context["can_add"] and not enters_any_values(self.request.user):
            context["can_add"] = context["can_import"] = False
        return context


class MeasurementList(EntersValues, generic.ScopedListView):
    purpose = gettext_lazy(
        "Every value of every measure, by period, for the whole company or a department: "
        "trends are read from these, never recomputed.")
    model = Measurement
    filterset_class = filtersets.MeasurementFilterSet
    table_class = tables.MeasurementTable
    resource_class = tables.MeasurementResource


class MeasurementDetail(generic.ScopedDetailView):
    model = Measurement
    fields = ["measure", "period", "department", "category", "value", "note", "computed",
              "measured_at"]


class MeasurementCreate(EntersValues, generic.ScopedCreateView):
    prefill = {"measure": "measure"}  # opened from the measure's page
    model = Measurement
    form_class = forms.MeasurementForm

    def check_allowed(self):
        if not enters_any_values(self.request.user):
            raise PermissionDenied


class MeasurementUpdate(generic.ScopedUpdateView):
    model = Measurement
    form_class = forms.MeasurementForm


class MeasurementDelete(generic.ScopedDeleteView):
    model = Measurement


class MeasurementBulkDelete(generic.ScopedBulkDeleteView):
    model = Measurement


class MeasurementImport(EntersValues, generic.ScopedImportView):
    model = Measurement
    form_class = forms.MeasurementForm
    resource_class = tables.MeasurementResource

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not enters_any_values(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MeasurementHistory(generic.ObjectHistoryView):
    model = Measurement


# --- objectives ------------------------------------------------------------------------------


class ObjectiveList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The security objectives: what is to be achieved, by whom and by when, and the "
        "measures that show the progress.")
    model = Objective
    filterset_class = filtersets.ObjectiveFilterSet
    table_class = tables.ObjectiveTable
    resource_class = tables.ObjectiveResource


class ObjectiveDetail(generic.ScopedDetailView):
    model = Objective
    template_name = "review/objective_detail.html"
    fields = ["code", "title", "description", "status", "owner", "department", "target_on",
              "first_target_on", "replanned_count", "replanned_on", "replan_reason",
              "achieved_on"]

    def extra_context(self, obj):
        user = self.request.user
        # The measures it links that the reader may see, each with its latest company value
        # (one query, whatever their number).
        measures = with_latest_company_value(
            obj.measures.restrict(user, VIEW).order_by("code"), user)
        return {"measures": [{"measure": m, "meets": m.meets(m.latest_value)}
                             for m in measures]}


class ObjectiveCreate(generic.ScopedCreateView):
    model = Objective
    form_class = forms.ObjectiveForm


class ObjectiveUpdate(generic.ScopedUpdateView):
    model = Objective
    form_class = forms.ObjectiveForm


class ObjectiveDelete(generic.ScopedDeleteView):
    model = Objective


class ObjectiveBulkDelete(generic.ScopedBulkDeleteView):
    model = Objective


class ObjectiveImport(generic.ScopedImportView):
    model = Objective
    form_class = forms.ObjectiveImportForm
    resource_class = tables.ObjectiveResource


class ObjectiveHistory(generic.ObjectHistoryView):
    model = Objective


# --- settings --------------------------------------------------------------------------------


class ReviewSettingsList(generic.SettingsRowView):
    model = ReviewSettings


class ReviewSettingsDetail(generic.ScopedDetailView):
    model = ReviewSettings
    fields = ["interval_months"]


class ReviewSettingsUpdate(generic.ScopedUpdateView):
    model = ReviewSettings
    form_class = forms.ReviewSettingsForm


class ReviewSettingsHistory(generic.ObjectHistoryView):
    model = ReviewSettings
