"""Risk assessment and treatment (policy Art 5): the threat catalogue, the risk matrix, the
risks to assets, their treatment by controls and the CISO's acceptance of what remains.

Art 5 names five threats to information assets — unauthorised access, tampering, damage,
loss and leakage — which seed the threat catalogue; each harms confidentiality, integrity or
availability.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.assets.models import Asset
from mamori.controls.models import Control
from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.i18n import NamedInTwoLanguages, TitledInTwoLanguages
from mamori.core.levels import Level, levels_of, wrong_line_count
from mamori.core.scope import ALL, CatalogueScope, Scope, SettingsScope
from mamori.org.models import Appointment, Department, Person


class Threat(NamedInTwoLanguages, AuditedModel):
    class Property(models.TextChoices):
        CONFIDENTIALITY = "C", _("Confidentiality")
        INTEGRITY = "I", _("Integrity")
        AVAILABILITY = "A", _("Availability")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    harms = models.CharField(_("property harmed"), max_length=1, choices=Property.choices)
    description = models.TextField(_("description"), blank=True)
    policy_article = models.CharField(
        _("policy article"), max_length=20, blank=True,
        help_text=_("Where the policy names this threat, e.g. Art 5."))

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("threat")
        verbose_name_plural = _("threats")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("risks:threat_detail", args=[self.pk])


# The standard levels of each axis per matrix size, lowest first: name and the criterion a
# person rating a risk reads (ja, en, criterion ja, criterion en). Mamori's own wording; an
# organisation replaces it with its methodology's words in likelihood_levels/impact_levels.
STANDARD_LEVELS = {
    "likelihood": {
        3: [("低", "Low", "数年に1回程度、又はそれより少ない",
             "About once in several years or less"),
            ("中", "Medium", "年に1回程度", "About once a year"),
            ("高", "High", "年に数回以上", "Several times a year or more")],
        5: [("極めて低い", "Very low", "10年に1回より少ない", "Less than once in ten years"),
            ("低", "Low", "数年に1回程度", "About once in a few years"),
            ("中", "Medium", "年に1回程度", "About once a year"),
            ("高", "High", "月に1回程度", "About once a month"),
            ("極めて高い", "Very high", "週に1回以上、又はほぼ確実",
             "Weekly or more; almost certain")],
    },
    "impact": {
        3: [("低", "Low", "業務への影響は軽微で、お客様には及ばない",
             "A minor effect on work; none on customers"),
            ("中", "Medium", "一部の業務が止まり、又は一部のお客様に影響が及ぶ",
             "Some work stops, or some customers are affected"),
            ("高", "High", "主要な業務が止まり、又は多数のお客様の情報が漏えいする",
             "Key operations stop, or many customers' information leaks")],
        5: [("極めて低い", "Very low", "影響はほとんどない", "Hardly any effect"),
            ("低", "Low", "社内の業務に軽微な影響がある", "A minor effect on internal work"),
            ("中", "Medium", "一部の業務が止まり、又は少数のお客様に影響が及ぶ",
             "Some work stops, or a few customers are affected"),
            ("高", "High", "主要な業務が止まり、又は多数のお客様に影響が及ぶ",
             "Key operations stop, or many customers are affected"),
            ("極めて高い", "Very high", "事業の継続又は社会的な信用に重大な影響が及ぶ",
             "Serious harm to the business's survival or to public trust")],
    },
}


class RiskMethodology(SingleRow, AuditedModel):
    """One row: the matrix size, the appetite and the bands that colour the heat map."""

    class Size(models.IntegerChoices):
        THREE = 3, _("3 × 3 matrix")
        FIVE = 5, _("5 × 5 matrix")

    size = models.PositiveSmallIntegerField(_("matrix size"), choices=Size.choices, default=3)
    appetite = models.PositiveSmallIntegerField(
        _("risk appetite (highest acceptable score)"), default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A risk scoring above this must be treated or formally accepted by the "
                    "CISO."))
    acceptance_months = models.PositiveSmallIntegerField(
        _("longest acceptance (months)"), default=12, validators=[MinValueValidator(1)])
    likelihood_levels = models.TextField(
        _("likelihood levels"), blank=True,
        help_text=_("One line per level from the lowest, as “name | English name | criterion "
                    "| English criterion” (e.g. “まれ | Rare | 年1回未満 | Less than once a "
                    "year”); empty for the standard levels."))
    impact_levels = models.TextField(
        _("impact levels"), blank=True,
        help_text=_("One line per level from the lowest, as “name | English name | criterion "
                    "| English criterion”; empty for the standard levels."))

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("risk methodology")
        verbose_name_plural = _("risk methodology")

    def __str__(self):
        return str(_("Risk methodology"))

    def get_absolute_url(self):
        return reverse("risks:riskmethodology_detail", args=[self.pk])

    def levels(self, axis: str = "likelihood") -> list[Level]:
        """The levels 1..size of an axis ("likelihood" or "impact"), named, with criteria."""
        return levels_of(getattr(self, f"{axis}_levels"), self.size, STANDARD_LEVELS[axis])

    def level_names(self, axis: str = "likelihood") -> list[str]:
        return [level.name for level in self.levels(axis)]

    def clean(self):
        errors = {}
        if self.size and self.appetite and self.appetite > self.size * self.size:
            errors["appetite"] = _("The highest score on this matrix is %(max)s.") % {
                "max": self.size * self.size}
        for axis in ("likelihood_levels", "impact_levels"):
            wrong = self.size and wrong_line_count(getattr(self, axis), self.size)
            if wrong:
                errors[axis] = wrong
        if self.size:
            over = Risk.objects.filter(
                Q(likelihood__gt=self.size) | Q(impact__gt=self.size)
                | Q(residual_likelihood__gt=self.size) | Q(residual_impact__gt=self.size)).count()
            if over:
                errors["size"] = _("%(count)s risks are rated above %(max)s; re-rate them "
                                   "first.") % {"count": over, "max": self.size}
        if errors:
            raise ValidationError(errors)


class RiskBand(NamedInTwoLanguages, AuditedModel):
    """A band of scores with a name and a colour (e.g. 1–2 low, green)."""

    min_score = models.PositiveSmallIntegerField(_("lowest score"), unique=True,
                                                 validators=[MinValueValidator(1)])
    name_ja = models.CharField(_("name (Japanese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    colour = models.CharField(
        _("colour"), max_length=7, default="#2fb344",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}\Z",
                                   _("Give a colour as # and six hex digits."))],
        help_text=_("A hex colour such as #d63939."))

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("risk band")
        verbose_name_plural = _("risk bands")
        ordering = ["min_score"]

    def get_absolute_url(self):
        return reverse("risks:riskband_detail", args=[self.pk])

    def clean(self):
        top = RiskMethodology.current().size ** 2
        if self.min_score and self.min_score > top:
            raise ValidationError({"min_score": _(
                "No risk can score %(score)s: the highest score on the matrix is %(max)s.")
                % {"score": self.min_score, "max": top}})


def band_for(score: int | None, bands) -> "RiskBand | None":
    found = None
    if score is None:
        return None
    for band in bands:  # ascending min_score
        if score >= band.min_score:
            found = band
    return found


class RiskScope(Scope):
    """The information manager of the department that owns the risk assesses and treats it;
    the risk owner sees it."""

    department_field = "department"
    own_person_field = "owner"


class RiskQuerySet(AuditedQuerySet):
    def above_appetite(self, appetite: int):
        return self.filter(current_score__gt=appetite)


class Risk(TitledInTwoLanguages, AuditedModel):
    # The columns the search box (`q=`) looks in, each indexed by its trigrams
    # (core.search_indexes; migration 0003 names them too).
    SEARCHED = ("code", "title_ja", "title_en")

    class Treatment(models.TextChoices):
        REDUCE = "reduce", _("Reduce")
        ACCEPT = "accept", _("Accept")
        TRANSFER = "transfer", _("Transfer")
        AVOID = "avoid", _("Avoid")

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        ASSESSED = "assessed", _("Assessed")
        TREATING = "treating", _("Being treated")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("code"), max_length=40, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    threat = models.ForeignKey(Threat, on_delete=models.PROTECT, related_name="risks",
                               verbose_name=_("threat"))
    assets = models.ManyToManyField(Asset, blank=True, related_name="risks",
                                    verbose_name=_("assets"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="risks",
                                   verbose_name=_("owning department"))
    owner = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="risks_owned", verbose_name=_("risk owner"))
    vulnerability = models.TextField(_("vulnerability"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.ASSESSED)
    likelihood = models.PositiveSmallIntegerField(_("likelihood"),
                                                  validators=[MinValueValidator(1)])
    impact = models.PositiveSmallIntegerField(_("impact"), validators=[MinValueValidator(1)])
    inherent_score = models.PositiveSmallIntegerField(_("inherent score"), editable=False,
                                                      default=0)
    treatment = models.CharField(_("treatment"), max_length=10, choices=Treatment.choices,
                                 blank=True)
    treatment_plan = models.TextField(_("treatment plan"), blank=True)
    controls = models.ManyToManyField(Control, blank=True, related_name="risks",
                                      verbose_name=_("treating controls"))
    residual_likelihood = models.PositiveSmallIntegerField(
        _("residual likelihood"), null=True, blank=True, validators=[MinValueValidator(1)])
    residual_impact = models.PositiveSmallIntegerField(
        _("residual impact"), null=True, blank=True, validators=[MinValueValidator(1)])
    residual_score = models.PositiveSmallIntegerField(_("residual score"), null=True,
                                                      blank=True, editable=False)
    # The score that counts now: residual once assessed, else inherent. Stored, so the
    # appetite check and the filters are one indexed comparison at any number of risks.
    current_score = models.PositiveSmallIntegerField(_("current score"), editable=False,
                                                     default=0)
    assessed_on = models.DateField(_("assessed on"), default=timezone.localdate)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)

    objects = RiskQuerySet.as_manager()
    scope = RiskScope()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["current_score", "code"]),
            models.Index(fields=["department", "code"]),
            models.Index(fields=["likelihood", "impact"]),
            models.Index(fields=["residual_likelihood", "residual_impact"]),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("risks:risk_detail", args=[self.pk])

    def clean(self):
        errors = {}
        size = RiskMethodology.current().size
        for name in ("likelihood", "impact", "residual_likelihood", "residual_impact"):
            value = getattr(self, name)
            if value is not None and value > size:
                errors[name] = _("The matrix goes up to %(max)s.") % {"max": size}
        if (self.residual_likelihood is None) != (self.residual_impact is None):
            errors["residual_impact"] = _("Give both residual likelihood and impact, or "
                                          "neither.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.inherent_score = (self.likelihood or 0) * (self.impact or 0)
        if self.residual_likelihood and self.residual_impact:
            self.residual_score = self.residual_likelihood * self.residual_impact
        else:
            self.residual_score = None
        self.current_score = (self.residual_score if self.residual_score is not None
                              else self.inherent_score)
        super().save(*args, **kwargs)


class AcceptanceScope(Scope):
    """Only the CISO formally accepts a residual risk; the risk's department and owner, and
    auditors, read the acceptance."""

    department_field = "risk__department"
    own_person_field = "risk__owner"

    def admin(self, roles, action):
        return ALL if action == "view" else None

    def ciso(self, roles, action):
        return ALL

    def information_manager(self, roles, action):
        return super().information_manager(roles, action) if action == "view" else None


class AcceptanceQuerySet(AuditedQuerySet):
    def in_force(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(accepted_on__lte=on, expires_on__gt=on, revoked_on__isnull=True)


class RiskAcceptance(AuditedModel):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances",
                             verbose_name=_("risk"))
    accepted_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("accepted by"))
    accepted_on = models.DateField(_("accepted on"), default=timezone.localdate)
    expires_on = models.DateField(_("expires on"))
    score_accepted = models.PositiveSmallIntegerField(_("score accepted"), editable=False,
                                                      default=0)
    justification = models.TextField(_("justification"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    objects = AcceptanceQuerySet.as_manager()
    scope = AcceptanceScope()

    class Meta:
        verbose_name = _("risk acceptance")
        verbose_name_plural = _("risk acceptances")
        ordering = ["-accepted_on", "pk"]
        indexes = [models.Index(fields=["risk", "expires_on"])]

    label_related = ("risk",)  # what __str__ reads (core.conformance.listed)

    def __str__(self):
        return f"{self.risk.code}: {self.accepted_on:%Y-%m-%d}–{self.expires_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("risks:riskacceptance_detail", args=[self.pk])

    @property
    def in_force(self) -> bool:
        on = timezone.localdate()
        return self.accepted_on <= on < self.expires_on and self.revoked_on is None

    def clean(self):
        errors = {}
        if self.expires_on and self.accepted_on:
            if self.expires_on <= self.accepted_on:
                errors["expires_on"] = _("The expiry must be after the acceptance date.")
            months = RiskMethodology.current().acceptance_months
            limit = self.accepted_on + datetime.timedelta(days=round(months * 30.44))
            if self.expires_on > limit:
                errors["expires_on"] = _("An acceptance lasts at most %(months)s months.") % {
                    "months": months}
        if self.revoked_on and self.accepted_on and self.revoked_on < self.accepted_on:
            errors["revoked_on"] = _("An acceptance cannot be revoked before it was given.")
        if self.pk and self.risk_id:
            # The acceptance is of one risk at the score it had: accept another risk anew.
            original = RiskAcceptance.objects.filter(pk=self.pk).values_list(
                "risk_id", flat=True).first()
            if original is not None and original != self.risk_id:
                errors["risk"] = _("An acceptance cannot be moved to another risk.")
        if self.accepted_by_id and not is_ciso_on(self.accepted_by_id, self.accepted_on):
            errors["accepted_by"] = _("Only the CISO may accept a residual risk.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self._state.adding and self.risk_id:
            self.score_accepted = self.risk.current_score
        super().save(*args, **kwargs)


def is_ciso_on(person_id: int, on: datetime.date | None) -> bool:
    return Appointment.objects.current(on).filter(
        person_id=person_id, role=Appointment.Role.CISO).exists()


# Statuses read as coloured badges in lists and on detail pages (core.badges).
badges.register(Risk, "status", {"identified": "yellow", "assessed": "blue",
                                 "treating": "orange", "closed": "green"})
