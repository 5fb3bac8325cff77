"""How `make security` reads its tools' reports and weighs their findings
(scripts/security_findings.py), on small reports written here. Plain pytest: the scan itself
is too slow for the test suite.
"""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "security_findings.py"
_spec = importlib.util.spec_from_file_location("security_findings", SCRIPT)
sf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sf)

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites errors="1" failures="1" tests="3">
  <testsuite name="schemathesis" errors="1" failures="1" tests="3">
    <testcase name="POST /api/org/people/" time="1.0">
      <failure type="failure" message="ST101, ST202">1. Test Case ID: abc123

- ST101 Server error

- ST202 Schema-valid request rejected

    Valid data should have been accepted

[500] Internal Server Error:

    `{"detail":"boom"}`

Reproduce with:

    curl -X POST https://127.0.0.1:8443/api/org/people/

2. Test Case ID: def456

- ST101 Server error

[502] Bad Gateway:

Reproduce with:

    curl -X POST https://127.0.0.1:8443/api/org/people/</failure>
    </testcase>
    <testcase name="GET /api/tokens/" time="0.5"/>
    <testcase name="GET /api/org/departments/" time="0.5">
      <error type="error">Network Error

Read timed out after 30.0 seconds</error>
    </testcase>
    <testcase name="PATCH /api/websec/profiles/{id}/" time="0.5">
      <error type="error">Runtime Error

AST constructor recursion depth mismatch

    Traceback (most recent call last):</error>
    </testcase>
    <testcase name="GET /api/docs/" time="0.2">
      <failure type="failure" message="ST101">1. Test Case ID: o1

- ST101 Server error

[500] Internal Server Error:

Reproduce with:

    curl -X OPTIONS -H 'Authorization: [Filtered]' https://127.0.0.1:8443/api/docs/</failure>
    </testcase>
    <testcase name="Stateful tests" time="9.0">
      <failure type="failure" message="ST201">1. Test Case ID: q1

- ST201 Schema-violating request accepted

    Invalid data should have been rejected
    Invalid component: parameters `offset`, `limit` in query

[200] OK:

    `{"count":0,"results":[]}`

Reproduce with:

    curl -X GET -H 'Authorization: [Filtered]' 'https://127.0.0.1:8443/api/risks/bands/?limit=null'

2. Test Case ID: q2

- ST201 Schema-violating request accepted

    Invalid data should have been rejected
    Invalid component: body

[201] Created:

    `{"id":7}`

Reproduce with:

    curl -X POST -H 'Authorization: [Filtered]' -d '{"name": 5}' https://127.0.0.1:8443/api/risks/bands/

3. Test Case ID: q3

- ST201 Schema-violating request accepted

    Invalid data should have been rejected
    Invalid component: parameter `limit` in query - limit: Incorrect type

[200] OK:

    `{"count":0,"results":[]}`

Reproduce with:

    curl -X GET -H 'Authorization: [Filtered]' 'https://127.0.0.1:8443/api/risks/threats/?limit=x'</failure>
    </testcase>
  </testsuite>
</testsuites>
"""

WAPITI = {
    "vulnerabilities": {
        "Cross Site Scripting": [
            {"method": "GET", "path": "/org/people/", "info": "XSS vulnerability found\n",
             "level": 3, "parameter": "q", "http_request": "GET /org/people/?q=%3Cx%3E"},
            {"method": "GET", "path": "/org/people/", "info": "XSS vulnerability found",
             "level": 3, "parameter": "q", "http_request": "GET /org/people/?q=%3Cy%3E"},
        ],
        "Secure Flag cookie": [
            {"method": "GET", "path": "/", "info": "Secure flag is not set in the cookie : x",
             "level": 1, "parameter": ""},
        ],
        "TLS/SSL misconfigurations": [
            {"method": "GET", "path": "/", "level": 2,
             "info": "The following ciphers are acceptable for TLSv1.2: ECDHE-ECDSA-AES128-SHA256"},
            {"method": "GET", "path": "/", "level": 2,
             "info": "The following ciphers are acceptable for TLSv1.3: TLS_AES_128_GCM_SHA256"},
            {"method": "GET", "path": "/", "level": 2,
             "info": "Certificate doesn't use Extended Validation"},
        ],
    },
    "anomalies": {
        "Internal Server Error": [
            {"method": "POST", "path": "/risks/register/new/", "info": "500 on a payload",
             "level": 3, "parameter": "title",
             "detail": {"response": {"status_code": 500}}},
        ],
    },
    "additionals": {
        "HTTP Methods": [{"method": "GET", "path": "/", "info": "OPTIONS (200)", "level": 0}],
    },
}

SERVER_LOG = """[2026-12-04 23:42:08 +0900] [30662] [INFO] Booting worker with pid: 30662
Internal Server Error: /api/docs/
Traceback (most recent call last):
  File "django/template/engine.py", line 204, in select_template
    raise TemplateDoesNotExist("No template names provided")
django.template.exceptions.TemplateDoesNotExist: No template names provided

The above exception was the direct cause of the following exception:

Traceback (most recent call last):
  File "rest_framework/renderers.py", line 164, in render
    return template.render(context, request=request)
django.template.exceptions.TemplateDoesNotExist: No template names provided
Forbidden: /api/docs/
Not Found: /backup.zip
"""


def by_kind(findings):
    return {(f.kind, f.target): f for f in findings}


def test_schemathesis_failures_get_our_severity_once_per_operation_and_check():
    findings = by_kind(sf.schemathesis_findings(JUNIT, "schemathesis/admin"))
    accepted = "ST201 Schema-violating request accepted"
    assert set(findings) == {("ST101 Server error", "POST /api/org/people/"),
                             ("ST202 Schema-valid request rejected", "POST /api/org/people/"),
                             ("error: Network Error", "GET /api/org/departments/"),
                             ("error: Runtime Error", "PATCH /api/websec/profiles/{id}/"),
                             # unsupported_method sent OPTIONS to the GET operation
                             ("ST101 Server error", "OPTIONS /api/docs/"),
                             (accepted, "GET /api/risks/bands/"),
                             (accepted, "POST /api/risks/bands/"),
                             (accepted, "GET /api/risks/threats/")}
    server_error = findings["ST101 Server error", "POST /api/org/people/"]
    assert server_error.severity == "high"
    assert server_error.tool == "schemathesis/admin"
    # The first failing case describes it: its response status and body.
    assert server_error.description == '[500] {"detail":"boom"}'
    assert "curl -X POST" in server_error.detail
    rejected = findings["ST202 Schema-valid request rejected", "POST /api/org/people/"]
    assert rejected.severity == "low"
    assert rejected.description.startswith("Valid data should have been accepted; [500]")
    # A request the server did not answer is looked at, not passed; the tool's own failure
    # is shown, low.
    timeout = findings["error: Network Error", "GET /api/org/departments/"]
    assert (timeout.severity, timeout.description) == (
        "medium", "Read timed out after 30.0 seconds")
    assert findings["error: Runtime Error", "PATCH /api/websec/profiles/{id}/"].severity == "low"


def test_stateful_failures_are_named_by_their_request_and_weighed_by_what_was_invalid():
    findings = by_kind(sf.schemathesis_findings(JUNIT, "schemathesis/admin"))
    accepted = "ST201 Schema-violating request accepted"
    # Only the query string was invalid: django-filter and the paginator ignore it.
    assert findings[accepted, "GET /api/risks/bands/"].severity == "low"
    assert findings[accepted, "GET /api/risks/threats/"].severity == "low"
    # An invalid body accepted is medium.
    body = findings[accepted, "POST /api/risks/bands/"]
    assert body.severity == "medium"
    assert body.description == 'Invalid data should have been rejected; [201] {"id":7}'


def test_a_finding_met_twice_is_one_row_with_the_worst_severity():
    def finding(severity, tool="schemathesis/admin", description="x"):
        return sf.Finding(severity, tool, "ST201 Schema-violating request accepted",
                          "GET /api/org/people/", description)

    fuzzing, stateful = finding("low"), finding("medium", description="y")
    assert sf.merged([fuzzing, stateful]) == [stateful]
    assert sf.merged([finding("low", "schemathesis/staff"), fuzzing]) == [
        finding("low", "schemathesis/staff"), fuzzing]
    # wapiti's own descriptions tell findings on one page apart.
    cookie = [finding("low", "wapiti/admin", "csrftoken"), finding("low", "wapiti/admin", "lang")]
    assert sf.merged(cookie) == cookie


def test_schemathesis_codes_we_do_not_know_count_as_medium():
    assert sf.schemathesis_severity("ST401") == "critical"
    assert sf.schemathesis_severity("ST108") == "medium"
    assert sf.schemathesis_severity("ST103") == "low"
    assert sf.schemathesis_severity("ST999") == "medium"


def test_wapiti_levels_and_duplicates():
    findings = sf.wapiti_findings(WAPITI, "wapiti/staff")
    rows = {(f.severity, f.kind, f.target, f.description) for f in findings}
    assert rows == {
        ("high", "Cross Site Scripting", "GET /org/people/",
         "XSS vulnerability found (parameter q)"),
        ("low", "Secure Flag cookie", "GET /", "Secure flag is not set in the cookie : x"),
        ("high", "Internal Server Error", "POST /risks/register/new/",
         "500 on a payload (parameter title)"),
        ("info", "HTTP Methods", "GET /", "OPTIONS (200)"),
        # CBC suites outside Mozilla's intermediate profile stay medium; wapiti's words on
        # TLS 1.3's own suites and on EV certificates do not apply (WAPITI_REWEIGHED).
        ("medium", "TLS/SSL misconfigurations", "GET /",
         "The following ciphers are acceptable for TLSv1.2: ECDHE-ECDSA-AES128-SHA256"),
        ("info", "TLS/SSL misconfigurations", "GET /",
         "The following ciphers are acceptable for TLSv1.3: TLS_AES_128_GCM_SHA256"),
        ("info", "TLS/SSL misconfigurations", "GET /",
         "Certificate doesn't use Extended Validation"),
    }
    assert len(findings) == 7  # the second XSS request found the same thing
    anomaly = next(f for f in findings if f.kind == "Internal Server Error")
    assert '"status_code": 500' in anomaly.detail


def test_server_log_500s_are_high_and_named_by_their_last_exception():
    [finding] = sf.server_errors(SERVER_LOG)
    assert (finding.severity, finding.tool, finding.target) == ("high", "server", "/api/docs/")
    assert finding.description == (
        "django.template.exceptions.TemplateDoesNotExist: No template names provided")
    assert "Forbidden" not in finding.detail


def test_the_bar_and_the_table():
    low = sf.Finding("low", "wapiti/staff", "Secure Flag cookie", "GET /", "cookie")
    info = sf.Finding("info", "wapiti/staff", "HTTP Methods", "GET /", "OPTIONS")
    medium = sf.Finding("medium", "schemathesis/admin", "ST108 Response violates schema",
                        "GET /api/conformance/", "not of type string")
    assert sf.passes_bar([low, info])
    assert not sf.passes_bar([low, medium])
    assert sf.counts([low, info, medium]) == {"critical": 0, "high": 0, "medium": 1,
                                              "low": 1, "info": 1}
    lines = sf.table([info, low, medium]).splitlines()
    assert lines[0].split() == ["severity", "tool", "kind", "request", "description"]
    assert [line.split()[0] for line in lines[2:]] == ["medium", "low", "info"]
