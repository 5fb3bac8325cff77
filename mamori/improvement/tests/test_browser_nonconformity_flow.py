"""A nonconformity from finding to closure in a real browser (Playwright + Debian's chromium),
once in Japanese and once in English.

The CISO (standing in for the lead auditor until the audits app lands) records a major
nonconformity against Sales. The information manager of Sales sees it on their page, cannot
restate what was found, records the correction and root cause and adds a corrective action
owned by a member of their staff; the CISO approves the plan. The staff member finds the
action on My page and records it done. The CISO records an effectiveness check and closes
the nonconformity, after which nobody is offered to change it. No page may trip the Content
Security Policy, throw a JavaScript error or fail to load.

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py and the page
helpers of the risk and incident flows.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from mamori.core.tests import test_browser as ui
from mamori.improvement.models import CorrectiveAction, EffectivenessCheck, Nonconformity
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
details, fill, problems = flow.details, flow.fill, flow.problems
label_in, text_in = flow.label_in, flow.text_in
open_in, log_in_with_totp = incident_flow.open_in, incident_flow.log_in_with_totp

TITLE = "退職者のアカウントが削除されていない"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_nonconformity_from_finding_to_closure(lang, live_server, live_org, make_page, log,
                                                 tmp_path):
    base = live_server.url
    today = timezone.localdate()

    # 1. The CISO records the finding.
    ciso = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso, base, lang, reverse("improvement:nonconformity_list"))
    ciso.get_by_test_id("create").click()
    fill(ciso, {"title": TITLE, "severity": "major", "source": "audit",
                "source_reference": "内部監査 FY2026-01", "policy_article": "5",
                "requirement": "アクセス管理規程 第5条", "department": str(live_org.sales.pk),
                "description": "標本10件中2件で退職後もアカウントが有効だった。"})
    ciso.get_by_test_id("save").click()
    expect(ciso).to_have_url(re.compile(r"/nonconformities/\d+/$"))
    nc = Nonconformity.objects.get(title=TITLE)
    assert nc.code.startswith(f"NC-{today.year}-") and nc.raised_by == live_org.people["ciso"]
    shown = details(ciso)
    assert shown[label_in(lang, Nonconformity, "plan_due_on")] == (
        today + datetime.timedelta(days=30)).isoformat()
    ciso.screenshot(path=str(tmp_path / f"raised-{lang}.png"), full_page=True)

    # 2. The information manager of Sales answers: correction, cause, one action.
    manager = make_page(OTHER_LOCALE[lang])
    ui.log_in(manager, base, "manager", "x-manager-password-1")
    open_in(manager, base, lang, reverse("core:my_page"))
    panel = manager.get_by_test_id("improvement-todo")
    expect(panel).to_contain_text(text_in(lang, "Corrective-action plan due"))
    panel.get_by_role("link", name=re.compile(re.escape(nc.code))).click()
    expect(manager.get_by_test_id("finding-locked")).to_be_visible()
    expect(manager.get_by_test_id("step-approve")).to_have_count(0)
    manager.get_by_role("link", name=text_in(lang, "Edit"), exact=True).click()
    expect(manager.locator("form [name=severity]")).to_be_disabled()
    fill(manager, {"correction": "2件のアカウントを即日削除した。",
                   "correction_done_on": today.isoformat(),
                   "root_cause": "人事からの退職連絡が月次でしか届かなかった。"})
    manager.get_by_test_id("save").click()
    expect(manager.locator(".alert-success")).to_be_visible()
    manager.get_by_test_id("add-action").click()
    expect(manager.locator("form [name=nonconformity]")).to_have_value(str(nc.pk))
    fill(manager, {"title": "退職情報の日次連携", "owner": str(live_org.people["staff"].pk),
                   "due_on": (today + datetime.timedelta(days=14)).isoformat()})
    manager.get_by_test_id("save").click()
    expect(manager).to_have_url(re.compile(r"/corrective-actions/\d+/$"))
    action = CorrectiveAction.objects.get(nonconformity=nc)
    assert action.owner == live_org.people["staff"]

    # 3. The CISO approves the plan.
    ciso.goto(f"{base}{nc.get_absolute_url()}")
    ciso.get_by_test_id("step-approve").click()
    expect(ciso.locator(".alert-success")).to_be_visible()
    nc.refresh_from_db()
    assert nc.status == "planned" and nc.plan_approved_on == today

    # 4. The owner finds the action on My page and records it done.
    staff = make_page(OTHER_LOCALE[lang])
    ui.log_in(staff, base, "staff", "x-staff-password-1")
    open_in(staff, base, lang, reverse("core:my_page"))
    staff.get_by_test_id("improvement-todo").get_by_role(
        "link", name=re.compile("退職情報の日次連携")).click()
    expect(staff).to_have_url(re.compile(rf"{re.escape(action.get_absolute_url())}$"))
    staff.get_by_role("link", name=text_in(lang, "Edit"), exact=True).click()
    fill(staff, {"done_on": today.isoformat(), "notes": "連携バッチを稼働させた。"})
    staff.get_by_test_id("save").click()
    expect(staff.locator(".alert-success")).to_be_visible()
    staff.screenshot(path=str(tmp_path / f"action-done-{lang}.png"), full_page=True)

    # 5. The CISO checks the effectiveness and closes it.
    ciso.goto(f"{base}{nc.get_absolute_url()}")
    ciso.get_by_test_id("step-check").click()
    ciso.locator("form [name=effective][value=yes]").check()
    fill(ciso, {"notes": "退職者5名のアカウントが退職日に無効化されていた。"})
    ciso.get_by_test_id("save").click()
    expect(ciso).to_have_url(re.compile(rf"{re.escape(nc.get_absolute_url())}$"))
    expect(ciso.get_by_test_id("effectiveness-checks")).to_contain_text(
        text_in(lang, "effective"))
    ciso.get_by_test_id("step-close").click()
    expect(ciso.locator(".alert-success")).to_be_visible()
    nc.refresh_from_db()
    assert nc.status == "closed" and nc.closed_by == live_org.people["ciso"]
    assert EffectivenessCheck.objects.get(nonconformity=nc).verifier == live_org.people["ciso"]
    for button in ("step-approve", "step-check", "step-close", "add-action"):
        expect(ciso.get_by_test_id(button)).to_have_count(0)
    expect(ciso.get_by_role("link", name=text_in(lang, "Edit"), exact=True)).to_have_count(0)
    ciso.screenshot(path=str(tmp_path / f"closed-{lang}.png"), full_page=True)
    assert not problems(log), problems(log)
