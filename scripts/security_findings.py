"""The findings of `make security`: schemathesis' and wapiti's reports read into one list,
each finding given a severity, and printed as one table.

Severities are ours, not the tools' own (schemathesis calls any response that does not match
the schema "high", which would make a documentation slip weigh as much as a crash). The bar is
no critical, high or medium finding.

schemathesis, by failure code (`st explain CODE` describes each):
  critical  ST401 the API answered although authentication was missing or wrong; ST402 one
            user reached another user's object
  high      ST101/ST102 server error (5xx); ST301 a deleted resource is still served
  medium    ST108/ST109/ST110/ST111 a response that does not match the schema (or is not valid
            JSON); ST201 a request the schema forbids was accepted (low when only its query
            string was invalid: see schemathesis_severity); ST203 a request missing a required
            header (such as the token) was not rejected; ST302 a created resource cannot be
            fetched
  low       ST103 undocumented status code; ST104-ST107 content type or headers not as
            documented; ST112 slow response; ST202 a request the schema allows was refused (a
            JSON schema cannot say that a referenced id must exist); ST204/ST205 an unsupported
            method not answered with 405 and Allow
  a code we do not know: medium, so that nobody reads an unknown as a pass.
  Errors, requests the tool could not complete: medium when the server is to blame (a network
  error, no answer in time, the server unavailable), low when the tool itself failed (a
  runtime or schema error: the operation was tested less, which the table shows).

wapiti, by the level it gives each finding: 4 critical, 3 high, 2 medium, 1 low, 0 info; its
"anomalies" (a 500, a request that timed out) with the level wapiti gives them. Except four
messages of its ssl module (wapiti 3.2.3 reading sslscan) that are wrong for this server, in
WAPITI_REWEIGHED below.

The server's own log, whichever tool caused it: every unhandled exception (a 500) is high.
"""

import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import asdict, dataclass

SEVERITIES = ("critical", "high", "medium", "low", "info")
BLOCKING = frozenset({"critical", "high", "medium"})

SCHEMATHESIS_SEVERITY = {
    "ST401": "critical", "ST402": "critical",
    "ST101": "high", "ST102": "high", "ST301": "high",
    "ST108": "medium", "ST109": "medium", "ST110": "medium", "ST111": "medium",
    "ST201": "medium", "ST203": "medium", "ST302": "medium",
    "ST103": "low", "ST104": "low", "ST105": "low", "ST106": "low", "ST107": "low",
    "ST112": "low", "ST202": "low", "ST204": "low", "ST205": "low",
}
UNKNOWN_SEVERITY = "medium"
# schemathesis' error titles (schemathesis.engine.errors) that put the server at fault.
SERVER_AT_FAULT = frozenset({"Network Error", "Unresponsive Operation", "Unhealthy API",
                             "Server Unavailable", "Authentication Error"})
WAPITI_LEVELS = {4: "critical", 3: "high", 2: "medium", 1: "low", 0: "info"}
# wapiti ssl-module messages (their start) and the severity they get here instead of medium.
# The TLS 1.2 "acceptable" suites stay medium: wapiti names CBC suites there, which Mozilla's
# intermediate profile (Mamori's own default for the endpoints it scans) leaves out.
WAPITI_REWEIGHED = {
    # A purchase from a public CA that browsers no longer show; not a property of the link.
    "Certificate doesn't use Extended Validation": "info",
    # The locally generated CA runs no OCSP responder; in production the issuer decides.
    "OCSP Must-Staple extension is missing": "low",
    # sslscan found that the server refuses renegotiation altogether, which is what Mozilla's
    # guidelines ask; wapiti words it as if only the secure kind were missing.
    "Server doesn't support secure renegotiations": "info",
    # wapiti calls every TLS 1.3 suite "acceptable"; all are the AEAD suites RFC 8446 defines
    # and every Mozilla profile allows.
    "The following ciphers are acceptable for TLSv1.3": "info",
}


@dataclass(frozen=True)
class Finding:
    severity: str
    tool: str  # e.g. "schemathesis/admin"
    kind: str  # e.g. "ST101 Server error", "Cross Site Scripting"
    target: str  # method and path
    description: str  # one line
    detail: str = ""  # how to reproduce it (request, response), for findings.json

    @property
    def rank(self) -> int:
        return SEVERITIES.index(self.severity)


# "Invalid component: parameters `offset`, `limit` in query": what made a request invalid.
INVALID_COMPONENT = re.compile(r"^\s*Invalid component: (.*)$", re.MULTILINE)
QUERY = re.compile(r"^parameters? .* in query( - |$)")


def schemathesis_severity(code: str, case: str = "") -> str:
    """`case` is the failing case's text. An invalid request accepted (ST201) whose only
    invalid part is the query string is low: django-filter ignores an unusable filter value
    and the paginator falls back to its defaults for an unusable limit or offset, so the list
    comes back unfiltered (mamori/core/tests/test_api_schema.py accepts it for the same
    reason)."""
    components = INVALID_COMPONENT.findall(case)
    if code == "ST201" and components and all(QUERY.search(c) for c in components):
        return "low"
    return SCHEMATHESIS_SEVERITY.get(code, UNKNOWN_SEVERITY)


# One failing test case in a JUnit <failure> text: "1. Test Case ID: abc123", then a line
# "- ST101 Server error" per failed check (its message indented below), the response as
# "[500] Internal Server Error:", and a curl command to reproduce it.
CASE_HEADER = re.compile(r"^\d+\. Test Case ID: \S+\s*$", re.MULTILINE)
CHECK_LINE = re.compile(r"^- (ST\d{3}) (.+?)\s*$", re.MULTILINE)
STATUS_LINE = re.compile(r"^\[(\d{3})\] ([^\n]*?):?\s*$", re.MULTILINE)


def _first_line_after(text: str, position: int) -> str:
    for line in text[position:].splitlines():
        if line.strip():
            return line.strip()
    return ""


# A test case is named after its operation ("GET /api/org/people/"), except those of the
# stateful phase ("Stateful tests"), whose target is read from the curl command instead.
OPERATION = re.compile(r"^[A-Z]+ /")
CURL = re.compile(r"curl -X ([A-Z]+) .*?'?https?://[^/\s']+(/[^?\s']*)")


def _target(name: str, block: str) -> str:
    """The request that failed: the operation's path with the method actually sent (a check
    such as unsupported_method sends OPTIONS to a GET operation)."""
    match = CURL.search(block)
    if not OPERATION.match(name):
        return f"{match.group(1)} {match.group(2)}" if match else name
    method, _space, path = name.partition(" ")
    return f"{match.group(1) if match else method} {path}"


def _message_after(text: str, position: int) -> str:
    """The check's message: the indented lines right below it, if any."""
    for line in text[position:].splitlines():
        if line.strip():
            return line.strip() if line[:1].isspace() else ""
    return ""


def schemathesis_findings(junit_xml: str, tool: str) -> list[Finding]:
    """One finding per operation and failure code, and one per error the tool met on an
    operation."""
    root = ET.fromstring(junit_xml)  # noqa: S314 - the report schemathesis just wrote
    findings = {}
    for case in root.iter("testcase"):
        name = case.get("name", "")
        for failure in case.iter("failure"):
            text = failure.text or ""
            for block in CASE_HEADER.split(text):
                target = _target(name, block)
                status = STATUS_LINE.search(block)
                response = ""
                if status:  # "[400] Bad Request" and the first line of the body, if any
                    body = _first_line_after(block, status.end()).strip("`")
                    body = "" if body.startswith("Reproduce with") else body
                    response = " ".join(x for x in (f"[{status.group(1)}]",
                                                    body or status.group(2)) if x)
                for check in CHECK_LINE.finditer(block):
                    code, title = check.groups()
                    message = _message_after(block, check.end())
                    description = "; ".join(x for x in (message, response) if x)
                    finding = Finding(schemathesis_severity(code, block), tool,
                                      f"{code} {title}", target, description, block.strip())
                    # The first case describes the finding, unless a later one is worse.
                    known = findings.get((target, code))
                    if known is None or finding.rank < known.rank:
                        findings[target, code] = finding
        for error in case.iter("error"):
            # "Runtime Error", then what happened, then maybe a traceback.
            title, message = ([*(x.strip() for x in (error.text or "").splitlines()
                                 if x.strip()), "", ""])[:2]
            severity = UNKNOWN_SEVERITY if title in SERVER_AT_FAULT else "low"
            findings.setdefault((name, title, message), Finding(
                severity, tool, f"error: {title}", name, message, (error.text or "").strip()))
    return list(findings.values())


def wapiti_severity(level: int, info: str) -> str:
    for start, severity in WAPITI_REWEIGHED.items():
        if info.startswith(start):
            return severity
    return WAPITI_LEVELS.get(level, UNKNOWN_SEVERITY)


def wapiti_findings(report: dict, tool: str) -> list[Finding]:
    findings = []
    for section in ("vulnerabilities", "anomalies", "additionals"):
        for kind, items in (report.get(section) or {}).items():
            for item in items:
                info = " ".join((item.get("info") or "").split())
                parameter = item.get("parameter")
                description = f"{info} (parameter {parameter})" if parameter else info
                response = (item.get("detail") or {}).get("response") or {}
                detail = "\n".join(x for x in (
                    item.get("http_request", ""),
                    json.dumps(response, ensure_ascii=False) if response else "") if x)
                findings.append(Finding(
                    wapiti_severity(item.get("level"), info), tool, kind,
                    f"{item.get('method', '')} {item.get('path', '')}".strip(), description,
                    detail))
    return merged(findings)


# Django logs every unhandled exception as "Internal Server Error: /path" and its traceback
# (chained ones one after the other); the line that closes the last traceback says what
# went wrong.
SERVER_ERROR = "Internal Server Error: "
CHAIN_LINE = re.compile(r"^(The above exception|During handling|$)")


def server_errors(server_log: str) -> list[Finding]:
    """Every 5xx the server logged, whichever tool caused it (not every tool reports one:
    wapiti's methods module, for one, only lists the methods a page answers)."""
    findings, lines = [], server_log.splitlines()
    for number, line in enumerate(lines):
        if not line.startswith(SERVER_ERROR):
            continue
        path, exception, block, in_traceback = line[len(SERVER_ERROR):].strip(), "", [line], False
        for following in lines[number + 1:]:
            if following.startswith("Traceback "):
                in_traceback = True
            elif in_traceback and not following[:1].isspace():
                exception, in_traceback = following, False
            elif not in_traceback and not CHAIN_LINE.match(following):
                break
            block.append(following)
        findings.append(Finding("high", "server", "5xx in the server log", path,
                                exception or "unhandled exception", "\n".join(block)))
    return merged(findings)


def merged(findings: list[Finding]) -> list[Finding]:
    """One row for what was found more than once (another request, another run, the same
    result), with the worst severity met. A schemathesis finding is one failed check on one
    operation; a wapiti or server-log finding also keeps its own description."""
    worst = {}
    for finding in findings:
        key = (finding.tool, finding.kind, finding.target)
        if not finding.tool.startswith("schemathesis"):
            key += (finding.description,)
        if key not in worst or finding.rank < worst[key].rank:
            worst[key] = finding
    return list(worst.values())


def sorted_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.rank, f.tool, f.kind, f.target, f.description))


def counts(findings: list[Finding]) -> dict[str, int]:
    counter = Counter(f.severity for f in findings)
    return {severity: counter[severity] for severity in SEVERITIES}


def passes_bar(findings: list[Finding]) -> bool:
    return not any(f.severity in BLOCKING for f in findings)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def table(findings: list[Finding], description_width: int = 100) -> str:
    rows = [("severity", "tool", "kind", "request", "description")]
    rows += [(f.severity, f.tool, _cut(f.kind, 40), _cut(f.target, 60),
              _cut(f.description, description_width)) for f in sorted_findings(findings)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join([*(cell.ljust(w) for cell, w in zip(row[:4], widths, strict=True)),
                        row[4]]).rstrip() for row in rows]
    lines.insert(1, "-" * min(len(lines[0]) + description_width, 200))
    return "\n".join(lines)


def as_json(findings: list[Finding]) -> str:
    return json.dumps([asdict(f) for f in sorted_findings(findings)], ensure_ascii=False,
                      indent=2)
