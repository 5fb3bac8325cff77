"""The continuity reports (policy Art 10) of the processes the reader may see: the business
impact analysis table, each process's recovery time objective against the slowest recovery
of what it depends on (a bar chart laid out here for the SVG the page and the PDF draw: no
script on the page, so the strict Content-Security-Policy holds), and the results of the
exercises held. As a page, a PDF (WeasyPrint, Noto Sans CJK JP embedded) and an XLSX
workbook, in the reader's language.

The number of queries does not grow with the processes: the processes once with their
current analysis, the critical ones once, the dependency graph and the accepted gaps once
(mamori.continuity.gaps), the exercise results once; the objectives the results are read
against come with the graph.
"""

import math
import unicodedata
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.continuity import gaps
from mamori.continuity.models import BusinessProcess, ContinuitySettings, ExerciseResult
from mamori.continuity.models.processes import GapKind
from mamori.core.io import pdf_attachment
from mamori.core.numbers import plain
from mamori.core.scope import VIEW
from mamori.core.tablebook import TableBook


@dataclass
class BiaRow:
    process: BusinessProcess
    mtpd: Decimal | None  # None: beyond the longest horizon, or no current analysis
    rto: Decimal | None
    rpo: Decimal | None
    review_due_on: object
    analysed: bool  # it has a current, approved impact analysis
    critical: bool
    open_gaps: int


@dataclass
class RtoBar:
    process: BusinessProcess
    rto: Decimal | None
    recovery: Decimal | None  # the slowest recovery time shown among its dependencies
    unknown: bool  # some dependency has not shown its recovery time
    dependencies: int

    @property
    def exceeds(self) -> bool:
        return self.rto is not None and self.recovery is not None and self.recovery > self.rto


@dataclass
class ResultRow:
    result: ExerciseResult
    rto: Decimal | None  # the process's current objective
    met: bool | None  # None: no current objective to read the result against

    @property
    def recovered_in(self) -> Decimal | None:
        return plain(self.result.recovered_in_hours)


@dataclass
class Report:
    bia: list[BiaRow]
    rto: list[RtoBar]
    results: list[ResultRow]
    critical_mtpd_hours: Decimal
    generated_at: object

    @property
    def filename(self) -> str:
        return f"continuity-report-{self.generated_at:%Y%m%d}"


def build(user, on=None) -> Report:
    on = on or timezone.localdate()
    processes = list(BusinessProcess.objects.restrict(user, VIEW).with_current_bia(on)
                     .select_related("department").order_by("code"))
    ids = [p.pk for p in processes]
    critical = set(BusinessProcess.objects.restrict(user, VIEW).critical()
                   .values_list("pk", flat=True))
    graph = gaps.load(on=on)
    open_gaps = Counter(gap.process for gap in gaps.open_gaps(graph, ids, on))
    bia, bars = [], []
    for process in processes:
        bia.append(BiaRow(process, plain(process.mtpd_hours), plain(process.rto_hours),
                          plain(process.rpo_hours), process.bia_review_due_on,
                          process.bia_id is not None, process.pk in critical,
                          open_gaps[process.pk]))
        edges = graph.by_process.get(process.pk, ())
        recoveries = [graph.recovery(edge) for edge in edges]
        slowest = max((time for time, _loss, _unknown in recoveries if time is not None),
                      default=None)
        bars.append(RtoBar(process, plain(process.rto_hours), plain(slowest),
                           any(unknown for _time, _loss, unknown in recoveries), len(edges)))
    results = []
    for result in (ExerciseResult.objects.restrict(user, VIEW)
                   .filter(exercise__held_on__isnull=False)
                   .select_related("exercise", "process")
                   .order_by("-exercise__held_on", "exercise__code", "process__code")):
        rto = graph.objectives.get(result.process_id, (None, None))[0]
        results.append(ResultRow(result, plain(rto), result.met_rto(rto)))
    return Report(bia, bars, results, plain(ContinuitySettings.current().critical_mtpd_hours),
                  timezone.localtime())


# --- the RTO gap chart ---------------------------------------------------------------------

WIDTH, LABEL_UNITS, BAR_LEFT, BAR_SPAN = 760, 38, 240, 380
TOP, ROW_HEIGHT, AXIS_HEIGHT = 40, 24, 24
TICKS = 5
# Steps of the hour axis a reader counts in: hours, shifts, days, weeks, months.
STEPS = (1, 2, 4, 6, 12, 24, 48, 72, 168, 336, 720, 1440, 2160, 4320, 8760)
RED, GREEN, GREY = "#d63939", "#2fb344", "#9aa0ac"


def fit(text: str, units: int = LABEL_UNITS) -> str:
    """`text` cut to about `units` half-width characters (a Japanese character takes two), so
    a label does not run into the bars."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > units:
            return text[:index].rstrip() + "…"
    return text


def axis(highest: Decimal) -> tuple[int, int]:
    """(step, end) of an hour axis that holds `highest` in at most TICKS steps."""
    step = next((s for s in STEPS if s * TICKS >= highest), None)
    if step is None:
        step = math.ceil(highest / TICKS)
    return step, max(1, math.ceil(highest / step)) * step


def page_context(report: Report) -> dict:
    """The RTO gap chart, drawn on the page and in the PDF."""
    values = [v for bar in report.rto for v in (bar.rto, bar.recovery) if v is not None]
    step, end = axis(max(values, default=Decimal(1)))

    def x(hours) -> float:
        return round(BAR_LEFT + BAR_SPAN * float(hours) / end, 1)

    rows = []
    for index, bar in enumerate(report.rto):
        colour = GREY if bar.rto is None else RED if bar.exceeds else GREEN
        ends = [x(v) for v in (bar.rto, bar.recovery) if v is not None]
        if bar.recovery is not None:
            text = f"{bar.recovery} h" + (" *" if bar.unknown else "")
        elif bar.dependencies:
            text = str(GapKind.UNKNOWN.label)
        else:
            text = _("no dependencies")
        rows.append({
            "y": TOP + index * ROW_HEIGHT, "bar": bar, "colour": colour,
            "label": fit(f"{bar.process.code} {bar.process}"),
            "title": f"{bar.process.code} {bar.process}",
            "width": max(x(bar.recovery) - BAR_LEFT, 1) if bar.recovery is not None else 0,
            "rto_x": x(bar.rto) if bar.rto is not None else None,
            "text": text, "text_x": max(ends, default=BAR_LEFT) + 6})
    bottom = TOP + len(rows) * ROW_HEIGHT
    ticks = [{"x": x(hours), "hours": hours} for hours in range(0, end + 1, step)]
    return {"chart": rows, "chart_ticks": ticks, "chart_top": TOP - 4, "chart_bottom": bottom,
            "chart_left": BAR_LEFT, "chart_height": bottom + AXIS_HEIGHT, "chart_width": WIDTH,
            "chart_colours": {"red": RED, "green": GREEN, "grey": GREY},
            "slower_label": GapKind.RTO.label, "unknown_label": GapKind.UNKNOWN.label}


# --- the files -----------------------------------------------------------------------------

def verdict(met: bool | None) -> str:
    if met is None:
        return _("no current RTO")
    return _("met") if met else _("missed")


def yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def bia_headers() -> list[str]:
    return [_("code"), _("process"), _("owner department"),
            _("maximum tolerable period of disruption (hours)"),
            _("recovery time objective (hours)"), _("recovery point objective (hours)"),
            _("review due on"), _("critical"), _("open gaps"), _("active")]


def bia_rows(report: Report) -> list[list]:
    return [[row.process.code, str(row.process), str(row.process.department), row.mtpd,
             row.rto, row.rpo, row.review_due_on, yes_no(row.critical), row.open_gaps,
             yes_no(row.process.is_active)] for row in report.bia]


def rto_headers() -> list[str]:
    return [_("code"), _("process"), _("recovery time objective (hours)"),
            _("slowest recovery of its dependencies (hours)"),
            str(GapKind.UNKNOWN.label), str(GapKind.RTO.label), _("dependencies")]


def rto_rows(report: Report) -> list[list]:
    return [[bar.process.code, str(bar.process), bar.rto, bar.recovery, yes_no(bar.unknown),
             yes_no(bar.exceeds), bar.dependencies] for bar in report.rto]


def result_headers() -> list[str]:
    return [_("exercise"), _("title"), _("kind"), _("held on"), _("code"), _("process"),
            _("recovered in (hours)"), _("recovery time objective (hours)"), _("RTO")]


def result_rows(report: Report) -> list[list]:
    return [[row.result.exercise.code, row.result.exercise.title,
             row.result.exercise.get_kind_display(), row.result.exercise.held_on,
             row.result.process.code, str(row.result.process),
             row.recovered_in if row.recovered_in is not None else _("not recovered"),
             row.rto, verdict(row.met)] for row in report.results]


def xlsx_response(report: Report):
    book = TableBook()
    book.add_table(_("Business impact analysis"), bia_headers(), bia_rows(report), notes=[
        [_("critical if tolerable for at most (hours)"), report.critical_mtpd_hours],
        [_("generated"), f"{report.generated_at:%Y-%m-%d %H:%M}"]])
    book.add_table(_("RTO gaps"), rto_headers(), rto_rows(report))
    book.add_table(_("Exercise results"), result_headers(), result_rows(report))
    return book.attachment(report.filename)


def pdf_response(report: Report):
    html = render_to_string("continuity/report_pdf.html", {
        "report": report, "pdf": True, **page_context(report)})
    return pdf_attachment(html, report.filename)
