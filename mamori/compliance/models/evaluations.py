"""Whether the company complies: evaluations of obligations, the CISO's accepted exceptions,
and the impact assessments an amendment raises."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mamori.compliance.models.register import Obligation, SourceVersion
from mamori.controls.models import HashedFile, evidence_path
from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.scope import ADD, CHANGE, DELETE, Scope
from mamori.org.models import Person


class Result(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    PARTIAL = "partial", _("Partially compliant")
    NOT_COMPLIANT = "not_compliant", _("Not compliant")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class EvaluationScope(Scope):
    department_field = "obligation__department"


class EvaluationQuerySet(AuditedQuerySet):
    def latest_per_obligation(self):
        """Each obligation's latest evaluation (by date, then the one entered last)."""
        newer = Evaluation.objects.filter(
            obligation=models.OuterRef("obligation"),
        ).filter(Q(evaluated_on__gt=models.OuterRef("evaluated_on"))
                 | Q(evaluated_on=models.OuterRef("evaluated_on"), pk__gt=models.OuterRef("pk")))
        return self.exclude(models.Exists(newer))


class Evaluation(HashedFile, AuditedModel):
    """Whether one obligation is met, when, by whom and on what evidence. A "not compliant"
    result raises a nonconformity in the improvement register, in the same transaction."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE,
                                   related_name="evaluations", verbose_name=_("obligation"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    evaluated_on = models.DateField(_("evaluated on"), default=timezone.localdate)
    evaluator = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("evaluator"))
    evidence = models.TextField(_("evidence"), blank=True,
                                help_text=_("What was looked at: records, settings, samples."))
    file = models.FileField(_("evidence file"), upload_to=evidence_path, blank=True,
                            max_length=200)
    note = models.TextField(_("note"), blank=True)

    objects = EvaluationQuerySet.as_manager()
    scope = EvaluationScope()
    label_related = ("obligation",)

    class Meta:
        verbose_name = _("compliance evaluation")
        verbose_name_plural = _("compliance evaluations")
        ordering = ["-evaluated_on", "-pk"]
        indexes = [models.Index(fields=["obligation", "evaluated_on", "id"]),
                   models.Index(fields=["evaluated_on", "id"])]

    def __str__(self):
        return f"{self.obligation.code} {self.evaluated_on} {self.get_result_display()}"

    def get_absolute_url(self):
        return reverse("compliance:evaluation_detail", args=[self.pk])

    def clean(self):
        errors = dict(self.file_errors())
        if self.evaluated_on and self.evaluated_on > timezone.localdate():
            errors["evaluated_on"] = _("An evaluation cannot be dated in the future.")
        if self.obligation_id and not self.obligation.department_id:
            errors["obligation"] = _("Give the obligation an owning department before "
                                     "evaluating it.")
        if self.result in (Result.NOT_COMPLIANT, Result.PARTIAL) and not (
                self.evidence or "").strip() and not self.file:
            errors["evidence"] = _("Say what shows the obligation is not met.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            super().save(*args, **kwargs)
            if self.result == Result.NOT_COMPLIANT:
                self.raise_nonconformity(using)

    def nonconformities(self):
        from mamori.improvement.models import Nonconformity

        return Nonconformity.objects.filter(
            source_type=ContentType.objects.get_for_model(Evaluation), source_id=self.pk)

    def raise_nonconformity(self, using: str = "default"):
        """The nonconformity a "not compliant" result opens (once per evaluation)."""
        from mamori.improvement.models import Nonconformity, Source

        if self.nonconformities().using(using).exists():
            return None
        obligation = self.obligation
        return Nonconformity.objects.using(using).create(
            title=(gettext("Not compliant: %(obligation)s") % {
                "obligation": f"{obligation.code} {obligation.title}"})[:200],
            description=self.evidence, severity=Nonconformity.Severity.MAJOR,
            policy_article="11", requirement=f"{obligation.code} {obligation.article}"[:300],
            department_id=obligation.department_id, raised_on=self.evaluated_on,
            raised_by=self.evaluator, source=Source.COMPLIANCE,
            source_reference=obligation.code,
            source_type=ContentType.objects.get_for_model(Evaluation), source_id=self.pk)


class ExceptionScope(Scope):
    """The CISO accepts a non-compliance (Art 4); the obligation's information manager and
    auditors read the acceptance."""

    department_field = "obligation__department"

    def information_manager(self, roles, action):
        if action in (ADD, CHANGE, DELETE):
            return None
        return super().information_manager(roles, action)


class ComplianceException(AuditedModel):
    """The CISO's acceptance, until a date, that an obligation is not (fully) met."""

    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE,
                                   related_name="exceptions", verbose_name=_("obligation"))
    reason = models.TextField(_("reason"))
    compensating_measures = models.TextField(_("compensating measures"), blank=True)
    accepted_on = models.DateField(_("accepted on"), default=timezone.localdate)
    expires_on = models.DateField(_("accepted until"))
    accepted_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True,
                                    editable=False, related_name="+",
                                    verbose_name=_("accepted by"))

    objects = AuditedQuerySet.as_manager()
    scope = ExceptionScope()
    label_related = ("obligation",)

    class Meta:
        verbose_name = _("compliance exception")
        verbose_name_plural = _("compliance exceptions")
        ordering = ["-accepted_on", "-pk"]
        indexes = [models.Index(fields=["obligation", "expires_on"])]

    def __str__(self):
        return f"{self.obligation.code} → {self.expires_on}"

    def get_absolute_url(self):
        return reverse("compliance:complianceexception_detail", args=[self.pk])

    def clean(self):
        if self.accepted_on and self.expires_on:
            if self.expires_on <= self.accepted_on:
                raise ValidationError({"expires_on": _(
                    "The acceptance must end after the day it is given.")})
            if self.expires_on > self.accepted_on + datetime.timedelta(days=366):
                raise ValidationError({"expires_on": _(
                    "A non-compliance is accepted for a year at most; accept it again "
                    "after reviewing it.")})


class AssessmentScope(Scope):
    """Raised by an amendment, never by hand, and kept: nobody adds or deletes one. The
    obligation's information manager (or the CISO) assesses it."""

    department_field = "obligation__department"

    def q_for(self, roles, action):
        if action in (ADD, DELETE):
            return None
        return super().q_for(roles, action)


class ImpactAssessmentQuerySet(AuditedQuerySet):
    def open(self):
        return self.filter(status=ImpactAssessment.Status.OPEN)


class ImpactAssessment(AuditedModel):
    """What an amendment means for one obligation, assessed by its owner before the day the
    amendment takes effect (created with the amendment, compliance.amendments)."""

    class Status(models.TextChoices):
        OPEN = "open", _("To assess")
        NO_CHANGE = "no_change", _("Assessed: nothing to change")
        CHANGES = "changes", _("Assessed: changes needed")

    amendment = models.ForeignKey(SourceVersion, on_delete=models.CASCADE,
                                  related_name="impact_assessments",
                                  verbose_name=_("amendment"))
    obligation = models.ForeignKey(Obligation, on_delete=models.CASCADE,
                                   related_name="impact_assessments",
                                   verbose_name=_("obligation"))
    due_on = models.DateField(_("due on"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    assessment = models.TextField(_("assessment"), blank=True)
    assessed_on = models.DateField(_("assessed on"), null=True, blank=True, editable=False)

    objects = ImpactAssessmentQuerySet.as_manager()
    scope = AssessmentScope()
    label_related = ("amendment__source", "obligation")

    class Meta:
        verbose_name = _("amendment impact assessment")
        verbose_name_plural = _("amendment impact assessments")
        ordering = ["due_on", "pk"]
        constraints = [models.UniqueConstraint(fields=["amendment", "obligation"],
                                               name="compliance_one_assessment")]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"{self.amendment} — {self.obligation.code}"

    def get_absolute_url(self):
        return reverse("compliance:impactassessment_detail", args=[self.pk])

    def clean(self):
        if self.status != self.Status.OPEN and not (self.assessment or "").strip():
            raise ValidationError({"assessment": _(
                "Say what the amendment changes for this obligation.")})

    def save(self, *args, **kwargs):
        self.derive_fields()
        super().save(*args, **kwargs)

    def derive_fields(self):
        self.due_on = self.amendment.effective_on
        if self.status == self.Status.OPEN:
            self.assessed_on = None
        elif self.assessed_on is None:
            self.assessed_on = timezone.localdate()


badges.register(Evaluation, "result", {"compliant": "green", "partial": "yellow",
                                       "not_compliant": "red", "not_applicable": "secondary"})
badges.register(ImpactAssessment, "status", {"open": "yellow", "no_change": "green",
                                             "changes": "blue"})
