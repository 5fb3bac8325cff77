"""What each problem a scan can find means, in words a non-specialist understands (ja/en)."""

from django.utils.translation import gettext as _

# code -> message; %(…)s take the problem's params.
MESSAGES = {
    "auth.untrusted": lambda: _("The certificate chain is not trusted by the system's trust "
                                "store or the company CA: browsers will warn visitors."),
    "auth.expired": lambda: _("The certificate expired on %(not_after)s: visitors cannot "
                              "tell the site is genuine."),
    "auth.not_yet_valid": lambda: _("The certificate is not valid until %(not_before)s."),
    "auth.hostname": lambda: _("The certificate is not issued for %(name)s: it may belong to "
                               "another site."),
    "auth.self_signed": lambda: _("The certificate is self-signed: nobody vouches for it."),
    "auth.weak_key": lambda: _("The certificate's %(key_type)s key has only %(key_size)s bits "
                               "(at least RSA 2048 or ECDSA 256 are needed)."),
    "auth.weak_signature": lambda: _("The certificate is signed with %(algorithm)s, which can "
                                     "be forged."),
    "auth.client_cert_not_enforced": lambda: _(
        "The server asks for a client certificate but lets clients in without one."),
    "auth.expiring_soon": lambda: _("The certificate expires on %(not_after)s, in "
                                    "%(days_left)s days: renew it."),
    "enc.protocol": lambda: _("%(protocol)s is accepted; it is outdated and can be broken."),
    "enc.weak_cipher": lambda: _("The weak cipher suite %(suite)s is accepted."),
    "enc.weak_key_exchange": lambda: _("%(suite)s uses a %(size)s-bit key exchange; at least "
                                       "%(minimum)s bits are needed."),
    "enc.no_forward_secrecy": lambda: _(
        "%(suite)s has no forward secrecy: whoever obtains the server's key later can read "
        "traffic recorded today."),
    "int.weak_mac": lambda: _("%(suite)s protects integrity with a weak MAC instead of "
                              "authenticated encryption."),
    "int.compression": lambda: _("TLS compression is on, which lets attackers recover secrets "
                                 "(CRIME)."),
    "int.insecure_renegotiation": lambda: _("Renegotiation is not secure: an attacker can "
                                            "inject data into a session."),
    "int.heartbleed": lambda: _("The server is vulnerable to Heartbleed: its memory, keys "
                                "included, can be read."),
    "int.robot": lambda: _("The server is vulnerable to ROBOT: RSA encryption can be broken."),
    "int.ccs_injection": lambda: _("The server is vulnerable to CCS injection."),
    "int.no_fallback_scsv": lambda: _("Protocol downgrade protection (TLS_FALLBACK_SCSV) is "
                                      "missing."),
    "int.client_renegotiation": lambda: _("Clients may start renegotiation, which can be used "
                                          "to overload the server."),
    "int.hsts_not_checked": lambda: _("HSTS could not be checked: the server lets no one in "
                                      "without a client certificate."),
    "int.no_hsts": lambda: _("HSTS is not sent: browsers may be led to the site over plain "
                             "HTTP."),
    "int.early_data": lambda: _("TLS 1.3 early data is accepted, which can be replayed."),
    "profile.protocol": lambda: _("The profile does not allow %(protocol)s."),
    "profile.cipher": lambda: _("The profile does not allow the cipher suite %(suite)s."),
    "profile.group": lambda: _("The profile does not allow the key exchange group %(group)s."),
    "profile.certificate_type": lambda: _("The profile does not allow %(key_type)s "
                                          "certificates."),
    "profile.key_size": lambda: _("The profile asks for a larger key than %(key_size)s bits."),
    "profile.signature": lambda: _("The profile does not allow certificate signatures by "
                                   "%(algorithm)s."),
    "profile.certificate_lifespan": lambda: _("The certificate is valid for %(days)s days; the "
                                              "profile allows at most %(maximum)s."),
    "profile.hsts_max_age": lambda: _("HSTS lasts %(max_age)s seconds; the profile asks for "
                                      "at least %(minimum)s."),
    "scan.error": lambda: _("The endpoint could not be scanned: %(reason)s. Its verdicts "
                            "are unknown, not failed."),
}


class Lenient(dict):
    """Missing params show as "?" rather than breaking the message."""

    def __missing__(self, key):
        return "?"


PROTOCOL_NAMES = {"ssl2.0": "SSL 2.0", "ssl3.0": "SSL 3.0", "tls1.0": "TLS 1.0",
                  "tls1.1": "TLS 1.1", "tls1.2": "TLS 1.2", "tls1.3": "TLS 1.3"}


def readable(params: dict) -> dict:
    """Params as a reader wants them: protocol names spelt out, moments as dates."""
    shown = dict(params)
    if "protocol" in shown:
        shown["protocol"] = PROTOCOL_NAMES.get(shown["protocol"], shown["protocol"])
    if "error" in shown:  # a scan that did not complete: why, in words
        from mamori.websec.service import scan_error_reason

        shown["reason"] = scan_error_reason(shown["error"])
    for name in ("not_after", "not_before"):
        if isinstance(shown.get(name), str):
            shown[name] = shown[name][:10]
    return shown


def problem_text(code: str, params: dict | None = None) -> str:
    message = MESSAGES.get(code)
    if message is None:
        return code
    try:
        return message() % Lenient(readable(params or {}))
    except (TypeError, ValueError):
        return message()
