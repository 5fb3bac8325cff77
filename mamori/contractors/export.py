"""The comparison for the contractor's file: an XLSX workbook and a PDF (WeasyPrint, Noto
Sans CJK JP), in the reader's language."""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.contractors.chart import chart_context
from mamori.contractors.comparison import Comparison
from mamori.contractors.models import Screening
from mamori.core.io import pdf_attachment
from mamori.core.tablebook import TableBook


def filename(screening: Screening) -> str:
    return f"screening-{screening.contractor.code}-{screening.requested_on.isoformat()}"


def headers() -> list[str]:
    return [_("requirement"), _("our level"), _("their level"), _("gap"),
            _("their explanation"), _("gap accepted on"), _("condition of acceptance"),
            _("acceptance expires on")]


def rows(comparison: Comparison) -> list[list]:
    return [[str(line.answer.requirement), str(line.ours_label), str(line.theirs_label),
             line.gap, line.answer.their_comment, line.answer.accepted_on,
             line.answer.acceptance_condition, line.answer.acceptance_expires_on]
            for line in comparison.lines]


def xlsx_response(screening: Screening, comparison: Comparison):
    book = TableBook()
    book.add_table(Screening._meta.verbose_name, headers(), rows(comparison), notes=[
        [_("contractor"), str(screening.contractor)],
        [_("verdict"), str(comparison.verdict_label) or _("not yet")]])
    return book.attachment(filename(screening))


def pdf_response(screening: Screening, comparison: Comparison):
    html = render_to_string("contractors/screening_pdf.html", {
        "screening": screening, "comparison": comparison, "generated_at": timezone.now(),
        **chart_context(comparison)})
    return pdf_attachment(html, filename(screening))
