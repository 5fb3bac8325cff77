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
from mamori.websec.service import promise_label, result_json


@dataclass
class Promise:
    name: str
    label: str
    ok: bool
    reasons: list[tuple[str, str]] = field(default_factory=list)  # (level, text)


@dataclass
class Report:
    scan: object
    promises: list[Promise]
    other: list[tuple[str, str]]
    certificate: list[tuple[str, str]]
    protocols: list[tuple[str, bool | None]]
    error: str | None


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
    return Report(
        scan=scan, promises=promises, other=other,
        certificate=certificate_rows(result),
        protocols=[(label, accepted.get(key)) for key, label in PROTOCOL_NAMES.items()],
        error=result.get("error"))


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


def response(scan, fmt: str, request=None) -> HttpResponse:
    if fmt == "json":
        return attachment(result_json(scan.result), "application/json; charset=utf-8",
                          f"tls-scan-{scan.pk}.json")
    if fmt != "pdf":
        raise Http404
    html = render_to_string("websec/report_pdf.html", {
        "report": build(scan), "generated_at": timezone.localtime()}, request=request)
    return pdf_attachment(html, f"tls-scan-{scan.pk}")
