"""The built-in measures: what each counts, and how Mamori computes it from its own records.

Each measure is one function returning its values: the whole company (department None), each
department where the measure is per department, and each category (a person category, an
incident severity, a policy article) where it has them. Every function is a few aggregate
queries grouped by department, never a loop over rows, so that all of them together stay
fast at ten times the company's size (bench/). A percentage whose denominator is empty is not
a value (no row is recorded), not 0 or 100.

Stock measures are the state at the moment of computing; flow measures (`flow=True`) count
the records of the calendar period of the measure's frequency that holds the day computed
for (the month, for a monthly measure). A department's value counts the records of that
department itself, not of the departments below it.

`record()` stores the values as the measurements of the current period, updating in place
what was recorded earlier in the same period.
"""

import datetime
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.controls.models import Control, Evidence, current_evidence_filter
from mamori.core import conformance
from mamori.core.audit import one_log_append
from mamori.core.dates import add_months
from mamori.improvement.models import CorrectiveAction, ImprovementAction, Nonconformity, Source
from mamori.incidents.metrics import since_awareness
from mamori.incidents.models import BreachAssessment, Incident, RegulatoryReport, Severity
from mamori.org.models import Department, Person
from mamori.policies import coverage
from mamori.policies.conformance import basic_policy
from mamori.review.models.measures import (
    MONTHS_OF,
    Direction,
    Frequency,
    Measure,
    Measurement,
    Unit,
    period_start,
)
from mamori.risks.conformance import risks_above_appetite_untreated
from mamori.training import assign
from mamori.training.conformance import in_current_cycle
from mamori.training.coverage import COMPLETED, COUNTED
from mamori.training.models import AssignmentTally, TrainingSettings
from mamori.websec.models import WebEndpoint


@dataclass(frozen=True)
class Value:
    department_id: int | None  # None: the whole company
    category: str  # "" for the whole
    value: Decimal


@dataclass(frozen=True)
class Builtin:
    key: str
    title_ja: str
    title_en: str
    description: object  # lazy: read in the reader's language (Measure.get_description_display)
    unit: str
    direction: str
    target: Decimal | None
    by_department: bool
    # compute(on, frequency=MONTHLY): the values of the period of `frequency` holding `on`.
    compute: Callable[..., Iterable[Value]]
    flow: bool = False  # counts the records of the period, not the state when computed
    categories: tuple = ()  # (value, label) of the categories it records, if any


BUILTINS: dict[str, Builtin] = {}


def builtin(key, title_ja, title_en, description, unit, direction, target, by_department,
            *, flow=False, categories=()):
    """Define a built-in measure. A stock measure's function takes the day only; a flow
    measure's takes the day and the frequency, which gives its period."""
    def decorate(function):
        if flow:
            compute = function
        else:
            def compute(on, frequency=Frequency.MONTHLY):
                return function(on)
        BUILTINS[key] = Builtin(key, title_ja, title_en, description, unit, direction,
                                None if target is None else Decimal(target), by_department,
                                compute, flow, tuple(categories))
        return function
    return decorate


CENT = Decimal("0.01")


def rounded(number) -> Decimal:
    return Decimal(number).quantize(CENT, rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """part of whole in percent, to two decimals; None for an empty whole."""
    return rounded(Decimal(part) * 100 / Decimal(whole)) if whole else None


def ordered(values: Iterable[Value]) -> list[Value]:
    """The company first, then the departments by id; the whole before its categories."""
    return sorted(values, key=lambda v: (v.department_id is not None, v.department_id or 0,
                                         v.category))


def shares(rows, *, by_department=True, by_category=False) -> list[Value]:
    """Percent values from grouped rows (department id, category, part, whole): the company's
    (and each category's, and each department's) sums, leaving out empty denominators. A row
    without a category counts in the whole only."""
    sums: dict = defaultdict(lambda: [0, 0])
    for department_id, category, part, whole in rows:
        keys = [(None, "")]
        if by_department and department_id is not None:
            keys.append((department_id, ""))
        if by_category and category:
            keys.append((None, category))
        for key in keys:
            sums[key][0] += part or 0
            sums[key][1] += whole or 0
    return ordered(Value(d, c, share(part, whole)) for (d, c), (part, whole) in sums.items()
                   if whole)


def active_department_ids() -> list[int]:
    return list(Department.objects.filter(is_active=True).order_by().values_list("pk",
                                                                                flat=True))


def counts(rows, *, by_department=True, categories=()) -> list[Value]:
    """Count values from grouped rows (department id, category, count): the company's total,
    each of `categories` and, per department, each active department (0 when it has none:
    a count of nothing is a measured 0) and any other department the rows name."""
    totals: Counter = Counter({(None, ""): 0})
    totals.update({(None, category): 0 for category in categories})
    if by_department:
        totals.update({(pk, ""): 0 for pk in active_department_ids()})
    for department_id, category, count in rows:
        totals[(None, "")] += count
        if category and categories:
            totals[(None, category)] += count
        if by_department and department_id is not None:
            totals[(department_id, "")] += count
    return ordered(Value(d, c, Decimal(n)) for (d, c), n in totals.items())


def period_bounds(on: datetime.date, frequency: str) -> tuple[datetime.date, datetime.date]:
    """The first day of the period holding `on` and the first day after it."""
    start = period_start(on, frequency)
    return start, add_months(start, MONTHS_OF[frequency])


def moments(on: datetime.date, frequency: str) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's bounds as moments (local midnight), for timestamps."""
    return tuple(timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
                 for day in period_bounds(on, frequency))


def median_hours(durations) -> Decimal | None:
    hours = [Decimal(d.days * 86400 + d.seconds) / 3600 + Decimal(d.microseconds) / 3600000000
             for d in durations if d is not None]
    return rounded(statistics.median(hours)) if hours else None


# -- 1-4: policy, training, controls, risks (stock) -----------------------------------------


@builtin("policy_acknowledgement", "基本方針の確認率",
         "Acknowledgement of the current basic policy",
         _("The share of the people the current basic policy is for (officers, executive "
           "officers, employees and dispatched workers who have not left, within the "
           "published version's audience) who have acknowledged it in its current material "
           "version or a later one, as the Art 2 check counts it. Per department: the people "
           "of that department."),
         Unit.PERCENT, Direction.HIGHER, 100, True)
def policy_acknowledgement(on):
    document = basic_policy()
    version = document.current_version() if document else None
    if version is None:
        return []
    rows = (coverage.audience(version).order_by().values("department")
            .annotate(whole=Count("pk"),
                      part=Count("pk", filter=coverage.acknowledged_filter(document)))
            .values_list("department", "part", "whole"))
    return shares((department, "", part, whole) for department, part, whole in rows)


@builtin("training_completion", "教育・訓練の受講率", "Training completion",
         _("The share of the assignments of the running mandatory training programmes, in "
           "their current cycle and not cancelled, that are completed; for the company, per "
           "person category of the people assigned, and per department of the people "
           "assigned."),
         Unit.PERCENT, Direction.HIGHER, 95, True, categories=Person.Category.choices)
def training_completion(on):
    settings = TrainingSettings.current()
    programmes = list(assign.running_programmes(on).filter(mandatory=True)
                      .only("pk", "recurrence"))
    if not programmes:
        return []
    # The tally the triggers keep per programme, cycle, category, department and status
    # (125,000 rows at ten times the company), not the assignments (2 million there).
    # Grouped by category first: grouped by department first, SQLite read the whole tally
    # along its department index, 2-3 times slower than along the programme's.
    rows = (AssignmentTally.objects.filter(in_current_cycle(programmes, on, settings),
                                           status__in=COUNTED)
            .order_by().values("category", "department_key")
            .annotate(whole=Sum("count"),
                      part=Sum("count", filter=Q(status=COMPLETED), default=0))
            .values_list("department_key", "category", "part", "whole"))
    return shares(((key or None, category, part, whole) for key, category, part, whole in rows),
                  by_category=True)


@builtin("controls_evidenced", "有効な証跡のある実施済み管理策",
         "Implemented controls with current evidence",
         _("The share of the controls whose status is implemented that have at least one "
           "piece of evidence that has not expired; per department: the controls the "
           "department owns."),
         Unit.PERCENT, Direction.HIGHER, 90, True)
def controls_evidenced(on):
    # The evidenced controls as one uncorrelated IN (subquery), computed once, not a
    # correlated EXISTS per control inside the aggregate (policies.coverage).
    evidenced = Evidence.objects.filter(current_evidence_filter(on)).values("control_id")
    rows = (Control.objects.implemented().order_by().values("department")
            .annotate(whole=Count("pk"), part=Count("pk", filter=Q(pk__in=evidenced)))
            .values_list("department", "part", "whole"))
    return shares((department, "", part, whole) for department, part, whole in rows)


@builtin("risks_above_appetite_untreated", "リスク受容水準を超える未対応リスク",
         "Risks above appetite without treatment",
         _("The open risks scoring above the risk appetite that are neither treated (reduced "
           "with a control, transferred or avoided) nor accepted by the CISO with an "
           "acceptance in force, as the Art 5 check counts them; per department: the risks "
           "the department owns."),
         Unit.COUNT, Direction.LOWER, 0, True)
def risks_untreated(on):
    rows = (risks_above_appetite_untreated().order_by().values("department")
            .annotate(n=Count("pk")).values_list("department", "n"))
    return counts((department, "", n) for department, n in rows)


# -- 5-8: incidents and breach reports (flow: the period's records) -------------------------


@builtin("incidents_reported", "報告されたインシデント", "Incidents reported in the period",
         _("The incidents noticed in the period (by the time they were noticed), for the "
           "company, per severity and per owning department."),
         Unit.COUNT, Direction.LOWER, None, True, flow=True, categories=Severity.choices)
def incidents_reported(on, frequency=Frequency.MONTHLY):
    start, end = moments(on, frequency)
    rows = (Incident.objects.filter(noticed_at__gte=start, noticed_at__lt=end).order_by()
            .values("department", "severity").annotate(n=Count("pk"))
            .values_list("department", "severity", "n"))
    return counts(rows, categories=Severity.values)


def response_median(stage: str, on, frequency) -> list[Value]:
    start, end = moments(on, frequency)
    durations = (Incident.objects.filter(**{f"{stage}__gte": start, f"{stage}__lt": end})
                 .order_by().annotate(took=since_awareness(stage))
                 .values_list("took", flat=True))
    median = median_hours(durations)
    return [] if median is None else [Value(None, "", median)]


@builtin("incident_containment_hours", "封じ込めまでの時間（中央値）", "Median time to contain",
         _("The median of the hours from the company's awareness of an incident (the time "
           "it was noticed when no awareness is recorded) to its containment, over the "
           "incidents contained in the period."),
         Unit.HOURS, Direction.LOWER, 24, False, flow=True)
def containment_hours(on, frequency=Frequency.MONTHLY):
    return response_median("contained_at", on, frequency)


@builtin("incident_recovery_hours", "復旧までの時間（中央値）", "Median time to recover",
         _("The median of the hours from the company's awareness of an incident (the time "
           "it was noticed when no awareness is recorded) to its recovery, over the "
           "incidents recovered in the period."),
         Unit.HOURS, Direction.LOWER, 72, False, flow=True)
def recovery_hours(on, frequency=Frequency.MONTHLY):
    return response_median("recovered_at", on, frequency)


@builtin("breach_reports_on_time", "期限内に提出された漏えい等報告",
         "Breach reports filed on time",
         _("Of the preliminary and final reports to the Personal Information Protection "
           "Commission about reportable breaches that were due in the period, the share "
           "submitted by their due date. A report not yet submitted counts once its due "
           "date has passed (as late); before that it is not counted."),
         Unit.PERCENT, Direction.HIGHER, 100, False, flow=True)
def breach_reports_on_time(on, frequency=Frequency.MONTHLY):
    start, end = period_bounds(on, frequency)
    reportable = BreachAssessment.objects.filter(reportable=True).values("incident_id")
    counted = RegulatoryReport.objects.filter(
        incident__in=reportable, recipient=RegulatoryReport.Recipient.PPC,
        kind__in=[RegulatoryReport.Kind.PRELIMINARY, RegulatoryReport.Kind.FINAL],
        due_on__gte=start, due_on__lt=end).filter(
        Q(submitted_on__isnull=False) | Q(due_on__lt=on))
    found = counted.aggregate(whole=Count("pk"),
                              part=Count("pk", filter=Q(submitted_on__lte=F("due_on"))))
    return shares([(None, "", found["part"], found["whole"])], by_department=False)


# -- 9-12: web systems, audit findings, actions, conformance (stock) ------------------------


@builtin("tls_endpoints_passing", "TLS 検査に合格したエンドポイント", "TLS endpoints passing",
         _("The share of the active web endpoints whose latest full scan passed "
           "authentication, encryption and integrity and still counts (is not older than "
           "twice the endpoint's scan interval). An endpoint whose latest scan did not "
           "complete is not counted; one never scanned counts as not passing."),
         Unit.PERCENT, Direction.HIGHER, 100, False)
def tls_endpoints_passing(on):
    unknown = Q(last_full_scan_at__isnull=False, authentication_ok__isnull=True)
    passing = Q(verified_until__gte=timezone.now(), authentication_ok=True,
                encryption_ok=True, integrity_ok=True)
    found = WebEndpoint.objects.filter(active=True).exclude(unknown).aggregate(
        whole=Count("pk"), part=Count("pk", filter=passing))
    return shares([(None, "", found["part"], found["whole"])], by_department=False)


@builtin("audit_findings_open", "未完了の監査指摘", "Open audit findings",
         _("The nonconformities raised from audits that are not closed, and the improvement "
           "actions raised from audits that are still open (neither done nor declined); per "
           "department: those of the department answering them."),
         Unit.COUNT, Direction.LOWER, 0, True)
def audit_findings_open(on):
    nonconformities = (Nonconformity.objects.filter(source=Source.AUDIT)
                       .exclude(status=Nonconformity.Status.CLOSED))
    actions = ImprovementAction.objects.filter(source=Source.AUDIT,
                                               status=ImprovementAction.Status.OPEN)
    rows = []
    for queryset in (nonconformities, actions):
        rows += [(department, "", n) for department, n in queryset.order_by()
                 .values("department").annotate(n=Count("pk")).values_list("department", "n")]
    return counts(rows)


@builtin("corrective_actions_overdue", "期限を過ぎた是正処置", "Overdue corrective actions",
         _("The corrective actions not done whose due date has passed; per department: the "
           "department of the action's nonconformity."),
         Unit.COUNT, Direction.LOWER, 0, True)
def corrective_actions_overdue(on):
    rows = (CorrectiveAction.objects.filter(CorrectiveAction.objects.overdue_q(on)).order_by()
            .values("nonconformity__department").annotate(n=Count("pk"))
            .values_list("nonconformity__department", "n"))
    return counts((department, "", n) for department, n in rows)


@builtin("conformance_by_article", "条項別の適合率", "Conformance per policy article",
         _("Per policy article (and the web section), the share of its conformance checks "
           "that pass among those that apply (passing or failing; not applicable ones are "
           "left out); the whole: all applicable checks of every article."),
         Unit.PERCENT, Direction.HIGHER, 100, False, categories=conformance.ARTICLES)
def conformance_by_article(on):
    rows = []
    for article in conformance.evaluate(conformance.SYSTEM):
        statuses = [outcome.result.status for outcome in article.outcomes]
        rows.append((None, article.article, statuses.count(conformance.PASS),
                     sum(s in (conformance.PASS, conformance.FAIL) for s in statuses)))
    return shares(rows, by_department=False, by_category=True)


# -- computing and recording ----------------------------------------------------------------


def compute_all(on: datetime.date | None = None) -> dict[str, list[Value]]:
    """Every built-in measure's values on `on` (today), each flow measure over the period of
    its stored frequency (monthly when it has no row yet)."""
    on = on or timezone.localdate()
    frequencies = dict(Measure.objects.exclude(builtin="").values_list("builtin", "frequency"))
    return {key: list(definition.compute(on, frequencies.get(key, Frequency.MONTHLY)))
            for key, definition in BUILTINS.items()}


def record(on: datetime.date | None = None, keys: Iterable[str] | None = None) -> int:
    """Store the values of every active built-in measure (of `keys`, when given) as the
    measurements of the period holding `on` (today): new values are created, values that
    changed are updated (with the moment measured), equal ones are left alone, so a second
    run with nothing changed writes nothing and logs nothing. Nothing is deleted. One
    transaction, a constant number of queries whatever the number of departments (each
    measure's own queries, one read of the period's rows, then batched writes). Returns the
    number of rows written."""
    on = on or timezone.localdate()
    wanted = [key for key in (BUILTINS if keys is None else keys) if key in BUILTINS]
    measures = list(Measure.objects.filter(builtin__in=wanted, active=True))
    if not measures:
        return 0
    now = timezone.now()
    with transaction.atomic(), one_log_append():
        computed = []
        for measure in measures:
            period = period_start(on, measure.frequency)
            values = {(v.department_id, v.category): v.value
                      for v in BUILTINS[measure.builtin].compute(on, measure.frequency)
                      if measure.by_department or v.department_id is None}
            computed.append((measure, period, values))
        where = Q(pk__in=[])
        for measure, period, _values in computed:
            where |= Q(measure=measure, period=period)
        stored = {(row.measure_id, row.department_id, row.category): row
                  for row in Measurement.objects.filter(where)}
        new, changed = [], []
        for measure, period, values in computed:
            for (department_id, category), value in values.items():
                row = stored.get((measure.pk, department_id, category))
                if row is None:
                    new.append(Measurement(measure=measure, period=period,
                                           department_id=department_id, category=category,
                                           value=value, computed=True, measured_at=now))
                elif row.value != value or not row.computed:
                    row.value, row.computed, row.measured_at = value, True, now
                    changed.append(row)
        # The change log names each row (its measure and department): read them with it.
        departments = Department.objects.in_bulk(
            {row.department_id for row in new if row.department_id})
        for row in new:
            if row.department_id:
                row.department = departments[row.department_id]
        Measurement.objects.bulk_create(new)
        Measurement.objects.select_related("measure", "department").bulk_update(
            changed, ["value", "computed", "measured_at"])
    return len(new) + len(changed)
