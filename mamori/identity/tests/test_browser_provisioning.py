"""Provisioning in a real browser (Playwright + Debian's chromium), once in Japanese and once
in English: the CISO compares the HR master with the people register, sees who joins, moves
and leaves, and applies it; an administrator issues an identity provider's SCIM token, which
then provisions a person. No page may trip the Content Security Policy, throw a JavaScript
error or fail to load."""

import json
import re

import pytest
from django.test import Client

from mamori.core.tests import test_browser as ui
from mamori.identity.scim import protocol as p
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.org.models import Person
from mamori.risks.tests import test_browser_risk_flow as flow

expect = ui.expect
pytestmark = ui.pytestmark

live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page
OTHER_LOCALE, problems, text_in = flow.OTHER_LOCALE, flow.problems, flow.text_in
open_in, log_in_with_totp = incident_flow.open_in, incident_flow.log_in_with_totp


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_ciso_syncs_the_hr_master_and_an_administrator_connects_scim(
        lang, live_server, live_org, make_page, log, tmp_path):
    base = live_server.url
    lines = ["employee_no,name,email,category,department"]
    for person in Person.objects.select_related("department").exclude(employee_no="P003"):
        lines.append(f"{person.employee_no},{person.name},,{person.category},"
                     f"{person.department.code}")
    lines.append("P900,新入 一郎,ichiro@example.jp,employee,D100")
    hr_file = tmp_path / "hr.csv"
    hr_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # 1. The CISO compares the file, sees one joiner and one leaver, and applies it.
    ciso = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(ciso, base, live_org.users["ciso"], "x-ciso-password-1")
    open_in(ciso, base, lang, "/identity/provisioning/")
    ui.screenshot(ciso, tmp_path / f"provisioning-ciso-{lang}.png")
    expect(ciso.get_by_test_id("new-token")).to_have_count(0)
    ciso.get_by_role("link", name=text_in(lang, "HR file sync")).first.click()
    ciso.locator("input[type=file]").set_input_files(str(hr_file))
    ciso.get_by_role("button", name=text_in(lang, "Show the differences")).click()
    expect(ciso).to_have_url(re.compile(r"/identity/hr-sync/\d+/$"))
    expect(ciso.get_by_test_id("hr-joiners")).to_contain_text("P900")
    expect(ciso.get_by_test_id("hr-leavers")).to_contain_text("P003")
    ui.screenshot(ciso, tmp_path / f"hrsync-preview-{lang}.png")
    assert not Person.objects.filter(employee_no="P900").exists()
    ciso.get_by_test_id("hr-apply").click()
    expect(ciso.get_by_test_id("hr-status")).to_have_text(text_in(lang, "Applied"))
    ui.screenshot(ciso, tmp_path / f"hrsync-applied-{lang}.png")
    assert Person.objects.get(employee_no="P003").status == Person.Status.LEFT
    assert Person.objects.get(employee_no="P900").department.code == "D100"

    # 2. An administrator issues a token; the identity provider provisions with it.
    admin = make_page(OTHER_LOCALE[lang])
    log_in_with_totp(admin, base, live_org.users["admin"], "x-admin-password-1")
    open_in(admin, base, lang, "/identity/provisioning/")
    admin.locator("input[name=name]").fill("entra")
    admin.get_by_role("button", name=text_in(lang, "Issue a token")).click()
    token = admin.get_by_test_id("new-token").inner_text().strip()
    ui.screenshot(admin, tmp_path / f"provisioning-token-{lang}.png")
    response = Client().post("/scim/v2/Users", content_type=p.MEDIA_TYPE,
                             HTTP_AUTHORIZATION=f"Bearer {token}", data=json.dumps({
                                 "schemas": [p.USER], "userName": "hanako@example.jp",
                                 "displayName": "新入 花子", "userType": "employee"}))
    assert response.status_code == 201, response.content
    admin.goto(f"{base}/identity/provisioning/")  # not reload(): that would post again
    expect(admin.get_by_test_id("scim-clients")).to_contain_text("entra")
    assert not problems(log), problems(log)
