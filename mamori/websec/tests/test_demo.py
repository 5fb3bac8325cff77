"""The demo's web endpoints and their scan history (mamori.websec.demo) on top of the demo
organisation and its controls: built without scanning anything, judged by the service as real
scans are, and failing the web check exactly where the demo means it to."""

import datetime
import io
import json
import socket

import pytest
from django.utils import timezone

from mamori.controls.demo import load_control_demo
from mamori.controls.models import Control, Evidence
from mamori.core import changelog
from mamori.core.conformance import FAIL, SYSTEM
from mamori.core.demo import demo_steps
from mamori.core.models import ChangeLogEntry
from mamori.incidents.demo import load_incident_demo
from mamori.org.demo import DEFAULT_SEED, load_demo
from mamori.websec import demo, scan, service, verdict
from mamori.websec.conformance import endpoints_verified
from mamori.websec.demo import (
    ADMIN,
    API,
    APPLY,
    COMPANY_ROOT_PEM,
    DAYS,
    EXPIRES_IN_DAYS,
    LEGACY_UNTIL_DAYS_AGO,
    LOAN,
    MEMBERS,
    MERCHANTS,
    NO_HSTS_SINCE_DAYS_AGO,
    SITES,
    STAGING,
    load_websec_demo,
)
from mamori.websec.models import TlsFinding, TlsScan, WebEndpoint, WebSecuritySettings

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
STEPS = (load_control_demo, load_websec_demo)
FULL, CERTIFICATE = TlsScan.Kind.FULL, TlsScan.Kind.CERTIFICATE


def no_network(monkeypatch):
    """Any attempt to connect, resolve a name or start a scan fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"the demo tried to reach the network: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(scan, "scan_targets", refuse)


@pytest.fixture
def loaded(tmp_path, monkeypatch):
    load_demo(tmp_path, io.StringIO())
    with monkeypatch.context() as patched:
        no_network(patched)
        return [step(DEFAULT_SEED) for step in STEPS]


def site(name) -> WebEndpoint:
    return WebEndpoint.objects.get(server_name=name)


def open_codes(endpoint) -> set[str]:
    return set(TlsFinding.objects.filter(endpoint=endpoint).open().values_list("code", flat=True))


def counts():
    return (WebEndpoint.objects.count(), TlsScan.objects.count(), TlsFinding.objects.count(),
            Evidence.objects.count(), Control.objects.count(), ChangeLogEntry.objects.count(),
            list(WebSecuritySettings.objects.values_list("control", "company_ca_pem")))


def test_the_step_runs_after_the_controls():
    steps = demo_steps()
    assert steps.index(load_websec_demo) > steps.index(load_control_demo)
    assert steps.index(load_websec_demo) > steps.index(load_incident_demo)


def test_the_endpoints(loaded):
    assert loaded[1] == len(SITES) == WebEndpoint.objects.count() == 7
    for endpoint in WebEndpoint.objects.select_related("department", "profile"):
        endpoint.full_clean()  # as the form would have it, the loopback address included
        assert endpoint.host.startswith("127.") and endpoint.port == 443
        assert endpoint.server_name.endswith(".minato-card.example")
        assert endpoint.department.code in {s.department for s in SITES}
        assert endpoint.active and endpoint.last_full_scan_at and endpoint.verified_until
    profiles = dict(WebEndpoint.objects.values_list("server_name", "profile__code"))
    assert profiles[API] == "modern-rsa" and profiles[ADMIN] == "modern"
    assert {profiles[name] for name in (MEMBERS, APPLY, LOAN, MERCHANTS, STAGING)} == {
        "intermediate"}
    assert list(WebEndpoint.objects.filter(client_cert_required=True)) == [site(ADMIN)]
    assert list(WebEndpoint.objects.exclude(
        pk__in=WebEndpoint.objects.handling_personal_data())) == [site(STAGING)]
    assert site(STAGING).scan_every_hours == 24 * 7
    assert set(WebEndpoint.objects.values_list("purpose", flat=True)) == set(
        WebEndpoint.Purpose.values)


def test_a_history_of_scans_judged_like_real_ones(loaded):
    from mamori.websec import _engine

    keys = set(_engine.empty_result({"host": "h", "port": 443}))
    now = timezone.now()
    first = now - datetime.timedelta(days=DAYS + 1)
    for row in TlsScan.objects.select_related("endpoint__profile"):
        result = row.result
        # The scanner's own shape, with the extra fact it records for mutual TLS, and the
        # scan's context (who asked, anchors, endpoint attributes) Mamori adds.
        assert set(result) - {"client_cert_requirement_sslyze", "context"} == keys, row
        assert result["context"]["endpoint"]["name"] == row.endpoint.name
        assert result["full"] is (row.kind == FULL)
        assert result["target"]["server_name"] == row.endpoint.server_name
        assert first < row.started_at <= row.finished_at <= now
        assert row.result_sha256 == service.result_hash(result)
        assert row.status == TlsScan.Status.DONE
        # Judged again as of now, the result gives what was recorded.
        endpoint = row.endpoint
        again = verdict.evaluate(result, endpoint.profile.definition,
                                 handles_personal_data=endpoint.handles_personal_data,
                                 client_cert_required=endpoint.client_cert_required)
        assert (again.authentication, again.encryption, again.integrity, again.profile) == (
            row.authentication_ok, row.encryption_ok, row.integrity_ok, row.profile_ok), row
    for endpoint in WebEndpoint.objects.all():
        fulls = endpoint.scans.filter(kind=FULL)
        expected = 2 if endpoint.server_name == STAGING else DAYS
        expected += 1 if endpoint.server_name == LOAN else 0  # the scan after the fix
        assert fulls.count() == expected, endpoint
        assert endpoint.scans.filter(kind=CERTIFICATE).count() >= DAYS - 1
        # The first scan was started by hand when the endpoint was registered.
        assert fulls.order_by("started_at").first().requested_by is not None
        assert endpoint.last_full_scan_at == fulls.first().started_at
        assert endpoint.verified_until > now


def test_certificate_checks_judge_only_what_they_read(loaded):
    checks = TlsScan.objects.filter(kind=CERTIFICATE)
    assert checks.exists()
    for check in checks:
        assert not [p for p in check.problems if p["promise"] in ("encryption", "integrity")]
        assert check.integrity_ok and check.encryption_ok
    # No finding was ever opened by a certificate check: the full scans found everything.
    assert not TlsFinding.objects.filter(opened_by_scan__kind=CERTIFICATE).exists()


def test_the_loan_form_findings_were_closed_by_the_scan_after_the_fix(loaded):
    loan = site(LOAN)
    findings = TlsFinding.objects.filter(endpoint=loan)
    assert findings.exists() and not findings.open().exists()
    assert {"enc.protocol", "int.weak_mac", "profile.cipher"} == set(
        findings.values_list("code", flat=True))
    assert set(findings.filter(code="enc.protocol").values_list("params__protocol",
                                                                flat=True)) == {"tls1.0", "tls1.1"}
    first = loan.scans.order_by("started_at").first()
    rescan = findings.first().closed_by_scan
    assert rescan.kind == FULL and rescan.requested_by is not None and rescan.passes
    for finding in findings:
        assert finding.opened_by_scan == first and finding.opened_at == first.started_at
        assert finding.closed_by_scan == rescan and finding.closed_at == rescan.started_at
    days_ago = (timezone.localdate() - timezone.localtime(rescan.started_at).date()).days
    assert days_ago in (LEGACY_UNTIL_DAYS_AGO, LEGACY_UNTIL_DAYS_AGO + 1)
    before = loan.scans.filter(kind=FULL, started_at__lt=rescan.started_at)
    assert before.count() == DAYS - LEGACY_UNTIL_DAYS_AGO
    assert not before.filter(encryption_ok=True).exists()
    assert all(row.result["protocols"]["tls1.0"] for row in before)
    assert not loan.scans.filter(kind=FULL, started_at__gte=rescan.started_at,
                                 encryption_ok=False).exists()
    assert loan.passes and loan.profile_ok


def test_the_web_check_fails_for_the_application_form_alone(loaded):
    result = endpoints_verified()
    apply = site(APPLY)
    assert result.status == FAIL and result.failing_count == 1
    assert [f.url for f in result.failing_for(SYSTEM).objects] == [apply.get_absolute_url()]
    assert (apply.authentication_ok, apply.encryption_ok, apply.integrity_ok) == (
        True, True, False)
    # Without HSTS the Mozilla profile fails too (issue 14), on the same scans.
    assert open_codes(apply) == {"int.no_hsts", "profile.no_hsts"}
    assert apply.profile_ok is False
    finding = TlsFinding.objects.get(endpoint=apply, code="int.no_hsts")
    assert TlsFinding.objects.get(endpoint=apply, code="profile.no_hsts").opened_at == (
        finding.opened_at)
    without = apply.scans.filter(kind=FULL, started_at__gte=finding.opened_at)
    assert without.count() == NO_HSTS_SINCE_DAYS_AGO + 1
    assert apply.scans.filter(kind=FULL, started_at__lt=finding.opened_at,
                              integrity_ok=True).count() == DAYS - NO_HSTS_SINCE_DAYS_AGO - 1


def test_the_other_stories(loaded):
    merchant = site(MERCHANTS)
    assert merchant.passes and merchant.profile_ok is False
    assert merchant.days_to_expiry == EXPIRES_IN_DAYS
    warning = TlsFinding.objects.open().get(endpoint=merchant, code="auth.expiring_soon")
    assert warning.level == verdict.WARNING and warning.params["days_left"] == EXPIRES_IN_DAYS
    assert open_codes(merchant) == {"auth.expiring_soon", "profile.hsts_max_age"}

    staging = site(STAGING)
    assert staging.authentication_ok is False and not staging.handles_personal_data
    assert "auth.self_signed" in open_codes(staging)

    admin = site(ADMIN)
    assert admin.passes and admin.profile_ok
    assert open_codes(admin) == {"int.hsts_not_checked"}
    assert admin.scans.filter(kind=FULL).first().result["client_cert_enforced"] is True

    for name in (MEMBERS, API):
        assert site(name).passes and site(name).profile_ok and not open_codes(site(name))


def test_the_scans_are_evidence_on_the_encryption_control(loaded):
    settings = WebSecuritySettings.current()
    assert settings.control.code == "C-TEC-08"
    assert settings.company_ca_pem == COMPANY_ROOT_PEM
    settings.full_clean()
    assert not Control.objects.filter(code=service.WEB_CONTROL_CODE).exists()
    fulls = TlsScan.objects.filter(kind=FULL).select_related("evidence")
    assert not TlsScan.objects.filter(kind=CERTIFICATE, evidence__isnull=False).exists()
    for row in fulls:
        evidence = row.evidence
        assert evidence.control == settings.control and evidence.kind == Evidence.Kind.FILE
        with evidence.file.open("rb") as stored:
            assert json.loads(stored.read()) == row.result
        assert evidence.collected_on == timezone.localtime(row.started_at).date()
        assert evidence.collected_by == row.requested_by
    # The latest scans are current evidence; the control keeps passing the Art 5 check.
    assert settings.control.evidence.filter(expires_on__gt=timezone.localdate()).count() >= 6


def test_idempotent_and_the_change_log_verifies(loaded, monkeypatch):
    before = counts()
    no_network(monkeypatch)
    assert [step(DEFAULT_SEED) for step in STEPS] == [0, 0]
    assert counts() == before
    result = changelog.verify()
    assert result.ok, result.problem
    for model in ("websec.webendpoint", "websec.tlsscan", "websec.tlsfinding",
                  "websec.websecuritysettings", "controls.evidence"):
        entry = ChangeLogEntry.objects.filter(model=model).last()
        assert (entry.actor_name, entry.source) == ("command:demo", "command"), model


def test_the_same_facts_from_the_same_seed(monkeypatch):
    no_network(monkeypatch)
    history = demo.History(DEFAULT_SEED)
    again = demo.History(DEFAULT_SEED)
    for spec in SITES:
        assert history.certificate(spec) == again.certificate(spec)
        moment = history.at(1, demo.NIGHT)
        assert history.server(spec, moment) == again.server(spec, moment)
    other = demo.History(DEFAULT_SEED + 1)
    assert history.certificate(SITES[0])[0]["serial"] != other.certificate(SITES[0])[0]["serial"]


def test_without_the_controls_demo_mamori_creates_its_control(tmp_path, monkeypatch):
    load_demo(tmp_path, io.StringIO())
    no_network(monkeypatch)
    assert load_websec_demo(DEFAULT_SEED) == len(SITES)
    control = WebSecuritySettings.current().control
    assert control.code == service.WEB_CONTROL_CODE
    assert control.evidence.count() == TlsScan.objects.filter(kind=FULL).count()
    assert endpoints_verified().failing_count == 1


def test_nothing_without_the_demo_organisation(org):
    assert load_websec_demo(DEFAULT_SEED) == 0
    assert not WebEndpoint.objects.exists() and not TlsScan.objects.exists()
