"""The scan engine that runs inside the scan child process (see scan.py).

Plain Python, no Django. It uses sslyze's building blocks (connectivity probing, TLS connections,
the vulnerability plugins) but not sslyze's full cipher-suite enumeration, which tests every cipher
suite OpenSSL knows with one handshake each (about 85 % of sslyze's CPU). Instead, accepted suites
are found by elimination: offer every candidate suite, record the one the server picks, remove it,
and repeat until the server refuses. That costs (accepted suites + 1) handshakes per protocol
version instead of one per known suite, and yields the same set. Supported groups are found the
same way. Where elimination cannot tell which suite was chosen (a server demanding a client
certificate, or weak DH parameters the client refuses) it falls back to sslyze's one-suite-per-
handshake test for the remaining candidates, so no verdict is lost.

Every function here returns plain JSON-serialisable values.
"""

from __future__ import annotations

import hashlib
import ipaddress
import select
import socket
import ssl
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtensionOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)
from nassl.ephemeral_key_info import (
    DhEphemeralKeyInfo,
    EcDhEphemeralKeyInfo,
    OpenSslEcNidEnum,
)
from nassl.ssl_client import ClientCertificateRequested
from sslyze import __version__ as sslyze_version_module
from sslyze.connection_helpers.tls_connection import NoCiphersAvailableBugInSSlyze
from sslyze.errors import (
    ConnectionToServerFailed,
    ServerRejectedTlsHandshake,
    ServerTlsConfigurationNotSupported,
    TlsHandshakeFailed,
    TlsHandshakeTimedOut,
)
from sslyze.plugins.certificate_info._get_cert_chain import get_certificate_chain
from sslyze.plugins.compression_plugin import CompressionImplementation
from sslyze.plugins.early_data_plugin import EarlyDataImplementation
from sslyze.plugins.elliptic_curves_plugin import enable_ecdh_cipher_suites
from sslyze.plugins.fallback_scsv_plugin import FallbackScsvImplementation
from sslyze.plugins.heartbleed_plugin import HeartbleedImplementation
from sslyze.plugins.openssl_ccs_injection_plugin import OpenSslCcsInjectionImplementation
from sslyze.plugins.openssl_cipher_suites._test_cipher_suite import (
    CipherSuiteAcceptedByServer,
    connect_with_cipher_suite,
)
from sslyze.plugins.openssl_cipher_suites._tls12_workaround import (
    WorkaroundForTls12ForCipherSuites,
)
from sslyze.plugins.openssl_cipher_suites.cipher_suites import CipherSuitesRepository
from sslyze.plugins.plugin_base import ScanJobResult
from sslyze.plugins.robot.implementation import RobotImplementation
from sslyze.plugins.robot.implementation import RobotScanResultEnum as _Robot
from sslyze.plugins.session_renegotiation_plugin import SessionRenegotiationImplementation
from sslyze.server_connectivity import (
    ClientAuthRequirementEnum,
    ServerConnectivityInfo,
    TlsVersionEnum,
    check_connectivity_to_server,
)
from sslyze.server_setting import ServerNetworkConfiguration, ServerNetworkLocation

from mamori.websec import result_shape
from mamori.websec.hostnames import InvalidHostName, ascii_host
from mamori.websec.result_shape import now_iso
from mamori.websec.truststore import system_trust_files

SSLYZE_VERSION = sslyze_version_module.__version__

PROTOCOL_KEYS = {
    TlsVersionEnum.SSL_2_0: "ssl2.0",
    TlsVersionEnum.SSL_3_0: "ssl3.0",
    TlsVersionEnum.TLS_1_0: "tls1.0",
    TlsVersionEnum.TLS_1_1: "tls1.1",
    TlsVersionEnum.TLS_1_2: "tls1.2",
    TlsVersionEnum.TLS_1_3: "tls1.3",
}
_OLD_PROTOCOLS = ("ssl2.0", "ssl3.0", "tls1.0", "tls1.1")

# Keys filled only by a full scan; a certificate-only check leaves them None.
def empty_result(target: dict) -> dict:
    return result_shape.empty_result(target, SSLYZE_VERSION)


# --------------------------------------------------------------------------- certificates


def _name(value: x509.Name) -> str:
    return value.rfc4514_string()


# cryptography uses SEC names; Mozilla's guidelines and sslyze use OpenSSL's.
_CURVE_OPENSSL_NAMES = {"secp256r1": "prime256v1", "secp192r1": "prime192v1"}


def curve_name(name: str) -> str:
    return _CURVE_OPENSSL_NAMES.get(name, name)


def _key_facts(public_key: Any) -> tuple[str, int | None, str | None]:
    if isinstance(public_key, rsa.RSAPublicKey):
        return "rsa", public_key.key_size, None
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = _CURVE_OPENSSL_NAMES.get(public_key.curve.name, public_key.curve.name)
        return "ecdsa", public_key.curve.key_size, curve
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "ed25519", 256, None
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "ed448", 456, None
    if isinstance(public_key, dsa.DSAPublicKey):
        return "dsa", public_key.key_size, None
    return type(public_key).__name__.lower(), None, None


def _signature_name(cert: x509.Certificate) -> str:
    oid = cert.signature_algorithm_oid
    # cryptography keeps OpenSSL's short/long names (sha256WithRSAEncryption, ecdsa-with-SHA256)
    return getattr(oid, "_name", None) or oid.dotted_string


def _sans(cert: x509.Certificate) -> dict:
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
    except x509.ExtensionNotFound:
        return {"dns": [], "ip": []}
    return {
        "dns": list(ext.get_values_for_type(x509.DNSName)),
        "ip": [str(ip) for ip in ext.get_values_for_type(x509.IPAddress)],
    }


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # any failure means "not signed by itself"
        return False
    return True


def certificate_facts(cert: x509.Certificate) -> dict:
    key_type, key_size, curve = _key_facts(cert.public_key())
    return {
        "subject": _name(cert.subject),
        "issuer": _name(cert.issuer),
        "sans": _sans(cert),
        "serial": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "key_type": key_type,
        "key_size": key_size,
        "key_curve": curve,
        "signature_algorithm": _signature_name(cert),
        "self_signed": _is_self_signed(cert),
        "sha256": hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(),
    }


def _wildcard_match(pattern: str, name: str) -> bool:
    pattern = pattern.lower().rstrip(".")
    name = name.lower().rstrip(".")
    if pattern == name:
        return True
    if not pattern.startswith("*."):
        return False
    suffix = pattern[2:]
    # The wildcard covers exactly one whole left-most label, never a public suffix alone.
    if "*" in suffix or suffix.count(".") < 1:
        return False
    head, _, rest = name.partition(".")
    return bool(head) and rest == suffix


def hostname_matches(sans: dict, name: str) -> bool:
    """RFC 6125 matching on SANs only (no CN fallback, as browsers do)."""
    try:
        wanted_ip = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        wanted_ip = None
    if wanted_ip is not None:
        return any(ipaddress.ip_address(ip) == wanted_ip for ip in sans.get("ip", []))
    return any(_wildcard_match(pattern, name) for pattern in sans.get("dns", []))


@lru_cache(maxsize=1)
def _system_roots() -> tuple[x509.Certificate, ...]:
    for bundle in system_trust_files():
        try:
            with warnings.catch_warnings():
                # a few system roots carry non-positive serials; still usable as anchors
                warnings.simplefilter("ignore")
                return tuple(x509.load_pem_x509_certificates(bundle.read_bytes()))
        except ValueError:
            continue
    return ()


@lru_cache(maxsize=1)
def _public_store() -> Store | None:
    roots = list(_system_roots())
    return Store(roots) if roots else None


@lru_cache(maxsize=8)
def _company_roots(extra_ca_pem: str | None) -> tuple[x509.Certificate, ...]:
    if not extra_ca_pem:
        return ()
    return tuple(x509.load_pem_x509_certificates(extra_ca_pem.encode()))


def _ku_may_sign_certificates(_policy, _cert, ext) -> None:
    if ext is not None and not ext.key_cert_sign:
        raise ValueError("keyUsage present without keyCertSign")


def _eku_allows_server(_policy, _cert, ext) -> None:
    if ext is not None and x509.oid.ExtendedKeyUsageOID.SERVER_AUTH not in ext:
        raise ValueError("extendedKeyUsage present without serverAuth")


@lru_cache(maxsize=1)
def _rfc5280_policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    """Extension policies for the company's own CAs: RFC 5280 path validation rather than the
    CA/Browser Forum profile. A CA must assert basicConstraints cA (critical or not); keyUsage
    and extendedKeyUsage are checked only when present (RFC 5280 §4.2.1.3, §6.1.4 (n));
    authority/subject key identifiers and AIA may be absent. Unknown critical extensions are
    still refused, and the verifier itself still refuses SHA-1 signatures, expired
    certificates, path length and name constraint violations and RSA keys under 2048 bits."""
    ca = (
        ExtensionPolicy.permit_all()
        .require_present(x509.BasicConstraints, Criticality.AGNOSTIC, None)
        .may_be_present(x509.KeyUsage, Criticality.AGNOSTIC, _ku_may_sign_certificates)
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _eku_allows_server)
    )
    ee = (
        ExtensionPolicy.permit_all()
        .require_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        .may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _eku_allows_server)
    )
    return ca, ee


def _verification_subject(leaf: x509.Certificate) -> x509.GeneralName | None:
    sans = _sans(leaf)
    if sans["dns"]:
        return x509.DNSName(sans["dns"][0].replace("*.", "wildcard.", 1))
    if sans["ip"]:
        return x509.IPAddress(ipaddress.ip_address(sans["ip"][0]))
    return None


def _verification_moment(leaf: x509.Certificate) -> datetime:
    moment = datetime.now(UTC)
    moment = max(moment, leaf.not_valid_before_utc)
    return min(moment, leaf.not_valid_after_utc - timedelta(seconds=1))


def _try_verify(builder: PolicyBuilder, subject, leaf, intermediates):
    """(verified chain, None) or (None, error text)."""
    try:
        return builder.build_server_verifier(subject).verify(leaf, intermediates), None
    except VerificationError as exc:
        return None, str(exc)
    except Exception as exc:  # malformed certificates must not abort the scan
        return None, f"{type(exc).__name__}: {exc}"


def verify_chain(
    chain: list[x509.Certificate], extra_ca_pem: str | None
) -> tuple[bool, str | None]:
    """Is the chain valid up to a trusted root? (See `judge_chain` for why not.)"""
    trust = judge_chain(chain, extra_ca_pem)
    return trust["trusted"], trust["error"]


def judge_chain(chain: list[x509.Certificate], extra_ca_pem: str | None) -> dict:
    """Validate the chain as received, and say why it fails in terms one can act on.

    The public roots of the system's trust store are held to the web PKI rules browsers apply
    (CA/Browser Forum, cryptography's defaults); the company's own CAs (the settings'
    company_ca_pem) to RFC 5280, as OpenSSL and browsers with that CA installed do. Expiry and
    hostname are judged separately on the leaf, so validation runs at a moment inside the
    leaf's validity and for one of its own SANs.

    Returns {"trusted", "error" (the verifier's words), "reason" (a code, see
    messages.UNTRUSTED), "ca" (the certificate concerned), "anchor" ("public" | "company" |
    None), "anchor_subject", and for some reasons "algorithm" / "not_after"}."""
    leaf, intermediates = chain[0], chain[1:]
    company = _company_roots(extra_ca_pem)
    public = _public_store()
    out: dict[str, Any] = {"trusted": False, "error": None, "reason": None, "ca": None,
                           "anchor": None, "anchor_subject": None}
    subject = _verification_subject(leaf)
    if subject is None:
        out.update(error="certificate has no subjectAltName", reason="no_san")
        return out
    if public is None and not company:
        out.update(error="no trust store available", reason="no_store")
        return out
    moment = _verification_moment(leaf)
    errors: dict[str, str] = {}
    attempts = []
    if public is not None:
        attempts.append(("public", PolicyBuilder().store(public).time(moment)))
    if company:
        ca_policy, ee_policy = _rfc5280_policies()
        attempts.append(("company", PolicyBuilder().store(Store(list(company))).time(moment)
                         .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)))
    for kind, builder in attempts:
        verified, error = _try_verify(builder, subject, leaf, intermediates)
        if verified is not None:
            out.update(trusted=True, anchor=kind, anchor_subject=_name(verified[-1].subject))
            return out
        errors[kind] = error or ""
    out.update(_diagnose(chain, company, moment))
    out["error"] = errors.get(out["anchor"] or "") or errors.get("company") or errors.get(
        "public") or "not trusted"
    if out["reason"] in ("web_pki", "other"):
        out["detail"] = _readable_error(out["error"])
    return out


_OID_NAMES = {
    "2.5.29.15": "keyUsage", "2.5.29.19": "basicConstraints", "2.5.29.35":
    "authorityKeyIdentifier", "2.5.29.14": "subjectKeyIdentifier", "2.5.29.37":
    "extendedKeyUsage", "2.5.29.17": "subjectAltName", "2.5.29.30": "nameConstraints",
    "1.3.6.1.5.5.7.1.1": "authorityInfoAccess",
}  # fmt: skip


def _readable_error(error: str) -> str:
    text = error.removeprefix("validation failed: ").removeprefix("candidates exhausted: ")
    text = text.split(" (encountered processing", 1)[0]
    for oid, name in _OID_NAMES.items():
        text = text.replace(oid, name)
    return text[:300]


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except ValueError:
        # cryptography no longer verifies SHA-1 (or MD5) signatures: check them by hand, so
        # the reason given is the weak signature rather than a signature that does not verify.
        return _legacy_signature_valid(cert, issuer)
    except Exception:  # a wrong signature, or a key type that cannot sign
        return False
    return True


def _legacy_signature_valid(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    from cryptography.hazmat.primitives.asymmetric import padding

    try:
        algorithm = cert.signature_hash_algorithm
        key = issuer.public_key()
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(algorithm))
        else:
            return False
    except Exception:  # not verifiable at all: treated as not issued by it
        return False
    return True


def _valid_at(cert: x509.Certificate, moment: datetime) -> bool:
    return cert.not_valid_before_utc <= moment <= cert.not_valid_after_utc


def _extension(cert: x509.Certificate, kind):
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except (x509.ExtensionNotFound, ValueError):
        return None


def _diagnose(chain: list[x509.Certificate], company: tuple, moment: datetime) -> dict:
    """Why the chain is not trusted: follow it from the leaf by issuer, as the server sent it,
    to a trust anchor, and name the first thing a client would refuse."""
    leaf, sent = chain[0], chain[1:]
    anchors = [("company", c) for c in company] + [("public", c) for c in _system_roots()]
    path = [leaf]
    anchor_kind, anchor = None, None
    current = leaf
    for _step in range(12):
        found = next(((k, a) for k, a in anchors if _issued_by(current, a)), None)
        if found is not None:
            anchor_kind, anchor = found
            break
        if current.issuer == current.subject and _issued_by(current, current):
            if current is leaf:
                return {"reason": "self_signed", "ca": _name(leaf.subject)}
            return {"reason": "unknown_ca", "ca": _name(current.subject)}
        nxt = next((c for c in sent if c not in path and _issued_by(current, c)), None)
        if nxt is None:
            if any(c.subject == current.issuer for c in (*sent, *(a for _k, a in anchors))):
                return {"reason": "bad_signature", "ca": _name(current.issuer),
                        "subject": _name(current.subject)}
            if current is leaf and sent:
                return {"reason": "missing_intermediate", "ca": _name(current.issuer)}
            if current is leaf:
                return {"reason": "unknown_issuer", "ca": _name(current.issuer)}
            return {"reason": "unknown_ca", "ca": _name(current.issuer)}
        path.append(nxt)
        current = nxt
    else:
        return {"reason": "other"}
    kind = {"anchor": anchor_kind, "anchor_subject": _name(anchor.subject)}
    issuers = [*path[1:], anchor]
    for cert in issuers:
        if not _valid_at(cert, moment):
            return {**kind, "reason": "expired_ca" if moment > cert.not_valid_after_utc
                    else "ca_not_yet_valid", "ca": _name(cert.subject),
                    "not_after": cert.not_valid_after_utc.isoformat(),
                    "not_before": cert.not_valid_before_utc.isoformat()}
    for cert in path:  # the anchor's own signature is not relied on
        algorithm = _signature_name(cert)
        lowered = algorithm.lower()
        if any(weak in lowered for weak in ("md2", "md4", "md5", "sha1", "shawith")):
            return {**kind, "reason": "weak_signature", "ca": _name(cert.subject),
                    "algorithm": algorithm}
    for cert in (leaf, *issuers):
        key_type, bits, _curve = _key_facts(cert.public_key())
        if key_type == "rsa" and bits and bits < 2048:
            return {**kind, "reason": "weak_key" if cert is leaf else "weak_ca_key",
                    "ca": _name(cert.subject), "bits": bits}
    for cert in issuers:
        constraints = _extension(cert, x509.BasicConstraints)
        if constraints is None or not constraints.ca:
            return {**kind, "reason": "not_a_ca", "ca": _name(cert.subject)}
        usage = _extension(cert, x509.KeyUsage)
        if usage is not None and not usage.key_cert_sign:
            return {**kind, "reason": "ca_key_usage", "ca": _name(cert.subject)}
    purposes = _extension(leaf, x509.ExtendedKeyUsage)
    if purposes is not None and x509.oid.ExtendedKeyUsageOID.SERVER_AUTH not in purposes:
        return {**kind, "reason": "server_auth", "ca": _name(leaf.subject)}
    return {**kind, "reason": "web_pki" if anchor_kind == "public" else "other",
            "ca": _name(anchor.subject)}


def fill_certificate(result: dict, pem_chain: list[str], extra_ca_pem: str | None) -> None:
    chain = [x509.load_pem_x509_certificate(pem.encode()) for pem in pem_chain]
    leaf = chain[0]
    facts = certificate_facts(leaf)
    result["certificate"] = facts
    result["chain"] = [
        {
            "subject": _name(cert.subject),
            "issuer": _name(cert.issuer),
            "key_type": _key_facts(cert.public_key())[0],
            "key_size": _key_facts(cert.public_key())[1],
            "signature_algorithm": _signature_name(cert),
            "not_after": cert.not_valid_after_utc.isoformat(),
        }
        for cert in chain
    ]
    trust = judge_chain(chain, extra_ca_pem)
    result["trusted"], result["trust_error"] = trust.pop("trusted"), trust.pop("error")
    result["trust"] = trust
    name = result["target"]["server_name"] or result["target"]["host"]
    result["hostname_checked"] = name
    result["hostname_matches"] = hostname_matches(facts["sans"], name)


# --------------------------------------------------------------------------- cipher suites


def _suites_for(version: TlsVersionEnum) -> dict[str, Any]:
    return {s.openssl_name: s for s in CipherSuitesRepository.get_all_cipher_suites(version)}


@lru_cache(maxsize=1)
def _tls12_split() -> tuple[frozenset[str], frozenset[str]]:
    names = _suites_for(TlsVersionEnum.TLS_1_2)
    legacy = frozenset(
        n for n in names if WorkaroundForTls12ForCipherSuites.requires_legacy_openssl(n)
    )
    return legacy, frozenset(names) - legacy


class _NeedFallback(Exception):
    pass


def _key_exchange(rfc_name: str, key: Any) -> dict:
    if rfc_name.startswith("TLS_") and "_WITH_" not in rfc_name:
        kx_type = "TLS1.3"  # TLS 1.3 suites do not name the key exchange; it is always ephemeral
    else:
        kx = rfc_name.split("_WITH_")[0].removeprefix("TLS_").removeprefix("SSL_CK_")
        kx_type = kx.split("_")[0]
        if "anon" in kx:
            kx_type = kx.split("_")[0] + "_anon"
        if "EXPORT" in kx:
            kx_type += "_EXPORT"
    info: dict[str, Any] = {"type": kx_type}
    if isinstance(key, EcDhEphemeralKeyInfo):
        info.update(
            {"type": "ECDHE" if kx_type == "TLS1.3" else kx_type,
             "group": curve_name(key.curve_name), "size": key.size}
        )  # fmt: skip
    elif isinstance(key, DhEphemeralKeyInfo):
        info.update({"type": "DHE" if kx_type == "TLS1.3" else kx_type, "size": key.size})
    elif key is not None:
        info.update({"group": getattr(key, "type_name", None), "size": key.size})
    return info


def _one_handshake(server_info, version, legacy, offered: list[str]):
    """(suite chosen, ephemeral key), or (None, None) when the server refuses every suite
    offered. A timeout is tried once more before it counts as a refusal (as sslyze counts it):
    here one lost handshake would lose every suite still offered, not just one."""
    for attempt in (1, 2):
        conn = server_info.get_preconfigured_tls_connection(
            override_tls_version=version, should_use_legacy_openssl=legacy
        )
        client = conn.ssl_client
        try:
            if version == TlsVersionEnum.TLS_1_3:
                client.set_ciphersuites(":".join(offered))
            else:
                client.set_cipher_list(":".join(offered))
            conn.connect()
            return client.get_current_cipher_name(), client.get_ephemeral_key()
        except TlsHandshakeTimedOut:
            if attempt == 2:
                return None, None
        except (ServerRejectedTlsHandshake, NoCiphersAvailableBugInSSlyze):
            return None, None
        except (ClientCertificateRequested, ServerTlsConfigurationNotSupported) as exc:
            raise _NeedFallback from exc
        finally:
            conn.close()
    return None, None


def enumerate_suites(server_info, version: TlsVersionEnum, legacy: bool | None, names) -> list:
    """Accepted suites among `names` for one protocol version, by elimination."""
    all_suites = _suites_for(version)
    remaining = [n for n in all_suites if n in names]
    accepted: list[tuple[Any, Any]] = []
    try:
        while remaining:
            chosen, key = _one_handshake(server_info, version, legacy, remaining)
            if chosen is None:
                break
            if chosen not in remaining:  # server answered with a suite we did not offer
                raise _NeedFallback(chosen)
            remaining.remove(chosen)
            accepted.append((all_suites[chosen], key))
    except _NeedFallback:
        for name in remaining:
            try:
                res = connect_with_cipher_suite(server_info, version, all_suites[name])
            except NoCiphersAvailableBugInSSlyze:
                continue
            if isinstance(res, CipherSuiteAcceptedByServer):
                accepted.append((res.cipher_suite, res.ephemeral_key))
    return accepted


def enumerate_groups(server_info) -> list[str]:
    """Supported named groups by elimination (the server picks its preferred group among those
    offered). Returns SECG / ANSI X9.62 names as sslyze does (prime256v1, X25519, …)."""
    version = server_info.tls_probing_result.highest_tls_version_supported
    remaining = list(OpenSslEcNidEnum.get_supported_by_ssl_client())
    found: list[str] = []
    while remaining:
        conn = server_info.get_preconfigured_tls_connection(
            override_tls_version=version, should_use_legacy_openssl=False
        )
        client = conn.ssl_client
        enable_ecdh_cipher_suites(version, client)
        client.set_groups(remaining)
        try:
            conn.connect()
            key = client.get_ephemeral_key()
        except ClientCertificateRequested:
            key = client.get_ephemeral_key()
        except (TlsHandshakeFailed, NoCiphersAvailableBugInSSlyze):
            key = None
        except Exception:  # OpenSSL "wrong curve" style refusals end the search
            key = None
        finally:
            conn.close()
        if not isinstance(key, EcDhEphemeralKeyInfo) or key.curve not in remaining:
            break
        remaining.remove(key.curve)
        found.append(curve_name(key.curve_name))
    return found


# --------------------------------------------------------------------------- HTTP


def http_probe(ip: str, port: int, server_name: str, path: str, timeout: float) -> dict:
    """One plain HTTPS request WITHOUT a client certificate (Python ssl, no verification: the
    certificate is judged elsewhere). Tells whether a client certificate is really enforced and
    reads the HSTS header, following same-host redirects a few times."""
    out: dict[str, Any] = {"status": None, "hsts_raw": None, "error": None}
    try:
        # The Host header and SNI are built from this name: a line break in it would add
        # header lines of our choosing to the request (checked here too, whatever called us).
        server_name = ascii_host(server_name)
    except InvalidHostName as exc:
        out["error"] = f"not a valid host name ({exc.reason}); no request sent"
        return out
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # certificate is validated separately, on the leaf facts
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    sni = None if _is_ip(server_name) else server_name
    authority = f"[{server_name}]" if ":" in server_name else server_name  # IPv6 literal
    host_header = authority if port == 443 else f"{authority}:{port}"
    for _hop in range(3):
        try:
            with (
                socket.create_connection((ip, port), timeout=timeout) as raw,
                ctx.wrap_socket(raw, server_hostname=sni) as tls,
            ):
                request = (
                    f"GET {request_path(path)} HTTP/1.1\r\nHost: {host_header}\r\n"
                    "User-Agent: Mamori-TLS-check\r\nAccept: */*\r\nConnection: close\r\n\r\n"
                )
                tls.sendall(request.encode("ascii", "replace"))
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    data += chunk
        except (OSError, ssl.SSLError) as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"
            return out
        head = data.split(b"\r\n\r\n", 1)[0].decode("iso-8859-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ") if lines and lines[0] else []
        if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
            out["error"] = "no HTTP response"
            return out
        out["status"] = int(parts[1])
        headers = {}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            headers.setdefault(key.strip().lower(), value.strip())
        if out["hsts_raw"] is None and "strict-transport-security" in headers:
            out["hsts_raw"] = headers["strict-transport-security"]
        location = headers.get("location", "")
        if out["status"] in (301, 302, 303, 307, 308) and location.startswith("/"):
            path = location
            continue
        break
    return out


def request_path(path: str) -> str:
    """The path as a request line may carry it: percent-encoded outside the characters a path
    may hold (no space, control character or non-ASCII byte; existing %XX escapes kept)."""
    path = path if path.startswith("/") else "/" + path
    return quote(path, safe="/%:@!$&'()*+,;=-._~")


def parse_hsts(raw: str | None) -> dict | None:
    if not raw:
        return None
    hsts: dict[str, Any] = {"max_age": None, "include_subdomains": False, "preload": False}
    for directive in raw.split(";"):
        name, _, value = directive.strip().partition("=")
        name = name.strip().lower()
        if name == "max-age":
            try:
                hsts["max_age"] = int(value.strip().strip('"'))
            except ValueError:
                hsts["max_age"] = None
        elif name == "includesubdomains":
            hsts["include_subdomains"] = True
        elif name == "preload":
            hsts["preload"] = True
    return hsts


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value.strip("[]"))
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- orchestration


class _PluginRun:
    """An sslyze plugin whose jobs were queued on the per-server pool (never blocks a worker)."""

    def __init__(self, pool: ThreadPoolExecutor, impl, server_info) -> None:
        self.impl, self.server_info = impl, server_info
        jobs = impl.scan_jobs_for_scan_command(server_info, None)
        self.futures = [pool.submit(job.function_to_call, *job.function_arguments) for job in jobs]

    def result(self):
        return _collect_plugin(self.impl, self.server_info, self.futures)


def _collect_plugin(impl, server_info, futures):
    results = []
    for fut in futures:
        try:
            results.append(ScanJobResult(_return_value=fut.result(), _exception=None))
        except Exception as exc:  # handed to the plugin, which decides
            results.append(ScanJobResult(_return_value=None, _exception=exc))
    return impl.result_for_completed_scan_jobs(server_info, results)


def _safe(result: dict, name: str, func, *args):
    try:
        return func(*args)
    except Exception as exc:  # one failed check must not lose the others
        result["command_errors"][name] = f"{type(exc).__name__}: {exc}"[:500]
        return None


def _client_hello(sni: str | None, maximum: ssl.TLSVersion | None) -> bytes:
    """The bytes of a ClientHello (Python ssl, memory BIOs: nothing is sent here)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # only the first answer matters, not the certificate
    try:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLS 1.0 on purpose
            ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            if maximum is not None:
                ctx.maximum_version = maximum
        tls = ctx.wrap_bio(ssl.MemoryBIO(), outgoing := ssl.MemoryBIO(), server_hostname=sni)
        tls.do_handshake()
    except ssl.SSLWantReadError:
        return outgoing.read()
    except (ssl.SSLError, ValueError):
        return b""  # this client cannot say such a hello (e.g. no TLS 1.0 in this OpenSSL)
    return b""


def answers_tls(ip: str, port: int, sni: str | None, timeout: float) -> bool:
    """Does the server answer a ClientHello at all within `timeout` (any byte, an alert or a
    close counts)? Sends a current hello and a TLS 1.0-only one (an old server may stall on the
    first) on two connections at once. A silent server would otherwise hold sslyze's probing
    for ~11 network timeouts (each protocol version and cipher list in turn). A refused
    connection counts as an answer: sslyze reports it the usual way."""
    hellos = [h for h in (_client_hello(sni, None), _client_hello(sni, ssl.TLSVersion.TLSv1))
              if h]  # fmt: skip
    sockets: list[socket.socket] = []
    try:
        for hello in hellos:
            try:
                sock = socket.create_connection((ip, port), timeout=timeout)
            except TimeoutError:
                return False
            except OSError:
                return True
            sockets.append(sock)
            sock.sendall(hello)
        readable, _, _ = select.select(sockets, [], [], timeout)
        return bool(readable) or not sockets
    except OSError:
        return True
    finally:
        for sock in sockets:
            sock.close()


def scan_one(target: dict, *, extra_ca_pem: str | None, network_timeout: int,
             per_server_connections: int) -> dict:  # fmt: skip
    started = time.monotonic()
    result = empty_result(target)
    try:
        sni = target.get("server_name") or target["host"]
        try:
            # sslyze puts the name into the ClientHello and our probe into the Host header.
            sni = ascii_host(sni)
        except InvalidHostName as exc:
            result["error"] = "refused_bad_name"
            result["error_detail"] = f"not a valid host name ({exc.reason}); not connected"
            result["finished_at"] = now_iso()
            return result
        if not answers_tls(target["ip_address"], target["port"], None if _is_ip(sni) else sni,
                           float(network_timeout)):
            result["error"] = "timeout"
            result["error_detail"] = f"no answer to a TLS ClientHello within {network_timeout} s"
        else:
            _scan_one(target, sni, result, extra_ca_pem, network_timeout,
                      per_server_connections)
    except ConnectionToServerFailed as exc:
        result["error"] = "connect"
        result["error_detail"] = str(getattr(exc, "error_message", exc))[:500]
    except Exception as exc:  # reported as a scan failure, never raised
        result["error"] = "scan_failed"
        result["error_detail"] = f"{type(exc).__name__}: {exc}"[:500]
    result["finished_at"] = now_iso()
    result["duration_seconds"] = round(time.monotonic() - started, 3)
    return result


def _scan_one(target, sni, result, extra_ca_pem, network_timeout,
              per_server_connections) -> None:
    location = ServerNetworkLocation(
        hostname=sni, port=target["port"], ip_address=target["ip_address"]
    )
    netcfg = ServerNetworkConfiguration(
        tls_server_name_indication=sni, network_timeout=network_timeout, network_max_retries=1
    )
    probing = check_connectivity_to_server(location, netcfg)
    server_info = ServerConnectivityInfo(
        server_location=location, network_configuration=netcfg, tls_probing_result=probing
    )
    highest = probing.highest_tls_version_supported
    result["highest_protocol"] = PROTOCOL_KEYS[highest]
    requested = probing.client_auth_requirement != ClientAuthRequirementEnum.DISABLED
    result["client_cert_requested"] = requested
    full = target.get("full", True)

    with ThreadPoolExecutor(max_workers=max(1, per_server_connections)) as pool:
        chain_f = pool.submit(get_certificate_chain, server_info, None, None, None, True)
        http_f = None
        if full or requested:
            http_f = pool.submit(
                http_probe, target["ip_address"], target["port"], sni,
                target.get("http_path") or "/", float(network_timeout),
            )  # fmt: skip
        if not full:
            pems, ocsp, _ca, _sni = chain_f.result()
            fill_certificate(result, pems, extra_ca_pem)
            result["protocols"] = {key: (key == result["highest_protocol"]) or None
                                   for key in PROTOCOL_KEYS.values()}  # fmt: skip
            if http_f is not None:
                _client_cert(result, requested, probing, http_f.result())
            return

        legacy12, modern12 = _tls12_split()
        enum_jobs = {
            "ssl2.0": (TlsVersionEnum.SSL_2_0, True, None),
            "ssl3.0": (TlsVersionEnum.SSL_3_0, True, None),
            "tls1.0": (TlsVersionEnum.TLS_1_0, True, None),
            "tls1.1": (TlsVersionEnum.TLS_1_1, True, None),
            "tls1.2a": (TlsVersionEnum.TLS_1_2, True, legacy12),
            "tls1.2b": (TlsVersionEnum.TLS_1_2, False, modern12),
            "tls1.3": (TlsVersionEnum.TLS_1_3, False, None),
        }
        enum_f = {}
        for key, (version, legacy, subset) in enum_jobs.items():
            if version.value > highest.value:
                continue
            names = subset if subset is not None else set(_suites_for(version))
            enum_f[key] = pool.submit(enumerate_suites, server_info, version, legacy, names)
        groups_f = None
        if probing.supports_ecdh_key_exchange:
            groups_f = pool.submit(enumerate_groups, server_info)
        early_f = None
        if highest == TlsVersionEnum.TLS_1_3:
            early_f = _PluginRun(pool, EarlyDataImplementation, server_info)

        pems, ocsp, _ca, _sni = chain_f.result()
        fill_certificate(result, pems, extra_ca_pem)
        result["ocsp_stapled"] = ocsp is not None

        protocols = dict.fromkeys(PROTOCOL_KEYS.values(), False)
        suites: dict[str, list[str]] = {}
        kx: dict[str, dict] = {}
        for key, fut in enum_f.items():
            proto = key[:6]
            accepted = _safe(result, f"cipher_suites.{proto}", fut.result) or []
            for suite, eph in accepted:
                protocols[proto] = True
                suites.setdefault(proto, [])
                if suite.name not in suites[proto]:
                    suites[proto].append(suite.name)
                kx.setdefault(suite.name, _key_exchange(suite.name, eph))
        result["protocols"] = protocols
        result["cipher_suites"] = {p: sorted(v) for p, v in suites.items()}
        result["key_exchange"] = kx
        if groups_f is not None:
            result["groups"] = _safe(result, "groups", groups_f.result)
        else:
            result["groups"] = []
        if early_f is not None:
            early = _safe(result, "early_data", early_f.result)
            result["early_data"] = None if early is None else early.supports_early_data
        else:
            result["early_data"] = False

        # Second stage: checks that only make sense for what the server accepts.
        up_to_12 = any(protocols[p] for p in (*_OLD_PROTOCOLS, "tls1.2"))
        static_rsa = any(info["type"] in ("RSA", "RSA_EXPORT") for info in kx.values())
        old = any(protocols[p] for p in _OLD_PROTOCOLS)
        futures: dict[str, Any] = {}
        if up_to_12:
            futures["heartbleed"] = _PluginRun(pool, HeartbleedImplementation, server_info)
            futures["ccs"] = _PluginRun(pool, OpenSslCcsInjectionImplementation, server_info)
            futures["compression"] = _PluginRun(pool, CompressionImplementation, server_info)
            futures["renegotiation"] = _PluginRun(
                pool, SessionRenegotiationImplementation, server_info
            )
        if static_rsa:
            futures["robot"] = _PluginRun(pool, RobotImplementation, server_info)
        if old and highest.value > TlsVersionEnum.TLS_1_0.value:
            futures["fallback_scsv"] = _PluginRun(pool, FallbackScsvImplementation, server_info)
        done = {name: _safe(result, name, fut.result) for name, fut in futures.items()}

    if done.get("heartbleed") is not None:
        result["heartbleed"] = done["heartbleed"].is_vulnerable_to_heartbleed
    if done.get("ccs") is not None:
        result["ccs_injection"] = done["ccs"].is_vulnerable_to_ccs_injection
    if done.get("compression") is not None:
        result["compression"] = done["compression"].supports_compression
    elif not up_to_12:
        result["compression"] = False  # TLS 1.3 has no compression
    if done.get("renegotiation") is not None:
        result["secure_renegotiation"] = done["renegotiation"].supports_secure_renegotiation
        result["client_renegotiation"] = done[
            "renegotiation"
        ].is_vulnerable_to_client_renegotiation_dos
    elif not up_to_12:
        # TLS 1.3 has no renegotiation at all: nothing insecure to offer
        result["secure_renegotiation"] = True
        result["client_renegotiation"] = False
    if static_rsa:
        robot = done.get("robot")
        if robot is not None:
            result["robot_result"] = robot.robot_result.value
            result["robot"] = robot.robot_result in (
                _Robot.VULNERABLE_STRONG_ORACLE, _Robot.VULNERABLE_WEAK_ORACLE
            )  # fmt: skip
    else:
        result["robot_result"] = _Robot.NOT_VULNERABLE_RSA_NOT_SUPPORTED.value
        result["robot"] = False
    if "fallback_scsv" in done and done["fallback_scsv"] is not None:
        result["fallback_scsv"] = done["fallback_scsv"].supports_fallback_scsv
    if http_f is not None:
        probe = http_f.result()
        result["http_status"] = probe["status"]
        result["hsts"] = parse_hsts(probe["hsts_raw"])
        if probe["error"]:
            result["command_errors"]["http"] = probe["error"][:500]
        _client_cert(result, requested, probing, probe)


def _client_cert(result: dict, requested: bool, probing, probe: dict) -> None:
    if not requested:
        result["client_cert_enforced"] = False
        return
    status = probe.get("status")
    if status is None:
        # No HTTP answer without a certificate: the TLS layer refused us.
        result["client_cert_enforced"] = True
    else:
        # An answer without a certificate: enforced only if the application refused us.
        result["client_cert_enforced"] = status in (401, 403, 495, 496)
    result["client_cert_requirement_sslyze"] = probing.client_auth_requirement.value


def run_batch(targets: list[tuple[int, dict]], *, extra_ca_pem: str | None, concurrency: int,
              network_timeout: int, per_server_connections: int, emit,
              endpoint_timeout: float | None = None, on_start=None) -> None:  # fmt: skip
    """Scan `targets` (index, dict) concurrently, calling emit(index, result) as each finishes.

    An endpoint still running `endpoint_timeout` seconds after its scan began is given up:
    emitted as {"error": "timeout"} at once (sslyze cannot be cancelled; its thread is left
    to end on its own and the child process exits without waiting for it)."""
    _system_roots()  # load the trust store once, before any thread needs it
    _tls12_split()
    began: dict[int, float] = {}

    def scan(index: int, target: dict) -> dict:
        began[index] = time.monotonic()
        if on_start is not None:  # the parent bounds each endpoint from this moment
            on_start(index)
        return scan_one(target, extra_ca_pem=extra_ca_pem, network_timeout=network_timeout,
                        per_server_connections=per_server_connections)

    pool = ThreadPoolExecutor(max_workers=max(1, concurrency))
    futures = {pool.submit(scan, index, target): (index, target) for index, target in targets}
    pending = set(futures)
    abandoned = False
    try:
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for fut in done:
                emit(futures[fut][0], fut.result())
            if not endpoint_timeout:
                continue
            now = time.monotonic()
            for fut in list(pending):
                index, target = futures[fut]
                if index in began and now - began[index] > endpoint_timeout:
                    pending.discard(fut)
                    abandoned = True
                    result = empty_result(target)
                    result["started_at"] = (
                        datetime.now(UTC) - timedelta(seconds=now - began[index])
                    ).isoformat(timespec="seconds")
                    result["error"] = "timeout"
                    result["error_detail"] = f"endpoint not scanned within {endpoint_timeout:g} s"
                    result["finished_at"] = now_iso()
                    result["duration_seconds"] = round(now - began[index], 3)
                    emit(index, result)
    finally:
        pool.shutdown(wait=not abandoned, cancel_futures=True)
