"""The scan report and its evidence as the CISO and the auditor read them in a real browser
(Playwright + Debian's chromium), in Japanese and in English (issue 14, items 3, 4, 7).

A good TLS server of the tests' own CA and a closed port on 127.0.0.1 are scanned (the CISO
registered both). The reader opens the good scan's report: the verdicts, the accepted suites
per protocol, the chain as received, the trust anchors, who asked, and the evidence file's
SHA-256 with how to reproduce it; downloads the JSON and hashes it (the printed hash); opens
the evidence on the control (its file name and the same hash). Then the failed scan: it says
the scan did not complete, why, and that the verdicts are unknown (grey, not red); the
endpoint's page says the same. Screenshots go to $MAMORI_SHOTS_DIR (else the test's temporary
directory). Loopback only.
"""

import hashlib
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from mamori.core.tests import test_browser as ui
from mamori.incidents.tests import test_browser_incident_flow as incident_flow
from mamori.risks.tests import test_browser_risk_flow as flow
from mamori.websec import service
from mamori.websec.models import TlsProfile, WebEndpoint, WebSecuritySettings
from mamori.websec.tests.tls_servers import PKI, TLSServer, free_port

expect = ui.expect
pytestmark = ui.pytestmark

live_server = ui.live_server
live_org = ui.live_org
browser = ui.browser
log = flow.log
make_page = flow.make_page
evidence_storage = flow.evidence_storage

OTHER_LOCALE = flow.OTHER_LOCALE
problems, text_in = flow.problems, flow.text_in
open_in = incident_flow.open_in

HSTS = "max-age=63072000"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return PKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def scans(live_org, pki, evidence_storage):
    settings = WebSecuritySettings.current()
    settings.company_ca_pem = pki.ca_pem
    settings.save()
    values = {"server_name": "localhost", "department": live_org.sales,
              "profile": TlsProfile.objects.get(code="intermediate"),
              "handles_personal_info": True}
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        good = WebEndpoint.objects.create(name="会員サイト", handles_card_data=True,
                                          url=f"https://127.0.0.1:{server.port}/", **values)
        [good_scan] = service.run([good], requested_by=live_org.people["ciso"])
    closed = WebEndpoint.objects.create(name="閉じたサイト",
                                        url=f"https://127.0.0.1:{free_port()}/", **values)
    [failed_scan] = service.run([closed], requested_by=live_org.people["ciso"])
    return good_scan, failed_scan


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("reader", ["ciso", "auditor"])
def test_the_report_and_its_evidence_as_the_ciso_and_the_auditor_read_them(
        lang, reader, live_server, live_org, make_page, log, scans, tmp_path):
    shots = Path(os.environ.get("MAMORI_SHOTS_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    good_scan, failed_scan = scans
    page = make_page(OTHER_LOCALE[lang])
    # The CISO and the auditor must use a second factor (MFA is required for them).
    incident_flow.log_in_with_totp(page, base, live_org.users[reader],
                                   f"x-{reader}-password-1")
    open_in(page, base, lang, good_scan.get_absolute_url())

    # The good scan: the positive proof, the chain, the anchors, who asked, the hash.
    report = page.get_by_test_id("report")
    for promise in ("authentication", "encryption", "integrity"):
        expect(report.locator(f'[data-promise="{promise}"] .card-header .badge')).to_have_text(
            text_in(lang, "pass"))
    expect(page.get_by_test_id("accepted-suites")).to_contain_text("TLS_AES_128_GCM_SHA256")
    expect(page.get_by_test_id("accepted-suites")).to_contain_text("prime256v1")
    expect(page.get_by_test_id("chain")).to_contain_text("CN=localhost")
    company = good_scan.result["context"]["trust_anchors"]["company"][0]
    expect(page.get_by_test_id("trust-anchors")).to_contain_text(company["sha256"])
    context = page.get_by_test_id("scan-context")
    with translation.override(lang):  # a person's name is shown in the page's language
        requester = str(live_org.people["ciso"])
    expect(context).to_contain_text(requester)
    expect(context).to_contain_text("localhost")
    expect(context).to_contain_text("sslyze")
    expect(context).to_contain_text(text_in(lang, "handles card data"))
    name = f"tls-scan-{good_scan.pk}.json"
    expect(page.get_by_test_id("evidence-hash")).to_contain_text(good_scan.result_sha256)
    expect(page.get_by_test_id("evidence-hash")).to_contain_text(f"sha256sum {name}")
    ui.screenshot(page, shots / f"{reader}-{lang}-good-report.png")

    # The JSON download hashes to the printed hash (what `sha256sum` gives).
    with page.expect_download() as info:
        page.get_by_test_id("report-json").click()
    download = info.value
    assert download.suggested_filename == name
    body = Path(download.path()).read_bytes()
    assert hashlib.sha256(body).hexdigest() == good_scan.result_sha256

    # The evidence on the control: its file name and the same hash.
    page.goto(f"{base}{reverse('controls:evidence_detail', args=[good_scan.evidence_id])}")
    expect(page.locator("body")).to_contain_text(good_scan.result_sha256)
    expect(page.locator("body")).to_contain_text(name)
    ui.screenshot(page, shots / f"{reader}-{lang}-evidence.png")

    # The failed scan: did not complete, why, verdicts unknown (grey, never red).
    page.goto(f"{base}{failed_scan.get_absolute_url()}")
    notice = page.get_by_test_id("scan-incomplete")
    expect(notice).to_be_visible()
    with translation.override(lang):
        why = service.scan_error_reason(failed_scan.result["error"])
    expect(notice).to_contain_text(why)
    for promise in ("authentication", "encryption", "integrity", "profile"):
        badge = page.get_by_test_id("report").locator(
            f'[data-promise="{promise}"] .card-header .badge')
        expect(badge).to_have_text(text_in(lang, "unknown"))
        expect(badge).to_have_class("ms-auto badge bg-secondary-lt")
    expect(page.get_by_test_id("report")).not_to_contain_text(text_in(lang,
                                                                      "No problem found."))
    ui.screenshot(page, shots / f"{reader}-{lang}-failed-report.png")
    page.goto(f"{base}{failed_scan.endpoint.get_absolute_url()}")
    expect(page.get_by_test_id("verdict-unknown")).to_be_visible()
    ui.screenshot(page, shots / f"{reader}-{lang}-failed-endpoint.png")
    assert not problems(log), "\n".join(problems(log))
