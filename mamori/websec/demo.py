"""The demo company's web endpoints and two weeks of their TLS scans (the policy's web section).

株式会社みなとカード registers seven web endpoints, each owned by the department answerable
for it:

- 会員サイト (members.minato-card.example): 会員サービス部, member site, personal information
  and card data, Mozilla intermediate;
- カード申込フォーム (apply.minato-card.example/apply/): カード事業部, application form,
  personal information, intermediate;
- ローン資料請求フォーム (loan.minato-card.example/request/): 融資事業部, document-request
  form, personal information, intermediate;
- 会員API (api.minato-card.example/v1/): システム部, the smartphone app's API, personal
  information, "modern-rsa" (TLS 1.3 only, RSA certificate: the company's own profile);
- 加盟店ポータル (merchant.minato-card.example): 加盟店営業部, merchants' portal, personal
  information of merchants' representatives, intermediate;
- 管理コンソール (admin.minato-card.example, internal): システム運用課, administration,
  personal information and card data, Mozilla modern (ECDSA certificate from the company's own
  CA, which the web security settings trust), mutual TLS required;
- 検証環境（ステージング） (stg.minato-card.example): システム部, no personal data,
  intermediate, full scan weekly instead of daily.

The history: a full scan every night at about 02:00 for fourteen nights (the staging site two,
a week apart) and a certificate check every afternoon at about 14:00; the first full scan of
each endpoint was started by its department's information manager when it was registered, the
rest by the schedule. Each full scan is evidence on control C-TEC-08 暗号化と鍵管理 (the
settings name it when the control demo is loaded; otherwise Mamori creates WEB-TLS), stored
as a file in the data directory's media like any scan's.

What happened:

- the loan document-request form accepted TLS 1.0 and 1.1 with CBC-SHA1 cipher suites (kept for
  old phones) until six days ago: its first scan opened the findings (two outdated protocols,
  weak MACs, suites outside the profile); 融資事業部 changed the load balancer that afternoon and
  its information manager's scan right after closed every one of them;
- the merchant portal's certificate expires in 12 days: a warning finding is open while the
  portal still passes; its HSTS lasts one year where the profile asks for two, so it passes the
  policy but not its profile;
- the staging site uses a self-signed certificate, so it fails authentication; it handles no
  personal data, so the web conformance check does not count it;
- the admin console refuses clients without a certificate at the TLS layer, so its HSTS header
  cannot be read: a warning, not a failure.

Left imperfect on purpose, so the web check shows a failure: the card application form has
not sent HSTS since it was moved behind the new WAF four days ago (the first nightly scan after
the switch, three days ago, opened the finding), so it fails integrity and "every web endpoint
handling personal data passes authentication, encryption and integrity on a recent scan"
(websec.web.tls_verified) fails for exactly that endpoint.

Nothing is scanned: the results are built here in the shape websec._engine returns (the same
keys, the facts a real scan of such servers records) and recorded with service.record, which
judges them as it judges a real scan. Loading opens no connection and takes a few seconds. The
addresses are on loopback (Mamori scans only MAMORI_TLSSCAN_ALLOW_NETWORKS, loopback by
default) with the company's names as the server names (SNI), so the endpoints stay editable and
a scan started from the demo reaches nothing but this machine. Times are relative to the moment
the demo is loaded; serial numbers and fingerprints come from the seed.
"""

import datetime
import random
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from mamori.assets.demo import DEMO_ACTOR, people_by_department
from mamori.controls.models import Control
from mamori.core.context import Actor, acting_as
from mamori.org.models import Appointment, Department
from mamori.websec import scan, service
from mamori.websec.models import (
    TlsProfile,
    TlsScan,
    WebEndpoint,
    WebSecuritySettings,
    parse_address,
)

FULL, CERTIFICATE = TlsScan.Kind.FULL, TlsScan.Kind.CERTIFICATE
Purpose = WebEndpoint.Purpose

CONTROL = "C-TEC-08"  # 暗号化と鍵管理: "通信のTLS化" is part of it (controls.demo)
DAYS = 14  # nights of scans
NIGHT, AFTERNOON = datetime.time(2, 0), datetime.time(14, 0)
LEGACY_UNTIL_DAYS_AGO = 6  # the loan form accepted TLS 1.0 / 1.1 until then
FIXED_AT = datetime.time(15, 30)  # … when the load balancer was changed,
RESCAN_AT = datetime.time(16, 5)  # … and its information manager scanned it again
NO_HSTS_SINCE_DAYS_AGO = 3  # the first nightly scan after the application form's WAF switch
EXPIRES_IN_DAYS = 12  # the merchant portal's certificate

DOMAIN = "minato-card.example"
MARKER = f"members.{DOMAIN}"  # present once the demo's endpoints are loaded
ORG = "Minato Card Co.\\, Ltd."  # RFC 4514: the comma escaped, as the scanner writes it
OV_SUBJECT = "CN={name},O=" + ORG + ",L=Minato-ku,ST=Tokyo,C=JP"

# The CA certificate of the company's own PKI (public part only; the key was never kept):
# trusted in the demo's settings, it issues the admin console's certificate.
COMPANY_ROOT = "CN=Minato Card Root CA 2024,O=" + ORG + ",C=JP"
COMPANY_ROOT_PEM = """\
-----BEGIN CERTIFICATE-----
MIICFjCCAZygAwIBAgIGTUNST09UMAoGCCqGSM49BAMDMFAxCzAJBgNVBAYTAkpQ
MR4wHAYDVQQKDBVNaW5hdG8gQ2FyZCBDby4sIEx0ZC4xITAfBgNVBAMMGE1pbmF0
byBDYXJkIFJvb3QgQ0EgMjAyNDAeFw0yNDA0MDEwMDAwMDBaFw00NDAzMzExNTAw
MDBaMFAxCzAJBgNVBAYTAkpQMR4wHAYDVQQKDBVNaW5hdG8gQ2FyZCBDby4sIEx0
ZC4xITAfBgNVBAMMGE1pbmF0byBDYXJkIFJvb3QgQ0EgMjAyNDB2MBAGByqGSM49
AgEGBSuBBAAiA2IABBk6VoAEROaSUICceppFaCkAM97Zq4pN2Xg6Rme0l+q9K21w
KLQRPqMyY6ODdo3dcqt2buL/Y1q8ev4cez4EIxkJrdWAFn7wGW+IbFtLwthq5g2e
IaDsWP9mKUgjiJSKu6NFMEMwEgYDVR0TAQH/BAgwBgEB/wIBATAOBgNVHQ8BAf8E
BAMCAQYwHQYDVR0OBBYEFFkQLD/Ln3pLKmvOi5oLHWu0Q/DMMAoGCCqGSM49BAMD
A2gAMGUCMQD1tYJyzZ30mQu11inhKE8KPOPKkdUz2NJ6B0s/WmKE6WkgzGB4NZ+O
DuF2uVtD/TwCMGgZSeCYfgVKr6CpczHtmATJQm/pAiC9zoSbDj7G5ixhaKJCIj9X
rW1F19/+7l7oGA==
-----END CERTIFICATE-----
"""


class Issuer(NamedTuple):
    """The intermediate CA the server sends after its own certificate."""

    subject: str
    issuer: str
    key_type: str
    key_size: int
    signature: str
    years_left: int


PUBLIC_CA = Issuer("CN=GlobalSign GCC R3 OV TLS CA 2024,O=GlobalSign nv-sa,C=BE",
                   "CN=GlobalSign,O=GlobalSign,OU=GlobalSign Root CA - R3", "rsa", 2048,
                   "sha256WithRSAEncryption", 3)
COMPANY_CA = Issuer("CN=Minato Card Issuing CA E1,O=" + ORG + ",C=JP", COMPANY_ROOT, "ecdsa", 384,
                    "ecdsa-with-SHA384", 8)


class Certificate(NamedTuple):
    names: tuple[str, ...]  # subjectAltName DNS names, the first one the subject's CN
    issuer: Issuer | None  # None: self-signed
    issued_days_ago: int  # or, with expires_in_days, worked out from the expiry
    lifespan_days: int
    key_type: str = "rsa"
    key_size: int = 2048
    signature: str = "sha256WithRSAEncryption"
    expires_in_days: int | None = None


class Site(NamedTuple):
    name: str
    host: str  # the loopback address standing in for the company's load balancer
    server_name: str
    path: str
    purpose: str
    department: str
    personal: bool
    card: bool
    profile: str
    certificate: Certificate
    protocols: tuple[str, ...] = ("tls1.2", "tls1.3")
    hsts: str | None = "max-age=63072000; includeSubDomains"
    http_status: int | None = 200
    ocsp_stapled: bool = True
    client_cert: bool = False
    scan_every_hours: int = 24
    certificate_check_every_hours: int = 12


MEMBERS, APPLY, LOAN, API, MERCHANTS, ADMIN, STAGING = (
    f"members.{DOMAIN}", f"apply.{DOMAIN}", f"loan.{DOMAIN}", f"api.{DOMAIN}",
    f"merchant.{DOMAIN}", f"admin.{DOMAIN}", f"stg.{DOMAIN}")
PUBLIC, INTERNAL, TEST = "127.0.0.1", "127.0.0.2", "127.0.0.3"

SITES = [
    Site("会員サイト", PUBLIC, MEMBERS, "/", Purpose.MEMBER_SITE, "D220", True, True,
         "intermediate", Certificate((MEMBERS, f"www.{DOMAIN}"), PUBLIC_CA, 150, 365),
         hsts="max-age=63072000; includeSubDomains; preload"),
    Site("カード申込フォーム", PUBLIC, APPLY, "/apply/", Purpose.APPLICATION_FORM, "D200", True,
         False, "intermediate", Certificate((APPLY,), PUBLIC_CA, 80, 365)),
    Site("ローン資料請求フォーム", PUBLIC, LOAN, "/request/", Purpose.APPLICATION_FORM, "D300",
         True, False, "intermediate", Certificate((LOAN,), PUBLIC_CA, 200, 365)),
    Site("会員API（スマートフォンアプリ）", PUBLIC, API, "/v1/", Purpose.API, "D600", True, False,
         "modern-rsa", Certificate((API,), PUBLIC_CA, 40, 365), protocols=("tls1.3",),
         hsts="max-age=63072000", http_status=404),
    Site("加盟店ポータル", PUBLIC, MERCHANTS, "/", Purpose.OTHER, "D210", True, False,
         "intermediate",
         Certificate((MERCHANTS,), PUBLIC_CA, 0, 365, expires_in_days=EXPIRES_IN_DAYS),
         hsts="max-age=31536000"),
    Site("管理コンソール（カード・融資業務）", INTERNAL, ADMIN, "/", Purpose.ADMIN, "D610", True,
         True, "modern",
         Certificate((ADMIN,), COMPANY_CA, 38, 90, key_type="ecdsa", key_size=256,
                     signature="ecdsa-with-SHA384"),
         protocols=("tls1.3",), hsts=None, http_status=None, ocsp_stapled=False,
         client_cert=True),
    Site("検証環境（ステージング）", TEST, STAGING, "/", Purpose.OTHER, "D600", False, False,
         "intermediate", Certificate((STAGING,), None, 900, 3650), hsts=None,
         ocsp_stapled=False, scan_every_hours=24 * 7, certificate_check_every_hours=24),
]

SUITES_12 = ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
             "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")
SUITES_13 = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
LEGACY_SUITES = ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA")
GROUPS = ["X25519", "prime256v1", "secp384r1"]
KEY_EXCHANGE = {"type": "ECDHE", "group": "X25519", "size": 253}
ALL_PROTOCOLS = ("ssl2.0", "ssl3.0", "tls1.0", "tls1.1", "tls1.2", "tls1.3")
SELF_SIGNED_TRUST_ERROR = (  # what the scanner says of `openssl req -x509` (CA:TRUE) certificates
    "validation failed: basicConstraints.cA must not be asserted in an EE certificate "
    "(encountered processing <Certificate(subject=<Name(CN=" + STAGING + ")>, ...)>)")
CERTIFICATE_REQUIRED = ("SSLError: [SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert "
                        "certificate required (_ssl.c:2580)")


def trust_facts(certificate: Certificate, leaf: dict) -> dict:
    """What _engine.judge_chain says of the chain: the anchor it reached, or why not."""
    facts = {"reason": None, "ca": None, "anchor": None, "anchor_subject": None}
    if certificate.issuer is None:
        facts.update(reason="self_signed", ca=leaf["subject"])
    else:
        facts.update(anchor="company" if certificate.issuer is COMPANY_CA else "public",
                     anchor_subject=certificate.issuer.issuer)
    return facts


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds")


class History:
    """The clock, the seeded facts and the servers' state on any day of the history."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rngs: dict[str, random.Random] = {}
        self.now = timezone.now()
        # The last night whose scans (a few minutes from 02:00) are over by now.
        self.last_night = timezone.localdate(self.now)
        if self.at(0, NIGHT) > self.now - datetime.timedelta(minutes=30):
            self.last_night -= datetime.timedelta(days=1)
        self.sslyze_version = scan._sslyze_version()
        self.certificates: dict[str, tuple[dict, list[dict]]] = {}

    def rng(self, site: Site) -> random.Random:
        """One seeded stream per site, so its facts do not depend on the others' or on the
        hour the demo is loaded."""
        if site.server_name not in self.rngs:
            self.rngs[site.server_name] = random.Random(  # noqa: S311 -- demo data
                f"websec-{self.seed}-{site.server_name}")
        return self.rngs[site.server_name]

    def at(self, days_ago: int, time: datetime.time, seconds: int = 0) -> datetime.datetime:
        day = self.last_night - datetime.timedelta(days=days_ago)
        return (timezone.make_aware(datetime.datetime.combine(day, time))
                + datetime.timedelta(seconds=seconds))

    @property
    def fixed_at(self) -> datetime.datetime:
        return self.at(LEGACY_UNTIL_DAYS_AGO, FIXED_AT)

    @property
    def hsts_lost_at(self) -> datetime.datetime:
        return self.at(NO_HSTS_SINCE_DAYS_AGO, NIGHT) - datetime.timedelta(hours=5)

    # --- what the servers present ------------------------------------------------------------

    def certificate(self, site: Site) -> tuple[dict, list[dict]]:
        """The leaf's facts and the chain, the same on every scan (nobody renewed one)."""
        if site.server_name not in self.certificates:
            spec, rng = site.certificate, self.rng(site)
            today = self.now.astimezone(datetime.UTC).replace(hour=0, minute=0, second=0,
                                                              microsecond=0)
            if spec.expires_in_days is not None:
                not_after = (self.now + datetime.timedelta(days=spec.expires_in_days, hours=7)
                             ).astimezone(datetime.UTC).replace(microsecond=0)
                not_before = not_after - datetime.timedelta(days=spec.lifespan_days)
            else:
                not_before = (today - datetime.timedelta(days=spec.issued_days_ago)
                              + datetime.timedelta(seconds=rng.randint(3600, 80000)))
                not_after = not_before + datetime.timedelta(days=spec.lifespan_days)
            issuer = spec.issuer
            self_signed = issuer is None
            if self_signed:
                subject = f"CN={spec.names[0]}"  # `openssl req -x509 -subj /CN=…`
            elif issuer is COMPANY_CA:
                subject = f"CN={spec.names[0]},OU=IT Operations,O={ORG},C=JP"
            else:
                subject = OV_SUBJECT.format(name=spec.names[0])
            leaf = {
                "subject": subject,
                "issuer": subject if self_signed else issuer.subject,
                "sans": {"dns": list(spec.names), "ip": []},
                "serial": format(rng.getrandbits(127) | 1 << 126, "x"),
                "not_before": not_before.isoformat(),
                "not_after": not_after.isoformat(),
                "key_type": spec.key_type,
                "key_size": spec.key_size,
                "key_curve": "prime256v1" if spec.key_type == "ecdsa" else None,
                "signature_algorithm": spec.signature,
                "self_signed": self_signed,
                "sha256": format(rng.getrandbits(256), "064x"),
            }
            chain = [{key: leaf[key] for key in ("subject", "issuer", "key_type", "key_size")}
                     | {"signature_algorithm": leaf["signature_algorithm"],
                        "not_after": leaf["not_after"]}]
            if issuer is not None:
                chain.append({
                    "subject": issuer.subject, "issuer": issuer.issuer,
                    "key_type": issuer.key_type, "key_size": issuer.key_size,
                    "signature_algorithm": issuer.signature,
                    "not_after": (today + datetime.timedelta(days=365 * issuer.years_left
                                                             + 97)).isoformat()})
            self.certificates[site.server_name] = (leaf, chain)
        return self.certificates[site.server_name]

    def server(self, site: Site, moment: datetime.datetime) -> dict:
        """Protocols, suites and the HTTP answer of the site at that moment."""
        protocols, suites, hsts = site.protocols, {}, site.hsts
        if "tls1.2" in protocols:
            suites["tls1.2"] = list(SUITES_12)
        suites["tls1.3"] = list(SUITES_13)
        fallback_scsv = None
        if site.server_name == LOAN and moment < self.fixed_at:
            protocols = ("tls1.0", "tls1.1", *protocols)
            suites = {"tls1.0": list(LEGACY_SUITES), "tls1.1": list(LEGACY_SUITES),
                      "tls1.2": [*SUITES_12, *LEGACY_SUITES], "tls1.3": suites["tls1.3"]}
            fallback_scsv = True
        if site.server_name == APPLY and moment >= self.hsts_lost_at:
            hsts = None  # the new WAF answers without the header
        return {"protocols": protocols, "suites": {p: sorted(v) for p, v in suites.items()},
                "hsts": hsts, "fallback_scsv": fallback_scsv}

    # --- results in websec._engine's shape -----------------------------------------------------

    def result(self, site: Site, kind: str, started: datetime.datetime) -> dict:
        full, rng = kind == FULL, self.rng(site)
        duration = rng.uniform(2.4, 6.8) if full else rng.uniform(0.15, 0.6)
        duration = round(duration + (1.5 if site.client_cert and full else 0), 3)
        leaf, chain = self.certificate(site)
        state = self.server(site, started)
        protocols = state["protocols"]
        highest = max(protocols, key=ALL_PROTOCOLS.index)
        result = {
            "target": {"host": site.host, "port": 443, "server_name": site.server_name},
            "ip_address": site.host,
            "full": full,
            "started_at": iso(started),
            "finished_at": iso(started + datetime.timedelta(seconds=duration)),
            "duration_seconds": duration,
            "sslyze_version": self.sslyze_version,
            "error": None,
            "error_detail": "",
            "command_errors": {},
            "protocols": ({p: p in protocols for p in ALL_PROTOCOLS} if full
                          else {p: (p == highest) or None for p in ALL_PROTOCOLS}),
            "highest_protocol": highest,
            "certificate": dict(leaf, sans={k: list(v) for k, v in leaf["sans"].items()}),
            "chain": [dict(link) for link in chain],
            "trusted": not leaf["self_signed"],
            "trust_error": SELF_SIGNED_TRUST_ERROR if leaf["self_signed"] else None,
            "trust": trust_facts(site.certificate, leaf),
            "hostname_matches": True,
            "hostname_checked": site.server_name,
            "client_cert_requested": site.client_cert,
            "client_cert_enforced": True if site.client_cert else (False if full else None),
            **dict.fromkeys(("cipher_suites", "key_exchange", "groups", "ocsp_stapled", "hsts",
                             "http_status", "compression", "secure_renegotiation",
                             "client_renegotiation", "heartbleed", "robot", "robot_result",
                             "ccs_injection", "fallback_scsv", "early_data")),
        }
        if full:
            up_to_12 = any(p in protocols for p in ("tls1.0", "tls1.1", "tls1.2"))
            result.update({
                "cipher_suites": state["suites"],
                "key_exchange": {suite: dict(KEY_EXCHANGE)
                                 for names in state["suites"].values() for suite in names},
                "groups": list(GROUPS),
                "ocsp_stapled": site.ocsp_stapled,
                "hsts": hsts_facts(state["hsts"]),
                "http_status": site.http_status,
                "compression": False,
                "secure_renegotiation": True,
                "client_renegotiation": False,
                "heartbleed": False if up_to_12 else None,
                "robot": False,
                "robot_result": "NOT_VULNERABLE_RSA_NOT_SUPPORTED",
                "ccs_injection": False if up_to_12 else None,
                "fallback_scsv": state["fallback_scsv"],
                "early_data": None if site.client_cert else False,
            })
            if site.client_cert:
                # The server ends the handshake without a client certificate: no HTTP answer,
                # and the early-data probe is refused the same way.
                result["command_errors"] = {
                    "early_data": "ClientCertificateRequested: Server requested a client "
                                  "certificate.",
                    "http": CERTIFICATE_REQUIRED}
        if site.client_cert:
            result["client_cert_requirement_sslyze"] = "REQUIRED"
        return result


def hsts_facts(header: str | None) -> dict | None:
    """The header as the scanner records it (websec._engine.parse_hsts)."""
    if not header:
        return None
    directives = [part.strip() for part in header.split(";")]
    max_age = next(int(d.split("=", 1)[1]) for d in directives if d.startswith("max-age="))
    return {"max_age": max_age, "include_subdomains": "includeSubDomains" in directives,
            "preload": "preload" in directives}


def manager_of(department: Department, people: dict):
    """The department's information manager, or its head."""
    appointment = (Appointment.objects.current()
                   .filter(role=Appointment.Role.INFORMATION_MANAGER, department=department)
                   .select_related("person").first())
    if appointment is not None:
        return appointment.person
    members = people.get(department.code, [])
    return members[0] if members else None


def scans_of(site: Site, history: History) -> list[tuple[datetime.datetime, str, bool]]:
    """(start, kind, started by its information manager) of every scan of the site."""
    rng, now = history.rng(site), history.now
    weekly = site.scan_every_hours >= 24 * 7
    scans = []
    for days_ago in range(DAYS - 1, -1, -1):
        if not weekly or days_ago % 7 == (DAYS - 1) % 7:
            scans.append((history.at(days_ago, NIGHT, rng.randint(3, 50)), FULL, False))
        afternoon = history.at(days_ago, AFTERNOON, rng.randint(3, 50))
        if afternoon <= now - datetime.timedelta(minutes=5):
            scans.append((afternoon, CERTIFICATE, False))
    if site.server_name == LOAN:
        scans.append((history.at(LEGACY_UNTIL_DAYS_AGO, RESCAN_AT, rng.randint(0, 59)), FULL,
                      True))
    scans.sort()
    first = scans[0]
    scans[0] = (first[0], first[1], True)  # scanned at once when it was registered
    return scans


def load_websec_demo(seed: int) -> int:
    """Returns the number of endpoints loaded (0 when they exist already or the demo
    organisation is missing)."""
    if WebEndpoint.objects.filter(server_name=MARKER).exists():
        return 0
    codes = {site.department for site in SITES}
    departments = Department.objects.in_bulk(codes, field_name="code")
    if len(departments) < len(codes):
        return 0
    profiles = TlsProfile.objects.in_bulk({site.profile for site in SITES}, field_name="code")
    if len(profiles) < len({site.profile for site in SITES}):
        return 0  # the shipped profiles are created by `migrate`
    history = History(seed)
    people = people_by_department()
    with acting_as(Actor(None, DEMO_ACTOR, "command")), transaction.atomic():
        settings = WebSecuritySettings.current()
        changed = []
        if not settings.company_ca_pem.strip():
            settings.company_ca_pem = COMPANY_ROOT_PEM
            changed.append("company_ca_pem")
        if settings.control_id is None:
            settings.control = Control.objects.filter(code=CONTROL).first()
            changed.append("control")
        if changed:
            settings.full_clean()
            settings.save()
        events = []
        for site in SITES:
            endpoint = WebEndpoint(
                name=site.name, url=f"https://{site.host}{site.path}",
                server_name=site.server_name, purpose=site.purpose,
                handles_personal_info=site.personal, handles_card_data=site.card,
                department=departments[site.department], profile=profiles[site.profile],
                client_cert_required=site.client_cert, scan_every_hours=site.scan_every_hours,
                certificate_check_every_hours=site.certificate_check_every_hours)
            endpoint.host, endpoint.port, endpoint.http_path = parse_address(endpoint.url)
            # Checked like a form's data, but for the address check (the scanner's allow-list,
            # which the loopback addresses meet unless MAMORI_TLSSCAN_ALLOW_NETWORKS leaves
            # loopback out: the demo loads all the same).
            endpoint.clean_fields()
            endpoint.save()
            manager = manager_of(endpoint.department, people)
            events += [(moment, endpoint, site, kind, manager if by_hand else None)
                       for moment, kind, by_hand in scans_of(site, history)]
        # In the order they ran, so findings open and close as they would have.
        for moment, endpoint, site, kind, requested_by in sorted(events, key=lambda e: e[0]):
            service.record(endpoint, kind, history.result(site, kind, moment), settings,
                           requested_by)
    return len(SITES)
