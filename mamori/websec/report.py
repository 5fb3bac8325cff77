"""A scan as a readable report: each promise with its verdict and the reasons in plain words,
the certificate and the protocols, as a page, a PDF (ja/en: the reader's language) or the raw
result as JSON."""

from dataclasses import dataclass, field

from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from mamori.core.io import attachment, pdf_attachment
from mamori.websec.messages import PROTOCOL_NAMES, duration_text, problem_text
from mamori.websec.service import (
    hash_text,
    incomplete_text,
    promise_label,
    result_bytes,
    result_file_name,
)


@dataclass
class Promise:
    name: str
    label: str
    ok: bool | None  # None: unknown (the scan did not complete)
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (level, text)


@dataclass
class Report:
    scan: object
    promises: list[Promise]
    other: list[tuple[str, str]]
    certificate: list[tuple[str, str]]
    protocols: list[tuple[str, bool | None]]
    error: str | None
    incomplete: str = ""  # why the scan did not complete, in words; empty when it did
    accepted: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    chain: list[dict] = field(default_factory=list)
    anchors: list[tuple[str, str]] = field(default_factory=list)
    context: list[tuple[str, str]] = field(default_factory=list)
    file_name: str = ""
    hash_line: str = ""


def build(scan) -> Report:
    by_promise = {}
    for problem in scan.problems:
        by_promise.setdefault(problem["promise"], []).append(
            (problem["level"], problem_text(problem["code"], problem["params"])))
    promises = [Promise(name, promise_label(name), ok, by_promise.pop(name, []))
                for name, ok in (("authentication", scan.authentication_ok),
                                 ("encryption", scan.encryption_ok),
                                 ("integrity", scan.integrity_ok))]
    promises.append(Promise("profile", promise_label("profile"), scan.profile_ok,
                            by_promise.pop("profile", [])))
    other = [reason for reasons in by_promise.values() for reason in reasons]
    result = scan.result or {}
    accepted = result.get("protocols") or {}
    # A scan with an error did not complete, whatever its row says: a row stored before failed
    # scans kept unknown verdicts could read "fail" with "no problem found" beneath it.
    failed = scan.status == "failed" or bool(result.get("error"))
    incomplete = incomplete_text(result) if failed else ""
    if incomplete:  # the reasons are the scan's failure, told once above
        for promise in promises:
            promise.ok, promise.reasons = None, []
        other = []
    return Report(
        scan=scan, promises=promises, other=other,
        certificate=certificate_rows(result),
        protocols=[(label, accepted.get(key)) for key, label in PROTOCOL_NAMES.items()],
        error=result.get("error"), incomplete=incomplete,
        accepted=accepted_suites(result), groups=list(result.get("groups") or []),
        chain=chain_rows(result), anchors=anchor_rows(result), context=context_rows(scan),
        file_name=result_file_name(scan), hash_line=hash_text(scan))


def accepted_suites(result: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per protocol, each accepted cipher suite with its key exchange (type, group, size):
    the positive proof of what the server offers."""
    suites = result.get("cipher_suites") or {}
    exchanges = result.get("key_exchange") or {}
    rows = []
    for key, label in PROTOCOL_NAMES.items():
        if not suites.get(key):
            continue
        listed = []
        for suite in suites[key]:
            kx = exchanges.get(suite) or {}
            parts = [str(kx.get("type") or ""), str(kx.get("group") or "")]
            if kx.get("size"):
                parts.append(_("%(bits)s bits") % {"bits": kx["size"]})
            listed.append((suite, " ".join(p for p in parts if p) or "—"))
        rows.append((label, listed))
    return rows


def chain_rows(result: dict) -> list[dict]:
    """The chain as the server sent it, leaf first."""
    return [{"subject": c.get("subject") or "—", "issuer": c.get("issuer") or "—",
             "key": f"{(c.get('key_type') or '?').upper()} {c.get('key_size') or '?'}",
             "signature": c.get("signature_algorithm") or "—",
             "not_after": str(c.get("not_after") or "—")[:10]}
            for c in result.get("chain") or []]


def anchor_rows(result: dict) -> list[tuple[str, str]]:
    anchors = (result.get("context") or {}).get("trust_anchors") or {}
    rows = []
    system = anchors.get("system") or {}
    if system:
        rows.append((_("system trust store"), _("%(file)s (%(count)s certificates)") % {
            "file": system.get("file") or "—", "count": system.get("certificates", 0)}))
    for anchor in anchors.get("company") or []:
        rows.append((_("company CA"), f"{anchor.get('subject')} · SHA-256 "
                                      f"{anchor.get('sha256')} · {_('valid until')} "
                                      f"{str(anchor.get('not_after') or '')[:10]}"))
    return rows


def context_rows(scan) -> list[tuple[str, str]]:
    """Who asked, what was scanned and with what: the facts an auditor needs beside the
    verdicts. Read from the evidence file's context, so the page says what the file says."""
    context = (scan.result or {}).get("context") or {}
    endpoint = context.get("endpoint") or {}
    versions = [f"Mamori {(context.get('scanner') or {}).get('mamori') or '?'}",
                f"sslyze {(scan.result or {}).get('sslyze_version') or '?'}"]
    rows = [
        (_("requested by"), str(scan.requested_by) if scan.requested_by else (
            context.get("requested_by") or _("schedule"))),
        (_("server name sent (SNI)"), context.get("server_name_sent") or _(
            "none (an IP address is not sent)")),
        (_("scanner"), ", ".join(versions)),
    ]
    if endpoint:
        rows += [
            (_("handles personal information"), yes_no(endpoint.get("handles_personal_info"))),
            (_("handles card data"), yes_no(endpoint.get("handles_card_data"))),
            (_("client certificates required (mutual TLS)"),
             yes_no(endpoint.get("client_cert_required"))),
        ]
    return rows


def yes_no(value) -> str:
    return "—" if value is None else (_("yes") if value else _("no"))


def certificate_rows(result: dict) -> list[tuple[str, str]]:
    """The leaf certificate and what was checked about it, as labelled lines."""
    cert = result.get("certificate") or {}
    if not cert:
        return []
    sans = cert.get("sans") or {}
    names = [*sans.get("dns", []), *sans.get("ip", [])] if isinstance(sans, dict) else sans
    hsts = result.get("hsts")
    return [
        (_("subject"), cert.get("subject") or "—"),
        (_("issuer"), cert.get("issuer") or "—"),
        (_("names (SAN)"), ", ".join(map(str, names)) or "—"),
        (_("key"), f"{(cert.get('key_type') or '?').upper()} {cert.get('key_size') or '?'}"),
        (_("signature algorithm"), cert.get("signature_algorithm") or "—"),
        (_("valid from"), str(cert.get("not_before") or "—")[:10]),
        (_("valid until"), str(cert.get("not_after") or "—")[:10]),
        (_("trusted"), yes_no(result.get("trusted"))),
        (_("host name matches"), yes_no(result.get("hostname_matches"))),
        (_("OCSP stapled"), yes_no(result.get("ocsp_stapled"))),
        ("HSTS", hsts_text(hsts)),
    ]


def hsts_text(hsts) -> str:
    """The HSTS duration as people count it, then the header's own value: "2 years (730
    days) · max-age=63072000"."""
    if not isinstance(hsts, dict):
        return "—"
    max_age = hsts.get("max_age")
    if max_age is None:
        return "max-age=—"
    return f"{duration_text(max_age)} · max-age={max_age}"


def evidence_bytes(scan) -> bytes:
    """The evidence file as stored (the bytes its hash is over); the same JSON rebuilt from
    the row for a scan without one (a certificate check)."""
    evidence = scan.evidence
    if evidence is not None and evidence.file:
        try:
            with evidence.file.open("rb") as handle:
                return handle.read()
        except OSError:
            pass
    return result_bytes(scan.result)


def response(scan, fmt: str, request=None) -> HttpResponse:
    if fmt == "json":
        return attachment(evidence_bytes(scan), "application/json; charset=utf-8",
                          result_file_name(scan))
    if fmt != "pdf":
        raise Http404
    html = render_to_string("websec/report_pdf.html", {
        "report": build(scan), "generated_at": timezone.localtime()}, request=request)
    return pdf_attachment(html, f"tls-scan-{scan.pk}")
