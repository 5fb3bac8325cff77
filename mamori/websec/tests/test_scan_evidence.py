"""Issue 14, items 3, 4, 5, 7 and 8 (loopback only): the evidence file proves itself (the
hash printed is the hash of the bytes downloaded), a scan that did not complete says so and
why and leaves its verdicts unknown, slow but healthy servers are all scanned, the report
carries what an auditor needs on its own, and `mamori tlsscan` starts without the scanner."""

import hashlib
import json
import subprocess
import sys

import pytest
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from mamori.controls.models import Evidence
from mamori.core.testing import api_client
from mamori.websec import report, service
from mamori.websec.models import TlsScan, WebSecuritySettings
from mamori.websec.tests.records import endpoint
from mamori.websec.tests.tls_servers import PKI, SlowHandshakeServer, TLSServer, free_port

pytestmark = pytest.mark.django_db
HSTS = "max-age=63072000"


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return PKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def trusted(db, pki):
    settings = WebSecuritySettings.current()
    settings.company_ca_pem = pki.ca_pem
    settings.save()
    return settings


def downloaded(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def pdf_html(row, language) -> str:
    with translation.override(language):
        return render_to_string("websec/report_pdf.html", {"report": report.build(row)})


# ------------------------------------------------------------------------------ item 3


def test_the_downloaded_evidence_file_hashes_to_the_printed_hash(org, pki, trusted):
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        site = endpoint(org, server.port)
        [row] = service.run([site], requested_by=org.people["manager"])
    evidence = Evidence.objects.get(pk=row.evidence_id)
    name = f"tls-scan-{row.pk}.json"
    # The evidence row knows its file: name, size and hash, computed with the row.
    assert evidence.file_name == name
    assert evidence.file_sha256 == row.result_sha256 and len(row.result_sha256) == 64
    # Downloaded through the real views (the evidence, and the scan's JSON), as the auditor.
    auditor = org.client("auditor")
    from_evidence = auditor.get(reverse("controls:evidence_download", args=[evidence.pk]))
    assert from_evidence.status_code == 200 and name in from_evidence["Content-Disposition"]
    from_scan = auditor.get(reverse("websec:tlsscan_report", args=[row.pk, "json"]))
    assert name in from_scan["Content-Disposition"]
    for body in (downloaded(from_evidence), downloaded(from_scan)):
        assert hashlib.sha256(body).hexdigest() == row.result_sha256 == evidence.file_sha256
        assert len(body) == evidence.file_size
        assert json.loads(body) == row.result
    # The hash printed on the page and the PDF, with how to reproduce it.
    page = auditor.get(row.get_absolute_url()).content.decode()
    assert row.result_sha256 in page and f"sha256sum {name}" in page
    for language in ("ja", "en"):
        html = pdf_html(row, language)
        assert row.result_sha256 in html and f"sha256sum {name}" in html
    assert "SHA-256" in evidence.note and row.result_sha256 in evidence.note
    # The evidence page no longer says "SHA-256 —".
    evidence_page = auditor.get(evidence.get_absolute_url()).content.decode()
    assert row.result_sha256 in evidence_page
    # A certificate check has no evidence row; its JSON, rebuilt from the database (a
    # PostgreSQL jsonb column reorders keys), hashes the same.
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        [check] = service.run([endpoint(org, server.port, name="証明書")],
                              kind=TlsScan.Kind.CERTIFICATE)
    check.refresh_from_db()
    body = downloaded(auditor.get(reverse("websec:tlsscan_report", args=[check.pk, "json"])))
    assert check.evidence_id is None
    assert hashlib.sha256(body).hexdigest() == check.result_sha256
    # A scan recorded before (hash over a compact form) is not described as the file's hash.
    TlsScan.objects.filter(pk=check.pk).update(result_sha256="0" * 64)
    check.refresh_from_db()
    assert "sha256sum" not in service.hash_text(check)


# ------------------------------------------------------------------------------ item 4


def test_a_scan_that_did_not_complete_says_why_and_its_verdicts_are_unknown(org, trusted):
    site = endpoint(org, free_port(), name="閉じたサイト")
    [row] = service.run([site])
    assert row.status == TlsScan.Status.FAILED and row.result["error"] == "unreachable"
    ciso = org.client("ciso")
    for language, words in (("en", ("did not complete", "unknown, not failed",
                                     "no TLS server answered on this port")),
                            ("ja", ("完了しませんでした", "不明",
                                    "このポートで応答するTLSサーバがありませんでした"))):
        with translation.override(language):
            page = ciso.get(row.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
            html = page.content.decode()
            text = report.build(row)
        assert all(w in html for w in words), (language, [w for w in words if w not in html])
        assert text.incomplete and all(p.ok is None for p in text.promises)
        assert all(not p.reasons for p in text.promises)
        pdf = pdf_html(row, language)
        assert all(w in pdf for w in words), language
        assert 'class="fail"' not in pdf
    page = ciso.get(row.get_absolute_url()).content.decode()
    assert "bg-red-lt" not in page.split('data-testid="report"')[1].split("Protocols")[0]
    # The endpoint's page says the same.
    endpoint_page = ciso.get(site.get_absolute_url()).content.decode()
    assert 'data-testid="verdict-unknown"' in endpoint_page
    # The API: null verdicts, the status "failed", the error in the raw result.
    data = api_client(org.users["ciso"]).get(f"/api/websec/scans/{row.pk}/",
                                             HTTP_ACCEPT_LANGUAGE="en").json()
    assert data["status"] == "failed"
    assert "did not complete" in data["incomplete_reason"]
    assert "no TLS server answered" in data["incomplete_reason"]
    ja = api_client(org.users["ciso"]).get(f"/api/websec/scans/{row.pk}/",
                                           HTTP_ACCEPT_LANGUAGE="ja").json()
    assert "完了しませんでした" in ja["incomplete_reason"]
    assert [data[f"{p}_ok"] for p in ("authentication", "encryption", "integrity",
                                      "profile")] == [None] * 4
    site_data = api_client(org.users["ciso"]).get(f"/api/websec/endpoints/{site.pk}/").json()
    assert site_data["authentication_ok"] is None


def test_the_command_says_a_scan_did_not_complete(org, trusted, capsys, english):
    from django.core.management import call_command

    endpoint(org, free_port(), name="closed")
    with pytest.raises(SystemExit):
        call_command("tlsscan", "closed")
    out = capsys.readouterr().out
    assert "did not complete" in out and "fail" not in out.replace("not failed", "")


# ------------------------------------------------------------------------------ item 5


@override_settings(MAMORI_TLSSCAN_CONCURRENCY=1)
def test_slow_but_healthy_servers_are_all_scanned(org, pki, trusted, monkeypatch):
    """Three servers, each slow to shake hands, scanned one at a time: the batch takes far
    longer than one endpoint does. Each is bounded on its own, so all are scanned. (The
    former batch bound, set small here, would have failed the last ones.)"""
    monkeypatch.setattr(service, "BATCH_TIMEOUT", 2.0, raising=False)
    servers = [SlowHandshakeServer(pki.leaf("good"), delay=0.7, hsts=HSTS) for _ in range(3)]
    try:
        sites = [endpoint(org, s.__enter__().port, name=f"slow-{i}")
                 for i, s in enumerate(servers)]
        rows = service.run(sites, kind=TlsScan.Kind.CERTIFICATE)
    finally:
        for server in servers:
            server.close()
    assert [row.status for row in rows] == ["done"] * 3, [r.result["error"] for r in rows]
    assert all(row.authentication_ok for row in rows)


# ------------------------------------------------------------------------------ item 7


def test_the_report_and_the_file_carry_what_an_auditor_needs(org, pki, trusted, english):
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        site = endpoint(org, server.port, handles_card_data=True)
        [row] = service.run([site], requested_by=org.people["manager"])
    context = row.result["context"]
    assert context["requested_by"] == str(org.people["manager"])
    assert context["server_name_sent"] == "localhost"
    assert context["scanner"]["mamori"] and row.result["sslyze_version"]
    assert context["endpoint"]["handles_card_data"] is True
    assert context["endpoint"]["handles_personal_info"] is True
    [company] = context["trust_anchors"]["company"]
    assert company["subject"] == pki.ca.cert.subject.rfc4514_string()
    built = report.build(row)
    protocols = dict(built.accepted)
    assert "TLS 1.3" in protocols and "TLS 1.2" in protocols
    assert any("ECDHE" in kx and "256" in kx for _suite, kx in protocols["TLS 1.2"])
    assert built.groups and built.chain[0]["subject"].startswith("CN=localhost")
    html = pdf_html(row, "en")
    for expected in ("Accepted cipher suites", "TLS_AES_128_GCM_SHA256", "prime256v1",
                     "Certificate chain as received", "Trust anchors used", company["sha256"],
                     "localhost", "sslyze", str(org.people["manager"]), "handles card data"):
        assert expected in html, expected
    page = org.client("auditor").get(row.get_absolute_url()).content.decode()
    assert company["sha256"] in page and "TLS_AES_128_GCM_SHA256" in page


# ------------------------------------------------------------------------------ item 8


def test_the_tlsscan_command_module_does_not_load_the_scanner_or_the_pdf_renderer():
    code = (
        "import sys, django; django.setup();"
        "import mamori.websec.management.commands.tlsscan;"
        "heavy = [m for m in ('sslyze', 'nassl', 'weasyprint', 'mamori.websec._engine',"
        " 'mamori.websec.views', 'mamori.websec.report', 'rest_framework.test')"
        " if m in sys.modules];"
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=_env())
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", done.stdout


def _env():
    import os

    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "mamori.settings")
    return env


def test_a_stored_scan_with_an_error_and_old_verdicts_shows_the_failure_not_no_problems(org):
    """Issue 16 #5: a row written with an error but a "fail" verdict (as rows were before failed
    scans kept unknown verdicts) read "fail" above "no problem found", hiding the error."""
    site = endpoint(org, free_port(), name="古い失敗")
    result = {"error": "unreachable", "error_detail": "connection refused"}
    row = TlsScan.objects.create(
        endpoint=site, kind="full", status=TlsScan.Status.DONE, started_at=timezone.now(),
        finished_at=timezone.now(), profile_code=site.profile.code,
        profile_version=site.profile.version, authentication_ok=False, encryption_ok=False,
        integrity_ok=False, profile_ok=False, problems=[], result=result,
        result_sha256=hashlib.sha256(service.result_bytes(result)).hexdigest())
    ciso = org.client("ciso")
    for language, failed, no_problem in (
            ("en", "did not complete", "No problem found"),
            ("ja", "完了しませんでした", "問題は見つかりませんでした")):
        html = ciso.get(row.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert failed in html and "connection refused" in html, language
        assert no_problem not in html, language
        assert "bg-red-lt" not in html.split('data-testid="report"')[1].split("Protocols")[0]
