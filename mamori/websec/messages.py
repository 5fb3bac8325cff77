"""What each problem a scan can find means, in words a non-specialist understands (ja/en)."""

from django.utils.translation import gettext as _

# code -> message; %(…)s take the problem's params.
MESSAGES = {
    # Without a diagnosis (results from before it): no claim about browsers, which depends on
    # whether the anchor is public or the company's own (see UNTRUSTED for the reasons).
    "auth.untrusted": lambda: _("The certificate chain could not be validated against the "
                                "system's trust store or the company CAs (%(detail)s)."),
    "auth.expired": lambda: _("The certificate expired on %(not_after)s: visitors cannot "
                              "tell the site is genuine."),
    "auth.not_yet_valid": lambda: _("The certificate is not valid until %(not_before)s."),
    "auth.hostname": lambda: _("The certificate is not issued for %(name)s; it covers only "
                               "%(sans)s. It may belong to another site."),
    "auth.self_signed": lambda: _("The certificate is self-signed: nobody vouches for it."),
    "auth.weak_key": lambda: _("The certificate's %(key_type)s key has only %(key_size)s bits; "
                               "at least %(minimum)s bits are needed."),
    "auth.weak_signature": lambda: _("The certificate is signed with %(algorithm)s, which can "
                                     "be forged."),
    "auth.client_cert_not_enforced": lambda: _(
        "The server asks for a client certificate but lets clients in without one."),
    "auth.expiring_soon": lambda: _("The certificate expires on %(not_after)s, in "
                                    "%(days_left)s days: renew it."),
    "enc.protocol": lambda: _("%(protocol)s is accepted; it is outdated and can be broken."),
    "enc.weak_cipher": lambda: _("The weak cipher suite %(suite)s (%(reason)s) is accepted "
                                 "with %(protocols)s."),
    "enc.weak_key_exchange": lambda: _("%(suite)s (%(protocols)s) uses a %(size)s-bit "
                                       "Diffie-Hellman key exchange; at least %(minimum)s bits "
                                       "are needed."),
    "enc.no_forward_secrecy": lambda: _(
        "%(suite)s (%(protocols)s) has no forward secrecy: whoever obtains the server's key "
        "later can read traffic recorded today."),
    "int.weak_mac": lambda: _("%(suite)s (%(protocols)s) protects integrity with a weak MAC "
                              "instead of authenticated encryption."),
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
    "int.hsts_not_checked": lambda: _("HSTS could not be checked: the server did not answer "
                                      "an HTTP request."),
    "int.no_hsts": lambda: _("HSTS is not sent: browsers may be led to the site over plain "
                             "HTTP."),
    "int.early_data": lambda: _("TLS 1.3 early data is accepted, which can be replayed."),
    "profile.protocol": lambda: _("The profile does not allow %(protocol)s."),
    "profile.cipher": lambda: _("The profile does not allow the cipher suite %(suite)s "
                                "(accepted with %(protocols)s)."),
    "profile.dh_size": lambda: _("%(suite)s (%(protocols)s) uses %(size)s-bit Diffie-Hellman "
                                 "parameters; the profile asks for at least %(minimum)s bits."),
    "profile.group": lambda: _("The profile does not allow the key exchange group %(group)s."),
    "profile.certificate_type": lambda: _("The profile does not allow %(key_type)s "
                                          "certificates."),
    "profile.key_size": lambda: _("The certificate's %(key_type)s key has %(key_size)s bits; "
                                  "the profile asks for at least %(minimum)s bits."),
    "profile.signature": lambda: _("The profile does not allow certificate signatures by "
                                   "%(algorithm)s."),
    "profile.certificate_lifespan": lambda: _("The certificate is valid for %(days)s days; the "
                                              "profile allows at most %(maximum)s."),
    "profile.hsts_max_age": lambda: _("HSTS lasts %(max_age)s; the profile asks for at least "
                                      "%(minimum)s."),
    "profile.no_hsts": lambda: _("HSTS is not sent; the profile asks for it with a duration of "
                                 "at least %(minimum)s."),
    "scan.error": lambda: _("The endpoint could not be scanned: %(reason)s. Its verdicts "
                            "are unknown, not failed."),
}


# Variants chosen by the params (the code alone would say too little or something wrong).
VARIANTS = {
    ("auth.hostname", "no_sans"): lambda: _("The certificate is not issued for %(name)s; it "
                                            "names no host in subjectAltName."),
    ("auth.weak_key", "no_minimum"): lambda: _("The certificate has a %(key_type)s key, which "
                                               "is not accepted."),
    ("profile.key_size", "curve"): lambda: _("The certificate's key uses the curve %(curve)s, "
                                             "which the profile does not allow."),
    ("int.hsts_not_checked", "client_certificate"): lambda: _(
        "HSTS could not be checked: the server lets no one in without a client certificate."),
}

# Why a certificate chain is not trusted (auth.untrusted's "reason", from _engine.judge_chain).
# Only a failure towards a public root, or towards a CA nobody configured, may say that
# browsers warn visitors: a company CA's failures concern the devices that trust that CA.
UNTRUSTED = {
    "unknown_ca": lambda: _(
        "The certificate chain ends at %(ca)s, which is neither a public root the system "
        "trusts nor a company CA in the web security settings: browsers will warn visitors "
        "unless that CA is installed on their devices. If it is the company's own CA, add its "
        "certificate to the web security settings."),
    "unknown_issuer": lambda: _(
        "The certificate was issued by %(ca)s, which the server does not send and which is not "
        "a trusted root: if %(ca)s is an intermediate CA, configure the server to send its "
        "certificate as well; if it is the company's own root CA, add it to the web security "
        "settings."),
    "missing_intermediate": lambda: _(
        "The server does not send the intermediate certificate %(ca)s that issued its "
        "certificate, so the chain cannot be followed to a trusted root: configure the server "
        "to send it with its own certificate."),
    "self_signed": lambda: _("The certificate is self-signed: nobody vouches for it."),
    "expired_ca": lambda: _("The CA certificate %(ca)s in the chain expired on "
                            "%(not_after)s: the chain must be renewed."),
    "ca_not_yet_valid": lambda: _("The CA certificate %(ca)s in the chain is not valid yet."),
    "weak_signature": lambda: _("%(ca)s in the chain is signed with %(algorithm)s, which can "
                                "be forged and is no longer accepted."),
    "weak_key": lambda: _("The certificate's RSA key has only %(bits)s bits; the chain "
                          "validation asks for at least 2048."),
    "weak_ca_key": lambda: _("The CA certificate %(ca)s has an RSA key of only %(bits)s bits; "
                             "at least 2048 are needed."),
    "not_a_ca": lambda: _("%(ca)s issued a certificate in the chain but is not marked as a CA "
                          "(basicConstraints cA is missing)."),
    "ca_key_usage": lambda: _("%(ca)s may not sign certificates: its keyUsage does not include "
                              "keyCertSign."),
    "server_auth": lambda: _("The certificate may not be used for a web server: its "
                             "extendedKeyUsage does not include serverAuth."),
    "bad_signature": lambda: _("The signature of %(ca)s on %(subject)s does not verify."),
    "no_san": lambda: _("The certificate names no host in subjectAltName, so the name it is "
                        "for cannot be checked."),
    "no_store": lambda: _("No trust store was available to validate the certificate chain."),
    "web_pki": lambda: _("The chain to the public root %(ca)s breaks a rule browsers apply to "
                         "publicly trusted certificates (%(detail)s): browsers will warn "
                         "visitors."),
    "other": lambda: _("The certificate chain to %(ca)s is not valid (%(detail)s)."),
}

WEAKNESS_NAMES = {"null": "NULL", "export": "EXPORT", "anonymous": "ANON", "rc4": "RC4",
                  "3des": "3DES", "des": "DES", "rc2": "RC2", "idea": "IDEA"}


def _template(code: str, params: dict):
    if code == "auth.untrusted" and params.get("reason") in UNTRUSTED:
        return UNTRUSTED[params["reason"]]
    if code == "auth.hostname" and "sans" in params and not params["sans"]:
        return VARIANTS[(code, "no_sans")]
    if code == "auth.weak_key" and params.get("minimum") is None:
        return VARIANTS[(code, "no_minimum")]
    if code == "profile.key_size" and params.get("key_type") == "ecdsa" and (
            params.get("minimum") is None or (params.get("key_size") or 0) >= params["minimum"]):
        return VARIANTS[(code, "curve")]
    if code == "int.hsts_not_checked" and params.get("reason", "client_certificate") == (
            "client_certificate"):
        return VARIANTS[(code, "client_certificate")]
    return MESSAGES.get(code)


class Lenient(dict):
    """Missing params show as "?" rather than breaking the message."""

    def __missing__(self, key):
        return "?"


PROTOCOL_NAMES = {"ssl2.0": "SSL 2.0", "ssl3.0": "SSL 3.0", "tls1.0": "TLS 1.0",
                  "tls1.1": "TLS 1.1", "tls1.2": "TLS 1.2", "tls1.3": "TLS 1.3"}


def duration_text(seconds) -> str:
    """An HSTS duration as people count it: "2 years (730 days)", "30 days", "5 minutes"."""
    from django.utils.translation import ngettext

    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return "?"
    days, rest = divmod(seconds, 86400)
    if days == 0:
        if seconds >= 3600 and seconds % 3600 == 0:
            return ngettext("%(n)s hour", "%(n)s hours", seconds // 3600) % {"n": seconds // 3600}
        if seconds >= 60 and seconds % 60 == 0:
            return ngettext("%(n)s minute", "%(n)s minutes", seconds // 60) % {
                "n": seconds // 60}
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    day_text = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    if rest:
        day_text = ngettext("about %(n)s day", "about %(n)s days", days) % {"n": days}
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return _("%(years)s (%(days)s)") % {
            "years": ngettext("%(n)s year", "%(n)s years", years) % {"n": years},
            "days": day_text}
    return day_text


def readable(params: dict, code: str = "") -> dict:
    """Params as a reader wants them: protocol names spelt out, moments as dates, durations in
    days and years, lists as text."""
    shown = dict(params)
    if "protocol" in shown:
        shown["protocol"] = PROTOCOL_NAMES.get(shown["protocol"], shown["protocol"])
    if isinstance(shown.get("protocols"), list):
        shown["protocols"] = ", ".join(PROTOCOL_NAMES.get(p, p) for p in shown["protocols"])
    if code == "scan.error" and "error" in shown:  # a scan that did not complete: why
        from mamori.websec.service import scan_error_reason

        shown["reason"] = scan_error_reason(shown["error"])
    for name in ("not_after", "not_before"):
        if isinstance(shown.get(name), str):
            shown[name] = shown[name][:10]
    if isinstance(shown.get("sans"), list):
        shown["sans"] = ", ".join(map(str, shown["sans"]))
    if code == "enc.weak_cipher" and shown.get("reason") in WEAKNESS_NAMES:
        shown["reason"] = WEAKNESS_NAMES[shown["reason"]]
    if code in ("profile.hsts_max_age", "profile.no_hsts"):
        for name in ("minimum", "max_age"):
            if shown.get(name) is not None:
                shown[name] = duration_text(shown[name])
    if code == "auth.untrusted" and not shown.get("detail") and (
            shown.get("reason") not in UNTRUSTED):
        shown["detail"] = shown.get("reason")  # recorded before the diagnosis: the words
    if not shown.get("detail"):
        shown["detail"] = "-"
    return shown


def problem_text(code: str, params: dict | None = None) -> str:
    params = params or {}
    message = _template(code, params)
    if message is None:
        return code
    try:
        return message() % Lenient(readable(params, code))
    except (TypeError, ValueError):
        return message()
