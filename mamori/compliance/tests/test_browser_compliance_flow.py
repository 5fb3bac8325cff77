"""The legal register in a real browser (Playwright + Debian's chromium): the information
manager in Japanese, the CISO in English.

The information manager opens the obligations list, opens an obligation their department
owns, evaluates it as not compliant with what shows it, and finds on the evaluation's page the
nonconformity that the result raised; the obligation's page offers them no "Accept a
non-compliance" (the CISO's to give). The CISO accepts the non-compliance from the same
obligation's page until a date, and finds the amendment to take effect next quarter on the
upcoming legal changes page. No page may trip the Content Security Policy, throw a JavaScript
error or fail to load.
"""

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from mamori.compliance.models import (
    ComplianceException,
    Evaluation,
    LegalSource,
    Obligation,
    SourceVersion,
)
from mamori.core.dates import add_months
from mamori.core.tests import test_browser as ui
from mamori.improvement.models import Nonconformity
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
EVIDENCE = "委託先3社のうち1社で、安全管理措置の年次点検が未実施（点検記録なし）"
REASON = "The contractor's review is scheduled for next month; access is logged meanwhile."


def register(live_org):
    """A source in force since 2022 with an amendment taking effect next quarter, and two
    obligations that apply: one owned by Sales (the manager's department), one by IT."""
    today = timezone.localdate()
    source = LegalSource.objects.create(
        code="appi", kind="law", title_ja="個人情報の保護に関する法律",
        title_en="Act on the Protection of Personal Information", short_name="個人情報保護法")
    SourceVersion.objects.create(source=source, version="令和2年改正",
                                 effective_on=datetime.date(2022, 4, 1))
    ours = Obligation.objects.create(
        code="APPI-25", source=source, article="第25条", title_ja="委託先の監督",
        title_en="Supervising contractors", applicability="applicable",
        applicability_reason="会員情報の処理を委託している", department=live_org.sales)
    Obligation.objects.create(
        code="APPI-26", source=source, article="第26条", title_ja="漏えい等の報告",
        title_en="Reporting a leak", applicability="applicable",
        applicability_reason="個人データを取り扱う", department=live_org.it)
    quarter = add_months(today.replace(day=1), 3 - (today.month - 1) % 3)
    amendment = SourceVersion.objects.create(
        source=source, version="令和8年改正", effective_on=quarter,
        promulgated_on=today - datetime.timedelta(days=30),
        summary_ja="漏えい等報告の対象の見直し", summary_en="Which leaks are to be reported")
    return ours, amendment


def test_a_non_compliance_is_evaluated_and_accepted(live_server, live_org, make_page, log,
                                                    tmp_path):
    base = live_server.url
    obligation, amendment = register(live_org)
    assert amendment.impact_assessments.count() == 2  # raised by the amendment

    # 1. The information manager (in Japanese) opens the list and the obligation they own.
    manager = make_page(OTHER_LOCALE["ja"])
    ui.log_in(manager, base, "manager", "x-manager-password-1")
    open_in(manager, base, "ja", reverse("compliance:obligation_list"))
    expect(manager.get_by_role("link", name="APPI-26", exact=True)).to_have_count(0)  # IT's
    manager.get_by_role("link", name="APPI-25", exact=True).click()
    expect(manager).to_have_url(re.compile(rf"{obligation.get_absolute_url()}$"))
    # Accepting a non-compliance is the CISO's: the manager is not offered it.
    expect(manager.get_by_test_id("exceptions")).to_be_visible()
    expect(manager.get_by_test_id("exceptions-action")).to_have_count(0)

    # 2. … evaluates it as not compliant, saying what shows it.
    evaluate = manager.get_by_test_id("evaluate")
    expect(evaluate).to_have_text(text_in("ja", "Evaluate"))
    evaluate.click()
    expect(manager).to_have_url(re.compile(r"/compliance/evaluations/new/"))
    expect(manager.locator("form [name=obligation]")).to_have_value(str(obligation.pk))
    fill(manager, {"result": "not_compliant", "evidence": EVIDENCE})
    manager.get_by_test_id("save").click()
    expect(manager).to_have_url(re.compile(r"/compliance/evaluations/\d+/$"))
    evaluation = Evaluation.objects.get(obligation=obligation)
    assert (evaluation.result, evaluation.evidence, evaluation.evaluator) == (
        "not_compliant", EVIDENCE, live_org.people["manager"])

    # 3. The nonconformity the result raised is listed on the evaluation's page.
    raised = Nonconformity.objects.get(
        source_type=ContentType.objects.get_for_model(Evaluation), source_id=evaluation.pk)
    assert (raised.department, raised.source, raised.status) == (
        live_org.sales, "compliance", "open")
    expect(manager.get_by_test_id("raised-records")).to_contain_text(raised.code)
    ui.screenshot(manager, tmp_path / "evaluation-ja.png")

    # 4. The CISO (in English) accepts the non-compliance from the obligation's page.
    ciso = make_page(OTHER_LOCALE["en"])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso, base, "en", obligation.get_absolute_url())
    action = ciso.get_by_test_id("exceptions-action")
    expect(action).to_have_text(text_in("en", "Accept a non-compliance"))
    action.click()
    expect(ciso).to_have_url(re.compile(r"/compliance/exceptions/new/"))
    until = timezone.localdate() + datetime.timedelta(days=90)
    fill(ciso, {"reason": REASON, "compensating_measures": "Monthly access-log review",
                "expires_on": until.isoformat()})
    ciso.get_by_test_id("save").click()
    expect(ciso).to_have_url(re.compile(r"/compliance/exceptions/\d+/$"))
    accepted = ComplianceException.objects.get(obligation=obligation)
    assert (accepted.expires_on, accepted.accepted_by) == (until, live_org.people["ciso"])
    ciso.goto(f"{base}{obligation.get_absolute_url()}")
    expect(ciso.get_by_test_id("exceptions")).to_contain_text(str(until.year))

    # 5. … and finds the amendment on the upcoming legal changes page, its two assessments
    # still to do.
    ciso.goto(f"{base}{reverse('compliance:upcoming')}")
    row = ciso.get_by_test_id(f"upcoming-{amendment.pk}")
    expect(row).to_contain_text("令和8年改正")
    expect(row.locator("td").nth(3)).to_have_text("2")
    ui.screenshot(ciso, tmp_path / "upcoming-en.png")
    assert problems(log) == []
