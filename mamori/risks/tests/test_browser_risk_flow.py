"""Assets, controls and risks in a real browser (Playwright + Debian's chromium), once in
Japanese and once in English.

The information manager of the Sales department registers an information asset (ratings
3/2/2, holding personal information) and sees the classification derived from the ratings;
creates a control for the department and attaches a file as evidence through the form's file
input, which then shows as current; assesses the leakage risk to the asset (likelihood 3,
impact 3), treated by reducing it with the control to a residual 1 × 2; and finds the risk on
the inherent and residual heat maps, from whose cells the filtered risk list is one click away.
No page may trip the Content Security Policy, throw a JavaScript error or fail to load.

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py. Needs
/usr/bin/chromium; run with `pytest -m browser`, skip with `-m "not browser"`.
"""

import hashlib
import re

import pytest
from django.db import connections
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from mamori.assets.models import Asset
from mamori.controls.models import Control, Evidence
from mamori.core.tests import test_browser as ui
from mamori.risks.models import Risk

expect = ui.expect
pytestmark = ui.pytestmark

# The shared fixtures (assigned, not imported by name, so pytest finds them in this module).
live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser

# The browser's own language is the other one, so switching the UI is a visible change.
OTHER_LOCALE = {"ja": "en-US", "en": "ja-JP"}
EVIDENCE_TEXT = "2025-04-01 02:00 顧客名簿バックアップ: 正常終了\n".encode() * 20


@pytest.fixture
def evidence_storage(settings, tmp_path):
    """Uploaded evidence goes to this test's own directory, not the data directory's media."""
    location = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": location}}}
    return location


@pytest.fixture
def log():
    return {"console": [], "responses": []}


@pytest.fixture
def make_page(browser, log):
    contexts = []

    def open_page(locale: str):
        context = browser.new_context(locale=locale, viewport={"width": 1400, "height": 1000},
                                      accept_downloads=True)
        context.set_default_timeout(ui.WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: log["console"].append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: log["console"].append(f"pageerror: {e}"))
        page.on("response", lambda r: r.status >= 400 and log["responses"].append(
            f"{r.status} {r.url}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    # The ORM queries this test makes run on a connection of their own while Playwright's
    # loop is in the thread; close it so the test database's teardown is not blocked.
    connections.close_all()


def problems(log: dict[str, list[str]]) -> list[str]:
    failed = [line for line in log["responses"] if not line.endswith("/favicon.ico")]
    errors = [line for line in log["console"]
              if "Content Security Policy" in line or line.startswith("pageerror:")
              or (line.startswith("error:") and "Failed to load resource" not in line)]
    return errors + failed


def text_in(lang: str, message: str) -> str:
    """A UI string as the server renders it in `lang` (translated or, until it is, English)."""
    with translation.override(lang):
        return gettext(message)


def str_in(lang: str, obj) -> str:
    """How a record names itself in `lang` (bilingual records show their English text)."""
    with translation.override(lang):
        return str(obj)


def label_in(lang: str, model, field: str) -> str:
    """A field's label on a detail page (capitalised verbose name) in `lang`."""
    with translation.override(lang):
        return capfirst(str(model._meta.get_field(field).verbose_name))


def details(page) -> dict[str, str]:
    """The detail page's fields as {label: shown value}."""
    return page.locator("dl").first.evaluate(
        "dl => Object.fromEntries([...dl.querySelectorAll('dt')].map("
        "dt => [dt.textContent.trim(), dt.nextElementSibling.textContent.trim()]))")


def fill(page, values: dict):
    """Fill the page's model form by field name: text and numbers are typed, a select's
    option(s) are matched by value or label, True/False tick a checkbox, a Path is uploaded."""
    for name, value in values.items():
        field = page.locator(f"form [name={name}]")
        tag, kind = field.evaluate("el => [el.tagName, el.type]")
        if tag == "SELECT":  # ratings are selects of named levels: a number picks its value
            field.select_option(str(value) if isinstance(value, int) else value)
        elif kind == "checkbox":
            field.set_checked(value)
        elif kind == "file":
            field.set_input_files(value)
        else:
            field.fill(str(value))


def create(page, list_url: str, values: dict):
    """List page → Create → fill the form → Save; ends on the new object's detail page."""
    page.goto(list_url)
    page.get_by_test_id("create").click()
    expect(page).to_have_url(re.compile(r"/new/$"))
    fill(page, values)
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_manager_assesses_and_treats_a_risk(lang, live_server, live_org, evidence_storage,
                                            make_page, log, tmp_path):
    base = live_server.url
    ja = lang == "ja"
    sales = "営業部" if ja else "Sales"

    # 1. The information manager of Sales logs in (no second factor is required of them) and
    #    switches the UI from the browser's language to the one under test.
    page = make_page(OTHER_LOCALE[lang])
    ui.log_in(page, base, "manager", "x-manager-password-1")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    page.goto(f"{base}/assets/register/")
    expect(page.locator("html")).to_have_attribute("lang", "en" if ja else "ja")
    ui.switch_language(page, lang)
    expect(page).to_have_url(re.compile(r"/assets/register/$"))

    # 2. An information asset: rated C3 I2 A2, holding personal information.
    create(page, f"{base}/assets/register/", {
        "code": "A-CRM", "name_ja": "顧客名簿", "name_en": "Customer list",
        "asset_type": "information", "department": sales, "location": "CRM",
        "confidentiality": 3, "integrity": 2, "availability": 2,
        "has_personal_info": True, "data_subjects": 12000,
    })
    asset = Asset.objects.get(code="A-CRM")
    expect(page.locator(".page-title")).to_contain_text("顧客名簿" if ja else "Customer list")
    shown = details(page)
    # Derived from the confidentiality rating: 秘 / Secret, linking to the level.
    assert shown[label_in(lang, Asset, "classification")] == ("秘" if ja else "Secret")
    level = re.compile(r"^\s*秘\s*$" if ja else r"^\s*Secret\s*$")
    expect(page.locator("dd a").filter(has_text=level)).to_have_attribute(
        "href", re.compile(r"/assets/classification-levels/\d+/$"))
    assert shown[label_in(lang, Asset, "has_personal_info")] == text_in(lang, "yes")
    assert shown[label_in(lang, Asset, "department")] == sales
    assert asset.classification.code == "confidential"
    ui.screenshot(page, tmp_path / "asset.png")

    # 3. A control of the department, and a file as its evidence, uploaded through the form.
    create(page, f"{base}/controls/controls/", {
        "code": "C-BACKUP", "title_ja": "顧客名簿の暗号化バックアップ",
        "title_en": "Encrypted backup of the customer list", "theme": "technological",
        "department": sales, "status": "implemented", "frequency": "daily",
    })
    control = Control.objects.get(code="C-BACKUP")
    control_url = page.url
    expect(page.get_by_test_id("evidence-list")).not_to_contain_text(text_in(lang, "current"))
    page.get_by_test_id("add-evidence").click()
    expect(page).to_have_url(re.compile(rf"/evidence/new/\?control={control.pk}$"))
    expect(page.locator("form [name=control]")).to_have_value(str(control.pk))
    upload = tmp_path / "バックアップ記録.txt"
    upload.write_bytes(EVIDENCE_TEXT)
    fill(page, {"kind": "file", "title": "バックアップ取得記録 2025-04", "file": upload})
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/controls/evidence/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    evidence = Evidence.objects.get(control=control)
    digest = hashlib.sha256(EVIDENCE_TEXT).hexdigest()
    assert (evidence.file_name, evidence.file_size, evidence.file_sha256) == (
        upload.name, len(EVIDENCE_TEXT), digest)
    assert (evidence_storage / evidence.file.name).read_bytes() == EVIDENCE_TEXT
    assert details(page)[label_in(lang, Evidence, "file_sha256")] == digest
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    assert download.value.suggested_filename == upload.name
    assert download.value.path().read_bytes() == EVIDENCE_TEXT
    # The control's page lists it as current evidence.
    page.goto(control_url)
    item = page.get_by_test_id("evidence-list").locator(".list-group-item")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("バックアップ取得記録 2025-04")
    expect(item.locator(".badge.bg-green-lt")).to_have_text(text_in(lang, "current"))

    # 4. The risk of leakage of the asset, 3 × 3, reduced by the control to 1 × 2.
    create(page, f"{base}/risks/register/", {
        "code": "R-CRM-LEAK", "title_ja": "顧客名簿の漏洩",
        "title_en": "Leakage of the customer list", "threat": "漏洩" if ja else "Leakage",
        "assets": str_in(lang, asset), "department": sales,
        "vulnerability": "持ち出し可能な端末に複製が残る",
        "likelihood": 3, "impact": 3, "treatment": "reduce",
        "treatment_plan": "暗号化したバックアップのみを保管する", "controls": str_in(lang, control),
        "residual_likelihood": 1, "residual_impact": 2,
    })
    risk = Risk.objects.get(code="R-CRM-LEAK")
    assert (risk.inherent_score, risk.residual_score, risk.current_score) == (9, 2, 2)
    assert list(risk.assets.all()) == [asset] and list(risk.controls.all()) == [control]
    shown = details(page)
    assert shown[label_in(lang, Risk, "threat")] == ("漏洩" if ja else "Leakage")
    # Each score with its band's name (the band's colour is the badge's swatch).
    assert " ".join(shown[label_in(lang, Risk, "inherent_score")].split()) == (
        "9 高" if ja else "9 High")
    assert " ".join(shown[label_in(lang, Risk, "residual_score")].split()) == (
        "2 低" if ja else "2 Low")
    expect(page.get_by_test_id("above-appetite")).to_have_count(0)  # 2 is within appetite 3
    related = page.locator(".mamori-related")
    expect(related.filter(has_text=str_in(lang, asset))).to_have_count(1)
    expect(related.filter(has_text=str_in(lang, control))).to_have_count(1)

    # 5. The heat maps: the risk is in inherent cell (3, 3) and residual cell (1, 2), and
    #    nowhere else.
    page.goto(f"{base}/risks/heat-map/")
    inherent = page.get_by_test_id("heatmap-inherent").locator("table")
    residual = page.get_by_test_id("heatmap-residual").locator("table")
    inherent_cell = inherent.locator('a[href$="?likelihood=3&impact=3"]')
    residual_cell = residual.locator('a[href$="?residual_likelihood=1&residual_impact=2"]')
    expect(inherent_cell).to_have_attribute("data-count", "1")
    expect(inherent_cell.locator("text")).to_have_text("1")
    expect(residual_cell).to_have_attribute("data-count", "1")
    expect(residual_cell.locator("text")).to_have_text("1")
    for table in (inherent, residual):
        counts = table.locator("a[data-count]").evaluate_all(
            "cells => cells.map(cell => Number(cell.dataset.count))")
        assert len(counts) == 9 and sum(counts) == 1, counts
    ui.screenshot(page, tmp_path / "heat-map.png")

    # 6. A cell leads to the risk list filtered to it.
    for cell in (inherent_cell, residual_cell):
        cell.click()
        expect(page).to_have_url(re.compile(r"/risks/register/\?(residual_)?likelihood="))
        table = page.get_by_test_id("list-table")
        expect(table.locator("tbody tr")).to_have_count(1)
        expect(table.locator("tbody tr")).to_contain_text("R-CRM-LEAK")
        expect(table.locator("tbody tr")).to_contain_text(
            "顧客名簿の漏洩" if ja else "Leakage of the customer list")
        page.go_back()
        expect(page).to_have_url(re.compile(r"/risks/heat-map/$"))
    # An empty cell leads to an empty list.
    inherent.locator('a[href$="?likelihood=1&impact=1"]').click()
    table = page.get_by_test_id("list-table")
    expect(table.locator("tbody tr a[href^='/risks/register/']")).to_have_count(0)
    # An empty list emptied by filters says so, and offers to clear them.
    expect(table.get_by_test_id("empty")).to_contain_text(
        text_in(lang, "Nothing matches these filters."))
    expect(page.locator("html")).to_have_attribute("lang", lang)  # the choice persisted

    assert not problems(log), "\n".join(problems(log))
