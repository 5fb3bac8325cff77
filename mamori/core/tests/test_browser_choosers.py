"""Choosers in a real browser: the information manager picks a risk's owner and its assets
by typing, never by Ctrl-click, from a list too long to be in the page (core.choosers).

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py."""

import re

from mamori.assets.models import Asset
from mamori.core import choosers
from mamori.core.tests import test_browser as ui
from mamori.org.models import Person
from mamori.risks.models import Risk, Threat

expect = ui.expect
pytestmark = ui.pytestmark

live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
page = ui.page
console = ui.console


def test_manager_chooses_owner_and_assets_by_typing(live_server, live_org, page, console,
                                                     monkeypatch):
    org = live_org
    monkeypatch.setattr(choosers, "INLINE_LIMIT", 5)  # so the lists are searched
    Person.objects.bulk_create(
        Person(employee_no=f"S{i:03d}", name=f"営業 太郎{i}", name_kana=f"えいぎょう{i:03d}",
               department=org.sales) for i in range(12))
    Asset.objects.bulk_create(
        Asset(code=f"A-{i:03d}", name_ja=f"顧客台帳 {i}", asset_type="information",
              department=org.sales) for i in range(12))
    threat = Threat.objects.create(code="T-LEAK", name_ja="漏洩", name_en="Leakage",
                          harms="C")
    base = live_server.url
    ui.log_in(page, base, "manager", "x-manager-password-1")
    ui.switch_language(page, "ja")
    page.goto(f"{base}/risks/register/new/")

    # The owner: typed, offered from the server, chosen with the keyboard.
    owner = page.get_by_test_id("chooser-owner")
    expect(page.locator("select[name=owner]")).to_have_attribute("data-chooser-partial", "1")
    owner.fill("太郎7")
    options = page.locator("#" + owner.get_attribute("aria-controls") + " [role=option]")
    expect(options).to_have_count(1)
    expect(options.first).to_have_text("営業 太郎7")
    owner.press("Enter")
    expect(owner).to_have_value("営業 太郎7")
    chosen = Person.objects.get(employee_no="S007")
    expect(page.locator("select[name=owner]")).to_have_value(str(chosen.pk))

    # Two assets as chips, the first removed again with its button.
    assets = page.get_by_test_id("chooser-assets")
    for code in ("A-003", "A-010", "A-011"):
        assets.fill(code)
        listed = page.locator("#" + assets.get_attribute("aria-controls") + " [role=option]")
        expect(listed).to_have_count(1)
        listed.first.click()
    chips = page.locator(".mamori-chooser-chip")
    expect(chips).to_have_count(3)
    chips.filter(has_text="A-003").get_by_role("button").click()
    expect(chips).to_have_count(2)

    ui.fill_form(page, {"code": "R-CHOSEN", "title_ja": "台帳の漏洩", "likelihood": "2",
                        "impact": "2", "treatment": "reduce",
                        "department": str(org.sales.pk)})
    # Enter straight after typing, before the answer: it chooses the first match when the
    # answer comes, and does not send the form.
    page.get_by_test_id("chooser-threat").fill("T-LEAK")
    page.get_by_test_id("chooser-threat").press("Enter")
    expect(page.locator("select[name=threat]")).to_have_value(str(threat.pk))
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/risks/register/\d+/$"))
    risk = Risk.objects.get(code="R-CHOSEN")
    assert risk.owner == chosen
    assert sorted(risk.assets.values_list("code", flat=True)) == ["A-010", "A-011"]
    assert not ui.csp_violations(console), console
    assert not [line for line in console if line.startswith(("error", "pageerror"))], console
