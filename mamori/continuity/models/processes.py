"""Business processes, their impact analyses (BIA), what they depend on, the recovery each
asset has shown, and the CISO's acceptance of a gap between the two."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.assets.models import Asset
from mamori.continuity.models.settings import ContinuitySettings
from mamori.contractors.models import Contractor
from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.i18n import NamedInTwoLanguages
from mamori.core.scope import ADD, CHANGE, DELETE, KeptOnceDecided, Scope
from mamori.org.models import Department, Person

HOURS = {"max_digits": 7, "decimal_places": 2,
         "validators": [MinValueValidator(Decimal("0"))]}


class ImpactCategory(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    FINANCIAL = "financial", _("Financial")
    LEGAL = "legal", _("Legal and regulatory")
    REPUTATION = "reputation", _("Reputation")


class ProcessScope(Scope):
    """Art 3 and 10: a department's information manager keeps its processes and what they
    depend on; the CISO all of them; auditors read."""

    department_field = "department"


class ProcessQuerySet(AuditedQuerySet):
    def with_current_bia(self, on: datetime.date | None = None):
        """Each process with the figures of its current impact analysis (the latest
        approved one whose review is not past): bia_id, mtpd_hours, rto_hours, rpo_hours,
        bia_review_due_on; all None when it has none."""
        current = ImpactAnalysis.objects.current(on).filter(process=OuterRef("pk"))
        return self.annotate(**{
            name: Subquery(current.values(field)[:1]) for name, field in (
                ("bia_id", "pk"), ("mtpd_hours", "mtpd_hours"), ("rto_hours", "rto_hours"),
                ("rpo_hours", "rpo_hours"), ("bia_review_due_on", "review_due_on"))})

    def critical(self):
        """Active processes that are critical, or not shown not to be: the latest approved
        impact analysis gives a tolerable period within the settings' threshold, or there is
        none (a draft cannot take a process out of the checks)."""
        threshold = ContinuitySettings.current().critical_mtpd_hours
        latest = ImpactAnalysis.objects.latest_approved().filter(process=OuterRef("pk"))
        return self.filter(is_active=True).annotate(
            latest_bia=Subquery(latest.values("pk")[:1]),
            latest_mtpd=Subquery(latest.values("mtpd_hours")[:1])).filter(
            Q(latest_bia__isnull=True) | Q(latest_mtpd__lte=threshold))


class BusinessProcess(NamedInTwoLanguages, AuditedModel):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="business_processes",
                                   verbose_name=_("owner department"))
    description = models.TextField(_("description"), blank=True)
    is_service = models.BooleanField(_("customer-facing service"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ProcessQuerySet.as_manager()
    scope = ProcessScope()

    class Meta:
        verbose_name = _("business process")
        verbose_name_plural = _("business processes")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("continuity:businessprocess_detail", args=[self.pk])

    def current_bia(self, on=None):
        return self.impact_analyses.current(on).first()


class BiaScope(KeptOnceDecided):
    """Kept with the process; once approved, an analysis stands as approved (a new analysis
    is the way to change it)."""

    department_field = "process__department"
    kept_statuses = ("approved",)


class ImpactAnalysisQuerySet(AuditedQuerySet):
    def latest_approved(self):
        """The approved analyses, a process's latest first: the one place that says which
        analysis of a process stands."""
        return self.filter(status=ImpactAnalysis.Status.APPROVED).order_by(
            "-approved_on", "-pk")

    def current(self, on: datetime.date | None = None):
        """The approved analyses whose review is not past on `on` (today), latest first."""
        return self.latest_approved().filter(review_due_on__gte=on or timezone.localdate())


class ImpactAnalysis(AuditedModel):
    """One business impact analysis of a process: how badly each kind of harm grows over
    the settings' horizons, and the recovery objectives that follow. Its maximum tolerable
    period of disruption is derived from the scores whenever they change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    process = models.ForeignKey(BusinessProcess, on_delete=models.CASCADE,
                                related_name="impact_analyses", verbose_name=_("process"))
    analysed_on = models.DateField(_("analysed on"), default=timezone.localdate)
    # {category: {horizon hours as text: score}}: the horizons are a setting, and an
    # analysis keeps the horizons it was scored on.
    impacts = models.JSONField(_("impact scores"), default=dict)
    mtpd_hours = models.DecimalField(_("maximum tolerable period of disruption (hours)"),
                                     null=True, editable=False, **HOURS)
    rto_hours = models.DecimalField(_("recovery time objective (hours)"), **HOURS)
    rpo_hours = models.DecimalField(_("recovery point objective (hours)"), **HOURS)
    minimum_service_level = models.CharField(_("minimum service level"), max_length=300,
                                             blank=True)
    peak_periods = models.CharField(_("peak periods"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT, editable=False)
    approved_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True,
                                    related_name="+", editable=False,
                                    verbose_name=_("approved by"))
    approved_on = models.DateField(_("approved on"), null=True, editable=False)
    review_due_on = models.DateField(_("review due on"), null=True, editable=False)

    objects = ImpactAnalysisQuerySet.as_manager()
    scope = BiaScope()
    label_related = ("process",)

    class Meta:
        verbose_name = _("impact analysis")
        verbose_name_plural = _("impact analyses")
        ordering = ["process", "-analysed_on", "-pk"]
        indexes = [models.Index(fields=["process", "status", "approved_on"])]

    def __str__(self):
        return f"{self.process.code} {self.analysed_on:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("continuity:impactanalysis_detail", args=[self.pk])

    def score(self, category: str, hours: int):
        return (self.impacts or {}).get(category, {}).get(str(hours))

    def derive_fields(self):
        self.mtpd_hours = tolerable_period(self.impacts)

    def save(self, *args, **kwargs):
        self.derive_fields()  # in the save that stores the scores it follows from
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        try:
            check_impacts(self.impacts)
        except ValidationError as exc:
            errors["impacts"] = exc.messages
        mtpd = tolerable_period(self.impacts) if "impacts" not in errors else None
        if mtpd is not None and self.rto_hours is not None and self.rto_hours > mtpd:
            errors["rto_hours"] = _(
                "The recovery time objective cannot be longer than the maximum tolerable "
                "period of disruption (%(hours)s hours).") % {"hours": f"{mtpd:g}"}
        if errors:
            raise ValidationError(errors)


def check_impacts(impacts) -> None:
    """A score for every category at every horizon of the settings, each on the scale."""
    settings = ContinuitySettings.current()
    if not isinstance(impacts, dict):
        raise ValidationError(_("Give the scores as a table of categories and horizons."))
    for category in ImpactCategory.values:
        row = impacts.get(category)
        for hours in settings.horizon_hours():
            value = row.get(str(hours)) if isinstance(row, dict) else None
            if not isinstance(value, int) or isinstance(value, bool) or not (
                    1 <= value <= settings.scale_max):
                raise ValidationError(
                    _("Score %(category)s at %(hours)s hours from 1 to %(max)s.") % {
                        "category": ImpactCategory(category).label, "hours": hours,
                        "max": settings.scale_max})


def tolerable_period(impacts) -> Decimal | None:
    """The first horizon (hours) at which any category reaches the intolerable score, or
    None when none does within the horizons scored."""
    settings = ContinuitySettings.current()
    if not isinstance(impacts, dict):
        return None
    reached = [int(hours) for row in impacts.values() if isinstance(row, dict)
               for hours, score in row.items()
               if isinstance(score, int) and score >= settings.intolerable_score
               and str(hours).isdigit()]
    return Decimal(min(reached)) if reached else None


badges.register(ImpactAnalysis, "status", {"draft": "yellow", "approved": "green"})


class DependencyScope(Scope):
    department_field = "process__department"


class Dependency(AuditedModel):
    """Something a process cannot run without: an asset of the register, a contractor,
    another process, a site or a key role. An alternative (a second site, a stand-in, a
    manual workaround) is what keeps it from being a single point of failure."""

    class Kind(models.TextChoices):
        ASSET = "asset", _("Information asset")
        CONTRACTOR = "contractor", _("Contractor")
        PROCESS = "process", _("Another process")
        SITE = "site", _("Site")
        ROLE = "role", _("Key role")

    process = models.ForeignKey(BusinessProcess, on_delete=models.CASCADE,
                                related_name="dependencies", verbose_name=_("process"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="continuity_dependencies",
                              verbose_name=_("asset"))
    contractor = models.ForeignKey(Contractor, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="continuity_dependencies",
                                   verbose_name=_("contractor"))
    upstream = models.ForeignKey(BusinessProcess, on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="dependents",
                                 verbose_name=_("process depended on"))
    name = models.CharField(_("site or role"), max_length=200, blank=True)
    alternative = models.CharField(
        _("alternative"), max_length=300, blank=True,
        help_text=_("What takes over when it is lost; empty: a single point of failure."))
    recovery_hours = models.DecimalField(
        _("recovery time (hours)"), null=True, blank=True,
        help_text=_("For a contractor, site or role: how soon it is back (committed or shown). "
                    "An asset's comes from its recovery record, another process's from its "
                    "own dependencies."), **HOURS)
    backup_interval_hours = models.DecimalField(
        _("data lost at most (hours)"), null=True, blank=True,
        help_text=_("For a contractor or site holding data: the most recent data a recovery "
                    "may lose."), **HOURS)
    note = models.TextField(_("note"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = DependencyScope()
    label_related = ("process", "asset", "contractor", "upstream")

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        ordering = ["process", "kind", "pk"]
        indexes = [models.Index(fields=["asset", "process"]),
                   models.Index(fields=["contractor", "process"]),
                   models.Index(fields=["upstream", "process"])]

    def __str__(self):
        return f"{self.process.code} → {self.target_label()}"

    def get_absolute_url(self):
        return reverse("continuity:dependency_detail", args=[self.pk])

    def target_label(self) -> str:
        target = {self.Kind.ASSET: self.asset, self.Kind.CONTRACTOR: self.contractor,
                  self.Kind.PROCESS: self.upstream}.get(self.kind)
        if target is not None:
            return f"{target.code} {target.name}"
        return self.name

    def clean(self):
        named = {self.Kind.ASSET: "asset", self.Kind.CONTRACTOR: "contractor",
                 self.Kind.PROCESS: "upstream"}
        errors = {}
        wanted = named.get(self.kind)
        for kind, field in named.items():
            given = getattr(self, f"{field}_id") is not None
            if kind == self.kind and not given:
                errors[field] = _("Choose the %(kind)s this process depends on.") % {
                    "kind": self.Kind(kind).label}
            elif kind != self.kind and given:
                errors[field] = _("Leave this empty for a dependency of this kind.")
        if wanted is None and self.kind and not self.name.strip():
            errors["name"] = _("Name the site or role.")
        if self.kind == self.Kind.PROCESS and self.upstream_id is not None and (
                self.upstream_id == self.process_id):
            errors["upstream"] = _("A process cannot depend on itself.")
        if wanted in ("asset", "upstream") and self.recovery_hours is not None:
            errors["recovery_hours"] = _(
                "An asset's recovery time is kept on its recovery record, another process's "
                "follows from its own dependencies.")
        if errors:
            raise ValidationError(errors)


class AssetRecovery(AuditedModel):
    """What an asset has shown it recovers in: the time it took to restore it and the data
    a restore loses (its backup interval), from the last exercise or disaster-recovery
    test."""

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="recovery",
                                 verbose_name=_("asset"))
    # The asset's department, copied so that an information manager's list is scoped by one
    # index rather than a join to the 200,000 assets (bench/continuity.py). Derived on save
    # and kept in step when the asset moves, in the same transaction (core.copies).
    department = models.ForeignKey(Department, on_delete=models.PROTECT, editable=False,
                                   related_name="+", verbose_name=_("department"))
    recovery_hours = models.DecimalField(_("demonstrated recovery time (hours)"), **HOURS)
    backup_interval_hours = models.DecimalField(_("backup interval (hours)"), **HOURS)
    demonstrated_on = models.DateField(_("demonstrated on"))
    exercise = models.ForeignKey("continuity.Exercise", on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="asset_recoveries",
                                 verbose_name=_("shown in exercise"))
    note = models.TextField(_("note"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = Scope(department_field="department")
    label_related = ("asset",)

    class Meta:
        verbose_name = _("asset recovery")
        verbose_name_plural = _("asset recoveries")
        # By the asset's id, not "asset" (which Django reads as the asset's own order, its
        # code): the tiebreak of every sort would then join the 200,000 assets.
        ordering = ["asset_id"]
        indexes = [models.Index(fields=["department", "asset"])]

    def __str__(self):
        return f"{self.asset.code} {self.asset}"

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using") or self._state.db or "default"):
            self.derive_fields()
            super().save(*args, **kwargs)

    def derive_fields(self):
        # Read locked: an asset moving at the same time either waits for this record, and
        # then moves it with the asset, or has moved before this read.
        self.department_id = (Asset.objects.select_for_update().filter(pk=self.asset_id)
                              .values_list("department_id", flat=True).first())

    @staticmethod
    def follow_assets(asset_pks: list, using: str) -> None:
        """The assets `asset_pks` changed department: so do their recoveries."""
        moved = AssetRecovery.objects.using(using).exclude(
            department_id=models.F("asset__department_id"))
        department = Subquery(Asset.objects.filter(pk=OuterRef("asset_id"))
                              .values("department_id")[:1])
        for start in range(0, len(asset_pks), 10000):  # within SQLite's parameter limit
            moved.filter(asset_id__in=asset_pks[start:start + 10000]).update(
                department_id=department)

    def get_absolute_url(self):
        return reverse("continuity:assetrecovery_detail", args=[self.pk])


class GapKind(models.TextChoices):
    RTO = "rto", _("Recovers slower than the RTO")
    RPO = "rpo", _("Loses more data than the RPO")
    UNKNOWN = "unknown", _("Recovery time not shown")
    SINGLE_POINT = "single_point", _("Single point of failure")


class AcceptanceScope(Scope):
    """The CISO accepts a gap (Art 4); the process's information manager and auditors read
    the acceptance."""

    department_field = "dependency__process__department"

    def information_manager(self, roles, action):
        if action in (ADD, CHANGE, DELETE):
            return None
        return super().information_manager(roles, action)


class GapAcceptance(AuditedModel):
    """The CISO's acceptance, until a date, of one gap of one dependency. A gap is computed
    (mamori.continuity.gaps), never stored: a fixed gap simply stops showing, and an
    acceptance past its date leaves the gap open again."""

    dependency = models.ForeignKey(Dependency, on_delete=models.CASCADE,
                                   related_name="acceptances", verbose_name=_("dependency"))
    gap = models.CharField(_("gap"), max_length=12, choices=GapKind.choices)
    reason = models.TextField(_("reason"))
    accepted_on = models.DateField(_("accepted on"), default=timezone.localdate)
    expires_on = models.DateField(_("accepted until"))
    accepted_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True,
                                    related_name="+", editable=False,
                                    verbose_name=_("accepted by"))

    objects = AuditedQuerySet.as_manager()
    scope = AcceptanceScope()
    label_related = ("dependency__process", "dependency__asset", "dependency__contractor",
                     "dependency__upstream")

    class Meta:
        verbose_name = _("gap acceptance")
        verbose_name_plural = _("gap acceptances")
        ordering = ["-accepted_on", "-pk"]
        indexes = [models.Index(fields=["dependency", "gap", "expires_on"])]

    def __str__(self):
        return f"{self.dependency} ({self.get_gap_display()})"

    def get_absolute_url(self):
        return reverse("continuity:gapacceptance_detail", args=[self.pk])

    def clean(self):
        if self.expires_on and self.accepted_on and self.expires_on < self.accepted_on:
            raise ValidationError({"expires_on": _(
                "An acceptance cannot end before it is given.")})
        if self.expires_on and self.accepted_on and (
                self.expires_on > self.accepted_on + datetime.timedelta(days=3 * 366)):
            raise ValidationError({"expires_on": _(
                "Accept a gap for three years at most, and look at it again then.")})
