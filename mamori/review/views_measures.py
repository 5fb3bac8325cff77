"""The measures: their standard pages, the page of one measure with its history chart, and
the dashboard of every measure with its sparkline.

Every figure is a read of stored measurements (a trend is never recomputed): the history
page reads the company's series and, when asked, one department's (the index on measure,
department, category and period serves each), and the dashboard reads the last two years of
every measure it shows in one query, whatever the number of measures or months."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from mamori.core import roles as r
from mamori.core.dates import add_months
from mamori.core.filtersets import LARGEST_INTEGER
from mamori.core.i18n import localized
from mamori.core.paging import IdPaginator
from mamori.core.scope import ADD, VIEW, can, sees_every_row
from mamori.core.views import generic
from mamori.org.models import Department
from mamori.review import charts, filtersets, tables
from mamori.review import forms as review_forms
from mamori.review.models import Measure, Measurement
from mamori.review.models.measures import Frequency, history_q, period_start

# Months of history a sparkline on the dashboard draws.
SPARK_MONTHS = 24
# Measurements per page of a measure's table.
PER_PAGE = 50


def with_latest_company_value(measures, user):
    """`measures` with the latest value of the whole company and its period (latest_value,
    latest_period): one subquery each, served by the measurements' index on (measure,
    department, category, period)."""
    latest = (Measurement.objects.restrict(user, VIEW)
              .filter(history_q(None), measure=OuterRef("pk")).order_by("-period"))
    return measures.annotate(latest_value=Subquery(latest.values("value")[:1]),
                             latest_period=Subquery(latest.values("period")[:1]))


def company_series(measure_ids, user, since) -> dict[int, list]:
    """{measure id: [(period, value)]} of the whole company from `since`, in one query."""
    rows = (Measurement.objects.restrict(user, VIEW)
            .filter(history_q(None), measure_id__in=list(measure_ids), period__gte=since)
            .order_by("measure_id", "period").values_list("measure_id", "period", "value"))
    series: dict[int, list] = {}
    for measure_id, period, value in rows:
        series.setdefault(measure_id, []).append((period, value))
    return series


def department_choices(user, measure):
    """The departments whose series of `measure` the reader may open: every department for
    those who read every measurement and for the measure's owner, their departments for an
    information manager; none when the measure is recorded for the company only."""
    if not measure.by_department:
        return Department.objects.none()
    roles = r.roles_for(user)
    departments = Department.objects.restrict(user, VIEW).order_by("code")
    owner = roles.person_id is not None and measure.owner_id == roles.person_id
    if owner or sees_every_row(user, Measurement):
        return departments
    return departments.filter(pk__in=roles.managed_department_ids)


def may_enter_values(user, measure) -> bool:
    """Whether the user enters values of `measure` (MeasurementScope): a manual, active
    measure, and the CISO or an administrator, its owner, or an information manager for
    their departments' values."""
    if measure.computed or not measure.active or not can(user, Measurement, ADD):
        return False
    roles = r.roles_for(user)
    return (roles.changes_everything
            or (roles.person_id is not None and measure.owner_id == roles.person_id)
            or (measure.by_department and bool(roles.managed_department_ids)))


def enters_any_values(user) -> bool:
    """Whether the user has values of any measure to enter. MeasurementScope lets anyone
    with a person record add the values of the measures they own, so whether they own one
    is asked here: the pages offer no Create or Import to those who own none."""
    if not can(user, Measurement, ADD):
        return False
    roles = r.roles_for(user)
    if roles.changes_everything or roles.managed_department_ids:
        return True
    return roles.person_id is not None and Measure.objects.filter(
        builtin="", active=True, owner=roles.person_id).exists()


def chosen_department(request, choices):
    """The department of `?department=<id>` when it is one of `choices`, else None (an id
    the reader may not compare is ignored, as one that does not exist)."""
    value = request.GET.get("department", "")
    if not value.isdigit() or int(value) > LARGEST_INTEGER:  # past it: the database's error
        return None
    return choices.filter(pk=int(value)).first()


def department_options(choices, chosen) -> list[tuple[str, str, bool]]:
    """The choices as (id, name, chosen) for the page's select: plain text written by a loop
    in the template, not a widget per option, nor a number the template localises (five
    hundred departments at ten times the company)."""
    chosen_id = getattr(chosen, "pk", None)
    return [(str(pk), localized(ja, en), pk == chosen_id)
            for pk, ja, en in choices.values_list("pk", "name_ja", "name_en")]


class MeasureList(generic.ScopedListView):
    purpose = gettext_lazy(
        "The measures that show how information security performs: Mamori computes the "
        "built-in ones from its records; the others take values by form, API or import.")
    model = Measure
    filterset_class = filtersets.MeasureFilterSet
    table_class = tables.MeasureTable
    resource_class = tables.MeasureResource


class MeasureDetail(generic.ScopedDetailView):
    model = Measure
    template_name = "review/measure_detail.html"
    fields = ["code", "title_ja", "title_en", "description", "builtin", "unit", "direction",
              "target", "frequency", "by_department", "owner", "active"]

    def extra_context(self, obj):
        user = self.request.user
        choices = department_choices(user, obj)
        department = chosen_department(self.request, choices)
        visible = Measurement.objects.restrict(user, VIEW).filter(measure=obj)
        company = list(visible.filter(history_q(None)).order_by("period")
                       .values_list("period", "value"))
        extra = []
        if department is not None:
            extra = [(department.name, list(
                visible.filter(history_q(department.pk)).order_by("period")
                .values_list("period", "value")))]
        # The table lists the series on show (every category of it): the company's, or the
        # department's compared; the register of measurements filters the rest.
        rows = visible.filter(department=department) if department is not None else (
            visible.filter(department__isnull=True))
        # The measure with each row: a category is named from its definition.
        paginator = IdPaginator(rows.order_by("-period", "-pk").select_related(
            "department", "measure"), PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        return {
            "chart": charts.line_chart(company, extra_series=extra, target=obj.target),
            "department_options": department_options(choices, department)
            if obj.by_department else None,
            "department": department,
            "page": page,
            "query": urlencode({"department": department.pk}) if department else "",
            "can_add_measurement": may_enter_values(user, obj),
            "latest": company[-1] if company else None,
        }


class MeasureCreate(generic.ScopedCreateView):
    model = Measure
    form_class = review_forms.MeasureForm


class MeasureUpdate(generic.ScopedUpdateView):
    model = Measure
    form_class = review_forms.MeasureForm


class MeasureDelete(generic.ScopedDeleteView):
    model = Measure


class MeasureBulkDelete(generic.ScopedBulkDeleteView):
    model = Measure


class MeasureImport(generic.ScopedImportView):
    model = Measure
    form_class = review_forms.MeasureForm
    resource_class = tables.MeasureResource


class MeasureHistory(generic.ObjectHistoryView):
    model = Measure


class MeasuresDashboard(generic.ModelViewMixin, TemplateView):
    """Every active measure the reader may see: its latest value for the whole company
    against the target, and a sparkline of the last two years. Three queries (the measures
    with their latest values, the series of all of them) whatever their number."""

    model = Measure
    template_name = "review/dashboard.html"

    def get(self, request, *args, **kwargs):
        user = request.user
        measures = list(with_latest_company_value(
            self.scoped(VIEW).filter(active=True).select_related("owner"), user)
            .order_by("code"))
        since = add_months(period_start(timezone.localdate(), Frequency.MONTHLY),
                           1 - SPARK_MONTHS)
        series = company_series((m.pk for m in measures), user, since)
        rows = [{"measure": m, "meets": m.meets(m.latest_value),
                 "spark": charts.sparkline(series.get(m.pk, []), target=m.target,
                                           direction=m.direction)}
                for m in measures]
        return self.render_to_response(self.base_context(rows=rows, since=since))
