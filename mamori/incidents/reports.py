"""A regulatory report as a document: the nine items of the PPC's enforcement rules Art 8(1)
with the incident's particulars, in Japanese (the language the report is filed in), as a PDF
(WeasyPrint, Noto Sans CJK JP embedded) or an XLSX sheet."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import override
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from mamori.core.io import pdf_attachment, xlsx_attachment
from mamori.incidents.models import RegulatoryReport


def particulars(report: RegulatoryReport) -> list[tuple[str, str]]:
    """The heading rows: what, to whom, on what basis, by when."""
    incident = report.incident
    field = RegulatoryReport._meta.get_field
    return [
        (str(incident._meta.verbose_name), str(incident)),
        (str(field("kind").verbose_name), report.get_kind_display()),
        (str(field("recipient").verbose_name),
         report.recipient_name or report.get_recipient_display()),
        (str(field("legal_basis").verbose_name), report.legal_basis),
        (str(field("due_on").verbose_name), f"{report.due_on:%Y-%m-%d}" if report.due_on else ""),
        (str(field("submitted_on").verbose_name),
         f"{report.submitted_on:%Y-%m-%d}" if report.submitted_on else ""),
        (str(incident._meta.get_field("aware_at").verbose_name),
         timezone.localtime(incident.awareness).strftime("%Y-%m-%d %H:%M")),
        *late_awareness(incident),
    ]


def late_awareness(incident) -> list[tuple[str, str]]:
    """The reason the company became aware later than the incident was noticed, when it
    did: the regulator counts from the awareness, so the report says why it is late."""
    if not incident.late_awareness_reason:
        return []
    field = incident._meta.get_field
    return [(str(field("noticed_at").verbose_name),
             timezone.localtime(incident.noticed_at).strftime("%Y-%m-%d %H:%M")),
            (str(field("late_awareness_reason").verbose_name), incident.late_awareness_reason)]


def items(report: RegulatoryReport) -> list[tuple[str, str]]:
    return [(str(RegulatoryReport._meta.get_field(name).verbose_name), getattr(report, name))
            for name in RegulatoryReport.ITEMS]


def filename(report: RegulatoryReport) -> str:
    return f"{report.incident.code}-{report.kind}-{report.recipient}"


def xlsx_response(report: RegulatoryReport) -> HttpResponse:
    with override("ja"):
        head, body = particulars(report), items(report)
    book = Workbook()
    sheet = book.active
    sheet.title = report.kind
    label_fill = PatternFill("solid", fgColor="E8EEF7")
    for label, value in [*head, ("", ""), *body]:
        sheet.append([label, value])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        if label:
            sheet.cell(sheet.max_row, 1).fill = label_fill
    sheet.column_dimensions["A"].width = 32
    sheet.column_dimensions["B"].width = 90
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return xlsx_attachment(book, filename(report))


def pdf_html(report: RegulatoryReport) -> str:
    with override("ja"):
        return render_to_string("incidents/report_pdf.html", {
            "report": report, "particulars": particulars(report), "items": items(report),
            "generated_at": timezone.localtime()})


def pdf_response(report: RegulatoryReport) -> HttpResponse:
    return pdf_attachment(pdf_html(report), filename(report))
