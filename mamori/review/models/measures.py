"""Measures (KPIs) and their measurements.

A measure is either built in (Mamori computes it from its own records: review.calculators
names each one by its `builtin` key) or manual (its values are entered by form, API or
import). Every value is stored as a measurement of one period (a month, a quarter, half a
year or a year, by the measure's frequency), for the whole company or one department, and
optionally one category (a person category, an incident severity, a policy article), so a
trend is a read of stored rows, never a recomputation of the past.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.dates import add_months
from mamori.core.i18n import TitledInTwoLanguages
from mamori.core.numbers import plain
from mamori.core.scope import ADD, CHANGE, DELETE, VIEW, Scope, SettingsScope
from mamori.org.models import Department, Person


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Every six months")
    YEARLY = "yearly", _("Yearly")


MONTHS_OF = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6,
             Frequency.YEARLY: 12}


def period_start(day: datetime.date, frequency: str) -> datetime.date:
    """The first day of the period of `frequency` that holds `day` (quarters and half years
    counted from January)."""
    months = MONTHS_OF[frequency]
    return datetime.date(day.year, (day.month - 1) // months * months + 1, 1)


def due_since(frequency: str, on: datetime.date | None = None) -> datetime.date:
    """The earliest period a measurement may be of and still count as measured within the
    frequency on `on`: the current period or the one before it (last month's value may be
    entered during this month)."""
    return add_months(period_start(on or timezone.localdate(), frequency),
                      -MONTHS_OF[frequency])


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    COUNT = "count", pgettext_lazy("unit", "count")
    HOURS = "hours", pgettext_lazy("unit", "hours")
    DAYS = "days", pgettext_lazy("unit", "days")
    NUMBER = "number", pgettext_lazy("unit", "number")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class ReviewSettings(SingleRow, AuditedModel):
    interval_months = models.PositiveSmallIntegerField(
        _("management review interval (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text=_("A management review is held at least this often."))

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("management review settings")
        verbose_name_plural = _("management review settings")

    def __str__(self):
        return str(_("Management review settings"))

    def get_absolute_url(self):
        return reverse("review:reviewsettings_detail", args=[self.pk])


class MeasureScope(Scope):
    """Measures are the company's: the CISO and administrators define them; information
    managers and auditors read them all (a department's figures are read against the
    company's); a member of staff reads the measures they own."""

    own_person_field = "owner"
    readers = ("auditor", "information_manager")

    def q_for(self, roles, action):
        q = super().q_for(roles, action)
        if q is not None and action == DELETE:
            q &= Q(builtin="")  # a built-in measure is switched off, not deleted
        return q


class Measure(TitledInTwoLanguages, AuditedModel):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True,
                                   help_text=_("What is counted and how."))
    builtin = models.CharField(
        _("computed by Mamori"), max_length=64, blank=True, editable=False,
        help_text=_("The calculation of a built-in measure; empty for a measure whose values "
                    "are entered."))
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices,
                            default=Unit.PERCENT)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices,
                                 default=Direction.HIGHER)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True,
                                 blank=True)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices,
                                 default=Frequency.MONTHLY)
    by_department = models.BooleanField(
        _("per department"), default=False,
        help_text=_("Values are recorded for each department as well as for the company."))
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("owner"))
    active = models.BooleanField(_("active"), default=True,
                                 help_text=_("An inactive measure is no longer measured."))

    objects = AuditedQuerySet.as_manager()
    scope = MeasureScope()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["code"]

    def get_absolute_url(self):
        return reverse("review:measure_detail", args=[self.pk])

    @property
    def computed(self) -> bool:
        return bool(self.builtin)

    def get_builtin_display(self):
        """Whether Mamori computes it, in words (the calculation's key is not for readers)."""
        return _("yes") if self.builtin else ""

    def get_target_display(self):
        return plain_number(self.target)

    @property
    def unit_suffix(self) -> str:
        """The unit written after a value ("92.5 %", "3 件"); a plain number has none."""
        return "" if self.unit == Unit.NUMBER else str(self.get_unit_display())

    def get_description_display(self):
        """A built-in measure's definition in the reader's language (stored in English)."""
        from mamori.review.calculators import BUILTINS

        definition = BUILTINS.get(self.builtin) if self.builtin else None
        return definition.description if definition is not None else self.description

    def meets(self, value) -> bool | None:
        """Whether `value` meets the target (None: no target or no value)."""
        if self.target is None or value is None:
            return None
        return value >= self.target if self.direction == Direction.HIGHER else (
            value <= self.target)

    def clean(self):
        if self.builtin and self._state.adding:
            raise ValidationError(_("Built-in measures are provided by Mamori."))


class MeasurementScope(Scope):
    """The CISO and administrators record and correct any value; auditors read them all.
    An information manager reads the company's figures and their departments' and enters
    their departments' values of manual measures; a measure's owner reads and enters its
    values. A value Mamori computed is changed and deleted by nobody (it is recomputed)."""

    department_field = "department"

    def information_manager(self, roles, action):
        q = super().information_manager(roles, action)
        if q is not None and action == VIEW:
            q |= Q(department__isnull=True)
        return q

    def staff(self, roles, action):
        if roles.person_id is None or action == DELETE:
            return None
        owned = Measure.objects.filter(owner=roles.person_id)
        if action == ADD and not owned.filter(builtin="").exists():
            return None  # no value to enter: no Create for them
        # A subquery, not a join: a join in the OR of a scope makes the database scan.
        return Q(measure__in=owned.values("pk"))

    def q_for(self, roles, action):
        q = super().q_for(roles, action)
        if q is not None and action in (ADD, CHANGE, DELETE):
            q &= Q(computed=False)
        return q


class Measurement(AuditedModel):
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="measurements",
                                verbose_name=_("measure"))
    period = models.DateField(
        _("period"), help_text=_("Any day of the period measured; it is stored as the "
                                 "period's first day (the month, quarter, half year or year "
                                 "by the measure's frequency)."))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+",
                                   verbose_name=_("department"),
                                   help_text=_("Empty for the whole company."))
    category = models.CharField(_("category"), max_length=40, blank=True,
                                help_text=_("A part of the measure, e.g. a person category "
                                            "or an incident severity; empty for the whole."))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    computed = models.BooleanField(_("computed by Mamori"), default=False, editable=False)
    measured_at = models.DateTimeField(_("measured at"), default=timezone.now,
                                       editable=False)

    objects = AuditedQuerySet.as_manager()
    scope = MeasurementScope()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        # Within a period, the measures in the order they were defined (the built-in ones as
        # calculators.py lists them): by the measure's id, which the list's index serves, not
        # by its code, which would join and sort every value on each page of the list.
        ordering = ["-period", "measure_id", "pk"]
        constraints = [
            # One value per measure, period, department (or the company) and category.
            models.UniqueConstraint(fields=["measure", "period", "category"],
                                    condition=Q(department__isnull=True),
                                    name="one_company_value_per_period"),
            models.UniqueConstraint(fields=["measure", "period", "department", "category"],
                                    condition=Q(department__isnull=False),
                                    name="one_department_value_per_period"),
        ]
        # A measure's history for the company or one department (the measure page, the
        # dashboard's sparklines, the pack); the latest period of each measure (check (c)).
        # The list of every value, newest period first (its default order).
        indexes = [models.Index(fields=["measure", "department", "category", "period"]),
                   models.Index(fields=["measure", "period"]),
                   models.Index(fields=["-period", "measure", "id"],
                                name="measurement_list_order")]

    label_related = ("measure", "department")

    def __str__(self):
        where = self.department.name if self.department_id else _("whole company")
        part = f" {self.get_category_display()}" if self.category else ""
        return f"{self.measure} {self.period:%Y-%m} {where}{part}: {plain_number(self.value)}"

    def get_category_display(self):
        return category_label(self.measure, self.category)

    def get_value_display(self):
        return plain_number(self.value)

    def get_period_display(self):
        """The period as its month ("2026-10": a quarter, half year or year starting then)."""
        return f"{self.period:%Y-%m}"

    def get_absolute_url(self):
        return reverse("review:measurement_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def derive_fields(self) -> None:
        if self.period and self.measure_id:
            self.period = period_start(self.period, self.measure.frequency)

    def clean(self):
        errors = {}
        measure = self.measure if self.measure_id else None
        if measure is not None and measure.computed and not self.computed:
            errors["measure"] = _("Mamori computes this measure's values; they are not "
                                  "entered by hand.")
        if measure is not None and self.department_id and not measure.by_department:
            errors["department"] = _("This measure is recorded for the whole company only.")
        if self.period and self.period > timezone.localdate():
            errors["period"] = _("A period still to come cannot be measured.")
        if measure is not None and measure.unit == Unit.PERCENT and self.value is not None \
                and not 0 <= self.value <= 100:
            errors["value"] = _("A percentage is between 0 and 100.")
        if errors:
            raise ValidationError(errors)
        self.derive_fields()

    def validate_constraints(self, exclude=None):
        # The period is stored as its first day: check uniqueness on that day, so the error
        # names the field instead of failing in the database.
        self.derive_fields()
        super().validate_constraints(exclude)


plain_number = plain  # 95 rather than 95.00, 47.5 rather than 47.50 (None stays None)


def category_label(measure, category: str):
    """A category as the reader says it (an incident severity, a person category, a policy
    article), from the built-in measure's definition; a manual measure's as written."""
    from mamori.review.calculators import BUILTINS

    definition = BUILTINS.get(measure.builtin) if measure.builtin else None
    labels = dict(definition.categories) if definition is not None else {}
    if definition is not None and definition.key == "conformance_by_article":
        from mamori.core.conformance import article_label

        return article_label(category) if category else category
    return labels.get(category, category)


def history_q(department_id: int | None, category: str = "") -> Q:
    """The measurements of the company (department None) or of one department."""
    where = Q(department__isnull=True) if department_id is None else Q(
        department_id=department_id)
    return where & Q(category=category)


__all__ = ["Direction", "Frequency", "Measure", "Measurement", "ReviewSettings", "Unit",
           "category_label", "due_since", "history_q", "period_start", "plain_number"]
