"""The performance inputs of a management review (ISO/IEC 27001 9.3.2 c): the measures and
their stored values, conformance per article, nonconformities and corrective actions, audit
results, incidents and the security objectives. Part of review.pack (same rules: aggregates,
at most LISTED rows per list, language-neutral JSON)."""

import datetime
from collections import Counter
from decimal import Decimal

from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, When
from django.utils import timezone, translation
from django.utils.functional import Promise

from mamori.core import conformance
from mamori.review.models import Frequency, Measure, Measurement, Objective
from mamori.review.models.measures import period_start
from mamori.review.pack import DEPARTMENT, LISTED, Period, counted, department, iso, number, two

MEASURES_LISTED = 100


def measures(period: Period) -> dict:
    company = Q(department__isnull=True, category="")
    latest = (Measurement.objects.filter(company, measure=OuterRef("pk"),
                                         period__lte=period.end).order_by("-period"))
    active = Measure.objects.filter(active=True)
    listed = list(active.annotate(latest_value=Subquery(latest.values("value")[:1]),
                                  latest_period=Subquery(latest.values("period")[:1]))
                  .order_by("code").values("pk", "code", "title_ja", "title_en", "builtin",
                                           "unit", "direction", "target", "frequency",
                                           "owner__name", "latest_value", "latest_period")
                  [:MEASURES_LISTED])
    series: dict[int, dict[str, list]] = {row["pk"]: {} for row in listed}
    # Stored values only: the pack shows what was measured, never a recomputation. The
    # company's values, as a whole ("") and per category (a severity, an article).
    for measure_id, category, day, value in (Measurement.objects.filter(
            department__isnull=True, measure__in=list(series), period__lte=period.end,
            period__gte=period_start(period.first_month, Frequency.YEARLY))
            .order_by("period").values_list("measure_id", "category", "period", "value")):
        series[measure_id].setdefault(category, []).append((day, value))
    rows = []
    for row in listed:
        since = period_start(period.first_month, row["frequency"])
        measure = Measure(target=row["target"], direction=row["direction"])
        rows.append({
            "code": row["code"], "title": two(row["title_ja"], row["title_en"]),
            "builtin": row["builtin"], "unit": row["unit"], "direction": row["direction"],
            "frequency": row["frequency"], "owner": row["owner__name"],
            "target": number(row["target"]),
            "latest": None if row["latest_period"] is None else {
                "period": iso(row["latest_period"]), "value": number(row["latest_value"])},
            "meets": measure.meets(row["latest_value"]),
            "series": kept(series[row["pk"]].pop("", []), since),
            "categories": {category: kept(values, since) for category, values
                           in sorted(series[row["pk"]].items())}})
    return {"total": active.count(), "rows": rows}


def kept(values: list, since: datetime.date) -> list:
    return [[iso(day), number(value)] for day, value in values if day >= since]


def percent(part: int, whole: int) -> str | None:
    return number(round(Decimal(100) * part / whole, 1)) if whole else None


def conformance_over(period: Period) -> dict:
    """Per article and month, the conformance measured then (the built-in measure's stored
    company values: a read, not a recomputation of the past); and today's result of each
    check."""
    monthly = Measurement.objects.filter(
        measure__builtin="conformance_by_article", department__isnull=True,
        period__gte=period.first_month, period__lte=period.end).exclude(category="").values(
        "category", "period", "value")
    by_article: dict[str, dict] = {}
    for row in monthly:  # at most an article per month: a dozen rows a month
        by_article.setdefault(row["category"], {})[f"{row['period']:%Y-%m}"] = number(
            row["value"])
    articles, checks = [], []
    for outcome in conformance.evaluate(conformance.SYSTEM):
        statuses = Counter(o.result.status for o in outcome.outcomes)
        articles.append({"article": outcome.article, "status": outcome.status,
                         "passed": statuses[conformance.PASS],
                         "failed": statuses[conformance.FAIL],
                         "not_applicable": statuses[conformance.NOT_APPLICABLE],
                         "months": by_article.get(outcome.article, {})})
        for check in outcome.outcomes:
            result = check.result
            checks.append({
                "code": check.check.code, "article": outcome.article,
                "title": in_both(check.check.title), "status": result.status,
                "value": text_of(result.value), "threshold": text_of(result.threshold),
                "unit": result.unit, "failing_count": result.failing_count})
    return {"articles": articles, "checks": checks}


def text_of(value):
    """A check's measured value or threshold as stored in the pack: a number as text, and a
    message of Mamori's (a lazy translation) in both languages."""
    if value is None:
        return None
    return in_both(value) if isinstance(value, Promise) else str(value)


def in_both(text) -> dict:
    """A message of Mamori's own (a check's title) in both languages."""
    both = {}
    for language in ("ja", "en"):
        with translation.override(language):
            both[language] = str(text)
    return both


def nonconformities(period: Period) -> dict:
    from mamori.improvement.models import CorrectiveAction, Nonconformity

    raised = Nonconformity.objects.filter(raised_on__gte=period.start,
                                          raised_on__lte=period.end)
    by = (raised.order_by().values("severity", "status").annotate(n=Count("pk"))
          .order_by("severity", "status"))
    overdue = CorrectiveAction.objects.overdue(period.end)
    rows = overdue.order_by("due_on", "pk").values(
        "nonconformity__code", "title", "owner__name", "due_on",
        "nonconformity__department__code", "nonconformity__department__name_ja",
        "nonconformity__department__name_en")[:LISTED]
    return {"raised": sum(row["n"] for row in by),
            "by_severity_status": [{"severity": row["severity"], "status": row["status"],
                                    "count": row["n"]} for row in by],
            "open_now": Nonconformity.objects.exclude(
                status=Nonconformity.Status.CLOSED).count(),
            "corrective_actions_overdue": {"total": overdue.count(), "rows": [{
                "nonconformity": row["nonconformity__code"], "title": row["title"],
                "owner": row["owner__name"], "due_on": iso(row["due_on"]),
                "department": department(row, "nonconformity__department__")}
                for row in rows]}}


def audits(period: Period) -> dict:
    from mamori.audits.models import Audit, ChecklistItem

    closed = Audit.objects.filter(status=Audit.Status.CLOSED, closed_on__gte=period.start,
                                  closed_on__lte=period.end)
    results = [code for code, _label in ChecklistItem.Result.choices]
    rows = (closed.order_by("closed_on", "code")
            .annotate(**{f"n_{code}": Count("items", filter=Q(items__result=code))
                         for code in results})
            .values("code", "title", "kind", "auditing_body", "closed_on",
                    *(f"n_{code}" for code in results))[:LISTED])
    return {"total": closed.count(),
            "findings": counted(ChecklistItem.objects.filter(audit__in=closed), "result"),
            "rows": [{"code": row["code"], "title": row["title"], "kind": row["kind"],
                      "auditing_body": row["auditing_body"], "closed_on": iso(row["closed_on"]),
                      "findings": {code: row[f"n_{code}"] for code in results
                                   if row[f"n_{code}"]}} for row in rows]}


def incidents(period: Period) -> dict:
    from mamori.incidents.models import (
        BreachAssessment,
        Incident,
        RegulatoryReport,
        Severity,
        late_report,
    )

    found = Incident.objects.filter(noticed_at__gte=period.since, noticed_at__lt=period.until)
    reports = RegulatoryReport.objects.filter(incident__in=found).aggregate(
        total=Count("pk"), submitted=Count("pk", filter=Q(submitted_on__isnull=False)),
        late=Count("pk", filter=late_report(period.end)))
    reportable = BreachAssessment.objects.filter(incident=OuterRef("pk"), reportable=True)
    serious = Q(severity__in=(Severity.HIGH, Severity.CRITICAL)) | Q(Exists(reportable))
    rank = Case(*(When(severity=code, then=i) for i, code in enumerate(
        reversed(Severity.values))), default=len(Severity.values))
    rows = (found.filter(serious).annotate(
        breach=Exists(reportable), rank=rank, reports_count=Count("reports"),
        reports_late=Count("reports", filter=late_report_of(period.end)))
        .order_by("rank", "-noticed_at", "pk")
        .values("code", "title", "severity", "status", "noticed_at", *DEPARTMENT, "breach",
                "reports_count", "reports_late")[:LISTED])
    return {"total": found.count(), "by_severity": counted(found, "severity"),
            "open_now": found.exclude(status=Incident.Status.CLOSED).count(),
            "reportable_breaches": BreachAssessment.objects.filter(
                incident__in=found, reportable=True).count(),
            "reports": reports,
            "rows": [{"code": row["code"], "title": row["title"], "severity": row["severity"],
                      "status": row["status"],
                      "noticed_on": iso(timezone.localdate(row["noticed_at"])),
                      "department": department(row), "breach": row["breach"],
                      "reports": row["reports_count"], "reports_late": row["reports_late"]}
                     for row in rows]}


def late_report_of(today) -> Q:
    """late_report's condition read through an incident's reports."""
    return Q(reports__due_on__isnull=False) & (
        Q(reports__submitted_on__gt=F("reports__due_on"))
        | Q(reports__submitted_on__isnull=True, reports__due_on__lt=today))


def objectives(period: Period) -> dict:
    Status = Objective.Status
    current = (Objective.objects.exclude(status=Status.ACHIEVED, achieved_on__lt=period.start)
               .exclude(status=Status.WITHDRAWN, target_on__lt=period.start))
    late = Objective.objects.late_q(period.end)
    rows = list(current.annotate(is_late=Case(When(late, then=True), default=False))
                .order_by("target_on", "pk")
                .values("pk", "code", "title", "owner__name", *DEPARTMENT, "target_on",
                        "first_target_on", "replanned_count", "status", "achieved_on",
                        "is_late")[:LISTED])
    measured = {}
    for objective_id, code in (Objective.measures.through.objects
                               .filter(objective_id__in=[row["pk"] for row in rows])
                               .order_by("measure__code")
                               .values_list("objective_id", "measure__code")):
        measured.setdefault(objective_id, []).append(code)
    return {"total": current.count(), "by_status": counted(current, "status"),
            "late": current.filter(late).count(),
            "rows": [{"code": row["code"], "title": row["title"], "owner": row["owner__name"],
                      "department": department(row), "target_on": iso(row["target_on"]),
                      "first_target_on": iso(row["first_target_on"]),
                      "replanned": row["replanned_count"], "status": row["status"],
                      "achieved_on": iso(row["achieved_on"]), "late": bool(row["is_late"]),
                      "measures": measured.get(row["pk"], [])} for row in rows]}
