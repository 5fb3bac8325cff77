"""The audit report: scope, criteria, team, summary, the findings, and a conclusion per policy
article and per audited department — as a page, a PDF (WeasyPrint, Noto Sans CJK JP embedded)
and an XLSX workbook, in the reader's language."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from mamori.audits.models import Audit, ChecklistItem, PolicyArticle
from mamori.core.io import pdf_attachment, xlsx_attachment
from mamori.core.scope import VIEW

Result = ChecklistItem.Result
# From the worst to the best: an article's conclusion is its worst result.
SEVERITY = [Result.MAJOR, Result.MINOR, Result.OBSERVATION, Result.OPPORTUNITY,
            Result.CONFORMING, Result.NOT_AUDITED]


@dataclass
class Finding:
    item: ChecklistItem
    raised: list  # the nonconformities and improvement actions raised from it


@dataclass
class Report:
    audit: Audit
    scope: list  # (label, [names])
    team: list
    findings: list[Finding]
    by_article: list  # (article, conclusion label, counts by result label)
    by_department: list  # (department, nonconformities raised against it)
    counts: dict
    generated_at: object

    @property
    def filename(self) -> str:
        return f"audit-report-{self.audit.code}"


def conclusion(results) -> str:
    """An article's conclusion from its items' results: its worst finding."""
    present = set(results)
    for result in SEVERITY:
        if result in present:
            if result == Result.CONFORMING:
                return _("Conforming")
            if result == Result.NOT_AUDITED:
                return _("Not audited")
            return _("Findings: %(worst)s") % {"worst": Result(result).label}
    return _("Not audited")


def build(audit: Audit, user) -> Report:
    from mamori.improvement.models import ImprovementAction, Nonconformity

    items = list(ChecklistItem.objects.restrict(user, VIEW).filter(audit=audit).select_related(
        "requirement", "control").order_by("position", "pk"))
    content_type = ContentType.objects.get_for_model(ChecklistItem)
    raised: dict[int, list] = {}
    for model in (Nonconformity, ImprovementAction):
        for record in model.objects.restrict(user, VIEW).filter(
                source_type=content_type, source_id__in=[i.pk for i in items]).order_by("code"):
            raised.setdefault(record.source_id, []).append(record)
    findings = [Finding(item, raised.get(item.pk, [])) for item in items
                if item.result not in (Result.CONFORMING, Result.NOT_AUDITED)]
    by_article = []
    for article in PolicyArticle.objects.filter(audits=audit).order_by("position"):
        results = [i.result for i in items if i.article == article.number]
        counts = {Result(r).label: results.count(r) for r in SEVERITY if results.count(r)}
        by_article.append((article, conclusion(results), counts))
    nonconformities = [r for records in raised.values() for r in records
                       if isinstance(r, Nonconformity)]
    departments = list(audit.departments.restrict(user, VIEW).order_by("code"))
    by_department = [(d, [n for n in nonconformities if n.department_id == d.pk])
                     for d in departments]
    field = Audit._meta.get_field
    scope = [(field("departments").verbose_name, [str(d) for d in departments]),
             (field("articles").verbose_name, [str(a) for a in audit.articles.all()]),
             (field("requirements").verbose_name,
              [str(r) for r in audit.requirements.restrict(user, VIEW)]),
             (field("controls").verbose_name,
              [str(c) for c in audit.controls.restrict(user, VIEW).order_by("code")]),
             (field("contractors").verbose_name,
              [str(c) for c in audit.contractors.restrict(user, VIEW).order_by("code")])]
    team = [audit.lead_auditor, *audit.team.order_by("employee_no")]
    counts = {Result(r).label: sum(1 for i in items if i.result == r) for r in SEVERITY}
    return Report(audit, scope, [p for p in team if p is not None], findings, by_article,
                  by_department, counts, timezone.localtime())


def pdf_response(report: Report):
    html = render_to_string("audits/audit_report_pdf.html", {"report": report})
    return pdf_attachment(html, report.filename)


def xlsx_response(report: Report):
    book = Workbook()
    sheet = book.active
    sheet.title = _("Findings")[:31]
    audit = report.audit
    sheet.append([str(audit), audit.get_kind_display(), audit.get_status_display(),
                  report.generated_at.strftime("%Y-%m-%d %H:%M")])
    sheet.append([_("reference"), _("what is audited"), _("result"), _("notes"),
                  _("sampled records"), _("raised")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for finding in report.findings:
        item = finding.item
        sheet.append([item.reference, item.label, item.get_result_display(), item.notes,
                      item.sampled_records, ", ".join(str(r) for r in finding.raised)])
    conclusions = book.create_sheet(_("Conclusions")[:31])
    conclusions.append([_("policy article"), _("conclusion")])
    for article, text, _counts in report.by_article:
        conclusions.append([str(article), text])
    conclusions.append([])
    conclusions.append([_("department"), _("nonconformities")])
    for department, found in report.by_department:
        conclusions.append([str(department), ", ".join(n.code for n in found) or "—"])
    for worksheet in (sheet, conclusions):
        for row in worksheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        for column, width in zip("ABCDEF", (24, 50, 18, 50, 30, 30), strict=True):
            worksheet.column_dimensions[column].width = width
    return xlsx_attachment(book, report.filename)
