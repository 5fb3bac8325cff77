"""Workbooks of plain tables (a report's registers, a coverage grid), written with XlsxWriter.

openpyxl builds every cell as an object and serialises it in Python: 10,000 obligations of 17
columns took 2.4 s to write, over the compliance report's goal on its own. XlsxWriter streams
the same sheet in about 1 s. Styled workbooks (the incident, audit and SoA reports) are still
built with openpyxl and sent through core.io.xlsx_attachment; imports read with openpyxl.

The cells keep what core.formulas promises for every file Mamori sends: text is always a
string cell (`write_string`: never a formula, never an error value such as `#N/A`), a text a
spreadsheet would read as a formula carries Excel's quote-prefix style, and one that import
would take a quote off is given one more. Dates are dates, numbers numbers."""

import datetime
import io
from decimal import Decimal

import xlsxwriter
from django.utils import timezone

from mamori.core.formulas import QUOTE, could_be_formula, looks_quoted
from mamori.core.io import MAX_COLUMN_WIDTH, XLSX, attachment, sheet_title
from mamori.core.plaintext import without_control_characters

# The formats a cell may need: header, plain, and text wrapped (a line break) and/or
# quote-prefixed (a formula-like text), for text; dates and times for the others.
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# Excel's day numbers count 1900 as a leap year and have nothing before it: a day before 1 March
# 1900 written as a date is read back a day early (a law of 1896, say), so it is written as
# ISO text, which import reads as the same date.
FIRST_EXACT_DAY = datetime.date(1900, 3, 1)
LONGEST_TEXT = 10_000_000  # characters in one cell: no limit a stored text reaches


class TableBook:
    """One sheet per table: bold headers (frozen), the rows, then any notes after a blank
    line; columns as wide as their text (up to core.io.MAX_COLUMN_WIDTH)."""

    def __init__(self):
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {
            "in_memory": True,
            # Text is written as text: none of XlsxWriter's guesses from a string's look.
            "strings_to_formulas": False, "strings_to_numbers": False,
            "strings_to_urls": False})
        self.header = self.book.add_format({"bold": True})
        self.date = self.book.add_format({"num_format": DATE_FORMAT})
        self.datetime = self.book.add_format({"num_format": DATETIME_FORMAT})
        self.text_formats = {
            (wrap, quoted): self.book.add_format({"text_wrap": wrap, "quote_prefix": quoted})
            for wrap in (False, True) for quoted in (False, True) if wrap or quoted}

    def add_table(self, title, headers, rows, notes=()):
        sheet = self.book.add_worksheet(sheet_title(title))
        # XlsxWriter cuts a text at Excel's 32,767 characters; a course's text may be longer,
        # and an export edited and imported again would then cut it in the database. The
        # whole text is written, as openpyxl did (Excel shows the first 32,767). A test fails
        # if XlsxWriter stops honouring this (the version is pinned in pyproject.toml).
        sheet.xls_strmax = LONGEST_TEXT
        widths = [len(str(h)) for h in headers]
        for column, heading in enumerate(headers):
            sheet.write_string(0, column, str(heading), self.header)
        sheet.freeze_panes(1, 0)
        line = 1
        for row in rows:
            self.write_row(sheet, line, row, widths)
            line += 1
        if notes:
            line += 1  # a blank line between the table and its notes
            for note in notes:
                self.write_row(sheet, line, note, None)
                line += 1
        for column, width in enumerate(widths):
            sheet.set_column(column, column, min(width + 2, MAX_COLUMN_WIDTH))
        return sheet

    def write_row(self, sheet, line, row, widths):
        for column, value in enumerate(row):
            text = self.write_cell(sheet, line, column, value)
            if widths is not None and column < len(widths):
                widths[column] = max(widths[column], len(text))

    def write_cell(self, sheet, line, column, value) -> str:
        """Writes `value`; returns the text its column's width is measured by."""
        # Text first, by exact type: most cells are text, and a register of 10,000 rows has
        # 170,000 of them (isinstance chains cost a fifth of the write).
        if type(value) is not str:
            if value is None:
                return ""
            if isinstance(value, bool):
                sheet.write_boolean(line, column, value)
                return str(value)
            if isinstance(value, int | float | Decimal):
                sheet.write_number(line, column, value)
                return str(value)
            if isinstance(value, datetime.datetime):
                if timezone.is_aware(value):  # Excel has no time zones: the local time
                    value = timezone.localtime(value).replace(tzinfo=None)
                if value.date() < FIRST_EXACT_DAY:
                    value = value.isoformat(sep=" ")  # as text: see FIRST_EXACT_DAY
                else:
                    sheet.write_datetime(line, column, value, self.datetime)
                    return DATETIME_FORMAT
            elif isinstance(value, datetime.date):
                if value < FIRST_EXACT_DAY:
                    value = value.isoformat()
                else:
                    sheet.write_datetime(line, column, value, self.date)
                    return DATE_FORMAT
            value = str(value)  # a lazy translation, a name, an early date's text
        if not value:  # an empty cell, as openpyxl left it
            return ""
        # Rows stored before control characters were refused (core.plaintext) are written
        # with a visible replacement: the format cannot hold them.
        text = without_control_characters(value)
        if looks_quoted(text):
            text = QUOTE + text
        style = self.text_formats.get(("\n" in text, could_be_formula(text)))
        sheet.write_string(line, column, text, style)
        return text

    def attachment(self, filename: str):
        """The workbook as a download named `filename` (without the extension)."""
        self.book.close()
        return attachment(self.buffer.getvalue(), XLSX, f"{filename}.xlsx")
