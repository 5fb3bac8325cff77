"""What binds and proves a contractor (policy Art 9): its contracts, with the clauses the
company requires, and the certificates it relies on (ISO/IEC 27001, Pマーク, PCI DSS, SOC 2),
each with an expiry."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.contractors.models.register import Contractor, PortalLink
from mamori.controls.models import HashedFile, evidence_path
from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.scope import Scope, SettingsScope


class ContractorSettings(SingleRow, AuditedModel):
    """One row: how often each tier is reviewed, and what an incident-notification clause
    must promise at most."""

    high_review_months = models.PositiveSmallIntegerField(
        _("review interval of high-tier contractors (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    medium_review_months = models.PositiveSmallIntegerField(
        _("review interval of medium-tier contractors (months)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    low_review_months = models.PositiveSmallIntegerField(
        _("review interval of low-tier contractors (months)"), default=36,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    notification_hours = models.PositiveSmallIntegerField(
        _("incident notification within (hours)"), default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        help_text=_("A contract's incident-notification clause counts only if it promises "
                    "notice within this many hours."))
    expiry_warning_days = models.PositiveSmallIntegerField(
        _("warn of expiries this many days ahead"), default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)])

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("contractor settings")
        verbose_name_plural = _("contractor settings")

    def __str__(self):
        return str(_("Contractor settings"))

    def get_absolute_url(self):
        return reverse("contractors:contractorsettings_detail", args=[self.pk])

    def review_months(self) -> dict[int, int]:
        return {3: self.high_review_months, 2: self.medium_review_months,
                1: self.low_review_months}


class ContractorPartScope(Scope):
    """A contractor's contracts and certificates are kept with the contractor."""

    department_field = "contractor__department"


# The clauses Art 9 asks of a contract that entrusts information (the PPC guideline on the
# supervision of entrusted parties lists the same subjects), as (field, label).
CLAUSES = (
    ("clause_confidentiality", _("confidentiality")),
    ("clause_purpose_limitation", _("use only for the entrusted purpose")),
    ("clause_security_measures", _("the security measures to be taken")),
    ("clause_subcontracting_consent", _("prior consent to subcontracting")),
    ("clause_audit_right", _("the company's right to audit")),
    ("clause_incident_notification", _("incident notification within the deadline")),
    ("clause_return_or_deletion", _("return or deletion at the end")),
)
FOREIGN_CLAUSE = ("clause_foreign_transfer", _("the conditions of a transfer abroad"))


class Contract(AuditedModel):
    class Renewal(models.TextChoices):
        NONE = "none", _("Ends on its end date")
        AUTOMATIC = "automatic", _("Renewed automatically")
        AGREED = "agreed", _("Renewed by agreement")

    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT,
                                   related_name="contracts", verbose_name=_("contractor"))
    title = models.CharField(_("title"), max_length=200)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    renewal = models.CharField(_("renewal"), max_length=10, choices=Renewal.choices,
                               default=Renewal.NONE)
    clause_confidentiality = models.BooleanField(_("confidentiality"), default=False)
    clause_purpose_limitation = models.BooleanField(_("use only for the entrusted purpose"),
                                                    default=False)
    clause_security_measures = models.BooleanField(_("the security measures to be taken"),
                                                   default=False)
    clause_subcontracting_consent = models.BooleanField(_("prior consent to subcontracting"),
                                                        default=False)
    clause_audit_right = models.BooleanField(_("the company's right to audit"),
                                             default=False)
    clause_incident_notification = models.BooleanField(
        _("incident notification within the deadline"), default=False)
    notification_hours = models.PositiveSmallIntegerField(
        _("notification deadline in the contract (hours)"), null=True, blank=True)
    clause_return_or_deletion = models.BooleanField(_("return or deletion at the end"),
                                                    default=False)
    clause_foreign_transfer = models.BooleanField(
        _("the conditions of a transfer abroad"), default=False,
        help_text=_("Required when the contractor processes personal information outside "
                    "Japan (APPI Art 28)."))
    note = models.TextField(_("note"), blank=True)
    # The end date the expiry warning was sent for (mamori.contractors.tasks): a contract
    # given a new end date is warned about again, with nothing to reset.
    warned_for = models.DateField(_("expiry warning sent for"), null=True, blank=True,
                                  editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = ContractorPartScope()
    label_related = ("contractor",)  # what __str__ reads (core.conformance.listed)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["contractor", "-starts_on", "-pk"]
        indexes = [models.Index(fields=["contractor", "starts_on"]),
                   models.Index(fields=["ends_on"])]

    def __str__(self):
        return f"{self.contractor.code} {self.title}"

    def get_absolute_url(self):
        return reverse("contractors:contract_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A contract cannot end before it starts.")
        if self.clause_incident_notification and not self.notification_hours:
            errors["notification_hours"] = _("Give the deadline the clause sets.")
        if errors:
            raise ValidationError(errors)

    def required_clauses(self) -> list[tuple[str, object]]:
        foreign = self.contractor.is_foreign and self.contractor.personal_data
        return [*CLAUSES, FOREIGN_CLAUSE] if foreign else list(CLAUSES)

    def missing_clauses(self) -> list:
        """The labels of the required clauses the contract lacks; a notification clause
        slower than the settings allow counts as missing."""
        limit = ContractorSettings.current().notification_hours
        missing = []
        for name, label in self.required_clauses():
            present = getattr(self, name)
            if name == "clause_incident_notification" and present:
                present = bool(self.notification_hours) and self.notification_hours <= limit
            if not present:
                missing.append(label)
        return missing


def complete_contract_q(limit_hours: int) -> Q:
    """Contracts (rows of Contract) with every clause required of their contractor."""
    q = Q(clause_incident_notification=True, notification_hours__lte=limit_hours)
    for name, _label in CLAUSES:
        if name != "clause_incident_notification":
            q &= Q(**{name: True})
    foreign = ~Q(contractor__country="JP") & Q(contractor__personal_data=True)
    return q & (Q(clause_foreign_transfer=True) | ~foreign)


def in_force_q(on) -> Q:
    return Q(starts_on__lte=on) & (Q(ends_on__isnull=True) | Q(ends_on__gte=on)
                                   | Q(renewal=Contract.Renewal.AUTOMATIC))


def certificate_path(instance, filename):
    return evidence_path(instance, filename).replace("evidence/", "contractors/", 1)


class Certificate(HashedFile, AuditedModel):
    """A certificate or attestation the company relies on in judging a contractor, with the
    file that shows it (kept by the evidence rules). Recorded by staff, or sent by the
    contractor through a portal link; one sent through the portal is not relied on until
    someone in the company has checked it and says so."""

    class Kind(models.TextChoices):
        ISO27001 = "iso27001", _("ISO/IEC 27001 certification")
        PMARK = "pmark", _("PrivacyMark (Pマーク)")
        PCI_DSS = "pci_dss", _("PCI DSS attestation of compliance")
        SOC2 = "soc2", _("SOC 2 report")
        OTHER = "other", _("Other")

    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT,
                                   related_name="certificates", verbose_name=_("contractor"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.CharField(_("certificate number"), max_length=100, blank=True)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"))
    relied_on = models.BooleanField(
        _("relied on"), default=True,
        help_text=_("The company's judgement of the contractor rests on it: it must not "
                    "lapse."))
    note = models.TextField(_("note"), blank=True)
    file = models.FileField(_("file"), upload_to=certificate_path, blank=True, max_length=200,
                            help_text=_("A copy of the certificate, report or attestation."))
    submitted_through = models.ForeignKey(
        PortalLink, on_delete=models.PROTECT, null=True, blank=True, editable=False,
        related_name="certificates", verbose_name=_("sent through portal link"))
    # As Contract.warned_for: a renewed certificate (a new expiry) is warned about again.
    warned_for = models.DateField(_("expiry warning sent for"), null=True, blank=True,
                                  editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = ContractorPartScope()
    label_related = ("contractor",)  # what __str__ reads (core.conformance.listed)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["expires_on", "pk"]
        indexes = [models.Index(fields=["contractor", "expires_on"]),
                   models.Index(fields=["relied_on", "expires_on"])]

    def __str__(self):
        return f"{self.contractor.code} {self.get_kind_display()} {self.number}".strip()

    def get_absolute_url(self):
        return reverse("contractors:certificate_detail", args=[self.pk])

    def clean(self):
        errors = self.file_errors()
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            errors["expires_on"] = _("It must expire after it was issued.")
        if errors:
            raise ValidationError(errors)

    @property
    def expired(self) -> bool:
        return self.expires_on < timezone.localdate()


def contracts_ending(within_days: int, today=None):
    """Contracts that end within `within_days` days and do not renew themselves, of
    contractors the company still works with."""
    today = today or timezone.localdate()
    return Contract.objects.filter(
        ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=within_days)).exclude(
        renewal=Contract.Renewal.AUTOMATIC).exclude(contractor__status=Contractor.Status.ENDED)


def certificates_expiring(within_days: int, today=None):
    """Certificates the company relies on that expire within `within_days` days, or have
    expired, of contractors the company still works with."""
    today = today or timezone.localdate()
    return Certificate.objects.filter(
        relied_on=True, expires_on__lte=today + datetime.timedelta(days=within_days)).exclude(
        contractor__status=Contractor.Status.ENDED)
