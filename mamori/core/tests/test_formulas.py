"""Exported text never becomes a live spreadsheet formula, and import gives it back exactly.

Every model's list export is checked by the ScopedModelTests mixin
(`test_export_keeps_formula_text_as_text_and_import_gives_it_back`); the hand-built workbooks
(Statement of Applicability, regulatory reports) and the overdue list are checked in their apps.
"""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from mamori.core import io as mio
from mamori.core.formulas import could_be_formula, csv_field, quote, unquote
from mamori.core.tablebook import TableBook
from mamori.core.testing import FORMULA_TEXTS
from mamori.org.forms import DepartmentForm
from mamori.org.models import Department
from mamori.org.tables import DepartmentResource

ORDINARY = ["", "abc", "'", "''", "'abc", "a=b", "2024-04-01", "営業部", "-", "@"]


@pytest.mark.parametrize("text", [*FORMULA_TEXTS, *ORDINARY])
def test_import_takes_away_exactly_the_quote_export_adds(text):
    assert unquote(quote(text)) == text
    assert not could_be_formula(quote(text))


def test_only_text_that_could_be_a_formula_is_quoted():
    assert quote("=1+1") == "'=1+1"
    assert quote("-2+3") == "'-2+3"
    assert quote("\t=1") == "'\t=1"
    assert quote("\r=1") == "'\r=1"
    assert quote("abc") == "abc"
    assert quote("'abc") == "'abc"  # a quote before ordinary text is left alone...
    assert quote("'=x") == "''=x"  # ...but one import would take away is doubled


def test_a_hand_made_file_keeps_a_quote_before_ordinary_text():
    assert unquote("'abc") == "'abc"
    assert unquote("'=x") == "=x"  # how a spreadsheet user writes "=x" as text


def test_numbers_stay_numbers():
    assert csv_field(-2) == -2
    assert csv_field(Decimal("-1.5")) == Decimal("-1.5")
    assert csv_field("-2") == "'-2"  # text that looks like a number is text


def test_csv_quotes_every_field():
    text = mio.csv_text(["a", "b"], [["x,y", -2]])
    assert text.splitlines() == ['"a","b"', '"x,y","-2"']


def test_workbook_text_is_a_string_cell_and_numbers_stay_numeric():
    book = TableBook()
    book.add_table("x", ["text", "number"], [["-2", -2], ["=1+1", 3], ["#N/A", 0],
                                             ["'=x", 1], ["＝全角", 2]])
    sheet = load_workbook(io.BytesIO(book.attachment("x").content)).active
    assert [(c.value, c.data_type, c.quotePrefix) for c in sheet["A"][1:]] == [
        ("-2", "s", True), ("=1+1", "s", True), ("#N/A", "s", False),
        ("''=x", "s", False), ("＝全角", "s", True)]
    assert [unquote(c.value) for c in sheet["A"][1:]] == ["-2", "=1+1", "#N/A", "'=x", "＝全角"]
    assert [(c.value, c.data_type) for c in sheet["B"][1:]] == [
        (-2, "n"), (3, "n"), (0, "n"), (1, "n"), (2, "n")]


def test_every_workbook_sent_is_neutralised_whoever_built_it():
    book = Workbook()
    book.active.append(['=HYPERLINK("http://x","y")', "@SUM(A1)"])
    book.create_sheet("second").append(["+1"])
    assert book.active["A1"].data_type == "f"  # what openpyxl does on its own
    content = mio.xlsx_attachment(book, "report").content
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type == "s" and cell.quotePrefix


@pytest.fixture
def departments(org):
    """One department per formula text, each in both names."""
    return {Department.objects.create(code=f"F{i:02}", name_ja=text, name_en=text,
                                      parent=org.company).code: text
            for i, text in enumerate([*FORMULA_TEXTS, "'abc", "''"])}


def list_export(org, fmt):
    return org.client("admin").get(reverse("org:department_list") + f"?export={fmt}")


def reimport(org, filename, content):
    Department.objects.filter(code__startswith="F").update(name_ja="changed", name_en="changed")
    upload = SimpleUploadedFile(filename, content)
    response = org.client("admin").post(reverse("org:department_import"), {"file": upload})
    assert response.status_code == 302, [str(e) for e in response.context["result"].errors]
    return dict(Department.objects.filter(code__startswith="F").values_list("code", "name_ja"))


def test_department_list_csv_round_trip(org, departments):
    content = list_export(org, "csv").content
    rows = {r[0]: r for r in csv.reader(io.StringIO(content.decode("utf-8-sig")))}
    for code, text in departments.items():
        assert rows[code][1] == rows[code][2] == quote(text)
    expected = {code: text.strip() for code, text in departments.items()}  # forms trim
    assert reimport(org, "departments.csv", content) == expected


def test_department_list_xlsx_round_trip(org, departments):
    content = list_export(org, "xlsx").content
    sheet = load_workbook(io.BytesIO(content)).active
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in departments:
            text = departments[row[0].value]
            assert row[1].data_type == "s" and row[1].quotePrefix == could_be_formula(text)
            assert row[1].value == (quote(text) if text.startswith("'") else text)
    expected = {code: text.strip() for code, text in departments.items()}
    assert reimport(org, "departments.xlsx", content) == expected


def test_import_stores_formula_text_as_typed(org):
    """Neutralising is the export's job: the text itself is kept (an incident may really be
    titled "-" something, a phone number begins with "+")."""
    resource = DepartmentResource()
    data = mio.read_dataset(SimpleUploadedFile(
        "d.csv", b"code,name_ja,parent\nF1,=1+1,D000\nF2,'+81 3,D000\nF3,'abc,D000\n"))
    result = mio.import_dataset(resource, DepartmentForm, data, org.users["admin"])
    assert result.ok, [str(e) for e in result.errors]
    assert dict(Department.objects.filter(code__in=["F1", "F2", "F3"]).values_list(
        "code", "name_ja")) == {"F1": "=1+1", "F2": "+81 3", "F3": "'abc"}

