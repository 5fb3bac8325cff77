"""A nonconformity from finding to closure in a real browser (Playwright + Debian's chromium),
once in Japanese and once in English.

The lead auditor, in the fieldwork of their audit of Sales, finds an item of the checklist
nonconforming and raises a major nonconformity from it. The information manager of Sales sees
it on their page, cannot
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

from mamori.audits.models import Audit, ChecklistItem
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

    # 1. The lead auditor records the item's result and raises the finding from it.
    audit = Audit.objects.create(title="営業部 内部監査", lead_auditor=live_org.people["auditor"],
                                 planned_start=today, planned_end=today, status="fieldwork")
    audit.departments.set([live_org.sales])
    item = ChecklistItem.objects.create(audit=audit, reference="C-PPL-03",
                                        title="退職・異動時の手続")
    auditor = make_page(OTHER_LOCALE[lang])
    ui.log_in(auditor, base, "auditor", "x-auditor-password-1")
    open_in(auditor, base, lang, audit.get_absolute_url())
    auditor.get_by_test_id("checklist").get_by_role("link", name="C-PPL-03").click()
    auditor.get_by_role("link", name=text_in(lang, "Edit"), exact=True).click()
    fill(auditor, {"result": "major", "notes": "標本10件中2件で退職後もアカウントが有効だった。",
                   "sampled_records": "退職者10名"})
    auditor.get_by_test_id("save").click()
    expect(auditor.locator(".alert-success")).to_be_visible()
    auditor.get_by_test_id("raise-nonconformity").click()
    expect(auditor.locator("form [name=severity]")).to_have_value("major")
    expect(auditor.locator("form [name=department]")).to_have_value(str(live_org.sales.pk))
    fill(auditor, {"title": TITLE, "policy_article": "5",
                   "requirement": "アクセス管理規程 第5条"})
    auditor.get_by_test_id("save").click()
    expect(auditor).to_have_url(re.compile(r"/nonconformities/\d+/$"))
    nc = Nonconformity.objects.get(title=TITLE)
    assert nc.code.startswith(f"NC-{today.year}-") and nc.raised_by == live_org.people["auditor"]
    assert nc.source_object() == item and nc.source == "audit"
    assert nc.description == "標本10件中2件で退職後もアカウントが有効だった。"  # the item's notes
    shown = details(auditor)
    assert shown[label_in(lang, Nonconformity, "plan_due_on")] == (
        today + datetime.timedelta(days=30)).isoformat()
    expect(auditor.get_by_test_id("source-record")).to_contain_text("C-PPL-03")
    ui.screenshot(auditor, tmp_path / f"raised-{lang}.png")
    ciso = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")

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
    open_in(ciso, base, lang, nc.get_absolute_url())
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
    ui.screenshot(staff, tmp_path / f"action-done-{lang}.png")

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
    ui.screenshot(ciso, tmp_path / f"closed-{lang}.png")
    assert not problems(log), problems(log)
