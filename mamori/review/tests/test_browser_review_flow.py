"""A management review in a real browser (Playwright + Debian's chromium), once in Japanese
and once in English.

The CISO opens the review in preparation, freezes its inputs (the pack appears on the page),
opens the review pack as a PDF, and records a decision, which raises its improvement action;
the review's page then lists the decision with its action. A member of staff who attended
sees the review and its pack but no step. No page may trip the Content Security Policy,
throw a JavaScript error or fail to load.
"""

import datetime
import re

import pytest
from django.utils import timezone

from mamori.core.tests import test_browser as ui
from mamori.improvement.models import ImprovementAction
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.review.models import ManagementReview, ReviewDecision
from mamori.review.tests.helpers import make_review
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
DECISION = "標的型メール訓練を全部門で四半期ごとに実施する"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ciso_freezes_the_pack_and_records_a_decision(lang, live_server, live_org,
                                                          make_page, log, tmp_path):
    base = live_server.url
    review = make_review(live_org, attendees=("manager", "staff"),
                         feedback="監督官庁から委託先管理の強化を求められた")

    # 1. The CISO freezes the inputs: the page shows the pack, and the step is gone.
    ciso = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso, base, lang, review.get_absolute_url())
    expect(ciso.get_by_test_id("pack")).to_have_count(0)
    ciso.get_by_test_id("step-freeze").click()
    expect(ciso.get_by_test_id("pack")).to_be_visible()
    expect(ciso.get_by_test_id("step-freeze")).to_have_count(0)
    review.refresh_from_db()
    assert review.status == ManagementReview.Status.FROZEN and review.pack.intact
    expect(ciso.get_by_test_id("pack")).to_contain_text("監督官庁から委託先管理の強化")
    ui.screenshot(ciso, tmp_path / f"review-frozen-{lang}.png")

    # 2. The pack as a PDF, in the reader's language.
    pdf_url = ciso.get_by_test_id("pack-pdf").get_attribute("href")
    response = ciso.request.get(f"{base}{pdf_url}")
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # 3. A decision, raising its improvement action.
    ciso.get_by_test_id("add-decision").click()
    due = timezone.localdate() + datetime.timedelta(days=90)
    fill(ciso, {"decision": DECISION, "department": str(live_org.sales.pk),
                "owner": str(live_org.people["manager"].pk), "due_on": due.isoformat()})
    ui.screenshot(ciso, tmp_path / f"decision-form-{lang}.png")
    ciso.get_by_test_id("save").click()
    expect(ciso).to_have_url(re.compile(r"/review/decisions/\d+/$"))
    decision = ReviewDecision.objects.get(review=review)
    action = ImprovementAction.objects.get(pk=decision.action_id)
    assert (action.owner, action.department, action.due_on) == (
        live_org.people["manager"], live_org.sales, due)
    ciso.goto(f"{base}{review.get_absolute_url()}")
    expect(ciso.get_by_test_id("decisions")).to_contain_text(DECISION)
    expect(ciso.get_by_test_id("decision-action")).to_have_text(action.code)
    ui.screenshot(ciso, tmp_path / f"review-decided-{lang}.png")

    # 4. A member of staff who attended reads the review and its pack, and takes no step.
    staff = make_page(OTHER_LOCALE[lang])
    ui.log_in(staff, base, "staff", "x-staff-password-1")
    open_in(staff, base, lang, review.get_absolute_url())
    expect(staff.get_by_test_id("pack")).to_be_visible()
    expect(staff.get_by_test_id("add-decision")).to_have_count(0)
    expect(staff.get_by_test_id("step-hold")).to_have_count(0)
    assert problems(log) == []
