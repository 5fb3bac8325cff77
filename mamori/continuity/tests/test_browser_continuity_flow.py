"""Business continuity in a real browser (Playwright + Debian's chromium), once in Japanese
and once in English.

The information manager records the impact analysis of a process on its grid of scores and
approves it; the process's page and the dependency impact view then show that the system it
runs on recovers slower than its RTO; the CISO accepts that gap until a date, after which it
reads as accepted. No page may trip the Content Security Policy, throw a JavaScript error or
fail to load.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.assets.tests.test_asset_models import make_asset
from mamori.continuity.models import (
    AssetRecovery,
    ContinuitySettings,
    Dependency,
    GapAcceptance,
    ImpactAnalysis,
)
from mamori.continuity.tests.helpers import make_process
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
REASON = "来期のシステム更改で復旧時間を短縮する"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_bia_is_recorded_and_its_gap_accepted(lang, live_server, live_org, make_page, log,
                                                tmp_path):
    base = live_server.url
    process = make_process(live_org.sales, "BP-CARD")
    asset = make_asset(live_org.sales, "A-AUTH")
    AssetRecovery.objects.create(asset=asset, recovery_hours=3, backup_interval_hours=0,
                                 demonstrated_on=timezone.localdate())
    # No alternative: losing the system stops the process (and is a single point of failure).
    dependency = Dependency.objects.create(process=process, kind="asset", asset=asset)

    # 1. The information manager records the analysis on the grid and approves it.
    manager = make_page(OTHER_LOCALE[lang])
    ui.log_in(manager, base, "manager", "x-manager-password-1")
    open_in(manager, base, lang, process.get_absolute_url())
    manager.get_by_test_id("add-bia").click()
    expect(manager.get_by_test_id("score-grid")).to_be_visible()
    scores = {}
    for category in ("customers", "financial", "legal", "reputation"):
        for hours in ContinuitySettings.current().horizon_hours():
            scores[f"impact__{category}__{hours}"] = str(5 if category == "customers" else 2)
    fill(manager, {**scores, "rto_hours": "2", "rpo_hours": "0.5",
                   "peak_periods": "年末年始"})
    ui.screenshot(manager, tmp_path / f"bia-form-{lang}.png")
    manager.get_by_test_id("save").click()
    expect(manager).to_have_url(re.compile(r"/continuity/impact-analyses/\d+/$"))
    analysis = ImpactAnalysis.objects.get(process=process)
    assert analysis.mtpd_hours == 4  # customers intolerable from the first horizon
    manager.get_by_test_id("approve-bia").click()
    expect(manager.get_by_test_id("approve-bia")).to_have_count(0)
    expect(manager.get_by_test_id("impact-grid")).to_be_visible()
    analysis.refresh_from_db()
    assert analysis.status == "approved"

    # 2. The process's page and the dependency impact view show the gap.
    manager.goto(f"{base}{process.get_absolute_url()}")
    expect(manager.get_by_test_id("gap-rto")).to_contain_text("3 > 2 h")
    expect(manager.get_by_test_id("accept-rto")).to_have_count(0)  # the CISO's to accept
    manager.goto(f"{base}{reverse('continuity:impact')}")
    manager.get_by_test_id("impact-target").select_option(f"asset:{asset.pk}")
    manager.get_by_role("button", name=text_in(lang, "Show the impact")).click()
    expect(manager.get_by_test_id("misses-BP-CARD")).to_be_visible()
    expect(manager.get_by_test_id("impact-graph").locator("svg rect")).to_have_count(2)
    ui.screenshot(manager, tmp_path / f"impact-{lang}.png")

    # 3. The CISO accepts the gap until a date.
    ciso = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso, base, lang, process.get_absolute_url())
    ciso.get_by_test_id("accept-rto").click()
    until = timezone.localdate() + datetime.timedelta(days=180)
    fill(ciso, {"reason": REASON, "expires_on": until.isoformat()})
    ciso.get_by_test_id("save").click()
    expect(ciso).to_have_url(re.compile(r"/continuity/gap-acceptances/\d+/$"))
    acceptance = GapAcceptance.objects.get()
    assert (acceptance.dependency, acceptance.gap, acceptance.expires_on) == (
        dependency, "rto", until)
    assert acceptance.accepted_by == live_org.people["ciso"]
    ciso.goto(f"{base}{process.get_absolute_url()}")
    expect(ciso.get_by_test_id("gap-rto")).to_contain_text(text_in(lang, "gap accepted"))
    expect(ciso.get_by_test_id("accept-rto")).to_have_count(0)
    expect(ciso.get_by_test_id("accept-single_point")).to_have_count(1)  # still open
    ui.screenshot(ciso, tmp_path / f"process-{lang}.png")
    assert problems(log) == []
