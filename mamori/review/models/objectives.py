"""Security objectives (ISO/IEC 27001 6.2): what is to be achieved, by whom, by when, and the
measures that show progress. Moving an objective's target date re-plans it: the first target
date is kept, and the re-planning is counted and dated in the same save."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.scope import CHANGE, DELETE, VIEW, Scope
from mamori.org.models import Department, Person
from mamori.review.models.measures import Measure


class ObjectiveScope(Scope):
    """The CISO and administrators set objectives; auditors read them. An information
    manager reads the company-wide objectives and changes their departments' ones; an
    objective's owner reads it and records its progress."""

    department_field = "department"
    own_person_field = "owner"
    own_actions = (VIEW, CHANGE)

    def information_manager(self, roles, action):
        q = super().information_manager(roles, action)
        if q is not None and action == VIEW:
            q |= Q(department__isnull=True)
        if action == DELETE:
            return None
        return q


class ObjectiveQuerySet(AuditedQuerySet):
    @staticmethod
    def late_q(on: datetime.date | None = None) -> Q:
        """Past its target date and neither achieved nor withdrawn (a re-planned objective
        has a new target date, so it is late only once that one passes too)."""
        return Q(target_on__lt=on or timezone.localdate()) & ~Q(
            status__in=(Objective.Status.ACHIEVED, Objective.Status.WITHDRAWN))


class Objective(AuditedModel):
    SEARCHED = ("code", "title")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.CharField(_("number"), max_length=40, unique=True, blank=True,
                            help_text=_("Left empty, the next number of the year is given."))
    title = models.CharField(_("objective"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("department"),
                                   help_text=_("Empty for a company-wide objective."))
    measures = models.ManyToManyField(Measure, blank=True, related_name="objectives",
                                      verbose_name=_("measures showing progress"))
    target_on = models.DateField(_("target date"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.PLANNED)
    achieved_on = models.DateField(_("achieved on"), null=True, blank=True)
    replan_reason = models.TextField(
        _("reason for re-planning"), blank=True,
        help_text=_("Why the target date moved (required when it moves)."))
    first_target_on = models.DateField(_("first target date"), null=True, editable=False)
    replanned_count = models.PositiveSmallIntegerField(_("times re-planned"), default=0,
                                                       editable=False)
    replanned_on = models.DateField(_("last re-planned on"), null=True, blank=True,
                                    editable=False)

    objects = ObjectiveQuerySet.as_manager()
    scope = ObjectiveScope()

    class Meta:
        verbose_name = _("security objective")
        verbose_name_plural = _("security objectives")
        ordering = ["target_on", "pk"]
        indexes = [models.Index(fields=["status", "target_on"]),
                   models.Index(fields=["department", "target_on"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("review:objective_detail", args=[self.pk])

    @property
    def late(self) -> bool:
        return self.target_on < timezone.localdate() and self.status not in (
            self.Status.ACHIEVED, self.Status.WITHDRAWN)

    def save(self, *args, **kwargs):
        from mamori.improvement.models import next_year_code

        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            if not self.code:
                self.code = next_year_code(Objective, "OBJ", using)
            stored = None if self._state.adding else (
                Objective._base_manager.using(using).select_for_update()
                .filter(pk=self.pk).values("target_on", "first_target_on").first())
            self.derive_replanning(stored)
            super().save(*args, **kwargs)

    def derive_replanning(self, stored: dict | None) -> None:
        """The first target date stays; each move of the target date counts a re-planning."""
        if stored is None:
            self.first_target_on = self.first_target_on or self.target_on
            return
        self.first_target_on = stored["first_target_on"] or stored["target_on"]
        if stored["target_on"] != self.target_on:
            self.replanned_count = (self.replanned_count or 0) + 1
            self.replanned_on = timezone.localdate()

    def clean(self):
        errors = {}
        if self.status == self.Status.ACHIEVED and not self.achieved_on:
            errors["achieved_on"] = _("Give the day the objective was achieved.")
        if self.status != self.Status.ACHIEVED and self.achieved_on:
            errors["achieved_on"] = _("Only an achieved objective has an achievement date.")
        if self.achieved_on and self.achieved_on > timezone.localdate():
            errors["achieved_on"] = _("An objective cannot be achieved on a day still to "
                                      "come.")
        if self.pk and self.target_on:
            stored = Objective._base_manager.filter(pk=self.pk).values_list(
                "target_on", flat=True).first()
            if stored is not None and stored != self.target_on and not (
                    self.replan_reason or "").strip():
                errors["replan_reason"] = _("Say why the target date moves.")
        if errors:
            raise ValidationError(errors)


__all__ = ["Objective"]
