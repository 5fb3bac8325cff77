"""Issue 14 items 1, 2 and 6, hermetic (own CAs, threaded TLS servers on 127.0.0.1 only):
company CAs judged by RFC 5280 and public roots by web-PKI rules, HSTS and DH sizes that fail
the Mozilla profile, and reasons precise enough to act on."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from mamori.websec import profiles
from mamori.websec._engine import judge_chain
from mamori.websec.messages import UNTRUSTED, duration_text, problem_text
from mamori.websec.scan import Target, scan_targets
from mamori.websec.tests.tls_servers import (
    LOOPBACK,
    CompanyPKI,
    DHEServer,
    NotHttpServer,
    TLSServer,
    write_dh_params,
)
from mamori.websec.verdict import evaluate

PROFILES = profiles.shipped_profiles()
HSTS = "max-age=63072000; includeSubDomains"
TWO_YEARS = 63072000

# Each company CA variant: how it is built and what the server sends.
#   name -> (CompanyPKI kwargs, leaf kwargs, reason when the CA is NOT configured)
COMPANY_VARIANTS = {
    "ca_without_key_usage": ({"key_usage": False}, {}, "unknown_issuer"),
    "ca_noncritical_basic_constraints": ({"bc_critical": False}, {"send_root": True},
                                         "unknown_ca"),
    "leaf_without_aki": ({}, {"aki": False, "send_root": True}, "unknown_ca"),
    "intermediate_sent": ({"intermediate": True, "key_usage": False}, {}, "unknown_ca"),
}


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    directory = tmp_path_factory.mktemp("company-pki")
    pkis, leaves = {}, {}
    for name, (pki_kwargs, leaf_kwargs, _reason) in COMPANY_VARIANTS.items():
        pkis[name] = CompanyPKI(directory, name, **pki_kwargs)
        leaves[name] = pkis[name].leaf("www", **leaf_kwargs)
    # An issuing CA the server forgets to send: it sends its leaf and the root instead.
    pkis["gap"] = CompanyPKI(directory, "gap", intermediate=True)
    leaves["missing_intermediate"] = pkis["gap"].leaf("gap", send_intermediate=False,
                                                      send_root=True)
    leaves["rsa"] = pkis["gap"].leaf("rsa", key_type="rsa")
    return {"pkis": pkis, "leaves": leaves, "directory": directory,
            "anchors": "".join(p.root_pem for p in pkis.values())}


def _scan(configs: dict, extra_ca_pem: str | None) -> dict[str, dict]:
    """name -> (server class, server kwargs, Target kwargs): all in one batch."""
    servers = {}
    try:
        for name, (cls, kwargs, _target) in configs.items():
            kwargs = dict(kwargs)
            servers[name] = cls(kwargs.pop("leaf"), **kwargs).__enter__()
        names = list(configs)
        targets = [Target(LOOPBACK, servers[n].port, server_name="localhost", **configs[n][2])
                   for n in names]
        results = scan_targets(targets, timeout=120, endpoint_timeout=90,
                               extra_ca_pem=extra_ca_pem)
    finally:
        for server in servers.values():
            server.close()
    return dict(zip(names, results, strict=True))


@pytest.fixture(scope="module")
def configured(company):
    """The company CAs configured: the company-CA variants (certificate checks, one full scan)
    and the HSTS / DH / not-HTTP servers (full scans)."""
    leaves = company["leaves"]
    dh_file = write_dh_params(company["directory"] / "dh1024.pem")
    configs = {name: (TLSServer, {"leaf": leaves[name], "hsts": HSTS}, {"full": False})
               for name in (*COMPANY_VARIANTS, "missing_intermediate")}
    configs["ca_without_key_usage"] = (TLSServer, {"leaf": leaves["ca_without_key_usage"],
                                                   "hsts": HSTS}, {})
    configs["no_hsts"] = (TLSServer, {"leaf": leaves["rsa"]}, {})
    configs["short_hsts"] = (TLSServer, {"leaf": leaves["rsa"], "hsts": "max-age=86400"}, {})
    configs["dhe1024"] = (DHEServer, {"leaf": leaves["rsa"], "hsts": HSTS, "dh_file": dh_file},
                          {})
    configs["not_http"] = (NotHttpServer, {"leaf": leaves["rsa"]}, {})
    return _scan(configs, company["anchors"])


@pytest.fixture(scope="module")
def unconfigured(company):
    """The same company-CA servers with no company CA configured (certificate checks)."""
    leaves = company["leaves"]
    configs = {name: (TLSServer, {"leaf": leaves[name], "hsts": HSTS}, {"full": False})
               for name in COMPANY_VARIANTS}
    return _scan(configs, None)


def _verdict(result, profile="intermediate", personal=True):
    return evaluate(result, PROFILES[profile], handles_personal_data=personal,
                    client_cert_required=False)


def _problems(verdict, level=None) -> dict:
    return {p.code: p for p in verdict.problems if level is None or p.level == level}


# --------------------------------------------------------------------------- company CAs (1)


@pytest.mark.parametrize("name", list(COMPANY_VARIANTS))
def test_company_ca_variants_are_trusted_when_configured(configured, name):
    result = configured[name]
    assert result["error"] is None, result["error_detail"]
    assert result["trusted"] is True, result["trust_error"]
    assert result["trust"]["anchor"] == "company"
    assert result["trust"]["anchor_subject"].startswith(f"CN={name} Root CA,")
    verdict = _verdict(result)
    assert verdict.authentication, verdict.problems
    assert "auth.untrusted" not in _problems(verdict)


def test_company_ca_without_key_usage_passes_a_full_scan(configured):
    verdict = _verdict(configured["ca_without_key_usage"])
    assert verdict.problems == [], verdict.problems
    assert verdict.passed and verdict.profile


@pytest.mark.parametrize("name", list(COMPANY_VARIANTS))
def test_company_ca_variants_are_untrusted_with_a_reason_when_not_configured(
        unconfigured, company, english, name):
    result = unconfigured[name]
    assert result["error"] is None, result["error_detail"]
    assert result["trusted"] is False
    expected = COMPANY_VARIANTS[name][2]
    problem = _problems(_verdict(result))["auth.untrusted"]
    assert problem.params["reason"] == expected
    pki = company["pkis"][name]
    concerned = pki.intermediate if expected == "unknown_issuer" and pki.intermediate else pki.root
    assert problem.params["ca"] == concerned.subject.rfc4514_string()
    text = problem_text("auth.untrusted", problem.params)
    assert problem.params["ca"] in text and "web security settings" in text


def test_missing_intermediate_under_a_company_ca_is_untrusted(configured, company, english):
    result = configured["missing_intermediate"]
    assert result["trusted"] is False
    problem = _problems(_verdict(result))["auth.untrusted"]
    issuing = company["pkis"]["gap"].intermediate.subject.rfc4514_string()
    assert problem.params["reason"] == "missing_intermediate"
    assert problem.params["ca"] == issuing
    text = problem_text("auth.untrusted", problem.params)
    assert issuing in text and "intermediate" in text and "browser" not in text


# --------------------------------------------------------------------------- judge_chain (1, 6)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(cn, issuer_cn=None, issuer_key=None, *, ca=False, days=(-20, 60)):
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(issuer_cn or cn))
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now + dt.timedelta(days=days[0]))
        .not_valid_after(now + dt.timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256()), key


def _pem(cert) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_expired_company_ca_is_named_without_blaming_browsers(english):
    root, root_key = _cert("Old Company Root", ca=True, days=(-400, -1))
    leaf, _ = _cert("localhost", "Old Company Root", root_key, days=(-30, 30))
    trust = judge_chain([leaf], _pem(root))
    assert trust["trusted"] is False and trust["reason"] == "expired_ca"
    assert trust["anchor"] == "company" and trust["ca"] == "CN=Old Company Root"
    result = {"trusted": False, "trust_error": trust["error"], "trust": trust}
    from mamori.websec.verdict import _untrusted_params

    text = problem_text("auth.untrusted", _untrusted_params(result))
    assert "CN=Old Company Root" in text and "expired" in text
    assert "browser" not in text.lower() and "visitor" not in text.lower()


def test_ca_that_is_not_a_ca_and_a_leaf_issued_by_itself():
    not_ca, key = _cert("Not A CA", ca=False)
    leaf, _ = _cert("localhost", "Not A CA", key)
    trust = judge_chain([leaf], _pem(not_ca))
    assert trust["trusted"] is False and trust["reason"] == "not_a_ca"
    self_signed, _ = _cert("localhost")
    assert judge_chain([self_signed], _pem(not_ca))["reason"] == "self_signed"


def test_company_leaf_alone_without_its_issuing_ca():
    root, root_key = _cert("Co Root", ca=True)
    issuing, issuing_key = _cert("Co Issuing", "Co Root", root_key, ca=True)
    leaf, _ = _cert("localhost", "Co Issuing", issuing_key)
    assert judge_chain([leaf, issuing], _pem(root))["trusted"] is True
    trust = judge_chain([leaf], _pem(root))
    assert trust["reason"] == "unknown_issuer" and trust["ca"] == "CN=Co Issuing"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def test_sha1_signature_under_a_company_ca_is_still_refused(tmp_path, english):
    """cryptography cannot sign with SHA-1 any more; the openssl command line still can."""
    root, root_key = _cert("Sha1 Root", ca=True)
    (tmp_path / "root.crt").write_text(_pem(root))
    (tmp_path / "root.key").write_bytes(root_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (tmp_path / "ext.cnf").write_text("subjectAltName=DNS:localhost\n"
                                      "extendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    try:
        _openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", "leaf.key", "-subj", "/CN=localhost", "-out", "leaf.csr",
                 cwd=tmp_path)
        _openssl("x509", "-req", "-in", "leaf.csr", "-CA", "root.crt", "-CAkey", "root.key",
                 "-CAcreateserial", "-sha1", "-days", "30", "-extfile", "ext.cnf",
                 "-out", "leaf.crt", cwd=tmp_path)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"openssl cannot make a SHA-1 certificate here: {exc}")
    leaf = x509.load_pem_x509_certificate((tmp_path / "leaf.crt").read_bytes())
    trust = judge_chain([leaf], _pem(root))
    assert trust["trusted"] is False and trust["reason"] == "weak_signature"
    assert trust["algorithm"] == "ecdsa-with-SHA1" and trust["anchor"] == "company"


def test_every_untrusted_reason_reads_without_placeholders(english):
    params = {"ca": "CN=X", "subject": "CN=Y", "algorithm": "sha1WithRSAEncryption",
              "not_after": "2026-01-01T00:00:00+00:00", "bits": 1024, "detail": "d"}
    for reason in UNTRUSTED:
        text = problem_text("auth.untrusted", {"reason": reason, **params})
        assert "?" not in text and "%(" not in text, (reason, text)
    # Company-CA failures do not say that browsers warn visitors.
    for reason in ("missing_intermediate", "expired_ca", "weak_signature", "not_a_ca",
                   "ca_key_usage", "server_auth", "bad_signature", "other", "unknown_issuer"):
        assert "browser" not in problem_text("auth.untrusted", {"reason": reason, **params})
    # An old result without a diagnosis claims nothing about browsers either.
    old = problem_text("auth.untrusted", {"reason": "", "detail": "unknown issuer"})
    assert "could not be validated" in old and "(unknown issuer)" in old
    assert "browser" not in old
    recorded_before = problem_text("auth.untrusted", {"reason": "validation failed: x"})
    assert "(validation failed: x)" in recorded_before


# --------------------------------------------------------------------------- profile (2)


def test_no_hsts_fails_the_intermediate_profile(configured, english):
    result = configured["no_hsts"]
    assert result["http_status"] == 200 and result["hsts"] is None
    verdict = _verdict(result)
    assert verdict.authentication and not verdict.profile
    problem = _problems(verdict, "fail")["profile.no_hsts"]
    assert problem.params["minimum"] == TWO_YEARS
    assert "2 years (730 days)" in problem_text(problem.code, problem.params)
    # Not handling personal data: the policy does not need HSTS, the profile still does.
    quiet = _verdict(result, personal=False)
    assert quiet.integrity and not quiet.profile


def test_short_hsts_is_stated_in_days(configured, english):
    verdict = _verdict(configured["short_hsts"])
    problem = _problems(verdict, "fail")["profile.hsts_max_age"]
    assert problem.params == {"max_age": 86400, "minimum": TWO_YEARS}
    assert problem_text(problem.code, problem.params) == (
        "HSTS lasts 1 day; the profile asks for at least 2 years (730 days).")


def test_dhe_1024_fails_the_profile_with_the_minimum(configured, english):
    result = configured["dhe1024"]
    assert result["error"] is None, result["error_detail"]
    suite = "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
    assert suite in result["cipher_suites"]["tls1.2"]
    assert result["key_exchange"][suite] == {"type": "DHE", "size": 1024}
    verdict = _verdict(result)
    assert not verdict.profile and not verdict.encryption
    fails = _problems(verdict, "fail")
    profile = fails["profile.dh_size"]
    assert profile.params == {"suite": suite, "size": 1024, "minimum": 2048,
                              "protocols": ["tls1.2"]}
    assert "at least 2048 bits" in problem_text(profile.code, profile.params)
    assert "TLS 1.2" in problem_text(profile.code, profile.params)
    weak = fails["enc.weak_key_exchange"]
    assert weak.params["minimum"] == 2048 and "2048" in problem_text(weak.code, weak.params)
    assert "profile.cipher" not in fails  # the suite itself is allowed; its DH size is not


def test_tls_server_that_does_not_speak_http(configured, english):
    result = configured["not_http"]
    assert result["error"] is None and result["http_status"] is None
    assert result["command_errors"].get("http")
    verdict = _verdict(result)
    codes = _problems(verdict)
    assert "int.no_hsts" not in codes and "profile.no_hsts" not in codes
    problem = codes["int.hsts_not_checked"]
    assert problem.level == "warning" and problem.params["reason"] == "no_http"
    assert problem_text(problem.code, problem.params).startswith("HSTS could not be checked")
    assert verdict.passed and verdict.profile


# --------------------------------------------------------------------------- messages (6)


def _good(**overrides) -> dict:
    now = dt.datetime.now(dt.UTC)
    result = {
        "error": None, "full": True, "http_status": 200,
        "protocols": {"tls1.0": True, "tls1.1": True, "tls1.2": True, "tls1.3": False},
        "cipher_suites": {p: ["TLS_RSA_WITH_3DES_EDE_CBC_SHA"]
                          for p in ("tls1.0", "tls1.1", "tls1.2")},
        "key_exchange": {}, "groups": [],
        "certificate": {
            "subject": "CN=www.example.jp", "issuer": "CN=CA",
            "sans": {"dns": ["www.example.jp", "example.jp"], "ip": ["192.0.2.7"]},
            "not_before": (now - dt.timedelta(days=10)).isoformat(),
            "not_after": (now + dt.timedelta(days=300)).isoformat(),
            "key_type": "rsa", "key_size": 1024, "key_curve": None,
            "signature_algorithm": "sha256WithRSAEncryption", "self_signed": False,
        },
        "chain": [], "trusted": True, "hostname_matches": False,
        "hostname_checked": "shop.example.jp",
        "hsts": {"max_age": TWO_YEARS, "include_subdomains": True, "preload": False},
        "secure_renegotiation": True, "fallback_scsv": True,
    }
    result.update(overrides)
    return result


def test_cipher_findings_name_suite_and_protocols_once(english):
    verdict = _verdict(_good())
    for code in ("enc.weak_cipher", "enc.no_forward_secrecy", "int.weak_mac", "profile.cipher"):
        found = [p for p in verdict.problems if p.code == code]
        assert len(found) == 1, (code, found)
        text = problem_text(code, found[0].params)
        assert "TLS_RSA_WITH_3DES_EDE_CBC_SHA" in text
        assert "TLS 1.0, TLS 1.1, TLS 1.2" in text
    weak = next(p for p in verdict.problems if p.code == "enc.weak_cipher")
    assert "3DES" in problem_text(weak.code, weak.params)


def test_hostname_mismatch_lists_the_names_covered(english):
    verdict = _verdict(_good())
    problem = _problems(verdict)["auth.hostname"]
    text = problem_text(problem.code, problem.params)
    assert "shop.example.jp" in text
    assert "www.example.jp, example.jp, 192.0.2.7" in text
    none = problem_text("auth.hostname", {"name": "a.example", "sans": []})
    assert "names no host" in none


def test_key_size_findings_state_the_minimum(english):
    problems = _problems(_verdict(_good()))
    weak = problems["auth.weak_key"]
    assert "1024" in problem_text(weak.code, weak.params)
    assert "at least 2048 bits" in problem_text(weak.code, weak.params)
    profile = problems["profile.key_size"]
    assert "at least 2048 bits" in problem_text(profile.code, profile.params)


def test_durations_in_days_and_years(english):
    assert duration_text(63072000) == "2 years (730 days)"
    assert duration_text(31536000) == "1 year (365 days)"
    assert duration_text(15552000) == "180 days"
    assert duration_text(300) == "5 minutes"
    assert "seconds" not in problem_text("profile.hsts_max_age",
                                         {"max_age": 31536000, "minimum": TWO_YEARS})



def test_report_states_hsts_in_days_and_years(english):
    from mamori.websec.report import hsts_text

    assert hsts_text({"max_age": 63072000, "include_subdomains": True}) == (
        "2 years (730 days) · max-age=63072000")
    assert hsts_text({"max_age": None}) == "max-age=—" and hsts_text(None) == "—"
