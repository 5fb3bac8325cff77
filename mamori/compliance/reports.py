"""The compliance register report (policy Art 11) of the obligations the reader may see: the
register grouped by source, each obligation with its applicability, owner, interval, latest
evaluation, next due date, mapped controls and accepted exceptions; a summary of the latest
results per source; the amendments coming (or lately in force) with how far their impact
assessments have got; and the regulatory actions still open. As a page, a PDF (WeasyPrint,
Noto Sans CJK JP embedded) and an XLSX workbook, in the reader's language.

The number of queries does not grow with the obligations: the obligations once, each
annotated with its latest evaluation, its counts and whether a non-compliance is handled
(subqueries); the amendments once with their counts; the open actions once, with the
obligations and incidents they concern (a prefetch each). My page (compliance.todo) uses the
same annotations.
"""

import datetime
import itertools
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.compliance.conformance import latest_evaluation
from mamori.compliance.models import (
    Applicability,
    ComplianceException,
    Evaluation,
    ImpactAssessment,
    LegalSource,
    Obligation,
    RegulatoryAction,
    Result,
    SourceVersion,
)
from mamori.compliance.views_register import RECENT_DAYS
from mamori.core import badges
from mamori.core.dates import add_months
from mamori.core.io import pdf_attachment
from mamori.core.scope import VIEW, restrict
from mamori.core.tablebook import TableBook
from mamori.incidents.models import Incident

# --- the annotations the report and My page share -----------------------------------------
# The evaluation that stands is the one the Art 11 checks read (conformance.latest_evaluation).


def count_of(queryset, key: str = "obligation"):
    """The number of rows of `queryset` (filtered on its `key` = an OuterRef) as a subquery:
    a count that does not multiply the rows of the query it is put in, as a join would."""
    counted = queryset.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def current_exceptions(today):
    return ComplianceException.objects.filter(obligation=OuterRef("pk"), accepted_on__lte=today,
                                              expires_on__gt=today)


def with_status(obligations, today):
    """`obligations` annotated with their latest evaluation (`last_result`, `last_evaluated_on`,
    `last_id`), the controls mapped to them, their current exceptions (count and latest end)
    and `acted`: whether the latest evaluation has an open nonconformity raised from it. A
    non-compliance is handled when acted on or excepted (what the Art 11 check (b) asks)."""
    from mamori.improvement.models import Nonconformity

    latest = latest_evaluation()
    open_action = Nonconformity.objects.filter(
        source_type=ContentType.objects.get_for_model(Evaluation),
        source_id=OuterRef("last_id"),
        status__in=[Nonconformity.Status.OPEN, Nonconformity.Status.PLANNED])
    mapped = Obligation.controls.through.objects.filter(obligation=OuterRef("pk"))
    return obligations.annotate(
        last_result=Subquery(latest.values("result")[:1]),
        last_evaluated_on=Subquery(latest.values("evaluated_on")[:1]),
        last_id=Subquery(latest.values("pk")[:1]),
        control_count=count_of(mapped),
        exception_count=count_of(current_exceptions(today)),
        excepted_until=Subquery(current_exceptions(today).order_by("-expires_on").values(
            "expires_on")[:1]),
    ).annotate(acted=Exists(open_action))


def without_action_q() -> Q:
    """Of obligations annotated by with_status: those that apply, found not compliant at
    their latest evaluation, with neither an open action nor a current exception."""
    return Q(applicability=Applicability.APPLICABLE, last_result=Result.NOT_COMPLIANT,
             acted=False, exception_count=0)


def last_evaluated_bound(limit: datetime.date, months: int) -> datetime.date:
    """The latest day an obligation evaluated every `months` months may have been evaluated
    on for its next evaluation to fall due on or before `limit` (Obligation.evaluation_due_on
    inverted: from the 28th of February, say, every evaluation from 29 to 31 January is due
    that day)."""
    bound = add_months(limit, -months)
    if (limit + datetime.timedelta(days=1)).month != limit.month:  # the last day of a month
        bound = add_months(bound.replace(day=1), 1) - datetime.timedelta(days=1)
    return bound


def due_by_q(limit: datetime.date, intervals) -> Q:
    """Of obligations annotated by with_status: those never evaluated or whose next evaluation
    is due on or before `limit` (an OR over the `intervals` in use, a handful, since month
    arithmetic in SQL is not portable)."""
    q = Q(last_evaluated_on__isnull=True)
    for months in intervals:
        q |= Q(interval_months=months,
               last_evaluated_on__lte=last_evaluated_bound(limit, months))
    return q


# --- the report ---------------------------------------------------------------------------


@dataclass
class ObligationRow:
    obligation: Obligation
    due_on: datetime.date | None
    today: datetime.date

    @property
    def applicable(self) -> bool:
        return self.obligation.applicability == Applicability.APPLICABLE

    @property
    def result(self) -> str | None:
        return self.obligation.last_result

    @property
    def result_label(self) -> str:
        return str(Result(self.result).label) if self.result else ""

    @property
    def result_badge(self):
        if not self.result:
            return "—"
        return badges.shown(Evaluation, "result", self.result, self.result_label)

    @property
    def evaluated_on(self) -> datetime.date | None:
        return self.obligation.last_evaluated_on

    @property
    def never_evaluated(self) -> bool:
        return self.applicable and self.evaluated_on is None

    @property
    def overdue(self) -> bool:
        return self.applicable and self.due_on is not None and self.due_on < self.today

    @property
    def without_action(self) -> bool:
        return (self.applicable and self.result == Result.NOT_COMPLIANT
                and not self.obligation.acted and not self.obligation.exception_count)

    @property
    def needs_attention(self) -> bool:
        return self.without_action or self.never_evaluated or self.overdue

    def urgency(self) -> tuple:
        """Not compliant without action first, then never evaluated, then the longest
        overdue."""
        return (not self.without_action, not self.never_evaluated,
                self.due_on or datetime.date.min, self.obligation.source.code,
                self.obligation.code)


@dataclass
class SourceGroup:
    source: LegalSource
    rows: list[ObligationRow]

    @property
    def heading(self) -> str:
        """The source as people say it, with its full title when that says more."""
        name, title = str(self.source), self.source.title
        return name if name == title else f"{name} — {title}"


@dataclass
class Tally:
    """The latest results of a set of obligations: each result counted over the obligations
    that apply (with those never evaluated), so the results add up to `applicable`."""

    label: str
    obligations: int = 0
    applicable: int = 0
    results: Counter = field(default_factory=Counter)
    not_evaluated: int = 0
    overdue: int = 0
    without_action: int = 0

    def add(self, row: ObligationRow) -> None:
        self.obligations += 1
        if not row.applicable:
            return
        self.applicable += 1
        if row.result:
            self.results[row.result] += 1
        else:
            self.not_evaluated += 1
        self.overdue += row.overdue
        self.without_action += row.without_action

    def counts(self) -> list[int]:
        return [self.results[value] for value in Result.values]


@dataclass
class AmendmentRow:
    version: SourceVersion
    today: datetime.date

    @property
    def to_assess(self) -> int:
        return self.version.open_count

    @property
    def in_force(self) -> bool:
        return self.version.effective_on <= self.today

    @property
    def late(self) -> bool:
        """Assessments still open after the day the amendment took effect (Art 11 (c))."""
        return self.to_assess > 0 and self.version.effective_on < self.today


# The page lists this many of the obligations needing attention, the most urgent first; the
# whole register is in the files. Ten thousand obligations made a page of 5 MB that took the
# browser (and the server, 2.6-4.2 s) longer to draw than anyone would read.
ATTENTION_SHOWN = 100


@dataclass
class Report:
    groups: list[SourceGroup]
    summary: list[Tally]  # one per source, then the whole register
    attention: list[ObligationRow]  # the most urgent ATTENTION_SHOWN needing attention
    attention_count: int  # all of those needing attention
    amendments: list[AmendmentRow]
    actions: list[RegulatoryAction]
    today: datetime.date
    generated_at: datetime.datetime

    @property
    def total(self) -> Tally:
        return self.summary[-1]

    @property
    def recent_days(self) -> int:
        return RECENT_DAYS

    @property
    def result_labels(self) -> list:
        return Result.labels

    @property
    def obligation_count(self) -> int:
        return self.total.obligations

    @property
    def filename(self) -> str:
        return f"compliance-report-{self.generated_at:%Y%m%d}"


def obligation_rows(user, today) -> list[ObligationRow]:
    obligations = with_status(
        Obligation.objects.restrict(user, VIEW).select_related("source", "department"), today)
    return [ObligationRow(o, o.evaluation_due_on(o.last_evaluated_on)
                          if o.applicability == Applicability.APPLICABLE else None, today)
            for o in obligations.order_by("source__code", "code")]


def amendments(user, today) -> list[AmendmentRow]:
    """The amendments (a version with an older one of its source) taking effect from
    RECENT_DAYS ago on, and any still waiting for assessments, with the counts of the
    assessments the reader may see."""
    visible = restrict(ImpactAssessment.objects.all(), user).values("pk")
    seen = Q(impact_assessments__in=visible)
    status = "impact_assessments__status"
    older = SourceVersion.objects.filter(source=OuterRef("source"),
                                         effective_on__lt=OuterRef("effective_on"))
    versions = (SourceVersion.objects.restrict(user, VIEW)
                .filter(Exists(older)).select_related("source")
                .annotate(open_count=Count("impact_assessments", filter=seen & Q(
                    **{status: ImpactAssessment.Status.OPEN})),
                          no_change_count=Count("impact_assessments", filter=seen & Q(
                              **{status: ImpactAssessment.Status.NO_CHANGE})),
                          changes_count=Count("impact_assessments", filter=seen & Q(
                              **{status: ImpactAssessment.Status.CHANGES})))
                .filter(Q(effective_on__gte=today - datetime.timedelta(days=RECENT_DAYS))
                        | Q(open_count__gt=0))
                .order_by("effective_on", "source__code", "pk"))
    return [AmendmentRow(version, today) for version in versions]


def open_actions(user) -> list[RegulatoryAction]:
    return list(
        RegulatoryAction.objects.restrict(user, VIEW)
        .filter(status=RegulatoryAction.Status.OPEN).select_related("department")
        .prefetch_related(
            Prefetch("obligations", queryset=Obligation.objects.restrict(user, VIEW)
                     .order_by("code"), to_attr="visible_obligations"),
            Prefetch("incidents", queryset=Incident.objects.restrict(user, VIEW)
                     .order_by("code"), to_attr="visible_incidents"))
        .order_by(F("response_due_on").asc(nulls_last=True), "received_on", "pk"))


def build(user, on=None) -> Report:
    today = on or timezone.localdate()
    rows = obligation_rows(user, today)
    groups, summary = [], []
    total = Tally(_("All sources"))
    for _source_id, members in itertools.groupby(rows, key=lambda row: row.obligation.source_id):
        members = list(members)
        source = members[0].obligation.source
        groups.append(SourceGroup(source, members))
        tally = Tally(str(source))
        for row in members:
            tally.add(row)
            total.add(row)
        summary.append(tally)
    summary.append(total)
    attention = sorted((row for row in rows if row.needs_attention), key=ObligationRow.urgency)
    return Report(groups, summary, attention[:ATTENTION_SHOWN], len(attention),
                  amendments(user, today), open_actions(user), today, timezone.localtime())


def page_context(report: Report) -> dict:
    return {"attention_hidden": report.attention_count - len(report.attention)}


# --- the files -----------------------------------------------------------------------------


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def result_names() -> list[str]:
    return [str(label) for label in Result.labels]


def obligation_headers() -> list[str]:
    return [_("legal source (code)"), _("legal source"), _("code"), _("article"), _("title"),
            _("applicability"), _("reason for the applicability"), _("owning department"),
            _("evaluated every (months)"), _("latest result"), _("evaluated on"),
            _("next evaluation due on"), _("overdue"), _("mapped controls"),
            _("accepted exceptions"), _("accepted until"),
            _("not compliant without action")]


def obligation_rows_for_sheet(report: Report) -> list[list]:
    # Every label translated once, not once a row: ten thousand rows spent a third of their
    # time in gettext.
    yes, no, never = _("yes"), _("no"), _("never evaluated")
    applicability = {value: str(label) for value, label in Applicability.choices}
    results = {value: str(label) for value, label in Result.choices}
    departments = {}
    sheet = []
    for group in report.groups:
        source_code, source_name = group.source.code, str(group.source)
        for row in group.rows:
            obligation = row.obligation
            department = obligation.department
            if department is not None and department.pk not in departments:
                departments[department.pk] = str(department)
            sheet.append([
                source_code, source_name, obligation.code, obligation.article, obligation.title,
                applicability.get(obligation.applicability, obligation.applicability),
                obligation.applicability_reason,
                departments[department.pk] if department is not None else "",
                obligation.interval_months, results.get(row.result, ""), row.evaluated_on,
                never if row.never_evaluated else row.due_on,
                yes if row.overdue or row.never_evaluated else no,
                obligation.control_count, obligation.exception_count,
                obligation.excepted_until, yes if row.without_action else no])
    return sheet


def summary_headers() -> list[str]:
    return [_("legal source"), _("obligations"), _("applicable"), *result_names(),
            _("not evaluated"), _("overdue"), _("not compliant without action")]


def summary_rows(report: Report) -> list[list]:
    return [[tally.label, tally.obligations, tally.applicable, *tally.counts(),
             tally.not_evaluated, tally.overdue, tally.without_action]
            for tally in report.summary]


def amendment_headers() -> list[str]:
    return [_("in force from"), _("legal source"), _("version"), _("promulgated on"),
            _("what changed"), _("assessments to do"), _("assessed: nothing to change"),
            _("assessed: changes needed"), _("overdue")]


def amendment_rows(report: Report) -> list[list]:
    return [[row.version.effective_on, str(row.version.source), row.version.version,
             row.version.promulgated_on, row.version.summary, row.to_assess,
             row.version.no_change_count, row.version.changes_count, yes_no(row.late)]
            for row in report.amendments]


def action_headers() -> list[str]:
    return [_("number"), _("kind"), _("title"), _("supervisor or regulator"),
            _("supervisor's reference"), _("received on"), _("department responsible"),
            _("response due on"), _("overdue"), _("obligations concerned"),
            _("incidents concerned")]


def action_rows(report: Report) -> list[list]:
    return [[action.code, action.get_kind_display(), action.title, action.regulator,
             action.reference, action.received_on, str(action.department),
             action.response_due_on,
             yes_no(action.response_due_on is not None and action.response_due_on < report.today),
             ", ".join(o.code for o in action.visible_obligations),
             ", ".join(i.code for i in action.visible_incidents)]
            for action in report.actions]


def xlsx_response(report: Report):
    book = TableBook()
    book.add_table(_("Obligations"), obligation_headers(), obligation_rows_for_sheet(report),
                   notes=[[_("generated"), f"{report.generated_at:%Y-%m-%d %H:%M}"]])
    book.add_table(_("Evaluations summary"), summary_headers(), summary_rows(report))
    book.add_table(_("Amendments"), amendment_headers(), amendment_rows(report))
    book.add_table(_("Regulatory actions"), action_headers(), action_rows(report))
    return book.attachment(report.filename)


def pdf_response(report: Report):
    html = render_to_string("compliance/report_pdf.html", {"report": report, "pdf": True})
    return pdf_attachment(html, report.filename)
