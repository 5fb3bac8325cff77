"""Training coverage in a real browser (Playwright + Debian's chromium), in Japanese and in
English: the CISO sees every department, the information manager of Sales only theirs; a cell
of the heat map opens the people not yet done. No page may trip the Content Security Policy.
Screenshots are saved for a person to look at when MAMORI_SCREENSHOTS names a directory."""

import os
import pathlib
import re

import pytest
from django.urls import reverse

from mamori.core.tests import test_browser as ui
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.org.models import Person
from mamori.risks.tests import test_browser_risk_flow as flow
from mamori.training import assign
from mamori.training.models import Assignment
from mamori.training.tests.coverage_fixtures import add_people, complete, programme

expect = ui.expect
pytestmark = ui.pytestmark

live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page
# Screenshots for a person to look at, when MAMORI_SCREENSHOTS names a directory.
SHOTS = os.environ.get("MAMORI_SCREENSHOTS", "")


def shoot(page, name):
    if SHOTS:
        pathlib.Path(SHOTS).mkdir(parents=True, exist_ok=True)
        ui.screenshot(page, pathlib.Path(SHOTS) / f"{name}.png")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_coverage_as_the_ciso_and_the_manager(lang, live_server, live_org, make_page, log):
    base = live_server.url
    org = live_org
    made = programme("isms-basic")
    programme("joiners", recurrence="joiners", mandatory=True)
    sales = add_people(org, 8, Person.Category.EMPLOYEE, org.sales)
    dispatched = add_people(org, 4, Person.Category.DISPATCHED, org.sales_east, prefix="Y")
    contractors = add_people(org, 3, Person.Category.CONTRACTOR, org.it, prefix="Z")
    assign.sync_programme(made)
    complete(made, *sales[:7], dispatched[0], *contractors, org.people["manager"])
    Assignment.objects.filter(programme=made, person__in=dispatched[1:3]).update(
        due_on="2020-01-01")
    done = Assignment.objects.filter(programme=made, status="completed").count()

    ciso = make_page(flow.OTHER_LOCALE[lang])
    incident_flow.log_in_with_totp(ciso, base, org.users["ciso"], "x-ciso-password-1")
    incident_flow.open_in(ciso, base, lang, reverse("training:coverage"))
    expect(ciso.get_by_test_id("programme-done")).to_have_text(str(done))
    expect(ciso.get_by_test_id("coverage-heatmap")).to_be_visible()
    shoot(ciso, f"coverage-ciso-{lang}")
    ciso.get_by_test_id("coverage-heatmap").locator(
        "tbody tr", has_text=re.compile("東日本営業課|Sales East")).locator("a").first.click()
    expect(ciso).to_have_url(re.compile(r"/training/assignments/\?.*status=open"))
    shoot(ciso, f"coverage-drill-{lang}")
    ciso.goto(f"{base}{made.get_absolute_url()}")
    expect(ciso.get_by_test_id("programme-coverage")).to_be_visible()
    shoot(ciso, f"programme-{lang}")

    manager = make_page(flow.OTHER_LOCALE[lang])
    ui.log_in(manager, base, "manager", "x-manager-password-1")
    incident_flow.open_in(manager, base, lang, reverse("training:coverage"))
    visible = Assignment.objects.restrict(org.users["manager"]).filter(
        programme=made, status="completed").count()
    expect(manager.get_by_test_id("programme-done")).to_have_text(str(visible))
    assert visible < done
    expect(manager.get_by_test_id("coverage-table")).not_to_contain_text(
        re.compile("システム部|IT"))
    shoot(manager, f"coverage-manager-{lang}")
    assert flow.problems(log) == []
