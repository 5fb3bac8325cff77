"""The comparison's bar chart, laid out here for the SVG the page and the PDF draw (no script
on the page, so the strict Content-Security-Policy holds)."""

from mamori.contractors.comparison import Comparison
from mamori.contractors.levels import Level

BAR_LEFT, BAR_SPAN, ROW_HEIGHT, TOP = 250, 360, 26, 20


def chart_context(comparison: Comparison) -> dict:
    bars = []
    for index, line in enumerate(comparison.lines):
        ours = BAR_SPAN * line.ours // Level.EVIDENCED
        theirs = BAR_SPAN * (line.theirs or 0) // Level.EVIDENCED
        bars.append({"y": TOP + index * ROW_HEIGHT, "label": line.answer.requirement.title,
                     "ours_width": max(ours, 1), "theirs_width": max(theirs, 1),
                     "gap": bool(line.gap), "mark_x": BAR_LEFT + theirs + 4})
    return {"chart": bars, "chart_height": TOP + len(bars) * ROW_HEIGHT + 4}
