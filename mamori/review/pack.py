"""The inputs of a management review (policy Art 12; ISO/IEC 27001 9.3.2) as they stand now,
for the period the review covers: what review.workflow.freeze keeps as the review's
immutable ReviewPack.

The data is language-neutral JSON: codes, numbers (as decimal strings), ISO dates, a
record's two names as {"ja": .., "en": ..}, people by name. Labels are translated when the
pack is read (review.packreport), so one pack reads in Japanese and in English.

Every section is a fixed number of aggregate queries, whatever the size of the company, and
lists at most LISTED rows (with the total beside them), so a pack stays small at ten times
the company: it is read, not browsed; the registers hold the rest. The performance inputs
are in review.pack_performance.
"""

import datetime
from collections import Counter

from django.db.models import BigIntegerField, Case, Count, Exists, OuterRef, Q, When
from django.db.models.functions import Cast
from django.utils import timezone

from mamori.core.changelog import first_entry_from
from mamori.core.dates import add_months
from mamori.core.models import ChangeLogEntry
from mamori.core.numbers import plain_text
from mamori.review.models import Frequency, ManagementReview, ReviewDecision
from mamori.review.models.measures import period_start

VERSION = 1
LISTED = 50  # rows listed per list; the totals count them all
LONGEST_MONTHS = 36  # the longest interval between reviews: series and heat map columns
SUMMARY_CHARS = 500  # an amendment's summary, cut: the register has the whole text


def two(ja: str | None, en: str | None) -> dict:
    return {"ja": ja or "", "en": en or ""}


def department(row: dict, prefix: str = "department__") -> dict | None:
    if row.get(f"{prefix}code") is None:
        return None
    return {"code": row[f"{prefix}code"], **two(row[f"{prefix}name_ja"],
                                                 row[f"{prefix}name_en"])}


DEPARTMENT = ("department__code", "department__name_ja", "department__name_en")


number = plain_text  # a Decimal as plain text (97.5, 4): language-neutral and exact


def iso(day) -> str | None:
    return None if day is None else day.isoformat()


def counted(queryset, field: str) -> dict:
    """{value of `field`: number of rows} in one GROUP BY."""
    return {row[field]: row["n"] for row in
            queryset.order_by().values(field).annotate(n=Count("pk"))}


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class Period:
    def __init__(self, review: ManagementReview, today: datetime.date):
        self.start, self.end = review.effective_period_start(), today
        self.since = start_of(self.start)
        self.until = start_of(today + datetime.timedelta(days=1))
        this_month = period_start(today, Frequency.MONTHLY)
        self.first_month = max(period_start(self.start, Frequency.MONTHLY),
                               add_months(this_month, 1 - LONGEST_MONTHS))
        months, month = [], self.first_month
        while month <= this_month:
            months.append(month)
            month = add_months(month, 1)
        self.months = months
        # The change log from the period's start on, as a range of sequence numbers when
        # its times are known to be in order (an index range per model), else by time.
        self.first_seq = first_entry_from(self.since)

    def entries(self, model, action: str):
        label = model._meta.label_lower
        entries = ChangeLogEntry.objects.filter(model=label, action=action)
        # Up to the day the pack is built for: a pack built for an earlier day (the demo's
        # last review) holds nothing entered after it.
        entries = entries.filter(at__lt=self.until)
        if self.first_seq is not None:
            return entries.filter(seq__gte=self.first_seq)
        return entries.filter(at__gte=self.since)

    def created(self, model):
        """The primary keys of `model`'s records created in the period (its change log)."""
        return (self.entries(model, "create").order_by()
                .annotate(created_pk=Cast("object_id", BigIntegerField())).values("created_pk"))


def build(review: ManagementReview, on: datetime.date | None = None) -> dict:
    from mamori.review import pack_performance as performance  # it imports this module

    today = on or timezone.localdate()
    period = Period(review, today)
    return {
        "version": VERSION,
        "review": review_header(review, period),
        "built_at": timezone.localtime().isoformat(timespec="seconds"),
        "previous_actions": previous_actions(review, period),
        "changes": {"amendments": amendments(period),
                    "personal_data_assets": personal_data_assets(period),
                    "organisation": organisation(period)},
        "performance": {"measures": performance.measures(period),
                        "conformance": performance.conformance_over(period),
                        "nonconformities": performance.nonconformities(period),
                        "audits": performance.audits(period),
                        "incidents": performance.incidents(period),
                        "objectives": performance.objectives(period)},
        "feedback": {"text": review.feedback},
        "risks": risks(),
        "opportunities": {"text": review.opportunities,
                          "actions": improvement_actions(period)},
    }


def review_header(review: ManagementReview, period: Period) -> dict:
    attendees = list(review.attendees.order_by("employee_no").values_list("name", flat=True))
    return {"code": review.code, "title": review.title, "held_on": iso(review.held_on),
            "chair": review.chair.name, "attendees": attendees,
            "period": {"start": iso(period.start), "end": iso(period.end)},
            "months": [f"{month:%Y-%m}" for month in period.months]}


# --- 9.3.2 a) the actions from previous reviews ----------------------------------------------

def previous_actions(review: ManagementReview, period: Period) -> dict:
    from mamori.improvement.models import ImprovementAction

    OPEN, DONE, DECLINED = (ImprovementAction.Status.OPEN, ImprovementAction.Status.DONE,
                            ImprovementAction.Status.DECLINED)
    # Every decision of the reviews held in the period, and any older one whose action was
    # still open at its start or has been completed since.
    decisions = (ReviewDecision.objects.filter(review__held_on__lt=review.held_on)
                 .exclude(review=review)
                 .filter(Q(review__held_on__gte=period.start) | Q(action__isnull=True)
                         | Q(action__status=OPEN) | Q(action__completed_on__gte=period.start)))
    overdue = Q(action__status=OPEN, action__due_on__lt=period.end)
    totals = decisions.aggregate(
        total=Count("pk"), open=Count("pk", filter=Q(action__status=OPEN)),
        done=Count("pk", filter=Q(action__status=DONE)),
        declined=Count("pk", filter=Q(action__status=DECLINED)),
        overdue=Count("pk", filter=overdue), without_action=Count("pk", filter=Q(
            action__isnull=True)))
    rows = (decisions.order_by(Case(When(overdue, then=0), When(action__status=OPEN, then=1),
                                    default=2), "review__held_on", "number")
            .values("review__code", "review__held_on", "number", "kind", "decision",
                    "owner__name", *DEPARTMENT, "due_on", "action__code", "action__status",
                    "action__due_on", "action__completed_on")[:LISTED])
    listed = []
    for row in rows:
        due = row["action__due_on"] or row["due_on"]
        first_line = (row["decision"] or "").strip().splitlines()[:1]
        listed.append({
            "review": row["review__code"], "held_on": iso(row["review__held_on"]),
            "number": row["number"], "kind": row["kind"],
            "decision": (first_line[0] if first_line else "")[:200],
            "action": row["action__code"], "status": row["action__status"],
            "owner": row["owner__name"], "department": department(row), "due_on": iso(due),
            "completed_on": iso(row["action__completed_on"]),
            "overdue": row["action__status"] == OPEN and due < period.end})
    return {**totals, "rows": listed}


# --- 9.3.2 b) changes in external and internal issues --------------------------------------

def amendments(period: Period) -> dict:
    from mamori.compliance.models import ImpactAssessment, SourceVersion

    older = SourceVersion.objects.filter(source=OuterRef("source"),
                                         effective_on__lt=OuterRef("effective_on"))
    versions = SourceVersion.objects.filter(Exists(older)).filter(
        Q(effective_on__gte=period.start, effective_on__lte=period.end)
        | Q(pk__in=period.created(SourceVersion)))
    rows = (versions.annotate(open_assessments=Count("impact_assessments", filter=Q(
        impact_assessments__status=ImpactAssessment.Status.OPEN)))
        .order_by("effective_on", "source__code", "pk")
        .values("source__code", "source__title_ja", "source__title_en", "version",
                "promulgated_on", "effective_on", "summary_ja", "summary_en",
                "open_assessments")[:LISTED])
    return {"total": versions.count(), "rows": [{
        "source": row["source__code"],
        "title": two(row["source__title_ja"], row["source__title_en"]),
        "version": row["version"], "promulgated_on": iso(row["promulgated_on"]),
        "effective_on": iso(row["effective_on"]),
        "summary": two(row["summary_ja"][:SUMMARY_CHARS], row["summary_en"][:SUMMARY_CHARS]),
        "open_assessments": row["open_assessments"]} for row in rows]}


def personal_data_assets(period: Period) -> dict:
    from mamori.assets.models import Asset

    assets = Asset.objects.filter(has_personal_info=True, pk__in=period.created(Asset))
    per_department = (assets.order_by().values(*DEPARTMENT).annotate(n=Count("pk"))
                      .order_by("-n", "department__code"))
    rows = (assets.order_by("code").values("code", "name_ja", "name_en", *DEPARTMENT,
                                            "data_subjects", "has_sensitive_personal_info")
            [:LISTED])
    by_department = [{"department": department(row), "count": row["n"]}
                     for row in per_department]  # one row per department: at most 500 or so
    return {"total": sum(row["count"] for row in by_department),
            "by_department": by_department[:LISTED], "departments": len(by_department),
            "rows": [{"code": row["code"], "name": two(row["name_ja"], row["name_en"]),
                      "department": department(row), "data_subjects": row["data_subjects"],
                      "sensitive": row["has_sensitive_personal_info"]} for row in rows]}


def organisation(period: Period) -> dict:
    from mamori.org.models import Appointment, Department

    created = period.entries(Department, "create")
    closed = period.entries(Department, "update").filter(before__is_active=True,
                                                         after__is_active=False)

    def departments(entries) -> dict:
        found = list(entries.order_by("seq").values_list("object_id", "at")[:LISTED])
        names = {str(row["pk"]): row for row in Department.objects.filter(
            pk__in=[int(pk) for pk, _at in found]).values("pk", "code", "name_ja", "name_en")}
        return {"total": entries.count(), "rows": [{
            "code": names[pk]["code"], **two(names[pk]["name_ja"], names[pk]["name_en"]),
            "on": iso(timezone.localdate(at))} for pk, at in found if pk in names]}

    in_period = Q(start_date__gte=period.start, start_date__lte=period.end) | Q(
        end_date__gte=period.start, end_date__lte=period.end)
    appointments = Appointment.objects.filter(in_period)
    rows = appointments.order_by("start_date", "pk").values(
        "role", "person__name", *DEPARTMENT, "start_date", "end_date")[:LISTED]
    return {"departments_created": departments(created),
            "departments_closed": departments(closed),
            "appointments": {"total": appointments.count(), "rows": [{
                "role": row["role"], "person": row["person__name"],
                "department": department(row), "start_date": iso(row["start_date"]),
                "end_date": iso(row["end_date"]),
                "started": period.start <= row["start_date"] <= period.end,
                "ended": row["end_date"] is not None
                and period.start <= row["end_date"] <= period.end} for row in rows]}}


# --- 9.3.2 e) risks; f) opportunities --------------------------------------------------------

def risks() -> dict:
    from mamori.risks.conformance import risks_above_appetite_untreated
    from mamori.risks.models import Risk, RiskBand, RiskMethodology, band_for

    appetite = RiskMethodology.current().appetite
    bands = list(RiskBand.objects.order_by("min_score"))
    open_risks = Risk.objects.exclude(status=Risk.Status.CLOSED)
    levels = Counter()
    for score, n in counted(open_risks, "current_score").items():
        band = band_for(score, bands)
        levels[band.min_score if band else None] += n
    untreated = risks_above_appetite_untreated(appetite)
    rows = untreated.order_by("-current_score", "code").values(
        "code", "title_ja", "title_en", "current_score", "treatment", "status",
        "owner__name", *DEPARTMENT)[:LISTED]
    return {"appetite": appetite, "open": sum(levels.values()),
            "by_level": [{"min_score": band.min_score, "name": two(band.name_ja, band.name_en),
                          "colour": band.colour, "count": levels[band.min_score]}
                         for band in bands] + ([{"min_score": None, "name": two("", ""),
                                                 "colour": "", "count": levels[None]}]
                                               if levels[None] else []),
            "above_appetite": open_risks.above_appetite(appetite).count(),
            "by_status": counted(Risk.objects.all(), "status"),
            "by_treatment": counted(open_risks, "treatment"),
            "untreated": {"total": untreated.count(), "rows": [{
                "code": row["code"], "title": two(row["title_ja"], row["title_en"]),
                "score": row["current_score"], "treatment": row["treatment"],
                "status": row["status"], "owner": row["owner__name"],
                "department": department(row)} for row in rows]}}


def improvement_actions(period: Period) -> dict:
    from mamori.improvement.models import ImprovementAction

    Status = ImprovementAction.Status
    raised = ImprovementAction.objects.filter(raised_on__gte=period.start,
                                              raised_on__lte=period.end)
    overdue = ImprovementAction.objects.overdue_q(period.end)
    totals = raised.aggregate(total=Count("pk"),
                              open=Count("pk", filter=Q(status=Status.OPEN)),
                              done=Count("pk", filter=Q(status=Status.DONE)),
                              declined=Count("pk", filter=Q(status=Status.DECLINED)),
                              overdue=Count("pk", filter=overdue))
    rows = (raised.order_by(Case(When(overdue, then=0), When(status=Status.OPEN, then=1),
                                 default=2), "due_on", "pk")
            .values("code", "title", "source", "status", "owner__name", *DEPARTMENT,
                    "raised_on", "due_on", "completed_on")[:LISTED])
    return {**totals, "by_source": counted(raised, "source"), "rows": [{
        "code": row["code"], "title": row["title"], "source": row["source"],
        "status": row["status"], "owner": row["owner__name"], "department": department(row),
        "raised_on": iso(row["raised_on"]), "due_on": iso(row["due_on"]),
        "completed_on": iso(row["completed_on"]),
        "overdue": row["status"] == Status.OPEN and row["due_on"] < period.end}
        for row in rows]}
