"""Scanning endpoints and recording what the scans found: the scan row (raw result and its
hash), the verdict copied to the endpoint, findings opened and closed, and the evidence
attached to the web-systems control."""

import datetime
import functools
import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import override

from mamori.controls.models import Control, Evidence, Theme
from mamori.core.scope import CHANGE
from mamori.websec import result_shape, scan, verdict
from mamori.websec.messages import problem_text
from mamori.websec.models import TlsFinding, TlsScan, WebEndpoint, WebSecuritySettings

FULL, CERTIFICATE = TlsScan.Kind.FULL, TlsScan.Kind.CERTIFICATE
# A certificate check re-checks only these promises' problems; a full scan checks them all.
CERTIFICATE_PREFIXES = ("auth.", "scan.", "profile.certificate_type", "profile.key_size",
                        "profile.signature", "profile.certificate_lifespan")
BATCH = 40  # endpoints handed to one child process at a time


def scan_options() -> dict:
    """The scanner's per-endpoint bounds and parallelism (MAMORI_TLSSCAN_CONCURRENCY,
    MAMORI_TLSSCAN_ENDPOINT_TIMEOUT, MAMORI_TLSSCAN_NETWORK_TIMEOUT: Django settings, else the
    environment). Each endpoint is bounded
    on its own; a batch has no bound of its own, so slow neighbours never fail an endpoint."""
    import os

    from django.conf import settings as django_settings

    def value(name, default, kind):
        raw = getattr(django_settings, name, None) or os.environ.get(name)
        try:
            return kind(raw) if raw not in (None, "") else default
        except ValueError:
            return default

    return {
        "concurrency": value("MAMORI_TLSSCAN_CONCURRENCY", 10, int),
        "endpoint_timeout": value("MAMORI_TLSSCAN_ENDPOINT_TIMEOUT",
                                  scan.DEFAULT_ENDPOINT_TIMEOUT, float),
        "network_timeout": value("MAMORI_TLSSCAN_NETWORK_TIMEOUT",
                                 scan.DEFAULT_NETWORK_TIMEOUT, int),
    }


def target_for(endpoint: WebEndpoint, kind: str) -> scan.Target:
    return scan.Target(host=endpoint.host, port=endpoint.port,
                       server_name=endpoint.server_name or None,
                       client_cert_required=endpoint.client_cert_required,
                       http_path=endpoint.http_path, full=kind == FULL)


def run(endpoints, kind: str = FULL, requested_by=None) -> list[TlsScan]:
    """Scan the endpoints (in batches, each in a child process, each endpoint with its own
    bound) and record each result as it arrives, while the child scans the others. Returns
    the scans written, in the endpoints' order."""
    settings = WebSecuritySettings.current()
    endpoints = list(endpoints)
    written = []
    for start in range(0, len(endpoints), BATCH):
        batch = endpoints[start:start + BATCH]
        rows = {}

        def record_one(index, result, batch=batch, rows=rows):
            rows[index] = record(batch[index], kind, result, settings, requested_by)

        results = scan.scan_targets([target_for(e, kind) for e in batch],
                                    extra_ca_pem=settings.company_ca_pem or None,
                                    on_result=record_one, **scan_options())
        for index, result in enumerate(results):
            if index not in rows:  # refused before any connection
                record_one(index, result)
        written.extend(rows[index] for index in range(len(batch)))
    return written


def request_scan(endpoint, user, kind: str = FULL):
    """Queue a scan of one endpoint for someone who may change it (the "Scan now" button, the
    API's scan action), refused (PermissionDenied, a 403) for anyone else; a
    worker runs it (websec.tasks.scan_requested). An equal scan already queued for the
    endpoint is returned instead of a second one (a queued full scan covers a certificate
    check). Returns (request, queued_now)."""
    from mamori.core.taskhealth import enqueue_atomically
    from mamori.websec.models import ScanRequest
    from mamori.websec.tasks import scan_requested

    if not WebEndpoint.objects.restrict(user, CHANGE).filter(pk=endpoint.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        # The endpoint's row locked (PostgreSQL; SQLite's transactions take the write lock
        # at once): two presses at the same moment queue one scan.
        WebEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()
        waiting = (ScanRequest.objects.filter(endpoint=endpoint,
                                              status=ScanRequest.Status.QUEUED,
                                              kind__in={kind, FULL})
                   .order_by("-created_at").first())
        if waiting is not None and not waiting.given_up():
            return waiting, False
        row = ScanRequest.objects.create(endpoint=endpoint, kind=kind,
                                         requested_by=getattr(user, "person", None))
        result = enqueue_atomically(scan_requested, row.pk)
        if result is not None:
            ScanRequest.objects.filter(pk=row.pk).update(task_result_id=str(result.id))
    return row, True


def result_json(result: dict) -> str:
    """The raw result as the readable JSON file kept as evidence and downloaded."""
    return json.dumps(result, sort_keys=True, ensure_ascii=False, indent=1) + "\n"


def result_bytes(result: dict) -> bytes:
    """Exactly the bytes of the JSON file: the evidence file, the download and the hash."""
    return result_json(result).encode("utf-8")


def result_hash(result: dict) -> str:
    """SHA-256 of the JSON file as downloaded (what `sha256sum tls-scan-N.json` prints)."""
    return hashlib.sha256(result_bytes(result)).hexdigest()


def result_file_name(row) -> str:
    return f"tls-scan-{row.pk}.json"


def requester_name(requested_by) -> str:
    from mamori.core.context import current_actor

    if requested_by is not None:
        return str(requested_by)
    actor = current_actor()
    return getattr(actor, "name", "") or "system"


@functools.lru_cache(maxsize=1)
def system_trust_store() -> dict:
    """Where the system's trust anchors come from (the scanner reads the same file) and how
    many certificates it holds, without parsing them here."""
    from mamori.websec.truststore import system_trust_files

    for bundle in system_trust_files():
        text = bundle.read_text(encoding="ascii", errors="replace")
        return {"file": str(bundle), "certificates": text.count("-----BEGIN CERTIFICATE-----")}
    return {"file": None, "certificates": 0}


def company_anchors(pem: str) -> list[dict]:
    """The company CA certificates the scan trusted: subject, validity and SHA-256
    fingerprint of each (what an auditor compares with the company's CA)."""
    if not (pem or "").strip():
        return []
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    try:
        certificates = x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        return []
    return [{"subject": cert.subject.rfc4514_string(),
             "not_after": cert.not_valid_after_utc.isoformat(),
             "sha256": cert.fingerprint(hashes.SHA256()).hex()} for cert in certificates]


def scan_context(endpoint, kind, settings, requested_by) -> dict:
    """What the scan was of, for whom and against which anchors: kept in the evidence file
    with the result, so the file can be read (and its hash checked) on its own."""
    import mamori

    sni = endpoint.server_name or endpoint.host
    if scan.is_ip_literal(sni):
        sni = None  # an IP address is not sent as a server name
    return {
        "scanner": {"mamori": getattr(mamori, "__version__", None)},
        "kind": kind,
        "requested_by": requester_name(requested_by),
        "server_name_sent": sni,
        "endpoint": {
            "name": endpoint.name, "url": endpoint.url, "purpose": endpoint.purpose,
            "department": str(endpoint.department),
            "handles_personal_info": endpoint.handles_personal_info,
            "handles_card_data": endpoint.handles_card_data,
            "client_cert_required": endpoint.client_cert_required,
        },
        "profile": {"code": endpoint.profile.code, "version": endpoint.profile.version},
        "trust_anchors": {"system": system_trust_store(),
                          "company": company_anchors(settings.company_ca_pem)},
    }


def moment(value, default):
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed or default


UNREACHABLE = "unreachable"


def without_port_details(endpoint, result: dict) -> dict:
    """A failed scan of a port outside the web ports, told in one way whatever happened.

    "Connection refused", "timed out" and "TLS probing failed" would tell whoever reads the
    scan (the department's information manager as well as the CISO) whether a local service
    listens on that port and whether it speaks TLS. Only the CISO or an administrator registers
    such ports, but the scan is read more widely, so its failure keeps the moment it ran and
    nothing else. A failure on a web port keeps its details: they are what one needs to fix a
    web server. Refusals (nothing was connected to) are kept as they are."""
    error = result.get("error")
    if not error or str(error).startswith("refused_") or scan.is_web_port(endpoint.port):
        return result
    target = result.get("target") or {"host": endpoint.host, "port": endpoint.port,
                                      "server_name": endpoint.server_name or None}
    plain = result_shape.empty_result(
        {**target, "ip_address": result.get("ip_address"), "full": result.get("full", True)},
        result.get("sslyze_version"))
    plain.update(started_at=result.get("started_at"), finished_at=result.get("finished_at"),
                 error=UNREACHABLE,
                 error_detail=f"no TLS server answered on port {endpoint.port} (closed, "
                              "filtered, or not speaking TLS); details are kept only for the "
                              "web ports")
    return plain


def record(endpoint, kind, result, settings=None, requested_by=None) -> TlsScan:
    """Judge one result and write it, its findings and its evidence in one transaction."""
    settings = settings or WebSecuritySettings.current()
    result = without_port_details(endpoint, result)
    # Judged as of the moment the scan ran (a certificate "expires in 12 days" then).
    now = moment(result.get("started_at"), timezone.now())
    profile = endpoint.profile
    judged = verdict.evaluate(result, profile.definition,
                              handles_personal_data=endpoint.handles_personal_data,
                              client_cert_required=endpoint.client_cert_required,
                              expiry_warning_days=settings.expiry_warning_days, now=now)
    problems = [{"code": p.code, "promise": p.promise, "level": p.level, "params": p.params}
                for p in judged.problems]
    result = {**result, "context": scan_context(endpoint, kind, settings, requested_by)}
    # A scan that did not complete proves nothing either way: its verdicts are unknown.
    complete = not result.get("error")
    verdicts = ((judged.authentication, judged.encryption, judged.integrity, judged.profile)
                if complete else (None, None, None, None))
    content = result_bytes(result)
    with transaction.atomic():
        row = TlsScan.objects.create(
            endpoint=endpoint, kind=kind,
            status=TlsScan.Status.DONE if complete else TlsScan.Status.FAILED,
            started_at=moment(result.get("started_at"), now),
            finished_at=moment(result.get("finished_at"), now),
            requested_by=requested_by, profile_code=profile.code,
            profile_version=profile.version,
            authentication_ok=verdicts[0], encryption_ok=verdicts[1],
            integrity_ok=verdicts[2], profile_ok=verdicts[3],
            certificate_expires_at=judged.certificate_expires, problems=problems,
            result=result, result_sha256=hashlib.sha256(content).hexdigest())
        update_findings(endpoint, row, judged.problems, kind)
        copy_verdict(endpoint, row, kind)
        if kind == FULL:
            if settings.control_id is None:
                settings.control = web_control(endpoint)
                settings.save(update_fields=["control"])
            row.evidence = attach_evidence(row, settings, requested_by, content)
            row.save(update_fields=["evidence"])
    return row


def copy_verdict(endpoint, row, kind) -> None:
    if row.status == TlsScan.Status.FAILED:
        if kind == FULL:
            # Scanned (the schedule moves on) but not verified: the verdicts are unknown.
            changes = {"last_full_scan_at": row.started_at, "verified_until": None,
                       "authentication_ok": None, "encryption_ok": None,
                       "integrity_ok": None, "profile_ok": None}
        else:  # a certificate check that did not complete leaves the verdict as it was
            changes = {"last_certificate_check_at": row.started_at}
        WebEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        return
    changes = {"certificate_expires_at": row.certificate_expires_at}
    if kind == FULL:
        changes.update(last_full_scan_at=row.started_at,
                       verified_until=endpoint.counts_until(row.started_at),
                       authentication_ok=row.authentication_ok,
                       encryption_ok=row.encryption_ok, integrity_ok=row.integrity_ok,
                       profile_ok=row.profile_ok, last_certificate_check_at=row.started_at)
    else:
        changes["last_certificate_check_at"] = row.started_at
        if endpoint.last_full_scan_at is not None:
            # A certificate that expired (or was replaced) changes authentication at once.
            changes["authentication_ok"] = row.authentication_ok
    WebEndpoint.objects.filter(pk=endpoint.pk).update(**changes)
    for name, value in changes.items():
        setattr(endpoint, name, value)


def problem_key(code: str, params: dict) -> str:
    detail = ",".join(f"{k}={params[k]}" for k in sorted(params)
                      if k in ("protocol", "suite", "group"))
    return f"{code}:{detail}" if detail else code


def update_findings(endpoint, row, problems, kind) -> None:
    """Open a finding for each new problem, refresh the ones still there, and close those a
    scan of this kind checks and no longer finds."""
    found = {problem_key(p.code, p.params): p for p in problems}
    current = {f.key: f for f in TlsFinding.objects.filter(endpoint=endpoint).open()}
    for key, problem in found.items():
        finding = current.get(key)
        if finding is None:
            TlsFinding.objects.create(
                endpoint=endpoint, key=key, code=problem.code, promise=problem.promise,
                level=problem.level, params=problem.params, opened_at=row.started_at,
                last_seen_at=row.started_at, opened_by_scan=row)
        else:
            finding.last_seen_at, finding.level = row.started_at, problem.level
            finding.params = problem.params
            finding.save(update_fields=["last_seen_at", "level", "params"])
    for key, finding in current.items():
        checked = kind == FULL or key.startswith(CERTIFICATE_PREFIXES)
        if key not in found and checked and row.status != TlsScan.Status.FAILED:
            finding.closed_at, finding.closed_by_scan = row.started_at, row
            finding.save(update_fields=["closed_at", "closed_by_scan"])


def summary(row: TlsScan, language: str) -> str:
    with override(language):
        lines = [_("TLS scan of %(endpoint)s (%(address)s), profile %(profile)s %(version)s") % {
            "endpoint": row.endpoint.name, "address": f"{row.endpoint.host}:{row.endpoint.port}",
            "profile": row.profile_code, "version": row.profile_version}]
        if row.status == TlsScan.Status.FAILED:
            lines.append(incomplete_text(row.result))
        for promise, ok in (("authentication", row.authentication_ok),
                            ("encryption", row.encryption_ok),
                            ("integrity", row.integrity_ok)):
            lines.append(f"- {promise_label(promise)}: {verdict_word(ok)}")
        if row.status != TlsScan.Status.FAILED:
            lines += [f"  * {problem_text(p['code'], p['params'])}" for p in row.problems]
        lines.append(hash_text(row))
    return "\n".join(lines)


def verdict_word(ok) -> str:
    return _("unknown") if ok is None else (_("pass") if ok else _("fail"))


def hash_text(row) -> str:
    if row.result_sha256 != result_hash(row.result):
        # Recorded before the hash was taken over the file: over a compact form of the JSON.
        return _("SHA-256 of the raw result in compact JSON (recorded before Mamori hashed "
                 "the evidence file itself): %(hash)s") % {"hash": row.result_sha256}
    return _("SHA-256 of the evidence file %(file)s: %(hash)s (reproduce with: sha256sum "
             "%(file)s)") % {"file": result_file_name(row), "hash": row.result_sha256}


SCAN_ERRORS = {
    "timeout": lambda: _("the server did not answer in time"),
    "connect": lambda: _("no connection could be made to the server (refused or "
                         "unreachable)"),
    "unreachable": lambda: _("no TLS server answered on this port"),
    "scan_failed": lambda: _("the scanner failed while scanning this server"),
    "refused_bad_name": lambda: _("the host name is not valid, so Mamori did not connect"),
    "refused_not_loopback": lambda: _("the address is outside the networks Mamori may scan "
                                      "(MAMORI_TLSSCAN_ALLOW_NETWORKS), so Mamori did not "
                                      "connect"),
    "no_certificate": lambda: _("the server sent no certificate"),
}


def scan_error_reason(error: str | None) -> str:
    reason = SCAN_ERRORS.get(str(error or ""))
    return reason() if reason else _("an unexpected error (%(code)s)") % {"code": error}


def incomplete_text(result: dict) -> str:
    """Why a scan did not complete, in words, and what that means for its verdicts."""
    return _("The scan did not complete: %(reason)s. Its verdicts are unknown, not failed: "
             "nothing was checked.") % {"reason": scan_error_reason((result or {}).get(
                 "error") or "no_certificate")}


def outcome_text(row) -> str:
    if row.status == TlsScan.Status.FAILED:
        return incomplete_text(row.result)
    parts = [f"{promise_label(p)} {verdict_word(ok)}" for p, ok in (
        ("authentication", row.authentication_ok), ("encryption", row.encryption_ok),
        ("integrity", row.integrity_ok))]
    return ", ".join(parts)


def promise_label(promise: str) -> str:
    return {"authentication": _("Authentication"), "encryption": _("Encryption"),
            "integrity": _("Integrity"), "profile": _("TLS profile"),
            "availability": _("Reachability")}.get(promise, promise)


WEB_CONTROL_CODE = "WEB-TLS"


def web_control(endpoint) -> Control:
    """The technological control the scans are evidence for: the one the settings name, else
    the one Mamori created for it (code WEB-TLS), else created now, owned by the department of
    the first endpoint scanned (the CISO can move it, or choose another in the settings)."""
    control = Control.objects.filter(code=WEB_CONTROL_CODE).first()
    if control is None:
        control = Control.objects.create(
            code=WEB_CONTROL_CODE, title_ja="Webシステムにおける個人データの通信の暗号化",
            title_en="Encryption of personal data in transit on web systems",
            description=WEB_CONTROL_DESCRIPTION, theme=Theme.TECHNOLOGICAL,
            department=endpoint.department, status=Control.Status.IMPLEMENTED,
            frequency=Control.Frequency.CONTINUOUS)
    return control


WEB_CONTROL_DESCRIPTION = (
    "個人情報を取り扱うWebシステムは、TLSによりサーバ（必要に応じてクライアント）の認証、通信の暗号化、"
    "改ざん検知を行う。Mamoriが定期的に検査し、結果を証跡として記録する。\n"
    "Web systems handling personal information use TLS to authenticate the server (and the "
    "client where required), encrypt traffic and protect its integrity; Mamori scans them on a "
    "schedule and records each scan as evidence.")


def attach_evidence(row: TlsScan, settings, requested_by, content: bytes) -> Evidence:
    """The raw result as a JSON file (`content`: the bytes the scan's hash is over; the
    evidence records its name, size and SHA-256 as for any upload) with the readable summary
    in Japanese and English as the note, on the web-systems control."""
    stamp = timezone.localtime(row.started_at)
    days = max(2, (row.endpoint.scan_every_hours * 2 + 23) // 24)
    evidence = Evidence(
        control_id=settings.control_id, kind=Evidence.Kind.FILE,
        title=f"TLS {row.endpoint.name} {stamp:%Y-%m-%d %H:%M}"[:200],
        note=summary(row, "ja") + "\n\n" + summary(row, "en"),
        collected_on=stamp.date(), expires_on=stamp.date() + datetime.timedelta(days=days),
        collected_by=requested_by)
    # Assigned, not saved first: Evidence.save() sees a new file and records its name, size
    # and SHA-256 before storing it.
    evidence.file = ContentFile(content, name=result_file_name(row))
    evidence.save()
    return evidence
