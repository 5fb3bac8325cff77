"""Audits (policy Art 7): the programme of each fiscal year, the audits in it — internal and
external — with their scope, team and checklist.

An audit moves planned → fieldwork → reporting → closed; a closed audit is changed by nobody
(a follow-up is a new audit). Its scope is departments, policy articles, framework
requirements and controls; its checklist is generated from that scope (audits.checklist).
What an item finds wrong is raised in the improvement register, linked to the item.

Independence (ISO/IEC 27001 9.2, and the internal audit charter): nobody audits their own
department. The CISO may let it stand with a recorded justification (audits.independence).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mamori.controls.models import (
    Control,
    Evidence,
    HashedFile,
    Requirement,
    evidence_path,
)
from mamori.core import badges, conformance
from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.conformance import ARTICLE_TITLES, article_label
from mamori.core.counters import next_code
from mamori.core.scope import (
    ALL,
    CHANGE,
    DELETE,
    VIEW,
    CatalogueScope,
    RestrictableQuerySetMixin,
    Scope,
    SettingsScope,
)
from mamori.org.models import Department, Person


class AuditSettings(SingleRow, AuditedModel):
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=4,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("1 for January … 4 for April (the default) … 12 for December."))
    cycle_years = models.PositiveSmallIntegerField(
        _("audit cycle (years)"), default=1, validators=[MinValueValidator(1),
                                                        MaxValueValidator(5)],
        help_text=_("Within this many years every active department and every policy article "
                    "is covered by a closed internal audit."))

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("audit settings")
        verbose_name_plural = _("audit settings")

    def __str__(self):
        return str(_("Audit settings"))

    def get_absolute_url(self):
        return reverse("audits:auditsettings_detail", args=[self.pk])

    def fiscal_year_of(self, day: datetime.date) -> int:
        """The fiscal year a day falls in, named by the calendar year it starts in."""
        return day.year if day.month >= self.fiscal_year_start_month else day.year - 1

    def fiscal_year_bounds(self, year: int) -> tuple[datetime.date, datetime.date]:
        start = datetime.date(year, self.fiscal_year_start_month, 1)
        end = datetime.date(year + 1, self.fiscal_year_start_month, 1) - datetime.timedelta(1)
        return start, end

    def cycle_start(self, on: datetime.date | None = None) -> datetime.date:
        """The first day of the cycle that ends on `on` (today): the start of the fiscal year
        `cycle_years - 1` years before the current one."""
        on = on or timezone.localdate()
        year = self.fiscal_year_of(on) - (self.cycle_years - 1)
        return self.fiscal_year_bounds(year)[0]


class PolicyArticleQuerySet(RestrictableQuerySetMixin, models.QuerySet):
    pass


class PolicyArticle(models.Model):
    """The policy's articles as rows (created at installation from core.conformance), so an
    audit's scope links to them and coverage is a query."""

    number = models.CharField(_("article"), max_length=4, unique=True)
    position = models.PositiveSmallIntegerField(default=0)

    # Read by everyone (restrict() like every other model); written only at installation.
    objects = PolicyArticleQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("policy article")
        verbose_name_plural = _("policy articles")
        ordering = ["position"]

    def __str__(self):
        title = ARTICLE_TITLES.get(self.number, "")
        return f"{article_label(self.number)} {title}"

    def get_absolute_url(self):
        return f"{reverse('audits:audit_list')}?articles={self.pk}"


class AuditProgrammeScope(Scope):
    """The CISO and administrators plan the programme; auditors and information managers
    read it."""

    readers = ("auditor", "information_manager")


class AuditProgramme(AuditedModel):
    fiscal_year = models.PositiveSmallIntegerField(
        _("fiscal year"), unique=True, validators=[MinValueValidator(2000),
                                                   MaxValueValidator(2100)],
        help_text=_("The calendar year the fiscal year starts in (FY2026 starts in 2026)."))
    objectives = models.TextField(_("objectives"), blank=True)
    approved_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("approved by"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = AuditProgrammeScope()

    class Meta:
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        ordering = ["-fiscal_year"]

    def __str__(self):
        return str(_("Audit programme FY%(year)s") % {"year": self.fiscal_year})

    def get_absolute_url(self):
        return reverse("audits:auditprogramme_detail", args=[self.pk])

    def bounds(self) -> tuple[datetime.date, datetime.date]:
        return AuditSettings.current().fiscal_year_bounds(self.fiscal_year)


class AuditScope(Scope):
    """The CISO and administrators run every audit. An auditor reads every audit and
    changes those they lead or are on the team of (and may plan one they lead); an
    information manager reads the audits of their departments. A closed audit is changed by
    nobody; only a planned one is deleted."""

    def _open(self, action):
        if action == DELETE:
            return Q(status=Audit.Status.PLANNED)
        return ~Q(status=Audit.Status.CLOSED) if action == CHANGE else ALL

    def admin(self, roles, action):
        return self._open(action)

    ciso = admin

    def auditor(self, roles, action):
        if action == VIEW:
            return ALL
        if roles.person_id is None or action == DELETE:
            return None
        return on_team(roles.person_id) & self._open(action)

    def information_manager(self, roles, action):
        return of_managed_departments(roles, action, "pk")


def of_managed_departments(roles, action, field: str) -> Q | None:
    """An information manager reads the audits of their departments (`field`: "pk" for
    audits, "audit" for what belongs to one) and changes none of them."""
    if action != VIEW or not roles.managed_department_ids:
        return None
    audited = Audit.departments.through.objects.filter(
        department_id__in=roles.managed_department_ids).values("audit_id")
    return Q(**{f"{field}__in": audited})


def writes_open(person_id: int, prefix: str = "") -> Q:
    """The audits (or, with prefix "audit__", their items) an auditor writes: on the team of
    an audit not closed yet."""
    return on_team(person_id, prefix) & ~Q(**{f"{prefix}status": Audit.Status.CLOSED})


def on_team(person_id: int, prefix: str = "") -> Q:
    """The audits `person_id` leads or is on the team of (as a subquery: a join in a scope's
    OR would repeat rows)."""
    team = Audit.team.through.objects.filter(person_id=person_id).values("audit_id")
    return Q(**{f"{prefix}lead_auditor": person_id}) | Q(**{f"{prefix}pk__in": team})


class Audit(AuditedModel):
    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal audit")
        ISO_INITIAL = "iso_initial", _("ISO/IEC 27001 initial certification")
        ISO_SURVEILLANCE = "iso_surveillance", _("ISO/IEC 27001 surveillance")
        ISO_RECERTIFICATION = "iso_recertification", _("ISO/IEC 27001 recertification")
        PCI_DSS = "pci_dss", _("PCI DSS assessment")
        SUPERVISORY = "supervisory", _("Supervisory inspection (FSA, Local Finance Bureau, "
                                       "METI)")
        CUSTOMER = "customer", _("Customer audit")
        CONTRACTOR = "contractor", _("Audit of a contractor")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        FIELDWORK = "fieldwork", _("Fieldwork")
        REPORTING = "reporting", _("Reporting")
        CLOSED = "closed", pgettext_lazy("audit", "Closed")

    code = models.CharField(_("number"), max_length=40, unique=True, blank=True,
                            help_text=_("Left empty, the next number of the year is given."))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices,
                            default=Kind.INTERNAL)
    programme = models.ForeignKey(AuditProgramme, on_delete=models.PROTECT, null=True,
                                  blank=True, related_name="audits",
                                  verbose_name=_("audit programme"))
    auditing_body = models.CharField(
        _("auditing body"), max_length=200, blank=True,
        help_text=_("For an external audit: the certification body, assessor (QSA), "
                    "supervisor or customer."))
    criteria = models.TextField(
        _("audit criteria"), blank=True,
        help_text=_("What the audit compares with: the policy, internal rules, ISO/IEC 27001, "
                    "PCI DSS v4.0.1…"))
    departments = models.ManyToManyField(Department, blank=True, related_name="audits",
                                         verbose_name=_("departments audited"))
    articles = models.ManyToManyField(PolicyArticle, blank=True, related_name="audits",
                                      verbose_name=_("policy articles"))
    requirements = models.ManyToManyField(Requirement, blank=True, related_name="audits",
                                          verbose_name=_("framework requirements"))
    controls = models.ManyToManyField(Control, blank=True, related_name="audits",
                                      verbose_name=_("controls"))
    # Art 9: an audit of an outsourcing contractor names it, and counts as the contractor's
    # periodic review once closed (by name: the contractors app comes later in the build
    # order).
    contractors = models.ManyToManyField(
        "contractors.Contractor", blank=True, related_name="audits",
        verbose_name=_("contractors audited"))
    lead_auditor = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="audits_led", verbose_name=_("lead auditor"))
    team = models.ManyToManyField(Person, blank=True, related_name="audits_on_team",
                                  verbose_name=_("audit team"))
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.PLANNED, editable=False)
    fieldwork_started_on = models.DateField(_("fieldwork started on"), null=True, blank=True,
                                            editable=False)
    reporting_started_on = models.DateField(_("reporting started on"), null=True,
                                            blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    follow_up_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="follow_ups",
                                     verbose_name=_("follow-up of"))
    independence_justification = models.TextField(
        _("why the CISO lets a lack of independence stand"), blank=True,
        help_text=_("Only the CISO may let someone audit their own department, and says why "
                    "here."))
    independence_accepted_by = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="+", verbose_name=_("lack of independence accepted by"))

    objects = AuditedQuerySet.as_manager()
    scope = AuditScope()

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["-planned_start", "-pk"]
        indexes = [models.Index(fields=["planned_start", "id"]),
                   models.Index(fields=["kind", "status", "closed_on"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            if not self.code:
                year = (self.planned_start or timezone.localdate()).year
                self.code = next_code(Audit, f"AUD-{year}-", f"audits.audit:{year}", using)
            super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("audits:audit_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The audit cannot end before it starts.")
        if self.programme_id and self.planned_start:
            start, end = self.programme.bounds()
            if not start <= self.planned_start <= end:
                errors["planned_start"] = _(
                    "The programme runs from %(start)s to %(end)s.") % {
                    "start": start.isoformat(), "end": end.isoformat()}
        if self.follow_up_of_id and self.follow_up_of_id == self.pk:
            errors["follow_up_of"] = _("An audit cannot follow up itself.")
        if errors:
            raise ValidationError(errors)


class ChecklistItemScope(Scope):
    """What belongs to an audit (its checklist, its evidence requests, the working papers of
    its items) is its team's: they write it while the audit is open, and those who read the
    audit read it. `audit_path` leads from the model to its audit."""

    audit_path = "audit"

    def admin(self, roles, action):
        if action == VIEW:
            return ALL
        return ~Q(**{f"{self.audit_path}__status": Audit.Status.CLOSED})

    ciso = admin

    def auditor(self, roles, action):
        if action == VIEW:
            return ALL
        if roles.person_id is None:
            return None
        return writes_open(roles.person_id, f"{self.audit_path}__")

    def information_manager(self, roles, action):
        return of_managed_departments(roles, action, self.audit_path)


class ChecklistItem(AuditedModel):
    class Kind(models.TextChoices):
        CHECK = "check", _("Conformance check")
        REQUIREMENT = "requirement", _("Framework requirement")
        CONTROL = "control", _("Control")
        OTHER = "other", _("Other")

    class Result(models.TextChoices):
        NOT_AUDITED = "not_audited", _("Not audited")
        CONFORMING = "conforming", _("Conforming")
        MAJOR = "major", _("Major nonconformity")
        MINOR = "minor", _("Minor nonconformity")
        OBSERVATION = "observation", _("Observation")
        OPPORTUNITY = "opportunity", _("Opportunity for improvement")

    # The results that are nonconformities (raised as such) and those that are not.
    NONCONFORMING = (Result.MAJOR, Result.MINOR)
    TO_IMPROVE = (Result.OBSERVATION, Result.OPPORTUNITY)

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="items",
                              verbose_name=_("audit"))
    position = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices,
                            default=Kind.OTHER)
    reference = models.CharField(
        _("reference"), max_length=140,
        help_text=_("The check's code, the requirement's identifier or the control's code."))
    article = models.CharField(_("policy article"), max_length=4, blank=True)
    requirement = models.ForeignKey(Requirement, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+",
                                    verbose_name=_("requirement"))
    control = models.ForeignKey(Control, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("control"))
    title = models.CharField(_("what is audited"), max_length=300)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices,
                              default=Result.NOT_AUDITED)
    notes = models.TextField(_("notes"), blank=True)
    sampled_records = models.TextField(
        _("sampled records"), blank=True,
        help_text=_("The records looked at, e.g. 20 leavers of FY2026 Q1 by employee number."))
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="audit_items",
                                      verbose_name=_("evidence"))

    objects = AuditedQuerySet.as_manager()
    scope = ChecklistItemScope()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["audit", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["audit", "kind", "reference"],
                                               name="checklist_item_unique_in_audit")]
        # The checklist in its order, and the list page's sorts and filters over every audit's
        # items (100,000 at ten times the company), each with the id as tiebreak.
        indexes = [models.Index(fields=["audit", "position"]),
                   models.Index(fields=["result", "id"]),
                   models.Index(fields=["kind", "id"]),
                   models.Index(fields=["reference", "id"]),
                   models.Index(fields=["title", "id"])]

    # what __str__ reads (core.conformance.listed)
    label_related = ("audit", "requirement", "control")

    def __str__(self):
        return f"{self.audit.code} · {self.reference} {self.label}"

    @property
    def label(self) -> str:
        """What is audited, in the reader's language where Mamori knows it in both: the
        check's title, the requirement's or the control's; else the title recorded."""
        if self.kind == self.Kind.CHECK:
            check = next((c for c in conformance.checks() if c.code == self.reference), None)
            if check is not None:
                return str(check.title)
        for related in (self.requirement, self.control):
            if related is not None and related.title:
                return related.title
        return self.title

    def get_absolute_url(self):
        return reverse("audits:checklistitem_detail", args=[self.pk])


class CertificateQuerySet(AuditedQuerySet):
    def expiring(self, within_days: int, on: datetime.date | None = None):
        """Certificates not superseded that expire within `within_days` (or have expired)."""
        on = on or timezone.localdate()
        return self.filter(superseded=False,
                           expires_on__lte=on + datetime.timedelta(days=within_days))


class AuditCertificate(AuditedModel):
    """What an external audit certified: an ISO/IEC 27001 certificate with its scope and
    validity, a PCI DSS attestation of compliance, a report. The document itself is evidence
    (controls.Evidence: its file, SHA-256 and expiry) linked here."""

    WARN_DAYS = 90  # warned this many days before it expires

    class Kind(models.TextChoices):
        ISO27001 = "iso27001", _("ISO/IEC 27001 certificate")
        PCI_AOC = "pci_aoc", _("PCI DSS attestation of compliance (AOC)")
        REPORT = "report", _("Audit or assessment report")
        OTHER = "other", _("Other")

    audit = models.ForeignKey(Audit, on_delete=models.PROTECT, related_name="certificates",
                              verbose_name=_("audit"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    scope_statement = models.TextField(_("certified scope"), blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    evidence = models.ForeignKey(Evidence, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("evidence (the document)"))
    superseded = models.BooleanField(
        _("superseded"), default=False,
        help_text=_("Replaced by a newer certificate: no longer warned about."))
    warned_on = models.DateField(_("expiry warned on"), null=True, blank=True, editable=False)

    objects = CertificateQuerySet.as_manager()
    scope = AuditProgrammeScope()

    class Meta:
        verbose_name = _("certificate or attestation")
        verbose_name_plural = _("certificates and attestations")
        ordering = ["-issued_on", "pk"]
        indexes = [models.Index(fields=["superseded", "expires_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}".strip()

    def get_absolute_url(self):
        return reverse("audits:auditcertificate_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.expires_on and self.issued_on and self.expires_on <= self.issued_on:
            errors["expires_on"] = _("A certificate expires after it is issued.")
        if self.kind in (self.Kind.ISO27001, self.Kind.PCI_AOC) and not self.expires_on:
            errors["expires_on"] = _("Give the date until which it is valid.")
        if self.audit_id and self.audit.kind == Audit.Kind.INTERNAL:
            errors["audit"] = _("Certificates come from external audits.")
        if errors:
            raise ValidationError(errors)


class EvidenceRequestScope(ChecklistItemScope):
    """As an audit's checklist; besides, the one asked reads what is asked of them and answers
    it on its own page (audits.views.EvidenceRequestAnswer), changing nothing else."""

    own_person_field = "asked_of"


class EvidenceRequestQuerySet(AuditedQuerySet):
    def outstanding(self):
        return self.filter(status=EvidenceRequest.Status.OPEN)

    def overdue(self, on: datetime.date | None = None):
        return self.outstanding().filter(due_on__lt=on or timezone.localdate())


class EvidenceRequest(AuditedModel):
    """What the audit team asks a control owner or an information manager to show, by when;
    their answer; and, once it is overdue, its escalation to the lead auditor."""

    class Status(models.TextChoices):
        OPEN = "open", _("Asked")
        ANSWERED = "answered", _("Answered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="requests",
                              verbose_name=_("audit"))
    item = models.ForeignKey(ChecklistItem, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="requests", verbose_name=_("checklist item"))
    asked_of = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("asked of"))
    request = models.TextField(_("what is asked"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    response = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True, editable=False)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="audit_requests",
                                      verbose_name=_("evidence"))
    notified_on = models.DateField(_("asked by e-mail on"), null=True, blank=True,
                                   editable=False)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True, editable=False)

    objects = EvidenceRequestQuerySet.as_manager()
    scope = EvidenceRequestScope()

    class Meta:
        verbose_name = _("evidence request")
        verbose_name_plural = _("evidence requests")
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"]),
                   models.Index(fields=["asked_of", "status"])]

    label_related = ("audit",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.audit.code}: {self.request[:60]}"

    def get_absolute_url(self):
        return reverse("audits:evidencerequest_detail", args=[self.pk])

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()

    def clean(self):
        errors = {}
        if self.item_id and self.audit_id and self.item.audit_id != self.audit_id:
            errors["item"] = _("The item must be of the same audit.")
        if self.status == self.Status.ANSWERED and not self.response.strip():
            errors["response"] = _("Give the answer.")
        if errors:
            raise ValidationError(errors)


class WorkingPaperScope(ChecklistItemScope):
    audit_path = "item__audit"


def working_paper_path(instance, filename):
    return evidence_path(instance, filename).replace("evidence/", "audits/", 1)


class WorkingPaper(HashedFile, AuditedModel):
    """An auditor's working paper (監査調書): a file the audit team attached to a checklist item
    — an interview record, a screenshot, a sample's extract — kept with its SHA-256."""

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE,
                             related_name="working_papers", verbose_name=_("checklist item"))
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=working_paper_path, max_length=200)

    objects = AuditedQuerySet.as_manager()
    scope = WorkingPaperScope()

    class Meta:
        verbose_name = _("working paper")
        verbose_name_plural = _("working papers")
        ordering = ["item", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:workingpaper_detail", args=[self.pk])

    def clean(self):
        errors = self.file_errors()
        if errors:
            raise ValidationError(errors)


badges.register(Audit, "status", {"planned": "secondary", "fieldwork": "blue",
                                  "reporting": "orange", "closed": "green"})
badges.register(EvidenceRequest, "status", {"open": "yellow", "answered": "green",
                                            "withdrawn": "secondary"})
badges.register(ChecklistItem, "result", {"not_audited": "secondary", "conforming": "green",
                                          "major": "red", "minor": "orange",
                                          "observation": "yellow", "opportunity": "azure"})
