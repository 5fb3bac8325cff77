"""A regulatory report as a document: the nine items of the PPC's enforcement rules Art 8(1)
with the incident's particulars (the Art 7 items that apply, when the breach occurred and when
it became known) and the reporting company's particulars (incident settings), in Japanese (the
language the report is filed in), as a PDF (WeasyPrint, Noto Sans CJK JP embedded) or an XLSX
sheet."""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from mamori.core.io import pdf_attachment, xlsx_attachment
from mamori.incidents import breach
from mamori.incidents.models import BreachAssessment, IncidentSettings, RegulatoryReport

# The cases of enforcement rules Art 7, named as a reader of the report knows them.
GROUND_NAMES = {
    breach.SENSITIVE: gettext_lazy("Art. 7 item 1 (sensitive personal information)"),
    breach.FINANCIAL: gettext_lazy("Art. 7 item 2 (possible financial damage)"),
    breach.WRONGFUL: gettext_lazy("Art. 7 item 3 (wrongful purpose)"),
    breach.MANY_PERSONS: gettext_lazy("Art. 7 item 4 (more than %(threshold)s persons)"),
}


def ground_names(grounds, rule=None) -> list[str]:
    """Each ground (1-4) in words, in the active language."""
    threshold = getattr(rule, "person_threshold", None) or breach.Rule().person_threshold
    return [str(GROUND_NAMES[g]) % {"threshold": f"{threshold:,}"}
            if g == breach.MANY_PERSONS else str(GROUND_NAMES[g])
            for g in grounds if g in GROUND_NAMES]


def grounds_text(incident) -> str:
    assessment = BreachAssessment.objects.filter(incident=incident).select_related(
        "rule").first()
    if assessment is None:
        return _("Not assessed yet.")
    if assessment.exempt:
        return _("None: the data was protected by advanced encryption.")
    names = ground_names(assessment.grounds_list, assessment.rule)
    if not names:
        return _("None: not reportable under APPI Art 26.")
    return _(", ").join(names)


def moment(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def particulars(report: RegulatoryReport) -> list[tuple[str, str]]:
    """The heading rows: what, to whom, on what basis, by when; which items of Art 7 apply;
    when the breach occurred and when the company became aware of it."""
    incident = report.incident
    field = RegulatoryReport._meta.get_field
    incident_field = incident._meta.get_field
    return [
        (str(incident._meta.verbose_name), str(incident)),
        (str(field("kind").verbose_name), report.get_kind_display()),
        (str(field("recipient").verbose_name),
         report.recipient_name or report.get_recipient_display()),
        (str(field("legal_basis").verbose_name), report.legal_basis),
        (_("cases of enforcement rules Art 7 that apply"), grounds_text(incident)),
        (str(field("due_on").verbose_name), f"{report.due_on:%Y-%m-%d}" if report.due_on else ""),
        (str(field("submitted_on").verbose_name),
         f"{report.submitted_on:%Y-%m-%d}" if report.submitted_on else ""),
        (_("breach occurred at"), moment(incident.occurred_at) or _("unknown (not recorded)")),
        (str(incident_field("aware_at").verbose_name), moment(incident.awareness)),
        *late_awareness(incident),
    ]


def late_awareness(incident) -> list[tuple[str, str]]:
    """The reason the company became aware later than the incident was noticed, when it
    did: the regulator counts from the awareness, so the report says why it is late."""
    if not incident.late_awareness_reason:
        return []
    field = incident._meta.get_field
    return [(str(field("noticed_at").verbose_name), moment(incident.noticed_at)),
            (str(field("late_awareness_reason").verbose_name), incident.late_awareness_reason)]


def company(settings=None) -> list[tuple[str, str]]:
    """The reporting company's particulars (incident settings), in the form's order."""
    settings = settings or IncidentSettings.current()
    field = IncidentSettings._meta.get_field
    return [(str(field(name).verbose_name), getattr(settings, name).strip())
            for name in IncidentSettings.COMPANY_FIELDS]


def company_missing(settings=None) -> list[str]:
    """The names (labels) of the company's particulars not yet entered."""
    settings = settings or IncidentSettings.current()
    field = IncidentSettings._meta.get_field
    return [str(field(name).verbose_name) for name in settings.missing_company_fields()]


def missing_text(missing: list[str]) -> str:
    return _("Missing from this report: %(fields)s. They are entered on the incident settings "
             "page (Settings → Incident settings) by the CISO or an administrator.") % {
        "fields": _(", ").join(missing)}


def company_rows() -> list[tuple[str, str]]:
    """The company's particulars as the document shows them, with a line saying what is
    missing and where it is filled in."""
    settings = IncidentSettings.current()
    rows = company(settings)
    missing = company_missing(settings)
    if missing:
        rows.append((_("reporting company: not entered"), missing_text(missing)))
    return rows


def items(report: RegulatoryReport) -> list[tuple[str, str]]:
    return [(str(RegulatoryReport._meta.get_field(name).verbose_name), getattr(report, name))
            for name in RegulatoryReport.ITEMS]


def filename(report: RegulatoryReport) -> str:
    return f"{report.incident.code}-{report.kind}-{report.recipient}"


def xlsx_response(report: RegulatoryReport) -> HttpResponse:
    with override("ja"):
        head, who, body = particulars(report), company_rows(), items(report)
    book = Workbook()
    sheet = book.active
    sheet.title = report.kind
    label_fill = PatternFill("solid", fgColor="E8EEF7")
    for label, value in [*head, ("", ""), *who, ("", ""), *body]:
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
            "report": report, "particulars": particulars(report), "company": company_rows(),
            "items": items(report),
            "generated_at": timezone.localtime()})


def pdf_response(report: RegulatoryReport) -> HttpResponse:
    return pdf_attachment(pdf_html(report), filename(report))
