"""A regulatory report as the document filed with the PPC: the nine items of the enforcement
rules Art 8(1), in Japanese, as a PDF with the Japanese font embedded and as an XLSX sheet;
only those who handle the incident may download it."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import override

from mamori.incidents import workflow
from mamori.incidents.models import BreachAssessment, Incident, RegulatoryReport

pytestmark = pytest.mark.django_db
TOKYO = ZoneInfo("Asia/Tokyo")
TITLE = "委託先からの顧客情報の漏えい"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the nine items as the PPC's form names them
ITEM_HEADINGS_JA = [
    "1. 概要",
    "2. 漏えい等が発生し、又は発生したおそれがある個人データの項目",
    "3. 本人の数",
    "4. 原因",
    "5. 二次被害又はそのおそれの有無及びその内容",
    "6. 本人への対応の実施状況",
    "7. 公表の実施状況",
    "8. 再発防止のための措置",
    "9. その他参考となる事項",
]


@pytest.fixture
def report(org) -> RegulatoryReport:
    aware = datetime.datetime(2026, 4, 1, 0, 30, tzinfo=TOKYO)
    incident = Incident.objects.create(
        title=TITLE, description="委託先のサーバが不正アクセスを受けた。",
        department=org.sales, noticed_at=aware, aware_at=aware,
        root_cause="委託先サーバの脆弱性", lessons_learned="委託先の監査項目に脆弱性管理を追加")
    workflow.save_assessment(BreachAssessment(
        incident=incident, personal_data=True, wrongful_purpose=True, persons_affected=1234,
        data_items="氏名、メールアドレス"), org.users["ciso"])
    final = incident.reports.get(kind=RegulatoryReport.Kind.FINAL)
    final.other_matters = "警察に相談済み"
    final.save()
    return final


def export_url(report, fmt):
    return reverse("incidents:regulatoryreport_export", args=[report.pk, fmt])


def test_the_items_are_named_as_the_ppc_names_them():
    with override("ja"):
        assert [str(RegulatoryReport._meta.get_field(name).verbose_name)
                for name in RegulatoryReport.ITEMS] == ITEM_HEADINGS_JA


def test_xlsx_has_the_particulars_and_the_nine_items(org, report):
    response = org.client("manager").get(export_url(report, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f'filename="{report.incident.code}-final-ppc.xlsx"' in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = {label: value for label, value in sheet.iter_rows(values_only=True) if label}
    for heading in ITEM_HEADINGS_JA:
        assert heading in rows
    labels = [label for label, _value in sheet.iter_rows(values_only=True) if label]
    assert labels[-9:] == ITEM_HEADINGS_JA  # in the order of Art 8(1)
    assert rows["1. 概要"].startswith(TITLE)
    assert "事態を知った日時: 2026-04-01 00:30" in rows["1. 概要"]
    assert rows[ITEM_HEADINGS_JA[1]] == "氏名、メールアドレス"
    assert rows["3. 本人の数"] == "1,234"
    assert rows["4. 原因"] == "委託先サーバの脆弱性"
    assert rows["8. 再発防止のための措置"] == "委託先の監査項目に脆弱性管理を追加"
    assert rows["9. その他参考となる事項"] == "警察に相談済み"
    assert rows["インシデント"] == str(report.incident)
    assert rows["種別"] == "確報"
    assert "2026-05-30" in rows.values()  # ground 3: day 60


def font_names(reader) -> set[str]:
    names = set()
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {}).get_object()
        for font in fonts.values():
            names.add(str(font.get_object().get("/BaseFont", "")))
    return names


@pytest.mark.slow  # WeasyPrint lays out the page with the CJK font: a few seconds
def test_pdf_in_japanese_with_the_noto_font_embedded(org, report):
    from pypdf import PdfReader

    response = org.client("ciso").get(export_url(report, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{report.incident.code}-final-ppc.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    compact = "".join(text.split())  # lines wrap inside long headings and values
    for heading in ITEM_HEADINGS_JA:
        assert "".join(capfirst(heading).split()) in compact, heading
    assert TITLE in compact
    assert "確報" in compact and "個人情報保護委員会" in compact
    assert "警察に相談済み" in compact
    assert any("Noto" in name for name in font_names(reader)), font_names(reader)


@pytest.mark.parametrize(("username", "status"), [
    ("ciso", 200), ("manager", 200), ("auditor", 200), ("staff", 404), ("it_staff", 404)])
def test_only_those_in_scope_download_it(org, report, username, status):
    # the reporter of the incident sees the incident, not the report to the regulator
    Incident.objects.filter(pk=report.incident_id).update(reported_by=org.people["staff"])
    response = org.client(username).get(export_url(report, "xlsx"))
    assert response.status_code == status


def test_a_report_outside_the_managers_departments_is_not_found(org, report):
    Incident.objects.filter(pk=report.incident_id).update(department=org.it)
    client = org.client("manager")
    for fmt in ("xlsx", "pdf"):
        assert client.get(export_url(report, fmt)).status_code == 404


def test_only_pdf_and_xlsx_are_offered(org, report):
    client = org.client("ciso")
    assert client.get(f"/incidents/reports/{report.pk}/csv/").status_code == 404
    assert client.get(f"/incidents/reports/{report.pk}/pdf/").status_code == 200


def test_xlsx_keeps_formula_text_as_text(org, report):
    from mamori.core.testing import formula_free_workbook

    RegulatoryReport.objects.filter(pk=report.pk).update(
        cause="=cmd|' /C calc'!A0", other_matters="@SUM(A1)")
    response = org.client("manager").get(export_url(report, "xlsx"))
    sheet = formula_free_workbook(response.content).active
    cells = {row[0].value: row[1] for row in sheet.iter_rows() if row[0].value}
    assert cells["4. 原因"].value == "=cmd|' /C calc'!A0" and cells["4. 原因"].quotePrefix
    assert cells["9. その他参考となる事項"].value == "@SUM(A1)"
