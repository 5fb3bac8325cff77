"""Table workbooks (core.tablebook): each table on its sheet with bold frozen headers, its
notes after a blank line, and every value of the type it is: dates as dates, numbers as
numbers, text as text (formula-looking text is checked in test_formulas)."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from mamori.core.io import MAX_COLUMN_WIDTH
from mamori.core.tablebook import TableBook


def read(book):
    response = book.attachment("tables")
    assert response["Content-Disposition"] == 'attachment; filename="tables.xlsx"'
    return load_workbook(io.BytesIO(response.content))


def test_each_table_on_its_sheet_with_its_notes():
    book = TableBook()
    book.add_table("義務[一覧]", ["コード", "件数"], [["A-1", 3], ["A-2", 4]],
                   notes=[["作成日時", "2026-12-07 10:00"]])
    book.add_table("Summary", ["total"], [[7]])
    workbook = read(book)
    assert workbook.sheetnames == ["義務 一覧", "Summary"]  # Excel's forbidden [ ] replaced
    first = workbook.worksheets[0]
    assert list(first.values) == [("コード", "件数"), ("A-1", 3), ("A-2", 4), (None, None),
                                  ("作成日時", "2026-12-07 10:00")]
    assert first["A1"].font.bold and first.freeze_panes == "A2"
    assert list(workbook.worksheets[1].values) == [("total",), (7,)]


def test_values_keep_their_types(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    aware = datetime.datetime(2026, 12, 7, 1, 30, tzinfo=ZoneInfo("UTC"))
    book = TableBook()
    book.add_table("t", ["a", "b", "c", "d", "e", "f", "g", "h"], [[
        datetime.date(2026, 4, 1), aware, Decimal("1.5"), True, None, "行1\n行2",
        "制御\x07文字", ""]])
    cells = read(book).active[2]
    assert cells[0].value == datetime.datetime(2026, 4, 1) and cells[0].is_date
    assert cells[1].value == datetime.datetime(2026, 12, 7, 10, 30)  # the local time
    assert cells[2].value == 1.5 and cells[2].data_type == "n"
    assert cells[3].value is True
    assert cells[4].value is None
    assert cells[5].value == "行1\n行2" and cells[5].alignment.wrap_text
    assert cells[6].value == "制御\ufffd文字"
    assert cells[7].value is None  # an empty text is an empty cell


def test_columns_are_as_wide_as_their_text_within_a_limit():
    book = TableBook()
    book.add_table("t", ["short", "long"], [["x", "y" * 200]])
    sheet = read(book).active
    assert sheet.column_dimensions["A"].width < 10
    assert 0 < sheet.column_dimensions["B"].width <= MAX_COLUMN_WIDTH + 1


def test_a_text_longer_than_excels_cell_limit_is_written_whole():
    """An export edited and imported again must not cut a long text (a course's body)."""
    text = "あ" * 40_000
    book = TableBook()
    book.add_table("t", ["body"], [[text]])
    assert read(book).active["A2"].value == text


def test_a_day_before_excels_calendar_is_written_as_its_iso_text():
    """Excel's day numbers start in 1900 (and count 1900 as a leap year): an earlier day
    written as a number comes back a day early, so it is written as text the import reads."""
    days = [datetime.date(1896, 4, 27), datetime.date(1900, 2, 28), datetime.date(1900, 3, 1)]
    book = TableBook()
    book.add_table("t", ["day", "moment"],
                   [[day, datetime.datetime.combine(day, datetime.time(9, 30))] for day in days])
    rows = list(read(book).active.values)[1:]
    assert rows == [
        ("1896-04-27", "1896-04-27 09:30:00"), ("1900-02-28", "1900-02-28 09:30:00"),
        (datetime.datetime(1900, 3, 1), datetime.datetime(1900, 3, 1, 9, 30))]
