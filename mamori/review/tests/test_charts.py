"""The charts of the review app (review.charts and its three templates): coordinates laid out
in Python, drawn as SVG without script or style attributes, gaps where a value is missing,
and the same SVG drawn into a PDF."""

import datetime
import io
import re
from decimal import Decimal

from django.template.loader import render_to_string

from mamori.review import charts

D = Decimal


def months(values, year=2025):
    return [(datetime.date(year, i + 1, 1), None if v is None else D(v))
            for i, v in enumerate(values)]


def coordinates(d: str) -> list[tuple[str, float, float]]:
    return [(cmd, float(x), float(y))
            for cmd, x, y in re.findall(r"([ML])([-\d.]+) ([-\d.]+)", d)]


def test_a_line_runs_left_to_right_and_up_with_the_value():
    chart = charts.line_chart(months([10, 20, 30, 40]), width=640, height=200)
    (path,) = chart["paths"]
    points = coordinates(path["d"])
    assert [cmd for cmd, _x, _y in points] == ["M", "L", "L", "L"]
    xs = [x for _c, x, _y in points]
    ys = [y for _c, _x, y in points]
    assert xs == sorted(xs) and xs[0] == charts.LEFT and xs[-1] == 640 - charts.RIGHT
    assert ys == sorted(ys, reverse=True)  # SVG's y grows downwards: higher value, smaller y
    assert all(charts.TOP <= y <= 200 - charts.BOTTOM for y in ys)
    # The axis starts at zero for values all above it and near it; 40 sits at its top.
    assert chart["y_labels"][0][1] == "0" and chart["y_labels"][-1][1] == "40"
    assert ys[-1] == charts.TOP
    assert [text for _x, text in chart["x_labels"]] == ["2025-01", "2025-02", "2025-03",
                                                        "2025-04"]
    assert [p["text"] for p in chart["points"]] == ["10", "20", "30", "40"]


def test_x_is_proportional_to_the_date():
    series = [(datetime.date(2025, 1, 1), D(1)), (datetime.date(2025, 2, 1), D(2)),
              (datetime.date(2025, 12, 1), D(3))]
    xs = [x for _c, x, _y in coordinates(charts.line_chart(series)["paths"][0]["d"])]
    assert (xs[1] - xs[0]) < (xs[2] - xs[1]) / 5


def test_a_missing_value_leaves_a_gap():
    chart = charts.line_chart(months([10, None, 30, 40, None, None, 70]))
    commands = [cmd for cmd, _x, _y in coordinates(chart["paths"][0]["d"])]
    # Three runs: 10 alone, 30-40, 70 alone; no line crosses a missing month.
    assert commands == ["M", "M", "L", "M"]
    assert len(chart["points"]) == 4  # a lone value still shows as a dot


def test_the_target_and_other_series_share_the_axis():
    chart = charts.line_chart(months([90, 95]), target=D("99.5"),
                              extra_series=[("営業部", months([80, None]))])
    assert [p["label"] for p in chart["paths"]] == ["", "営業部"]
    assert chart["paths"][0]["colour"] != chart["paths"][1]["colour"]
    assert chart["target"] == "99.5"
    assert float(chart["target_y"]) < min(y for _c, _x, y in coordinates(
        chart["paths"][0]["d"]))
    assert float(chart["y_labels"][-1][1]) >= 99.5
    assert float(chart["y_labels"][0][1]) <= 80


def test_nothing_to_draw():
    assert charts.line_chart([])["empty"]
    assert charts.line_chart(months([None, None]))["empty"]
    chart = charts.line_chart(months([5]))  # one value, one date: a dot in the middle
    assert not chart["empty"] and chart["points"][0]["text"] == "5"
    assert charts.sparkline(months([None]))["d"] == ""


def test_sparkline_marks_the_last_value_against_the_target():
    spark = charts.sparkline(months([70, 80, None, 90]), target=D(85))
    assert spark["meets"] is True and spark["last"] == "90"
    assert spark["d"].count("M") == 2
    assert float(spark["last_x"]) == 120 - 3
    lower = charts.sparkline(months([3, 2, 4]), target=D(3), direction="lower")
    assert lower["meets"] is False and lower["last"] == "4"
    assert charts.sparkline(months([3, 2]))["meets"] is None


def test_heat_map_colours_low_red_and_high_green():
    rows, columns = ["第1条", "Article 5"], ["2025-01", "2025-02"]
    heat = charts.heat_map(rows, columns, {("第1条", "2025-01"): D(0),
                                           ("第1条", "2025-02"): D(100),
                                           ("Article 5", "2025-01"): D("50.4")})
    first, second = heat["rows"]
    assert [c["fill"] for c in first["cells"]] == [charts.colour_of(0), charts.colour_of(1)]
    assert first["cells"][0]["fill"] == "#d63939" and first["cells"][1]["fill"] == "#2fb344"
    assert second["cells"][0]["text"] == "50"
    assert second["cells"][1] == {**second["cells"][1], "fill": charts.EMPTY, "text": "–"}
    assert [c["text"] for c in heat["columns"]] == columns
    reversed_scale = charts.heat_map(["x"], ["a"], {("x", "a"): D(0)}, low_is_bad=False)
    assert reversed_scale["rows"][0]["cells"][0]["fill"] == "#2fb344"


def test_heat_map_cuts_long_labels_by_display_width():
    long = "情報セキュリティ基本方針の周知と教育に関する条項の全体"
    heat = charts.heat_map([long], ["a"], {})
    assert heat["rows"][0]["label"].endswith("…")
    assert heat["rows"][0]["title"] == long


def render(name, **context):
    return render_to_string(f"review/{name}.html", context)


def test_templates_draw_svg_without_script_or_style_attributes():
    chart = charts.line_chart(months(["1.5", None, "3"]), target=D(2),
                              extra_series=[("IT", months([1, 2, 2]))])
    html = (render("_line_chart", chart=chart, unit="%")
            + render("_sparkline", spark=charts.sparkline(months([1, 2]), target=D(1)))
            + render("_heat_map", heat=charts.heat_map(["a"], ["b"], {("a", "b"): D(7)})))
    assert html.count("<svg") >= 3
    assert "<script" not in html and "style=" not in html
    assert 'data-testid="line-chart-target"' in html and 'data-meets="true"' in html
    assert 'd="M' in html and ">7</text>" in html


def test_templates_say_when_there_is_nothing_to_draw():
    assert 'data-testid="line-chart-empty"' in render("_line_chart",
                                                      chart=charts.line_chart([]))
    assert 'data-testid="heat-map-empty"' in render("_heat_map",
                                                    heat=charts.heat_map([], [], {}))


def test_the_charts_draw_into_a_pdf():
    from pypdf import PdfReader
    from weasyprint import HTML

    body = (render("_line_chart", chart=charts.line_chart(months([10, 20, None, 40]),
                                                            target=D(30)))
            + render("_heat_map", heat=charts.heat_map(["第5条"], ["2025-01"],
                                                       {("第5条", "2025-01"): D(80)})))
    pdf = HTML(string=f"<html><body>{body}</body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "2025-01" in text and "80" in text and "第5条" in text
