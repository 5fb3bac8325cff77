"""A contractor screening in a real browser (Playwright + Debian's chromium), once in Japanese
and once in English.

The CISO opens a screening from the contractor's page and issues a portal link; the
contractor, with no account, answers through the link and sends a certificate with its file;
the CISO reads the comparison (our level beside theirs, the gap marked, the chart drawn),
assesses it and accepts the gap with a condition and an expiry, after which the verdict reads
"gaps accepted" and nobody is offered to change the answers. No page may trip the Content
Security Policy, throw a JavaScript error or fail to load.

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py and the page
helpers of the risk and incident flows.
"""

import datetime
import re

import pytest
from django.utils import timezone

from mamori.contractors.models import Certificate, Screening, ScreeningRequirement, Tier
from mamori.contractors.tests.test_contractor_models import make_contractor
from mamori.controls.models import Evidence
from mamori.controls.tests.test_control_models import make_control
from mamori.core.models import ChangeLogEntry
from mamori.core.tests import test_browser as ui
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.risks.tests import test_browser_risk_flow as flow

expect = ui.expect
pytestmark = ui.pytestmark

live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page

OTHER_LOCALE = flow.OTHER_LOCALE
fill, problems, text_in = flow.fill, flow.problems, flow.text_in
open_in, log_in_with_totp = incident_flow.open_in, incident_flow.log_in_with_totp
CONDITION = "四半期ごとにアクセス権の棚卸結果を提出させる"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_contractor_is_screened_through_the_portal(lang, live_server, live_org, make_page,
                                                     log, tmp_path):
    base = live_server.url
    # Two questions: access control, where we are strong (an implemented control with
    # evidence), and staff training, where our own control is only partly in place.
    ScreeningRequirement.objects.exclude(code__in=("access-control", "staff")).update(
        min_tier=Tier.HIGH + 1)
    strong = make_control(live_org.it, "C-ACCESS", status="implemented")
    Evidence.objects.create(control=strong, kind="note", title="棚卸記録", note="確認済み",
                            collected_on=datetime.date(2026, 1, 10))
    ScreeningRequirement.objects.get(code="access-control").controls.set([strong])
    ScreeningRequirement.objects.get(code="staff").controls.set(
        [make_control(live_org.it, "C-TRAIN", status="partial")])
    contractor = make_contractor(live_org.sales, "K-CARD", personal_data=True, card_data=True,
                                 status="active")

    # 1. The CISO opens a screening from the contractor's page and issues a link.
    ciso = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso, base, lang, contractor.get_absolute_url())
    ciso.get_by_test_id("screen").click()
    due = timezone.localdate() + datetime.timedelta(days=14)
    fill(ciso, {"due_on": due.isoformat(), "note": "選定時の評価"})
    ciso.get_by_test_id("save").click()
    expect(ciso).to_have_url(re.compile(r"/contractors/screenings/\d+/$"))
    screening = Screening.objects.get(contractor=contractor)
    assert screening.tier == Tier.HIGH and screening.answers.count() == 2
    ciso.get_by_test_id("issue-link").click()
    portal_url = ciso.get_by_test_id("portal-url").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(base)}/portal/[A-Za-z0-9_-]{{43}}/", portal_url)
    ui.screenshot(ciso, tmp_path / f"link-{lang}.png")

    # 2. The contractor answers through the link, with no account.
    vendor = make_page(OTHER_LOCALE[lang])
    vendor.goto(portal_url)
    expect(vendor.locator("html")).to_have_attribute("lang", "en" if lang == "ja" else "ja")
    ui.switch_language(vendor, lang)
    expect(vendor).to_have_url(portal_url)
    levels = {"access-control": "2", "staff": "3"}
    for code, level in levels.items():
        fieldset = vendor.locator(f"fieldset[data-requirement={code}]")
        fieldset.locator("select").select_option(level)
        fieldset.locator("textarea").fill(f"{code}: 社内規程と記録で対応")
    vendor.get_by_test_id("portal-save").click()
    expect(vendor.get_by_test_id("portal-saved")).to_have_text(
        text_in(lang, "Your answers were saved. Thank you."))
    # ... and sends its ISMS certificate with the file.
    scan = tmp_path / "isms-certificate.pdf"
    scan.write_bytes(b"%PDF-1.4\n% certificate scan\n")
    vendor.locator("select[name=certificate-kind]").select_option("iso27001")
    vendor.locator("input[name=certificate-number]").fill("IS 765432")
    vendor.locator("input[name=certificate-expires_on]").fill(
        (timezone.localdate() + datetime.timedelta(days=600)).isoformat())
    vendor.locator("input[name=certificate-file]").set_input_files(str(scan))
    vendor.get_by_test_id("portal-upload").click()
    expect(vendor.get_by_test_id("portal-uploaded")).to_have_text(
        text_in(lang, "The certificate was received. Thank you."))
    expect(vendor.get_by_test_id("sent-certificate")).to_contain_text("isms-certificate.pdf")
    ui.screenshot(vendor, tmp_path / f"portal-{lang}.png")
    certificate = Certificate.objects.get(contractor=contractor)
    assert certificate.submitted_through is not None and not certificate.relied_on
    assert certificate.file_size == scan.stat().st_size
    screening.refresh_from_db()
    assert screening.status == Screening.Status.ANSWERED
    sources = set(ChangeLogEntry.objects.filter(model="contractors.screeninganswer",
                                                action="update").values_list("source",
                                                                              flat=True))
    assert sources == {"portal"}

    # 3. The CISO reads the comparison, assesses it and accepts the gap.
    ciso.goto(f"{base}{screening.get_absolute_url()}")
    comparison = ciso.get_by_test_id("comparison")
    expect(comparison.locator("tr[data-requirement=access-control]")).to_have_attribute(
        "data-gap", "1")
    expect(comparison.locator("tr[data-requirement=staff][data-gap]")).to_have_count(0)
    expect(ciso.get_by_test_id("comparison-chart")).to_be_visible()
    ciso.get_by_test_id("assess").click()
    expect(ciso.get_by_test_id("verdict")).to_contain_text(text_in(lang, "Not acceptable"))
    ciso.get_by_test_id("accept-access-control").click()
    until = timezone.localdate() + datetime.timedelta(days=90)
    fill(ciso, {"condition": CONDITION, "expires_on": until.isoformat()})
    ciso.get_by_test_id("save").click()
    expect(ciso).to_have_url(re.compile(rf"{re.escape(screening.get_absolute_url())}$"))
    expect(ciso.get_by_test_id("verdict")).to_contain_text(text_in(lang, "Gaps accepted"))
    expect(ciso.get_by_test_id("comparison")).to_contain_text(CONDITION)
    for button in ("assess", "issue-link", "answer-staff", "accept-access-control"):
        expect(ciso.get_by_test_id(button)).to_have_count(0)
    ui.screenshot(ciso, tmp_path / f"comparison-{lang}.png")
    screening.refresh_from_db()
    assert screening.verdict == Screening.Verdict.GAPS_ACCEPTED
    assert screening.verdict_until == until
    assert problems(log) == []

    # 4. The assessed screening takes no more answers through the link.
    vendor.reload()
    expect(vendor.get_by_test_id("portal-save")).to_have_count(0)
