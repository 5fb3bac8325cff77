"""Plain-text tables for commands, aligned for Japanese text in a terminal."""

import unicodedata


def display_width(text: str) -> int:
    """Terminal columns: full-width (e.g. Japanese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def text_table(rows, indent: str = "") -> str:
    """Rows of cells (the first row is the header) as aligned text; the last column unpadded."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [pad(cell, w) for cell, w in zip(row[:-1], widths[:-1], strict=True)]
        lines.append((indent + "  ".join([*cells, row[-1]])).rstrip())
    return "\n".join(lines) + "\n"
