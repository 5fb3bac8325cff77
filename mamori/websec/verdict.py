"""The verdict on one scan result, in the policy's own terms (issue 6).

Promises: authentication, encryption, integrity (the policy), profile (the Mozilla-style profile the
endpoint must meet). A promise holds when no "fail" problem names it; "warning" problems (a
certificate expiring soon, client renegotiation) never break a promise.

Authentication facts are judged on the leaf certificate itself (sslyze folds trust, expiry and
hostname into one string and accepts RSA-1024 chains). The policy's "RSA" is acceptable only as the
certificate key: a static-RSA key exchange is an encryption failure (no forward secrecy).

Problem codes are stable: findings are keyed on (endpoint, code, params identity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

AUTH, ENC, INT, PROFILE = "authentication", "encryption", "integrity", "profile"
AVAIL = "availability"
FAIL, WARNING = "fail", "warning"

POLICY_RSA_MIN = 2048
POLICY_ECDSA_MIN = 256
POLICY_DH_MIN = 2048
_OLD_TLS = ("tls1.0", "tls1.1")
_SSL = ("ssl2.0", "ssl3.0")
_BELOW_12 = (*_SSL, *_OLD_TLS)
_WEAK_SIGNATURE_MARKERS = ("md2", "md4", "md5", "sha1", "shawith")  # sha1With…, ecdsa-with-SHA1
_EPHEMERAL = {"ECDHE", "DHE", "TLS1.3", "EDH"}


@dataclass(frozen=True)
class Problem:
    code: str
    promise: str  # "authentication" | "encryption" | "integrity" | "profile" | "availability"
    level: str  # "fail" | "warning"
    params: dict = field(default_factory=dict, hash=False, compare=True)


@dataclass
class Verdict:
    authentication: bool
    encryption: bool
    integrity: bool
    profile: bool
    problems: list[Problem]
    certificate_expires: datetime | None

    @property
    def passed(self) -> bool:
        """The policy's three promises (the profile is reported separately)."""
        return self.authentication and self.encryption and self.integrity

    def codes(self, level: str | None = None) -> set[str]:
        return {p.code for p in self.problems if level is None or p.level == level}


def _dt(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _weak_signature(name: str | None) -> bool:
    lowered = (name or "").lower()
    return any(marker in lowered for marker in _WEAK_SIGNATURE_MARKERS)


def suite_weakness(suite: str) -> str | None:
    """Why an IANA suite is too weak to encrypt with, or None."""
    name = suite.upper()
    if "_NULL_" in name or name.endswith("_NULL") or "WITH_NULL" in name:
        return "null"
    if "EXPORT" in name:
        return "export"
    if "ANON" in name:
        return "anonymous"
    if "RC4" in name:
        return "rc4"
    if "3DES" in name or "DES_192" in name:
        return "3des"
    if "_DES_" in name or "DES40" in name or "DES_64" in name:
        return "des"
    if "RC2" in name:
        return "rc2"
    if "IDEA" in name:
        return "idea"
    return None


def suite_key_exchange(suite: str) -> str:
    """Key exchange family from the IANA name (TLS 1.3 suites: "TLS1.3", always ephemeral)."""
    name = suite.upper()
    if "_WITH_" not in name:
        return "TLS1.3"
    kx = name.split("_WITH_")[0].removeprefix("TLS_").removeprefix("SSL_CK_")
    return kx.split("_")[0]


def suite_is_aead(suite: str) -> bool:
    name = suite.upper()
    return any(mode in name for mode in ("_GCM", "_CCM", "CHACHA20_POLY1305"))


def suite_mac(suite: str) -> str:
    name = suite.upper()
    if suite_is_aead(name) or "_WITH_" not in name:
        return "aead"
    return name.rsplit("_", 1)[-1]  # MD5, SHA, SHA256, SHA384


def evaluate(
    result: dict,
    profile: dict,
    *,
    handles_personal_data: bool,
    client_cert_required: bool,
    expiry_warning_days: int = 30,
    now: datetime | None = None,
) -> Verdict:
    now = _dt(now) if now is not None else datetime.now(UTC)
    problems: list[Problem] = []

    def add(code: str, promise: str, level: str = FAIL, **params) -> None:
        problem = Problem(code, promise, level, params)
        if problem not in problems:
            problems.append(problem)

    cert = result.get("certificate") or None
    expires = _dt(cert.get("not_after")) if cert else None

    if result.get("error") or not cert:
        add(
            "scan.error",
            AVAIL,
            error=result.get("error") or "no_certificate",
            detail=str(result.get("error_detail") or "")[:300],
        )
        return Verdict(False, False, False, False, problems, expires)

    _authentication(result, cert, profile, add, now, expiry_warning_days, client_cert_required)
    _encryption(result, profile, add)
    _integrity(result, profile, add, handles_personal_data)

    def holds(promise: str) -> bool:
        return not any(p.promise == promise and p.level == FAIL for p in problems)

    return Verdict(
        authentication=holds(AUTH),
        encryption=holds(ENC),
        integrity=holds(INT),
        profile=holds(PROFILE),
        problems=problems,
        certificate_expires=expires,
    )


def _authentication(result, cert, profile, add, now, warning_days, client_cert_required) -> None:
    if cert.get("self_signed"):
        add("auth.self_signed", AUTH, subject=cert.get("subject"))
    elif result.get("trusted") is not True:
        add("auth.untrusted", AUTH, **_untrusted_params(result))

    not_before, not_after = _dt(cert.get("not_before")), _dt(cert.get("not_after"))
    if not_after is not None and now > not_after:
        add("auth.expired", AUTH, not_after=not_after.isoformat())
    elif not_before is not None and now < not_before:
        add("auth.not_yet_valid", AUTH, not_before=not_before.isoformat())
    elif not_after is not None and not_after - now <= timedelta(days=warning_days):
        add("auth.expiring_soon", AUTH, WARNING, not_after=not_after.isoformat(),
            days_left=max(0, (not_after - now).days))  # fmt: skip

    if result.get("hostname_matches") is False:
        sans = cert.get("sans") or {}
        add("auth.hostname", AUTH, name=result.get("hostname_checked"),
            sans=[*sans.get("dns", []), *sans.get("ip", [])])  # fmt: skip

    key_type, key_size = cert.get("key_type"), cert.get("key_size") or 0
    if key_type == "rsa" and key_size < POLICY_RSA_MIN:
        add("auth.weak_key", AUTH, key_type="rsa", key_size=key_size, minimum=POLICY_RSA_MIN)
    elif key_type == "ecdsa" and key_size < POLICY_ECDSA_MIN:
        add("auth.weak_key", AUTH, key_type="ecdsa", key_size=key_size, minimum=POLICY_ECDSA_MIN)
    elif key_type in ("dsa",):
        add("auth.weak_key", AUTH, key_type=key_type, key_size=key_size, minimum=None)

    if _weak_signature(cert.get("signature_algorithm")):
        add("auth.weak_signature", AUTH, algorithm=cert.get("signature_algorithm"), where="leaf")
    for link in (result.get("chain") or [])[1:]:
        # A root's self-signature is not relied on; intermediates' signatures are.
        if link.get("subject") != link.get("issuer") and _weak_signature(
            link.get("signature_algorithm")
        ):
            add("auth.weak_signature", AUTH, algorithm=link.get("signature_algorithm"),
                where=link.get("subject"))  # fmt: skip

    if client_cert_required:
        if not result.get("client_cert_requested"):
            add("auth.client_cert_not_enforced", AUTH, requested=False)
        elif result.get("client_cert_enforced") is not True:
            add("auth.client_cert_not_enforced", AUTH, requested=True)

    # Profile: certificate shape
    types = profile.get("certificate_types") or []
    if types and key_type not in types:
        add("profile.certificate_type", PROFILE, key_type=key_type, allowed=types)
    if key_type == "rsa" and profile.get("rsa_min_bits") and key_size < profile["rsa_min_bits"]:
        add("profile.key_size", PROFILE, key_type="rsa", key_size=key_size,
            minimum=profile["rsa_min_bits"])  # fmt: skip
    if key_type == "ecdsa":
        minimum = profile.get("ecdsa_min_bits")
        curves = profile.get("certificate_curves") or []
        if (minimum and key_size < minimum) or (curves and cert.get("key_curve") not in curves):
            add("profile.key_size", PROFILE, key_type="ecdsa", key_size=key_size,
                curve=cert.get("key_curve"), minimum=minimum)  # fmt: skip
    signatures = profile.get("certificate_signatures") or []
    if signatures and cert.get("signature_algorithm") not in signatures:
        add("profile.signature", PROFILE, algorithm=cert.get("signature_algorithm"),
            allowed=signatures)  # fmt: skip
    max_days = profile.get("max_certificate_lifespan_days")
    if max_days and not_before and not_after and (not_after - not_before).days > max_days:
        add("profile.certificate_lifespan", PROFILE, days=(not_after - not_before).days,
            maximum=max_days)  # fmt: skip


def _untrusted_params(result) -> dict:
    """Why the chain is not trusted (the engine's diagnosis, see _engine.judge_chain): the
    reason code, the certificate concerned and whether the anchor is a public root or a
    company CA. Results from before the diagnosis carry only the verifier's words."""
    trust = result.get("trust") or {}
    params = {"reason": trust.get("reason") or "",
              "detail": str(trust.get("detail") or result.get("trust_error") or "")[:300]}
    for name in ("ca", "anchor", "algorithm", "not_after", "bits", "subject"):
        if trust.get(name) is not None:
            params[name] = trust[name]
    return params


def _suites_by_protocol(suites: dict) -> dict[str, list[str]]:
    """suite -> the protocols it is accepted with (oldest first), each suite once."""
    order = (*_SSL, *_OLD_TLS, "tls1.2", "tls1.3")
    accepted: dict[str, list[str]] = {}
    for proto in sorted(suites, key=lambda p: order.index(p) if p in order else len(order)):
        for suite in suites[proto] or []:
            accepted.setdefault(suite, [])
            if proto not in accepted[suite]:
                accepted[suite].append(proto)
    return accepted


def _encryption(result, profile, add) -> None:
    protocols = result.get("protocols") or {}
    allowed = profile.get("protocols") or []
    for proto in (*_SSL, *_OLD_TLS, "tls1.2", "tls1.3"):
        if not protocols.get(proto):
            continue
        if proto in _SSL or (proto in _OLD_TLS and proto not in allowed):
            add("enc.protocol", ENC, protocol=proto)
        elif allowed and proto not in allowed:
            add("profile.protocol", PROFILE, protocol=proto, allowed=allowed)

    suites = result.get("cipher_suites") or {}
    kx_facts = result.get("key_exchange") or {}
    allowed12 = set(profile.get("cipher_suites") or [])
    allowed13 = set(profile.get("tls13_cipher_suites") or [])
    profile_dh_min = profile.get("dh_min_bits") or 0
    dh_min = max(POLICY_DH_MIN, profile_dh_min)
    # One problem per suite, naming every protocol it is accepted with (not one per protocol).
    for suite, protos in _suites_by_protocol(suites).items():
        weakness = suite_weakness(suite)
        if weakness:
            add("enc.weak_cipher", ENC, suite=suite, reason=weakness, protocols=protos)
        kx = suite_key_exchange(suite)
        # anonymous suites are already weak ciphers
        if kx not in _EPHEMERAL and "ANON" not in suite.upper():
            add("enc.no_forward_secrecy", ENC, suite=suite, key_exchange=kx, protocols=protos)
        info = kx_facts.get(suite) or {}
        size = info.get("size") if info.get("type") in ("DHE", "EDH") else None
        if size and size < dh_min:
            add("enc.weak_key_exchange", ENC, suite=suite, size=size, minimum=dh_min,
                protocols=protos)  # fmt: skip
        if size and profile_dh_min and size < profile_dh_min:
            add("profile.dh_size", PROFILE, suite=suite, size=size, minimum=profile_dh_min,
                protocols=protos)  # fmt: skip
        not_permitted = [p for p in protos
                         if suite not in (allowed13 if p == "tls1.3" else allowed12)]
        if not_permitted:
            add("profile.cipher", PROFILE, suite=suite, protocols=not_permitted)
        _mac_check(suite, protos, allowed12, add)

    allowed_groups = profile.get("groups") or []
    for group in result.get("groups") or []:
        if allowed_groups and group not in allowed_groups:
            add("profile.group", PROFILE, group=group, allowed=allowed_groups)


def _mac_check(suite: str, protos: list[str], allowed12: set, add) -> None:
    mac = suite_mac(suite)
    if mac == "MD5":
        add("int.weak_mac", INT, suite=suite, mac="MD5", protocols=protos)
    elif mac == "SHA" and suite not in allowed12:
        # CBC with HMAC-SHA1 (MAC-then-encrypt, Lucky13-class): only where the profile allows it
        add("int.weak_mac", INT, suite=suite, mac="SHA1", protocols=protos)


def _integrity(result, profile, add, handles_personal_data) -> None:
    if result.get("compression"):
        add("int.compression", INT)
    if result.get("secure_renegotiation") is False:
        add("int.insecure_renegotiation", INT)
    if result.get("client_renegotiation"):
        add("int.client_renegotiation", INT, WARNING)
    if result.get("heartbleed"):
        add("int.heartbleed", INT)
    if result.get("robot"):
        add("int.robot", INT, result=result.get("robot_result"))
    if result.get("ccs_injection"):
        add("int.ccs_injection", INT)
    protocols = result.get("protocols") or {}
    if any(protocols.get(p) for p in _BELOW_12) and result.get("fallback_scsv") is False:
        add("int.no_fallback_scsv", INT)
    if result.get("early_data"):
        add("int.early_data", INT, WARNING)

    if result.get("full") is False:
        return  # a certificate-only check makes no HTTP request: HSTS is for full scans to judge
    hsts = result.get("hsts")
    max_age = (hsts or {}).get("max_age")
    minimum = profile.get("hsts_min_age")
    if not hsts and result.get("http_status") is None and "http_status" in result:
        # No HTTP answer at all: the header cannot be read, so HSTS is unknown, not missing.
        if handles_personal_data or minimum:
            enforced = result.get("client_cert_enforced") is True
            add("int.hsts_not_checked", INT, WARNING,
                reason="client_certificate" if enforced else "no_http",
                detail=str((result.get("command_errors") or {}).get("http") or "")[:200])
        return
    if handles_personal_data and (not hsts or not max_age):
        add("int.no_hsts", INT, http_status=result.get("http_status"))
    if minimum and (not hsts or not max_age):
        # Mozilla's profiles require HSTS: a missing header fails them like a short one.
        add("profile.no_hsts", PROFILE, minimum=minimum, http_status=result.get("http_status"))
    elif minimum and max_age < minimum:
        add("profile.hsts_max_age", PROFILE, max_age=max_age, minimum=minimum)
