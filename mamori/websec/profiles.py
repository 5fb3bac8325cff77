"""TLS profiles as data (issue 6).

Our own format, one dict per profile::

    protocols                 accepted protocol versions ("tls1.2", "tls1.3", ...; scan keys)
    cipher_suites             IANA names allowed for TLS <= 1.2
    tls13_cipher_suites       IANA names allowed for TLS 1.3
    groups                    key exchange groups (X25519, prime256v1, secp384r1, ...)
    certificate_types         leaf key types ("ecdsa", "rsa")
    certificate_curves        curves allowed for ECDSA leaf keys
    rsa_min_bits / ecdsa_min_bits / dh_min_bits
    certificate_signatures    OpenSSL names of allowed leaf signature algorithms
    hsts_min_age              seconds
    max_certificate_lifespan_days
    ocsp_staple               Mozilla's recommendation (recorded; not a failing check)

The shipped file data/tls_profiles.json carries Mozilla's server-side TLS guidelines 5.7 (the
version bundled with sslyze). The published guidelines are at 6.0 (which dropped "old"), but they
could not be fetched offline here; `load_mozilla_guidelines` reads the 6.0 file (same shape as 5.7,
https://ssl-config.mozilla.org/guidelines/6.0.json), so an update is a data import.

"modern-rsa" is ours: Mozilla "modern" protocols and suites (TLS 1.3 only) but RSA >= 2048
certificates allowed, because Mozilla modern requires ECDSA and an RSA-only company needs a profile.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "tls_profiles.json"
SOURCE = "Mozilla server-side TLS guidelines"
DEFAULT_PROFILE = "intermediate"

_PROTOCOL_NAMES = {
    "SSLv2": "ssl2.0",
    "SSLv3": "ssl3.0",
    "TLSv1": "tls1.0",
    "TLSv1.0": "tls1.0",
    "TLSv1.1": "tls1.1",
    "TLSv1.2": "tls1.2",
    "TLSv1.3": "tls1.3",
}
_CURVE_BITS = {
    "prime256v1": 256, "secp256r1": 256, "secp384r1": 384, "secp521r1": 521,
    "X25519": 253, "X448": 448,
}  # fmt: skip
_RSA_SIGNATURES = ["sha256WithRSAEncryption", "sha384WithRSAEncryption", "sha512WithRSAEncryption"]


def _convert(config: dict) -> dict:
    curves = list(config.get("certificate_curves") or [])
    curve_bits = [_CURVE_BITS[c] for c in curves if c in _CURVE_BITS]
    types = list(config.get("certificate_types") or [])
    ciphers = config.get("ciphers") or {}
    return {
        "protocols": [_PROTOCOL_NAMES.get(v, v.lower()) for v in config.get("tls_versions", [])],
        "cipher_suites": list(ciphers.get("iana") or []),
        "tls13_cipher_suites": list(config.get("ciphersuites") or []),
        "groups": list(config.get("tls_curves") or []),
        "certificate_types": types,
        "certificate_curves": curves,
        "rsa_min_bits": config.get("rsa_key_size") if "rsa" in types else None,
        "ecdsa_min_bits": (min(curve_bits) if curve_bits else 256) if "ecdsa" in types else None,
        "dh_min_bits": config.get("dh_param_size"),
        "certificate_signatures": list(config.get("certificate_signatures") or []),
        "hsts_min_age": config.get("hsts_min_age"),
        "max_certificate_lifespan_days": config.get("maximum_certificate_lifespan"),
        "ocsp_staple": bool(config.get("ocsp_staple", False)),
    }


def modern_rsa_from(modern: dict) -> dict:
    """Modern protocols and suites, RSA >= 2048 certificates allowed as well as ECDSA."""
    profile = copy.deepcopy(modern)
    profile["certificate_types"] = sorted(set(profile["certificate_types"]) | {"rsa"})
    profile["rsa_min_bits"] = 2048
    if profile.get("ecdsa_min_bits") is None:
        profile["ecdsa_min_bits"] = 256
    profile["certificate_signatures"] = [
        *_RSA_SIGNATURES,
        *[s for s in profile["certificate_signatures"] if s not in _RSA_SIGNATURES],
    ]
    # Publicly trusted RSA certificates are usually bought for a year: allow intermediate's span.
    lifespan = profile["max_certificate_lifespan_days"] or 0
    profile["max_certificate_lifespan_days"] = max(lifespan, 366)
    profile["label"] = "Modern (TLS 1.3) with RSA certificates"
    return profile


def load_mozilla_guidelines(data: dict) -> dict:
    """Convert Mozilla's guidelines JSON (5.x / 6.0 shape) into our profile data."""
    configurations = data.get("configurations")
    if not isinstance(configurations, dict) or not configurations:
        raise ValueError("not a Mozilla server-side TLS guidelines file (no configurations)")
    profiles = {}
    for name, config in configurations.items():
        profiles[name] = _convert(config)
        profiles[name]["label"] = f"Mozilla {name}"
    if "modern" in profiles:
        profiles["modern-rsa"] = modern_rsa_from(profiles["modern"])
    version = data.get("version")
    return {
        "source": SOURCE,
        "version": str(version) if version is not None else "",
        "href": data.get("href", ""),
        "profiles": profiles,
    }


@lru_cache(maxsize=1)
def _shipped() -> dict:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def shipped_data() -> dict:
    """The whole shipped file (source, version, profiles)."""
    return copy.deepcopy(_shipped())


def shipped_profiles() -> dict:
    """{"intermediate": {...}, "modern": {...}, "modern-rsa": {...}, ...}"""
    return copy.deepcopy(_shipped()["profiles"])


def get_profile(name: str) -> dict:
    profiles = _shipped()["profiles"]
    return copy.deepcopy(profiles.get(name) or profiles[DEFAULT_PROFILE])


# What a profile's definition must hold: list fields and the protocol names they may use.
LIST_FIELDS = ("protocols", "cipher_suites", "tls13_cipher_suites", "groups",
               "certificate_types", "certificate_signatures")
OPTIONAL_LIST_FIELDS = ("certificate_curves",)  # may be missing or null
NUMBER_FIELDS = ("rsa_min_bits", "ecdsa_min_bits", "dh_min_bits", "hsts_min_age",
                 "max_certificate_lifespan_days")
KNOWN_PROTOCOLS = ("ssl2.0", "ssl3.0", "tls1.0", "tls1.1", "tls1.2", "tls1.3")


def profile_errors(definition) -> list[str]:
    """What is wrong with a profile definition, as sentences naming the key (empty if
    nothing)."""
    from django.utils.translation import gettext as _

    if not isinstance(definition, dict):
        return [_("The definition must be a JSON object.")]
    errors = []
    for name in LIST_FIELDS + OPTIONAL_LIST_FIELDS:
        value = definition.get(name)
        if value is None and name in OPTIONAL_LIST_FIELDS:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.append(_("“%(key)s” must be a list of names.") % {"key": name})
    for name in NUMBER_FIELDS:
        value = definition.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)
                                  or value < 0):
            errors.append(_("“%(key)s” must be a whole number or null.") % {"key": name})
    protocols = definition.get("protocols")
    if isinstance(protocols, list):
        unknown = [p for p in protocols if p not in KNOWN_PROTOCOLS]
        if unknown:
            errors.append(_("Unknown protocols in “protocols”: %(names)s (use %(known)s).") % {
                "names": ", ".join(map(str, unknown)), "known": ", ".join(KNOWN_PROTOCOLS)})
        elif not protocols:
            errors.append(_("“protocols” must allow at least one protocol."))
    return errors
