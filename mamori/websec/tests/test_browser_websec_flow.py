"""Registering and scanning the company's web endpoints in a real browser (Playwright +
Debian's chromium), once in Japanese and once in English.

Two TLS servers of the tests' own CA run on 127.0.0.1 (the CA is the company CA in the web
security settings): a good one (ECDSA certificate, ECDHE suites, HSTS) and a bad one (an RSA
certificate and static-RSA suites, which have no forward secrecy). The information manager of
Sales registers both through the form, presses "Scan now" on each and reads the report: the
good one passes authentication, encryption and integrity; the bad one fails encryption, with
the reason in plain words. The bad endpoint's page lists the open finding, the good one's
none, and the endpoint list shows both with their verdicts. No page may trip the Content
Security Policy, throw a JavaScript error or fail to load. Nothing but loopback is scanned.

Reuses the live server, browser and helpers of mamori/core/tests/test_browser.py and the page
helpers of mamori/risks/tests/test_browser_risk_flow.py. Needs /usr/bin/chromium; run with
`pytest -m browser`, skip with `-m "not browser"`.
"""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from mamori.core.tests import test_browser as ui
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.risks.tests import test_browser_risk_flow as flow
from mamori.websec.messages import problem_text
from mamori.websec.models import TlsFinding, TlsProfile, TlsScan, WebEndpoint, WebSecuritySettings
from mamori.websec.service import promise_label
from mamori.websec.tests.tls_servers import PKI, TLSServer

expect = ui.expect
pytestmark = ui.pytestmark

# The shared fixtures (assigned, not imported by name, so pytest finds them in this module).
live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page
evidence_storage = flow.evidence_storage

OTHER_LOCALE = flow.OTHER_LOCALE
problems, text_in = flow.problems, flow.text_in
open_in = incident_flow.open_in

SCAN_WAIT_MS = 15_000  # the page asks every 2 s; the worker has scanned already
HSTS = "max-age=63072000"
STATIC_RSA_SUITE = "TLS_RSA_WITH_AES_128_GCM_SHA256"
PROMISES = ("authentication", "encryption", "integrity")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return PKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def servers(pki, monkeypatch):
    """The good server and the bad one, on 127.0.0.1 ports of their own, which the company
    lists as web ports (the information manager registers only those)."""
    good = TLSServer(pki.leaf("good"), hsts=HSTS)
    bad = TLSServer(pki.leaf("rsa", key_type="rsa", key_size=2048), hsts=HSTS,
                    ciphers="AES128-GCM-SHA256:ECDHE+AESGCM")
    with good, bad:
        monkeypatch.setenv("MAMORI_TLSSCAN_ALLOW_PORTS", f"443,8443,{good.port},{bad.port}")
        yield good, bad


def header_in(lang: str, field: str) -> str:
    """A list column's header: the field's verbose name in `lang`."""
    with translation.override(lang):
        return str(WebEndpoint._meta.get_field(field).verbose_name)


def list_rows(page) -> list[dict[str, str]]:
    """The list table's rows as {column header: shown text}."""
    return page.get_by_test_id("list-table").evaluate(
        "t => { const h = [...t.querySelectorAll('thead th')].map(th => th.textContent.trim());"
        " return [...t.querySelectorAll('tbody tr')].map(tr => Object.fromEntries("
        "[...tr.querySelectorAll('td')].map((td, i) => [h[i], td.textContent.trim()]))); }")


def register(page, base, lang, values: dict) -> WebEndpoint:
    """The endpoint list → Create → the form → Save; ends on the endpoint's page."""
    page.goto(f"{base}{reverse('websec:webendpoint_list')}")
    create = page.get_by_test_id("create")
    expect(create).to_have_text(text_in(lang, "Create"))
    create.click()
    expect(page).to_have_url(re.compile(r"/web/new/$"))
    # The intermediate profile is chosen for a new endpoint, and personal data assumed.
    expect(page.locator("form [name=profile]")).to_have_value(
        str(TlsProfile.objects.get(code="intermediate").pk))
    expect(page.locator("form [name=handles_personal_info]")).to_be_checked()
    flow.fill(page, values)
    page.get_by_test_id("save").click()
    expect(page).to_have_url(re.compile(r"/web/\d+/$"))
    expect(page.locator(".alert-success")).to_be_visible()
    endpoint = WebEndpoint.objects.get(name=values["name"])
    assert endpoint.get_absolute_url() in page.url
    return endpoint


def scan_now(page, lang, endpoint: WebEndpoint, alert: str) -> TlsScan:
    """Press "Scan now" on the endpoint's page, see the finished scan's outcome there (shown
    as `alert`); ends on the scan's report."""
    expect(page.get_by_test_id("verdict")).to_contain_text(text_in(lang, "not scanned"))
    button = page.get_by_test_id("scan-now")
    expect(button).to_have_text(text_in(lang, "Scan now"))
    button.click()
    # Queued for a worker: the endpoint's page says so and asks again every two seconds.
    status = page.get_by_test_id("scan-status")
    expect(status).to_have_attribute("data-status", "queued")
    expect(status).to_contain_text(text_in(lang, "Queued"))
    call_command("worker", "--batch", "--no-startup-delay")  # a real worker, in this process
    expect(status).to_have_attribute("data-status", "done", timeout=SCAN_WAIT_MS)
    expect(status.locator(f".{alert}")).to_contain_text(text_in(lang, "Authentication"))
    with page.expect_navigation(url=re.compile(r"/web/scans/\d+/$")):
        page.get_by_test_id("scan-report").click()
    scan = TlsScan.objects.get(endpoint=endpoint)
    assert scan.get_absolute_url() in page.url
    return scan


def expect_verdicts(page, lang, verdicts: dict[str, bool]):
    """The report's card per promise shows pass or fail (exactly: 不適合 contains 適合)."""
    report = page.get_by_test_id("report")
    for promise, ok in verdicts.items():
        card = report.locator(f'[data-promise="{promise}"]')
        expect(card.locator(".card-title")).to_have_text(promise_label_in(lang, promise))
        expect(card.locator(".card-header .badge")).to_have_text(
            text_in(lang, "pass" if ok else "fail"))


def promise_label_in(lang: str, promise: str) -> str:
    with translation.override(lang):
        return promise_label(promise)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_information_manager_registers_and_scans_two_endpoints(
        lang, live_server, live_org, make_page, log, evidence_storage, servers, pki, tmp_path):
    base = live_server.url
    good_server, bad_server = servers
    settings = WebSecuritySettings.current()
    settings.company_ca_pem = pki.ca_pem
    settings.save()
    common = {"server_name": "localhost", "purpose": "member_site",
              "department": str(live_org.sales.pk), "handles_personal_info": True,
              "scan_every_hours": 24}

    # 1. The information manager of Sales registers both endpoints; registering scans nothing.
    page = make_page(OTHER_LOCALE[lang])
    ui.log_in(page, base, "manager", "x-manager-password-1")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    open_in(page, base, lang, reverse("websec:webendpoint_list"))
    good = register(page, base, lang, {**common, "name": "会員サイト",
                                       "url": f"https://127.0.0.1:{good_server.port}/"})
    assert (good.host, good.port, good.department) == ("127.0.0.1", good_server.port,
                                                       live_org.sales)
    assert not TlsScan.objects.exists()

    # 2. "Scan now" on the good one: the report passes authentication, encryption, integrity.
    scan = scan_now(page, lang, good, "alert-success")
    assert scan.passes and scan.requested_by == live_org.people["manager"], scan.problems
    expect_verdicts(page, lang, dict.fromkeys(PROMISES, True))
    report = page.get_by_test_id("report")
    for promise in PROMISES:
        expect(report.locator(f'[data-promise="{promise}"]')).to_contain_text(
            text_in(lang, "No problem found."))
    expect(page.get_by_test_id("report-pdf")).to_be_visible()
    ui.screenshot(page, tmp_path / "good-report.png")

    # 3. The bad one (static-RSA suites: no forward secrecy): encryption fails, and says why.
    bad = register(page, base, lang, {**common, "name": "資料請求フォーム",
                                      "purpose": "application_form",
                                      "url": f"https://127.0.0.1:{bad_server.port}/"})
    scan = scan_now(page, lang, bad, "alert-warning")
    assert (scan.authentication_ok, scan.encryption_ok, scan.integrity_ok) == (True, False, True)
    expect_verdicts(page, lang, {"authentication": True, "encryption": False,
                                 "integrity": True})
    finding = TlsFinding.objects.get(endpoint=bad, code="enc.no_forward_secrecy",
                                     params__suite=STATIC_RSA_SUITE)
    with translation.override(lang):
        reason = problem_text(finding.code, finding.params)
    assert STATIC_RSA_SUITE in reason
    encryption = page.get_by_test_id("report").locator('[data-promise="encryption"]')
    expect(encryption.locator(".list-group-item", has_text=reason)).to_have_count(1)
    ui.screenshot(page, tmp_path / "bad-report.png")

    # 4. The bad endpoint's page: its verdict, and the open finding in plain words.
    page.goto(f"{base}{bad.get_absolute_url()}")
    verdict = page.get_by_test_id("verdict")
    for promise, ok in (("authentication", True), ("encryption", False), ("integrity", True)):
        label = promise_label_in(lang, promise)
        expect(verdict.locator(f'[data-promise="{label}"]')).to_have_text(
            f"{label}: {text_in(lang, 'pass' if ok else 'fail')}")
    findings = page.get_by_test_id("findings")
    item = findings.locator(f'a[data-code="{finding.code}"]', has_text=reason)
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("href", finding.get_absolute_url())
    expect(page.get_by_test_id("scan-history").locator("tbody tr")).to_have_count(1)
    # ... and the good one's page: no finding.
    page.goto(f"{base}{good.get_absolute_url()}")
    expect(page.get_by_test_id("findings").locator(".list-group-item")).to_have_text(
        [text_in(lang, "None")])
    assert not TlsFinding.objects.filter(endpoint=good).exists()

    # 5. The endpoint list: both, with their verdicts (badges that say pass or fail).
    page.goto(f"{base}{reverse('websec:webendpoint_list')}")
    yes, no = text_in(lang, "pass"), text_in(lang, "fail")
    rows = {row[header_in(lang, "name")]: row for row in list_rows(page)}
    assert set(rows) == {good.name, bad.name}
    verdict_columns = [header_in(lang, f"{p}_ok") for p in PROMISES]
    assert [rows[good.name][c] for c in verdict_columns] == [yes, yes, yes]
    assert [rows[bad.name][c] for c in verdict_columns] == [yes, no, yes]
    assert rows[bad.name][header_in(lang, "port")] == str(bad_server.port)
    ui.screenshot(page, tmp_path / "endpoints.png")
    # The "Failing endpoints" filter keeps only the bad one.
    page.get_by_role("link", name=text_in(lang, "Failing endpoints")).click()
    expect(page).to_have_url(re.compile(r"\?failing=true$"))
    assert [row[header_in(lang, "name")] for row in list_rows(page)] == [bad.name]
    expect(page.locator("html")).to_have_attribute("lang", lang)  # the choice persisted

    assert not problems(log), "\n".join(problems(log))
