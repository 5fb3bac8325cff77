"""What supervisors did: administrative guidance, orders, requests for reports and
inspections, and violations found, with the company's response (Art 11)."""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mamori.compliance.models.register import Obligation
from mamori.core import badges
from mamori.core.audit import AuditedModel, AuditedQuerySet
from mamori.core.counters import next_code
from mamori.core.scope import Scope
from mamori.incidents.models import Incident
from mamori.org.models import Department


class RegulatoryActionScope(Scope):
    department_field = "department"


class RegulatoryAction(AuditedModel):
    class Kind(models.TextChoices):
        GUIDANCE = "guidance", _("Administrative guidance")
        REPORT_REQUEST = "report_request", _("Request for a report")
        INSPECTION = "inspection", _("On-site inspection")
        IMPROVEMENT_ORDER = "improvement_order", _("Business improvement order")
        SUSPENSION_ORDER = "suspension_order", _("Business suspension order")
        VIOLATION = "violation", _("Violation found or self-reported")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")

    code = models.CharField(_("number"), max_length=40, unique=True, blank=True,
                            help_text=_("Left empty, the next number of the year is given."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    regulator = models.CharField(_("supervisor or regulator"), max_length=200)
    reference = models.CharField(_("supervisor's reference"), max_length=100, blank=True)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    description = models.TextField(_("what was asked or found"))
    department = models.ForeignKey(Department, on_delete=models.PROTECT,
                                   related_name="regulatory_actions",
                                   verbose_name=_("department responsible"))
    response_due_on = models.DateField(_("response due on"), null=True, blank=True)
    responded_on = models.DateField(_("responded on"), null=True, blank=True)
    response = models.TextField(_("response"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.OPEN)
    obligations = models.ManyToManyField(Obligation, blank=True,
                                         related_name="regulatory_actions",
                                         verbose_name=_("obligations concerned"))
    incidents = models.ManyToManyField(Incident, blank=True, related_name="regulatory_actions",
                                       verbose_name=_("incidents concerned"))

    objects = AuditedQuerySet.as_manager()
    scope = RegulatoryActionScope()

    class Meta:
        verbose_name = _("regulatory action")
        verbose_name_plural = _("regulatory actions")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["received_on", "id"]),
                   models.Index(fields=["status", "response_due_on"])]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("compliance:regulatoryaction_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.responded_on and self.received_on and self.responded_on < self.received_on:
            errors["responded_on"] = _("The response cannot come before the action.")
        if self.status != self.Status.OPEN and not self.responded_on:
            errors["responded_on"] = _("Give the day the company responded.")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        using = kwargs.get("using") or self._state.db or "default"
        with transaction.atomic(using=using):
            if not self.code:
                year = (self.received_on or timezone.localdate()).year
                self.code = next_code(RegulatoryAction, f"RA-{year}-",
                                      f"compliance.regulatoryaction:{year}", using)
            super().save(*args, **kwargs)


badges.register(RegulatoryAction, "status", {"open": "yellow", "responded": "blue",
                                             "closed": "secondary"})
