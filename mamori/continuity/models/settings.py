"""The one row of continuity settings: the time horizons and scale of an impact analysis, and
what makes a process critical."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mamori.core.audit import AuditedModel, AuditedQuerySet, SingleRow
from mamori.core.scope import SettingsScope

MAX_HORIZONS = 8


def parse_horizons(text: str) -> list[int]:
    """"4, 24, 72, 168" -> [4, 24, 72, 168]: whole hours, ascending, no repeats."""
    try:
        hours = [int(part) for part in text.replace("、", ",").split(",") if part.strip()]
    except ValueError:
        raise ValidationError(_(
            "Give whole hours separated by commas, e.g. 4, 24, 72, 168.")) from None
    if not hours or len(hours) > MAX_HORIZONS or any(h < 1 or h > 8760 for h in hours):
        raise ValidationError(_("Give from one to eight horizons, each from 1 to 8,760 hours."))
    if sorted(set(hours)) != hours:
        raise ValidationError(_("Give the horizons in ascending order, each once."))
    return hours


class ContinuitySettings(SingleRow, AuditedModel):
    horizons = models.CharField(
        _("impact horizons (hours)"), max_length=60, default="4, 24, 72, 168",
        help_text=_("The times after a disruption at which each impact is scored."))
    scale_max = models.PositiveSmallIntegerField(
        _("highest impact score"), default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)])
    intolerable_score = models.PositiveSmallIntegerField(
        _("intolerable from score"), default=4,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("The maximum tolerable period of disruption is the first horizon at which "
                    "any impact reaches this score."))
    critical_mtpd_hours = models.DecimalField(
        _("critical if tolerable for at most (hours)"), max_digits=7, decimal_places=2,
        default=Decimal("72"), validators=[MinValueValidator(Decimal("0.25"))],
        help_text=_("A process is critical when its maximum tolerable period of disruption "
                    "is this or shorter; the Art 10 checks apply to critical processes."))
    bia_review_months = models.PositiveSmallIntegerField(
        _("impact analyses reviewed every (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)])
    exercise_months = models.PositiveSmallIntegerField(
        _("critical processes exercised every (months)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)])

    objects = AuditedQuerySet.as_manager()
    scope = SettingsScope()

    class Meta:
        verbose_name = _("continuity settings")
        verbose_name_plural = _("continuity settings")

    def __str__(self):
        return str(_("Continuity settings"))

    def get_absolute_url(self):
        return reverse("continuity:continuitysettings_detail", args=[self.pk])

    def clean(self):
        errors = {}
        try:
            parse_horizons(self.horizons)
        except ValidationError as exc:
            errors["horizons"] = exc.messages
        if self.scale_max and self.intolerable_score and self.intolerable_score > self.scale_max:
            errors["intolerable_score"] = _("It cannot be above the highest score.")
        if errors:
            raise ValidationError(errors)

    def horizon_hours(self) -> list[int]:
        return parse_horizons(self.horizons)
