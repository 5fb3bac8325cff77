"""Scanning registered endpoints end to end, against TLS servers of the tests' own CA on
127.0.0.1: the scan row and its hash, the verdict copied to the endpoint, findings that open
once and close when a later scan passes, the evidence on the web-systems control, the
conformance check, the "Scan now" button and `mamori tlsscan`."""

import datetime
import hashlib
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from mamori.controls.models import Control, Evidence, Theme
from mamori.core.testing import api_client, log_entries
from mamori.websec import service
from mamori.websec.conformance import endpoints_verified
from mamori.websec.models import (
    ScanRequest,
    TlsFinding,
    TlsProfile,
    TlsScan,
    WebEndpoint,
    WebSecuritySettings,
)
from mamori.websec.tests.records import endpoint
from mamori.websec.tests.tls_servers import PKI, TLSServer

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


def test_a_good_endpoint_passes_and_the_scan_is_evidence(org, pki, trusted):
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        site = endpoint(org, server.port)
        [row] = service.run([site])
    assert row.passes and row.profile_ok, row.problems
    assert row.result_sha256 == hashlib.sha256(service.result_bytes(row.result)).hexdigest()
    site.refresh_from_db()
    assert (site.authentication_ok, site.encryption_ok, site.integrity_ok) == (True,) * 3
    assert site.certificate_expires_at is not None and site.last_full_scan_at is not None
    assert not TlsFinding.objects.exists()
    # The scan is evidence on the web-systems control Mamori created, as the raw JSON.
    control = Control.objects.get(code=service.WEB_CONTROL_CODE)
    assert control.theme == Theme.TECHNOLOGICAL
    evidence = Evidence.objects.get(pk=row.evidence_id)
    assert evidence.control == control and evidence.kind == Evidence.Kind.FILE
    assert json.loads(evidence.file.read()) == row.result
    assert "認証" in evidence.note or "Authentication" in evidence.note
    assert endpoints_verified().status == "pass"
    # The raw result is not copied into the change log; its hash is.
    entry = log_entries(row, "create").get()
    assert entry.after["result"] == "[redacted]" and entry.after["result_sha256"]


def test_findings_open_once_and_close_when_a_later_scan_passes(org, pki, trusted):
    bad = {"min_version": "1.2", "ciphers": "AES128-GCM-SHA256:ECDHE+AESGCM"}
    rsa_leaf = pki.leaf("rsa-good", key_type="rsa", key_size=2048)
    with TLSServer(rsa_leaf, hsts=HSTS, **bad) as server:
        site = endpoint(org, server.port)
        first, second = service.run([site]) + service.run([site])
    assert not first.encryption_ok and "enc.no_forward_secrecy" in {
        p["code"] for p in first.problems}
    open_findings = TlsFinding.objects.filter(endpoint=site).open()
    # One finding per endpoint and problem, however many scans found it.
    assert open_findings.filter(code="enc.no_forward_secrecy").count() == 1
    finding = open_findings.get(code="enc.no_forward_secrecy")
    assert finding.opened_by_scan == first and finding.last_seen_at == second.started_at
    assert endpoints_verified().status == "fail"
    with TLSServer(pki.leaf("good"), hsts=HSTS) as fixed:
        site.url = f"https://127.0.0.1:{fixed.port}/"
        site.save()
        [third] = service.run([site])
    assert third.passes
    finding.refresh_from_db()
    assert finding.closed_at == third.started_at and finding.closed_by_scan == third
    assert not TlsFinding.objects.filter(endpoint=site).open().exists()
    assert endpoints_verified().status == "pass"


def test_a_certificate_check_keeps_findings_it_does_not_check(org, pki, trusted):
    with TLSServer(pki.leaf("good"), hsts=None) as server:
        site = endpoint(org, server.port)
        service.run([site])
        assert TlsFinding.objects.filter(endpoint=site, code="int.no_hsts").open().exists()
        [check] = service.run([site], "certificate")
    assert check.kind == TlsScan.Kind.CERTIFICATE
    assert TlsFinding.objects.filter(endpoint=site, code="int.no_hsts").open().exists()
    site.refresh_from_db()
    assert site.integrity_ok is False  # from the full scan, not reset by the check


def test_a_failed_scan_opens_a_finding_and_the_check_counts_the_endpoint_unknown(
        org, pki, trusted, english):
    from mamori.websec.tests.tls_servers import free_port

    site = endpoint(org, free_port())
    [row] = service.run([site])
    # Nothing was checked: the verdicts are unknown, not failed.
    assert row.status == TlsScan.Status.FAILED and row.passes is None
    assert (row.authentication_ok, row.encryption_ok, row.integrity_ok, row.profile_ok) == (
        None, None, None, None)
    assert TlsFinding.objects.get(endpoint=site).code == "scan.error"
    site.refresh_from_db()
    assert site.passes is None and site.last_scan_incomplete
    result = endpoints_verified()
    assert result.status == "n/a" and not result.failing_count
    assert "1 endpoint(s) not checked" in result.detail
    # Beside an endpoint that passes, it is counted neither way.
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        service.run([endpoint(org, server.port, name="良いサイト")])
    result = endpoints_verified()
    assert (result.status, result.value, result.failing_count) == ("pass", 100.0, 0)
    assert "not checked" in result.detail


def test_a_scan_older_than_the_schedule_allows_does_not_count(org, pki, trusted):
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        site = endpoint(org, server.port, scan_every_hours=24)
        service.run([site])
    assert endpoints_verified().status == "pass"
    site.refresh_from_db()
    site.last_full_scan_at = timezone.now() - datetime.timedelta(hours=49)
    site.save()  # the scan counts until twice the 24-hour interval after it ran
    assert endpoints_verified().status == "fail"
    WebEndpoint.objects.filter(pk=site.pk).update(handles_personal_info=False)
    assert endpoints_verified().status == "n/a"


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_scan_now_button_api_and_command(org, pki, trusted, capsys):
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        site = endpoint(org, server.port, department=org.sales)
        manager = org.client("manager")
        scan_url = reverse("websec:webendpoint_scan", args=[site.pk])
        response = manager.post(scan_url, {"kind": "full"})
        # Queued, not scanned in the request: back to the endpoint, whose page shows it.
        assert response.status_code == 302 and response["Location"] == site.get_absolute_url()
        assert not TlsScan.objects.filter(endpoint=site).exists()
        assert manager.post(scan_url, {"kind": "certificate"}).status_code == 302
        [queued] = ScanRequest.objects.filter(endpoint=site)  # a full scan is already queued
        assert queued.status == "queued" and queued.requested_by == org.people["manager"]
        page = manager.get(site.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")
        assert b'data-status="queued"' in page.content and b"hx-trigger" in page.content
        call_command("worker", "--batch", "--no-startup-delay")
        row = TlsScan.objects.get(endpoint=site)
        status = manager.get(reverse("websec:webendpoint_scan_status", args=[site.pk]))
        assert b'data-status="done"' in status.content
        assert b"hx-trigger" not in status.content  # the page stops asking
        assert row.get_absolute_url().encode() in status.content
        assert row.requested_by == org.people["manager"]
        page = org.client("manager").get(row.get_absolute_url())
        assert page.status_code == 200 and len(page.context["report"].promises) == 4
        assert org.client("manager").get(reverse(
            "websec:tlsscan_report", args=[row.pk, "pdf"])).content[:4] == b"%PDF"
        # Staff do not scan; the auditor reads but does not scan.
        assert org.client("staff").post(reverse("websec:webendpoint_scan",
                                                args=[site.pk])).status_code == 404
        assert org.client("auditor").post(reverse("websec:webendpoint_scan",
                                                  args=[site.pk])).status_code == 403
        call_command("tlsscan", site.name)
        # Once the first scan has started, pressing again queues another.
        assert manager.post(scan_url).status_code == 302
        assert ScanRequest.objects.filter(endpoint=site, status="queued").count() == 1
    assert "会員サイト" in capsys.readouterr().out
    assert TlsScan.objects.filter(endpoint=site).count() == 2


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between tasks
def test_the_api_queues_a_scan_as_the_button_does_and_reports_its_state(org, pki, trusted):
    """POST …/scan/ answers 202 with a queued request, not a scan held in the request; its
    status URL reads queued until a worker has run it, then done with the scan's id."""
    with TLSServer(pki.leaf("good"), hsts=HSTS) as server:
        site = endpoint(org, server.port, department=org.sales)
        api = api_client(org.users["manager"])
        response = api.post(f"/api/websec/endpoints/{site.pk}/scan/", {"kind": "certificate"},
                            format="json")
        assert response.status_code == 202, response.json()
        body = response.json()
        [queued] = ScanRequest.objects.filter(endpoint=site)
        assert (body["id"], body["kind"], body["status"], body["scan"]) == (
            queued.pk, "certificate", "queued", None)
        status_url = f"/api/websec/endpoints/{site.pk}/scan-requests/{queued.pk}/"
        assert body["status_url"] == f"http://testserver{status_url}"
        assert response["Location"] == body["status_url"]
        assert not TlsScan.objects.filter(endpoint=site).exists()
        # Asked again while it waits: the same request, not a second scan.
        again = api.post(f"/api/websec/endpoints/{site.pk}/scan/", {"kind": "certificate"},
                         format="json")
        assert again.status_code == 202 and again.json()["id"] == queued.pk
        assert api.get(status_url).json()["status"] == "queued"
        call_command("worker", "--batch", "--no-startup-delay")
    row = TlsScan.objects.get(endpoint=site)
    state = api.get(status_url).json()
    assert (state["status"], state["scan"], row.kind) == ("done", row.pk, "certificate")
    assert row.requested_by == org.people["manager"]
    # Read by whoever may see the endpoint; not found through another endpoint.
    other = endpoint(org, 8443, name="別サイト", department=org.sales)
    assert api.get(f"/api/websec/endpoints/{other.pk}/scan-requests/{queued.pk}/"
                   ).status_code == 404
    assert api_client(org.users["auditor"]).get(status_url).status_code == 200
    assert api_client(org.users["auditor"]).post(
        f"/api/websec/endpoints/{site.pk}/scan/").status_code == 403


def test_finished_scan_requests_are_purged_after_thirty_days_their_scans_kept(org):
    from django_tasks_db.models import DBTaskResult

    from mamori.core.schedule import periodic_tasks
    from mamori.core.taskhealth import AbandonedTask
    from mamori.websec.tasks import purge_scan_requests
    from mamori.websec.tests.test_websec_models import record

    assert "mamori.websec.tasks.purge_scan_requests" in {p.name for p in periodic_tasks()}
    site = endpoint(org, 8443, department=org.sales)
    scan = record(site)
    now = timezone.now()

    def made(status, age_days, kind="full", **fields):
        at = now - datetime.timedelta(days=age_days)
        return ScanRequest.objects.create(
            endpoint=site, kind=kind, status=status, created_at=at,
            finished_at=None if status in ("queued", "running") else at, **fields)

    old_done = made("done", 31, scan=scan)
    old_failed = made("failed", 40)
    recent_done = made("done", 29)
    # Still waiting, as far as anyone knows (no task to ask): kept.
    old_queued = made("queued", 45, kind="certificate")
    service.request_scan(site, org.users["manager"], "full")
    given_up = ScanRequest.objects.exclude(
        pk__in=[old_done.pk, old_failed.pk, recent_done.pk, old_queued.pk]).get()
    DBTaskResult.objects.get(pk=given_up.task_result_id).set_failed(
        AbandonedTask("worker stopped while running this task"))
    ScanRequest.objects.filter(pk=given_up.pk).update(created_at=now - datetime.timedelta(days=60))

    assert purge_scan_requests.call() == 2
    remaining = ScanRequest.objects.all()
    assert {r.pk for r in remaining} == {recent_done.pk, old_queued.pk, given_up.pk}
    assert TlsScan.objects.filter(pk=scan.pk).exists()
    # The given-up request is now recorded as failed, and goes thirty days from today.
    given_up.refresh_from_db()
    assert given_up.status == "failed" and given_up.finished_at > now
    assert purge_scan_requests.call() == 0


def test_a_non_loopback_address_is_refused_when_registered(org):
    response = org.client("manager").post(reverse("websec:webendpoint_create"), {
        "name": "外部", "url": "https://192.0.2.10/", "server_name": "", "purpose": "api",
        "handles_personal_info": "on", "department": org.sales.pk,
        "profile": TlsProfile.objects.get(code="intermediate").pk,
        "scan_every_hours": 24, "certificate_check_every_hours": 1, "active": "on"})
    assert response.status_code == 400
    assert "url" in response.context["form"].errors
    assert not WebEndpoint.objects.exists()


def test_a_scan_request_whose_task_was_given_up_shows_failed_and_can_be_asked_again(org):
    """The sweep for abandoned tasks marks a task failed without running it: the request
    reads that failure, the page stops asking, and "Scan now" queues a new scan."""
    from django_tasks_db.models import DBTaskResult

    from mamori.core.taskhealth import AbandonedTask

    site = endpoint(org, 8443, department=org.sales)
    manager = org.client("manager")
    scan_url = reverse("websec:webendpoint_scan", args=[site.pk])
    manager.post(scan_url)
    [first] = ScanRequest.objects.filter(endpoint=site)
    DBTaskResult.objects.get(pk=first.task_result_id).set_failed(
        AbandonedTask("worker stopped while running this task"))
    status = manager.get(reverse("websec:webendpoint_scan_status", args=[site.pk]),
                         HTTP_ACCEPT_LANGUAGE="en")
    assert b'data-status="failed"' in status.content and b"hx-trigger" not in status.content
    manager.post(scan_url)
    assert list(ScanRequest.objects.filter(endpoint=site).order_by("pk").values_list(
        "status", flat=True)) == ["failed", "queued"]
