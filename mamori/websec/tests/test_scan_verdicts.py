"""Scan engine and verdicts, hermetic: own CA, threaded TLS servers on 127.0.0.1 only."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mamori.websec import profiles
from mamori.websec.scan import Target, allowed_target, scan_targets
from mamori.websec.tests.tls_servers import (
    LOOPBACK,
    PKI,
    SilentServer,
    TLSServer,
    free_port,
    openssl_allows_rsa1024,
    openssl_allows_tls10,
)
from mamori.websec.verdict import Problem, Verdict, evaluate

PROFILES = profiles.shipped_profiles()
HSTS = "max-age=63072000; includeSubDomains"
SSLYZE_57 = (
    Path(__file__).resolve().parents[3]
    / ".venv/lib/python3.11/site-packages/sslyze/mozilla_tls_profile/5.7.json"
)

TLS10_OK, TLS10_REASON = openssl_allows_tls10()
RSA1024_OK, RSA1024_REASON = openssl_allows_rsa1024()


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> PKI:
    return PKI(tmp_path_factory.mktemp("pki"))


def _configs(pki: PKI) -> dict[str, tuple[dict, dict]]:
    """name -> (TLSServer kwargs, Target kwargs)."""
    ecdsa = pki.leaf("ecdsa", days_valid=90)
    rsa = pki.leaf("rsa", key_type="rsa", key_size=2048, days_valid=365)
    configs: dict[str, tuple[dict, dict]] = {
        "modern": ({"leaf": ecdsa, "min_version": "1.3", "hsts": HSTS}, {}),  # modern needs HSTS
        "intermediate": ({"leaf": rsa, "hsts": HSTS}, {}),
        "intermediate_no_hsts": ({"leaf": rsa}, {}),
        "static_rsa": (
            {"leaf": rsa, "max_version": "1.2", "hsts": HSTS,
             "ciphers": "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384"},
            {},
        ),
        "expired": (
            {"leaf": pki.leaf("expired", days_valid=30, not_before_days_ago=60), "hsts": HSTS},
            {},
        ),
        "wrong_host": (
            {"leaf": pki.leaf("wrong", dns=("wrong.example",), ips=()), "hsts": HSTS},
            {},
        ),
        "self_signed": ({"leaf": pki.leaf("selfsigned", self_signed=True), "hsts": HSTS}, {}),
        "mtls_required": (
            {"leaf": ecdsa, "hsts": HSTS, "client_auth": "required",
             "client_ca_file": pki.ca.cert_file},
            {"client_cert_required": True},
        ),
        "mtls_optional": (
            {"leaf": ecdsa, "hsts": HSTS, "client_auth": "optional",
             "client_ca_file": pki.ca.cert_file},
            {"client_cert_required": True},
        ),
        "cert_only": ({"leaf": rsa, "hsts": HSTS}, {"full": False}),
    }
    if TLS10_OK:
        configs["tls10"] = (
            {"leaf": rsa, "min_version": "1.0", "hsts": HSTS, "seclevel0": True,
             "ciphers": "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA"},
            {},
        )
    if RSA1024_OK:
        configs["rsa1024"] = (
            {"leaf": pki.leaf("rsa1024", key_type="rsa", key_size=1024, days_valid=365),
             "hsts": HSTS, "seclevel0": True},
            {},
        )
    return configs


@pytest.fixture(scope="module")
def scanned(pki) -> dict[str, dict]:
    """Every configuration scanned in ONE batch (one child process), as the worker does."""
    configs = _configs(pki)
    servers = {}
    try:
        for name, (server_kwargs, _) in configs.items():
            kwargs = dict(server_kwargs)
            servers[name] = TLSServer(kwargs.pop("leaf"), **kwargs).__enter__()
        names = list(configs)
        targets = [
            Target(LOOPBACK, servers[n].port, server_name="localhost", **configs[n][1])
            for n in names
        ]
        started = time.monotonic()
        results = scan_targets(targets, timeout=45, extra_ca_pem=pki.ca_pem)
        elapsed = time.monotonic() - started
    finally:
        for server in servers.values():
            server.close()
    assert len(results) == len(names)
    by_name = dict(zip(names, results, strict=True))
    by_name["_elapsed"] = {"seconds": elapsed, "count": len(names)}
    return by_name


def _verdict(result: dict, profile: str = "intermediate", *, personal: bool = True,
             client_cert_required: bool = False) -> Verdict:  # fmt: skip
    return evaluate(
        result,
        PROFILES[profile],
        handles_personal_data=personal,
        client_cert_required=client_cert_required,
    )


def _fails(verdict: Verdict) -> set[str]:
    return {p.code for p in verdict.problems if p.level == "fail"}


# --------------------------------------------------------------------------- live scans


def test_results_are_json_and_complete(scanned):
    for name, result in scanned.items():
        if name.startswith("_"):
            continue
        json.dumps(result)
        assert result["error"] is None, (name, result["error_detail"])
        assert result["sslyze_version"]
        assert result["started_at"] and result["finished_at"]
        assert result["target"]["host"] == LOOPBACK


def test_modern_ecdsa_passes_modern(scanned):
    result = scanned["modern"]
    assert result["protocols"]["tls1.3"] and not result["protocols"]["tls1.2"]
    assert result["certificate"]["key_type"] == "ecdsa"
    assert result["trusted"] and result["hostname_matches"]
    verdict = _verdict(result, "modern", personal=False)
    assert verdict.problems == []
    assert verdict.authentication and verdict.encryption and verdict.integrity and verdict.profile


def test_intermediate_rsa_with_hsts_passes_intermediate(scanned):
    result = scanned["intermediate"]
    assert result["hsts"]["max_age"] == 63072000 and result["hsts"]["include_subdomains"]
    assert set(result["cipher_suites"]["tls1.2"]) <= set(PROFILES["intermediate"]["cipher_suites"])
    assert result["groups"] == ["prime256v1"]
    verdict = _verdict(result, "intermediate", personal=True)
    assert verdict.problems == [], verdict.problems
    assert verdict.passed and verdict.profile
    # the same endpoint against modern: TLS 1.2 and an RSA certificate are outside that profile
    modern = _verdict(result, "modern")
    assert modern.passed and not modern.profile
    assert {"profile.protocol", "profile.certificate_type"} <= _fails(modern)
    assert "profile.certificate_type" not in _fails(_verdict(result, "modern-rsa"))


def test_no_hsts_fails_integrity_only_for_personal_data(scanned):
    result = scanned["intermediate_no_hsts"]
    assert result["hsts"] is None
    verdict = _verdict(result, personal=True)
    assert "int.no_hsts" in _fails(verdict) and not verdict.integrity
    assert _verdict(result, personal=False).integrity


@pytest.mark.skipif(not TLS10_OK, reason=TLS10_REASON)
def test_tls10_enabled_fails_encryption(scanned):
    result = scanned["tls10"]
    assert result["protocols"]["tls1.0"] is True
    assert "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" in result["cipher_suites"]["tls1.0"]
    verdict = _verdict(result)
    assert Problem("enc.protocol", "encryption", "fail", {"protocol": "tls1.0"}) in verdict.problems
    assert not verdict.encryption
    assert result["fallback_scsv"] is True  # OpenSSL servers honour TLS_FALLBACK_SCSV


def test_static_rsa_suites_fail_forward_secrecy(scanned):
    result = scanned["static_rsa"]
    assert result["key_exchange"]["TLS_RSA_WITH_AES_128_GCM_SHA256"]["type"] == "RSA"
    assert result["key_exchange"]["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"]["type"] == "ECDHE"
    verdict = _verdict(result)
    suites = {p.params["suite"] for p in verdict.problems if p.code == "enc.no_forward_secrecy"}
    assert suites == {"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"}
    assert not verdict.encryption and verdict.authentication
    assert result["robot"] is False  # ROBOT only runs when static RSA is accepted


def test_expired_certificate(scanned):
    verdict = _verdict(scanned["expired"])
    assert "auth.expired" in _fails(verdict) and not verdict.authentication
    assert "auth.untrusted" not in _fails(verdict)  # the chain itself is fine
    assert verdict.certificate_expires < datetime.now(UTC)


def test_wrong_hostname(scanned):
    result = scanned["wrong_host"]
    assert result["hostname_matches"] is False
    assert _fails(_verdict(result)) == {"auth.hostname"}


def test_self_signed(scanned):
    result = scanned["self_signed"]
    assert result["certificate"]["self_signed"] is True and result["trusted"] is False
    assert "auth.self_signed" in _fails(_verdict(result))


@pytest.mark.skipif(not RSA1024_OK, reason=RSA1024_REASON)
def test_rsa1024_is_weak_key(scanned):
    result = scanned["rsa1024"]
    assert result["certificate"]["key_size"] == 1024
    verdict = _verdict(result)
    assert "auth.weak_key" in _fails(verdict)
    assert "profile.key_size" in _fails(verdict)


def test_mutual_tls_required_passes(scanned):
    result = scanned["mtls_required"]
    assert result["client_cert_requested"] is True
    assert result["client_cert_enforced"] is True
    assert result["protocols"]["tls1.3"] and result["protocols"]["tls1.2"]
    verdict = _verdict(result, client_cert_required=True)
    assert verdict.passed, verdict.problems


def test_client_cert_requested_but_not_enforced(scanned):
    result = scanned["mtls_optional"]
    assert result["client_cert_requested"] is True
    assert result["client_cert_enforced"] is False
    verdict = _verdict(result, client_cert_required=True)
    assert "auth.client_cert_not_enforced" in _fails(verdict)
    # a server that demands nothing at all fails the same way
    plain = _verdict(scanned["intermediate"], client_cert_required=True)
    assert "auth.client_cert_not_enforced" in _fails(plain)


def test_certificate_only_check(scanned):
    result = scanned["cert_only"]
    assert result["full"] is False
    assert result["certificate"]["key_type"] == "rsa" and result["trusted"]
    assert result["cipher_suites"] is None and result["hsts"] is None
    verdict = _verdict(result, personal=False)
    assert verdict.authentication


def test_batch_speed(scanned):
    elapsed = scanned["_elapsed"]
    # Loopback, one child: far below sslyze's default full scan (~0.35 s/endpoint of CPU).
    assert elapsed["seconds"] < 30, elapsed


# --------------------------------------------------------------------------- refusals, errors


def test_non_loopback_is_refused_without_connecting(monkeypatch):
    attempts = []
    real_connect = socket.socket.connect

    def spy(self, address):
        attempts.append(address)
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", spy)
    monkeypatch.delenv("MAMORI_TLSSCAN_ALLOW_NETWORKS", raising=False)
    assert not allowed_target("192.0.2.1")
    assert not allowed_target("10.0.0.1")
    assert allowed_target("127.0.0.1") and allowed_target("::1") and allowed_target("localhost")
    results = scan_targets([Target("192.0.2.1", 443), Target("203.0.113.9", 8443)], timeout=5)
    assert [r["error"] for r in results] == ["refused_not_loopback"] * 2
    assert attempts == []


def test_allow_networks_env(monkeypatch):
    monkeypatch.setenv("MAMORI_TLSSCAN_ALLOW_NETWORKS", "127.0.0.1/32")
    assert allowed_target("127.0.0.1")
    assert not allowed_target("127.0.0.2")
    assert not allowed_target("::1")


def test_nothing_listening_is_connect_error():
    [result] = scan_targets([Target(LOOPBACK, free_port())], timeout=20)
    assert result["error"] == "connect"
    verdict = _verdict(result)
    assert [p.code for p in verdict.problems] == ["scan.error"]
    assert not (verdict.authentication or verdict.encryption or verdict.integrity)


def test_silent_server_hits_the_hard_timeout():
    with SilentServer() as silent:
        started = time.monotonic()
        [result] = scan_targets([Target(LOOPBACK, silent.port)], timeout=3)
        elapsed = time.monotonic() - started
    assert result["error"] == "timeout"
    assert elapsed < 8


# --------------------------------------------------------------------------- evaluate() unit tests


def _good_result(**overrides) -> dict:
    now = datetime.now(UTC)
    result = {
        "target": {"host": "127.0.0.1", "port": 443, "server_name": "www.example.jp"},
        "error": None,
        "error_detail": "",
        "protocols": {"ssl2.0": False, "ssl3.0": False, "tls1.0": False, "tls1.1": False,
                      "tls1.2": True, "tls1.3": True},
        "cipher_suites": {
            "tls1.2": ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
            "tls1.3": ["TLS_AES_128_GCM_SHA256"],
        },
        "key_exchange": {
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": {"type": "ECDHE", "group": "X25519"},
        },
        "groups": ["X25519", "prime256v1"],
        "certificate": {
            "subject": "CN=www.example.jp",
            "issuer": "CN=Example CA",
            "sans": {"dns": ["www.example.jp"], "ip": []},
            "not_before": (now - timedelta(days=10)).isoformat(),
            "not_after": (now + timedelta(days=300)).isoformat(),
            "key_type": "rsa",
            "key_size": 2048,
            "key_curve": None,
            "signature_algorithm": "sha256WithRSAEncryption",
            "self_signed": False,
            "sha256": "00",
        },
        "chain": [],
        "trusted": True,
        "hostname_matches": True,
        "hostname_checked": "www.example.jp",
        "ocsp_stapled": False,
        "hsts": {"max_age": 63072000, "include_subdomains": True, "preload": False},
        "compression": False,
        "secure_renegotiation": True,
        "client_renegotiation": False,
        "heartbleed": False,
        "robot": False,
        "ccs_injection": False,
        "fallback_scsv": None,
        "early_data": False,
        "client_cert_requested": False,
        "client_cert_enforced": False,
    }
    result.update(overrides)
    return result


def _codes(result, profile="intermediate", **kwargs):
    kwargs.setdefault("handles_personal_data", True)
    kwargs.setdefault("client_cert_required", False)
    return {p.code: p for p in evaluate(result, PROFILES[profile], **kwargs).problems}


def test_evaluate_good_result_passes():
    verdict = evaluate(_good_result(), PROFILES["intermediate"], handles_personal_data=True,
                       client_cert_required=False)
    assert verdict.problems == []
    assert verdict.authentication and verdict.encryption and verdict.integrity and verdict.profile


def test_evaluate_scan_error():
    verdict = evaluate({"error": "timeout", "error_detail": "x"}, PROFILES["intermediate"],
                       handles_personal_data=True, client_cert_required=False)
    assert [p.code for p in verdict.problems] == ["scan.error"]
    assert verdict.problems[0].promise == "availability"
    assert not (verdict.authentication or verdict.encryption or verdict.integrity
                or verdict.profile)


def test_evaluate_expiry_warning_then_failure():
    now = datetime.now(UTC)
    soon = _good_result()
    soon["certificate"]["not_after"] = (now + timedelta(days=10)).isoformat()
    problem = _codes(soon)["auth.expiring_soon"]
    assert problem.level == "warning" and problem.params["days_left"] in (9, 10)
    assert evaluate(soon, PROFILES["intermediate"], handles_personal_data=True,
                    client_cert_required=False).authentication  # fmt: skip
    assert "auth.expiring_soon" not in _codes(soon, expiry_warning_days=5)
    later = now + timedelta(days=11)
    assert "auth.expired" in _codes(soon, now=later)


def test_evaluate_weak_ciphers_and_macs():
    result = _good_result(
        cipher_suites={"tls1.2": [
            "TLS_RSA_WITH_RC4_128_MD5", "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_DH_anon_WITH_AES_128_CBC_SHA",
            "TLS_RSA_WITH_NULL_SHA256", "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA",
        ]},
    )
    problems = evaluate(result, PROFILES["intermediate"], handles_personal_data=False,
                        client_cert_required=False).problems  # fmt: skip
    weak = {p.params["suite"]: p.params["reason"] for p in problems if p.code == "enc.weak_cipher"}
    assert weak == {
        "TLS_RSA_WITH_RC4_128_MD5": "rc4",
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA": "3des",
        "TLS_DH_anon_WITH_AES_128_CBC_SHA": "anonymous",
        "TLS_RSA_WITH_NULL_SHA256": "null",
        "TLS_RSA_EXPORT_WITH_DES40_CBC_SHA": "export",
    }
    macs = {p.params["suite"] for p in problems if p.code == "int.weak_mac"}
    assert "TLS_RSA_WITH_RC4_128_MD5" in macs
    assert "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" in macs  # CBC-SHA1 not allowed by intermediate
    nofs = {p.params["suite"] for p in problems if p.code == "enc.no_forward_secrecy"}
    assert "TLS_DH_anon_WITH_AES_128_CBC_SHA" not in nofs
    assert "TLS_RSA_WITH_3DES_EDE_CBC_SHA" in nofs
    # a profile that allows CBC-SHA1 accepts it for integrity
    lenient = dict(PROFILES["intermediate"])
    lenient["cipher_suites"] = [*lenient["cipher_suites"], "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]
    only_cbc = _good_result(cipher_suites={"tls1.2": ["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"]})
    verdict = evaluate(only_cbc, lenient, handles_personal_data=False, client_cert_required=False)
    assert verdict.integrity and verdict.profile


def test_evaluate_vulnerabilities_and_integrity():
    result = _good_result(
        compression=True, secure_renegotiation=False, heartbleed=True, robot=True,
        ccs_injection=True, client_renegotiation=True, hsts=None,
        protocols={**_good_result()["protocols"], "tls1.1": True}, fallback_scsv=False,
    )
    codes = _codes(result)
    for code in ("int.compression", "int.insecure_renegotiation", "int.heartbleed", "int.robot",
                 "int.ccs_injection", "int.no_fallback_scsv", "int.no_hsts"):  # fmt: skip
        assert codes[code].level == "fail" and codes[code].promise == "integrity"
    assert codes["int.client_renegotiation"].level == "warning"
    assert codes["enc.protocol"].params == {"protocol": "tls1.1"}
    assert "int.no_hsts" not in _codes(result, handles_personal_data=False)


def test_evaluate_certificate_checks():
    result = _good_result(trusted=False, trust_error="unknown issuer", hostname_matches=False)
    result["certificate"].update(key_size=1024, signature_algorithm="sha1WithRSAEncryption")
    codes = _codes(result)
    assert {"auth.untrusted", "auth.hostname", "auth.weak_key", "auth.weak_signature",
            "profile.signature", "profile.key_size"} <= set(codes)
    ecdsa = _good_result()
    ecdsa["certificate"].update(key_type="ecdsa", key_size=224, key_curve="secp224r1",
                                signature_algorithm="ecdsa-with-SHA256")
    assert "auth.weak_key" in _codes(ecdsa)
    good_ecdsa = _good_result()
    good_ecdsa["certificate"].update(key_type="ecdsa", key_size=256, key_curve="prime256v1",
                                     signature_algorithm="ecdsa-with-SHA256")
    assert not _codes(good_ecdsa)


def test_evaluate_profiles_modern_and_modern_rsa():
    rsa_13 = _good_result(
        protocols={**_good_result()["protocols"], "tls1.2": False},
        cipher_suites={"tls1.3": ["TLS_AES_128_GCM_SHA256"]},
    )
    rsa_13["certificate"]["not_before"] = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    assert "profile.certificate_type" in _codes(rsa_13, "modern")
    assert not _codes(rsa_13, "modern-rsa")
    assert "profile.protocol" in _codes(_good_result(), "modern-rsa")


def test_evaluate_hsts_max_age_profile():
    short = _good_result(hsts={"max_age": 300, "include_subdomains": False, "preload": False})
    codes = _codes(short)
    assert codes["profile.hsts_max_age"].params == {"max_age": 300, "minimum": 63072000}
    assert "int.no_hsts" not in codes


def test_evaluate_client_certificates():
    result = _good_result(client_cert_requested=True, client_cert_enforced=True)
    assert not _codes(result, client_cert_required=True)
    result["client_cert_enforced"] = False
    assert "auth.client_cert_not_enforced" in _codes(result, client_cert_required=True)
    assert "auth.client_cert_not_enforced" not in _codes(result, client_cert_required=False)


# --------------------------------------------------------------------------- profiles


def test_load_mozilla_guidelines_from_sslyze_57():
    if not SSLYZE_57.is_file():
        pytest.skip("sslyze's bundled Mozilla guidelines file not found")
    data = profiles.load_mozilla_guidelines(json.loads(SSLYZE_57.read_text()))
    assert data["version"] == "5.7" and data["source"] == profiles.SOURCE
    assert {"old", "intermediate", "modern", "modern-rsa"} <= set(data["profiles"])
    inter = data["profiles"]["intermediate"]
    assert inter["protocols"] == ["tls1.2", "tls1.3"]
    assert "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" in inter["cipher_suites"]
    assert inter["rsa_min_bits"] == 2048 and inter["ecdsa_min_bits"] == 256
    modern = data["profiles"]["modern"]
    assert modern["protocols"] == ["tls1.3"] and modern["certificate_types"] == ["ecdsa"]
    assert modern["rsa_min_bits"] is None
    mrsa = data["profiles"]["modern-rsa"]
    assert mrsa["protocols"] == ["tls1.3"] and "rsa" in mrsa["certificate_types"]
    assert mrsa["rsa_min_bits"] == 2048
    assert "sha256WithRSAEncryption" in mrsa["certificate_signatures"]
    # the shipped data is exactly this import for the three profiles we ship
    shipped = profiles.shipped_data()
    assert shipped["version"] == "5.7"
    for name in ("intermediate", "modern", "modern-rsa"):
        assert shipped["profiles"][name] == data["profiles"][name]


def test_load_mozilla_guidelines_6_0_shape():
    """6.0 dropped "old"; same keys otherwise."""
    sample = {
        "version": 6.0,
        "href": "https://ssl-config.mozilla.org/guidelines/6.0.json",
        "configurations": {
            "modern": {
                "certificate_curves": ["prime256v1", "secp384r1"],
                "certificate_signatures": ["ecdsa-with-SHA256"],
                "certificate_types": ["ecdsa"],
                "ciphers": {"iana": [], "openssl": []},
                "ciphersuites": ["TLS_AES_128_GCM_SHA256"],
                "dh_param_size": None,
                "ecdh_param_size": 256,
                "hsts_min_age": 63072000,
                "maximum_certificate_lifespan": 90,
                "ocsp_staple": False,
                "rsa_key_size": None,
                "tls_curves": ["X25519", "prime256v1"],
                "tls_versions": ["TLSv1.3"],
            }
        },
    }
    data = profiles.load_mozilla_guidelines(sample)
    assert data["version"] == "6.0" and set(data["profiles"]) == {"modern", "modern-rsa"}
    with pytest.raises(ValueError):
        profiles.load_mozilla_guidelines({"version": 1})
