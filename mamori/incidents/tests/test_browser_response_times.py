"""The response-time table fits a 1280-pixel screen in both languages (issue 16 #18): ten
figures per severity under headers grouped by stage, no sideways scrolling of the page or of
the table, and no figure broken over two lines.

A screenshot of each language is kept in $MAMORI_SCREENSHOTS (or the test's own directory).
Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py."""

import datetime
import os
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from mamori.core.tests import test_browser as ui
from mamori.incidents.models import Incident

expect = ui.expect
pytestmark = ui.pytestmark

live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser


def incidents(org):
    """Incidents of every severity, contained and recovered at different speeds."""
    aware = timezone.now() - datetime.timedelta(days=20)
    for n, severity in enumerate(["low", "medium", "high", "critical"] * 3):
        Incident.objects.create(
            department=org.sales, title=f"事象 {n}", severity=severity, noticed_at=aware,
            aware_at=aware, status="recovered",
            contained_at=aware + datetime.timedelta(hours=3 + 17 * n, minutes=n),
            recovered_at=aware + datetime.timedelta(days=2 + n, hours=n, minutes=7 * n))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_response_time_table_fits_1280_pixels(lang, live_server, live_org, browser,
                                                   tmp_path):
    incidents(live_org)
    context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US",
                                  viewport={"width": 1280, "height": 800})
    context.set_default_timeout(ui.WAIT_MS)
    page = context.new_page()
    try:
        ui.log_in(page, live_server.url, "manager", "x-manager-password-1")
        page.goto(f"{live_server.url}/incidents/response-times/")
        if page.locator("html").get_attribute("lang") != lang:
            ui.switch_language(page, lang)
        table = page.get_by_test_id("response-times")
        expect(table.locator("tbody tr")).to_have_count(4)
        widths = page.evaluate(
            "() => { const box = document.querySelector('[data-testid=response-times]')"
            ".parentElement; return {page: document.documentElement.scrollWidth,"
            " view: document.documentElement.clientWidth, table: box.scrollWidth,"
            " box: box.clientWidth}; }")
        assert widths["page"] <= widths["view"], widths
        assert widths["table"] <= widths["box"], widths
        # Each figure and header word on one line: no cell taller than a line of its row.
        broken = page.evaluate(
            "() => [...document.querySelectorAll('[data-testid=response-times] td')]"
            ".filter(td => td.getClientRects()[0].height > 2.2 * parseFloat("
            "getComputedStyle(td).lineHeight) + 16).map(td => td.textContent.trim())")
        assert broken == [], broken
        shots = Path(os.environ.get("MAMORI_SCREENSHOTS") or tmp_path)
        shots.mkdir(parents=True, exist_ok=True)
        ui.screenshot(page, shots / f"response-times-{lang}.png")
    finally:
        context.close()
        connections.close_all()
