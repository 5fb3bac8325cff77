"""Framework coverage (controls.coverage) and the Statement of Applicability on the page,
as XLSX and as PDF."""

import io

import pytest
from django.urls import reverse
from django.utils import translation

from mamori.controls import coverage, soa
from mamori.controls.tests.test_control_models import (
    make_control,
    make_framework,
    make_requirement,
)
from mamori.core.testing import query_count

pytestmark = pytest.mark.django_db
POLICIES_JA = "情報セキュリティのための方針群"
EXCLUSION_JA = "採用は親会社が一括して行うため対象外"


@pytest.fixture
def framework(org):
    """A small framework: a group heading, four applicable requirements (two mapped to an
    implemented control, one only to a planned one, one to none), one excluded, one
    undecided."""
    fw = make_framework("soa-test", version="2022", in_soa=True)
    policy = make_control(org.company, "C-POL", title_ja="情報セキュリティ方針の策定",
                          status="implemented")
    roles = make_control(org.sales, "C-ROLE", title_ja="役割と責任の割当て", status="planned")
    make_requirement(fw, "A.5", sort_key=1, title_ja="組織的管理策", is_group=True)
    make_requirement(fw, "A.5.1", sort_key=2, title_ja=POLICIES_JA,
                     applicable=True, justification="基本方針に基づく").controls.set([policy])
    make_requirement(fw, "A.5.2", sort_key=3, title_ja="情報セキュリティの役割及び責任",
                     applicable=True).controls.set([roles])
    make_requirement(fw, "A.5.3", sort_key=4, title_ja="職務の分離", applicable=True)
    make_requirement(fw, "A.6.1", sort_key=5, title_ja="選考", theme="people",
                     applicable=False, justification=EXCLUSION_JA).controls.set([policy])
    make_requirement(fw, "A.7.1", sort_key=6, title_ja="物理的セキュリティ境界",
                     theme="physical")
    make_requirement(fw, "A.8.1", sort_key=7, title_ja="利用者エンドポイント機器",
                     theme="technological", applicable=True).controls.set([policy, roles])
    other = make_framework("other")  # another framework's requirements never count
    make_requirement(other, "1", applicable=True).controls.set([policy])
    return fw


def as_tuple(c):
    return (c.requirements, c.undecided, c.applicable, c.excluded, c.mapped, c.implemented)


def test_framework_coverage(framework):
    total = coverage.framework_coverage(framework)
    assert as_tuple(total) == (6, 1, 4, 1, 3, 2)  # the group heading is not a requirement
    assert (total.percent_mapped, total.percent_implemented) == (75, 50)
    assert total.label == str(framework)


def test_coverage_by_theme(framework):
    rows = {row.label: as_tuple(row) for row in coverage.coverage_by_theme(framework)}
    with translation.override("en"):
        labels = {row.label for row in coverage.coverage_by_theme(framework)}
    assert labels == {"Organisational", "People", "Physical", "Technological"}
    assert sorted(rows.values()) == sorted([
        (3, 0, 3, 0, 2, 1),  # organisational
        (1, 0, 0, 1, 0, 0),  # people: excluded, so its mapping does not count
        (1, 1, 0, 0, 0, 0),  # physical: undecided
        (1, 0, 1, 0, 1, 1),  # technological
    ])


def test_coverage_of_an_empty_framework_is_zero():
    empty = coverage.framework_coverage(make_framework("empty"))
    assert as_tuple(empty) == (0, 0, 0, 0, 0, 0)
    assert (empty.percent_mapped, empty.percent_implemented) == (0, 0)
    assert coverage.coverage_by_theme(make_framework("empty-2")) == []


def test_coverage_is_one_query_at_any_size(org, framework):
    small = query_count(lambda: coverage.framework_coverage(framework))
    by_theme = query_count(lambda: coverage.coverage_by_theme(framework))
    control = make_control(org.it, "C-MORE", status="implemented")
    for i in range(30):
        make_requirement(framework, f"X.{i}", sort_key=100 + i,
                         applicable=True).controls.set([control])
    assert query_count(lambda: coverage.framework_coverage(framework)) == small == 1
    assert query_count(lambda: coverage.coverage_by_theme(framework)) == by_theme == 1
    assert coverage.framework_coverage(framework).implemented == 32


def test_framework_page_shows_the_coverage(org, framework):
    response = org.client("staff").get(reverse("controls:framework_detail",
                                               args=[framework.pk]))
    assert response.status_code == 200
    assert as_tuple(response.context["coverage"]) == (6, 1, 4, 1, 3, 2)
    assert b'data-testid="coverage"' in response.content


def soa_url(framework, fmt=""):
    url = reverse("controls:framework_soa", args=[framework.pk])
    return f"{url}?format={fmt}" if fmt else url


def test_soa_page_for_staff(org, framework):
    response = org.client("staff").get(soa_url(framework))
    assert response.status_code == 200
    lines = response.context["statement"].lines
    assert [line.requirement.ref for line in lines] == [
        "A.5", "A.5.1", "A.5.2", "A.5.3", "A.6.1", "A.7.1", "A.8.1"]
    assert [[c.code for c in line.controls] for line in lines][1:3] == [["C-POL"],
                                                                        ["C-ROLE"]]
    text = response.content.decode()
    assert POLICIES_JA in text and EXCLUSION_JA in text


def test_soa_of_an_unknown_framework_is_404(org):
    assert org.client("staff").get(
        reverse("controls:framework_soa", args=[999999])).status_code == 404


def test_soa_as_xlsx(org, framework):
    from openpyxl import load_workbook

    response = org.client("staff").get(soa_url(framework, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="soa-soa-test-' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell if cell is not None else "" for cell in row]
            for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == [str(framework), "2022"]
    body = {row[0]: row for row in rows[2:]}
    assert list(body) == ["A.5", "A.5.1", "A.5.2", "A.5.3", "A.6.1", "A.7.1", "A.8.1"]
    with translation.override("ja"):
        applicable, excluded, undecided = (soa.decision_label(v) for v in (True, False, None))
    assert body["A.5"][3] == ""  # a group heading has no decision
    assert body["A.5.1"][1] == POLICIES_JA and body["A.5.1"][3] == applicable
    assert body["A.6.1"][3:5] == [excluded, EXCLUSION_JA]
    assert body["A.7.1"][3] == undecided
    assert body["A.5.1"][5].startswith("C-POL 情報セキュリティ方針の策定")
    assert body["A.8.1"][5].splitlines()[1].startswith("C-ROLE 役割と責任の割当て")
    assert body["A.5.3"][5] == ""


def font_files(reader) -> set[str]:
    """The embedded font-file keys (/FontFile, /FontFile2, /FontFile3) of every font used."""
    found = set()

    def descriptors(font):
        font = font.get_object()
        if "/FontDescriptor" in font:
            yield font["/FontDescriptor"].get_object()
        for descendant in font.get("/DescendantFonts", []):
            yield from descriptors(descendant)

    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
        for font in fonts.values():
            for descriptor in descriptors(font):
                found |= {k for k in ("/FontFile", "/FontFile2", "/FontFile3")
                          if k in descriptor}
    return found


@pytest.mark.slow  # WeasyPrint lays out the page with the CJK font: a few seconds
def test_soa_as_pdf_with_japanese_text_and_an_embedded_font(org, framework):
    from pypdf import PdfReader

    response = org.client("staff").get(soa_url(framework, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert POLICIES_JA in text
    assert "A.8.1" in text and "C-ROLE" in text
    assert font_files(reader) & {"/FontFile2", "/FontFile3"}




def test_soa_xlsx_keeps_formula_text_as_text(org, framework):
    from mamori.core.testing import formula_free_workbook

    hyperlink = '=HYPERLINK("http://x","y")'
    framework.requirements.filter(ref="A.6.1").update(justification=hyperlink)
    framework.requirements.filter(ref="A.5.2").update(title_ja="-2+3", title_en="-2+3")
    response = org.client("staff").get(soa_url(framework, "xlsx"))
    sheet = formula_free_workbook(response.content).active
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=3)}
    assert rows["A.6.1"][4].value == hyperlink and rows["A.6.1"][4].quotePrefix
    assert rows["A.5.2"][1].value == "-2+3" and rows["A.5.2"][1].quotePrefix
