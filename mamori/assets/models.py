"""Information assets (policy Art 3 and 5): the register, its rating scale and the
classification labels derived from the ratings.

Art 3 makes each department head the information manager of the department's assets, so an
asset's owning department decides who is accountable for it and who may change it.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.i18n import NamedInTwoLanguages
from mamori.core.levels import Level, levels_of, wrong_line_count
from mamori.core.memo import remembered
from mamori.core.scope import CatalogueScope, Scope, SettingsScope
from mamori.org.models import Department, Person

# The standard rating levels for confidentiality, integrity and availability per scale,
# lowest first (ja, en, criterion ja, criterion en): what harm to the asset would do. Mamori's
# own wording; an organisation writes its own in AssetSettings.rating_levels.
STANDARD_RATING_LEVELS = {
    3: [("低", "Low", "損なわれても業務への影響は軽微", "Harm to it would have a minor effect"),
        ("中", "Medium", "損なわれると業務に支障が出る", "Harm to it would disrupt work"),
        ("高", "High", "損なわれるとお客様又は当社に重大な損害が生じる",
         "Harm to it would seriously damage customers or the Company")],
    4: [("低", "Low", "損なわれても影響はほとんどない", "Harm to it would have hardly any effect"),
        ("中", "Medium", "損なわれると社内の業務に支障が出る",
         "Harm to it would disrupt internal work"),
        ("高", "High", "損なわれるとお客様又は当社に重大な損害が生じる",
         "Harm to it would seriously damage customers or the Company"),
        ("極めて高い", "Very high", "損なわれるとお客様又は当社に極めて重大な損害が生じる",
         "Harm to it would do extremely serious damage to customers or the Company")],
    5: [("極めて低い", "Very low", "損なわれても影響はほとんどない",
         "Harm to it would have hardly any effect"),
        ("低", "Low", "損なわれると社内の業務に軽微な支障が出る",
         "Harm to it would slightly disrupt internal work"),
        ("中", "Medium", "損なわれると業務に支障が出、又は一部のお客様に影響が及ぶ",
         "Harm to it would disrupt work or affect some customers"),
        ("高", "High", "損なわれるとお客様又は当社に重大な損害が生じる",
         "Harm to it would seriously damage customers or the Company"),
        ("極めて高い", "Very high", "損なわれるとお客様又は当社に極めて重大な損害が生じる",
         "Harm to it would do extremely serious damage to customers or the Company")],
}


class AssetSettings(SingleRow, AuditedModel):
    """One row: the rating scale and how the classification label is derived."""

    class Basis(models.TextChoices):
        CONFIDENTIALITY = "confidentiality", _("Confidentiality rating")
        HIGHEST = "highest", _("Highest of the three ratings")

    rating_max = models.PositiveSmallIntegerField(
        _("highest rating"), default=4, validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_("Confidentiality, integrity and availability are rated from 1 to this."))
    classification_basis = models.CharField(
        _("classification derived from"), max_length=20, choices=Basis.choices,
        default=Basis.CONFIDENTIALITY)
    rating_levels = models.TextField(
        _("rating levels"), blank=True,
        help_text=_("One line per rating from 1, as “name | English name | criterion | English "
                    "criterion”; empty for the standard levels."))

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("asset settings")
        verbose_name_plural = _("asset settings")

    def __str__(self):
        return str(_("Asset rating settings"))

    def get_absolute_url(self):
        return reverse("assets:assetsettings_detail", args=[self.pk])

    def levels(self) -> list[Level]:
        """The named levels 1..rating_max that confidentiality, integrity and availability
        are rated on."""
        return levels_of(self.rating_levels, self.rating_max, STANDARD_RATING_LEVELS)

    def clean(self):
        wrong = self.rating_max and wrong_line_count(self.rating_levels, self.rating_max)
        if wrong:
            raise ValidationError({"rating_levels": wrong})
        if self.rating_max:
            over = Asset.objects.filter(
                Q(confidentiality__gt=self.rating_max) | Q(integrity__gt=self.rating_max)
                | Q(availability__gt=self.rating_max)).count()
            if over:
                raise ValidationError({"rating_max": _(
                    "%(count)s assets have a rating above %(max)s; change them first.")
                    % {"count": over, "max": self.rating_max}})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            reclassify_assets()


class ClassificationLevel(NamedInTwoLanguages, AuditedModel):
    """A classification label (e.g. 極秘 / 秘 / 社外秘 / 公開). An asset gets the level with the
    highest minimum rating that its rating (see AssetSettings.classification_basis) reaches."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=50, blank=True)
    min_rating = models.PositiveSmallIntegerField(
        _("minimum rating"), unique=True, validators=[MinValueValidator(1)],
        help_text=_("Assets rated at least this (and below the next level) get this label."))
    handling_ja = models.TextField(_("handling rules (Japanese)"), blank=True)
    handling_en = models.TextField(_("handling rules (English)"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = CatalogueScope()

    class Meta:
        verbose_name = _("classification level")
        verbose_name_plural = _("classification levels")
        ordering = ["-min_rating"]

    def get_absolute_url(self):
        return reverse("assets:classificationlevel_detail", args=[self.pk])

    def clean(self):
        top = AssetSettings.current().rating_max
        if self.min_rating and self.min_rating > top:
            raise ValidationError({"min_rating": _(
                "No asset can be rated %(rating)s: the scale goes up to %(max)s.")
                % {"rating": self.min_rating, "max": top}})

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            reclassify_assets()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            reclassify_assets()
        return result


def basis_expression(basis: str):
    """The rating the label is derived from, as a database expression."""
    if basis == AssetSettings.Basis.HIGHEST:
        return models.functions.Greatest("confidentiality", "integrity", "availability")
    return models.F("confidentiality")


def classification_for(asset: "Asset", levels=None, basis=None):
    basis = basis or AssetSettings.current().classification_basis
    rating = (max(asset.confidentiality, asset.integrity, asset.availability)
              if basis == AssetSettings.Basis.HIGHEST else asset.confidentiality)
    if levels is None:
        # Read once per import (core.memo); a saved level is read again.
        levels = remembered(ClassificationLevel, "by rating", lambda: list(
            ClassificationLevel.objects.order_by("-min_rating")))
    for level in levels:
        if rating >= level.min_rating:
            return level
    return None


def reclassify_assets() -> int:
    """Bring every asset's stored label in line with the levels and settings: one logged
    UPDATE per level, touching only the assets whose label changes."""
    rating = basis_expression(AssetSettings.current().classification_basis)
    changed = 0
    upper = None
    assets = Asset.objects.annotate(basis_rating=rating)
    for level in ClassificationLevel.objects.order_by("-min_rating"):
        band = assets.filter(basis_rating__gte=level.min_rating)
        if upper is not None:
            band = band.filter(basis_rating__lt=upper)
        # A level whose minimum moved keeps its assets but not their rank: both are checked.
        changed += band.exclude(classification=level, classification_rank=level.min_rating
                                ).update(classification=level, classification_rank=level.min_rating)
        upper = level.min_rating
    unlabelled = assets if upper is None else assets.filter(basis_rating__lt=upper)
    changed += unlabelled.exclude(classification=None, classification_rank=None).update(
        classification=None, classification_rank=None)
    return changed


class AssetScope(Scope):
    """Art 3: the information manager of the owning department manages its assets; the
    custodian sees the assets in their care."""

    department_field = "department"
    own_person_field = "custodian"


class Asset(NamedInTwoLanguages, AuditedModel):
    # The columns the search box (`q=`) looks in, each indexed by its trigrams
    # (core.search_indexes; migrations 0006 and 0007 name them too).
    SEARCHED = ("code", "name_ja", "name_en", "location")

    class Type(models.TextChoices):
        INFORMATION = "information", _("Information / data")
        APPLICATION = "application", _("Application")
        SYSTEM = "system", _("System / infrastructure")
        HARDWARE = "hardware", _("Hardware / media")
        PAPER = "paper", _("Paper")
        SERVICE = "service", _("Service")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_USE = "in_use", _("In use")
        RETIRING = "retiring", _("Being retired")
        DISPOSED = "disposed", _("Disposed of")

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    asset_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    description = models.TextField(_("description"), blank=True)
    # No index of its own for this key or the classification's: the (department, code) and
    # (classification, code) indexes below lead with them and serve every lookup by them
    # (a deleted department's assets, say). Each index costs every insert: at 100,000 rows
    # an import spent a tenth of its time keeping 21 of them.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assets", db_index=False,
        verbose_name=_("owning department"),
        help_text=_("Its information manager is accountable for the asset (Art 3)."))
    custodian = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="assets_in_care",
        verbose_name=_("custodian"), help_text=_("Who looks after the asset day to day."))
    location = models.CharField(_("location"), max_length=200, blank=True)
    status = models.CharField(_("lifecycle status"), max_length=12, choices=Status.choices,
                              default=Status.IN_USE)
    confidentiality = models.PositiveSmallIntegerField(
        _("confidentiality"), default=1, validators=[MinValueValidator(1)])
    integrity = models.PositiveSmallIntegerField(
        _("integrity"), default=1, validators=[MinValueValidator(1)])
    availability = models.PositiveSmallIntegerField(
        _("availability"), default=1, validators=[MinValueValidator(1)])
    classification = models.ForeignKey(
        ClassificationLevel, on_delete=models.SET_NULL, null=True, blank=True, editable=False,
        related_name="assets", db_index=False, verbose_name=_("classification"),
        help_text=_("Derived from the ratings and the classification levels."))
    # The label's place among the labels (its level's minimum rating), kept beside it in the
    # same write: the list sorted by classification reads one index instead of joining and
    # sorting every asset (issue 15).
    classification_rank = models.PositiveSmallIntegerField(
        _("classification rank"), null=True, blank=True, editable=False)
    has_personal_info = models.BooleanField(_("holds personal information"), default=False)
    data_subjects = models.PositiveIntegerField(
        _("data subjects (approx.)"), null=True, blank=True,
        help_text=_("About how many people's personal information the asset holds."))
    has_sensitive_personal_info = models.BooleanField(
        _("holds sensitive personal information"), default=False,
        help_text=_("要配慮個人情報: e.g. medical history, criminal record, creed."))
    has_card_data = models.BooleanField(_("holds payment-card data"), default=False)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents",
        verbose_name=_("depends on"))

    objects = AuditedQuerySet.as_manager()
    scope = AssetScope()

    class Meta:
        verbose_name = _("information asset")
        verbose_name_plural = _("information assets")
        ordering = ["code"]
        # (column, code): the list filtered by the column in its default order, and the list
        # sorted by the column (the code breaks ties: core.paging.tiebreak_column), forwards
        # or backwards, read from one index with no sort step, on any page.
        indexes = [
            models.Index(fields=["department", "code"]),
            models.Index(fields=["asset_type", "code"]),
            models.Index(fields=["has_personal_info", "code"]),
            models.Index(fields=["status", "code"]),
            models.Index(fields=["name_ja", "code"]),
            models.Index(fields=["classification", "code"]),
            models.Index(fields=["classification_rank", "code"]),
            models.Index(fields=["confidentiality", "code"]),
            models.Index(fields=["integrity", "code"]),
            models.Index(fields=["availability", "code"]),
            # The Art 3 and Art 5 checks count the assets still held, by department,
            # personal information and classification (assets.conformance,
            # risks.conformance): read from this index alone, not from 200,000 rows of the
            # table each (at ten times the company, 30 -> 8 ms per count on PostgreSQL,
            # 67 -> 14-25 ms on SQLite). `status` is in it for SQLite, which reads a
            # column its condition names from the table unless the index holds it too.
            models.Index(fields=["has_personal_info", "classification", "department", "id",
                                 "status"],
                         condition=~Q(status="disposed"), name="assets_held"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("assets:asset_detail", args=[self.pk])

    def clean(self):
        errors = {}
        top = AssetSettings.current().rating_max
        for field in ("confidentiality", "integrity", "availability"):
            value = getattr(self, field)
            if value is not None and value > top:
                errors[field] = _("The scale goes up to %(max)s.") % {"max": top}
        if self.data_subjects and not self.has_personal_info:
            errors["has_personal_info"] = _(
                "An asset with data subjects holds personal information.")
        if self.has_sensitive_personal_info and not self.has_personal_info:
            errors["has_personal_info"] = _(
                "Sensitive personal information is personal information.")
        if errors:
            raise ValidationError(errors)

    # An import writes assets in bulk (core.audit.save_in_bulk): save() below only derives
    # the label. Anything else it ever does must keep this False (core/tests/test_bulk_save).
    bulk_writable = True

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def derive_fields(self):
        if self.confidentiality and self.integrity and self.availability:
            self.classification = classification_for(self)
            self.classification_rank = (self.classification.min_rating
                                        if self.classification else None)


# Statuses read as coloured badges in lists and on detail pages (core.badges).
badges.register(Asset, "status", {"planned": "blue", "in_use": "green", "retiring": "yellow",
                                  "disposed": "secondary"})
