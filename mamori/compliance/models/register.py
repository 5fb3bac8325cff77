"""The legal and regulatory register (policy Art 11): the sources the company must comply
with, their versions (amendments), and the obligations read from them.

Mamori ships the sources and obligations of a Japanese card company and money lender as data
in its own words (compliance/data/sources, loaded by compliance.loader). The text of a shipped
record follows the data on every load; what the company decides (whether an obligation
applies and why, who owns it, its interval and mappings) is never overwritten.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.controls.models import Control, Requirement
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.dates import add_months
from mamori.core.i18n import TitledInTwoLanguages, localized
from mamori.core.scope import CatalogueScope, Scope
from mamori.incidents.models import BreachRule
from mamori.org.models import Department
from mamori.policies.models import PolicySection


class SourceKind(models.TextChoices):
    LAW = "law", _("Act")
    ORDER = "order", _("Cabinet or ministerial order")
    RULE = "rule", _("Regulator's rules")
    GUIDELINE = "guideline", _("Supervisory guideline")
    STANDARD = "standard", _("Industry standard")
    CONTRACT = "contract", _("Contract")
    OTHER = "other", _("Other")


class LegalSource(TitledInTwoLanguages, AuditedModel):
    """A law, order, guideline, standard or contract the company must comply with."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=SourceKind.choices)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=60, blank=True,
                                  help_text=_("As people say it, e.g. 個人情報保護法 or APPI."))
    issuer = models.CharField(_("issuer or regulator"), max_length=200, blank=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=40, default="JP")
    url = models.URLField(_("official text"), blank=True, max_length=500)
    shipped = models.BooleanField(_("shipped with Mamori"), default=False, editable=False)
    note = models.TextField(_("note"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("legal source")
        verbose_name_plural = _("legal sources")
        ordering = ["code"]

    def __str__(self):
        # The short name is what people say in Japanese (個人情報保護法); an English page
        # shows the English title.
        return localized(self.short_name or self.title_ja, self.title_en)

    def get_absolute_url(self):
        return reverse("compliance:legalsource_detail", args=[self.pk])

    def current_version(self, on: datetime.date | None = None):
        """The version in force on `on` (today): the latest effective by then."""
        on = on or timezone.localdate()
        return (self.versions.filter(effective_on__lte=on).order_by("-effective_on", "-pk")
                .first())


class SourceVersion(AuditedModel):
    """A version of a source, from the day it takes effect. A version added after the first
    is an amendment: each obligation of the source it affects gets an impact assessment, in
    the same transaction (compliance.amendments)."""

    source = models.ForeignKey(LegalSource, on_delete=models.CASCADE, related_name="versions",
                               verbose_name=_("legal source"))
    version = models.CharField(_("version"), max_length=60)
    promulgated_on = models.DateField(_("promulgated on"), null=True, blank=True)
    effective_on = models.DateField(_("in force from"))
    summary_ja = models.TextField(_("what changed (Japanese)"), blank=True)
    summary_en = models.TextField(_("what changed (English)"), blank=True)
    affects_all = models.BooleanField(
        _("affects every obligation of the source"), default=True,
        help_text=_("Otherwise only the obligations chosen below are assessed."))
    affected = models.ManyToManyField("compliance.Obligation", blank=True,
                                      related_name="amendments",
                                      verbose_name=_("obligations affected"))

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()
    label_related = ("source",)

    class Meta:
        verbose_name = _("source version")
        verbose_name_plural = _("source versions")
        ordering = ["source", "-effective_on", "-pk"]
        constraints = [models.UniqueConstraint(fields=["source", "version"],
                                               name="compliance_one_version_label")]
        indexes = [models.Index(fields=["effective_on", "id"])]

    def __str__(self):
        return f"{self.source} {self.version}"

    def get_absolute_url(self):
        return reverse("compliance:sourceversion_detail", args=[self.pk])

    @property
    def summary(self) -> str:
        return localized(self.summary_ja, self.summary_en)

    def clean(self):
        if (self.promulgated_on and self.effective_on
                and self.promulgated_on > self.effective_on):
            raise ValidationError({"effective_on": _(
                "A version cannot take effect before it is promulgated.")})


class Applicability(models.TextChoices):
    UNDECIDED = "undecided", _("Not decided")
    APPLICABLE = "applicable", _("Applies")
    NOT_APPLICABLE = "not_applicable", _("Does not apply")


class ObligationScope(Scope):
    """Art 3 and 11: the owning department's information manager keeps its obligations and
    evaluates them; the CISO keeps the whole register; auditors read it."""

    department_field = "department"


class ObligationQuerySet(AuditedQuerySet):
    def applicable(self):
        return self.filter(applicability=Applicability.APPLICABLE)


class Obligation(TitledInTwoLanguages, AuditedModel):
    """One thing a source requires of the company, in Mamori's (or the company's) words."""

    # Written by the loader from the shipped data and followed on every load; the rest is the
    # company's decision and kept (compliance.loader).
    SHIPPED_TEXT = ("source_id", "article", "title_ja", "title_en", "summary_ja",
                    "summary_en")

    code = models.CharField(_("code"), max_length=40, unique=True,
                            help_text=_("A stable reference, e.g. APPI-23."))
    source = models.ForeignKey(LegalSource, on_delete=models.PROTECT,
                               related_name="obligations", verbose_name=_("legal source"))
    article = models.CharField(_("article"), max_length=100, blank=True,
                               help_text=_("Where the source says it, e.g. 第23条 / Art. 23."))
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_ja = models.TextField(_("what it requires (Japanese)"), blank=True)
    summary_en = models.TextField(_("what it requires (English)"), blank=True)
    applicability = models.CharField(_("applicability"), max_length=16,
                                     choices=Applicability.choices,
                                     default=Applicability.UNDECIDED)
    applicability_reason = models.TextField(_("reason for the applicability"), blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="obligations",
                                   verbose_name=_("owning department"))
    interval_months = models.PositiveSmallIntegerField(
        _("evaluated every (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)])
    controls = models.ManyToManyField(Control, blank=True, related_name="obligations",
                                      verbose_name=_("controls"))
    policy_sections = models.ManyToManyField(PolicySection, blank=True,
                                             related_name="obligations",
                                             verbose_name=_("policy sections"))
    requirements = models.ManyToManyField(Requirement, blank=True, related_name="obligations",
                                          verbose_name=_("framework requirements"))
    breach_rules = models.ManyToManyField(
        BreachRule, blank=True, related_name="obligations",
        verbose_name=_("breach-reporting rules implementing it"))
    shipped = models.BooleanField(_("shipped with Mamori"), default=False, editable=False)

    objects = ObligationQuerySet.as_manager()
    scope = ObligationScope()

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["code"]
        indexes = [models.Index(fields=["department", "code"]),
                   models.Index(fields=["applicability", "code"]),
                   models.Index(fields=["source", "code"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("compliance:obligation_detail", args=[self.pk])

    @property
    def summary(self) -> str:
        return localized(self.summary_ja, self.summary_en)

    def clean(self):
        errors = {}
        if self.applicability != Applicability.UNDECIDED and not (
                self.applicability_reason or "").strip():
            errors["applicability_reason"] = _("Say why the obligation applies or does not.")
        if self.applicability == Applicability.APPLICABLE and not self.department_id:
            errors["department"] = _("An obligation that applies needs an owning department.")
        if errors:
            raise ValidationError(errors)

    def evaluation_due_on(self, last_evaluated_on: datetime.date | None):
        """When the next evaluation is due after one on `last_evaluated_on` (None: now)."""
        if last_evaluated_on is None:
            return None
        return add_months(last_evaluated_on, self.interval_months)
