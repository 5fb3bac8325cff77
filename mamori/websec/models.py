"""The policy's web section: web systems handling personal data use TLS for authentication of
the server (and of the client where required), encryption and integrity. Mamori registers the
company's web endpoints, scans them (sslyze, websec.scan), judges each scan in those three
terms plus a TLS profile (websec.verdict), keeps the scans as evidence and opens and closes
findings by itself.
"""

import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.controls.models import Control, Evidence
from mamori.core import badges
from mamori.core import roles as r
from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.i18n import NamedInTwoLanguages
from mamori.core.scope import ALL, CatalogueScope, Scope, SettingsScope
from mamori.org.models import Department, Person
from mamori.websec.hostnames import InvalidHostName, ascii_host, has_unsafe_characters

PROMISES = ("authentication", "encryption", "integrity")


class TlsProfile(NamedInTwoLanguages, AuditedModel):
    """A TLS configuration an endpoint must meet (Mozilla's "intermediate", "modern", or the
    company's own), kept as data in websec.profiles' format so an update is an import."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=20, blank=True)
    definition = models.JSONField(
        _("definition"), default=dict,
        help_text=_("Allowed protocols, cipher suites, groups, certificate types, minimum key "
                    "sizes, signatures and the HSTS minimum age."))

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("TLS profile")
        verbose_name_plural = _("TLS profiles")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("websec:tlsprofile_detail", args=[self.pk])

    def clean(self):
        from mamori.websec.profiles import profile_errors

        problems = profile_errors(self.definition)
        if problems:
            raise ValidationError({"definition": problems})


class WebSecuritySettings(SingleRow, AuditedModel):
    company_ca_pem = models.TextField(
        _("company CA certificates (PEM)"), blank=True,
        help_text=_("Trusted in addition to the system's trust store, for endpoints whose "
                    "certificates the company's own CA issues."))
    expiry_warning_days = models.PositiveSmallIntegerField(
        _("warn this many days before a certificate expires"), default=30)
    control = models.ForeignKey(
        Control, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("control the scans are evidence for"),
        help_text=_("Each full scan is attached to this control as evidence."))

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("web security settings")
        verbose_name_plural = _("web security settings")

    def __str__(self):
        return str(_("Web security settings"))

    def get_absolute_url(self):
        return reverse("websec:websecuritysettings_detail", args=[self.pk])

    def clean(self):
        if self.company_ca_pem.strip():
            from cryptography import x509

            try:
                certificates = x509.load_pem_x509_certificates(self.company_ca_pem.encode())
            except ValueError:
                certificates = []
            if not certificates:
                raise ValidationError({"company_ca_pem": _(
                    "Paste one or more certificates in PEM form (-----BEGIN CERTIFICATE-----).")})


class EndpointScope(Scope):
    """The owning department's information manager registers and scans its endpoints; the
    CISO all; auditors read."""

    department_field = "department"


class EndpointQuerySet(AuditedQuerySet):
    def handling_personal_data(self):
        return self.filter(models.Q(handles_personal_info=True) | models.Q(handles_card_data=True))


class WebEndpoint(AuditedModel):
    class Purpose(models.TextChoices):
        MEMBER_SITE = "member_site", _("Member site")
        APPLICATION_FORM = "application_form", _("Application or document-request form")
        API = "api", _("API")
        ADMIN = "admin", _("Administration")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    url = models.CharField(
        _("URL or host:port"), max_length=300,
        help_text=_("e.g. https://members.example.co.jp/ or 10.0.0.5:8443"))
    host = models.CharField(_("host"), max_length=253, editable=False)
    port = models.PositiveIntegerField(_("port"), default=443, editable=False)
    http_path = models.CharField(_("path"), max_length=300, default="/", editable=False)
    server_name = models.CharField(
        _("server name (SNI)"), max_length=253, blank=True,
        help_text=_("The name the certificate must carry; the host when empty."))
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices,
                               default=Purpose.MEMBER_SITE)
    handles_personal_info = models.BooleanField(_("handles personal information"),
                                                default=True)
    handles_card_data = models.BooleanField(_("handles card data"), default=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="web_endpoints",
                                   verbose_name=_("owning department"))
    profile = models.ForeignKey(TlsProfile, on_delete=models.PROTECT, related_name="endpoints",
                                verbose_name=_("TLS profile"))
    client_cert_required = models.BooleanField(
        _("client certificates required (mutual TLS)"), default=False)
    scan_every_hours = models.PositiveIntegerField(
        _("full scan every (hours)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)])
    certificate_check_every_hours = models.PositiveIntegerField(
        _("certificate check every (hours)"), default=1,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 90)])
    active = models.BooleanField(_("active"), default=True)
    # The latest verdict, copied from the latest scan so lists filter on it.
    last_full_scan_at = models.DateTimeField(_("last full scan"), null=True, editable=False)
    last_certificate_check_at = models.DateTimeField(_("last certificate check"), null=True,
                                                     editable=False)
    authentication_ok = models.BooleanField(_("authentication"), null=True, editable=False)
    encryption_ok = models.BooleanField(_("encryption"), null=True, editable=False)
    integrity_ok = models.BooleanField(_("integrity"), null=True, editable=False)
    profile_ok = models.BooleanField(_("meets its profile"), null=True, editable=False)
    certificate_expires_at = models.DateTimeField(_("certificate expires"), null=True,
                                                  editable=False)
    # Until when the last full scan counts as current: twice the interval after it ran.
    verified_until = models.DateTimeField(_("last scan counts until"), null=True,
                                          editable=False)

    objects = EndpointQuerySet.as_manager()
    scope = EndpointScope()

    class Meta:
        verbose_name = _("web endpoint")
        verbose_name_plural = _("web endpoints")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["host", "port", "server_name"],
                                               name="one_endpoint_per_address")]
        indexes = [models.Index(fields=["department", "name"]),
                   models.Index(fields=["active", "last_full_scan_at"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("websec:webendpoint_detail", args=[self.pk])

    @property
    def handles_personal_data(self) -> bool:
        return self.handles_personal_info or self.handles_card_data

    @property
    def passes(self) -> bool | None:
        values = (self.authentication_ok, self.encryption_ok, self.integrity_ok)
        return None if None in values else all(values)

    @property
    def last_scan_incomplete(self) -> bool:
        """Its last full scan did not complete: the verdicts are unknown, not failed."""
        return self.last_full_scan_at is not None and self.passes is None

    @property
    def days_to_expiry(self) -> int | None:
        if self.certificate_expires_at is None:
            return None
        return (self.certificate_expires_at - timezone.now()).days

    def due(self, kind: str, now=None) -> bool:
        now = now or timezone.now()
        last = self.last_full_scan_at if kind == "full" else self.last_certificate_check_at
        hours = self.scan_every_hours if kind == "full" else self.certificate_check_every_hours
        return last is None or last + datetime.timedelta(hours=hours) <= now

    def clean(self):
        from mamori.websec.scan import allowed_target

        try:
            host, port, path = parse_address(self.url)
        except ValueError as exc:
            raise ValidationError({"url": str(exc)}) from exc
        if self.server_name:
            try:
                self.server_name = ascii_host(self.server_name)
            except InvalidHostName as exc:
                raise ValidationError({"server_name": host_name_error(exc)}) from exc
        if not allowed_target(host):
            raise ValidationError({"url": _(
                "Mamori may not scan %(host)s: only the networks in "
                "MAMORI_TLSSCAN_ALLOW_NETWORKS are scanned.") % {"host": host}})
        # host and port are not form fields, so the forms skip the unique constraint on them.
        taken = WebEndpoint.objects.filter(host=host, port=port, server_name=self.server_name
                                           ).exclude(pk=self.pk).exists()
        self.host, self.port, self.http_path = host, port, path
        if taken:
            # Named as Django names a unique error, so that a user who may not see the endpoint
            # holding the address is told only that it is in use (core.uniqueness).
            raise ValidationError({"url": ValidationError(
                _("An endpoint with this address and server name is already registered."),
                code="unique", params={"model_class": WebEndpoint,
                                       "unique_check": ("host", "port", "server_name")})})

    def save(self, *args, **kwargs):
        self.host, self.port, self.http_path = parse_address(self.url)
        # The API runs clean() on a copy: the name is stored in its ASCII form here too.
        self.server_name = ascii_host(self.server_name) if self.server_name else ""
        self.verified_until = self.counts_until(self.last_full_scan_at)
        super().save(*args, **kwargs)

    def counts_until(self, scanned_at):
        if scanned_at is None:
            return None
        return scanned_at + datetime.timedelta(hours=2 * self.scan_every_hours)


def parse_address(text: str) -> tuple[str, int, str]:
    """(host, port, path) of "https://host[:port]/path" or "host:port" or "host"; the host in
    its ASCII form (websec.hostnames). Raises ValueError with the reason in words."""
    text = (text or "").strip()
    if not text:
        raise ValueError(_("Give the URL or host:port."))
    # urlsplit silently drops CR, LF and tab; a URL with any of them is refused instead.
    if has_unsafe_characters(text):
        raise ValueError(_("A URL may not contain spaces, line breaks or other control or "
                           "invisible characters."))
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        port = parts.port or 443
    except ValueError as exc:
        raise ValueError(_("This is not a URL or host:port.")) from exc
    if parts.scheme != "https":
        raise ValueError(_("Only https endpoints are scanned."))
    if not parts.hostname or parts.port == 0:  # port 0 would silently become 443
        raise ValueError(_("This is not a URL or host:port."))
    try:
        host = ascii_host(parts.hostname)
    except InvalidHostName as exc:
        raise ValueError(host_name_error(exc)) from exc
    return host, port, parts.path or "/"


def host_name_error(exc: InvalidHostName) -> str:
    if exc.reason == "characters":
        return _("A host name may not contain spaces, line breaks or other control or "
                 "invisible characters.")
    if exc.reason == "too_long":
        return _("This host name is too long: at most 253 characters in its ASCII form, "
                 "and at most 63 between two dots.")
    return _("This is not a valid host name: labels of letters, digits and hyphens (or a "
             "Unicode name), separated by dots.")


def web_port_error(url: str, user, registered: tuple[str, int] | None = None) -> str | None:
    """Why `user` may not register the address of `url`, or None. An information manager may
    choose only the web ports of MAMORI_TLSSCAN_ALLOW_PORTS: any other port would let them probe
    a local service (is 127.0.0.1:5432 open?). The CISO and administrators may register any
    port. An endpoint that keeps its `registered` (host, port) keeps its port, whoever edits
    it."""
    from mamori.websec.scan import is_web_port, web_ports_text

    try:
        host, port, _path = parse_address(url)
    except ValueError:
        return None  # the model's clean() explains what is wrong with the URL
    if is_web_port(port) or r.roles_for(user).has(r.ADMIN, r.CISO):
        return None
    if registered == (host, port):
        return None
    return _("Port %(port)s is not a web port. Only ports %(ports)s may be registered "
             "(MAMORI_TLSSCAN_ALLOW_PORTS); the CISO or an administrator may register other "
             "ports.") % {"port": port, "ports": web_ports_text()}


class ScanScope(Scope):
    """Scans are written by the scanner: readers only (the endpoint's department, the CISO,
    auditors); nobody edits or deletes one — they are evidence."""

    department_field = "endpoint__department"

    def admin(self, roles, action):
        return ALL if action == "view" else None

    ciso = admin

    def information_manager(self, roles, action):
        return super().information_manager(roles, action) if action == "view" else None


class TlsScan(AuditedModel):
    # Written only by its workflow, never added, changed or deleted by hand: not through the
    # admin, the API or an import (core.admin.WorkflowRecordAdmin; issue 16 #12).
    workflow_only = True

    class Kind(models.TextChoices):
        FULL = "full", _("Full scan")
        CERTIFICATE = "certificate", _("Certificate check")

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        FAILED = "failed", _("Did not complete")  # the verdicts are unknown

    endpoint = models.ForeignKey(WebEndpoint, on_delete=models.CASCADE, related_name="scans",
                                 verbose_name=_("endpoint"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    requested_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    profile_code = models.CharField(_("profile"), max_length=40)
    profile_version = models.CharField(_("profile version"), max_length=20, blank=True)
    # None (unknown) when the scan did not complete: nothing was checked, nothing failed.
    authentication_ok = models.BooleanField(_("authentication"), null=True)
    encryption_ok = models.BooleanField(_("encryption"), null=True)
    integrity_ok = models.BooleanField(_("integrity"), null=True)
    profile_ok = models.BooleanField(_("meets its profile"), null=True)
    certificate_expires_at = models.DateTimeField(_("certificate expires"), null=True)
    problems = models.JSONField(_("problems"), default=list)
    result = models.JSONField(_("raw result"), default=dict)
    # Of the evidence file's bytes (the JSON downloaded): `sha256sum tls-scan-N.json`.
    result_sha256 = models.CharField(_("SHA-256 of the evidence file"), max_length=64)
    evidence = models.ForeignKey(Evidence, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("evidence"))

    objects = AuditedQuerySet.as_manager()
    scope = ScanScope()
    # The raw result is kept on the row; the change log records its SHA-256 (a field) rather
    # than the whole document, which is tens of kilobytes per scan.
    changelog_redact = ("result",)

    class Meta:
        verbose_name = _("TLS scan")
        verbose_name_plural = _("TLS scans")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["endpoint", "-started_at"]),
                   models.Index(fields=["started_at", "id"])]  # the list, newest first

    label_related = ("endpoint",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.endpoint} {timezone.localtime(self.started_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("websec:tlsscan_detail", args=[self.pk])

    @property
    def passes(self) -> bool | None:
        """None when the scan did not complete (its verdicts are unknown)."""
        values = (self.authentication_ok, self.encryption_ok, self.integrity_ok)
        return None if None in values else all(values)

    @property
    def incomplete(self) -> bool:
        return self.status == self.Status.FAILED


class FindingQuerySet(AuditedQuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class TlsFinding(AuditedModel):
    """One problem of one endpoint, open from the scan that first found it until a later scan
    that checks it no longer does: one finding per endpoint and problem, however many scans."""

    # Written only by its workflow, never added, changed or deleted by hand: not through the
    # admin, the API or an import (core.admin.WorkflowRecordAdmin; issue 16 #12).
    workflow_only = True

    endpoint = models.ForeignKey(WebEndpoint, on_delete=models.CASCADE,
                                 related_name="findings", verbose_name=_("endpoint"))
    key = models.CharField(_("problem key"), max_length=200)
    code = models.CharField(_("problem"), max_length=60)
    promise = models.CharField(_("promise"), max_length=20)
    level = models.CharField(_("level"), max_length=8)
    params = models.JSONField(_("details"), default=dict)
    opened_at = models.DateTimeField(_("opened at"))
    last_seen_at = models.DateTimeField(_("last seen at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    opened_by_scan = models.ForeignKey(TlsScan, on_delete=models.SET_NULL, null=True,
                                       related_name="+", verbose_name=_("found by"))
    closed_by_scan = models.ForeignKey(TlsScan, on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+",
                                       verbose_name=_("closed by"))

    objects = FindingQuerySet.as_manager()
    scope = ScanScope()

    class Meta:
        verbose_name = _("TLS finding")
        verbose_name_plural = _("TLS findings")
        ordering = ["-opened_at", "-pk"]
        constraints = [models.UniqueConstraint(
            fields=["endpoint", "key"], condition=models.Q(closed_at__isnull=True),
            name="one_open_finding_per_problem")]

    label_related = ("endpoint",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.endpoint}: {self.text}"

    @property
    def text(self) -> str:
        from mamori.websec.messages import problem_text

        return problem_text(self.code, self.params)

    def get_absolute_url(self):
        return reverse("websec:tlsfinding_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ScanRequest(models.Model):
    """A "Scan now" waiting for, or run by, a worker (websec.tasks.scan_requested): what the
    endpoint's page shows while the scan runs, instead of a request held for seconds.

    Not an audited model: a technical record, like a task result. The scan it produces is
    audited and logged as every scan is, as requested by the person who pressed the button."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Scanning")
        DONE = "done", _("Done")
        FAILED = "failed", _("Did not complete")

    endpoint = models.ForeignKey(WebEndpoint, on_delete=models.CASCADE,
                                 related_name="scan_requests", verbose_name=_("endpoint"))
    kind = models.CharField(_("kind"), max_length=12, choices=TlsScan.Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.QUEUED)
    requested_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    scan = models.ForeignKey(TlsScan, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("TLS scan"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The queued task (database backend): a task given up by the sweep for abandoned tasks
    # (core.taskhealth) never comes back to say so, its failure is read from there.
    task_result_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("scan request")
        verbose_name_plural = _("scan requests")
        indexes = [models.Index(fields=["endpoint", "-created_at"])]

    def __str__(self):
        return f"{self.endpoint} ({self.get_status_display()})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    def given_up(self) -> bool:
        """True when it still looks pending but its task has failed (abandoned and not
        retried): recorded here as failed."""
        from django_tasks_db.models import DBTaskResult

        if not self.pending or not self.task_result_id:
            return False
        failed = DBTaskResult.objects.filter(pk=self.task_result_id, status="FAILED").exists()
        if failed:
            ScanRequest.objects.filter(pk=self.pk, status=self.status).update(
                status=self.Status.FAILED, finished_at=timezone.now())
            self.status, self.finished_at = self.Status.FAILED, timezone.now()
        return failed


# The promises' verdicts read as pass / fail / not checked badges (core.badges).
for _model in (WebEndpoint, TlsScan):
    for _field in ("authentication_ok", "encryption_ok", "integrity_ok"):
        badges.register(_model, _field, badges.VERDICT)
badges.register(TlsScan, "profile_ok", badges.VERDICT)
# A scan that did not complete has unknown verdicts, not failed ones: yellow, never red.
badges.register(TlsScan, "status", {"done": "green", "failed": "yellow"})
badges.register(ScanRequest, "status", {"queued": "secondary", "running": "blue", "done": "green",
                                        "failed": "red"})
