"""Charts laid out in Python and drawn by templates as SVG (review/_line_chart.html,
review/_sparkline.html, review/_heat_map.html): a trend line, a sparkline and a heat map.

No script runs on the page and no style attribute is written, so the strict
Content-Security-Policy holds; colours are SVG presentation attributes, which the page and
WeasyPrint's PDF both draw (as continuity/_rto_chart.html does). Numbers come in as Decimals
(or None: no value, which leaves a gap in a line) and go out as short strings, so a template
writes them unlocalised and unchanged.
"""

import datetime
import math
from decimal import Decimal

from mamori.core.numbers import plain_text as plain
from mamori.core.text import display_width

# Colours of the app's theme (Tabler): the first series blue, then the others.
COLOURS = ("#206bc4", "#f76707", "#2fb344", "#ae3ec9", "#17a2b8", "#d63939")
TARGET_COLOUR = "#d63939"
GRID_COLOUR = "#e6e7e9"
TEXT_COLOUR = "#667382"
GOOD, MIDDLE, BAD, EMPTY = (47, 179, 68), (247, 183, 49), (214, 57, 57), "#f1f3f5"

LEFT, RIGHT, TOP, BOTTOM = 48, 24, 10, 22  # room for the y labels and half an x label
Y_TICKS = 4
X_LABEL_SPACING = 64  # pixels a "2025-04" label needs

Series = list[tuple[datetime.date, Decimal | None]]


def num(value: float) -> str:
    """A coordinate as the SVG reads it: at most one decimal, no exponent."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def nice_step(span: float, ticks: int = Y_TICKS) -> float:
    """A step of 1, 2, 2.5 or 5 times a power of ten that covers `span` in about `ticks`."""
    raw = span / ticks if span > 0 else 1
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw)


def y_axis(values: list[float]) -> tuple[float, float, float]:
    """(low, high, step) of an axis that holds `values`; it starts at zero when the values
    are all positive and not far from it, so a small change does not look like a fall."""
    low, high = min(values), max(values)
    if low >= 0 and low <= high / 2:
        low = 0.0
    if high == low:
        low, high = (low - 1, high + 1) if low else (0.0, 1.0)
    step = nice_step(high - low)
    if step < 1 and all(float(v).is_integer() for v in values):
        step = 1.0  # counts: no quarter steps
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def line_chart(series: Series, *, target=None, width=640, height=200,
               extra_series=()) -> dict:
    """A trend: `series` (and each (label, series) of `extra_series`) as lines over time,
    `target` as a dashed line. x is proportional to the date, so a missing month is as
    wide as the others; a None value breaks the line."""
    every = [("", list(series)), *((label, list(s)) for label, s in extra_series)]
    days = sorted({day for _label, s in every for day, _value in s})
    values = [float(v) for _label, s in every for _day, v in s if v is not None]
    if target is not None and values:  # without a value there is nothing to draw against
        values.append(float(target))
    chart = {"width": width, "height": height, "paths": [], "points": [], "x_labels": [],
             "y_labels": [], "target_y": None, "target": None, "empty": not values,
             "left": LEFT, "right": width - RIGHT, "top": TOP, "bottom": height - BOTTOM}
    if not values:
        return chart
    low, high, step = y_axis(values)
    first, last = days[0].toordinal(), days[-1].toordinal()
    span_x = width - LEFT - RIGHT
    span_y = height - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        if last == first:
            return LEFT + span_x / 2
        return LEFT + span_x * (day.toordinal() - first) / (last - first)

    def y(value) -> float:
        return TOP + span_y * (1 - (float(value) - low) / (high - low))

    for index, (label, points) in enumerate(every):
        colour = COLOURS[index % len(COLOURS)]
        parts, pen_down = [], False
        for day, value in sorted(points, key=lambda point: point[0]):
            if value is None:
                pen_down = False
                continue
            parts.append(f"{'L' if pen_down else 'M'}{num(x(day))} {num(y(value))}")
            pen_down = True
            chart["points"].append({"x": num(x(day)), "y": num(y(value)), "colour": colour,
                                    "series": label, "day": day.isoformat(),
                                    "text": plain(value)})
        chart["paths"].append({"label": label, "d": " ".join(parts), "css": f"series-{index}",
                               "colour": colour})
    if target is not None:
        chart["target_y"] = num(y(target))
        chart["target"] = plain(target)
    steps = round((high - low) / step)
    chart["y_labels"] = [(num(y(low + i * step)), plain(round(Decimal(low + i * step), 2)))
                         for i in range(steps + 1)]
    every_nth = max(1, math.ceil(len(days) / max(1, span_x // X_LABEL_SPACING)))
    chart["x_labels"] = [(num(x(day)), f"{day:%Y-%m}") for day in days[::every_nth]]
    return chart


def sparkline(series: Series, *, target=None, width=120, height=28,
              direction="higher") -> dict:
    """A small line of `series` without axes; the last value marked and read against the
    target (`meets`: None without a target or a value). `direction` is the measure's
    (higher or lower is better)."""
    known = [(day, value) for day, value in series if value is not None]
    spark = {"width": width, "height": height, "d": "", "last_x": None, "last_y": None,
             "meets": None, "last": None, "target_y": None}
    if not known:
        return spark
    values = [float(v) for _day, v in known] + ([float(target)] if target is not None else [])
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    pad = 3  # the last value's dot stays inside the box
    # Evenly spaced by period: a sparkline shows the shape, not the calendar.
    place = {day: index for index, day in enumerate(sorted({day for day, _v in series}))}

    def x(day) -> float:
        if len(place) == 1:
            return width / 2
        return pad + (width - 2 * pad) * place[day] / (len(place) - 1)

    def y(value) -> float:
        return pad + (height - 2 * pad) * (1 - (float(value) - low) / (high - low))

    parts, pen_down = [], False
    for day, value in sorted(series, key=lambda point: point[0]):
        if value is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{num(x(day))} {num(y(value))}")
        pen_down = True
    last_day, last = max(known, key=lambda point: point[0])
    spark.update(d=" ".join(parts), last_x=num(x(last_day)), last_y=num(y(last)),
                 last=plain(last))
    if target is not None:
        spark["target_y"] = num(y(target))
        spark["meets"] = (Decimal(last) >= Decimal(target) if direction == "higher"
                          else Decimal(last) <= Decimal(target))
    return spark


CELL_WIDTH, CELL_HEIGHT, HEAD = 44, 20, 18
LABEL_UNITS = 36  # half-width characters of a row label


def fit(text: str, units: int = LABEL_UNITS) -> str:
    """`text` cut to about `units` half-width characters (a Japanese one takes two)."""
    if display_width(text) <= units:
        return text
    while text and display_width(text) > units - 1:
        text = text[:-1]
    return text.rstrip() + "…"


def blend(a, b, share: float) -> tuple:
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))


def colour_of(share: float) -> str:
    """Red at 0 (bad), amber in the middle, green at 1 (good)."""
    share = min(1.0, max(0.0, share))
    rgb = blend(BAD, MIDDLE, share * 2) if share < 0.5 else blend(MIDDLE, GOOD, share * 2 - 1)
    return "#" + "".join(f"{part:02x}" for part in rgb)


def heat_map(rows: list[str], columns: list[str], cells: dict, *, low_is_bad=True) -> dict:
    """A grid of `rows` x `columns` coloured by each cell's value (`cells[(row, column)]`,
    a Decimal or None for no value). Values between 0 and 100 (percentages) are read on
    that scale; others between their lowest and highest. `low_is_bad`: red is the low end
    (a conformance rate) rather than the high end (a count of findings)."""
    values = [float(v) for v in cells.values() if v is not None]
    low, high = (0.0, 100.0) if all(0 <= v <= 100 for v in values) else (
        min(values), max(values))
    labels = {row: fit(str(row)) for row in rows}
    label_width = min(LABEL_UNITS, max((display_width(t) for t in labels.values()),
                                       default=0)) * 6.5 + 8
    grid = []
    for r, row in enumerate(rows):
        line = {"label": labels[row], "title": str(row), "y": num(HEAD + r * CELL_HEIGHT),
                "text_y": num(HEAD + r * CELL_HEIGHT + CELL_HEIGHT * 0.7), "cells": []}
        for c, column in enumerate(columns):
            value = cells.get((row, column))
            share = None if value is None or high == low else (float(value) - low) / (
                high - low)
            if share is not None and not low_is_bad:
                share = 1 - share
            fill = EMPTY if value is None else colour_of(1.0 if share is None else share)
            line["cells"].append({
                "x": num(label_width + c * CELL_WIDTH),
                "text_x": num(label_width + c * CELL_WIDTH + CELL_WIDTH / 2),
                "fill": fill, "text": "–" if value is None else plain(round(Decimal(value))),
                "dark": share is not None and (share < 0.2 or share > 0.8),
                "title": f"{row} {column}: {'–' if value is None else plain(value)}"})
        grid.append(line)
    return {"width": num(label_width + len(columns) * CELL_WIDTH + 4),
            "height": num(HEAD + len(rows) * CELL_HEIGHT + 4),
            "cell_width": CELL_WIDTH, "cell_height": CELL_HEIGHT - 2,
            "rows": grid, "empty": not rows or not columns,
            "columns": [{"x": num(label_width + c * CELL_WIDTH + CELL_WIDTH / 2),
                         "text": str(column)} for c, column in enumerate(columns)]}
