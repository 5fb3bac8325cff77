"""Keeping exported text from becoming a live spreadsheet formula (CSV/formula injection).

Excel and LibreOffice read a cell that begins with `=`, `+`, `-` or `@` (also after a tab or a
carriage return) as a formula: an incident titled `=HYPERLINK("http://evil","click")` would
become a live link in the CISO's export, `=cmd|' /C calc'!A0` a DDE call. Every CSV and XLSX
file Mamori writes goes through this module.

- **CSV** (OWASP's rule): a text that begins with one of those characters gets a single quote in
  front, which makes the spreadsheet show it as text (the quote stays visible; CSV has no other
  way to say "text"). Every field is also quoted (`csv.QUOTE_ALL`), so a comma, quote or line
  break in a value cannot start a new cell.
- **XLSX** has cell types, so the text is kept as it is: it is stored as a string cell
  (openpyxl would otherwise store a text beginning with `=` as a formula, and `#N/A` as an
  error) and marked with Excel's `quotePrefix` style, which also keeps it text when someone
  edits the cell.
- **Import** takes away exactly the quote export added: one quote before one of those
  characters or before another quote, in CSV and XLSX alike (a CSV opened in Excel and saved as
  XLSX keeps the quote as text). A text that really begins with such a quote is given one more
  on export, so every value survives the round trip. The value itself is stored as it was
  typed: neutralising is the job of the output, where the spreadsheet is.

Numbers are not text: a negative number stays a number (a numeric XLSX cell, a bare `-2` in
CSV, which no spreadsheet reads as a formula).
"""

QUOTE = "'"

# OWASP's list, plus, as a precaution, the full-width forms a Japanese input method types (Excel
# may convert a full-width ＝ entered into a cell into a formula); the round trip gives them back.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_AFTER_ADDED_QUOTE = (*FORMULA_STARTS, QUOTE)


def could_be_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def looks_quoted(text: str) -> bool:
    """Whether import would take a quote off the front of `text`."""
    return text.startswith(QUOTE) and text[1:].startswith(_AFTER_ADDED_QUOTE)


def quote(text: str) -> str:
    """The CSV form of a text: quoted when it could be a formula, and when it already looks
    quoted (so that `unquote` gives the original back)."""
    if could_be_formula(text) or looks_quoted(text):
        return QUOTE + text
    return text


def unquote(text: str) -> str:
    """An imported text without the quote an export put in front of it."""
    return text[1:] if looks_quoted(text) else text


def csv_field(value):
    return quote(value) if isinstance(value, str) else value


def keep_text_as_text(book) -> None:
    """Make every text cell of an openpyxl workbook a string cell that stays text in Excel.

    Called on every workbook Mamori sends, whoever built it, so a new export cannot forget."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                text = cell.value
                if looks_quoted(text):
                    cell.value = QUOTE + text
                # Assigning a str lets openpyxl decide its type ("f" formula, "e" error);
                # the type is set after the value, which is what makes it stick.
                cell.data_type = "s"
                if could_be_formula(text):
                    cell.quotePrefix = True
