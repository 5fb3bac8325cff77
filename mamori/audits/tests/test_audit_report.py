"""The audit report as a page, an XLSX workbook and a PDF with its Japanese text and an
embedded font, in the reader's language, showing only what the reader may see."""

import io

import pytest
from django.urls import reverse
from django.utils import translation

from mamori.audits.models import ChecklistItem, PolicyArticle
from mamori.audits.tests.test_audit_models import make_audit, make_item
from mamori.controls.tests.test_coverage_soa import font_files
from mamori.core.testing import formula_free_workbook
from mamori.improvement.models import Nonconformity
from mamori.improvement.sources import link

pytestmark = pytest.mark.django_db
Result = ChecklistItem.Result


@pytest.fixture
def audit(org):
    audit = make_audit(title="営業部 内部監査", departments=[org.sales],
                       lead=org.people["auditor"], conclusion="概ね有効である。")
    audit.articles.set(PolicyArticle.objects.filter(number__in=("5", "7")))
    make_item(audit, "risks.art5.x", kind="check", article="5", title="リスク評価",
              result=Result.CONFORMING)
    minor = make_item(audit, "C-1", title="入退室記録", result=Result.MINOR,
                      notes="3件の記録漏れ", sampled_records="4月分")
    make_item(audit, "C-2", title="鍵の管理", result=Result.OBSERVATION)
    nc = Nonconformity(title="入退室記録の漏れ", severity="minor", department=org.sales)
    link(nc, minor)
    nc.save()
    return audit


def report_url(audit, fmt=""):
    url = reverse("audits:audit_report", args=[audit.pk])
    return f"{url}?format={fmt}" if fmt else url


def test_the_report_page(org, audit):
    page = org.client("manager").get(report_url(audit))  # the audited department reads it
    assert page.status_code == 200
    report = page.context["report"]
    assert [f.item.reference for f in report.findings] == ["C-1", "C-2"]
    assert [r.code for r in report.findings[0].raised] == [Nonconformity.objects.get().code]
    conclusions = {article.number: text for article, text, _c in report.by_article}
    with translation.override("ja"):
        assert conclusions == {"5": "適合", "7": "未監査"}
    assert [(d, [n.code for n in found]) for d, found in report.by_department] == [
        (org.sales, [Nonconformity.objects.get().code])]
    assert "概ね有効である。" in page.content.decode()
    assert org.client("staff").get(report_url(audit)).status_code == 404


def test_the_report_as_xlsx(org, audit):
    audit.items.filter(reference="C-2").update(notes='=HYPERLINK("http://x","y")')
    response = org.client("auditor").get(report_url(audit, "xlsx"),
                                          HTTP_ACCEPT_LANGUAGE="en")
    book = formula_free_workbook(response.content)
    findings = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in findings] == ["C-1", "C-2"]
    assert findings[0][2] == "Minor nonconformity"
    assert book.worksheets[1].title == "Conclusions"


@pytest.mark.slow  # WeasyPrint lays out the page with the CJK font: a few seconds
def test_the_report_as_pdf_in_japanese(org, audit):
    from pypdf import PdfReader

    response = org.client("ciso").get(report_url(audit, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "監査報告書" in text and "入退室記録" in text and "軽微な不適合" in text
    assert font_files(reader) & {"/FontFile2", "/FontFile3"}
