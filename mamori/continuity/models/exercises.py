"""Continuity plans (documents of the policies app with their structured parts) and the
exercises and tests that show whether the plans recover processes within their objectives."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mamori.continuity.models.processes import HOURS, BusinessProcess
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.counters import next_code
from mamori.core.scope import Scope
from mamori.org.models import Department, Person
from mamori.policies.models import PolicyDocument

PLAN_KINDS = (PolicyDocument.Kind.CONTINUITY_PLAN, PolicyDocument.Kind.RECOVERY_PLAN)


class PlanScope(Scope):
    """A plan is kept by whoever keeps its document (the owner department's information
    manager); everyone reads the plans they may have to follow, as they read the rules."""

    department_field = "document__owner_department"
    readers = ("staff",)


class ContinuityPlan(AuditedModel):
    """The structured parts of a business continuity or disaster recovery plan. Its text,
    versions, approval and review dates are those of its document in the policies app, so a
    plan is approved, published, acknowledged and reviewed as any internal rule is."""

    document = models.OneToOneField(
        PolicyDocument, on_delete=models.PROTECT, related_name="continuity_plan",
        limit_choices_to={"kind__in": PLAN_KINDS}, verbose_name=_("document"))
    processes = models.ManyToManyField(BusinessProcess, related_name="plans", blank=True,
                                       verbose_name=_("processes recovered"))
    activation_criteria = models.TextField(
        _("activation criteria"),
        help_text=_("When the plan is invoked, and who decides."))
    call_tree = models.TextField(_("roles and call tree"), blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = PlanScope()
    label_related = ("document",)

    class Meta:
        verbose_name = _("continuity plan")
        verbose_name_plural = _("continuity plans")
        ordering = ["document__code"]

    def __str__(self):
        return f"{self.document.code} {self.document}"

    def get_absolute_url(self):
        return reverse("continuity:continuityplan_detail", args=[self.pk])

    def clean(self):
        if self.document_id is not None and self.document.kind not in PLAN_KINDS:
            raise ValidationError({"document": _(
                "Choose a document of the kind business continuity plan or disaster "
                "recovery plan.")})


def approved_plan_q(on, prefix="") -> Q:
    """Plans whose document has a published (approved) version and is not past its review
    date."""
    return Q(**{f"{prefix}document__versions__status": "published",
                f"{prefix}document__is_active": True,
                f"{prefix}document__next_review_date__gte": on})


class StepScope(Scope):
    department_field = "plan__document__owner_department"
    readers = ("staff",)


class RecoveryStep(AuditedModel):
    """One step of a plan's recovery of one process, in order, with who does it and by
    when (hours after the plan is invoked)."""

    plan = models.ForeignKey(ContinuityPlan, on_delete=models.CASCADE, related_name="steps",
                             verbose_name=_("plan"))
    process = models.ForeignKey(BusinessProcess, on_delete=models.PROTECT,
                                related_name="recovery_steps", verbose_name=_("process"))
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    action = models.CharField(pgettext_lazy("recovery step", "action"), max_length=300)
    role = models.CharField(_("done by (role)"), max_length=200)
    within_hours = models.DecimalField(_("done within (hours)"), null=True, blank=True,
                                       **HOURS)

    objects = AuditedQuerySet.as_manager()
    scope = StepScope()
    label_related = ("plan__document", "process")

    class Meta:
        verbose_name = _("recovery step")
        verbose_name_plural = _("recovery steps")
        ordering = ["plan", "process", "position", "pk"]

    def __str__(self):
        return f"{self.process.code} {self.position}. {self.action}"

    def get_absolute_url(self):
        return reverse("continuity:recoverystep_detail", args=[self.pk])


class ExerciseScope(Scope):
    department_field = "department"


class Exercise(AuditedModel):
    class Kind(models.TextChoices):
        TABLETOP = "tabletop", _("Tabletop")
        WALKTHROUGH = "walkthrough", _("Walkthrough")
        SIMULATION = "simulation", _("Simulation")
        FAILOVER = "failover", _("Full failover")

    code = models.CharField(_("number"), max_length=40, unique=True, blank=True,
                            help_text=_("Left empty, the next number of the year is given."))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="continuity_exercises",
                                   verbose_name=_("organised by"))
    planned_on = models.DateField(_("planned for"))
    held_on = models.DateField(_("held on"), null=True, blank=True)
    scenario = models.TextField(_("scenario"))
    plans = models.ManyToManyField(ContinuityPlan, related_name="exercises", blank=True,
                                   verbose_name=_("plans exercised"))
    participants = models.ManyToManyField(Person, related_name="continuity_exercises",
                                          blank=True, verbose_name=_("participants"))
    findings = models.TextField(_("findings"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = ExerciseScope()

    class Meta:
        verbose_name = _("exercise")
        verbose_name_plural = _("exercises")
        ordering = ["-planned_on", "-pk"]
        indexes = [models.Index(fields=["planned_on", "id"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("continuity:exercise_detail", args=[self.pk])

    def clean(self):
        if self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": _("An exercise cannot have been held in the "
                                                "future.")})

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            if not self.code:
                year = (self.planned_on or timezone.localdate()).year
                self.code = next_code(Exercise, f"EX-{year}-",
                                      f"continuity.exercise:{year}", using)
            super().save(*args, **kwargs)


class ResultScope(Scope):
    department_field = "exercise__department"


class ExerciseResult(AuditedModel):
    """How long one process took to recover in an exercise. Whether it met its recovery
    time objective is read against the process's current impact analysis, not stored: a
    changed objective changes the verdict at once."""

    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="results",
                                 verbose_name=_("exercise"))
    process = models.ForeignKey(BusinessProcess, on_delete=models.PROTECT,
                                related_name="exercise_results", verbose_name=_("process"))
    recovered_in_hours = models.DecimalField(
        _("recovered in (hours)"), null=True, blank=True,
        help_text=_("Empty: it did not recover during the exercise."), **HOURS)
    note = models.TextField(_("note"), blank=True)

    objects = AuditedQuerySet.as_manager()
    scope = ResultScope()
    label_related = ("exercise", "process")

    class Meta:
        verbose_name = _("exercise result")
        verbose_name_plural = _("exercise results")
        ordering = ["exercise", "process"]
        constraints = [models.UniqueConstraint(fields=["exercise", "process"],
                                               name="continuity_one_result_per_process")]
        indexes = [models.Index(fields=["process", "exercise"])]

    def __str__(self):
        return f"{self.exercise.code} {self.process.code}"

    def get_absolute_url(self):
        return reverse("continuity:exerciseresult_detail", args=[self.pk])

    def met_rto(self, rto_hours) -> bool | None:
        if rto_hours is None:
            return None
        return self.recovered_in_hours is not None and self.recovered_in_hours <= rto_hours
