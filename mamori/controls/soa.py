"""The Statement of Applicability of a framework: one line per requirement with the
decision, its justification and the controls that implement it, for the page, XLSX and PDF.

The PDF is laid out by WeasyPrint from an HTML template; its fonts name Noto Sans CJK JP
(installed by scripts/system-packages.sh), which WeasyPrint embeds, so Japanese text prints
the same on any reader.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from mamori.controls.models import Control, Framework, Requirement
from mamori.core.io import pdf_attachment, xlsx_attachment


@dataclass
class Line:
    requirement: Requirement
    decision: str
    controls: list = field(default_factory=list)

    @property
    def control_text(self) -> str:
        return "\n".join(f"{c.code} {c.title} ({c.get_status_display()})" for c in self.controls)


@dataclass
class Statement:
    framework: Framework
    lines: list[Line]
    generated_at: object

    @property
    def filename(self) -> str:
        return f"soa-{self.framework.code}-{self.generated_at:%Y%m%d}"


def decision_label(applicable) -> str:
    if applicable is None:
        return _("Not decided")
    return _("Applicable") if applicable else _("Not applicable")


def build(framework: Framework) -> Statement:
    controls = Prefetch("controls", queryset=Control.objects.order_by("code"))
    requirements = (Requirement.objects.filter(framework=framework)
                    .prefetch_related(controls).order_by("sort_key", "pk"))
    lines = [Line(req, "" if req.is_group else decision_label(req.applicable),
                  list(req.controls.all())) for req in requirements]
    return Statement(framework, lines, timezone.localtime())


def headers() -> list[str]:
    return [_("reference"), _("requirement"), _("theme"), _("decision"), _("justification"),
            _("controls (status)")]


def xlsx_response(statement: Statement) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = "SoA"
    sheet.append([str(statement.framework), statement.framework.version,
                  f"{statement.generated_at:%Y-%m-%d %H:%M}"])
    sheet.append(headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    group_fill = PatternFill("solid", fgColor="E8EEF7")
    for line in statement.lines:
        req = line.requirement
        sheet.append([req.ref, req.title, req.get_theme_display() if req.theme else "",
                      line.decision, req.justification, line.control_text])
        if req.is_group:
            for cell in sheet[sheet.max_row]:
                cell.fill = group_fill
                cell.font = Font(bold=True)
    for column, width in zip("ABCDEF", (12, 50, 14, 14, 50, 50), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    return xlsx_attachment(book, statement.filename)


def pdf_html(statement: Statement) -> str:
    return render_to_string("controls/soa_pdf.html",
                            {"statement": statement, "headers": headers()})


def pdf_response(statement: Statement, request=None) -> HttpResponse:
    return pdf_attachment(pdf_html(statement), statement.filename)
